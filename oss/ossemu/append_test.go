package ossemu

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// TestSDKAppendObject drives AppendObject with the official SDK v2 over real HTTP, V4 and V1.
func TestSDKAppendObject(t *testing.T) {
	e := newEnv(t)
	bk := ossdk.Ptr("examplebucket")
	for _, mode := range []struct {
		name string
		opts []func(*ossdk.Config)
	}{{"v4", nil}, {"v1", []func(*ossdk.Config){v1}}} {
		t.Run(mode.name, func(t *testing.T) {
			c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "", mode.opts...)
			key := "logs/" + mode.name + "/app.log"
			chunks := [][]byte{[]byte("first line\n"), bytes.Repeat([]byte("x"), 200<<10), {}, []byte("last\n")}
			var all []byte
			var pos int64
			crc := "0"
			for i, ch := range chunks {
				req := &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Position: ossdk.Ptr(pos), Body: bytes.NewReader(ch),
					InitHashCRC64: ossdk.Ptr(crc)} // the SDK checks the whole object's CRC it answers
				if i == 0 {
					req.ContentType = ossdk.Ptr("text/plain")
					req.Metadata = map[string]string{"origin": "append-test"}
				} else {
					req.ContentType = ossdk.Ptr("application/json") // later appends do not change attributes
				}
				res, err := c.AppendObject(ctx, req)
				if err != nil {
					t.Fatalf("append %d: %v", i, err)
				}
				all = append(all, ch...)
				if res.NextPosition != int64(len(all)) || ossdk.ToString(res.HashCRC64) != crcOf(all) {
					t.Fatalf("append %d: next %d crc %s, want %d %s", i, res.NextPosition, ossdk.ToString(res.HashCRC64), len(all), crcOf(all))
				}
				pos, crc = res.NextPosition, ossdk.ToString(res.HashCRC64)
			}
			head, err := c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: bk, Key: ossdk.Ptr(key)})
			if err != nil {
				t.Fatal(err)
			}
			if ossdk.ToString(head.ObjectType) != "Appendable" || head.NextAppendPosition == nil || ossdk.ToString(head.NextAppendPosition) != strconv.Itoa(len(all)) ||
				ossdk.ToString(head.ContentType) != "text/plain" || head.Metadata["origin"] != "append-test" || ossdk.ToString(head.HashCRC64) != crcOf(all) {
				t.Fatalf("head: type %s next %v type %s meta %v crc %s", ossdk.ToString(head.ObjectType), ossdk.ToString(head.NextAppendPosition),
					ossdk.ToString(head.ContentType), head.Metadata, ossdk.ToString(head.HashCRC64))
			}
			got, _ := getAll(t, c, "examplebucket", key)
			if !bytes.Equal(got, all) {
				t.Fatalf("get: %d bytes, want %d", len(got), len(all))
			}

			// A wrong position: 409 with the position to use.
			_, err = c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Position: ossdk.Ptr(int64(3)), Body: strings.NewReader("zz")})
			se := wantErr(t, err, 409, "PositionNotEqualToLength", "0026-00000016")
			if se.Message != "Position is not equal to file length" || se.Headers.Get("x-oss-next-append-position") != strconv.Itoa(len(all)) {
				t.Fatalf("position error: %q next %q", se.Message, se.Headers.Get("x-oss-next-append-position"))
			}
			// Position 0 on an existing non-empty appendable object is a wrong position too.
			_, err = c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Position: ossdk.Ptr(int64(0)), Body: strings.NewReader("zz")})
			wantErr(t, err, 409, "PositionNotEqualToLength", "0026-00000016")
			// A position on an absent key.
			_, err = c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(key + ".absent"), Position: ossdk.Ptr(int64(5)), Body: strings.NewReader("zz")})
			se = wantErr(t, err, 409, "PositionNotEqualToLength", "0026-00000016")
			if se.Headers.Get("x-oss-next-append-position") != "0" {
				t.Fatalf("absent key: next %q", se.Headers.Get("x-oss-next-append-position"))
			}

			// A normal object cannot be appended to, at any position.
			normal := key + ".normal"
			if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr(normal), Body: strings.NewReader("abc")}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []int64{0, 3} {
				_, err = c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(normal), Position: ossdk.Ptr(p), Body: strings.NewReader("zz")})
				wantErr(t, err, 409, "ObjectNotAppendable", "0026-00000017")
			}
			// A PUT over an appendable object makes it normal again.
			if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Body: strings.NewReader("replaced")}); err != nil {
				t.Fatal(err)
			}
			_, err = c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Position: ossdk.Ptr(int64(8)), Body: strings.NewReader("zz")})
			wantErr(t, err, 409, "ObjectNotAppendable", "0026-00000017")
			// Content-MD5 of the appended bytes is checked; a mismatch appends nothing.
			md := key + ".md5"
			sum := md5.Sum([]byte("other"))
			_, err = c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(md), Position: ossdk.Ptr(int64(0)), Body: strings.NewReader("hello"),
				ContentMD5: ossdk.Ptr(base64.StdEncoding.EncodeToString(sum[:]))})
			wantErr(t, err, 400, "BadDigest", "")
			_, err = c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: bk, Key: ossdk.Ptr(md)})
			wantErr(t, err, 404, "NoSuchKey", "")
		})
	}
}

