package ui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the program's writer and the test's reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestRunQuitsOnQ(t *testing.T) {
	var out syncBuffer
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), cDemoServices(cDemoRoles()), Options{Input: pr, Output: &out, NoColor: true, NoAltScreen: true, Now: cClock})
	}()
	// Type once the first frame is out.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "[SANDBOX]"); {
		if time.Now().After(deadline) {
			t.Fatalf("no first frame:\n%q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := pw.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end Run")
	}
	pw.Close()
}

func TestRunEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	defer pw.Close()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, cDemoServices(cDemoRoles()), Options{Input: pr, Output: io.Discard, NoColor: true, NoAltScreen: true})
	}()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v (want nil: being stopped is not a failure)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the context did not end Run")
	}
}

// The first frame is drawn while the connection is still blocked; the services arrive after.
func TestRunDrawsBeforeConnecting(t *testing.T) {
	var out syncBuffer
	pr, pw := io.Pipe()
	defer pw.Close()
	release := make(chan struct{})
	connect := func(ctx context.Context) (*Services, func(), error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		return cDemoServices(cDemoRoles()), nil, nil
	}
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), nil, Options{Input: pr, Output: &out, NoColor: true, NoAltScreen: true, Now: cClock, Connect: connect})
	}()
	waitOut := func(s string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), s); {
			if time.Now().After(deadline) {
				t.Fatalf("never showed %q:\n%q", s, out.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitOut("connecting…")
	if strings.Contains(out.String(), "[SANDBOX]") {
		t.Fatal("services shown before the connection answered")
	}
	close(release)
	waitOut("[SANDBOX]")
	if _, err := pw.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end Run")
	}
}
