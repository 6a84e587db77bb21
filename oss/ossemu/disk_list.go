package ossemu

// Listing the disk store: Walk over a bucket's sorted keys in snapshot batches.

import (
	"context"
	"sort"
	"strings"
)

func (s *DiskStore) Walk(ctx context.Context, bucket, prefix, after string, fn func(*Object) bool) error {
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
