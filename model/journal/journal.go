// Package journal is the sandbox's decision journal: one JSON line per authorization decision
// (model.DecisionRecord), appended to a 0600 file that rotates at a size bound, plus the most
// recent records in memory for the live feed (GET /-/journal?since=N).
//
// Durability: each record is written with a single write(2) of one whole line under a mutex,
// straight to the file (no user-space buffer). Concurrent decisions therefore never interleave
// inside a line, and a process killed with SIGKILL loses at most the line being written: what
// write(2) returned is in the kernel's page cache. A torn last line (the process died inside
// the write) is skipped by the readers and cut off by the next Open. The journal is not
// fsynced: a power loss may lose the last seconds, which a recording can afford.
//
// Bound: the file rotates when the next line would take it past Options.MaxBytes
// (DefaultMaxBytes, 16 MiB): FILE becomes FILE.1, FILE.1 becomes FILE.2, ..., and FILE.Keep
// (DefaultKeep, 3) is dropped, so a journal never holds more than (Keep+1)·MaxBytes on disk
// (64 MiB by default). Sequence numbers continue across rotations and restarts.
//
// Nothing secret is written: records name principals by ARN, session and AccessKeyId, never a
// secret or a security token (model.DecisionRecord has no field for one).
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/stsdeck/stsdeck/model"
)

// Defaults of Options.
const (
	DefaultMaxBytes = 16 << 20 // one file
	DefaultKeep     = 3        // rotated files kept beside it
	DefaultMemory   = 4096     // records held for the live feed
	// MaxValueBytes bounds each condition-key value written (a User-Agent can be long);
	// oss:Prefix (at most 1,023 bytes in OSS) always fits.
	MaxValueBytes = 1024
	// maxLine bounds a line on reading (a record is a few KiB at most).
	maxLine = 1 << 20
)

// Options bound a journal.
type Options struct {
	MaxBytes int64 // rotate before a file grows past this; 0 = DefaultMaxBytes
	Keep     int   // rotated files kept (FILE.1 … FILE.Keep); 0 = DefaultKeep
	Memory   int   // records held in memory for Since; 0 = DefaultMemory
}

