//go:build !linux

package ossemu

import "os"

func fdatasync(f *os.File) error { return f.Sync() }
