package ossemu

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Store is the sandbox's object storage. The HTTP layer only talks to this interface.
//
// Guarantees every implementation gives:
//   - Keys are opaque byte strings. No key ("../x", "/etc/passwd", "a\x00b", a 10 KiB key, ...) can
//     name a file outside the store's directory: keys never become path components.
//   - Put, CompleteMultipart and Delete are atomic: a reader sees either the previous version or
//     the new one, never a mix and never a partial object. If the writer is killed, its context is
//     cancelled, its reader fails, or its check function refuses, the previous version stays as it
//     was and readable.
//   - A version is durable (its data and its commit record on stable storage) before the call
//     returns nil.
//   - Concurrent writers to one key: the last one to complete wins, entirely.
//   - Storage failures (disk full, permissions) come back as errors; nothing is corrupted.
//   - Every method honours ctx: a cancelled context aborts the operation without visible effect.
type Store interface {
	// Put streams r into a new version of bucket/key. check, if not nil, is called after r has
	// been read to the end, with the object about to be committed (size, ETag, CRC64 known); a
	// non-nil error from check aborts the write and is returned unchanged.
	Put(ctx context.Context, bucket, key string, r io.Reader, attrs Attrs, check func(*Object) error) (*Object, error)
	// Stat returns the current version of bucket/key or ErrNotFound.
	Stat(ctx context.Context, bucket, key string) (*Object, error)
	// Open returns a reader of the current version; it keeps reading that version even if the
	// key is overwritten or deleted meanwhile. The caller closes it.
	Open(ctx context.Context, bucket, key string) (*ObjectReader, error)
	// Delete removes bucket/key; deleting an absent key is not an error.
	Delete(ctx context.Context, bucket, key string) error
	// Walk calls fn for the objects of bucket whose key starts with prefix and sorts after
	// after, in byte order, until fn returns false. The view is a snapshot taken at the call.
	Walk(ctx context.Context, bucket, prefix, after string, fn func(*Object) bool) error

	// Multipart uploads.
	CreateUpload(ctx context.Context, bucket, key string, attrs Attrs) (*Upload, error)
	GetUpload(ctx context.Context, bucket, uploadID string) (*Upload, error)
	// PutPart streams one part; the previous part with that number (if any) is replaced
	// atomically. check works as for Put.
	PutPart(ctx context.Context, bucket, uploadID string, number int, r io.Reader, check func(*Part) error) (*Part, error)
	// Parts lists the committed parts of an upload in part-number order.
	Parts(ctx context.Context, bucket, uploadID string) ([]*Part, error)
	// CompleteUpload makes the listed parts (in order) the new version of the upload's key,
	// without copying their data, and removes the upload. etag and crc describe the whole object.
	// With noOverwrite it fails with ErrAlreadyExists (and leaves the upload) if the key exists.
	CompleteUpload(ctx context.Context, bucket, uploadID string, parts []*Part, etag string, crc uint64, noOverwrite bool) (*Object, error)
	AbortUpload(ctx context.Context, bucket, uploadID string) error
	// Uploads lists the unfinished uploads of bucket ordered by (key, upload id).
	Uploads(ctx context.Context, bucket string) ([]*Upload, error)

	// Bucket policy persisted by the store: ok=false means no stored state (the seed applies);
	// ok=true with "" means the policy was deleted.
	BucketPolicy(ctx context.Context, bucket string) (doc string, ok bool, err error)
	SetBucketPolicy(ctx context.Context, bucket, doc string) error

	Close() error
}

// Errors a Store returns.
var (
	ErrNotFound       = errors.New("ossemu: no such object")
	ErrNoSuchUpload   = errors.New("ossemu: no such upload")
	ErrNoSuchBucket   = errors.New("ossemu: no such bucket")
	ErrAlreadyExists  = errors.New("ossemu: object exists and overwrite is forbidden")
	ErrEntityTooLarge = errors.New("ossemu: entity too large")
)

// Attrs are the client-supplied attributes stored with an object.
type Attrs struct {
	ContentType string            `json:"content_type,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"` // Cache-Control, Content-Disposition, Content-Encoding, Expires (canonical names)
	Meta        map[string]string `json:"meta,omitempty"`    // x-oss-meta-* without the prefix, lower-case names
	NoOverwrite bool              `json:"-"`                 // x-oss-forbid-overwrite: true
	MaxSize     int64             `json:"-"`                 // > 0: refuse bodies longer than this with ErrEntityTooLarge
}

