package ossemu

// The atomic commit of a version: temp file, fsync, rename, then the journal record (the commit
// point); deletes; removal of replaced data once no reader holds it.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// writeTemp writes v as JSON to a new temp file (not yet durable) and returns its path.
func (s *DiskStore) writeTemp(v any) (string, error) {
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
func (s *DiskStore) writeJSONAtomic(path string, v any) error {
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

func (s *DiskStore) syncDir(dir string) error { return s.sync.barrier(dir) }

func etagOf(sum []byte) string {
	return `"` + strings.ToUpper(hex.EncodeToString(sum)) + `"`
}

func (s *DiskStore) Put(ctx context.Context, bucket, key string, r io.Reader, attrs Attrs, check func(*Object) error) (*Object, error) {
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
	s.hit("put:written")
	dataPath := filepath.Join(b.dir, "data", blob)
	if err := os.Rename(tmp, dataPath); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	s.hit("put:data-renamed")
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
func (s *DiskStore) commit(b *bucketIndex, o *Object, inline []byte, durable ...string) (committed bool, err error) {
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
	jr, end, err := s.recordLocked(b, o, old, inline)
	b.mu.Unlock()
	if err != nil {
		return false, err
	}
	s.hit("commit:appended")
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
func (s *DiskStore) dropBlob(path string) {
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

func (s *DiskStore) Delete(ctx context.Context, bucket, key string) error {
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

// recordLocked writes o's commit record (with its inline data, if any) to the bucket's journal
// and makes it the current version in the index, replacing old; the caller holds b.mu and
// syncs the journal to end after unlocking. It may start a compaction.
func (s *DiskStore) recordLocked(b *bucketIndex, o, old *Object, inline []byte) (jr *journal, end int64, err error) {
	off, start, end, err := b.jr.append(&recHeader{Op: "put", Obj: o}, inline)
	if err != nil {
		return nil, 0, err
	}
	o.off, o.recLen = off, end-start
	if old == nil {
		b.sorted = nil
	} else {
		b.live -= old.recLen
	}
	b.live += o.recLen
	b.objects[o.Key] = o
	jr = b.jr
	s.maybeCompact(b)
	return jr, end, nil
}
