package stsemu

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// signedV1 builds a V1 request signed with k; params are given in order; where says "query",
// "form" or "split" (common parameters in the query, the rest in a form body).
func signedV1(t testing.TB, method, where string, k keys, ps []Param, now time.Time) *http.Request {
	t.Helper()
	all := append([]Param{{"AccessKeyId", k.ak}, {"SignatureMethod", "HMAC-SHA1"}, {"SignatureVersion", "1.0"},
		{"SignatureNonce", randomID(20)}, {"Timestamp", now.UTC().Format(isoSecond)}}, ps...)
	if k.token != "" {
		all = append(all, Param{"SecurityToken", k.token})
	}
	sig := RPCSignature(k.secret, RPCStringToSign(method, all))
	all = append(all, Param{"Signature", sig})
	enc := func(ps []Param) string {
		var b []string
		for _, p := range ps {
			b = append(b, PercentEncode(p.Key)+"="+PercentEncode(p.Value))
		}
		return strings.Join(b, "&")
	}
	var query, form []Param
	switch where {
	case "query":
		query = all
	case "form":
		form = all
	case "split":
		for _, p := range all {
			switch p.Key {
			case "RoleArn", "RoleSessionName", "DurationSeconds", "Policy", "ExternalId":
				form = append(form, p)
			default:
				query = append(query, p)
			}
		}
	}
	r := httptest.NewRequest(method, "/?"+enc(query), strings.NewReader(enc(form)))
	if len(form) > 0 {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.RemoteAddr = "127.0.0.1:5555"
	return r
}

func assumeParams(extra ...Param) []Param {
	return append([]Param{{"Action", "AssumeRole"}, {"Version", versionSTS}, {"Format", "JSON"},
		{"RoleArn", arnPrefix + "RamOssTest"}, {"RoleSessionName", "raw-test"}}, extra...)
}

func serve(ts *testServer, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, r)
	return rec
}

func TestV1Placements(t *testing.T) {
	ts := newTestServer(t)
	for _, method := range []string{"GET", "POST"} {
		for _, where := range []string{"query", "form", "split"} {
			if method == "GET" && where != "query" {
				continue
			}
			t.Run(method+" "+where, func(t *testing.T) {
				rec := serve(ts, signedV1(t, method, where, issuerKeys, assumeParams(Param{"DurationSeconds", "900"}), time.Now()))
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"AccessKeyId":"STS.`) {
					t.Fatalf("%d %s", rec.Code, rec.Body)
				}
			})
		}
	}
}

func TestXMLFormat(t *testing.T) {
	ts := newTestServer(t)
	t.Run("success", func(t *testing.T) {
		ps := assumeParams()
		ps[2].Value = "XML"
		rec := serve(ts, signedV1(t, "POST", "query", issuerKeys, ps, time.Now()))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/xml;charset=utf-8" {
			t.Fatalf("%d %s", rec.Code, rec.Header())
		}
		var x struct {
			XMLName     xml.Name `xml:"AssumeRoleResponse"`
			RequestId   string
			Credentials struct{ AccessKeyId, Expiration string }
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &x); err != nil || !strings.HasPrefix(x.Credentials.AccessKeyId, "STS.") || x.RequestId == "" {
			t.Fatalf("%v %s", err, rec.Body)
		}
	})
	t.Run("error", func(t *testing.T) {
		ps := assumeParams(Param{"DurationSeconds", "100"})
		ps[2].Value = "xml"
		rec := serve(ts, signedV1(t, "POST", "query", issuerKeys, ps, time.Now()))
		var x struct {
			XMLName                                     xml.Name `xml:"Error"`
			RequestId, HostId, Code, Message, Recommend string
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &x); err != nil || rec.Code != 400 || x.Code != "InvalidParameter.DurationSeconds" || x.Recommend == "" {
			t.Fatalf("%v %d %s", err, rec.Code, rec.Body)
		}
	})
}

