package ossemu

// Reading from the disk store: Stat and Open, and the reader that keeps its version while the
// key is overwritten or deleted.

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
)

func (s *DiskStore) Stat(ctx context.Context, bucket, key string) (*Object, error) {
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

// diskReader reads the data file (or part files) of one version; it holds the data against
// removal until it is closed.
type diskReader struct {
	*Object
	s     *DiskStore
	path  string
	files []*os.File // lazily opened, one per part (one for a simple object)
	offs  []int64    // start offset of each part
}

// inlineReader reads a small object's data from its journal record.
type inlineReader struct{ *io.SectionReader }

func (inlineReader) Close() error { return nil }

func (s *DiskStore) Open(ctx context.Context, bucket, key string) (*ObjectReader, error) {
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
		return NewObjectReader(o, inlineReader{io.NewSectionReader(jf, o.off, o.Size)}), nil
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
	rd := &diskReader{Object: o, s: s, path: path}
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
	return NewObjectReader(o, rd), nil
}

func (r *diskReader) file(i int) (*os.File, error) {
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
func (r *diskReader) ReadAt(p []byte, off int64) (int, error) {
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
func (r *diskReader) Close() error {
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
