package flow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// fakeServer is a server clock a test moves, and an issuer on it.
type fakeServer struct {
	mu     sync.Mutex
	now    time.Time
	n      atomic.Int32
	gate   chan struct{} // non-nil: Issue blocks until it is closed
	fail   error
	issued []time.Duration
}

func (f *fakeServer) clock(context.Context) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now, nil
}

func (f *fakeServer) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fakeServer) issue(ctx context.Context, d time.Duration) (IssueResult, error) {
	f.mu.Lock()
	gate, fail, now := f.gate, f.fail, f.now
	f.issued = append(f.issued, d)
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if fail != nil {
		return IssueResult{}, fail
	}
	n := f.n.Add(1)
	return IssueResult{
		Creds:  model.Credentials{AccessKeyID: fmt.Sprintf("STS.%d", n), AccessKeySecret: "s", SecurityToken: "t", Expiration: now.Add(d)},
		Record: model.AuditRecord{DurationSeconds: int64(d / time.Second)},
	}, nil
}

func newFake() *fakeServer {
	return &fakeServer{now: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)}
}

func TestRenewerRules(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	r, err := NewRenewer(RenewerConfig{Issue: f.issue, Clock: f.clock, Duration: time.Hour, Until: f.now.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	get := func(want string) {
		t.Helper()
		res, err := r.Get(ctx)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if res.Creds.AccessKeyID != want {
			t.Fatalf("got %s, want %s", res.Creds.AccessKeyID, want)
		}
	}
	get("STS.1")
	f.advance(29 * time.Minute)
	get("STS.1") // under half the lifetime: cached
	f.advance(2 * time.Minute)
	// Half the lifetime gone: a renewal starts and the still-fresh token is served meanwhile,
	// or the new one if the renewal already finished.
	res, _ := r.Get(ctx)
	if id := res.Creds.AccessKeyID; id != "STS.1" && id != "STS.2" {
		t.Fatalf("got %s", id)
	}
	waitIdle(r)
	get("STS.2")
	if st := r.Status(); st.Renewals != 1 || st.Issued != 2 || st.NextRenewal.IsZero() {
		t.Fatalf("status %+v", st)
	}

	t.Run("the moved clock past expiry waits for a fresh token", func(t *testing.T) {
		f.advance(3 * time.Hour) // past expiry and past Until
		if _, err := r.Get(ctx); !errors.Is(err, ErrServeEnded) {
			t.Fatalf("past Until: %v", err)
		}
	})
}

func TestRenewerNeverOutlivesUntil(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	r, _ := NewRenewer(RenewerConfig{Issue: f.issue, Clock: f.clock, Duration: time.Hour, Until: f.now.Add(70 * time.Minute)})
	res, err := r.Get(ctx)
	if err != nil || res.Creds.Expiration.Sub(f.now) != time.Hour {
		t.Fatalf("first: %v %v", res.Creds.Expiration, err)
	}
	f.advance(40 * time.Minute) // 30 min of the window left: the renewal asks for 30 min
	r.Get(ctx)
	waitIdle(r)
	if got := f.issued[len(f.issued)-1]; got != 30*time.Minute {
		t.Fatalf("renewal asked for %s, want 30m (the window's rest)", got)
	}
	f.advance(25 * time.Minute) // 5 min left: the current token (it ends with the window) is still served
	if res, err := r.Get(ctx); err != nil || res.Creds.AccessKeyID != "STS.2" {
		t.Fatalf("inside the window: %v %v", res.Creds.AccessKeyID, err)
	}
	f.advance(time.Minute + time.Second) // under 5 min left, too short for a new token
	if _, err := r.Get(ctx); !errors.Is(err, ErrServeEnded) {
		t.Fatalf("got %v, want ErrServeEnded", err)
	}
}

func TestRenewerIssueError(t *testing.T) {
	f := newFake()
	f.fail = errors.New("NoPermission")
	r, _ := NewRenewer(RenewerConfig{Issue: f.issue, Clock: f.clock})
	if _, err := r.Get(context.Background()); err == nil || err.Error() != "NoPermission" {
		t.Fatalf("got %v", err)
	}
	f.mu.Lock()
	f.fail = nil
	f.mu.Unlock()
	if res, err := r.Get(context.Background()); err != nil || res.Creds.AccessKeyID != "STS.1" {
		t.Fatalf("retry: %v %v", res.Creds.AccessKeyID, err)
	}
}

// Fifty fetches while a renewal is in flight (the old token expired on the server's clock):
// all get the one new token, and only one AssumeRole is made.
func TestRenewerConcurrentFetchesDuringRenewal(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	r, _ := NewRenewer(RenewerConfig{Issue: f.issue, Clock: f.clock, Duration: time.Hour})
	if _, err := r.Get(ctx); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.gate = make(chan struct{})
	f.mu.Unlock()
	f.advance(2 * time.Hour)
	var wg sync.WaitGroup
	ids := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := r.Get(ctx)
			ids[i], errs[i] = res.Creds.AccessKeyID, err
		}()
	}
	time.Sleep(10 * time.Millisecond) // let them queue behind the renewal (not a timing assertion)
	close(f.gate)
	wg.Wait()
	for i := range 50 {
		if errs[i] != nil || ids[i] != "STS.2" {
			t.Fatalf("fetch %d: %q %v", i, ids[i], errs[i])
		}
	}
	if n := f.n.Load(); n != 2 {
		t.Fatalf("%d tokens issued, want 2", n)
	}
}

func TestCachedClockReadsAtMostOncePerInterval(t *testing.T) {
	local := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var reads int
	server := local.Add(time.Hour)
	c := NewCachedClock(func(context.Context) (time.Time, error) { reads++; return server, nil }, time.Second, func() time.Time { return local })
	for range 5 {
		c.Now(context.Background())
	}
	local = local.Add(500 * time.Millisecond)
	got, _ := c.Now(context.Background())
	if reads != 1 || !got.Equal(server.Add(500*time.Millisecond)) {
		t.Fatalf("reads %d, now %v", reads, got)
	}
	local = local.Add(time.Second)
	server = server.Add(10 * time.Hour) // the demo moved the sandbox clock
	if got, _ := c.Now(context.Background()); reads != 2 || !got.Equal(server) {
		t.Fatalf("reads %d, now %v", reads, got)
	}
}

func waitIdle(r *Renewer) {
	for {
		r.mu.Lock()
		busy := r.renewing != nil
		r.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
