package ossemu

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

type capturedRequest struct {
	Client string      `json:"client"`
	Method string      `json:"method"`
	Host   string      `json:"host"`
	URI    string      `json:"uri"`
	Header http.Header `json:"header"`
	Body   string      `json:"body"`
}

var testSecrets = map[string]string{"STS.capture": "capturesecret", "LTAI5tExampleUser": "ExampleSecret123"}

func loadOSSCaptures(t *testing.T) []capturedRequest {
	t.Helper()
	f, err := os.Open("../../testdata/wire/captured.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []capturedRequest
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c capturedRequest
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("captured.jsonl: %v", err)
		}
		if strings.Contains(c.Client, "oss") && !strings.HasSuffix(c.Client, "-sts") {
			out = append(out, c)
		}
	}
	if len(out) < 4 {
		t.Fatalf("want at least 4 OSS captures, got %d", len(out))
	}
	return out
}

func (c capturedRequest) sigRequest(t testing.TB) *SigRequest {
	t.Helper()
	u, err := url.ParseRequestURI(c.URI)
	if err != nil {
		t.Fatal(err)
	}
	b, k, err := ParseAddress(c.Host, u.EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for k, vs := range c.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	return &SigRequest{Method: c.Method, Bucket: b, Key: k, RawQuery: u.RawQuery, Header: h}
}

// verifyAt runs the full pure verification chain at the request's own time.
func verifyAt(r *SigRequest, secret string) (*Auth, *ossError) {
	a, e := ParseAuth(r)
	if e != nil {
		return nil, e
	}
	now := a.Time
	if a.Kind == AuthV1Query {
		now = a.Expires.Add(-time.Minute)
	}
	if e := CheckTime(a, now); e != nil {
		return a, e
	}
	return a, VerifySignature(r, a, secret, "cn-hangzhou")
}

func TestCapturedOSSRequestsVerify(t *testing.T) {
	for _, c := range loadOSSCaptures(t) {
		t.Run(c.Client, func(t *testing.T) {
			r := c.sigRequest(t)
			if r.Bucket != "examplebucket" || r.Key != "src/exampletest.txt" {
				t.Fatalf("addressing: bucket %q key %q", r.Bucket, r.Key)
			}
			a, e := ParseAuth(r)
			if e != nil {
				t.Fatalf("ParseAuth: %v", e)
			}
			secret, ok := testSecrets[a.AccessKeyID]
			if !ok {
				t.Fatalf("unexpected access key %q", a.AccessKeyID)
			}
			if a.SecurityToken != "CAIScapture" {
				t.Errorf("token %q", a.SecurityToken)
			}
			if _, e := verifyAt(r, secret); e != nil {
				t.Fatalf("captured request does not verify: %v\n%s", e, fieldValue(e, "StringToSign"))
			}
			// 20 minutes later the same request is too skewed.
			if e := CheckTime(a, a.Time.Add(20*time.Minute)); e == nil || e.Code != "RequestTimeTooSkewed" {
				t.Errorf("skew: got %v", e)
			}
			if e := CheckTime(a, a.Time.Add(-14*time.Minute)); e != nil {
				t.Errorf("14 min early should pass: %v", e)
			}
		})
	}
}

func fieldValue(e *ossError, name string) string {
	if e == nil {
		return ""
	}
	for _, f := range e.Extra {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func cloneSig(r *SigRequest) *SigRequest {
	c := *r
	c.Header = r.Header.Clone()
	return &c
}

// Every change to a signed value must fail with SignatureDoesNotMatch and the server's string to sign.
func TestCapturedOSSRequestsMutations(t *testing.T) {
	for _, c := range loadOSSCaptures(t) {
		base := c.sigRequest(t)
		a, _ := ParseAuth(base)
		secret := testSecrets[a.AccessKeyID]
		type mutation struct {
			name string
			mut  func(r *SigRequest) (secret string)
		}
		muts := []mutation{
			{"method", func(r *SigRequest) string { r.Method = "POST"; return secret }},
			{"key", func(r *SigRequest) string { r.Key = "dst/exampletest.txt"; return secret }},
			{"bucket", func(r *SigRequest) string { r.Bucket = "otherbucket"; return secret }},
			{"secret", func(r *SigRequest) string { return secret + "x" }},
			{"add-subresource", func(r *SigRequest) string { r.RawQuery = "acl"; return secret }},
			{"add-x-oss-header", func(r *SigRequest) string { r.Header.Set("x-oss-meta-extra", "1"); return secret }},
		}
		for name := range base.Header {
			ln := strings.ToLower(name)
			signed := strings.HasPrefix(ln, "x-oss-") || ln == "content-type" || ln == "content-md5"
			if a.Kind == AuthV1Header && ln == "date" {
				signed = true
			}
			if !signed {
				continue
			}
			if ln == "x-oss-date" || ln == "date" {
				continue // a changed date changes the signing key/time; covered below
			}
			name := name
			muts = append(muts, mutation{"header-" + ln, func(r *SigRequest) string {
				r.Header.Set(name, r.Header.Get(name)+"x")
				return secret
			}})
		}
		if a.Kind == AuthV1Header {
			dn := "Date"
			if base.Header.Get("Date") == "" {
				dn = "X-Oss-Date"
			}
			muts = append(muts, mutation{"date", func(r *SigRequest) string {
				t, _ := http.ParseTime(r.Header.Get(dn))
				r.Header.Set(dn, t.Add(time.Second).UTC().Format(http.TimeFormat))
				return secret
			}})
		} else {
			muts = append(muts, mutation{"x-oss-date", func(r *SigRequest) string {
				t, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Oss-Date"))
				r.Header.Set("X-Oss-Date", t.Add(time.Second).UTC().Format("20060102T150405Z"))
				return secret
			}})
		}
		for _, m := range muts {
			t.Run(c.Client+"/"+m.name, func(t *testing.T) {
				r := cloneSig(base)
				sec := m.mut(r)
				_, e := verifyAt(r, sec)
				if e == nil || e.Code != "SignatureDoesNotMatch" {
					t.Fatalf("want SignatureDoesNotMatch, got %v", e)
				}
				if fieldValue(e, "StringToSign") == "" || fieldValue(e, "SignatureProvided") == "" {
					t.Errorf("error lacks StringToSign/SignatureProvided: %+v", e.Extra)
				}
				if body := string(e.body("id", "host")); strings.Contains(body, "CAIScapture") || strings.Contains(body, sec) {
					t.Errorf("token or secret in the error body:\n%s", body)
				}
			})
		}
		// Re-encoding without changing a value still verifies.
		t.Run(c.Client+"/reencoded-path", func(t *testing.T) {
			u, _ := url.ParseRequestURI(c.URI)
			p := strings.ReplaceAll(u.EscapedPath(), "t", "%74")
			b, k, err := ParseAddress(c.Host, p)
			if err != nil {
				t.Fatal(err)
			}
			r := cloneSig(base)
			r.Bucket, r.Key = b, k
			if _, e := verifyAt(r, secret); e != nil {
				t.Fatalf("re-encoded path must still verify: %v", e)
			}
		})
	}
}

// Vectors from the Go SDK's signer tests (protocol.md §5.3/§5.4), exercising query canonicalization.
func TestSDKSignerVectors(t *testing.T) {
	query := url.Values{}
	query.Add("param1", "value1")
	query.Add("+param1", "value3")
	query.Add("|param1", "value4")
	query.Add("+param2", "")
	query.Add("|param2", "")
	query.Add("param2", "")
	hdr := func(ct string) http.Header {
		h := http.Header{}
		h.Set("x-oss-head1", "value")
		h.Set("abc", "value")
		h.Set("ZAbc", "value")
		h.Set("XYZ", "value")
		h.Set("content-type", ct)
		return h
	}
	t.Run("v4-header", func(t *testing.T) {
		h := hdr("text/plain")
		h.Set("x-oss-content-sha256", "UNSIGNED-PAYLOAD")
		h.Set("x-oss-date", "20231216T162057Z")
		h.Set("Authorization", "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe")
		r := &SigRequest{Method: "PUT", Bucket: "bucket", Key: "1234+-/123/1.txt", RawQuery: query.Encode(), Header: h}
		if _, e := verifyAt(r, "sk"); e != nil {
			t.Fatalf("%v\n%s", e, fieldValue(e, "CanonicalRequest"))
		}
	})
	t.Run("v4-header-additional", func(t *testing.T) {
		h := hdr("text/plain")
		h.Set("x-oss-content-sha256", "UNSIGNED-PAYLOAD")
		h.Set("x-oss-date", time.Unix(1702747512, 0).UTC().Format("20060102T150405Z"))
		h.Set("Authorization", "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f")
		r := &SigRequest{Method: "PUT", Bucket: "bucket", Key: "1234+-/123/1.txt", RawQuery: query.Encode(), Header: h}
		if _, e := verifyAt(r, "sk"); e != nil {
			t.Fatalf("%v\n%s", e, fieldValue(e, "CanonicalRequest"))
		}
		r.Header.Set("abc", "changed")
		if _, e := verifyAt(r, "sk"); e == nil || e.Code != "SignatureDoesNotMatch" {
			t.Fatalf("changed additional header must fail, got %v", e)
		}
	})
	t.Run("v4-query", func(t *testing.T) {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("x-oss-signature-version", "OSS4-HMAC-SHA256")
		q.Set("x-oss-date", "20231217T025437Z")
		q.Set("x-oss-expires", "599")
		q.Set("x-oss-credential", "ak/20231217/cn-hangzhou/oss/aliyun_v4_request")
		q.Set("x-oss-signature", "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe")
		r := &SigRequest{Method: "PUT", Bucket: "bucket", Key: "1234+-/123/1.txt", RawQuery: strings.ReplaceAll(q.Encode(), "+", "%20"), Header: hdr("application/octet-stream")}
		a, e := ParseAuth(r)
		if e != nil {
			t.Fatal(e)
		}
		if e := CheckTime(a, a.Time.Add(598*time.Second)); e != nil {
			t.Fatalf("within expiry: %v", e)
		}
		if e := CheckTime(a, a.Time.Add(600*time.Second)); e == nil || e.Message != "Request has expired." {
			t.Fatalf("after expiry: %v", e)
		}
		if e := VerifySignature(r, a, "sk", "cn-hangzhou"); e != nil {
			t.Fatalf("%v\n%s", e, fieldValue(e, "CanonicalRequest"))
		}
		// %2A vs %2a style re-encoding: lower-case the escapes.
		r2 := cloneSig(r)
		r2.RawQuery = strings.NewReplacer("%2B", "%2b", "%7C", "%7c", "%2F", "%2f").Replace(r.RawQuery)
		if e := VerifySignature(r2, a, "sk", "cn-hangzhou"); e != nil {
			t.Fatalf("re-encoded query must verify: %v", e)
		}
		r3 := cloneSig(r)
		r3.RawQuery = strings.Replace(r.RawQuery, "value1", "value2", 1)
		if e := VerifySignature(r3, a, "sk", "cn-hangzhou"); e == nil || e.Code != "SignatureDoesNotMatch" {
			t.Fatalf("changed query value must fail: %v", e)
		}
	})
	t.Run("v1-query", func(t *testing.T) {
		raw := "Expires=1699808204&OSSAccessKeyId=ak&Signature=jzKYRrM5y6Br0dRFPaTGOsbrDhY%3D&security-token=token&versionId=versionId"
		r := &SigRequest{Method: "GET", Bucket: "bucket", Key: "key+123", RawQuery: raw, Header: http.Header{}}
		a, e := verifyAt(r, "sk")
		if e != nil {
			t.Fatalf("%v\n%q", e, fieldValue(e, "StringToSign"))
		}
		if a.SecurityToken != "token" {
			t.Errorf("token %q", a.SecurityToken)
		}
		if e := CheckTime(a, time.Unix(1699808205, 0)); e == nil {
			t.Error("expired URL accepted")
		}
		for name, q := range map[string]string{
			"versionId": strings.Replace(raw, "versionId=versionId", "versionId=other", 1),
			"token":     strings.Replace(raw, "security-token=token", "security-token=tok", 1),
			"expires":   strings.Replace(raw, "Expires=1699808204", "Expires=1699808205", 1),
		} {
			r2 := cloneSig(r)
			r2.RawQuery = q
			if _, e := verifyAt(r2, "sk"); e == nil || e.Code != "SignatureDoesNotMatch" {
				t.Errorf("changed %s: want SignatureDoesNotMatch, got %v", name, e)
			}
		}
	})
}

func TestParseAuthErrors(t *testing.T) {
	cases := []struct {
		name, authz, query, code string
	}{
		{"v1-no-colon", "OSS abc", "", "InvalidArgument"},
		{"unknown-scheme", "Bearer x", "", "InvalidArgument"},
		{"v4-missing-signature", "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request", "", "InvalidArgument"},
		{"both", "OSS ak:sig", "OSSAccessKeyId=ak&Expires=1&Signature=x", "InvalidArgument"},
		{"v1-query-incomplete", "", "OSSAccessKeyId=ak&Expires=1", "AccessDenied"},
		{"v1-query-bad-expires", "", "OSSAccessKeyId=ak&Expires=soon&Signature=x", "AccessDenied"},
		{"v4-query-no-expires", "", "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=ak%2F20231216%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231216T162057Z&x-oss-signature=ab", "AccessDenied"},
		{"v4-query-too-long", "", "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=ak%2F20231216%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231216T162057Z&x-oss-expires=604801&x-oss-signature=ab", "AccessDenied"},
		{"v4-header-no-date", "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=ab", "", "AccessDenied"},
		{"v1-header-no-date", "OSS ak:c2ln", "", "AccessDenied"},
		{"v2-no-colon", "OSS2 AccessKeyId=ak,Signature=x", "", "InvalidArgument"},
		{"v2-unknown-element", "OSS2 AccessKeyId:ak,Foo:bar,Signature:x", "", "InvalidArgument"},
		{"v2-twice", "OSS2 AccessKeyId:ak,AccessKeyId:bk,Signature:x", "", "InvalidArgument"},
		{"v2-no-signature", "OSS2 AccessKeyId:ak", "", "InvalidArgument"},
		{"v2-no-date", "OSS2 AccessKeyId:ak,Signature:x", "", "AccessDenied"},
		{"v2-query-incomplete", "", "x-oss-signature-version=OSS2&x-oss-access-key-id=ak&x-oss-signature=x", "AccessDenied"},
		{"v2-query-bad-expires", "", "x-oss-signature-version=OSS2&x-oss-access-key-id=ak&x-oss-expires=soon&x-oss-signature=x", "AccessDenied"},
		{"v2-both", "OSS2 AccessKeyId:ak,Signature:x", "x-oss-signature-version=OSS2&x-oss-access-key-id=ak&x-oss-expires=1&x-oss-signature=x", "InvalidArgument"},
		{"v4-credential-short", "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss,Signature=ab", "", "InvalidArgument"},
		{"v4-query-credential-short", "", "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=ak%2F20231216&x-oss-date=20231216T162057Z&x-oss-expires=60&x-oss-signature=ab", "AccessDenied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.authz != "" {
				h.Set("Authorization", tc.authz)
			}
			_, e := ParseAuth(&SigRequest{Method: "GET", Bucket: "b", RawQuery: tc.query, Header: h})
			if e == nil || e.Code != tc.code {
				t.Fatalf("want %s, got %v", tc.code, e)
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	cases := []struct {
		h             string
		size          int64
		start, length int64
		ok            bool
	}{
		{"bytes=0-9", 100, 0, 10, true},
		{"bytes=90-", 100, 90, 10, true},
		{"bytes=-10", 100, 90, 10, true},
		{"bytes=-200", 100, 0, 100, true},
		{"bytes=50-500", 100, 50, 50, true},
		{"bytes=100-", 100, 0, 0, false},
		{"bytes=5-4", 100, 0, 0, false},
		{"bytes=0-1,3-4", 100, 0, 0, false},
		{"bytes=a-b", 100, 0, 0, false},
		{"items=0-1", 100, 0, 0, false},
		{"bytes=-0", 100, 0, 0, false},
		{"bytes=0-0", 0, 0, 0, false},
		{"bytes=+1-2", 100, 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.h, func(t *testing.T) {
			s, n, ok := ParseRange(tc.h, tc.size)
			if ok != tc.ok || (ok && (s != tc.start || n != tc.length)) {
				t.Fatalf("ParseRange(%q,%d) = %d,%d,%v", tc.h, tc.size, s, n, ok)
			}
		})
	}
}

func TestParseAddress(t *testing.T) {
	cases := []struct{ host, path, bucket, key string }{
		{"127.0.0.1:8080", "/examplebucket/src/a.txt", "examplebucket", "src/a.txt"},
		{"localhost:1", "/examplebucket/", "examplebucket", ""},
		{"oss-cn-hangzhou.aliyuncs.com", "/b1/k", "b1", "k"},
		{"oss-cn-hangzhou-internal.aliyuncs.com", "/b1/k", "b1", "k"},
		{"examplebucket.oss-cn-hangzhou.aliyuncs.com", "/src/a.txt", "examplebucket", "src/a.txt"},
		{"examplebucket.localhost:9000", "/", "examplebucket", ""},
		{"[::1]:80", "/", "", ""},
		{"127.0.0.1", "/b/a%2Fb%20c", "b", "a/b c"},
	}
	for _, tc := range cases {
		t.Run(tc.host+tc.path, func(t *testing.T) {
			b, k, err := ParseAddress(tc.host, tc.path)
			if err != nil || b != tc.bucket || k != tc.key {
				t.Fatalf("got %q %q %v", b, k, err)
			}
		})
	}
}

func FuzzVerifiers(f *testing.F) {
	f.Add("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc,Signature=00", "a=b&c", "20231216T162057Z", "k")
	f.Add("OSS ak:sig", "acl&uploadId=1", "Fri, 27 Nov 2026 02:31:49 GMT", "a/b")
	f.Add("", "OSSAccessKeyId=ak&Expires=1699808204&Signature=x%3D", "", "k")
	f.Add("", "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=ak%2F20231217&x-oss-date=20231217T025437Z&x-oss-expires=599&x-oss-signature=a3", "", "")
	f.Add("OSS2 AccessKeyId:ak,AdditionalHeaders:host,Signature:c2ln", "acl", "Fri, 27 Nov 2026 02:31:49 GMT", "k")
	f.Add("OSS4-HMAC-SHA256 Credential=ak/20261127/cn-hangzhou/oss/aliyun_v4_request,Signature=00", "", "Fri, 27 Nov 2026 02:31:49 GMT", "k")
	f.Fuzz(func(t *testing.T, authz, rawQuery, date, key string) {
		h := http.Header{}
		h.Set("Authorization", authz)
		h.Set("x-oss-date", date)
		h.Set("Date", date)
		r := &SigRequest{Method: "GET", Bucket: "b", Key: key, RawQuery: rawQuery, Header: h}
		a, e := ParseAuth(r)
		if e != nil {
			if e.Code == "" || e.Status == 0 {
				t.Fatalf("error without code/status: %+v", e)
			}
			return
		}
		CheckTime(a, time.Unix(1702743657, 0))
		if a.Kind != AuthAnonymous {
			if e := VerifySignature(r, a, "sk", "cn-hangzhou"); e == nil && a.Signature != "" {
				// Only a correct signature may pass: recompute and compare.
				if a.Kind.version() == 1 && v1Sign("sk", V1StringToSign(r, a.DateLine)) != a.Signature {
					t.Fatal("V1 accepted a wrong signature")
				}
				if a.Kind.version() == 2 && v2Sign("sk", V2StringToSign(r, a)) != a.Signature {
					t.Fatal("V2 accepted a wrong signature")
				}
				if a.Kind.version() == 4 && CheckScope(a, "cn-hangzhou") != nil {
					t.Fatal("V4 accepted a scope CheckScope refuses")
				}
			}
		}
		ParseRange(rawQuery, int64(len(key)))
	})
}

func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-9", int64(100))
	f.Add("bytes=-5", int64(3))
	f.Add("bytes=9223372036854775807-", int64(10))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			return
		}
		start, n, ok := ParseRange(h, size)
		if ok && (start < 0 || n <= 0 || start+n > size) {
			t.Fatalf("ParseRange(%q, %d) = %d, %d outside the object", h, size, start, n)
		}
	})
}

// A V4 header signature with only Date (the OSS Go SDK v1 and ossutil 1.7.19): the Date value
// is the timestamp line, its UTC day the scope day, and the skew window applies to it.
func TestV4DateOnly(t *testing.T) {
	date := "Fri, 27 Nov 2026 23:59:30 GMT"
	h := http.Header{}
	h.Set("Date", date)
	h.Set("Content-Type", "text/plain")
	h.Set("x-oss-content-sha256", "UNSIGNED-PAYLOAD")
	r := &SigRequest{Method: "PUT", Bucket: "examplebucket", Key: "src/a.txt", Header: h, Host: "127.0.0.1:1"}
	scope := V4Scope{Day: "20261127", Region: "cn-hangzhou", Service: "oss", Terminator: "aliyun_v4_request"}
	sign := func(r *SigRequest, scope V4Scope) {
		a := &Auth{Kind: AuthV4Header, Scope: scope}
		cr, _ := V4CanonicalRequest(r, a, false)
		sig := v4Sign("sk", scope, V4StringToSign(r.Header.Get("Date"), scope.String(), cr))
		r.Header.Set("Authorization", "OSS4-HMAC-SHA256 Credential=ak/"+scope.String()+",Signature="+sig)
	}
	sign(r, scope)
	a, e := verifyNow(r, "sk", "cn-hangzhou")
	if e != nil {
		t.Fatalf("%v\n%s", e, fieldValue(e, "StringToSign"))
	}
	if a.V4Date != date || !strings.HasPrefix(fieldValue(VerifySignature(r, a, "other", "cn-hangzhou"), "StringToSign"), "OSS4-HMAC-SHA256\n"+date+"\n20261127/") {
		t.Fatalf("timestamp line %q", a.V4Date)
	}
	if e := CheckTime(a, a.Time.Add(16*time.Minute)); e == nil || e.Code != "RequestTimeTooSkewed" {
		t.Fatalf("skew: %v", e)
	}
	// The scope day is the Date's UTC day: 30 s later is the next day.
	r2 := cloneSig(r)
	r2.Header.Set("Date", "Sat, 28 Nov 2026 00:00:00 GMT")
	sign(r2, scope)
	if _, e := verifyNow(r2, "sk", "cn-hangzhou"); e == nil || e.EC != "0002-00000224" {
		t.Fatalf("scope day of the day before: %v", e)
	}
	// x-oss-date wins over Date when both are present (as the SDK signs).
	r3 := cloneSig(r)
	r3.Header.Set("x-oss-date", "20261127T235930Z")
	if _, e := verifyNow(r3, "sk", "cn-hangzhou"); e == nil || e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("x-oss-date added after signing: %v", e)
	}
	for _, bad := range []string{"2026-11-27T23:59:30Z", "20261127T235930Z", "Fri, 27 Nov 2026 23:59:30 +0800"} {
		r4 := cloneSig(r)
		r4.Header.Set("Date", bad)
		if _, e := ParseAuth(r4); e == nil || e.EC != "0002-00000502" {
			t.Fatalf("Date %q: %v", bad, e)
		}
	}
}
