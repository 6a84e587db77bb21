package ossemu

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/stsdeck/stsdeck/model"
)

func openTestStore(t *testing.T, dir string) *DiskStore {
	t.Helper()
	return openTestStoreWith(t, dir, DiskOptions{})
}

func openTestStoreWith(t *testing.T, dir string, opts DiskOptions) *DiskStore {
	t.Helper()
	s, err := OpenDiskStore(dir, []string{"b"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// diskFull fails the store's writes as a full disk would while it is set (DiskOptions.WriteFault).
type diskFull struct{ atomic.Bool }

func (d *diskFull) fault() error {
	if d.Load() {
		return syscall.ENOSPC
	}
	return nil
}

func readObject(t *testing.T, s Store, key string) []byte {
	t.Helper()
	r, err := s.Open(context.Background(), "b", key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Concurrent writers to one key: the last complete writer wins, never a mix, for small
// (journal) and large (blob) objects; readers always see one whole version.
func TestStoreConcurrentWriters(t *testing.T) {
	for _, size := range []int{3000, 300 << 10} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			s := openTestStore(t, t.TempDir())
			versions := map[[16]byte]bool{}
			var bodies [][]byte
			for i := 0; i < 6; i++ {
				b := bytes.Repeat([]byte{byte('a' + i)}, size)
				bodies = append(bodies, b)
				versions[md5.Sum(b)] = true
			}
			if _, err := s.Put(ctx, "b", "k", bytes.NewReader(bodies[0]), Attrs{}, nil); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			stop := make(chan struct{})
			var readErr error
			var rmu sync.Mutex
			wg.Add(1)
			go func() { // a reader racing the writers
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					r, err := s.Open(ctx, "b", "k")
					if err != nil {
						continue
					}
					b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size))
					r.Close()
					if err != nil || !versions[md5.Sum(b)] {
						rmu.Lock()
						readErr = fmt.Errorf("reader saw a torn or mixed version (%d bytes, %v)", len(b), err)
						rmu.Unlock()
						return
					}
				}
			}()
			var writers sync.WaitGroup
			for i := 1; i < len(bodies); i++ {
				writers.Add(1)
				go func(b []byte) {
					defer writers.Done()
					for n := 0; n < 5; n++ {
						if _, err := s.Put(ctx, "b", "k", bytes.NewReader(b), Attrs{}, nil); err != nil {
							t.Error(err)
						}
					}
				}(bodies[i])
			}
			writers.Wait()
			close(stop)
			wg.Wait()
			if readErr != nil {
				t.Fatal(readErr)
			}
			st, _ := s.Stat(ctx, "b", "k")
			got := readObject(t, s, "k")
			if !versions[md5.Sum(got)] || etagOf(func() []byte { h := md5.Sum(got); return h[:] }()) != st.ETag {
				t.Fatal("final version is not one whole write or does not match its metadata")
			}
			// The same after a restart.
			s.Close()
			s2 := openTestStore(t, s.dir)
			if !bytes.Equal(readObject(t, s2, "k"), got) {
				t.Fatal("restart changed the winner")
			}
		})
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestStoreFailedWritesKeepPrevious(t *testing.T) {
	var full diskFull
	s := openTestStoreWith(t, t.TempDir(), DiskOptions{WriteFault: full.fault})
	prev := []byte("previous version")
	if _, err := s.Put(ctx, "b", "k", bytes.NewReader(prev), Attrs{}, nil); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		put  func() error
	}{
		{"reader-error-small", func() error {
			_, err := s.Put(ctx, "b", "k", &failingReader{data: []byte("partial"), err: io.ErrUnexpectedEOF}, Attrs{}, nil)
			return err
		}},
		{"reader-error-large", func() error {
			_, err := s.Put(ctx, "b", "k", &failingReader{data: make([]byte, 200<<10), err: io.ErrUnexpectedEOF}, Attrs{}, nil)
			return err
		}},
		{"cancelled", func() error {
			_, err := s.Put(cancelled, "b", "k", bytes.NewReader(make([]byte, 100<<10)), Attrs{}, nil)
			return err
		}},
		{"check-refuses", func() error {
			_, err := s.Put(ctx, "b", "k", strings.NewReader("new"), Attrs{}, func(*Object) error { return errors.New("no") })
			return err
		}},
		{"too-large", func() error {
			_, err := s.Put(ctx, "b", "k", bytes.NewReader(make([]byte, 200<<10)), Attrs{MaxSize: 100 << 10}, nil)
			return err
		}},
		{"no-overwrite", func() error {
			_, err := s.Put(ctx, "b", "k", strings.NewReader("new"), Attrs{NoOverwrite: true}, nil)
			return err
		}},
		{"disk-full-small", func() error {
			full.Store(true)
			defer full.Store(false)
			_, err := s.Put(ctx, "b", "k", strings.NewReader("new"), Attrs{}, nil)
			return err
		}},
		{"disk-full-large", func() error {
			full.Store(true)
			defer full.Store(false)
			_, err := s.Put(ctx, "b", "k", bytes.NewReader(make([]byte, 1<<20)), Attrs{}, nil)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.put(); err == nil {
				t.Fatal("write succeeded")
			}
			if got := readObject(t, s, "k"); !bytes.Equal(got, prev) {
				t.Fatalf("previous version damaged: %q", got)
			}
		})
	}
	s.Close()
	s2 := openTestStore(t, s.dir)
	if got := readObject(t, s2, "k"); !bytes.Equal(got, prev) {
		t.Fatalf("after restart: %q", got)
	}
}