// TestSDKAppendFile uses the SDK's AppendOnlyFile (AppendFile), which appends, then on
// PositionNotEqualToLength heads the object to resume.
func TestSDKAppendFile(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAI5tExampleUser", "ExampleSecret123", "")
	f, err := c.AppendFile(ctx, "examplebucket", "af/data.bin")
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	for i := range 5 {
		b := randBytes(10<<10*(i+1), int64(i+40))
		n, err := f.Write(b)
		if err != nil || n != len(b) {
			t.Fatalf("write %d: %d %v", i, n, err)
		}
		want = append(want, b...)
	}
	n, err := f.WriteFrom(bytes.NewReader([]byte("tail")))
	if err != nil || n != 4 {
		t.Fatalf("WriteFrom: %d %v", n, err)
	}
	want = append(want, "tail"...)
	st, err := f.Stat()
	if err != nil || st.Size() != int64(len(want)) {
		t.Fatalf("stat: %v %v", st, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened, it continues at the object's length.
	f2, err := c.AppendFile(ctx, "examplebucket", "af/data.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f2.Write([]byte("more")); err != nil {
		t.Fatal(err)
	}
	f2.Close()
	want = append(want, "more"...)
	got, _ := getAll(t, c, "examplebucket", "af/data.bin")
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
}

// TestAppendAuthorization: AppendObject is authorized as oss:PutObject, through every layer.
func TestAppendAuthorization(t *testing.T) {
	e := newEnv(t)
	bk := ossdk.Ptr("examplebucket")
	sts := e.client("cn-hangzhou", "STS.capture", "capturesecret", "CAIScapture") // session policy: PutObject on src/*
	if _, err := sts.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr("src/a.log"), Position: ossdk.Ptr(int64(0)), Body: strings.NewReader("ok")}); err != nil {
		t.Fatalf("inside the session policy: %v", err)
	}
	_, err := sts.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr("other/a.log"), Position: ossdk.Ptr(int64(0)), Body: strings.NewReader("no")})
	se := wantErr(t, err, 403, "AccessDenied", "0003-00000301")
	tr, ok := e.srv.Trace(se.RequestID)
	if !ok || tr.Operation != "AppendObject" || tr.Action != "oss:PutObject" || tr.DecidedBy != "session" {
		t.Fatalf("trace: %+v", tr)
	}
	nop := e.client("cn-hangzhou", "LTAInoperm", "nopermsecret", "")
	_, err = nop.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr("src/b.log"), Position: ossdk.Ptr(int64(0)), Body: strings.NewReader("no")})
	wantErr(t, err, 403, "AccessDenied", "")
	// Anonymous.
	resp, err := http.Post(e.hs["cn-hangzhou"].URL+"/examplebucket/src/anon.log?append&position=0", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("anonymous append: %d", resp.StatusCode)
	}
}

