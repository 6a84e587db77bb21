package postform

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func base() Request {
	return Request{Region: "cn-hangzhou", Bucket: "examplebucket", Prefix: "src/", MaxSize: 1024, ContentType: "image/png", Expires: time.Hour,
		AccessKeyID: "STS.ak", Secret: "sk", SecurityToken: "tok", Expiration: time.Date(2030, 1, 1, 1, 30, 0, 0, time.UTC),
		Now: time.Date(2030, 1, 1, 1, 0, 0, 0, time.UTC)}
}

func TestBuild(t *testing.T) {
	f, err := Build(base())
	if err != nil {
		t.Fatal(err)
	}
	if f.Action != "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/" || f.Method != "POST" {
		t.Fatalf("action %s", f.Action)
	}
	// The token expires before now+1h: the form does too.
	if !f.Expiration.Equal(time.Date(2030, 1, 1, 1, 30, 0, 0, time.UTC)) {
		t.Fatalf("expiration %s", f.Expiration)
	}
	var names []string
	got := map[string]string{}
	for _, fl := range f.Fields {
		names = append(names, fl.Name)
		got[fl.Name] = fl.Value
	}
	want := "key success_action_status Content-Type policy x-oss-signature-version x-oss-credential x-oss-date x-oss-security-token x-oss-signature"
	if strings.Join(names, " ") != want {
		t.Fatalf("fields %v", names)
	}
	if got["key"] != "src/${filename}" || got["x-oss-credential"] != "STS.ak/20300101/cn-hangzhou/oss/aliyun_v4_request" || got["x-oss-date"] != "20300101T010000Z" {
		t.Fatalf("fields %v", got)
	}
	// The signature is HMAC-SHA256 with the V4 signing key (vector computed with this code's
	// derivation; the sandbox's verifier, written separately, accepts it in the end-to-end test).
	if got["x-oss-signature"] != sign("sk", "20300101", "cn-hangzhou", got["policy"]) || len(got["x-oss-signature"]) != 64 {
		t.Fatal("signature")
	}
	var pol struct {
		Expiration string
		Conditions []json.RawMessage
	}
	if err := json.Unmarshal(f.Policy, &pol); err != nil || pol.Expiration != "2030-01-01T01:30:00.000Z" {
		t.Fatalf("policy %s", f.Policy)
	}
	for _, want := range []string{`["starts-with","$key","src/"]`, `["content-length-range",0,1024]`, `["eq","$content-type","image/png"]`, `{"bucket":"examplebucket"}`} {
		if !strings.Contains(string(f.Policy), want) {
			t.Errorf("policy lacks %s: %s", want, f.Policy)
		}
	}
	if strings.Contains(f.HTML(), "sk\"") || !strings.Contains(f.HTML(), `name="x-oss-signature"`) {
		t.Fatal("html")
	}
}

func TestBuildActionAndErrors(t *testing.T) {
	r := base()
	r.Endpoint = "http://127.0.0.1:40123"
	r.ContentType = "image/"
	f, err := Build(r)
	if err != nil || f.Action != "http://127.0.0.1:40123/examplebucket/" || !strings.Contains(string(f.Policy), `["starts-with","$content-type","image/"]`) {
		t.Fatalf("%v %+v", err, f)
	}
	for _, f := range f.Fields {
		if f.Name == "Content-Type" {
			t.Fatal("a family form fixes no Content-Type")
		}
	}
	r.Prefix = `<script>"`
	f, _ = Build(r)
	if strings.Contains(f.HTML(), `<script>"`) {
		t.Fatal("unescaped HTML")
	}
	for name, mut := range map[string]func(*Request){
		"no bucket":     func(r *Request) { r.Bucket = "" },
		"no region":     func(r *Request) { r.Region = "" },
		"no secret":     func(r *Request) { r.Secret = "" },
		"long":          func(r *Request) { r.Expires = 8 * 24 * time.Hour },
		"huge":          func(r *Request) { r.MaxSize = MaxSize + 1 },
		"min above max": func(r *Request) { r.MinSize = 2048 },
		"slash prefix":  func(r *Request) { r.Prefix = "/x" },
		"expired token": func(r *Request) { r.Expiration = r.Now.Add(-time.Second) },
		"bad endpoint":  func(r *Request) { r.Endpoint = "ftp://x" },
		"type newline":  func(r *Request) { r.ContentType = "text/plain\r\nX: y" },
	} {
		r := base()
		mut(&r)
		if _, err := Build(r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestHTMLLabels: the page's visible words come from Labels; the form itself does not change.
func TestHTMLLabels(t *testing.T) {
	f := &Form{Action: "http://127.0.0.1:1/b/", Expiration: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Fields: []Field{{Name: "key", Value: "src/${filename}"}}}
	en := f.HTML()
	if !strings.HasPrefix(en, "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Upload to OSS</title></head>") || !strings.Contains(en, `<input type="submit" value="Upload">`) {
		t.Fatalf("English page:\n%s", en)
	}
	zh := f.HTMLWith(Labels{Lang: "zh-CN", Title: "上传到 OSS", Submit: "上传"})
	if !strings.Contains(zh, `<html lang="zh-CN">`) || !strings.Contains(zh, "<title>上传到 OSS</title>") || !strings.Contains(zh, `value="上传">`) {
		t.Fatalf("Chinese page:\n%s", zh)
	}
	form := func(s string) string { return s[strings.Index(s, "<form"):strings.Index(s, `<input type="submit"`)] }
	if form(en) != form(zh) {
		t.Errorf("the form's fields differ by language:\n%s\n%s", form(en), form(zh))
	}
}
