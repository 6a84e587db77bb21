package ossemu

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// postKeys are the credentials a form is signed with.
type postKeys struct{ ak, sk, token string }

var (
	stsKeys  = postKeys{"STS.capture", "capturesecret", "CAIScapture"} // session policy: PutObject on examplebucket/src/*
	userKeys = postKeys{"LTAI5tExampleUser", "ExampleSecret123", ""}
)

type kv = [2]string

// signForm returns the auth fields of a form (policy included) signed V1 or V4 at now; for V4
// the three V4 fields are added to the policy's conditions, as the docs require.
func signForm(t testing.TB, k postKeys, v4 bool, pol map[string]any, now time.Time, region string) []kv {
	t.Helper()
	var out []kv
	if k.token != "" {
		out = append(out, kv{"x-oss-security-token", k.token})
	}
	if pol == nil {
		return out
	}
	cred := k.ak + "/" + now.UTC().Format("20060102") + "/" + region + "/oss/aliyun_v4_request"
	date := now.UTC().Format("20060102T150405Z")
	if v4 {
		conds, _ := pol["conditions"].([]any)
		conds = append(conds, map[string]string{"x-oss-signature-version": "OSS4-HMAC-SHA256"}, map[string]string{"x-oss-credential": cred},
			map[string]string{"x-oss-date": date})
		pol["conditions"] = conds
	}
	js, err := json.Marshal(pol)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(js)
	if v4 {
		return append(out, kv{"policy", b64}, kv{"x-oss-signature-version", "OSS4-HMAC-SHA256"}, kv{"x-oss-credential", cred},
			kv{"x-oss-date", date}, kv{"x-oss-signature", PostSignatureV4(k.sk, now.UTC().Format("20060102"), region, b64)})
	}
	return append(out, kv{"OSSAccessKeyId", k.ak}, kv{"policy", b64}, kv{"Signature", PostSignatureV1(k.sk, b64)})
}

