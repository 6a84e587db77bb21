package ossemu

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
)

// TestAppendCrashSafety kills the sandbox process in the middle of appends (as
// TestCrashSafety does for PUT and multipart) and checks that each append is all or nothing.
func TestAppendCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns sandbox processes")
	}
	dir := t.TempDir()
	bk := ossdk.Ptr("examplebucket")
	base := randBytes(1<<20, 60)
	big := randBytes(32<<20, 61)
	x := randBytes(100<<10, 62)
	appendReq := func(key string, pos int64, body []byte) *ossdk.AppendObjectRequest {
		return &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr(key), Position: ossdk.Ptr(pos), Body: bytes.NewReader(body)}
	}

	t.Run("kill-mid-append", func(t *testing.T) {
		p := startSandboxProc(t, dir, "")
		c := p.client()
		if _, err := c.AppendObject(ctx, appendReq("log", 0, base)); err != nil {
			t.Fatal(err)
		}
		r := &killingReader{data: big, killAt: 16 << 20, kill: p.kill}
		_, err := c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr("log"), Position: ossdk.Ptr(int64(len(base))), Body: r,
			ContentLength: ossdk.Ptr(int64(len(big)))})
		if err == nil || !r.killed {
			t.Fatalf("append survived the kill: %v", err)
		}
	})
	t.Run("kill-after-data-before-record", func(t *testing.T) {
		p := startSandboxProc(t, dir, "append:written")
		if _, err := p.client().AppendObject(ctx, appendReq("log", int64(len(base)), big[:3<<20])); err == nil {
			t.Fatal("append survived")
		}
		p.killed(t)
	})
	t.Run("kill-first-append-before-record", func(t *testing.T) {
		p := startSandboxProc(t, dir, "append:written")
		if _, err := p.client().AppendObject(ctx, appendReq("fresh", 0, x)); err == nil {
			t.Fatal("append survived")
		}
		p.killed(t)
	})
	t.Run("kill-after-record", func(t *testing.T) {
		p := startSandboxProc(t, dir, "append:committed")
		if _, err := p.client().AppendObject(ctx, appendReq("log", int64(len(base)), x)); err == nil {
			t.Fatal("append survived")
		}
		p.killed(t)
	})
	t.Run("restart-and-check", func(t *testing.T) {
		p := startSandboxProc(t, dir, "")
		c := p.client()
		want := append(append([]byte{}, base...), x...)
		got, _ := getAll(t, c, "examplebucket", "log")
		if !bytes.Equal(got, want) {
			t.Fatalf("log is %d bytes, want base + the committed append (%d)", len(got), len(want))
		}
		head, err := c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: bk, Key: ossdk.Ptr("log")})
		if err != nil || ossdk.ToString(head.NextAppendPosition) != strconv.Itoa(len(want)) || ossdk.ToString(head.HashCRC64) != crcOf(want) {
			t.Fatalf("head after restart: %v %+v", err, head)
		}
		_, err = c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: bk, Key: ossdk.Ptr("fresh")})
		wantErr(t, err, 404, "NoSuchKey", "")
		// The data file was cut back to the committed length; appending goes on from there.
		datas, _ := os.ReadDir(filepath.Join(dir, "buckets", "examplebucket", "data"))
		if len(datas) != 1 {
			t.Fatalf("data files: %d, want 1 (log)", len(datas))
		}
		if st, err := os.Stat(filepath.Join(dir, "buckets", "examplebucket", "data", datas[0].Name())); err != nil || st.Size() != int64(len(want)) {
			t.Fatalf("data file: %v %v, want %d bytes", st.Size(), err, len(want))
		}
		res, err := c.AppendObject(ctx, &ossdk.AppendObjectRequest{Bucket: bk, Key: ossdk.Ptr("log"), Position: ossdk.Ptr(int64(len(want))),
			Body: bytes.NewReader([]byte("end")), InitHashCRC64: head.HashCRC64})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, "end"...)
		if res.NextPosition != int64(len(want)) {
			t.Fatalf("next %d", res.NextPosition)
		}
		got, _ = getAll(t, c, "examplebucket", "log")
		if !bytes.Equal(got, want) {
			t.Fatal("log not whole after a further append")
		}
		p.kill()
		if tmp, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmp) != 0 {
			t.Fatalf("temp files left: %d", len(tmp))
		}
	})
}
