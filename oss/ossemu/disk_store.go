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

// crashPoint, when set (by the crash test's helper process only), is called at the named
// points of a write so that the process can be killed there.
var crashPoint func(name string)

// writeFault, when set (tests only), fails writes of object data and journal records as a full
// disk would.
var writeFault func() error

type faultWriter struct{ w io.Writer }

func (f faultWriter) Write(p []byte) (int, error) {
	if writeFault != nil {
		if err := writeFault(); err != nil {
			return 0, err
		}
	}
	return f.w.Write(p)
}

func hit(name string) {
	if crashPoint != nil {
		crashPoint(name)
	}
}

// diskStore is the Store on a local directory:
//
//	<dir>/tmp/                           temp files, emptied at start
//	<dir>/buckets/<b>/journal             the commit log (see journal.go); small objects' data lives in it
//	<dir>/buckets/<b>/data/<blob>         data of larger objects: a file, or a directory of part files
//	<dir>/buckets/<b>/uploads/<id>/       upload.json, part-<n>.json (commit of a part), part data
//	<dir>/buckets/<b>/policy.json         stored bucket policy state
//
// Object keys only ever appear inside journal records and JSON files; file names are random ids.
type diskStore struct {
	dir   string
	clock func() time.Time
	sync  *syncer

	mu      sync.Mutex
	buckets map[string]*bucketIndex
	readers map[string]int  // blob path → open readers
	doomed  map[string]bool // blob path → delete when the last reader closes

	bg sync.WaitGroup // removals of replaced data in progress (Close waits for them)
}

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
}

// OpenDiskStore opens (creating if needed) a store in dir for the given buckets, recovering
// from any crash: temp files are removed, data no metadata refers to is removed, and uploads
// whose completion had committed are cleaned up.
func OpenDiskStore(dir string, buckets []string, clock func() time.Time) (*diskStore, error) {
	if clock == nil {
		clock = time.Now
	}
	s := &diskStore{dir: dir, clock: clock, buckets: map[string]*bucketIndex{}, readers: map[string]int{}, doomed: map[string]bool{}}
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

func (s *diskStore) bucket(name string) (*bucketIndex, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return nil, ErrNoSuchBucket
	}
	return b, nil
}

func (s *diskStore) Close() error {
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
