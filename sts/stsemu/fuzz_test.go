package stsemu

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzVerifyRPC: a request signed with a secret verifies with it, and with no other secret;
// changing any parameter value breaks it. Never panics.
func FuzzVerifyRPC(f *testing.F) {
	for _, c := range stsCaptures(f) {
		if strings.HasPrefix(c.Header.Get("Authorization"), "ACS3-") {
			continue
		}
		raw := c.Body
		if raw == "" {
			_, raw, _ = strings.Cut(c.URI, "?")
		}
		f.Add(c.Method, raw, captureSecret, 0)
	}
	f.Add("GET", "a=%20&b=*&c=~&d=%E2%82%AC", "s", 2)
	f.Fuzz(func(t *testing.T, method, raw, secret string, which int) {
		ps, err := ParseParams(raw)
		if err != nil {
			return
		}
		sig := RPCSignature(secret, RPCStringToSign(method, ps))
		if _, ok := VerifyRPC(method, ps, sig, secret); !ok {
			t.Fatal("a fresh signature does not verify")
		}
		if _, ok := VerifyRPC(method, ps, sig, secret+"x"); ok {
			t.Fatal("verified with another secret")
		}
		var signed []int
		for i, p := range ps {
			if p.Key != "Signature" {
				signed = append(signed, i)
			}
		}
		if len(signed) == 0 {
			return
		}
		if which < 0 {
			which = -which
		}
		i := signed[which%len(signed)]
		m := append([]Param(nil), ps...)
		m[i].Value += "\x00"
		if _, ok := VerifyRPC(method, m, sig, secret); ok {
			t.Fatalf("changed parameter %q verified", m[i].Key)
		}
	})
}

// FuzzVerifyACS3 feeds arbitrary Authorization headers, queries, bodies and header values to
// the V3 parser and verifier: no panics; a freshly computed signature verifies; a changed body fails.
func FuzzVerifyACS3(f *testing.F) {
	for _, c := range stsCaptures(f) {
		if strings.HasPrefix(c.Header.Get("Authorization"), "ACS3-") {
			_, rq, _ := strings.Cut(c.URI, "?")
			f.Add(c.Header.Get("Authorization"), rq, c.Body, c.Header.Get("X-Acs-Date"), c.Host)
		}
	}
	f.Add("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-date,Signature=00", "k=v", "", "2015-09-01T05:57:34Z", "h")
	f.Fuzz(func(t *testing.T, authz, rq, body, date, host string) {
		a, err := ParseACS3Authorization(authz)
		q, qerr := ParseParams(rq)
		h := http.Header{}
		h.Set("x-acs-date", date)
		h.Set("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		in := ACS3Input{Method: "POST", Path: "/", Query: q, Host: host, Header: h, Body: []byte(body)}
		if err == nil && qerr == nil {
			VerifyACS3(in, a, "secret") // must not panic
		}
		if qerr != nil {
			return
		}
		good := ACS3Auth{Algorithm: ACS3Algorithm, AccessKeyID: "ak", SignedHeaders: []string{"host", "x-acs-content-sha256", "x-acs-date"}}
		in.Body = nil
		good.Signature = ACS3Signature("secret", ACS3StringToSign(ACS3CanonicalRequest("POST", "/", q, host, h, good.SignedHeaders, h.Get("x-acs-content-sha256"))))
		if _, failed := VerifyACS3(in, good, "secret"); failed != "" {
			t.Fatalf("fresh signature failed: %s", failed)
		}
		in.Body = []byte(body + "x")
		if _, failed := VerifyACS3(in, good, "secret"); failed == "" {
			t.Fatal("a body not matching x-acs-content-sha256 verified")
		}
	})
}

// FuzzParseSeed: arbitrary input never panics; an accepted seed is internally consistent and
// builds an authority.
func FuzzParseSeed(f *testing.F) {
	f.Add(string(DefaultSeed))
	f.Add(`{"account_id": "42", "users": [{"name": "u"}], "roles": [{"name": "R"}]}`)
	f.Add("account_id: \"1\"\nroles:\n  - name: R\n    max_session_duration: 100\n")
	f.Add("account_id: &a \"1\"\nregion: *a\n")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := ParseSeed("fuzz", []byte(src))
		if err != nil {
			var se *SeedError
			if !asSeedError(err, &se) {
				t.Fatalf("error is not a *SeedError: %T %v", err, err)
			}
			if !utf8.ValidString(src) {
				return
			}
			return
		}
		if !accountIDRE.MatchString(s.AccountID) {
			t.Fatalf("accepted account id %q", s.AccountID)
		}
		seen := map[string]bool{}
		for _, r := range s.Roles {
			if seen[strings.ToLower(r.Name)] || r.MaxSessionDuration < 3600 || r.MaxSessionDuration > 43200 {
				t.Fatalf("accepted role %+v", r)
			}
			seen[strings.ToLower(r.Name)] = true
		}
		if _, err := NewAuthority(t.TempDir(), s, nil); err != nil {
			t.Fatalf("accepted seed does not build: %v", err)
		}
	})
}

func asSeedError(err error, se **SeedError) bool {
	e, ok := err.(*SeedError)
	*se = e
	return ok
}

// FuzzHandler sends arbitrary queries and bodies: the answer is always a well-formed POP error
// (or success), never a panic or a 500.
func FuzzHandler(f *testing.F) {
	for _, c := range stsCaptures(f) {
		_, rq, _ := strings.Cut(c.URI, "?")
		f.Add(c.Method, rq, c.Body, c.Header.Get("Content-Type"), c.Header.Get("Authorization"))
	}
	f.Add("GET", "Action=AssumeRole&Version=2015-04-01", "", "", "")
	ts := newTestServer(f)
	h := ts.Handler()
	f.Fuzz(func(t *testing.T, method, rq, body, ct, authz string) {
		if method != "GET" && method != "POST" {
			method = "POST"
		}
		r := httptest.NewRequest(method, "/", strings.NewReader(body))
		r.URL.RawQuery = rq
		r.RequestURI = "/?" + rq
		if ct != "" {
			r.Header["Content-Type"] = []string{ct}
		}
		if authz != "" {
			r.Header["Authorization"] = []string{authz}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			var e struct{ RequestId, Code, Message string }
			if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") {
				return
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.RequestId == "" || e.Message == "" {
				t.Fatalf("malformed error body %q: %v", rec.Body, err)
			}
		}
	})
}
