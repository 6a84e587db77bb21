package ossemu

// Multipart uploads in the disk store: an upload is a directory of part files and their JSON
// commit records; completion hard-links the parts into the object's blob directory.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

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

func (s *DiskStore) CreateUpload(ctx context.Context, bucket, key string, attrs Attrs) (*Upload, error) {
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

func (s *DiskStore) uploadDir(bucket, id string) (*bucketIndex, string, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, "", err
	}
	if !validID(id) {
		return nil, "", ErrNoSuchUpload
	}
	return b, filepath.Join(b.dir, "uploads", id), nil
}

func (s *DiskStore) GetUpload(ctx context.Context, bucket, id string) (*Upload, error) {
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

func (s *DiskStore) PutPart(ctx context.Context, bucket, id string, number int, r io.Reader, check func(*Part) error) (*Part, error) {
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
	s.hit("part:data-renamed")
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

func (s *DiskStore) Parts(ctx context.Context, bucket, id string) ([]*Part, error) {
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

func (s *DiskStore) CompleteUpload(ctx context.Context, bucket, id string, parts []*Part, etag string, crc uint64, noOverwrite bool) (*Object, error) {
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
	s.hit("complete:linked")
	if committed, err := s.commit(b, o, nil, blobDir, filepath.Join(b.dir, "data")); err != nil {
		if committed {
			return nil, err
		}
		return fail(err)
	}
	s.hit("complete:committed")
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

func (s *DiskStore) AbortUpload(ctx context.Context, bucket, id string) error {
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

func (s *DiskStore) Uploads(ctx context.Context, bucket string) ([]*Upload, error) {
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