func TestRawErrors(t *testing.T) {
	ts := newTestServer(t)
	now := time.Now()
	drop := func(k string) func(*http.Request) {
		return func(r *http.Request) {
			ps, _ := ParseParams(r.URL.RawQuery)
			var kept []string
			for _, p := range ps {
				if p.Key != k {
					kept = append(kept, PercentEncode(p.Key)+"="+PercentEncode(p.Value))
				}
			}
			r.URL.RawQuery = strings.Join(kept, "&")
		}
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
		msg    string
	}{
		{"missing Timestamp", func() *http.Request {
			r := signedV1(t, "POST", "query", issuerKeys, assumeParams(), now)
			drop("Timestamp")(r)
			return r
		}, 400, "MissingParameter", `The input parameter "Timestamp" that is mandatory for processing this request is not supplied.`},
		{"missing Signature", func() *http.Request {
			r := signedV1(t, "POST", "query", issuerKeys, assumeParams(), now)
			drop("Signature")(r)
			return r
		}, 400, "MissingParameter", `The input parameter "Signature" that is mandatory for processing this request is not supplied.`},
		{"unknown version", func() *http.Request {
			ps := assumeParams()
			ps[1].Value = "2099-01-01"
			return signedV1(t, "POST", "query", issuerKeys, ps, now)
		}, 400, "InvalidVersion", "Specified parameter Version is not valid."},
		{"unknown action", func() *http.Request {
			ps := assumeParams()
			ps[0].Value = "DeleteRole"
			return signedV1(t, "POST", "query", issuerKeys, ps, now)
		}, 404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method"},
		{"tampered timestamp fails the signature first", func() *http.Request {
			r := signedV1(t, "POST", "query", issuerKeys, assumeParams(), now)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "Timestamp=", "Timestamp=x", 1)
			return r
		}, 400, "SignatureDoesNotMatch", "server string to sign is:"},
		{"wrong content type", func() *http.Request {
			r := signedV1(t, "POST", "form", issuerKeys, assumeParams(), now)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 400, "InvalidParameter.ContentType", `The ContentType request header must be either "application/json" or "application/x-www-form-urlencoded".`},
		{"body too large", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader(""))
			r.ContentLength = MaxBodyBytes + 1
			return r
		}, 413, "RequestTooLarge", "The request body exceeds the maximum size of 10 MB."},
		{"URI too long", func() *http.Request {
			return httptest.NewRequest("GET", "/?x="+strings.Repeat("a", MaxURIBytes), nil)
		}, 414, "URITooLong", "The request URI exceeds the maximum length."},
		{"headers too large", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("X-Big", strings.Repeat("a", MaxHeaderBytes))
			return r
		}, 431, "RequestHeaderFieldsTooLarge", "The request headers exceed the maximum size."},
		{"wrong path", func() *http.Request { return httptest.NewRequest("GET", "/foo", nil) }, 404, "InvalidAction.NotFound", "Specified api is not found"},
		{"unknown SignatureMethod", func() *http.Request {
			r := signedV1(t, "POST", "query", issuerKeys, assumeParams(), now)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-SHA256", 1)
			return r
		}, 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."},
		{"malformed ACS3 header", func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			for _, h := range v3Required {
				r.Header.Set(h, "x")
			}
			r.Header.Set("x-acs-action", "AssumeRole")
			r.Header.Set("x-acs-version", versionSTS)
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256 garbage")
			return r
		}, 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(ts, tt.req())
			e := decodeErr(t, rec)
			if rec.Code != tt.status || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("got %d %s %q, want %d %s %q", rec.Code, e.Code, e.Message, tt.status, tt.code, tt.msg)
			}
			if e.RequestID == "" || rec.Header().Get("x-acs-request-id") != e.RequestID {
				t.Fatalf("request id %q / %q", e.RequestID, rec.Header().Get("x-acs-request-id"))
			}
		})
	}
}

