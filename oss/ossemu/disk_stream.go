package ossemu

// Streaming a body into an object file: temp file, hashing overlapped with writing, early
// writeback, fsync.

import (
	"context"
	"crypto/md5"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"
)

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
func (s *DiskStore) writeStream(ctx context.Context, r io.Reader, max int64) (path string, size int64, sum []byte, crc uint64, err error) {
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
	size, err = copyHashed(&writebackWriter{w: faultWriter{f, s.opts.WriteFault}, fd: f.Fd()}, ctxReader{ctx, r}, m, c)
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
