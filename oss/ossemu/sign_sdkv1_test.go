package ossemu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	osv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// The OSS Go SDK v1 (github.com/aliyun/aliyun-oss-go-sdk v3.0.2, the SDK ossutil 1.x is built
// on) is a test-only oracle here: every operation over real HTTP in AuthV1, AuthV2 and AuthV4.
// Its V4 sends only Date (no x-oss-date) and signs that value; its V2 and V4 can sign Host.

type v1Mode struct {
	name    string
	version osv1.AuthVersionType
	opts    []osv1.ClientOption
	ec      string // the EC of a wrong secret
}

var v1Modes = []v1Mode{
	{name: "v1", version: osv1.AuthV1, ec: "0002-00000040"},
	{name: "v2", version: osv1.AuthV2, ec: "0002-00000101"},
	{name: "v2-host", version: osv1.AuthV2, opts: []osv1.ClientOption{osv1.AdditionalHeaders([]string{"host"})}, ec: "0002-00000101"},
	{name: "v4", version: osv1.AuthV4, ec: "0002-00000201"},
	{name: "v4-host", version: osv1.AuthV4, opts: []osv1.ClientOption{osv1.AdditionalHeaders([]string{"host"})}, ec: "0002-00000201"},
	// ossutil 1.7.19 --sign-version v4: the same SDK with AuthV4 + Region, its user agent,
	// timeouts and CRC on (lib/command.go ossClient).
	{name: "ossutil-v4", version: osv1.AuthV4, opts: []osv1.ClientOption{osv1.UserAgent("aliyun-sdk-go/3.0.2 (Linux/amd64) ossutil/1.7.19"),
		osv1.Timeout(120, 1200), osv1.EnableCRC(true)}, ec: "0002-00000201"},
}