// TestOversizedBodyBoundedMemory streams a body far larger than the limit: it is refused with
// the size error after reading at most the limit.
func TestOversizedBodyBoundedMemory(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	body := &endless{n: 200 << 20}
	req, _ := http.NewRequest("POST", srv.URL+"/", body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.ContentLength = -1 // chunked: the server cannot refuse by Content-Length
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Code, Message string }
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != 413 || e.Code != "RequestTooLarge" {
		t.Fatalf("%d %+v", resp.StatusCode, e)
	}
	// The client keeps writing until the server closes the connection (socket buffers take some
	// more), but it must stop far short of the 200 MB offered.
	if n := body.read.Load(); n > 4*MaxBodyBytes {
		t.Fatalf("the client could send %d bytes of an oversized body", n)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 64<<20 {
		t.Fatalf("heap grew by %d MB", grew>>20)
	}
}

type endless struct {
	n    int64
	read atomic.Int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.read.Load() >= e.n {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = 'a'
	}
	e.read.Add(int64(len(p)))
	return len(p), nil
}

func TestTraceOfDenial(t *testing.T) {
	ts := newTestServer(t)
	rec := serve(ts, signedV1(t, "POST", "query", noSTS, assumeParams(), time.Now()))
	e := decodeErr(t, rec)
	tr, ok := ts.Trace(e.RequestID)
	if !ok {
		t.Fatal("no trace")
	}
	if tr.Check != "identity-policy" || tr.Decision != "ImplicitDeny" || tr.DecidedBy != "identity" || tr.Caller != "acs:ram::1234567890123456:user/no-sts-user" ||
		tr.Action != "sts:AssumeRole" || tr.Resource != arnPrefix+"ramosstest" || tr.Service != "sts" || tr.Operation != "AssumeRole" {
		t.Fatalf("trace %+v", tr)
	}
	ps := assumeParams()
	ps[3].Value = arnPrefix + "EcsOnly"
	rec = serve(ts, signedV1(t, "POST", "query", issuerKeys, ps, time.Now()))
	e = decodeErr(t, rec)
	tr, _ = ts.Trace(e.RequestID)
	if tr.Check != "trust-policy" || tr.DecidedBy != "trust" || tr.Layers["identity"] != "Allow" {
		t.Fatalf("trace %+v", tr)
	}
	ps[3].Value = arnPrefix + "RamOssTest"
	rec = serve(ts, signedV1(t, "POST", "query", issuerKeys, ps, time.Now()))
	var ok2 struct{ RequestId string }
	json.Unmarshal(rec.Body.Bytes(), &ok2)
	tr, _ = ts.Trace(ok2.RequestId)
	if tr.Status != 200 || tr.Decision != "Allow" || len(tr.Statements) == 0 {
		t.Fatalf("trace %+v", tr)
	}
}

func TestControlAPI(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name, method, path, remote string
		status                     int
		want                       string
	}{
		{"read clock", "GET", "/-/clock", "127.0.0.1:1", 200, `"offset": "0s"`},
		{"advance", "POST", "/-/clock?advance=30m", "127.0.0.1:1", 200, `"offset": "30m0s"`},
		{"advance again", "POST", "/-/clock?advance=1h", "[::1]:1", 200, `"offset_seconds": 5400`},
		{"bad duration", "POST", "/-/clock?advance=soon", "127.0.0.1:1", 400, "want a Go duration"},
		{"no advance", "POST", "/-/clock", "127.0.0.1:1", 400, "needs ?advance"},
		{"not loopback", "GET", "/-/clock", "10.0.0.1:1", 403, "loopback"},
		{"unknown trace", "GET", "/-/trace/ABC", "127.0.0.1:1", 404, "no trace"},
		{"unknown path", "GET", "/-/x", "127.0.0.1:1", 404, "unknown control path"},
		{"method", "DELETE", "/-/clock", "127.0.0.1:1", 405, "use GET or POST"},
		{"discovery", "GET", "/-/sandbox", "127.0.0.1:1", 200, `"product": "stsdeck-sandbox"`},
		{"discovery method", "POST", "/-/sandbox", "127.0.0.1:1", 405, "use GET"},
		{"discovery not loopback", "GET", "/-/sandbox", "10.0.0.1:1", 403, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.RemoteAddr = tt.remote
			rec := serve(ts, r)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	if ts.AuthClock().Offset() != 90*time.Minute {
		t.Fatalf("offset %v", ts.AuthClock().Offset())
	}
}
