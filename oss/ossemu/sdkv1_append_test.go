package ossemu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"

	osv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// AppendObject with the OSS Go SDK v1 (v3.0.2) over real HTTP, in every signing mode of
// v1Modes (AuthV1, AuthV2 with and without host, AuthV4 Date-only with and without host, the
// ossutil 1.7.19 V4 shape): the SDK's AppendObject / DoAppendObject, its whole-object CRC check
// (InitCRC), the position errors partner code recovers from, and ObjectNotAppendable.
func TestSDKv1AppendObject(t *testing.T) {
	e := newEnv(t)
	for _, m := range v1Modes {
		t.Run(m.name, func(t *testing.T) {
			b := e.v1Bucket(t, m, "LTAI5tExampleUser", "ExampleSecret123", "")
			key := "v1append/" + m.name + "/app log+1.txt"

			// Chained appends: each starts at the position the last answered, the SDK checks the
			// object's CRC-64 it answers against the one it computes from InitCRC.
			chunks := [][]byte{[]byte("first line\n"), randBytes(150<<10, 11), {}, []byte("last\n")}
			var all []byte
			var pos int64
			var crc uint64
			for i, ch := range chunks {
				opts := []osv1.Option{osv1.InitCRC(crc)}
				if i == 0 {
					opts = append(opts, osv1.ContentType("text/plain"), osv1.Meta("origin", "sdkv1"))
				} else {
					opts = append(opts, osv1.ContentType("application/json")) // later appends keep the first's attributes
				}
				res, err := b.DoAppendObject(&osv1.AppendObjectRequest{ObjectKey: key, Reader: bytes.NewReader(ch), Position: pos}, opts)
				if err != nil {
					t.Fatalf("append %d: %v", i, err)
				}
				all = append(all, ch...)
				if res.NextPosition != int64(len(all)) || strconv.FormatUint(res.CRC, 10) != crcOf(all) {
					t.Fatalf("append %d: next %d crc %d, want %d %s", i, res.NextPosition, res.CRC, len(all), crcOf(all))
				}
				pos, crc = res.NextPosition, res.CRC
			}
			// The SDK's CRC check is live: a wrong starting CRC is caught against the answer.
			_, err := b.DoAppendObject(&osv1.AppendObjectRequest{ObjectKey: key + ".crc", Reader: strings.NewReader("x"), Position: 0}, []osv1.Option{osv1.InitCRC(42)})
			if _, ok := err.(osv1.CRCCheckError); !ok {
				t.Fatalf("a wrong InitCRC must fail the SDK's check, got %v", err)
			}
			// The plain AppendObject returns the next position.
			next, err := b.AppendObject(key, strings.NewReader("more"), pos)
			if err != nil || next != pos+4 {
				t.Fatalf("AppendObject: %d %v", next, err)
			}
			all = append(all, "more"...)
			pos = next

			h, err := b.GetObjectDetailedMeta(key)
			if err != nil {
				t.Fatal(err)
			}
			if h.Get("X-Oss-Object-Type") != "Appendable" || h.Get("X-Oss-Next-Append-Position") != strconv.Itoa(len(all)) ||
				h.Get("Content-Type") != "text/plain" || h.Get("X-Oss-Meta-Origin") != "sdkv1" || h.Get("X-Oss-Hash-Crc64ecma") != crcOf(all) {
				t.Fatalf("head: %v", h)
			}
			if got := readAll(t)(b.GetObject(key)); !bytes.Equal(got, all) {
				t.Fatalf("get: %d bytes, want %d", len(got), len(all))
			}

			// A wrong position: 409 PositionNotEqualToLength carrying the position to use; the SDK
			// returns the position it was given; appending there then works (the recovery
			// partners' code does).
			var rh http.Header
			got, err := b.AppendObject(key, strings.NewReader("zz"), 3, osv1.GetResponseHeader(&rh))
			wantV1Err(t, err, 409, "PositionNotEqualToLength", "0026-00000016")
			if got != 3 || rh.Get("X-Oss-Next-Append-Position") != strconv.FormatInt(pos, 10) {
				t.Fatalf("position error: returned %d, next %q, want %d", got, rh.Get("X-Oss-Next-Append-Position"), pos)
			}
			announced, _ := strconv.ParseInt(rh.Get("X-Oss-Next-Append-Position"), 10, 64)
			if next, err := b.AppendObject(key, strings.NewReader("zz"), announced); err != nil || next != pos+2 {
				t.Fatalf("append at the announced position: %d %v", next, err)
			}
			// Position 0 on a non-empty appendable object, and a position beyond its end.
			for _, p := range []int64{0, pos + 100} {
				_, err = b.AppendObject(key, strings.NewReader("zz"), p)
				wantV1Err(t, err, 409, "PositionNotEqualToLength", "0026-00000016")
			}
			// A position on an absent key: the next position is 0.
			rh = nil
			_, err = b.AppendObject(key+".absent", strings.NewReader("zz"), 5, osv1.GetResponseHeader(&rh))
			wantV1Err(t, err, 409, "PositionNotEqualToLength", "0026-00000016")
			if rh.Get("X-Oss-Next-Append-Position") != "0" {
				t.Fatalf("absent key: next %q", rh.Get("X-Oss-Next-Append-Position"))
			}
			if ok, err := b.IsObjectExist(key + ".absent"); err != nil || ok {
				t.Fatalf("a refused append created the object: %v %v", ok, err)
			}

			// A normal object (PutObject, multipart) cannot be appended to, at any position.
			normal := key + ".normal"
			if err := b.PutObject(normal, strings.NewReader("abc")); err != nil {
				t.Fatal(err)
			}
			for _, p := range []int64{0, 3} {
				_, err = b.AppendObject(normal, strings.NewReader("zz"), p)
				wantV1Err(t, err, 409, "ObjectNotAppendable", "0026-00000017")
			}
			mp := key + ".multipart"
			imur, err := b.InitiateMultipartUpload(mp)
			if err != nil {
				t.Fatal(err)
			}
			part, err := b.UploadPart(imur, strings.NewReader("one part"), 8, 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.CompleteMultipartUpload(imur, []osv1.UploadPart{part}); err != nil {
				t.Fatal(err)
			}
			_, err = b.AppendObject(mp, strings.NewReader("zz"), 8)
			wantV1Err(t, err, 409, "ObjectNotAppendable", "0026-00000017")
			// A PUT over the appendable object makes it normal.
			if err := b.PutObject(key, strings.NewReader("replaced")); err != nil {
				t.Fatal(err)
			}
			_, err = b.AppendObject(key, strings.NewReader("zz"), 8)
			wantV1Err(t, err, 409, "ObjectNotAppendable", "0026-00000017")

			// A bad position is the cloud's 400, never a 500.
			_, err = b.AppendObject(key+".neg", strings.NewReader("zz"), -1)
			wantV1Err(t, err, 400, "InvalidArgument", "0016-00000502")

			// Content-MD5 of the appended bytes is checked; a mismatch appends nothing.
			md := key + ".md5"
			wrong := md5.Sum([]byte("other"))
			_, err = b.AppendObject(md, strings.NewReader("hello"), 0, osv1.ContentMD5(base64.StdEncoding.EncodeToString(wrong[:])))
			wantV1Err(t, err, 400, "BadDigest", "")
			if ok, err := b.IsObjectExist(md); err != nil || ok {
				t.Fatalf("a BadDigest append created the object: %v %v", ok, err)
			}
			right := md5.Sum([]byte("hello"))
			if _, err := b.AppendObject(md, strings.NewReader("hello"), 0, osv1.ContentMD5(base64.StdEncoding.EncodeToString(right[:]))); err != nil {
				t.Fatalf("matching Content-MD5: %v", err)
			}
		})
	}
}

// AppendObject is authorized as oss:PutObject through every layer, and its signature checks are
// those of any request, in every v1 SDK mode.
func TestSDKv1AppendAuth(t *testing.T) {
	e := newEnv(t)
	for _, m := range v1Modes {
		t.Run(m.name, func(t *testing.T) {
			sb := e.v1Bucket(t, m, "STS.capture", "capturesecret", "CAIScapture") // session policy: PutObject on src/*
			if _, err := sb.AppendObject("src/"+m.name+".log", strings.NewReader("ok"), 0); err != nil {
				t.Fatalf("inside the session policy: %v", err)
			}
			var rh http.Header
			_, err := sb.AppendObject("dst/"+m.name+".log", strings.NewReader("no"), 0, osv1.GetResponseHeader(&rh))
			wantV1Err(t, err, 403, "AccessDenied", "0003-00000301")
			tr, ok := e.srv.Trace(rh.Get("X-Oss-Request-Id"))
			if !ok || tr.Operation != "AppendObject" || tr.Action != "oss:PutObject" || tr.DecidedBy != "session" {
				t.Fatalf("trace: %+v", tr)
			}

			nb := e.v1Bucket(t, m, "LTAInoperm", "nopermsecret", "")
			_, err = nb.AppendObject("src/noperm.log", strings.NewReader("no"), 0)
			wantV1Err(t, err, 403, "AccessDenied", "")

			bb := e.v1Bucket(t, m, "LTAI5tExampleUser", "WrongSecret", "")
			_, err = bb.AppendObject("src/badsecret.log", strings.NewReader("no"), 0)
			wantV1Err(t, err, 403, "SignatureDoesNotMatch", m.ec)

			fb := e.v1Bucket(t, m, "STS.capture", "capturesecret", "CAISforged")
			_, err = fb.AppendObject("src/forged.log", strings.NewReader("no"), 0)
			wantV1Err(t, err, 403, "InvalidSecurityToken", "0002-00000006")

			// The position is part of the signed resource: a request re-sent with another
			// position (the object's real length) does not verify.
			rb := e.v1Bucket(t, m, "LTAI5tExampleUser", "ExampleSecret123", "",
				osv1.HTTPClient(&http.Client{Transport: queryRewriter{from: "position=7", to: "position=0"}}))
			_, err = rb.AppendObject("src/"+m.name+".resent", strings.NewReader("no"), 7)
			wantV1Err(t, err, 403, "SignatureDoesNotMatch", m.ec)

			// With host signed, the same append sent to another Host is refused.
			if strings.HasSuffix(m.name, "-host") {
				hb := e.v1Bucket(t, m, "LTAI5tExampleUser", "ExampleSecret123", "",
					osv1.HTTPClient(&http.Client{Transport: hostRewriter{host: "127.0.0.2:1"}}))
				_, err = hb.AppendObject("src/"+m.name+".host", strings.NewReader("no"), 0)
				wantV1Err(t, err, 403, "SignatureDoesNotMatch", m.ec)
			}
		})
	}
}

// queryRewriter sends every request with one text of its query replaced.
type queryRewriter struct{ from, to string }

func (q queryRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.RawQuery = strings.Replace(r.URL.RawQuery, q.from, q.to, 1)
	return http.DefaultTransport.RoundTrip(r)
}
