package ossemu

// Start-up recovery of the disk store (replay of a bucket's journal, removal of unreferenced
// data and finished uploads) and journal compaction.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

func (s *DiskStore) loadBucket(name string) (*bucketIndex, error) {
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
	jr.fault = s.opts.WriteFault
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
		trimAppendable(filepath.Join(bdir, "data"), o)
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
func (s *DiskStore) compact(b *bucketIndex) error {
	path := b.jr.path
	nj, err := openJournal(path + ".new")
	if err != nil {
		return err
	}
	nj.fault = s.opts.WriteFault
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

// maybeCompact compacts b's journal when most of it is dead; the caller holds b.mu. A failed
// compaction leaves the old journal in use (it is retried at the next trigger).
func (s *DiskStore) maybeCompact(b *bucketIndex) {
	garbage := b.jr.end - b.live
	if garbage < s.opts.CompactMinGarbage || garbage <= b.live {
		return
	}
	if err := s.compact(b); err != nil {
		os.Remove(b.jr.path + ".new")
		b.compactErr = err
	}
}
