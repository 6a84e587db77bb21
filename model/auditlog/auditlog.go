// Package auditlog is stsdeck's local record of issued tokens: audit.jsonl in the state
// directory, one model.AuditRecord per line, never a secret or a token. Standard library only.
package auditlog

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/stsdeck/stsdeck/model"
)

// FileName is the log's file name inside the state directory.
const FileName = "audit.jsonl"

// maxLine bounds one record; a longer line is reported and skipped.
const maxLine = 1 << 20

// Log is an append-only JSON-lines file. Safe for concurrent use within a process; across
// processes each record is written with one write(2) on an O_APPEND descriptor, so whole lines
// never interleave.
type Log struct {
	path string
	mu   sync.Mutex
}

// Open returns the log in dir (created 0700 on first append).
func Open(dir string) *Log { return &Log{path: filepath.Join(dir, FileName)} }

// Path returns the file's path.
func (l *Log) Path() string { return l.path }

// NewID returns a fresh record id (16 hex characters).
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Digest returns "sha256:<hex>" of a policy as sent, "" for no policy.
func Digest(policy string) string {
	if policy == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(policy))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Append writes rec as one line. It fills ID and PolicyDigest when empty. The file is 0600; a
// torn last line left by a crash is fenced off with a newline first, so the new record stays
// readable.
func (l *Log) Append(rec model.AuditRecord) error {
	if rec.ID == "" {
		rec.ID = NewID()
	}
	if rec.PolicyDigest == "" {
		rec.PolicyDigest = Digest(rec.SessionPolicy)
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("audit log: encoding record: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("audit log: tightening permissions of %s: %w", l.path, err)
		}
	}
	if torn, err := endsTorn(l.path); err != nil {
		return fmt.Errorf("audit log: %w", err)
	} else if torn {
		line = append([]byte{'\n'}, line...)
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("audit log: writing %s: %w", l.path, err)
	}
	return f.Sync()
}

// endsTorn reports whether the file is non-empty and does not end with a newline.
func endsTorn(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return false, err
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], fi.Size()-1); err != nil {
		return false, err
	}
	return b[0] != '\n', nil
}

// List returns every readable record, oldest first; when several lines carry the same id (a
// record re-appended with probe results), the last one wins, in the first one's place. A line that does not decode (a torn write,
// a hand edit) is skipped with a warning naming its line number; a missing file is an empty log.
func (l *Log) List() ([]model.AuditRecord, []string, error) {
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	var (
		recs     []model.AuditRecord
		warnings []string
	)
	byID := map[string]int{}
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(r)
		if len(bytes.TrimSpace(line)) > 0 {
			var rec model.AuditRecord
			switch {
			case len(line) > maxLine:
				warnings = append(warnings, fmt.Sprintf("%s line %d: longer than %d bytes, skipped", l.path, n, maxLine))
			case json.Unmarshal(line, &rec) != nil:
				what := "not a record"
				if err == io.EOF {
					what = "torn last line (an interrupted write)"
				}
				warnings = append(warnings, fmt.Sprintf("%s line %d: %s, skipped", l.path, n, what))
			default:
				if i, ok := byID[rec.ID]; ok && rec.ID != "" {
					recs[i] = rec // a later line for the same id (probe results added) replaces it
				} else {
					byID[rec.ID] = len(recs)
					recs = append(recs, rec)
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return recs, warnings, fmt.Errorf("audit log: reading %s: %w", l.path, err)
		}
	}
	return recs, warnings, nil
}

// readLine reads up to and excluding '\n'; at most maxLine+1 bytes are kept.
func readLine(r *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(out) <= maxLine {
			out = append(out, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == nil {
			return bytes.TrimSuffix(out, []byte{'\n'}), nil
		}
		return out, err
	}
}

// FindByAccessKey returns the newest record for an AccessKeyId.
func FindByAccessKey(recs []model.AuditRecord, accessKeyID string) (model.AuditRecord, bool) {
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].AccessKeyID == accessKeyID {
			return recs[i], true
		}
	}
	return model.AuditRecord{}, false
}

// RecentRoles returns the distinct role ARNs of the records, newest first, at most n.
func RecentRoles(recs []model.AuditRecord, n int) []string {
	seen := map[string]bool{}
	var out []string
	for i := len(recs) - 1; i >= 0 && len(out) < n; i-- {
		a := strings.TrimSpace(recs[i].RoleARN)
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		seen[strings.ToLower(a)] = true
		out = append(out, a)
	}
	return out
}