// Disk full through the HTTP layer: InternalError, nothing corrupted.
func TestDiskFullInternalError(t *testing.T) {
	e := newEnv(t)
	c := e.client("cn-hangzhou", "LTAIroot", "rootsecret", "")
	bk := ossdk.Ptr("examplebucket")
	if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("k"), Body: strings.NewReader("v1")}); err != nil {
		t.Fatal(err)
	}
	e.full.Store(true)
	_, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bk, Key: ossdk.Ptr("k"), Body: strings.NewReader("v2")})
	e.full.Store(false)
	se := wantErr(t, err, 500, "InternalError", "")
	if strings.Contains(se.Message, "no space") {
		t.Fatal("storage detail leaked into the message")
	}
	if tr := e.trace(t, "cn-hangzhou", se.RequestID); tr.Check != "storage" || !strings.Contains(tr.Detail, "no space") {
		t.Fatalf("trace %+v", tr)
	}
	got, _ := getAll(t, c, "examplebucket", "k")
	if string(got) != "v1" {
		t.Fatalf("%q", got)
	}
}

// A reader keeps its version while the key is overwritten and deleted.
func TestStoreReaderKeepsVersion(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	v1 := bytes.Repeat([]byte("1"), 200<<10)
	s.Put(ctx, "b", "k", bytes.NewReader(v1), Attrs{}, nil)
	r, err := s.Open(ctx, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	s.Put(ctx, "b", "k", bytes.NewReader(bytes.Repeat([]byte("2"), 200<<10)), Attrs{}, nil)
	s.Delete(ctx, "b", "k")
	time.Sleep(10 * time.Millisecond)
	b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size))
	r.Close()
	if err != nil || !bytes.Equal(b, v1) {
		t.Fatalf("reader lost its version: %v", err)
	}
	if _, err := s.Stat(ctx, "b", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

// Online compaction: dead records are dropped while serving; readers opened before keep
// reading; the compacted journal survives a restart.
func TestJournalOnlineCompaction(t *testing.T) {
	opts := DiskOptions{CompactMinGarbage: 64 << 10}
	s := openTestStoreWith(t, t.TempDir(), opts)
	keep := bytes.Repeat([]byte("k"), 5000)
	if _, err := s.Put(ctx, "b", "keep", bytes.NewReader(keep), Attrs{}, nil); err != nil {
		t.Fatal(err)
	}
	s.Put(ctx, "b", "hot", strings.NewReader("v0"), Attrs{}, nil)
	early, err := s.Open(ctx, "b", "hot")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.bucket("b")
	var last []byte
	for i := 1; i <= 100; i++ {
		last = bytes.Repeat([]byte{byte(i)}, 4000)
		if _, err := s.Put(ctx, "b", "hot", bytes.NewReader(last), Attrs{}, nil); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			s.Delete(ctx, "b", "gone")
			s.Put(ctx, "b", "gone", strings.NewReader("x"), Attrs{}, nil)
		}
	}
	b.mu.RLock()
	end, retired, cerr := b.jr.end, len(b.retired), b.compactErr
	b.mu.RUnlock()
	if cerr != nil || retired == 0 || end > 200<<10 {
		t.Fatalf("no compaction: journal %d bytes, %d retired, err %v", end, retired, cerr)
	}
	got, _ := io.ReadAll(io.NewSectionReader(early, 0, early.Size))
	early.Close()
	if string(got) != "v0" {
		t.Fatalf("early reader got %q", got)
	}
	check := func(st Store) {
		if !bytes.Equal(readObject(t, st, "hot"), last) || !bytes.Equal(readObject(t, st, "keep"), keep) || string(readObject(t, st, "gone")) != "x" {
			t.Fatal("content after compaction differs")
		}
	}
	check(s)
	s.Close()
	check(openTestStoreWith(t, s.dir, opts))
}

// Config.Store: the server uses the store it is given (no DataDir needed) and closes it.
func TestConfigStore(t *testing.T) {
	st, err := OpenDiskStore(t.TempDir(), []string{"examplebucket"}, DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "examplebucket", "seeded", strings.NewReader("v"), Attrs{}, nil); err != nil {
		t.Fatal(err)
	}
	auth := &testAuth{clock: model.WallClock, creds: map[string]*testCred{}}
	srv, err := New(Config{Store: st, AccountID: testAccount, Buckets: []Bucket{{Name: "examplebucket", Region: "cn-hangzhou"}}, Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	if o, err := srv.store.Stat(ctx, "examplebucket", "seeded"); err != nil || o.Size != 1 {
		t.Fatalf("server does not use the given store: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "examplebucket", "after", strings.NewReader("v"), Attrs{}, nil); err == nil {
		t.Fatal("the server did not close its store")
	}
}
