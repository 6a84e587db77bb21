package ossemu

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
)

// journal is a bucket's commit log: every version change (put, delete) is one record appended
// to it, and small objects carry their data inside their record. The bucket's index is the
// replay of the journal. Appending a record is the commit point of a write; a torn record at
// the end (the process died while appending) fails its checksum and is cut off on replay.
//
// Why: creating a file costs hundreds of microseconds of kernel time on the filesystems the
// sandbox meets, and fsyncs of separate files do not share a device flush; one log shared by
// all writers of a bucket gives small objects zero file creations and one fdatasync per batch
// of concurrent writers (group commit).
//
// Record: magic "OSJ1" | u32 header length | u32 data length | u32 CRC-32C(header+data) |
// header JSON | data.
type journal struct {
	f     *os.File
	path  string
	end   int64 // next append offset; guarded by the owning bucket's lock
	alloc int64 // the file is zero-filled up to here: appends below it overwrite allocated blocks

	fault func() error // DiskOptions.WriteFault (tests): fails appends as a full disk would

	mu      sync.Mutex // sync state
	cond    *sync.Cond
	synced  int64
	running bool
	failed  error
}

const (
	journalMagic = "OSJ1"
	recPrefix    = 16
	// inlineMax is the largest object kept inside its journal record.
	inlineMax = 64 << 10
	// maxRecHeader bounds a header on replay (keys ≤ 1 KiB, user metadata ≤ 8 KiB in OSS).
	maxRecHeader = 1 << 20
	// allocChunk is how far ahead the journal is zero-filled. Overwriting allocated blocks lets
	// fdatasync skip the filesystem's metadata journal: one device flush per batch, nothing more.
	allocChunk = 16 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type recHeader struct {
	Op  string  `json:"op"` // "put" or "del"
	Key string  `json:"key,omitempty"`
	Obj *Object `json:"obj,omitempty"`
}

func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	j := &journal{f: f, path: path}
	j.cond = sync.NewCond(&j.mu)
	return j, nil
}

// replay calls fn for every intact record in order, then cuts off anything after the last
// intact record. dataOff is where the record's data starts in the file.
func (j *journal) replay(fn func(h *recHeader, dataOff int64, recLen int64)) error {
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(j.f, 256<<10)
	var off int64
	var prefix [recPrefix]byte
	for {
		if _, err := io.ReadFull(r, prefix[:]); err != nil {
			break // clean end, or a torn prefix
		}
		if string(prefix[:4]) != journalMagic {
			break
		}
		hl := int64(binary.LittleEndian.Uint32(prefix[4:]))
		dl := int64(binary.LittleEndian.Uint32(prefix[8:]))
		sum := binary.LittleEndian.Uint32(prefix[12:])
		if hl == 0 || hl > maxRecHeader || dl > inlineMax {
			break
		}
		buf := make([]byte, hl+dl)
		if _, err := io.ReadFull(r, buf); err != nil {
			break
		}
		if crc32.Checksum(buf, castagnoli) != sum {
			break
		}
		var h recHeader
		if err := json.Unmarshal(buf[:hl], &h); err != nil {
			break
		}
		recLen := recPrefix + hl + dl
		fn(&h, off+recPrefix+hl, recLen)
		off += recLen
	}
	st, err := j.f.Stat()
	if err != nil {
		return err
	}
	if size := st.Size(); size > off {
		// After the last whole record: zeros of the preallocation, or a record torn by a crash
		// (never acknowledged: the ack waits for the flush). Zero the span a torn record can
		// cover so that later appends are never followed by stale bytes.
		span := min(size-off, recPrefix+maxRecHeader+inlineMax)
		if _, err := j.f.WriteAt(make([]byte, span), off); err != nil {
			return fmt.Errorf("ossemu: clear torn journal tail of %s: %w", j.path, err)
		}
		if err := j.f.Sync(); err != nil {
			return err
		}
		j.alloc = size
	} else {
		j.alloc = off
	}
	j.end, j.synced = off, off
	return nil
}

// grow zero-fills the journal ahead of end so that the next records overwrite allocated blocks.
func (j *journal) grow(need int64) error {
	if need <= j.alloc {
		return nil
	}
	size := j.alloc + allocChunk
	for size < need {
		size += allocChunk
	}
	zero := make([]byte, 1<<20)
	for off := j.alloc; off < size; off += int64(len(zero)) {
		if _, err := j.f.WriteAt(zero[:min(int64(len(zero)), size-off)], off); err != nil {
			j.f.Truncate(j.alloc)
			return err
		}
	}
	if err := j.f.Sync(); err != nil {
		return err
	}
	j.alloc = size
	return nil
}

// append writes one record at the end; the caller holds the bucket lock. It returns the offset
// of the record's data, and the record's start and end. On a write error the journal is cut back.
func (j *journal) append(h *recHeader, data []byte) (dataOff, start, end int64, err error) {
	hdr, err := json.Marshal(h)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(data) > inlineMax || len(hdr) > maxRecHeader {
		return 0, 0, 0, errors.New("ossemu: journal record too large")
	}
	buf := make([]byte, recPrefix+len(hdr)+len(data))
	copy(buf, journalMagic)
	binary.LittleEndian.PutUint32(buf[4:], uint32(len(hdr)))
	binary.LittleEndian.PutUint32(buf[8:], uint32(len(data)))
	copy(buf[recPrefix:], hdr)
	copy(buf[recPrefix+len(hdr):], data)
	binary.LittleEndian.PutUint32(buf[12:], crc32.Checksum(buf[recPrefix:], castagnoli))
	if err := j.grow(j.end + int64(len(buf))); err != nil {
		return 0, 0, 0, err
	}
	if j.fault != nil {
		if err := j.fault(); err != nil {
			return 0, 0, 0, err
		}
	}
	if _, err := j.f.WriteAt(buf, j.end); err != nil {
		// Put the zeros back: nothing after end may look like a record.
		j.f.WriteAt(make([]byte, len(buf)), j.end)
		return 0, 0, 0, err
	}
	start = j.end
	dataOff = start + recPrefix + int64(len(hdr))
	j.end += int64(len(buf))
	return dataOff, start, j.end, nil
}

// syncTo returns once the journal is on stable storage up to end. Concurrent callers share
// one fdatasync (group commit).
func (j *journal) syncTo(end int64, size func() int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.synced < end {
		if j.failed != nil {
			return j.failed
		}
		if j.running {
			j.cond.Wait()
			continue
		}
		j.running = true
		target := size() // everything appended so far is covered by this flush
		j.mu.Unlock()
		err := fdatasync(j.f)
		j.mu.Lock()
		j.running = false
		if err != nil {
			// A failed fsync leaves the page cache state unknown: refuse further commits.
			j.failed = fmt.Errorf("ossemu: journal flush failed: %w", err)
		} else if target > j.synced {
			j.synced = target
		}
		j.cond.Broadcast()
	}
	return nil
}

func (j *journal) close() error { return j.f.Close() }