func (e *env) v1Bucket(t testing.TB, m v1Mode, ak, sk, token string, extra ...osv1.ClientOption) *osv1.Bucket {
	t.Helper()
	opts := []osv1.ClientOption{osv1.AuthVersion(m.version), osv1.Region("cn-hangzhou"), osv1.Timeout(10, 60)}
	if token != "" {
		opts = append(opts, osv1.SecurityToken(token))
	}
	opts = append(append(opts, m.opts...), extra...)
	c, err := osv1.New(e.hs["cn-hangzhou"].URL, ak, sk, opts...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bucket("examplebucket")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantV1Err(t testing.TB, err error, status int, code, ec string) {
	t.Helper()
	var se osv1.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("want a ServiceError %s, got %v", code, err)
	}
	if se.StatusCode != status || se.Code != code || (ec != "" && se.Ec != ec) {
		t.Fatalf("want %d %s EC %s, got %d %s EC %s: %s", status, code, ec, se.StatusCode, se.Code, se.Ec, se.Message)
	}
	if se.RequestID == "" {
		t.Error("error without request id")
	}
}

// readAll(t)(b.GetObject(k)) reads and closes a GetObject body.
func readAll(t testing.TB) func(io.ReadCloser, error) []byte {
	return func(rc io.ReadCloser, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

func TestSDKv1Operations(t *testing.T) {
	e := newEnv(t)
	for _, m := range v1Modes {
		t.Run(m.name, func(t *testing.T) {
			b := e.v1Bucket(t, m, "LTAI5tExampleUser", "ExampleSecret123", "")
			pfx := "v1sdk/" + m.name + "/"
			body := []byte(strings.Repeat("hello world ", 500))
			key := pfx + "a b+c~(1).txt"
			t.Run("put-get-range-head", func(t *testing.T) {
				if err := b.PutObject(key, bytes.NewReader(body), osv1.ContentType("text/plain"), osv1.Meta("author", "partner-b")); err != nil {
					t.Fatal(err)
				}
				if got := readAll(t)(b.GetObject(key)); !bytes.Equal(got, body) {
					t.Fatalf("get: %d bytes", len(got))
				}
				if got := readAll(t)(b.GetObject(key, osv1.Range(6, 10))); string(got) != "world" {
					t.Fatalf("range: %q", got)
				}
				h, err := b.GetObjectDetailedMeta(key)
				if err != nil {
					t.Fatal(err)
				}
				if h.Get("Content-Length") != fmt.Sprint(len(body)) || h.Get("X-Oss-Meta-Author") != "partner-b" || h.Get("Content-Type") != "text/plain" {
					t.Fatalf("head: %v", h)
				}
			})
			t.Run("list", func(t *testing.T) {
				for _, k := range []string{"l/1", "l/2", "l/sub/3"} {
					if err := b.PutObject(pfx+k, strings.NewReader(k)); err != nil {
						t.Fatal(err)
					}
				}
				r1, err := b.ListObjects(osv1.Prefix(pfx+"l/"), osv1.Delimiter("/"), osv1.MaxKeys(1))
				if err != nil {
					t.Fatal(err)
				}
				if len(r1.Objects) != 1 || r1.Objects[0].Key != pfx+"l/1" || !r1.IsTruncated {
					t.Fatalf("list v1: %+v", r1)
				}
				r2, err := b.ListObjectsV2(osv1.Prefix(pfx+"l/"), osv1.Delimiter("/"), osv1.StartAfter(pfx+"l/1"))
				if err != nil {
					t.Fatal(err)
				}
				if len(r2.Objects) != 1 || r2.Objects[0].Key != pfx+"l/2" || len(r2.CommonPrefixes) != 1 || r2.CommonPrefixes[0] != pfx+"l/sub/" {
					t.Fatalf("list v2: %+v", r2)
				}
			})
			t.Run("batch-delete", func(t *testing.T) {
				keys := []string{pfx + "d/1", pfx + "d/2 x"}
				for _, k := range keys {
					if err := b.PutObject(k, strings.NewReader(k)); err != nil {
						t.Fatal(err)
					}
				}
				res, err := b.DeleteObjects(keys)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.DeletedObjects) != 2 {
					t.Fatalf("deleted %v", res.DeletedObjects)
				}
				if ok, err := b.IsObjectExist(keys[1]); err != nil || ok {
					t.Fatalf("still there: %v %v", ok, err)
				}
			})
			t.Run("multipart", func(t *testing.T) {
				mk := pfx + "mp"
				imur, err := b.InitiateMultipartUpload(mk)
				if err != nil {
					t.Fatal(err)
				}
				p1 := bytes.Repeat([]byte("a"), 100<<10)
				p2 := []byte("tail")
				u1, err := b.UploadPart(imur, bytes.NewReader(p1), int64(len(p1)), 1)
				if err != nil {
					t.Fatal(err)
				}
				u2, err := b.UploadPart(imur, bytes.NewReader(p2), int64(len(p2)), 2)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := b.CompleteMultipartUpload(imur, []osv1.UploadPart{u1, u2}); err != nil {
					t.Fatal(err)
				}
				if got := readAll(t)(b.GetObject(mk)); !bytes.Equal(got, append(p1, p2...)) {
					t.Fatalf("multipart object: %d bytes", len(got))
				}
			})
			t.Run("upload-download-file", func(t *testing.T) {
				dir := t.TempDir()
				src := filepath.Join(dir, "src.bin")
				data := randBytes(350<<10, 7)
				if err := os.WriteFile(src, data, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := b.UploadFile(pfx+"file", src, 100<<10, osv1.Routines(3)); err != nil {
					t.Fatal(err)
				}
				dst := filepath.Join(dir, "dst.bin")
				if err := b.DownloadFile(pfx+"file", dst, 100<<10, osv1.Routines(3)); err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(dst)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("downloaded %d bytes, %v", len(got), err)
				}
			})
			t.Run("copy", func(t *testing.T) {
				if _, err := b.CopyObject(key, pfx+"copy"); err != nil {
					t.Fatal(err)
				}
				if got := readAll(t)(b.GetObject(pfx + "copy")); !bytes.Equal(got, body) {
					t.Fatalf("copy: %d bytes", len(got))
				}
			})
			t.Run("signed-url", func(t *testing.T) {
				put, err := b.SignURL(pfx+"url", osv1.HTTPPut, 60, osv1.ContentType("text/plain"))
				if err != nil {
					t.Fatal(err)
				}
				if err := b.PutObjectWithURL(put, strings.NewReader("via url"), osv1.ContentType("text/plain")); err != nil {
					t.Fatalf("%v\n%s", err, put)
				}
				get, err := b.SignURL(pfx+"url", osv1.HTTPGet, 60)
				if err != nil {
					t.Fatal(err)
				}
				if got := readAll(t)(b.GetObjectWithURL(get)); string(got) != "via url" {
					t.Fatalf("get by url: %q", got)
				}
				// A URL signed for GET does not PUT, and one for the object does not reach another.
				err = b.PutObjectWithURL(get, strings.NewReader("x"))
				wantV1Err(t, err, 403, "SignatureDoesNotMatch", "")
				other := strings.Replace(get, "url?", "url2?", 1)
				_, err = b.GetObjectWithURL(other)
				wantV1Err(t, err, 403, "SignatureDoesNotMatch", "")
			})
			t.Run("content-md5", func(t *testing.T) {
				data := []byte("md5 body")
				sum := md5.Sum(data)
				good := base64.StdEncoding.EncodeToString(sum[:])
				if err := b.PutObject(pfx+"md5", bytes.NewReader(data), osv1.ContentMD5(good)); err != nil {
					t.Fatal(err)
				}
				wrong := md5.Sum([]byte("other"))
				err := b.PutObject(pfx+"md5bad", bytes.NewReader(data), osv1.ContentMD5(base64.StdEncoding.EncodeToString(wrong[:])))
				wantV1Err(t, err, 400, "BadDigest", "")
			})
			t.Run("denial", func(t *testing.T) {
				nb := e.v1Bucket(t, m, "LTAInoperm", "nopermsecret", "")
				err := nb.PutObject(pfx+"denied", strings.NewReader("x"))
				wantV1Err(t, err, 403, "AccessDenied", "")
			})
			t.Run("bad-secret", func(t *testing.T) {
				bb := e.v1Bucket(t, m, "LTAI5tExampleUser", "WrongSecret", "")
				_, err := bb.GetObject(key)
				wantV1Err(t, err, 403, "SignatureDoesNotMatch", m.ec)
			})
			t.Run("forged-token", func(t *testing.T) {
				fb := e.v1Bucket(t, m, "STS.capture", "capturesecret", "CAISforged")
				err := fb.PutObject("src/forged", strings.NewReader("x"))
				wantV1Err(t, err, 403, "InvalidSecurityToken", "0002-00000006")
			})
			t.Run("sts-token", func(t *testing.T) {
				sb := e.v1Bucket(t, m, "STS.capture", "capturesecret", "CAIScapture")
				if err := sb.PutObject("src/"+m.name, strings.NewReader("x")); err != nil {
					t.Fatal(err)
				}
				err := sb.PutObject("dst/"+m.name, strings.NewReader("x"))
				wantV1Err(t, err, 403, "AccessDenied", "")
			})
		})
	}
}

// hostRewriter sends every request with another Host than the one the SDK signed.
type hostRewriter struct{ host string }

func (h hostRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = h.host
	return http.DefaultTransport.RoundTrip(r)
}

// A client that signs host verifies; the same request sent with a changed Host fails. Without
// host among the additional headers the Host is not signed (path style here), as on the cloud.
func TestSDKv1SignedHost(t *testing.T) {
	e := newEnv(t)
	for _, m := range v1Modes {
		signsHost := strings.HasSuffix(m.name, "-host")
		t.Run(m.name, func(t *testing.T) {
			rw := osv1.HTTPClient(&http.Client{Transport: hostRewriter{host: "127.0.0.2:1"}})
			b := e.v1Bucket(t, m, "LTAI5tExampleUser", "ExampleSecret123", "", rw)
			err := b.PutObject("host/"+m.name, strings.NewReader("x"))
			if !signsHost {
				if err != nil {
					t.Fatalf("Host is not signed in this mode: %v", err)
				}
				return
			}
			wantV1Err(t, err, 403, "SignatureDoesNotMatch", m.ec)
		})
	}
}

// Honestly signed requests whose scope does not fit the listener get the scope's own answer.
func TestSDKv1WrongScope(t *testing.T) {
	e := newEnv(t)
	v4 := v1Modes[3]
	cases := []struct {
		name string
		opt  osv1.ClientOption
		ec   string
	}{
		{"region-beijing", osv1.Region("cn-beijing"), "0002-00000226"},
		{"region-empty", osv1.Region(""), "0002-00000226"},
		{"product-cloudbox", osv1.CloudBoxId("cb-123"), "0002-00000227"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := e.v1Bucket(t, v4, "LTAI5tExampleUser", "ExampleSecret123", "", tc.opt)
			err := b.PutObject("scope/"+tc.name, strings.NewReader("x"))
			wantV1Err(t, err, 400, "InvalidArgument", tc.ec)
			u, err := b.SignURL("scope/"+tc.name, osv1.HTTPGet, 60)
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.GetObjectWithURL(u)
			wantV1Err(t, err, 400, "InvalidArgument", tc.ec)
		})
	}
}
