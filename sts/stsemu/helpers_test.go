package stsemu

import (
	"sync"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// settableClock is a wall clock tests can set.
type settableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

func (c *settableClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// testSeed is the default seed with fixed keys: sts-issuer uses the capture keys.
func testSeed(t testing.TB) *Seed {
	t.Helper()
	s, err := ParseSeed("default", DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Users {
		switch s.Users[i].Name {
		case "sts-issuer":
			s.Users[i].AccessKeyID, s.Users[i].AccessKeySecret = captureAK, captureSecret
		case "root":
			s.Users[i].AccessKeyID, s.Users[i].AccessKeySecret = "LTAI5tRootKey0001", "RootSecret000001"
		case "sts-only":
			s.Users[i].AccessKeyID, s.Users[i].AccessKeySecret = "LTAI5tStsOnly0001", "StsOnlySecret0001"
		case "no-sts-user":
			s.Users[i].AccessKeyID, s.Users[i].AccessKeySecret = "LTAI5tNoSts000001", "NoStsSecret000001"
		}
	}
	return s
}

type testServer struct {
	*Server
	wall *settableClock
	dir  string
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	wall := &settableClock{}
	dir := t.TempDir()
	s, err := New(Config{DataDir: dir, Seed: testSeed(t), WallClock: wall, AuthClock: model.NewOffsetClock(wall, 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &testServer{Server: s, wall: wall, dir: dir}
}
