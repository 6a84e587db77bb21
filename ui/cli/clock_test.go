package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
)

// fakeSandbox is a sandbox control client with a movable authorization clock.
type fakeSandbox struct {
	offset time.Duration
	wall   time.Time
}

func (f *fakeSandbox) Advance(_ context.Context, d time.Duration) (time.Duration, error) {
	f.offset += d
	return f.offset, nil
}
func (f *fakeSandbox) Trace(context.Context, string, string) (*model.Trace, error) { return nil, nil }
func (f *fakeSandbox) ReadClock(context.Context) (model.SandboxClock, error) {
	return model.SandboxClock{Offset: f.offset, Wall: f.wall, Auth: f.wall.Add(f.offset)}, nil
}

func sandboxWorld(t *testing.T, mode string) (*world, *fakeSandbox) {
	w := newWorld(t)
	sb := &fakeSandbox{wall: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	w.connect = func(context.Context, Global, *Env) (*service.Services, func(), error) {
		s := &service.Services{Mode: mode, Region: "cn-hangzhou", Where: "test"}
		if mode == "sandbox" {
			s.Sandbox = sb
		}
		return s, nil, nil
	}
	return w, sb
}

func TestSandboxClockCommand(t *testing.T) {
	w, sb := sandboxWorld(t, "sandbox")
	r := w.must("sandbox", "clock", "--show")
	for _, want := range []string{"wall clock           2026-03-01 10:00:00 UTC", "authorization clock  2026-03-01 10:00:00 UTC", "offset               0s"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--show lacks %q:\n%s", want, r.stdout)
		}
	}
	r = w.must("sandbox", "clock", "--advance", "45m")
	if sb.offset != 45*time.Minute || !strings.Contains(r.stdout, "advanced the authorization clock by 45m0s") || !strings.Contains(r.stdout, "10:45:00 UTC") {
		t.Errorf("offset %s\n%s", sb.offset, r.stdout)
	}
	r = w.must("sandbox", "clock", "--advance", "15m", "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || m["offset"] != "1h0m0s" || m["auth"] != "2026-03-01T11:00:00Z" || m["advanced"] != "15m0s" {
		t.Errorf("json %v %v\n%s", m, err, r.stdout)
	}
	for _, bad := range [][]string{{"--advance", "soon"}, {"--advance", "0"}, {"extra"}} {
		if r := w.run("", append([]string{"sandbox", "clock"}, bad...)...); r.code != ExitBadInput {
			t.Errorf("%v: exit %d", bad, r.code)
		}
	}
	if sb.offset != time.Hour {
		t.Errorf("a refused command moved the clock: %s", sb.offset)
	}
}

func TestSandboxClockRefusesLive(t *testing.T) {
	w, _ := sandboxWorld(t, "live")
	r := w.run("", "sandbox", "clock", "--advance", "1h")
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "not connected to a sandbox") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}
