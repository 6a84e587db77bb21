package ossemu

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fdatasync flushes a file's data (and only the metadata needed to read it back).
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// startWriteback asks the kernel to begin writing the given range of f to the device now,
// without waiting. It is only a hint (errors are ignored; the final fsync is what makes the
// data durable): a large object's pages then reach the disk while the rest of the body is still
// being received and hashed, instead of all at once in the fsync at the end.
func startWriteback(fd uintptr, off, n int64) {
	unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
