package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/service"
)

// Input checks (issue 12 item 15): refused before anything is sent.

func TestDurationZeroRefused(t *testing.T) {
	w, iss := fakeWorld(t)
	for _, d := range []string{"0", "0s", "0m"} {
		r := w.run("", "issue", "--role", "RamOssTest", "--duration", d)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, "0 is not a duration; omit the flag for the role's default") || iss.got.RoleARN != "" {
			t.Errorf("--duration %s: exit %d, sent %+v\n%s", d, r.code, iss.got, r.stderr)
		}
	}
}

func TestRegionFlagValidated(t *testing.T) {
	w, _ := fakeWorld(t)
	connected := false
	inner := w.connect
	w.connect = func(ctx context.Context, g Global, env *Env) (*service.Services, func(), error) {
		connected = true
		return inner(ctx, g, env)
	}
	for _, args := range [][]string{
		{"issue", "--role", "RamOssTest", "--region", "a b"},
		{"whoami", "--region", "a b"},
		{"roles", "--region", "CN-HANGZHOU"},
		{"--region", "a b"}, // the console
	} {
		r := w.run("", args...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, "--region: region") || connected {
			t.Errorf("%v: exit %d connected %v\n%s", args, r.code, connected, r.stderr)
		}
	}
	if r := w.run("", "issue", "--role", "RamOssTest", "--region", "ap-southeast-1"); r.code != ExitOK {
		t.Errorf("a good region refused: %s", r.stderr)
	}
}

// Six tokens in one second get six names, each valid for STS.
func TestDefaultSessionNameUnique(t *testing.T) {
	w, iss := fakeWorld(t)
	seen := map[string]bool{}
	for i := 0; i < 6; i++ {
		w.must("issue", "--role", "RamOssTest")
		n := iss.got.SessionName
		if p := issuereq.SessionNameProblem(n); p != "" || !strings.HasPrefix(n, "stsdeck-") {
			t.Fatalf("default name %q: %s", n, p)
		}
		seen[n] = true
	}
	if len(seen) < 5 { // 4 random hex digits: allow one (improbable) collision
		t.Errorf("six tokens, %d names: %v", len(seen), seen)
	}
}
