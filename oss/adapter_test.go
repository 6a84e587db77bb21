package oss

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

const token = "CAIS+probe/token=="

func cannedService(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ep, err := model.ParseEndpoint("--oss-endpoint", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return NewService(Config{Endpoint: ep}).With(model.Credentials{AccessKeyID: "STS.k", AccessKeySecret: "sec", SecurityToken: token})
}

const sessionDenied = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access denied by authorizer's policy.</Message><RequestId>RID1</RequestId>
<HostId>examplebucket.127.0.0.1</HostId><AccessDeniedDetail><PolicyType>SessionPolicy</PolicyType><AuthPrincipalType>AssumedRoleUser</AuthPrincipalType>
<AuthPrincipalDisplayName>ramosstest/partner</AuthPrincipalDisplayName><NoPermissionType>ImplicitDeny</NoPermissionType><AuthAction>oss:PutObject</AuthAction></AccessDeniedDetail>
<EC>0003-00000301</EC><RecommendDoc>https://api.aliyun.com/troubleshoot?q=0003-00000301</RecommendDoc></Error>`

func TestErrorsDecoded(t *testing.T) {
	tests := []struct {
		name   string
		op     func(c *Client) error
		serve  func(w http.ResponseWriter)
		code   string
		status int
		ec     string
		layer  string
	}{
		{name: "put denied by session policy", op: func(c *Client) error {
			_, err := c.Put(context.Background(), "examplebucket", "dst/a", strings.NewReader("x"), 1, nil)
			return err
		}, serve: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/xml")
			w.Header().Set("x-oss-request-id", "RID1")
			w.WriteHeader(403)
			io.WriteString(w, sessionDenied)
		}, code: "AccessDenied", status: 403, ec: "0003-00000301", layer: "session"},
		{name: "head error in x-oss-err", op: func(c *Client) error {
			_, err := c.Head(context.Background(), "examplebucket", "src/none")
			return err
		}, serve: func(w http.ResponseWriter) {
			w.Header().Set("x-oss-request-id", "RID2")
			w.Header().Set("x-oss-ec", "0026-00000001")
			w.Header().Set("x-oss-err", base64.StdEncoding.EncodeToString([]byte(`<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>RID2</RequestId><EC>0026-00000001</EC></Error>`)))
			w.WriteHeader(404)
		}, code: "NoSuchKey", status: 404, ec: "0026-00000001"},
		{name: "signature mismatch echoes token", op: func(c *Client) error {
			return c.Delete(context.Background(), "examplebucket", "src/a")
		}, serve: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(403)
			io.WriteString(w, `<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. x-oss-security-token:`+token+`</Message><RequestId>R3</RequestId><EC>0002-00000201</EC></Error>`)
		}, code: "SignatureDoesNotMatch", status: 403, ec: "0002-00000201", layer: "credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cannedService(t, func(w http.ResponseWriter, r *http.Request) { tc.serve(w) })
			err := tc.op(c)
			var ae *model.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("want *model.APIError, got %T %v", err, err)
			}
			if ae.Service != "oss" || ae.Code != tc.code || ae.StatusCode != tc.status || ae.EC != tc.ec || ae.RequestID == "" {
				t.Errorf("decoded %+v", ae)
			}
			if got := DeniedBy(ae); got != tc.layer {
				t.Errorf("DeniedBy = %q, want %q", got, tc.layer)
			}
			if ae.Hint == "" {
				t.Error("no hint")
			}
			if strings.Contains(ae.Error(), "probe/token") || strings.Contains(ae.Message, "CAIS") {
				t.Errorf("token leaked: %s", ae.Message)
			}
			if tc.layer == "session" {
				d := ae.AccessDeniedDetail
				if d == nil || d.PolicyType != "SessionPolicy" || d.AuthAction != "oss:PutObject" || ae.HostID == "" || !strings.Contains(ae.RecommendDoc, "0003-00000301") {
					t.Errorf("detail %+v host %q doc %q", d, ae.HostID, ae.RecommendDoc)
				}
			}
		})
	}
}

func TestGetVerifiesCRC(t *testing.T) {
	body := []byte("hello, probe")
	tests := []struct {
		name, crc string
		wantErr   string
	}{
		{"matching crc", "", ""},
		{"wrong crc", "12345", "CRC-64 mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cannedService(t, func(w http.ResponseWriter, r *http.Request) {
				crc := tc.crc
				if crc == "" {
					crc = crcOf(body)
				}
				w.Header().Set("x-oss-hash-crc64ecma", crc)
				w.Write(body)
			})
			var buf bytes.Buffer
			_, err := c.Get(context.Background(), "examplebucket", "k", &buf)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestGenerated(t *testing.T) {
	g := Generated{Seed: 7, N: 1000}
	all := g.Bytes()
	for _, off := range []int64{0, 1, 7, 8, 9, 500, 993} {
		p := make([]byte, 13)
		n, err := g.ReadAt(p, off)
		want := all[off:min(off+13, 1000)]
		if n != len(want) || !bytes.Equal(p[:n], want) {
			t.Errorf("ReadAt(%d) = %d bytes, differs from the whole", off, n)
		}
		if off+13 > 1000 && err != io.EOF {
			t.Errorf("ReadAt(%d) past the end: err %v, want EOF", off, err)
		}
	}
	if bytes.Equal(all, Generated{Seed: 8, N: 1000}.Bytes()) {
		t.Error("different seeds gave the same bytes")
	}
}

func TestPresignRejectsBadInput(t *testing.T) {
	c := NewService(Config{}).With(model.Credentials{AccessKeyID: "STS.k", AccessKeySecret: "s", SecurityToken: "t"})
	if _, err := c.Presign(context.Background(), "DELETE", "b", "k", time.Hour); err == nil {
		t.Error("DELETE accepted")
	}
	if _, err := c.Presign(context.Background(), "GET", "b", "k", 8*24*time.Hour); err == nil {
		t.Error("8 days accepted")
	}
}