// Object is one stored object version.
type Object struct {
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // quoted, as sent in the ETag header
	MD5          []byte    `json:"md5,omitempty"`
	CRC64        uint64    `json:"crc64"`
	HasCRC       bool      `json:"has_crc"`
	Type         string    `json:"type"` // "Normal" or "Multipart"
	LastModified time.Time `json:"last_modified"`
	Attrs
	Inline bool      `json:"inline,omitempty"` // the data is in the object's journal record
	Blob   string    `json:"blob,omitempty"`   // otherwise: data file or directory name under data/
	Parts  []blobRef `json:"parts,omitempty"`  // multipart: the files of the blob directory in order

	off    int64 // inline: offset of the data in the journal
	recLen int64 // length of the object's journal record
}

type blobRef struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Upload is an unfinished multipart upload.
type Upload struct {
	ID        string    `json:"id"`
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	Initiated time.Time `json:"initiated"`
	Attrs
}

// Part is one committed part of an upload.
type Part struct {
	Number       int       `json:"number"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // quoted upper-case MD5 hex
	MD5          []byte    `json:"md5"`
	CRC64        uint64    `json:"crc64"`
	LastModified time.Time `json:"last_modified"`
	File         string    `json:"file"`
}

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

// crcTable is CRC-64/XZ as OSS uses it (Go's ECMA table with crc64.Update).
var crcTable = crc64.MakeTable(crc64.ECMA)

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

func (s *diskStore) loadBucket(name string) (*bucketIndex, error) {
	bdir := filepath.Join(s.dir, "buckets", name)
	for _, sub := range []string{"data", "uploads"} {
		if err := os.MkdirAll(filepath.Join(bdir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("ossemu: bucket %s: %w", name, err)
		}
	}
	bi := &bucketIndex{name: name, dir: bdir, objects: map[string]*Object{}, upLocks: map[string]*sync.Mutex{}}
	jpath := filepath.Join(bdir, "journal")
	os.Remove(jpath + ".new") // an interrupted compaction; the old journal is intact
	jr, err := openJournal(jpath)
	if err != nil {
		return nil, fmt.Errorf("ossemu: bucket %s: %w", name, err)
	}
	var total int64
	err = jr.replay(func(h *recHeader, dataOff, recLen int64) {
		total += recLen
		switch h.Op {
		case "put":
			if h.Obj == nil {
				return
			}
			o := h.Obj
			o.off, o.recLen = dataOff, recLen
			bi.objects[o.Key] = o
		case "del":
			delete(bi.objects, h.Key)
		}
	})
	if err != nil {
		jr.close()
		return nil, fmt.Errorf("ossemu: bucket %s: replay journal: %w", name, err)
	}
	bi.jr = jr
	var live int64
	referenced := map[string]bool{}
	for _, o := range bi.objects {
		live += o.recLen
		if !o.Inline {
			referenced[o.Blob] = true
		}
	}
	bi.live = live
	if garbage := total - live; garbage > 4<<20 && garbage > live {
		if err := s.compact(bi); err != nil {
			return nil, fmt.Errorf("ossemu: bucket %s: compact journal: %w", name, err)
		}
	}
	datas, err := os.ReadDir(filepath.Join(bdir, "data"))
	if err != nil {
		return nil, err
	}
	for _, e := range datas {
		if !referenced[e.Name()] {
			os.RemoveAll(filepath.Join(bdir, "data", e.Name()))
		}
	}
	ups, err := os.ReadDir(filepath.Join(bdir, "uploads"))
	if err != nil {
		return nil, err
	}
	for _, e := range ups {
		// An upload whose id is a live blob was completed before the crash.
		if referenced[e.Name()] || !validID(e.Name()) {
			os.RemoveAll(filepath.Join(bdir, "uploads", e.Name()))
			continue
		}
		if _, err := os.Stat(filepath.Join(bdir, "uploads", e.Name(), "upload.json")); err != nil {
			os.RemoveAll(filepath.Join(bdir, "uploads", e.Name()))
		}
	}
	return bi, nil
}

// compact rewrites the journal with only the live records (at start-up, before serving).
func (s *diskStore) compact(b *bucketIndex) error {
	path := b.jr.path
	nj, err := openJournal(path + ".new")
	if err != nil {
		return err
	}
	if err := nj.f.Truncate(0); err != nil {
		nj.close()
		return err
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	offs := make(map[string][3]int64, len(keys))
	for _, k := range keys {
		o := b.objects[k]
		var data []byte
		if o.Inline {
			data = make([]byte, o.Size)
			if _, err := b.jr.f.ReadAt(data, o.off); err != nil {
				nj.close()
				return err
			}
		}
		off, start, end, err := nj.append(&recHeader{Op: "put", Obj: o}, data)
		if err != nil {
			nj.close()
			return err
		}
		offs[k] = [3]int64{off, start, end}
	}
	if err := nj.f.Sync(); err != nil {
		nj.close()
		return err
	}
	if err := os.Rename(path+".new", path); err != nil {
		nj.close()
		return err
	}
	if err := fsyncPaths([]string{filepath.Dir(path)}); err != nil {
		nj.close()
		return err
	}
	for _, k := range keys {
		o := b.objects[k]
		o.off, o.recLen = offs[k][0], offs[k][2]-offs[k][1]
	}
	// Every record of the old journal is now in the new one, on stable storage: its waiters are
	// done. It stays open for readers of inline objects until the store closes.
	old := b.jr
	old.mu.Lock()
	if old.synced < old.end {
		old.synced = old.end
	}
	old.cond.Broadcast()
	old.mu.Unlock()
	b.retired = append(b.retired, old)
	nj.path, nj.synced = path, nj.end
	b.jr = nj
	b.live = nj.end
	return nil
}

// compactMinGarbage is how much dead journal space triggers an online compaction (when it also
// exceeds the live records).
var compactMinGarbage int64 = 64 << 20

// maybeCompact compacts b's journal when most of it is dead; the caller holds b.mu. A failed
// compaction leaves the old journal in use (it is retried at the next trigger).
func (s *diskStore) maybeCompact(b *bucketIndex) {
	garbage := b.jr.end - b.live
	if garbage < compactMinGarbage || garbage <= b.live {
		return
	}
	if err := s.compact(b); err != nil {
		os.Remove(b.jr.path + ".new")
		b.compactErr = err
	}
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

// ctxReader fails reads once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// writeStream copies r into a new temp file in the store's tmp dir, fsyncs it, and returns its
// path, size, MD5 and CRC64. On any error the temp file is removed.
func (s *diskStore) writeStream(ctx context.Context, r io.Reader, max int64) (path string, size int64, sum []byte, crc uint64, err error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "w-*")
	if err != nil {
		return "", 0, nil, 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if max > 0 {
		r = io.LimitReader(r, max+1)
	}
	m := md5.New()
	c := newCRC64()
	size, err = copyHashed(&writebackWriter{w: faultWriter{f}, fd: f.Fd()}, ctxReader{ctx, r}, m, c)
	if err != nil {
		return "", 0, nil, 0, err
	}
	if max > 0 && size > max {
		return "", 0, nil, 0, ErrEntityTooLarge
	}
	// Flush while the pages are ours alone: the commit then only needs the directory entries.
	if err = f.Sync(); err != nil {
		return "", 0, nil, 0, err
	}
	if err = f.Close(); err != nil {
		return "", 0, nil, 0, err
	}
	return f.Name(), size, m.Sum(nil), c.Sum64(), nil
}

// writebackWindow is how much written data makes writebackWriter start its writeback.
const writebackWindow = 8 << 20

// writebackWriter writes sequentially to a file and, every writebackWindow bytes, starts the
// writeback of what it wrote (startWriteback): the device works while the body is still
// streaming, and the fsync at the end only waits for the last window.
type writebackWriter struct {
	w       io.Writer
	fd      uintptr
	off     int64 // bytes written
	flushed int64 // writeback started up to here
}

func (w *writebackWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.off += int64(n)
	if w.off-w.flushed >= writebackWindow {
		startWriteback(w.fd, w.flushed, w.off-w.flushed)
		w.flushed = w.off
	}
	return n, err
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// copyHashed copies r to w while feeding the hashes. Hashing of one buffer overlaps with
// writing it to the file, and both overlap with reading the next buffer.
func copyHashed(w io.Writer, r io.Reader, hs ...hash.Hash) (int64, error) {
	bp1, bp2 := bufPool.Get().(*[]byte), bufPool.Get().(*[]byte)
	defer bufPool.Put(bp1)
	defer bufPool.Put(bp2)
	bufs := [2][]byte{*bp1, *bp2}
	var total int64
	var wg sync.WaitGroup
	var werr error
	for i := 0; ; i ^= 1 {
		n, rerr := fill(r, bufs[i])
		wg.Wait() // the previous buffer is written and hashed
		if werr != nil {
			return total, werr
		}
		if n > 0 {
			total += int64(n)
			chunk := bufs[i][:n]
			// Each hash on its own goroutine (MD5 is the slowest stage), the write on another.
			wg.Add(len(hs) + 1)
			for _, h := range hs {
				go func() {
					defer wg.Done()
					h.Write(chunk)
				}()
			}
			go func() {
				defer wg.Done()
				if _, err := w.Write(chunk); err != nil {
					werr = err
				}
			}()
		}
		if rerr != nil {
			wg.Wait()
			if rerr == io.EOF {
				return total, werr
			}
			return total, rerr
		}
	}
}

// fill reads into buf until it is full or r ends; io.EOF means r ended cleanly (any other
// error, io.ErrUnexpectedEOF included, is the reader's).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeTemp writes v as JSON to a new temp file (not yet durable) and returns its path.
func (s *diskStore) writeTemp(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "j-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// writeJSONAtomic writes v to path: temp file, barrier (durable), rename, barrier (the rename
// is durable).
func (s *diskStore) writeJSONAtomic(path string, v any) error {
	tmp, err := s.writeTemp(v)
	if err != nil {
		return err
	}
	if err := s.sync.barrier(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return s.sync.barrier(filepath.Dir(path))
}

func (s *diskStore) syncDir(dir string) error { return s.sync.barrier(dir) }

func etagOf(sum []byte) string {
	return `"` + strings.ToUpper(hex.EncodeToString(sum)) + `"`
}

func (s *diskStore) Put(ctx context.Context, bucket, key string, r io.Reader, attrs Attrs, check func(*Object) error) (*Object, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	// Small bodies are kept in memory and committed inside their journal record.
	bp := smallPool.Get().(*[]byte)
	defer smallPool.Put(bp)
	small := *bp
	n, rerr := fill(ctxReader{ctx, r}, small)
	if rerr == io.EOF && n <= inlineMax {
		data := small[:n]
		sum := md5.Sum(data)
		o := &Object{Key: key, Size: int64(n), ETag: etagOf(sum[:]), MD5: sum[:], CRC64: crc64Checksum(data), HasCRC: true,
			Type: "Normal", LastModified: s.clock().UTC().Truncate(time.Second), Attrs: attrs, Inline: true}
		if check != nil {
			if err := check(o); err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := s.commit(b, o, data); err != nil {
			return nil, err
		}
		return o, nil
	}
	if rerr != nil && rerr != io.EOF {
		return nil, rerr
	}
	tmp, size, sum, crc, err := s.writeStream(ctx, io.MultiReader(bytes.NewReader(small[:n]), r), attrs.MaxSize)
	if err != nil {
		return nil, err
	}
	blob := newID()
	o := &Object{Key: key, Size: size, ETag: etagOf(sum), MD5: sum, CRC64: crc, HasCRC: true, Type: "Normal",
		LastModified: s.clock().UTC().Truncate(time.Second), Attrs: attrs, Blob: blob}
	if check != nil {
		if err := check(o); err != nil {
			os.Remove(tmp)
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	hit("put:written")
	dataPath := filepath.Join(b.dir, "data", blob)
	if err := os.Rename(tmp, dataPath); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	hit("put:data-renamed")
	// The data itself is durable since writeStream's fsync (a rename does not touch it): only
	// its new directory entry must reach stable storage before the record.
	committed, err := s.commit(b, o, nil, filepath.Join(b.dir, "data"))
	if err != nil {
		if !committed {
			os.Remove(dataPath)
		}
		return nil, err
	}
	return o, nil
}

// smallPool holds buffers one byte larger than inlineMax, to tell "fits" from "longer".
var smallPool = sync.Pool{New: func() any { b := make([]byte, inlineMax+1); return &b }}

// endOf returns a reader of jr's end offset (guarded by the bucket lock).
func (b *bucketIndex) endOf(jr *journal) func() int64 {
	return func() int64 {
		b.mu.RLock()
		defer b.mu.RUnlock()
		return jr.end
	}
}

// commit makes o the current version of its key by appending its record to the bucket's
// journal (inline carries a small object's data). durable lists files and directories that
// must be on stable storage before the record is written (a larger object's data). The append
// happens under the bucket lock, so the index and the journal agree on which of concurrent
// writers was last. committed reports whether the record was appended (after which the data
// must not be removed even if the final flush fails). The previous version's data is removed
// once no reader holds it.
func (s *diskStore) commit(b *bucketIndex, o *Object, inline []byte, durable ...string) (committed bool, err error) {
	if len(durable) > 0 {
		if err := s.sync.barrier(durable...); err != nil {
			return false, err
		}
	}
	b.mu.Lock()
	old := b.objects[o.Key]
	if old != nil && o.NoOverwrite {
		b.mu.Unlock()
		return false, ErrAlreadyExists
	}
	off, start, end, err := b.jr.append(&recHeader{Op: "put", Obj: o}, inline)
	if err != nil {
		b.mu.Unlock()
		return false, err
	}
	o.off, o.recLen = off, end-start
	if old == nil {
		b.sorted = nil
	} else {
		b.live -= old.recLen
	}
	b.live += o.recLen
	b.objects[o.Key] = o
	jr := b.jr
	s.maybeCompact(b)
	b.mu.Unlock()
	hit("commit:appended")
	err = jr.syncTo(end, b.endOf(jr))
	if old != nil && !old.Inline {
		s.dropBlob(filepath.Join(b.dir, "data", old.Blob))
	}
	return true, err
}

// dropBlob removes the data of a version that is no longer current, once no reader holds it.
// The removal runs in the background: unlinking a large file takes the filesystem tens of
// milliseconds (256 MiB: ~80 ms on ext4), which the write that replaced it need not wait for.
// Nothing refers to the data any more, and a crash before it is gone leaves only unreferenced
// data, which start-up removes.
func (s *diskStore) dropBlob(path string) {
	s.mu.Lock()
	if s.readers[path] > 0 {
		s.doomed[path] = true
		s.mu.Unlock()
		return
	}
	s.bg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.bg.Done()
		os.RemoveAll(path)
	}()
}

func (s *diskStore) Stat(ctx context.Context, bucket, key string) (*Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	o := b.objects[key]
	b.mu.RUnlock()
	if o == nil {
		return nil, ErrNotFound
	}
	return o, nil
}

// ObjectReader reads one object version; it implements io.ReaderAt and io.Closer.
type ObjectReader struct {
	*Object
	s     *diskStore
	path  string
	files []*os.File // lazily opened, one per part (one for a simple object)
	offs  []int64    // start offset of each part
	inl   *io.SectionReader
}

func (s *diskStore) Open(ctx context.Context, bucket, key string) (*ObjectReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	o := b.objects[key]
	if o != nil && o.Inline {
		jf := b.jr.f
		b.mu.RUnlock()
		return &ObjectReader{Object: o, s: s, inl: io.NewSectionReader(jf, o.off, o.Size)}, nil
	}
	var path string
	if o != nil {
		path = filepath.Join(b.dir, "data", o.Blob)
		s.mu.Lock()
		s.readers[path]++
		s.mu.Unlock()
	}
	b.mu.RUnlock()
	if o == nil {
		return nil, ErrNotFound
	}
	rd := &ObjectReader{Object: o, s: s, path: path}
	if o.Parts == nil {
		rd.files = make([]*os.File, 1)
		rd.offs = []int64{0}
	} else {
		rd.files = make([]*os.File, len(o.Parts))
		rd.offs = make([]int64, len(o.Parts))
		var off int64
		for i, p := range o.Parts {
			rd.offs[i] = off
			off += p.Size
		}
	}
	return rd, nil
}

func (r *ObjectReader) file(i int) (*os.File, error) {
	if r.files[i] != nil {
		return r.files[i], nil
	}
	p := r.path
	if r.Parts != nil {
		p = filepath.Join(r.path, r.Parts[i].Name)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	r.files[i] = f
	return f, nil
}

// ReadAt implements io.ReaderAt over the whole object.
func (r *ObjectReader) ReadAt(p []byte, off int64) (int, error) {
	if r.inl != nil {
		return r.inl.ReadAt(p, off)
	}
	if off >= r.Size {
		return 0, io.EOF
	}
	n := 0
	for len(p) > 0 && off < r.Size {
		i := sort.Search(len(r.offs), func(i int) bool { return r.offs[i] > off }) - 1
		f, err := r.file(i)
		if err != nil {
			return n, err
		}
		partEnd := r.Size
		if i+1 < len(r.offs) {
			partEnd = r.offs[i+1]
		}
		want := p
		if int64(len(want)) > partEnd-off {
			want = want[:partEnd-off]
		}
		m, err := f.ReadAt(want, off-r.offs[i])
		n += m
		off += int64(m)
		p = p[m:]
		if err != nil && !(err == io.EOF && m == len(want)) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// Close releases the version; its data may be removed afterwards if it was replaced.
func (r *ObjectReader) Close() error {
	if r.inl != nil {
		return nil
	}
	for _, f := range r.files {
		if f != nil {
			f.Close()
		}
	}
	s := r.s
	s.mu.Lock()
	s.readers[r.path]--
	remove := false
	if s.readers[r.path] <= 0 {
		delete(s.readers, r.path)
		if s.doomed[r.path] {
			delete(s.doomed, r.path)
			remove = true
		}
	}
	s.mu.Unlock()
	if remove {
		os.RemoveAll(r.path)
	}
	return nil
}

func (s *diskStore) Delete(ctx context.Context, bucket, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	b.mu.Lock()
	old := b.objects[key]
	if old == nil {
		b.mu.Unlock()
		return nil
	}
	_, _, end, err := b.jr.append(&recHeader{Op: "del", Key: key}, nil)
	if err != nil {
		b.mu.Unlock()
		return err
	}
	delete(b.objects, key)
	b.sorted = nil
	b.live -= old.recLen
	jr := b.jr
	s.maybeCompact(b)
	b.mu.Unlock()
	err = jr.syncTo(end, b.endOf(jr))
	if !old.Inline {
		s.dropBlob(filepath.Join(b.dir, "data", old.Blob))
	}
	return err
}

func (s *diskStore) Walk(ctx context.Context, bucket, prefix, after string, fn func(*Object) bool) error {
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	b.mu.Lock()
	if b.sorted == nil {
		keys := make([]string, 0, len(b.objects))
		for k := range b.objects {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.sorted = keys
	}
	keys := b.sorted // never mutated in place: replaced on change
	start := after
	if prefix > start {
		start = prefix
	}
	i := sort.SearchStrings(keys, start)
	// Snapshot the objects of the range lazily under the lock in batches.
	var batch []*Object
	for ; i < len(keys) && len(batch) < 1024; i++ {
		k := keys[i]
		if k == after {
			continue
		}
		if !strings.HasPrefix(k, prefix) {
			break
		}
		if o := b.objects[k]; o != nil {
			batch = append(batch, o)
		}
	}
	b.mu.Unlock()
	for len(batch) > 0 {
		for _, o := range batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !fn(o) {
				return nil
			}
		}
		last := batch[len(batch)-1].Key
		batch = batch[:0]
		b.mu.RLock()
		for j := sort.SearchStrings(keys, last) + 1; j < len(keys) && len(batch) < 1024; j++ {
			k := keys[j]
			if !strings.HasPrefix(k, prefix) {
				break
			}
			if o := b.objects[k]; o != nil {
				batch = append(batch, o)
			}
		}
		b.mu.RUnlock()
	}
	return nil
}

// ---- multipart ----

func (b *bucketIndex) uploadLock(id string) *sync.Mutex {
	b.upMu.Lock()
	defer b.upMu.Unlock()
	m, ok := b.upLocks[id]
	if !ok {
		m = &sync.Mutex{}
		b.upLocks[id] = m
	}
	return m
}

func (b *bucketIndex) forgetUploadLock(id string) {
	b.upMu.Lock()
	delete(b.upLocks, id)
	b.upMu.Unlock()
}

func (s *diskStore) CreateUpload(ctx context.Context, bucket, key string, attrs Attrs) (*Upload, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	u := &Upload{ID: newID(), Bucket: bucket, Key: key, Initiated: s.clock().UTC(), Attrs: attrs}
	dir := filepath.Join(b.dir, "uploads", u.ID)
	// Build the upload in tmp and rename it in, so a listed upload always has its upload.json.
	tmpDir, err := os.MkdirTemp(filepath.Join(s.dir, "tmp"), "u-*")
	if err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(tmpDir, "upload.json"), u); err != nil {
		os.RemoveAll(tmpDir)
		return nil, err
	}
	if err := s.sync.barrier(filepath.Join(tmpDir, "upload.json"), tmpDir); err != nil {
		os.RemoveAll(tmpDir)
		return nil, err
	}
	if err := os.Rename(tmpDir, dir); err != nil {
		os.RemoveAll(tmpDir)
		return nil, err
	}
	if err := s.syncDir(filepath.Join(b.dir, "uploads")); err != nil {
		return nil, err
	}
	return u, nil
}

func writeFile(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *diskStore) uploadDir(bucket, id string) (*bucketIndex, string, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, "", err
	}
	if !validID(id) {
		return nil, "", ErrNoSuchUpload
	}
	return b, filepath.Join(b.dir, "uploads", id), nil
}

func (s *diskStore) GetUpload(ctx context.Context, bucket, id string) (*Upload, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	_, dir, err := s.uploadDir(bucket, id)
	if err != nil {
		return nil, err
	}
	return readUpload(dir)
}

func readUpload(dir string) (*Upload, error) {
	b, err := os.ReadFile(filepath.Join(dir, "upload.json"))
	if os.IsNotExist(err) {
		return nil, ErrNoSuchUpload
	}
	if err != nil {
		return nil, err
	}
	var u Upload
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, fmt.Errorf("ossemu: corrupt upload record %s: %w", filepath.Base(dir), err)
	}
	return &u, nil
}

func partMetaName(n int) string { return fmt.Sprintf("part-%05d.json", n) }

func (s *diskStore) PutPart(ctx context.Context, bucket, id string, number int, r io.Reader, check func(*Part) error) (*Part, error) {
	b, dir, err := s.uploadDir(bucket, id)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "upload.json")); err != nil {
		return nil, ErrNoSuchUpload
	}
	tmp, size, sum, crc, err := s.writeStream(ctx, r, 5<<30)
	if err != nil {
		return nil, err
	}
	p := &Part{Number: number, Size: size, ETag: etagOf(sum), MD5: sum, CRC64: crc,
		LastModified: s.clock().UTC().Truncate(time.Second), File: fmt.Sprintf("p%05d-%s", number, newID())}
	if check != nil {
		if err := check(p); err != nil {
			os.Remove(tmp)
			return nil, err
		}
	}
	// The data and its record reach stable storage before the record is renamed in (the commit).
	metaTmp, err := s.writeTemp(p)
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	// (The part's data is durable since writeStream's fsync.)
	if err := s.sync.barrier(metaTmp); err != nil {
		os.Remove(tmp)
		os.Remove(metaTmp)
		return nil, err
	}
	lk := b.uploadLock(id)
	lk.Lock()
	if _, err := os.Stat(filepath.Join(dir, "upload.json")); err != nil {
		lk.Unlock()
		os.Remove(tmp)
		os.Remove(metaTmp)
		return nil, ErrNoSuchUpload
	}
	var old *Part
	if ob, err := os.ReadFile(filepath.Join(dir, partMetaName(number))); err == nil {
		var op Part
		if json.Unmarshal(ob, &op) == nil {
			old = &op
		}
	}
	if err := os.Rename(tmp, filepath.Join(dir, p.File)); err != nil {
		lk.Unlock()
		os.Remove(tmp)
		os.Remove(metaTmp)
		return nil, err
	}
	hit("part:data-renamed")
	if err := os.Rename(metaTmp, filepath.Join(dir, partMetaName(number))); err != nil {
		lk.Unlock()
		os.Remove(filepath.Join(dir, p.File))
		os.Remove(metaTmp)
		return nil, err
	}
	lk.Unlock()
	if old != nil && old.File != p.File {
		os.Remove(filepath.Join(dir, old.File))
	}
	if err := s.syncDir(dir); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *diskStore) Parts(ctx context.Context, bucket, id string) ([]*Part, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	_, dir, err := s.uploadDir(bucket, id)
	if err != nil {
		return nil, err
	}
	return readParts(dir)
}

func readParts(dir string) ([]*Part, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, ErrNoSuchUpload
	}
	if err != nil {
		return nil, err
	}
	var parts []*Part
	hasUpload := false
	for _, e := range ents {
		name := e.Name()
		if name == "upload.json" {
			hasUpload = true
			continue
		}
		if !strings.HasPrefix(name, "part-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "part-"), ".json"))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var p Part
		if err := json.Unmarshal(b, &p); err != nil || p.Number != n {
			return nil, fmt.Errorf("ossemu: corrupt part record %s", name)
		}
		parts = append(parts, &p)
	}
	if !hasUpload {
		return nil, ErrNoSuchUpload
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return parts, nil
}

func (s *diskStore) CompleteUpload(ctx context.Context, bucket, id string, parts []*Part, etag string, crc uint64, noOverwrite bool) (*Object, error) {
	b, dir, err := s.uploadDir(bucket, id)
	if err != nil {
		return nil, err
	}
	lk := b.uploadLock(id)
	lk.Lock()
	defer lk.Unlock()
	u, err := readUpload(dir)
	if err != nil {
		return nil, err
	}
	// The blob directory is named after the upload: at start-up an upload whose id is a live
	// blob is known to have completed. Hard links: no data is copied.
	blobDir := filepath.Join(b.dir, "data", id)
	os.RemoveAll(blobDir) // a leftover of an earlier failed attempt
	if err := os.Mkdir(blobDir, 0o700); err != nil {
		return nil, err
	}
	o := &Object{Key: u.Key, ETag: etag, CRC64: crc, HasCRC: true, Type: "Multipart",
		LastModified: s.clock().UTC().Truncate(time.Second), Attrs: u.Attrs, Blob: id}
	o.NoOverwrite = noOverwrite
	o.Parts = make([]blobRef, 0, len(parts))
	fail := func(err error) (*Object, error) {
		os.RemoveAll(blobDir)
		return nil, err
	}
	for i, p := range parts {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		name := fmt.Sprintf("%05d", i+1)
		src := filepath.Join(dir, p.File)
		if err := os.Link(src, filepath.Join(blobDir, name)); err != nil {
			if err := copyFile(src, filepath.Join(blobDir, name)); err != nil {
				return fail(err)
			}
		}
		o.Parts = append(o.Parts, blobRef{Name: name, Size: p.Size})
		o.Size += p.Size
	}
	hit("complete:linked")
	if committed, err := s.commit(b, o, nil, blobDir, filepath.Join(b.dir, "data")); err != nil {
		if committed {
			return nil, err
		}
		return fail(err)
	}
	hit("complete:committed")
	os.RemoveAll(dir)
	s.syncDir(filepath.Join(b.dir, "uploads"))
	b.forgetUploadLock(id)
	return o, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, in); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *diskStore) AbortUpload(ctx context.Context, bucket, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, dir, err := s.uploadDir(bucket, id)
	if err != nil {
		return err
	}
	lk := b.uploadLock(id)
	lk.Lock()
	defer lk.Unlock()
	if _, err := os.Stat(filepath.Join(dir, "upload.json")); err != nil {
		return ErrNoSuchUpload
	}
	// Remove the record first: from then on the upload does not exist.
	if err := os.Remove(filepath.Join(dir, "upload.json")); err != nil {
		return err
	}
	os.RemoveAll(dir)
	b.forgetUploadLock(id)
	return s.syncDir(filepath.Join(b.dir, "uploads"))
}

func (s *diskStore) Uploads(ctx context.Context, bucket string) ([]*Upload, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(b.dir, "uploads"))
	if err != nil {
		return nil, err
	}
	var ups []*Upload
	for _, e := range ents {
		if !validID(e.Name()) {
			continue
		}
		u, err := readUpload(filepath.Join(b.dir, "uploads", e.Name()))
		if err != nil {
			continue // aborted or completed meanwhile
		}
		ups = append(ups, u)
	}
	sort.Slice(ups, func(i, j int) bool {
		if ups[i].Key != ups[j].Key {
			return ups[i].Key < ups[j].Key
		}
		return ups[i].ID < ups[j].ID
	})
	return ups, nil
}

type policyState struct {
	Policy string `json:"policy"`
}

func (s *diskStore) BucketPolicy(ctx context.Context, bucket string) (string, bool, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return "", false, err
	}
	data, err := os.ReadFile(filepath.Join(b.dir, "policy.json"))
	if os.IsNotExist(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var st policyState
	if err := json.Unmarshal(data, &st); err != nil {
		return "", false, fmt.Errorf("ossemu: stored policy of bucket %s is corrupt: %w", bucket, err)
	}
	return st.Policy, true, nil
}

func (s *diskStore) SetBucketPolicy(ctx context.Context, bucket, doc string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	return s.writeJSONAtomic(filepath.Join(b.dir, "policy.json"), policyState{Policy: doc})
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
