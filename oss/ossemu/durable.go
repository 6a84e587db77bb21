package ossemu

import (
	"errors"
	"os"
	"sync"
)

// syncer makes writes durable. On Linux one syncfs(2) of the data dir's filesystem serves every
// caller waiting at the time (group commit: concurrent small writes share one flush instead of
// paying one device flush each). Elsewhere each listed path is fsynced.
//
// barrier(paths...) returns once the listed files and directories — and, on Linux, every write
// issued before the call — are on stable storage.
type syncer struct {
	root      *os.File
	group     bool
	mu        sync.Mutex
	cond      *sync.Cond
	started   uint64 // generations of flushes started
	done      uint64 // last generation finished
	running   bool
	failedGen uint64 // last generation whose flush failed
	failErr   error
}

func newSyncer(dir string) (*syncer, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	s := &syncer{root: f, group: groupSync}
	s.cond = sync.NewCond(&s.mu)
	return s, nil
}

var errSyncFailed = errors.New("ossemu: flushing to stable storage failed")

func (s *syncer) barrier(paths ...string) error {
	if !s.group {
		return fsyncPaths(paths)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	need := s.started + 1 // a flush that starts after this call
	for s.done < need {
		if s.running {
			s.cond.Wait()
			continue
		}
		s.running = true
		s.started++
		gen := s.started
		s.mu.Unlock()
		err := syncfs(s.root)
		s.mu.Lock()
		s.running = false
		s.done = gen
		if err != nil {
			s.failedGen, s.failErr = gen, err
		}
		s.cond.Broadcast()
	}
	if s.failedGen >= need {
		return errors.Join(errSyncFailed, s.failErr)
	}
	return nil
}

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

func (s *syncer) close() error { return s.root.Close() }
