//go:build !linux

package ossemu

import "os"

const groupSync = false

func syncfs(*os.File) error { return nil }

func fdatasync(f *os.File) error { return f.Sync() }