// Writer appends records to a journal file. It is safe for concurrent use.
type Writer struct {
	path string
	opt  Options

	mu      sync.Mutex
	f       *os.File
	size    int64
	seq     uint64 // last assigned
	first   uint64 // first seq assigned by this process
	ring    []model.DecisionRecord
	err     error // first write failure (the sandbox keeps serving; Err reports it)
	dropped uint64
	closed  bool
	line    []byte // the line being written (reused; guarded by mu)
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Open opens (or creates, 0600) the journal at path. An existing file must be a regular file;
// its mode is narrowed to 0600, a torn last line is cut off, and numbering continues after its
// last record.
func Open(path string, o Options) (*Writer, error) {
	if path == "" {
		return nil, errors.New("journal: no file name")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	if o.Memory <= 0 {
		o.Memory = DefaultMemory
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("journal %s: not a regular file", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	size, last, err := repairTail(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if last == 0 && size == 0 {
		// A fresh file after a rotation: continue after the newest rotated one.
		if g, err := os.Open(path + ".1"); err == nil {
			_, last, _ = lastSeqAt(g)
			g.Close()
		}
	}
	w := &Writer{path: path, opt: o, f: f, size: size, seq: last, first: last + 1, ring: make([]model.DecisionRecord, o.Memory)}
	return w, nil
}

// repairTail cuts a torn last line off f and returns the size and the last record's Seq.
func repairTail(f *os.File) (int64, uint64, error) {
	size, last, complete := lastSeqAt(f)
	if complete < size {
		if err := f.Truncate(complete); err != nil {
			return 0, 0, err
		}
		size = complete
	}
	return size, last, nil
}

// lastSeqAt reads the end of f: its size, the Seq of the last whole line and the offset just
// after the last newline.
func lastSeqAt(f *os.File) (size int64, last uint64, complete int64) {
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, 0
	}
	size = fi.Size()
	const tail = 256 << 10
	off := max(0, size-tail)
	buf := make([]byte, size-off)
	n, _ := f.ReadAt(buf, off)
	buf = buf[:n]
	nl := bytes.LastIndexByte(buf, '\n')
	if nl < 0 {
		if off == 0 {
			return size, 0, 0
		}
		return size, 0, size // a line longer than the tail: leave it
	}
	complete = off + int64(nl) + 1
	lines := buf[:nl]
	for len(lines) > 0 {
		i := bytes.LastIndexByte(lines, '\n')
		line := lines[i+1:]
		var r struct {
			Seq uint64 `json:"seq"`
		}
		if json.Unmarshal(line, &r) == nil && r.Seq > 0 {
			return size, r.Seq, complete
		}
		if i < 0 {
			break
		}
		lines = lines[:i]
	}
	return size, 0, complete
}

// Path is the journal's file.
func (w *Writer) Path() string { return w.path }

// Record appends r (its Seq is assigned here). A write failure does not stop the caller: the
// record stays in memory, and Err reports the failure.
func (w *Writer) Record(r model.DecisionRecord) {
	r.Seq = 0
	r.Context = boundContext(r.Context)
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	// The body is encoded outside the lock; the lock covers the seq, the copy into the line
	// and the one write.
	body := appendBody((*bp)[:0], &r)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		w.dropped++
		return
	}
	w.seq++
	r.Seq = w.seq
	w.ring[(r.Seq-1)%uint64(len(w.ring))] = r
	line := append(w.line[:0], `{"seq":`...)
	line = strconv.AppendUint(line, r.Seq, 10)
	line = append(line, ',')
	line = append(line, body...)
	line = append(line, '\n')
	w.line = line
	*bp = body
	if w.size > 0 && w.size+int64(len(line)) > w.opt.MaxBytes {
		if err := w.rotate(); err != nil && w.err == nil {
			w.err = err
		}
	}
	if w.f == nil {
		w.dropped++
		return
	}
	n, err := w.f.Write(line)
	w.size += int64(n)
	if err != nil {
		w.dropped++
		if w.err == nil {
			w.err = fmt.Errorf("journal %s: %w", w.path, err)
		}
	}
}

// rotate shifts FILE → FILE.1 → … → FILE.Keep and starts a new FILE. Called with mu held.
func (w *Writer) rotate() error {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	for k := w.opt.Keep - 1; k >= 1; k-- {
		os.Rename(w.path+"."+strconv.Itoa(k), w.path+"."+strconv.Itoa(k+1))
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("journal: rotating %s: %w", w.path, err)
	}
	f, err := os.OpenFile(w.path, os.O_RDWR|os.O_CREATE|os.O_APPEND|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	w.f, w.size = f, 0
	return nil
}

// boundContext cuts each value to MaxValueBytes (on a UTF-8 boundary), copying only when needed.
func boundContext(ctx map[string][]string) map[string][]string {
	long := false
	for _, vs := range ctx {
		for _, v := range vs {
			if len(v) > MaxValueBytes {
				long = true
			}
		}
	}
	if !long {
		return ctx
	}
	out := make(map[string][]string, len(ctx))
	for k, vs := range ctx {
		nv := make([]string, len(vs))
		for i, v := range vs {
			if len(v) > MaxValueBytes {
				cut := MaxValueBytes
				for cut > 0 && !utf8.RuneStart(v[cut]) {
					cut--
				}
				v = v[:cut]
			}
			nv[i] = v
		}
		out[k] = nv
	}
	return out
}

// Since returns up to limit records (≤ 0: 500; at most Memory) with Seq > after, oldest first.
func (w *Writer) Since(after uint64, limit int) model.JournalPage {
	if limit <= 0 {
		limit = 500
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	limit = min(limit, len(w.ring))
	page := model.JournalPage{Next: after, File: w.path, Records: []model.DecisionRecord{}}
	if after >= w.seq {
		if after > w.seq {
			page.Next = w.seq // a journal restarted after a reset: start over
		}
		return page
	}
	oldest := w.first
	if w.seq >= uint64(len(w.ring)) {
		oldest = max(oldest, w.seq-uint64(len(w.ring))+1)
	}
	from := after + 1
	if from < oldest {
		page.Missed = oldest - from
		from = oldest
	}
	for s := from; s <= w.seq && len(page.Records) < limit; s++ {
		page.Records = append(page.Records, w.ring[(s-1)%uint64(len(w.ring))])
	}
	if n := len(page.Records); n > 0 {
		page.Next = page.Records[n-1].Seq
	} else {
		page.Next = w.seq
	}
	return page
}

// Err reports the first write failure, and how many records did not reach the file.
func (w *Writer) Err() (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dropped, w.err
}

// Close closes the file; later records are dropped.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// Read parses journal lines from r. Lines that are not whole records (a torn last line, a
// line that is not JSON) are skipped and described in warnings with their line number.
func Read(r io.Reader, name string) (recs []model.DecisionRecord, warnings []string, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, rerr := br.ReadSlice('\n')
		if errors.Is(rerr, bufio.ErrBufferFull) {
			long := append([]byte(nil), line...)
			for errors.Is(rerr, bufio.ErrBufferFull) && len(long) <= maxLine {
				line, rerr = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
			if len(long) > maxLine {
				for errors.Is(rerr, bufio.ErrBufferFull) {
					_, rerr = br.ReadSlice('\n')
				}
				warnings = append(warnings, fmt.Sprintf("%s:%d: line longer than %d bytes skipped", name, n, maxLine))
				line = nil
			}
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return recs, warnings, fmt.Errorf("%s: %w", name, rerr)
		}
		if len(line) > 0 {
			whole := line[len(line)-1] == '\n'
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) > 0 {
				var rec model.DecisionRecord
				if jerr := json.Unmarshal(trimmed, &rec); jerr != nil || rec.Action == "" && rec.Decision == "" {
					if !whole {
						warnings = append(warnings, fmt.Sprintf("%s:%d: torn last line skipped (the writer stopped inside it)", name, n))
					} else {
						warnings = append(warnings, fmt.Sprintf("%s:%d: not a journal record, skipped", name, n))
					}
				} else {
					// (A whole record without its newline is kept: the writer's line is one
					// write, so this is a file cut by something else.)
					recs = append(recs, rec)
				}
			}
		}
		if rerr != nil {
			return recs, warnings, nil
		}
	}
}

// Files returns the journal's files oldest first: FILE.N … FILE.1, FILE (those that exist).
func Files(path string) []string {
	var rot []string
	for k := 1; ; k++ {
		p := path + "." + strconv.Itoa(k)
		if _, err := os.Stat(p); err != nil {
			break
		}
		rot = append(rot, p)
	}
	out := make([]string, 0, len(rot)+1)
	for i := len(rot) - 1; i >= 0; i-- {
		out = append(out, rot[i])
	}
	return append(out, path)
}

// ReadFile reads the journal at path with its rotated predecessors (FILE.N … FILE.1), oldest
// first. The named file must exist.
func ReadFile(path string) ([]model.DecisionRecord, []string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	var all []model.DecisionRecord
	var warns []string
	for _, p := range Files(path) {
		f, err := os.Open(p)
		if err != nil {
			return nil, warns, fmt.Errorf("journal: %w", err)
		}
		recs, w, err := Read(f, p)
		f.Close()
		warns = append(warns, w...)
		if err != nil {
			return nil, warns, err
		}
		all = append(all, recs...)
	}
	return all, warns, nil
}
