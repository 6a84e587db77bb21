package stsemu

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

type capture struct {
	Client string      `json:"client"`
	Method string      `json:"method"`
	Host   string      `json:"host"`
	URI    string      `json:"uri"`
	Header http.Header `json:"header"`
	Body   string      `json:"body"`
}

const (
	captureAK     = "LTAI5tExampleUser"
	captureSecret = "ExampleSecret123"
)

func loadCaptures(t testing.TB) []capture {
	t.Helper()
	f, err := os.Open("../../testdata/wire/captured.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []capture
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c capture
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// stsCaptures are the STS requests (V1 and V3).
func stsCaptures(t testing.TB) []capture {
	var out []capture
	for _, c := range loadCaptures(t) {
		if c.Header.Get("X-Acs-Action") != "" || strings.Contains(c.Body, "Action=AssumeRole") || strings.Contains(c.URI, "Action=AssumeRole") {
			out = append(out, c)
		}
	}
	if len(out) < 4 {
		t.Fatalf("want at least 4 STS captures, got %d", len(out))
	}
	return out
}

func (c capture) rpcParams(t testing.TB) []Param {
	t.Helper()
	_, rq, _ := strings.Cut(c.URI, "?")
	ps, err := ParseParams(rq)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(c.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		bp, err := ParseParams(c.Body)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, bp...)
	}
	return ps
}

func paramValue(ps []Param, k string) string {
	for _, p := range ps {
		if p.Key == k {
			return p.Value
		}
	}
	return ""
}

func (c capture) acs3(t testing.TB) (ACS3Input, ACS3Auth) {
	t.Helper()
	a, err := ParseACS3Authorization(c.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	path, rq, _ := strings.Cut(c.URI, "?")
	q, err := ParseParams(rq)
	if err != nil {
		t.Fatal(err)
	}
	return ACS3Input{Method: c.Method, Path: path, Query: q, Host: c.Host, Header: c.Header.Clone(), Body: []byte(c.Body)}, a
}

func TestRPCDocVectors(t *testing.T) {
	base := []Param{{"AccessKeyId", "testid"}, {"Action", "AssumeRole"}, {"Format", "JSON"},
		{"RoleArn", "acs:ram::1234567890123:role/firstrole"}, {"RoleSessionName", "client"}, {"SignatureMethod", "HMAC-SHA1"},
		{"SignatureNonce", "571f8fb8-506e-11e5-8e12-b8e8563dc8d2"}, {"SignatureVersion", "1.0"},
		{"Timestamp", "2015-09-01T05:57:34Z"}, {"Version", "2015-04-01"}}
	tests := []struct {
		name, method, secret string
		params               []Param
		want                 string
	}{
		{"doc GET", "GET", "testsecret", base, "gNI7b0AyKZHxDgjBGPDgJ1Ce3L4="},
		{"doc POST with DurationSeconds", "POST", "testsecret", append(append([]Param(nil), base...), Param{"DurationSeconds", "3600"}), "7+bhhhxZBk0ErWBhIgEiUF7SDVg="},
		{"openapi-util unit vector", "", "accessKeySecret", []Param{{"test", "ok"}}, "jHx/oHoHNrbVfhncHEvPdHXZwHU="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RPCSignature(tt.secret, RPCStringToSign(tt.method, tt.params)); got != tt.want {
				t.Fatalf("signature %s, want %s", got, tt.want)
			}
			if _, ok := VerifyRPC(tt.method, tt.params, tt.want, tt.secret); !ok {
				t.Fatal("VerifyRPC rejected the doc vector")
			}
			if _, ok := VerifyRPC(tt.method, tt.params, tt.want, tt.secret+"x"); ok {
				t.Fatal("VerifyRPC accepted a wrong secret")
			}
		})
	}
}

func TestACS3DocVectors(t *testing.T) {
	t.Run("protocol.md worked example", func(t *testing.T) {
		h := http.Header{}
		h.Set("x-acs-action", "AssumeRole")
		h.Set("x-acs-version", "2015-04-01")
		h.Set("x-acs-date", "2015-09-01T05:57:34Z")
		h.Set("x-acs-signature-nonce", "571f8fb8506e11e58e12b8e8563dc8d2")
		h.Set("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		h.Set("user-agent", "x")
		in := ACS3Input{Method: "POST", Path: "/", Host: "sts.aliyuncs.com", Header: h,
			Query: []Param{{"DurationSeconds", "3600"}, {"RoleArn", "acs:ram::1234567890123:role/firstrole"}, {"RoleSessionName", "client"}}}
		a, err := ParseACS3Authorization("ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=7860f718c570a57ee575c0284591eb997254e1eb27612863b96d0047c5ec1465")
		if err != nil {
			t.Fatal(err)
		}
		sts, failed := VerifyACS3(in, a, "testsecret")
		if failed != "" {
			t.Fatalf("failed %s; string to sign %q", failed, sts)
		}
		if want := "ACS3-HMAC-SHA256\n6076e7ca1577e006b2b64ae34de86e2366b9d423e94171215a68dae1a5fe582a"; sts != want {
			t.Fatalf("string to sign %q, want %q", sts, want)
		}
	})
}

func TestCapturedSTSSignaturesVerify(t *testing.T) {
	for _, c := range stsCaptures(t) {
		t.Run(c.Client, func(t *testing.T) {
			if strings.HasPrefix(c.Header.Get("Authorization"), "ACS3-") {
				in, a := c.acs3(t)
				if a.AccessKeyID != captureAK {
					t.Fatalf("AK %s", a.AccessKeyID)
				}
				if sts, failed := VerifyACS3(in, a, captureSecret); failed != "" {
					t.Fatalf("failed %s, string to sign %q", failed, sts)
				}
				return
			}
			ps := c.rpcParams(t)
			if paramValue(ps, "AccessKeyId") != captureAK {
				t.Fatalf("AK %s", paramValue(ps, "AccessKeyId"))
			}
			if sts, ok := VerifyRPC(c.Method, ps, paramValue(ps, "Signature"), captureSecret); !ok {
				t.Fatalf("signature does not verify; string to sign %q", sts)
			}
		})
	}
}

// TestCapturedSTSMutationsFail changes every decoded signed value, the method and the secret, one
// at a time; each change must make verification fail. Re-encoding alone must not.
func TestCapturedSTSMutationsFail(t *testing.T) {
	for _, c := range stsCaptures(t) {
		if strings.HasPrefix(c.Header.Get("Authorization"), "ACS3-") {
			in, a := c.acs3(t)
			for i := range in.Query {
				t.Run(c.Client+"/query "+in.Query[i].Key, func(t *testing.T) {
					m := in
					m.Query = append([]Param(nil), in.Query...)
					m.Query[i].Value += "x"
					if _, failed := VerifyACS3(m, a, captureSecret); failed == "" {
						t.Fatal("mutated query parameter verified")
					}
				})
			}
			t.Run(c.Client+"/extra query parameter", func(t *testing.T) {
				m := in
				m.Query = append(append([]Param(nil), in.Query...), Param{"DurationSeconds", "900"})
				if _, failed := VerifyACS3(m, a, captureSecret); failed == "" {
					t.Fatal("added query parameter verified")
				}
			})
			for _, h := range a.SignedHeaders {
				t.Run(c.Client+"/header "+h, func(t *testing.T) {
					m := in
					m.Header = in.Header.Clone()
					if h == "host" {
						m.Host += "1"
					} else {
						m.Header.Set(h, m.Header.Get(h)+"0")
					}
					if _, failed := VerifyACS3(m, a, captureSecret); failed == "" {
						t.Fatal("mutated signed header verified")
					}
				})
			}
			t.Run(c.Client+"/body", func(t *testing.T) {
				m := in
				m.Body = []byte("RoleSessionName=evil")
				if _, failed := VerifyACS3(m, a, captureSecret); failed == "" {
					t.Fatal("body not matching x-acs-content-sha256 verified")
				}
			})
			t.Run(c.Client+"/unsigned x-acs header added", func(t *testing.T) {
				m := in
				m.Header = in.Header.Clone()
				m.Header.Set("x-acs-security-token", "CAISevil")
				if _, failed := VerifyACS3(m, a, captureSecret); failed == "" {
					t.Fatal("unsigned x-acs-* header accepted")
				}
			})
			t.Run(c.Client+"/method", func(t *testing.T) {
				m := in
				m.Method = "GET"
				if _, failed := VerifyACS3(m, a, captureSecret); failed == "" {
					t.Fatal("changed method verified")
				}
			})
			t.Run(c.Client+"/secret", func(t *testing.T) {
				if _, failed := VerifyACS3(in, a, captureSecret+"x"); failed == "" {
					t.Fatal("wrong secret verified")
				}
			})
			t.Run(c.Client+"/re-encoding only", func(t *testing.T) {
				path, rq, _ := strings.Cut(c.URI, "?")
				rq = strings.ReplaceAll(rq, "*", "%2a")
				q, err := ParseParams(rq)
				if err != nil {
					t.Fatal(err)
				}
				m := in
				m.Path, m.Query = path, q
				if _, failed := VerifyACS3(m, a, captureSecret); failed != "" {
					t.Fatalf("re-encoded request failed: %s", failed)
				}
			})
			continue
		}
		ps := c.rpcParams(t)
		sig := paramValue(ps, "Signature")
		for i := range ps {
			if ps[i].Key == "Signature" {
				continue
			}
			t.Run(c.Client+"/param "+ps[i].Key, func(t *testing.T) {
				m := append([]Param(nil), ps...)
				m[i].Value += "1"
				if _, ok := VerifyRPC(c.Method, m, sig, captureSecret); ok {
					t.Fatal("mutated parameter verified")
				}
			})
		}
		t.Run(c.Client+"/added parameter", func(t *testing.T) {
			m := append(append([]Param(nil), ps...), Param{"ExternalId", "x1"})
			if _, ok := VerifyRPC(c.Method, m, sig, captureSecret); ok {
				t.Fatal("added parameter verified")
			}
		})
		t.Run(c.Client+"/method", func(t *testing.T) {
			if _, ok := VerifyRPC("GET", ps, sig, captureSecret); ok {
				t.Fatal("changed method verified")
			}
		})
		t.Run(c.Client+"/secret", func(t *testing.T) {
			if _, ok := VerifyRPC(c.Method, ps, sig, "ExampleSecret124"); ok {
				t.Fatal("wrong secret verified")
			}
		})
		t.Run(c.Client+"/re-encoding only", func(t *testing.T) {
			raw := c.Body
			if raw == "" {
				_, raw, _ = strings.Cut(c.URI, "?")
			}
			// %2A → * and %3A → %3a change no decoded value.
			raw = strings.ReplaceAll(strings.ReplaceAll(raw, "%2A", "*"), "%3A", "%3a")
			m, err := ParseParams(raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := VerifyRPC(c.Method, m, sig, captureSecret); !ok {
				t.Fatal("re-encoded request did not verify")
			}
		})
	}
}

func TestParseACS3Authorization(t *testing.T) {
	tests := []struct {
		name, h string
		ok      bool
	}{
		{"good", "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-date,Signature=ab", true},
		{"no space", "ACS3-HMAC-SHA256", false},
		{"missing signature", "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host", false},
		{"duplicate key", "ACS3-HMAC-SHA256 Credential=ak,Credential=b,SignedHeaders=host,Signature=ab", false},
		{"unknown key", "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab,Foo=1", false},
		{"empty signed headers", "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=,Signature=ab", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseACS3Authorization(tt.h)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a b", "a%20b"}, {"*", "%2A"}, {"~", "~"}, {"a+b", "a%2Bb"}, {"/", "%2F"}, {"é", "%C3%A9"}, {"AZaz09-_.", "AZaz09-_."},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PercentEncode(tt.in); got != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
			// Agrees with url.QueryEscape plus the POP fix-ups.
			alt := strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(tt.in))
			if alt != tt.want {
				t.Fatalf("QueryEscape form %q differs", alt)
			}
		})
	}
}
