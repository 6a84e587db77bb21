package ossemu

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// The OSS Go SDK v2 (v1.6.1) with AdditionalHeaders: its V4 signer signs each listed header the
// request carries (getCommonAdditionalHeaders: present, not x-oss-*/Content-Type/Content-MD5),
// host included when the caller sets the Host header (net/http then sends the URL's host and
// drops the header, so the signed value must be the real one); its presigner lists them in
// x-oss-additional-headers and hands them back in SignedHeaders. Its V1 signer ignores the list.

// wire records what the SDK put on the wire and may edit a request after it was signed.
type wire struct {
	base  http.RoundTripper
	mu    sync.Mutex
	authz []string
	edit  func(r *http.Request)
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	w.mu.Lock()
	w.authz = append(w.authz, r.Header.Get("Authorization"))
	edit := w.edit
	w.mu.Unlock()
	if edit != nil {
		edit(r)
	}
	return w.base.RoundTrip(r)
}

func (w *wire) set(edit func(r *http.Request)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.edit = edit
}

func (w *wire) last() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.authz) == 0 {
		return ""
	}
	return w.authz[len(w.authz)-1]
}

// v2Extra is the request's own headers that AdditionalHeaders lists (Host set by the caller).
func v2Extra(host string) ossdk.RequestCommon {
	return ossdk.RequestCommon{Headers: map[string]string{"Host": host, "X-Partner-Trace": "order-42"}}
}

var v2Additional = []string{"host", "x-partner-trace", "content-disposition", "x-oss-meta-ignored"}

func TestSDKv2AdditionalHeaders(t *testing.T) {
	e := newEnv(t)
	addr := hostOf(e.hs["cn-hangzhou"].URL)
	d := &net.Dialer{Timeout: 5 * time.Second}
	dial := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	bk := ossdk.Ptr("examplebucket")
	for _, tc := range []struct {
		name     string
		v1       bool
		virtual  bool
		sts      bool
		wantList string // the AdditionalHeaders the SDK sends, "" for none
	}{
		{name: "v4-path", wantList: "content-disposition;host;x-partner-trace"},
		{name: "v4-path-sts", sts: true, wantList: "content-disposition;host;x-partner-trace"},
		{name: "v4-virtual", virtual: true, wantList: "content-disposition;host;x-partner-trace"},
		{name: "v1-path", v1: true},
		{name: "v1-virtual", v1: true, virtual: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &wire{base: http.DefaultTransport}
			host := addr
			opts := []func(*ossdk.Config){func(c *ossdk.Config) {
				c.WithAdditionalHeaders(v2AdditionalCopy()).WithHttpClient(&http.Client{Transport: w})
			}}
			if tc.virtual {
				w.base = dial
				host = "examplebucket.oss-cn-hangzhou.aliyuncs.com"
				opts = append(opts, func(c *ossdk.Config) { c.WithUsePathStyle(false).WithEndpoint("http://oss-cn-hangzhou.aliyuncs.com") })
			}
			if tc.v1 {
				opts = append(opts, v1)
			}
			ak, sk, token, prefix := "LTAI5tExampleUser", "ExampleSecret123", "", "ah/"+tc.name+"/"
			if tc.sts {
				ak, sk, token, prefix = "STS.nosession", "nosessionsecret", "CAISnosession", "ah/"+tc.name+"/" // identity: PutObject on examplebucket/*
			}
			c := e.client("cn-hangzhou", ak, sk, token, opts...)
			key := prefix + "a b+c.txt"
			put := func(body string) error {
				_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Body: strings.NewReader(body),
					ContentDisposition: ossdk.Ptr(`attachment; filename="a.txt"`), Metadata: map[string]string{"ignored": "1"}, RequestCommon: v2Extra(host)})
				return err
			}
			if err := put("signed with host"); err != nil {
				t.Fatalf("%v (sent %q)", err, w.last())
			}
			if got := w.last(); tc.wantList != "" && !strings.Contains(got, ",AdditionalHeaders="+tc.wantList+",") ||
				tc.wantList == "" && strings.Contains(got, "AdditionalHeaders") {
				t.Fatalf("Authorization %q, want AdditionalHeaders %q", got, tc.wantList)
			}
			if !tc.sts {
				res, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), RequestCommon: v2Extra(host)})
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(b) != "signed with host" || res.Headers.Get("Content-Disposition") != `attachment; filename="a.txt"` {
					t.Fatalf("get: %q %s", b, res.Headers.Get("Content-Disposition"))
				}
				if _, err := c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), RequestCommon: v2Extra(host)}); err != nil {
					t.Fatal(err)
				}
				lr, err := c.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{Bucket: bk, Prefix: ossdk.Ptr(prefix), RequestCommon: v2Extra(host)})
				if err != nil || len(lr.Contents) != 1 {
					t.Fatalf("list: %v %+v", err, lr)
				}
				ar, err := c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(prefix + "log"), Position: ossdk.Ptr(int64(0)),
					Body: strings.NewReader("line\n"), RequestCommon: v2Extra(host)})
				if err != nil || ar.NextPosition != 5 {
					t.Fatalf("append: %v %+v", err, ar)
				}
				if _, err := c.DeleteObject(ctx, &ossdk.DeleteObjectRequest{Bucket: bk, Key: ossdk.Ptr(prefix + "log"), RequestCommon: v2Extra(host)}); err != nil {
					t.Fatal(err)
				}
			}

			// After signing, change what was signed on the wire. Another Host for the same bucket
			// and region: an IP literal (path style) or the internal endpoint (virtual-hosted).
			otherHost := "127.0.0.2:1"
			if tc.virtual {
				otherHost = "examplebucket.oss-cn-hangzhou-internal.aliyuncs.com"
			}
			for _, m := range []struct {
				name   string
				edit   func(r *http.Request)
				signed bool // part of the V4 signature
			}{
				{"host", func(r *http.Request) { r.Host = otherHost }, true},
				{"custom-header-changed", func(r *http.Request) { r.Header.Set("X-Partner-Trace", "order-43") }, true},
				{"custom-header-dropped", func(r *http.Request) { r.Header.Del("X-Partner-Trace") }, true},
				{"content-disposition", func(r *http.Request) { r.Header.Set("Content-Disposition", "inline") }, true},
				{"unlisted-header", func(r *http.Request) { r.Header.Set("X-Other", "free") }, false},
			} {
				w.set(m.edit)
				err := put("tampered " + m.name)
				w.set(nil)
				if tc.v1 || !m.signed {
					// Not signed: V1 ignores the list, and an unlisted header is not signed by V4.
					if err != nil {
						t.Fatalf("%s: not signed in this mode, want accepted: %v", m.name, err)
					}
					continue
				}
				wantErr(t, err, 403, "SignatureDoesNotMatch", "0002-00000201")
			}

			// A Host header that is not the real one (signed, but the wire carries the URL's).
			if !tc.v1 {
				err := func() error {
					_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Body: strings.NewReader("x"), RequestCommon: v2Extra("evil.example")})
					return err
				}()
				wantErr(t, err, 403, "SignatureDoesNotMatch", "0002-00000201")
			}
		})
	}
}