// multipartBody builds a form: fields in order, then the file (if not nil).
func multipartBody(t testing.TB, fields []kv, fileName string, file []byte) (body []byte, contentType string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := w.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

type postAnswer struct {
	status   int
	header   http.Header
	body     string
	code, ec string
	message  string
}

func doPost(t testing.TB, url string, body []byte, ct string) postAnswer {
	t.Helper()
	resp, err := http.Post(url, ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := postAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
	var x struct{ Code, EC, Message string }
	if xml.Unmarshal(b, &x) == nil {
		a.code, a.ec, a.message = x.Code, x.EC, x.Message
	}
	return a
}

func policyDoc(exp time.Time, conds ...any) map[string]any {
	return map[string]any{"expiration": exp.UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": append([]any{}, conds...)}
}

func TestPostObjectUploads(t *testing.T) {
	e := newEnv(t)
	url := e.hs["cn-hangzhou"].URL + "/examplebucket/"
	sdk := e.client("cn-hangzhou", "LTAIroot", "rootsecret", "")
	now := time.Now()
	for _, v4 := range []bool{false, true} {
		name := map[bool]string{false: "v1", true: "v4"}[v4]
		t.Run(name, func(t *testing.T) {
			file := []byte("hello from a browser form " + name)
			pol := policyDoc(now.Add(time.Hour), map[string]string{"bucket": "examplebucket"}, []any{"starts-with", "$key", "src/"},
				[]any{"content-length-range", 1, 1024}, []any{"starts-with", "$Content-Type", "text/"}, []any{"in", "$x-oss-meta-team", []string{"a", "b"}})
			fields := append([]kv{{"key", "src/" + name + "/${filename}"}, {"Content-Type", "text/plain"}, {"x-oss-meta-team", "b"}},
				signForm(t, stsKeys, v4, pol, now, "cn-hangzhou")...)
			body, ct := multipartBody(t, fields, `C:\fakepath\note.txt`, file)
			a := doPost(t, url, body, ct)
			if a.status != 204 || a.header.Get("ETag") == "" || a.header.Get("x-oss-hash-crc64ecma") != crcOf(file) {
				t.Fatalf("post: %d %s %s", a.status, a.body, a.header)
			}
			got, res := getAll(t, sdk, "examplebucket", "src/"+name+"/note.txt")
			if !bytes.Equal(got, file) || ossdk.ToString(res.ContentType) != "text/plain" || res.Metadata["team"] != "b" {
				t.Fatalf("stored: %q type %s meta %v", got, ossdk.ToString(res.ContentType), res.Metadata)
			}
			tr, ok := e.srv.Trace(a.header.Get("x-oss-request-id"))
			if !ok || tr.Operation != "PostObject" || tr.Action != "oss:PutObject" || tr.Decision != "Allow" || !strings.Contains(tr.Caller, "assumed-role") {
				t.Fatalf("trace: %+v", tr)
			}
		})
	}
	t.Run("status-201", func(t *testing.T) {
		pol := policyDoc(now.Add(time.Hour), []any{"eq", "$success_action_status", "201"})
		fields := append([]kv{{"key", "s201.txt"}, {"success_action_status", "201"}}, signForm(t, userKeys, true, pol, now, "cn-hangzhou")...)
		body, ct := multipartBody(t, fields, "x", []byte("x"))
		a := doPost(t, url, body, ct)
		var pr struct{ Bucket, Key, ETag, Location string }
		if a.status != 201 || xml.Unmarshal([]byte(a.body), &pr) != nil || pr.Key != "s201.txt" || pr.Bucket != "examplebucket" || pr.ETag == "" ||
			pr.Location != "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/s201.txt" {
			t.Fatalf("201: %d %s", a.status, a.body)
		}
	})
	t.Run("status-200", func(t *testing.T) {
		fields := append([]kv{{"key", "s200.txt"}, {"success_action_status", "200"}}, signForm(t, userKeys, false, policyDoc(now.Add(time.Hour)), now, "")...)
		body, ct := multipartBody(t, fields, "x", []byte("x"))
		if a := doPost(t, url, body, ct); a.status != 200 {
			t.Fatalf("200: %d %s", a.status, a.body)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		fields := append([]kv{{"key", "redir.txt"}, {"success_action_redirect", "https://partner.example/done?x=1"}},
			signForm(t, userKeys, false, policyDoc(now.Add(time.Hour)), now, "")...)
		body, ct := multipartBody(t, fields, "x", []byte("x"))
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Post(url, ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := neturlParse(resp.Header.Get("Location"))
		if resp.StatusCode != 303 || loc == nil || loc.Host != "partner.example" || loc.Query().Get("key") != "redir.txt" ||
			loc.Query().Get("bucket") != "examplebucket" || loc.Query().Get("etag") == "" || loc.Query().Get("x") != "1" {
			t.Fatalf("redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("virtual-hosted", func(t *testing.T) {
		fields := append([]kv{{"key", "vh.txt"}}, signForm(t, userKeys, true, policyDoc(now.Add(time.Hour)), now, "cn-hangzhou")...)
		body, ct := multipartBody(t, fields, "x", []byte("vh"))
		req, _ := http.NewRequest("POST", e.hs["cn-hangzhou"].URL+"/", bytes.NewReader(body))
		req.Host = "examplebucket.oss-cn-hangzhou.aliyuncs.com"
		req.Header.Set("Content-Type", ct)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Fatalf("virtual-hosted: %d", resp.StatusCode)
		}
	})
}

func neturlParse(s string) (*url.URL, error) { return url.Parse(s) }

// TestPostObjectRefusals: each violated rule gets the cloud's 4xx and code, nothing is stored,
// and nothing answers 500.
func TestPostObjectRefusals(t *testing.T) {
	e := newEnv(t)
	url := e.hs["cn-hangzhou"].URL + "/examplebucket/"
	sdk := e.client("cn-hangzhou", "LTAIroot", "rootsecret", "")
	now := time.Now()
	hour := now.Add(time.Hour)
	ok := func() map[string]any { return policyDoc(hour) }
	type tc struct {
		name     string
		fields   func() []kv
		file     []byte
		raw      func() ([]byte, string) // replaces the whole body
		status   int
		code, ec string
		msg      string
	}
	signed := func(k postKeys, v4 bool, pol map[string]any, extra ...kv) func() []kv {
		return func() []kv {
			return append(append([]kv{{"key", "refused.txt"}}, extra...), signForm(t, k, v4, pol, now, "cn-hangzhou")...)
		}
	}
	// with rewrites one field of a correctly signed form.
	with := func(v4 bool, name, value string) func() []kv {
		return func() []kv {
			fs := append([]kv{{"key", "refused.txt"}}, signForm(t, userKeys, v4, ok(), now, "cn-hangzhou")...)
			for i := range fs {
				if fs[i][0] == name {
					fs[i][1] = value
				}
			}
			return fs
		}
	}
	scoped := func(mut func(p []string) []string) func() []kv {
		return func() []kv {
			fs := signed(userKeys, true, ok())()
			for i := range fs {
				if fs[i][0] == "x-oss-credential" {
					fs[i][1] = strings.Join(mut(strings.Split(fs[i][1], "/")), "/")
				}
			}
			return fs
		}
	}
	rawPolicy := func(js string) func() []kv {
		return func() []kv {
			b64 := base64.StdEncoding.EncodeToString([]byte(js))
			return []kv{{"key", "refused.txt"}, {"OSSAccessKeyId", userKeys.ak}, {"policy", b64}, {"Signature", PostSignatureV1(userKeys.sk, b64)}}
		}
	}
	cases := []tc{
		{name: "not-multipart", raw: func() ([]byte, string) { return []byte("garbage"), "multipart/form-data; boundary=zzz" }, status: 400, code: "MalformedPOSTRequest"},
		{name: "no-boundary", raw: func() ([]byte, string) { return []byte("garbage"), "multipart/form-data" }, status: 400, code: "MalformedPOSTRequest"},
		{name: "truncated-file", raw: func() ([]byte, string) {
			b, ct := multipartBody(t, signed(userKeys, false, ok())(), "f", bytes.Repeat([]byte("y"), 100<<10))
			return b[:len(b)-200], ct
		}, status: 400, code: "MalformedPOSTRequest"},
		{name: "no-file", fields: signed(userKeys, false, ok()), file: nil, status: 400, code: "InvalidArgument"},
		{name: "no-key", fields: func() []kv { return signForm(t, userKeys, false, ok(), now, "") }, status: 400, code: "InvalidArgument"},
		{name: "bad-key", fields: with(false, "key", "/abs"), status: 400, code: "InvalidObjectName"},
		{name: "field-name-over-8KB", fields: signed(userKeys, false, ok(), kv{strings.Repeat("n", 9000), "v"}), status: 400, code: "MalformedPOSTRequest", ec: "0006-00000110"},
		{name: "oversize-policy", fields: with(false, "policy", strings.Repeat("A", 2<<20+4)), status: 400, code: "MalformedPOSTRequest", ec: "0006-00000111"},
		{name: "anonymous", fields: func() []kv { return []kv{{"key", "refused.txt"}} }, status: 403, code: "AccessDenied", ec: "0003-00001201"},
		{name: "policy-without-signature", fields: func() []kv {
			fs := signed(userKeys, false, ok())()
			return fs[:len(fs)-1]
		}, status: 400, code: "InvalidArgument"},
		{name: "signature-without-policy", fields: func() []kv { return []kv{{"key", "k"}, {"OSSAccessKeyId", "LTAI5tExampleUser"}, {"Signature", "x"}} }, status: 400, code: "InvalidArgument"},
		{name: "v1-bad-signature", fields: with(false, "Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), status: 403, code: "SignatureDoesNotMatch"},
		{name: "v1-wrong-secret", fields: signed(postKeys{"LTAI5tExampleUser", "wrong", ""}, false, ok()), status: 403, code: "SignatureDoesNotMatch"},
		{name: "v1-unknown-key", fields: signed(postKeys{"LTAInobody", "x", ""}, false, ok()), status: 403, code: "InvalidAccessKeyId"},
		{name: "v1-forged-token", fields: signed(postKeys{"STS.capture", "capturesecret", "CAISforged"}, false, ok()), status: 403, code: "InvalidSecurityToken"},
		{name: "v1-missing-token", fields: signed(postKeys{"STS.capture", "capturesecret", ""}, false, ok()), status: 403, code: "InvalidSecurityToken"},
		{name: "v4-bad-signature", fields: with(true, "x-oss-signature", strings.Repeat("0", 64)), status: 403, code: "SignatureDoesNotMatch"},
		{name: "v4-bad-version", fields: with(true, "x-oss-signature-version", "OSS4-HMAC-SHA1"), status: 400, code: "InvalidArgument"},
		{name: "v4-bad-date", fields: with(true, "x-oss-date", "2024-01-01"), status: 400, code: "InvalidArgument", ec: "0002-00000505"},
		// Signed honestly an hour ahead (scope day and x-oss-date agree, whatever the time of day):
		// only the skew is wrong.
		{name: "v4-future-date", fields: func() []kv {
			return append([]kv{{"key", "refused.txt"}}, signForm(t, userKeys, true, ok(), now.Add(time.Hour), "cn-hangzhou")...)
		}, status: 403, code: "RequestTimeTooSkewed"},
		{name: "v4-scope-region", fields: scoped(func(p []string) []string { p[2] = "cn-beijing"; return p }), status: 400, code: "InvalidArgument", ec: "0002-00000226"},
		{name: "v4-scope-empty-region", fields: scoped(func(p []string) []string { p[2] = ""; return p }), status: 400, code: "InvalidArgument", ec: "0002-00000226"},
		{name: "v4-scope-service", fields: scoped(func(p []string) []string { p[3] = "sts"; return p }), status: 400, code: "InvalidArgument", ec: "0002-00000224"},
		{name: "v4-scope-terminator", fields: scoped(func(p []string) []string { p[4] = "aliyun_v4_requesX"; return p }), status: 400, code: "InvalidArgument", ec: "0002-00000224"},
		{name: "v4-scope-day-before", fields: scoped(func(p []string) []string { p[1] = now.UTC().Add(-24 * time.Hour).Format("20060102"); return p }), status: 400, code: "InvalidArgument", ec: "0002-00000224"},
		{name: "v4-scope-shape", fields: scoped(func(p []string) []string { return p[:4] }), status: 400, code: "InvalidArgument", ec: "0002-00000224"},
		{name: "v4-policy-without-v4-conditions", fields: func() []kv {
			js, _ := json.Marshal(ok())
			b64 := base64.StdEncoding.EncodeToString(js)
			day := now.UTC().Format("20060102")
			return []kv{{"key", "refused.txt"}, {"policy", b64}, {"x-oss-signature-version", "OSS4-HMAC-SHA256"},
				{"x-oss-credential", userKeys.ak + "/" + day + "/cn-hangzhou/oss/aliyun_v4_request"}, {"x-oss-date", now.UTC().Format("20060102T150405Z")},
				{"x-oss-signature", PostSignatureV4(userKeys.sk, day, "cn-hangzhou", b64)}}
		}, status: 400, code: "InvalidPolicyDocument"},
		{name: "expired-policy", fields: signed(userKeys, false, policyDoc(now.Add(-time.Minute))), status: 403, code: "AccessDenied", ec: "0006-00000213",
			msg: "Invalid according to Policy: Policy expired."},
		{name: "policy-not-base64", fields: func() []kv {
			return []kv{{"key", "k"}, {"OSSAccessKeyId", userKeys.ak}, {"policy", "%%%"}, {"Signature", PostSignatureV1(userKeys.sk, "%%%")}}
		}, status: 400, code: "InvalidPolicyDocument", ec: "0006-00000201"},
		{name: "policy-bad-json", fields: rawPolicy(`{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000201"},
		{name: "policy-no-expiration", fields: rawPolicy(`{"conditions": [["content-length-range", 0, 10]]}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000208"},
		{name: "policy-empty-expiration", fields: rawPolicy(`{"expiration": "", "conditions": []}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000211"},
		{name: "policy-bad-expiration", fields: rawPolicy(`{"expiration": "tomorrow", "conditions": []}`), status: 400, code: "InvalidPolicyDocument"},
		{name: "policy-no-conditions", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z"}`), status: 400, code: "InvalidPolicyDocument"},
		{name: "condition-two-properties", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z", "conditions": [{"a": "b", "c": "d"}]}`), status: 400,
			code: "InvalidPolicyDocument", msg: "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
		{name: "condition-no-mode", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z", "conditions": [["$key"]]}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000216"},
		{name: "condition-extra-arg", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z", "conditions": [["starts-with", "$key", "a", "b"]]}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000218"},
		{name: "range-max-below-min", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z", "conditions": [["content-length-range", 20, 10]]}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000219"},
		{name: "range-string", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z", "conditions": [["content-length-range", 10, "test"]]}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000221"},
		{name: "range-array", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z", "conditions": [["content-length-range", [1], "test"]]}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000223"},
		{name: "not-in-string", fields: rawPolicy(`{"expiration": "2099-01-01T00:00:00.000Z", "conditions": [["not-in", "cache-control", "no-cache"]]}`), status: 400, code: "InvalidPolicyDocument", ec: "0006-00000224"},
		{name: "starts-with-key", fields: signed(userKeys, false, policyDoc(hour, []any{"starts-with", "$key", "user/eric/"})), status: 403, code: "AccessDenied",
			ec: "0006-00000227", msg: `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/eric/"]`},
		{name: "eq-status", fields: signed(userKeys, false, policyDoc(hour, []any{"eq", "$success_action_status", "200"}), kv{"success_action_status", "201"}),
			status: 403, code: "AccessDenied", ec: "0006-00000227", msg: `Invalid according to Policy: Policy Condition failed: ["eq", "$success_action_status", "200"]`},
		{name: "bucket", fields: signed(userKeys, false, policyDoc(hour, map[string]string{"bucket": "otherbucket"})), status: 403, code: "AccessDenied", ec: "0006-00000227"},
		{name: "content-type", fields: signed(userKeys, false, policyDoc(hour, []any{"starts-with", "$content-type", "image/"}), kv{"Content-Type", "text/html"}),
			status: 403, code: "AccessDenied", ec: "0006-00000227"},
		{name: "not-in", fields: signed(userKeys, false, policyDoc(hour, []any{"not-in", "$cache-control", []string{"no-cache"}}), kv{"Cache-Control", "no-cache"}),
			status: 403, code: "AccessDenied", ec: "0006-00000227"},
		{name: "file-too-big", fields: signed(userKeys, false, policyDoc(hour, []any{"content-length-range", 1, 10})), file: bytes.Repeat([]byte("z"), 11),
			status: 400, code: "EntityTooLarge", ec: "0006-00000003"},
		{name: "file-too-big-streamed", fields: signed(userKeys, false, policyDoc(hour, []any{"content-length-range", 1, 100 << 10})), file: bytes.Repeat([]byte("z"), 300<<10),
			status: 400, code: "EntityTooLarge", ec: "0006-00000003"},
		{name: "file-too-small", fields: signed(userKeys, false, policyDoc(hour, []any{"content-length-range", 5, 10})), file: []byte("z"),
			status: 400, code: "EntityTooSmall", ec: "0006-00000004"},
		{name: "session-policy-denies", fields: signed(stsKeys, false, ok()), status: 403, code: "AccessDenied", ec: "0003-00000301"},
		{name: "no-permission", fields: signed(postKeys{"LTAInoperm", "nopermsecret", ""}, true, ok()), status: 403, code: "AccessDenied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			var ct string
			if c.raw != nil {
				body, ct = c.raw()
			} else {
				file := c.file
				if file == nil && c.name != "no-file" {
					file = []byte("data")
				}
				body, ct = multipartBody(t, c.fields(), "f.txt", file)
			}
			a := doPost(t, url, body, ct)
			if a.status != c.status || a.code != c.code || (c.ec != "" && a.ec != c.ec) || (c.msg != "" && a.message != c.msg) {
				t.Fatalf("got %d %s EC %s %q, want %d %s EC %s %q\n%s", a.status, a.code, a.ec, a.message, c.status, c.code, c.ec, c.msg, a.body)
			}
			if strings.Contains(a.body, "capturesecret") || strings.Contains(a.body, "ExampleSecret123") || strings.Contains(a.body, "CAIScapture") {
				t.Fatal("a secret in the error body")
			}
			_, err := sdk.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("refused.txt")})
			wantErr(t, err, 404, "NoSuchKey", "")
		})
	}
}
