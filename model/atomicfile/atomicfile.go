// Package atomicfile writes a file so that a reader (or a crash) sees the old content or the new,
// never a torn one, with the mode set before any byte is written: the one copy of the write that
// the audit-free secret files (exports, --out, the sandbox's ready file and keys) need.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to path through a temp file in the same directory (created with perm, so a
// secret is never readable by others even for a moment), fsync, rename, and an fsync of the
// directory. The directory must exist. On error the temp file is removed and path is untouched.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
