package stsemu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Lock is an exclusive lock on a sandbox data dir (flock on <dir>/lock, which holds the pid).
// The kernel releases it when the process exits, so a crashed sandbox leaves no stale lock.
type Lock struct {
	f    *os.File
	path string
}

// ErrLocked is wrapped by LockDir when another process holds the lock.
var ErrLocked = errors.New("sandbox data dir is in use")

// LockDir takes the lock of dir or says which process holds it.
func LockDir(dir string) (*Lock, error) {
	p := filepath.Join(dir, "lock")
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		buf := make([]byte, 32)
		n, _ := f.ReadAt(buf, 0)
		f.Close()
		holder := strings.TrimSpace(string(buf[:n]))
		if _, perr := strconv.Atoi(holder); perr != nil || holder == "" {
			holder = "another process"
		} else {
			holder = "process " + holder
		}
		return nil, fmt.Errorf("%w: %s is held by %s (lock file %s); stop that sandbox or use another --data dir", ErrLocked, dir, holder, p)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	f.Sync()
	return &Lock{f: f, path: p}, nil
}

// Release unlocks. Safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	f.Truncate(0)
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return f.Close()
}