// TestAppendBadInput: malformed positions are the cloud's 400s, never a 500.
func TestAppendBadInput(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAIroot", "rootsecret", "", v1)
	for _, tc := range []struct{ name, query, ec string }{
		{"missing", "append", "0016-00000501"},
		{"word", "append&position=test", "0016-00000502"},
		{"negative", "append&position=-1", "0016-00000502"},
		{"plus", "append&position=%2B1", "0016-00000502"},
		{"huge", "append&position=99999999999999999999999", "0016-00000502"},
		{"empty", "append&position=", "0016-00000502"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.InvokeOperation(ctx, &ossdk.OperationInput{OpName: "AppendObject", Method: "POST", Bucket: ossdk.Ptr("examplebucket"),
				Key: ossdk.Ptr("bad.log"), Parameters: parseParams(tc.query), Body: strings.NewReader("x")})
			wantErr(t, err, 400, "InvalidArgument", tc.ec)
		})
	}
	_, err := c.InvokeOperation(ctx, &ossdk.OperationInput{OpName: "AppendObject", Method: "POST", Bucket: ossdk.Ptr("examplebucket"),
		Key: ossdk.Ptr("big.log"), Parameters: map[string]string{"append": "", "position": strconv.Itoa(maxPutSize)}, Body: strings.NewReader("x")})
	wantErr(t, err, 400, "EntityTooLarge", "")
}

func parseParams(q string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if v == "%2B1" {
			v = "+1"
		}
		m[k] = v
	}
	return m
}

// TestAppendConcurrent: concurrent appends at one position: exactly one wins; the object is
// the base plus the winner's bytes.
func TestAppendConcurrent(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	bg := context.Background()
	if _, err := s.Append(bg, "b", "k", 0, strings.NewReader("base"), Attrs{}, nil); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	wins := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := strings.Repeat(strconv.Itoa(i), 100<<10)
			_, err := s.Append(bg, "b", "k", 4, strings.NewReader(body), Attrs{}, nil)
			var pe *PositionError
			switch {
			case err == nil:
				wins <- body
			case errors.As(err, &pe):
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(wins)
	var won []string
	for w := range wins {
		won = append(won, w)
	}
	if len(won) != 1 {
		t.Fatalf("%d winners", len(won))
	}
	got := readObject(t, s, "k")
	if string(got) != "base"+won[0] {
		t.Fatalf("object is %d bytes, not base + the winner", len(got))
	}
	o, _ := s.Stat(bg, "b", "k")
	if o.CRC64 != crc64.Checksum(got, crcTable) || o.Type != "Appendable" {
		t.Fatalf("stat: %+v", o)
	}
}

// TestAppendKeepsOldReaders: a reader of a version keeps reading exactly that version while
// the object grows; a failed append (disk full, short body) leaves the object as it was.
func TestAppendKeepsOldReaders(t *testing.T) {
	var full diskFull
	s := openTestStoreWith(t, t.TempDir(), DiskOptions{WriteFault: full.fault})
	bg := context.Background()
	if _, err := s.Append(bg, "b", "k", 0, strings.NewReader("v1"), Attrs{}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(bg, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := s.Append(bg, "b", "k", 2, strings.NewReader("v2"), Attrs{}, nil); err != nil {
		t.Fatal(err)
	}
	old, _ := io.ReadAll(io.NewSectionReader(r, 0, 1<<20))
	if string(old) != "v1" {
		t.Fatalf("old reader sees %q", old)
	}
	full.Store(true)
	if _, err := s.Append(bg, "b", "k", 4, strings.NewReader("v3"), Attrs{}, nil); err == nil {
		t.Fatal("append on a full disk succeeded")
	}
	full.Store(false)
	if _, err := s.Append(bg, "b", "k", 4, strings.NewReader("v3-and-more"), Attrs{}, func(*Object, int64, []byte) error { return io.ErrUnexpectedEOF }); err == nil {
		t.Fatal("refused append committed")
	}
	if got := readObject(t, s, "k"); string(got) != "v1v2" {
		t.Fatalf("after failed appends: %q", got)
	}
	if _, err := s.Append(bg, "b", "k", 4, strings.NewReader("v3"), Attrs{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := readObject(t, s, "k"); string(got) != "v1v2v3" {
		t.Fatalf("after append: %q", got)
	}
}
