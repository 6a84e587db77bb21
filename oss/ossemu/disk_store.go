package ossemu

// The disk Store: its directory layout, its in-memory index per bucket, opening and closing,
// and the test fault hooks.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DiskOptions configure a DiskStore. The zero value is the production store.
type DiskOptions struct {
	// Clock stamps versions, parts and uploads; nil means time.Now.
	Clock func() time.Time
	// CrashPoint, if set (by the crash test's helper process only), is called at the named
	// points of a write ("put:written", "put:data-renamed", "commit:appended",
	// "part:data-renamed", "complete:linked", "complete:committed", "append:written",
	// "append:committed") so that the process can be killed there.
	CrashPoint func(name string)
	// WriteFault, if set (tests only), is called before each write of object data and of a
	// journal record; an error fails that write as a full disk would.
	WriteFault func() error
	// CompactMinGarbage is how much dead journal space triggers an online compaction (when it
	// also exceeds the live records); 0 means 64 MiB.
	CompactMinGarbage int64
}

// defaultCompactMinGarbage is DiskOptions.CompactMinGarbage's default.
const defaultCompactMinGarbage = 64 << 20

// faultWriter fails writes with the store's WriteFault, if any.
type faultWriter struct {
	w     io.Writer
	fault func() error
}

func (f faultWriter) Write(p []byte) (int, error) {
	if f.fault != nil {
		if err := f.fault(); err != nil {
			return 0, err
		}
	}
	return f.w.Write(p)
}

// hit marks a named point of a write for the crash test.
func (s *DiskStore) hit(name string) {
	if s.opts.CrashPoint != nil {
		s.opts.CrashPoint(name)
	}
}

// DiskStore is the Store on a local directory:
//
//	<dir>/tmp/                           temp files, emptied at start
//	<dir>/buckets/<b>/journal             the commit log (see journal.go); small objects' data lives in it
//	<dir>/buckets/<b>/data/<blob>         data of larger objects: a file, or a directory of part files
//	<dir>/buckets/<b>/uploads/<id>/       upload.json, part-<n>.json (commit of a part), part data
//	<dir>/buckets/<b>/policy.json         stored bucket policy state
//
// Object keys only ever appear inside journal records and JSON files; file names are random ids.
type DiskStore struct {
	dir   string
	clock func() time.Time
	opts  DiskOptions
	sync  *syncer

	mu      sync.Mutex
	buckets map[string]*bucketIndex
	readers map[string]int  // blob path → open readers
	doomed  map[string]bool // blob path → delete when the last reader closes

	bg sync.WaitGroup // removals of replaced data in progress (Close waits for them)
}

var _ Store = (*DiskStore)(nil)

type bucketIndex struct {
	name       string
	dir        string
	mu         sync.RWMutex
	objects    map[string]*Object
	sorted     []string // sorted keys; nil = rebuild
	jr         *journal
	retired    []*journal // replaced by compaction, kept open for readers
	live       int64      // bytes of the journal records of current objects
	compactErr error
	upMu       sync.Mutex
	upLocks    map[string]*sync.Mutex
	appending  appendBusy // keys an append is writing to (guarded by upMu)
}

// OpenDiskStore opens (creating if needed) a store in dir for the given buckets, recovering
// from any crash: temp files are removed, data no metadata refers to is removed, and uploads
// whose completion had committed are cleaned up.
func OpenDiskStore(dir string, buckets []string, opts DiskOptions) (*DiskStore, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.CompactMinGarbage <= 0 {
		opts.CompactMinGarbage = defaultCompactMinGarbage
	}
	s := &DiskStore{dir: dir, clock: opts.Clock, opts: opts, buckets: map[string]*bucketIndex{}, readers: map[string]int{}, doomed: map[string]bool{}}
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ossemu: create data dir: %w", err)
	}
	sy, err := newSyncer(dir)
	if err != nil {
		return nil, fmt.Errorf("ossemu: open data dir: %w", err)
	}
	s.sync = sy
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("ossemu: clean %s: %w", tmp, err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("ossemu: create data dir: %w", err)
	}
	for _, b := range buckets {
		bi, err := s.loadBucket(b)
		if err != nil {
			return nil, err
		}
		s.buckets[b] = bi
	}
	return s, nil
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func (s *DiskStore) bucket(name string) (*bucketIndex, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return nil, ErrNoSuchBucket
	}
	return b, nil
}

// Close waits for pending removals of replaced data and closes the journals.
func (s *DiskStore) Close() error {
	s.bg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.buckets {
		b.mu.Lock()
		b.jr.close()
		for _, j := range b.retired {
			j.close()
		}
		b.mu.Unlock()
	}
	return s.sync.close()
}
