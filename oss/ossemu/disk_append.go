package ossemu

// Appendable objects in the disk store (AppendObject). An appendable object is one data file
// under data/ that grows in place: an append writes its bytes after the committed length,
// fsyncs the file, and then commits a new version (a journal record with the new length and
// CRC). Every version of the object refers to the same file, each reading only up to its own
// length, so readers of an older version are unaffected by the bytes after it. A crash before
// the record leaves bytes past the committed length, which start-up cuts off (and which the
// next append overwrites anyway): the object is the previous version, whole.

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// appendBusy is the set of keys an append is writing to, per bucket (guarded by upMu).
type appendBusy map[string]bool

// tryAppendLock claims key for one append; false when another append to it is in flight.
func (b *bucketIndex) tryAppendLock(key string) bool {
	b.upMu.Lock()
	defer b.upMu.Unlock()
	if b.appending == nil {
		b.appending = appendBusy{}
	}
	if b.appending[key] {
		return false
	}
	b.appending[key] = true
	return true
}

func (b *bucketIndex) appendUnlock(key string) {
	b.upMu.Lock()
	delete(b.appending, key)
	b.upMu.Unlock()
}

// appendETag is the ETag of an appendable version: not an MD5 (OSS: "the ETag value is the
// UUID of the object content" for objects not made by one PutObject); CRC64 and length in hex
// (format chosen here).
func appendETag(crc uint64, size int64) string {
	return fmt.Sprintf(`"%016X%016X"`, crc, uint64(size))
}

func (s *DiskStore) Append(ctx context.Context, bucket, key string, position int64, r io.Reader, attrs Attrs, check AppendCheck) (*Object, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	base := b.objects[key]
	b.mu.RUnlock()
	if e := appendable(base, position); e != nil {
		return nil, e
	}
	if !b.tryAppendLock(key) {
		// Another append to this key is in flight: this one's position cannot be the length
		// the object will have (OSS answers the same under concurrency).
		return nil, positionErr(base)
	}
	defer b.appendUnlock(key)
	// Re-read under the claim: an append that finished meanwhile changed the length.
	b.mu.RLock()
	base = b.objects[key]
	b.mu.RUnlock()
	if e := appendable(base, position); e != nil {
		return nil, e
	}
	max := int64(0)
	if attrs.MaxSize > 0 {
		if max = attrs.MaxSize - position; max <= 0 {
			return nil, ErrEntityTooLarge
		}
	}
	if base == nil {
		return s.appendFirst(ctx, b, key, r, attrs, max, check)
	}
	return s.appendMore(ctx, b, base, r, max, check)
}

// appendable checks position against the current version.
func appendable(o *Object, position int64) error {
	if o == nil {
		if position != 0 {
			return &PositionError{}
		}
		return nil
	}
	if o.Type != "Appendable" {
		return ErrNotAppendable
	}
	if o.Size != position {
		return positionErr(o)
	}
	return nil
}

func positionErr(o *Object) *PositionError {
	if o == nil {
		return &PositionError{}
	}
	return &PositionError{Next: o.Size, CRC64: o.CRC64, HasCRC: o.HasCRC}
}

// appendFirst creates the object: as Put, a temp file renamed into data/ before the record.
func (s *DiskStore) appendFirst(ctx context.Context, b *bucketIndex, key string, r io.Reader, attrs Attrs, max int64, check AppendCheck) (*Object, error) {
	tmp, size, sum, crc, err := s.writeStream(ctx, r, max)
	if err != nil {
		return nil, err
	}
	blob := newID()
	o := &Object{Key: key, Size: size, ETag: appendETag(crc, size), CRC64: crc, HasCRC: true, Type: "Appendable",
		LastModified: s.clock().UTC().Truncate(time.Second), Attrs: attrs, Blob: blob}
	o.MaxSize, o.NoOverwrite = 0, false
	if check != nil {
		if err := check(o, size, sum); err != nil {
			os.Remove(tmp)
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	dataPath := filepath.Join(b.dir, "data", blob)
	if err := os.Rename(tmp, dataPath); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	s.hit("append:written")
	committed, err := s.commitAppend(b, o, nil, filepath.Join(b.dir, "data"))
	if err != nil && !committed {
		os.Remove(dataPath)
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

// appendMore writes r after base's bytes in base's data file, fsyncs it, and commits.
func (s *DiskStore) appendMore(ctx context.Context, b *bucketIndex, base *Object, r io.Reader, max int64, check AppendCheck) (*Object, error) {
	dataPath := filepath.Join(b.dir, "data", base.Blob)
	f, err := os.OpenFile(dataPath, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		// Replaced or deleted since it was read: its data is gone.
		return nil, s.conflict(b, base.Key)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cut := func() { f.Truncate(base.Size) } // best effort: bytes past the committed length are dead
	if max > 0 {
		r = io.LimitReader(r, max+1)
	}
	c, m := newCRC64(), md5.New()
	w := &writebackWriter{w: faultWriter{io.NewOffsetWriter(f, base.Size), s.opts.WriteFault}, fd: f.Fd()}
	n, err := copyHashed(w, ctxReader{ctx, r}, c, m)
	if err == nil && max > 0 && n > max {
		err = ErrEntityTooLarge
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		cut()
		return nil, err
	}
	crc := crc64Combine(base.CRC64, c.Sum64(), n)
	o := &Object{Key: base.Key, Size: base.Size + n, ETag: appendETag(crc, base.Size+n), CRC64: crc, HasCRC: true, Type: "Appendable",
		LastModified: s.clock().UTC().Truncate(time.Second), Attrs: base.Attrs, Blob: base.Blob}
	if check != nil {
		if err := check(o, n, m.Sum(nil)); err != nil {
			cut()
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		cut()
		return nil, err
	}
	s.hit("append:written")
	committed, err := s.commitAppend(b, o, base)
	if err != nil && !committed {
		cut()
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

// conflict is the answer when the object changed under an append: the current version's
// position, or ObjectNotAppendable.
func (s *DiskStore) conflict(b *bucketIndex, key string) error {
	b.mu.RLock()
	cur := b.objects[key]
	b.mu.RUnlock()
	if cur != nil && cur.Type != "Appendable" {
		return ErrNotAppendable
	}
	return positionErr(cur)
}

// commitAppend makes o the current version if the current one is still base (nil: no object),
// appending its record to the journal (as commit). The data file is shared with base, so it
// is not dropped.
func (s *DiskStore) commitAppend(b *bucketIndex, o, base *Object, durable ...string) (committed bool, err error) {
	if len(durable) > 0 {
		if err := s.sync.barrier(durable...); err != nil {
			return false, err
		}
	}
	b.mu.Lock()
	old := b.objects[o.Key]
	if old != base {
		b.mu.Unlock()
		if old != nil && old.Type != "Appendable" {
			return false, ErrNotAppendable
		}
		return false, positionErr(old)
	}
	jr, end, err := s.recordLocked(b, o, old, nil)
	b.mu.Unlock()
	if err != nil {
		return false, err
	}
	s.hit("append:committed")
	return true, jr.syncTo(end, b.endOf(jr))
}

// trimAppendable cuts an appendable object's data file back to its committed length (start-up:
// an append the process died in wrote past it).
func trimAppendable(dataDir string, o *Object) {
	if o.Type != "Appendable" || o.Inline || o.Blob == "" {
		return
	}
	p := filepath.Join(dataDir, o.Blob)
	if st, err := os.Stat(p); err == nil && st.Size() > o.Size {
		os.Truncate(p, o.Size)
	}
}
