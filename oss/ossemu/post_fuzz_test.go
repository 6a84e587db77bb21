package ossemu

import (
	"bytes"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzParsePostPolicy: the POST-policy parser never panics, answers only InvalidPolicyDocument
// 400s, and a policy it accepts can be checked against any form.
// Run: go test -run '^$' -fuzz FuzzParsePostPolicy -fuzztime 1m ./oss/ossemu
func FuzzParsePostPolicy(f *testing.F) {
	for _, s := range []string{
		`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["content-length-range",1,1024],["eq","$success_action_status","201"],["starts-with","$key","user/eric/"],["in","$content-type",["image/jpeg","image/png"]],["not-in","$cache-control",["no-cache"]],{"bucket":"examplebucket"}]}`,
		`{"expiration":"2030-01-01T00:00:00Z","conditions":[]}`,
		`{"conditions":[["content-length-range",0,10]]}`,
		`{"expiration":"","conditions":[]}`,
		`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"a":"b","c":"d"}]}`,
		`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["content-length-range",[1],"test"]]}`,
		`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["content-length-range",1e30,2.5]]}`,
		`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["$key"]]}`,
		`[]`, `null`, `{"expiration":1}`, `{}{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, e := parsePolicyJSON(raw)
		if e != nil {
			if e.Code != "InvalidPolicyDocument" || e.Status != 400 || !strings.HasPrefix(e.Message, "Invalid Policy: ") {
				t.Fatalf("parser answered %d %s %q", e.Status, e.Code, e.Message)
			}
			return
		}
		if p.Expiration.IsZero() {
			t.Fatal("accepted without an expiration")
		}
		for _, c := range p.Conditions {
			if c.src == "" || c.Op == "content-length-range" && (c.Min < 0 || c.Max < c.Min) {
				t.Fatalf("accepted a bad condition %+v", c)
			}
		}
		r := &PostRequest{Bucket: "examplebucket", Key: "user/eric/a.png", Fields: map[string]string{"content-type": "image/png", "success_action_status": "201"}}
		if e := p.CheckConditions(r); e != nil && (e.Status != 403 || e.EC != "0006-00000227") {
			t.Fatalf("condition check answered %d %s", e.Status, e.EC)
		}
		p.SizeRange()
		// The base64 route gives the same answer.
		if _, e := ParsePostPolicy(base64.StdEncoding.EncodeToString(raw)); e != nil {
			t.Fatalf("base64 of an accepted policy refused: %v", e)
		}
	})
}

// FuzzPostObjectForm: whatever the body and content type, PostObject answers a 2xx/3xx or a
// 4xx, never a 500 or a panic.
// Run: go test -run '^$' -fuzz FuzzPostObjectForm -fuzztime 1m ./oss/ossemu
func FuzzPostObjectForm(f *testing.F) {
	e := newEnv(f)
	h := e.srv.Handler("cn-hangzhou")
	now := time.Now()
	good, ct := multipartBody(f, append([]kv{{"key", "fuzz/${filename}"}}, signForm(f, userKeys, true, policyDoc(now.Add(time.Hour),
		[]any{"starts-with", "$key", "fuzz/"}, []any{"content-length-range", 0, 1 << 20}), now, "cn-hangzhou")...), "a.txt", []byte("hello"))
	boundary := strings.TrimPrefix(ct, "multipart/form-data; boundary=")
	f.Add(good, boundary)
	f.Add(good[:len(good)/2], boundary)
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n"), "x")
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--x\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\n!!\r\n--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n"), "x")
	f.Add([]byte(""), "")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		req := httptest.NewRequest("POST", "http://127.0.0.1/examplebucket/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	})
}
