package ossemu

import "os"

// syncer makes files and directories durable. Each listed path is fsynced: a large object's
// data file flushes only its own pages, so parallel uploads overlap their flushes with each
// other's streaming (a filesystem-wide syncfs would make every writer wait for all the others).
// Small objects do not come here: they share the bucket journal's group-committed fdatasync.
type syncer struct{}

func newSyncer(string) (*syncer, error) { return &syncer{}, nil }

// barrier returns once the listed files and directories are on stable storage.
func (s *syncer) barrier(paths ...string) error { return fsyncPaths(paths) }

func fsyncPaths(paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *syncer) close() error { return nil }
