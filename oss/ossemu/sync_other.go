//go:build !linux

package ossemu

import "os"

func fdatasync(f *os.File) error { return f.Sync() }

// startWriteback is a no-op where sync_file_range does not exist; the final fsync does it all.
func startWriteback(fd uintptr, off, n int64) {}
