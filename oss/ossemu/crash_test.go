package ossemu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"github.com/stsdeck/stsdeck/model"
)

// TestMain doubles as the crash test's sandbox process: with OSSEMU_CRASH_DIR set, the test
// binary serves a sandbox on that data dir instead of running tests, and OSSEMU_CRASH_AT names
// a write point at which it SIGKILLs itself.
func TestMain(m *testing.M) {
	if dir := os.Getenv("OSSEMU_CRASH_DIR"); dir != "" {
		runCrashHelper(dir, os.Getenv("OSSEMU_CRASH_AT"))
		return
	}
	os.Exit(m.Run())
}

func runCrashHelper(dir, at string) {
	var disk DiskOptions
	if at != "" {
		disk.CrashPoint = func(name string) {
			if name == at {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	auth := &testAuth{clock: model.WallClock, creds: map[string]*testCred{}}
	auth.creds["LTAIroot"] = &testCred{SandboxCredential: model.SandboxCredential{AccessKeyID: "LTAIroot", Secret: "rootsecret",
		Principal: rootPrincipal(), ARN: "acs:ram::" + testAccount + ":root"}}
	srv, err := New(Config{DataDir: dir, AccountID: testAccount, Buckets: []Bucket{{Name: "examplebucket", Region: "cn-hangzhou"}}, Auth: auth, Disk: disk})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	http.Serve(ln, srv.Handler("cn-hangzhou"))
}

type sandboxProc struct {
	cmd     *exec.Cmd
	addr    string
	exited  chan struct{} // closed when the process has been reaped
	waitErr error
}

func startSandboxProc(t *testing.T, dir, at string) *sandboxProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OSSEMU_CRASH_DIR="+dir, "OSSEMU_CRASH_AT="+at)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &sandboxProc{cmd: cmd, exited: make(chan struct{})}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ADDR ") {
		cmd.Process.Kill()
		t.Fatalf("helper did not start: %q %v", line, err)
	}
	p.addr = strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	go func() { p.waitErr = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *sandboxProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// killed waits for the process to die by itself (at its crash point).
func (p *sandboxProc) killed(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		err := p.waitErr
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("helper ended without SIGKILL: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("helper did not reach its crash point")
	}
}

func (p *sandboxProc) client() *ossdk.Client {
	return ossdk.NewClient(ossdk.LoadDefaultConfig().WithCredentialsProvider(credentials.NewStaticCredentialsProvider("LTAIroot", "rootsecret")).
		WithRegion("cn-hangzhou").WithEndpoint("http://" + p.addr).WithRetryMaxAttempts(1))
}

// slowReader yields n bytes of data then calls at() once and blocks until the request dies.
type killingReader struct {
	data   []byte
	off    int
	killAt int
	kill   func()
	killed bool
}

func (r *killingReader) Read(p []byte) (int, error) {
	if r.off >= r.killAt && !r.killed {
		r.killed = true
		r.kill()
		time.Sleep(50 * time.Millisecond)
	}
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	if r.off < r.killAt && r.off+n > r.killAt {
		n = r.killAt - r.off
	}
	r.off += n
	return n, nil
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns sandbox processes") // -short only; the default run includes it
	}
	dir := t.TempDir()
	bk := ossdk.Ptr("examplebucket")
	oldBig := randBytes(1<<20, 20)
	big := randBytes(48<<20, 21)
	part1 := randBytes(200<<10, 22)
	var uploadID, uploadID2, uploadID3 string

	t.Run("kill-mid-put", func(t *testing.T) {
		p := startSandboxProc(t, dir, "")
		c := p.client()
		if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("big"), Body: bytes.NewReader(oldBig)}); err != nil {
			t.Fatal(err)
		}
		r := &killingReader{data: big, killAt: 16 << 20, kill: p.kill}
		_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("big"), Body: r, ContentLength: ossdk.Ptr(int64(len(big)))})
		if err == nil || !r.killed {
			t.Fatalf("PUT survived the kill: %v", err)
		}
	})
	t.Run("kill-mid-upload-part", func(t *testing.T) {
		p := startSandboxProc(t, dir, "")
		c := p.client()
		init, err := c.InitiateMultipartUpload(ctx, &ossdk.InitiateMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr("mp")})
		if err != nil {
			t.Fatal(err)
		}
		uploadID = ossdk.ToString(init.UploadId)
		if _, err := c.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: bk, Key: ossdk.Ptr("mp"), UploadId: init.UploadId, PartNumber: 1, Body: bytes.NewReader(part1)}); err != nil {
			t.Fatal(err)
		}
		r := &killingReader{data: big, killAt: 8 << 20, kill: p.kill}
		_, err = c.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: bk, Key: ossdk.Ptr("mp"), UploadId: init.UploadId, PartNumber: 2, Body: r, ContentLength: ossdk.Ptr(int64(len(big)))})
		if err == nil {
			t.Fatal("UploadPart survived the kill")
		}
	})
	completeUntil := func(t *testing.T, at, key string) string {
		p := startSandboxProc(t, dir, at)
		c := p.client()
		init, err := c.InitiateMultipartUpload(ctx, &ossdk.InitiateMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key)})
		if err != nil {
			t.Fatal(err)
		}
		for n, data := range [][]byte{part1, part1[:1000]} {
			if _, err := c.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: init.UploadId, PartNumber: int32(n + 1), Body: bytes.NewReader(data)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: init.UploadId, CompleteAll: ossdk.Ptr("yes")})
		if err == nil {
			t.Fatal("Complete survived the kill")
		}
		p.killed(t)
		return ossdk.ToString(init.UploadId)
	}
	t.Run("kill-in-complete-before-commit", func(t *testing.T) { uploadID2 = completeUntil(t, "complete:linked", "mp2") })
	t.Run("kill-in-complete-after-commit", func(t *testing.T) { uploadID3 = completeUntil(t, "complete:committed", "mp3") })
	t.Run("kill-put-after-data-rename", func(t *testing.T) {
		p := startSandboxProc(t, dir, "put:data-renamed")
		_, err := p.client().PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("big"), Body: bytes.NewReader(big[:1<<20])})
		if err == nil {
			t.Fatal("PUT survived")
		}
		p.killed(t)
	})

	t.Run("kill-after-journal-append", func(t *testing.T) {
		p := startSandboxProc(t, dir, "commit:appended")
		_, err := p.client().PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("small"), Body: bytes.NewReader(part1[:5000])})
		if err == nil {
			t.Fatal("PUT survived")
		}
		p.killed(t)
	})
	t.Run("torn-journal-tail", func(t *testing.T) {
		// A record cut short by a crash mid-append: garbage after the last whole record.
		j, err := openJournal(filepath.Join(dir, "buckets", "examplebucket", "journal"))
		if err != nil {
			t.Fatal(err)
		}
		records := 0
		if err := j.replay(func(*recHeader, int64, int64) { records++ }); err != nil {
			t.Fatal(err)
		}
		if records == 0 {
			t.Fatal("empty journal")
		}
		j.f.WriteAt([]byte("OSJ1\x10\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04{\"op\":\"put\""), j.end)
		j.close()
	})
	t.Run("restart-and-check", func(t *testing.T) {
		p := startSandboxProc(t, dir, "")
		c := p.client()
		got, _ := getAll(t, c, "examplebucket", "big")
		if !bytes.Equal(got, oldBig) {
			t.Fatalf("big is %d bytes, want the previous whole version (%d)", len(got), len(oldBig))
		}
		lu, err := c.ListMultipartUploads(ctx, &ossdk.ListMultipartUploadsRequest{Bucket: bk})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, u := range lu.Uploads {
			ids[ossdk.ToString(u.UploadId)] = true
		}
		if !ids[uploadID] || !ids[uploadID2] || ids[uploadID3] || len(ids) != 2 {
			t.Fatalf("uploads after restart: %v (want %s and %s, not %s)", ids, uploadID, uploadID2, uploadID3)
		}
		lp, err := c.ListParts(ctx, &ossdk.ListPartsRequest{Bucket: bk, Key: ossdk.Ptr("mp"), UploadId: ossdk.Ptr(uploadID)})
		if err != nil || len(lp.Parts) != 1 || lp.Parts[0].Size != int64(len(part1)) {
			t.Fatalf("parts after restart: %v %+v", err, lp)
		}
		_, err = c.HeadObject(ctx, &ossdk.HeadObjectRequest{Bucket: bk, Key: ossdk.Ptr("mp2")})
		wantErr(t, err, 404, "NoSuchKey", "")
		// Appended but killed before the flush: the record survived in the page cache (a kill, not
		// a power cut), so the object is there and whole.
		got, _ = getAll(t, c, "examplebucket", "small")
		if !bytes.Equal(got, part1[:5000]) {
			t.Fatal("small not whole")
		}
		got, _ = getAll(t, c, "examplebucket", "mp3")
		if !bytes.Equal(got, append(append([]byte{}, part1...), part1[:1000]...)) {
			t.Fatal("mp3 not whole")
		}
		for _, id := range []string{uploadID, uploadID2} {
			key := map[string]string{uploadID: "mp", uploadID2: "mp2"}[id]
			if _, err := c.AbortMultipartUpload(ctx, &ossdk.AbortMultipartUploadRequest{Bucket: bk, Key: ossdk.Ptr(key), UploadId: ossdk.Ptr(id)}); err != nil {
				t.Fatal(err)
			}
		}
		p.kill()
		// Nothing is left behind: no temp files, no data without metadata, no upload dirs.
		tmp, _ := os.ReadDir(filepath.Join(dir, "tmp"))
		datas, _ := os.ReadDir(filepath.Join(dir, "buckets", "examplebucket", "data"))
		ups, _ := os.ReadDir(filepath.Join(dir, "buckets", "examplebucket", "uploads"))
		// Live objects with data files: big (1 MiB) and mp3 (multipart); small ones live in the journal.
		if len(tmp) != 0 || len(datas) != 2 || len(ups) != 0 {
			t.Fatalf("leftovers: tmp %d, data %d (want 2), uploads %d", len(tmp), len(datas), len(ups))
		}
	})
}