func v2AdditionalCopy() []string { return append([]string(nil), v2Additional...) }

// The v2 presigner with AdditionalHeaders: V4 lists them in x-oss-additional-headers and returns
// them in SignedHeaders, which the holder of the URL must send as they are; V1 ignores them.
func TestSDKv2PresignAdditionalHeaders(t *testing.T) {
	e := newEnv(t)
	addr := hostOf(e.hs["cn-hangzhou"].URL)
	bk := ossdk.Ptr("examplebucket")
	send := func(t *testing.T, method, u string, h map[string]string, body string, edit func(r *http.Request)) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			if strings.EqualFold(k, "Host") {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
		if edit != nil {
			edit(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name string
		v1   bool
		sts  bool
	}{{"v4", false, false}, {"v4-sts", false, true}, {"v1", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []func(*ossdk.Config){func(c *ossdk.Config) { c.WithAdditionalHeaders(v2AdditionalCopy()) }}
			if tc.v1 {
				opts = append(opts, v1)
			}
			ak, sk, token, key := "LTAI5tExampleUser", "ExampleSecret123", "", "ph/"+tc.name+".txt"
			if tc.sts {
				ak, sk, token, key = "STS.capture", "capturesecret", "CAIScapture", "src/ph-"+tc.name+".txt" // session: PutObject on src/*
			}
			c := e.client("cn-hangzhou", ak, sk, token, opts...)
			pr, err := c.Presign(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), ContentType: ossdk.Ptr("text/plain"), RequestCommon: v2Extra(addr)},
				ossdk.PresignExpires(10*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(pr.URL)
			if err != nil {
				t.Fatal(err)
			}
			list := u.Query().Get("x-oss-additional-headers")
			if tc.v1 {
				if list != "" || u.Query().Get("Signature") == "" {
					t.Fatalf("V1 URL: %s", pr.URL)
				}
			} else if list != "host;x-partner-trace" || pr.SignedHeaders["Host"] != addr || pr.SignedHeaders["X-Partner-Trace"] != "order-42" {
				t.Fatalf("V4 URL lists %q, SignedHeaders %v", list, pr.SignedHeaders)
			}
			if status, body := send(t, pr.Method, pr.URL, pr.SignedHeaders, "presigned with headers", nil); status != 200 {
				t.Fatalf("presigned PUT: %d %s", status, body)
			}
			if !tc.sts {
				gr, err := c.Presign(ctx, &ossdk.GetObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), RequestCommon: v2Extra(addr)})
				if err != nil {
					t.Fatal(err)
				}
				if status, body := send(t, gr.Method, gr.URL, gr.SignedHeaders, "", nil); status != 200 || body != "presigned with headers" {
					t.Fatalf("presigned GET: %d %q", status, body)
				}
			}
			for _, m := range []struct {
				name string
				edit func(r *http.Request)
				url  func(string) string
			}{
				{name: "host", edit: func(r *http.Request) { r.Host = "127.0.0.2:1" }},
				{name: "custom-header-changed", edit: func(r *http.Request) { r.Header.Set("X-Partner-Trace", "order-43") }},
				{name: "custom-header-dropped", edit: func(r *http.Request) { r.Header.Del("X-Partner-Trace") }},
				{name: "content-type", edit: func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }},
				{name: "list-dropped", url: func(s string) string {
					return strings.Replace(s, "x-oss-additional-headers=host%3Bx-partner-trace&", "", 1)
				}},
				{name: "list-shortened", url: func(s string) string {
					return strings.Replace(s, "x-oss-additional-headers=host%3Bx-partner-trace", "x-oss-additional-headers=x-partner-trace", 1)
				}},
			} {
				if tc.v1 && m.name != "content-type" {
					continue // V1 signs no additional header (Content-Type it does)
				}
				u := pr.URL
				if m.url != nil {
					if u = m.url(pr.URL); u == pr.URL {
						t.Fatalf("%s: the URL did not change: %s", m.name, pr.URL)
					}
				}
				status, body := send(t, pr.Method, u, pr.SignedHeaders, "tampered", m.edit)
				if status != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
					t.Fatalf("%s: %d %s", m.name, status, body)
				}
			}
		})
	}
}
