package ossemu

// The Store interface: what the HTTP layer asks of object storage, and the values it
// exchanges (objects, attributes, uploads, parts).

import (
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
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

	// Append adds r's bytes to the appendable object bucket/key at position, which must be its
	// length (0 creates it, with attrs; later appends keep the first append's attributes). A
	// wrong position fails with a *PositionError, an object not made by Append with
	// ErrNotAppendable; concurrent appends to one key: one wins, the others get a
	// *PositionError. check works as for Put, given also the appended bytes' length and MD5. The
	// new version is atomic and durable as Put's; a failed append leaves the previous one.
	Append(ctx context.Context, bucket, key string, position int64, r io.Reader, attrs Attrs, check AppendCheck) (*Object, error)

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
	ErrNotAppendable  = errors.New("ossemu: object is not appendable")
)

// AppendCheck is Append's check: the version about to be committed, and the length and MD5 of
// the bytes this append added.
type AppendCheck func(o *Object, n int64, md5 []byte) error

// PositionError is Append's answer to a position that is not the object's length.
type PositionError struct {
	Next   int64  // the object's length: the position the next append must give (0: no object)
	CRC64  uint64 // the object's CRC
	HasCRC bool
}

func (e *PositionError) Error() string {
	return fmt.Sprintf("ossemu: append position is not the object's length (%d)", e.Next)
}

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
	Type         string    `json:"type"` // "Normal", "Multipart" or "Appendable"
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

// ObjectReader reads one object version; it implements io.ReaderAt and io.Closer. A Store's
// Open returns it (NewObjectReader) over its own reader of that version's data.
type ObjectReader struct {
	*Object
	data interface {
		io.ReaderAt
		io.Closer
	}
}

// NewObjectReader returns the reader of version o whose bytes data reads (offsets from the
// start of the object); closing it closes data.
func NewObjectReader(o *Object, data interface {
	io.ReaderAt
	io.Closer
}) *ObjectReader {
	return &ObjectReader{Object: o, data: data}
}

// ReadAt implements io.ReaderAt over the whole object.
func (r *ObjectReader) ReadAt(p []byte, off int64) (int, error) { return r.data.ReadAt(p, off) }

// Close releases the version; a Store may remove its data afterwards if it was replaced.
func (r *ObjectReader) Close() error { return r.data.Close() }

// crcTable is CRC-64/XZ as OSS uses it (Go's ECMA table with crc64.Update).
var crcTable = crc64.MakeTable(crc64.ECMA)
