package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/sts/sandbox"
)

// The documented flows, end to end: `stsdeck sandbox --print env` in one "terminal", eval in
// another; `stsdeck issue --format env` then OSS commands with the exported token, with and
// without a foreground sandbox serving the state dir.

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runSandboxDep is main.go's RunSandbox wiring.
func runSandboxDep(ctx context.Context, o SandboxOptions, ready func(SandboxInfo)) error {
	so := sandbox.Options{DataDir: o.DataDir, SeedFile: o.SeedFile, STSAddr: o.STSAddr, OSSAddr: o.OSSAddr, TLS: o.TLS}
	return sandbox.Run(ctx, so, o.ReadyFile, func(i sandbox.Info) {
		var ci SandboxInfo
		b, _ := json.Marshal(i)
		json.Unmarshal(b, &ci)
		ready(ci)
	})
}

// foregroundSandbox runs `stsdeck sandbox args...` until the returned stop is called; it
// returns once the sandbox printed its ready lines.
func (w *world) foregroundSandbox(args ...string) (stdout *syncBuffer, stop func()) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	env := &Env{Stdout: out, Stderr: errb, Getenv: func(k string) string { return w.vars[k] }, Deps: Deps{RunSandbox: runSandboxDep}}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, append([]string{"sandbox"}, args...), env) }()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(errb.String(), "Press Ctrl+C") {
		select {
		case code := <-done:
			cancel()
			w.t.Fatalf("stsdeck sandbox exited %d:\n%s", code, errb.String())
		case <-deadline:
			cancel()
			w.t.Fatalf("stsdeck sandbox not ready:\n%s", errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return out, func() {
		cancel()
		if code := <-done; code != ExitOK {
			w.t.Errorf("stsdeck sandbox exited %d:\n%s", code, errb.String())
		}
	}
}

// evalSh evals script in sh with the given starting environment and returns the named
// variables as sh sees them afterwards.
func evalSh(t *testing.T, script string, start map[string]string, names ...string) map[string]string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	file := filepath.Join(t.TempDir(), "env.sh")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	printf := `eval "$(cat "$1")"` // the documented form
	for _, n := range names {
		printf += `; printf '%s\n' "$` + n + `"`
	}
	cmd := exec.Command(sh, "-c", printf, "sh", file)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range start {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh eval: %v\n%s", err, script)
	}
	vals := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(vals) != len(names) {
		t.Fatalf("sh printed %q", vals)
	}
	m := map[string]string{}
	for i, n := range names {
		m[n] = vals[i]
	}
	return m
}

var credVars = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
	"OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"}

// set copies evaluated variables into the world's environment ("" unsets).
func (w *world) set(m map[string]string) {
	for k, v := range m {
		if v == "" {
			delete(w.vars, k)
		} else {
			w.vars[k] = v
		}
	}
}

// `eval "$(stsdeck sandbox --print env)"`, then commands without --sandbox reach the sandbox
// through STSDECK_*_ENDPOINT; flags win over the variables.
func TestSandboxPrintEnvThenCommands(t *testing.T) {
	w := newWorld(t)
	out, stop := w.foregroundSandbox("--print", "env", "--data", filepath.Join(t.TempDir(), "elsewhere"))
	defer stop()
	script := out.String()
	for _, want := range []string{"fake sandbox keys", "unset ALIBABA_CLOUD_SECURITY_TOKEN"} {
		if !strings.Contains(script, want) {
			t.Errorf("--print env lacks %q:\n%s", want, script)
		}
	}
	names := append([]string{"ALIBABA_CLOUD_REGION_ID", "STSDECK_STS_ENDPOINT", "STSDECK_RAM_ENDPOINT", "STSDECK_OSS_ENDPOINT"}, credVars...)
	// A token left from an earlier `issue --format env` must not survive.
	vals := evalSh(t, script, map[string]string{"ALIBABA_CLOUD_SECURITY_TOKEN": "stale", "OSS_SESSION_TOKEN": "stale"}, names...)
	if vals["ALIBABA_CLOUD_SECURITY_TOKEN"] != "" || vals["OSS_SESSION_TOKEN"] != "" || vals["ALIBABA_CLOUD_ACCESS_KEY_ID"] == "" ||
		!strings.HasPrefix(vals["STSDECK_STS_ENDPOINT"], "http://127.0.0.1:") || !strings.HasPrefix(vals["STSDECK_OSS_ENDPOINT"], "http://127.0.0.1:") {
		t.Fatalf("after eval: %v", vals)
	}
	w.set(vals)

	t.Run("whoami", func(t *testing.T) {
		r := w.must("whoami")
		if !strings.Contains(r.stdout, ":user/sts-issuer") {
			t.Errorf("whoami:\n%s", r.stdout)
		}
	})
	t.Run("roles", func(t *testing.T) {
		if r := w.must("roles"); !strings.Contains(r.stdout, "RamOssTest") {
			t.Errorf("roles:\n%s", r.stdout)
		}
	})
	t.Run("issue then probe with the exported token", func(t *testing.T) {
		env := w.must("issue", "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--format", "env").stdout
		w2 := *w
		w2.vars = map[string]string{}
		for k, v := range w.vars {
			w2.vars[k] = v
		}
		w2.set(evalSh(t, env, nil, credVars...))
		r := w2.run("", "probe", "--bucket", "examplebucket", "--prefix", "src/", "--yes", "--json")
		if r.code != ExitOK || !strings.Contains(r.stdout, `"outside": "dst/"`) {
			t.Errorf("probe: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("a flag wins over its variable", func(t *testing.T) {
		r := w.run("", "whoami", "--sts-endpoint", "http://127.0.0.1:1")
		if r.code != ExitDenied || !strings.Contains(r.stderr, "127.0.0.1:1") {
			t.Errorf("whoami --sts-endpoint: exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("a bad variable is named", func(t *testing.T) {
		w2 := *w
		w2.vars = map[string]string{}
		for k, v := range w.vars {
			w2.vars[k] = v
		}
		w2.vars["STSDECK_OSS_ENDPOINT"] = "ftp://127.0.0.1:9"
		r := w2.run("", "whoami")
		if r.code != ExitBadInput || !strings.Contains(r.stderr, "STSDECK_OSS_ENDPOINT") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("help documents the variables", func(t *testing.T) {
		var errb bytes.Buffer
		Main(context.Background(), []string{"sandbox", "-h"}, &Env{Stdout: &errb, Stderr: &errb, Getenv: func(string) string { return "" }})
		for _, v := range []string{"STSDECK_STS_ENDPOINT", "STSDECK_OSS_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ready.json"} {
			if !strings.Contains(errb.String(), v) {
				t.Errorf("sandbox -h lacks %s", v)
			}
		}
		errb.Reset()
		Main(context.Background(), []string{"whoami", "-h"}, &Env{Stdout: &errb, Stderr: &errb, Getenv: func(string) string { return "" }})
		if !strings.Contains(errb.String(), "$STSDECK_STS_ENDPOINT") {
			t.Errorf("whoami -h lacks the variable:\n%s", errb.String())
		}
	})
}

// `eval "$(stsdeck issue --sandbox … --format env)"` then OSS commands with --sandbox and no
// --role use the exported token: first with throw-away sandboxes (same state dir, same token
// key), then while `stsdeck sandbox` serves the state dir in the foreground.
func TestSandboxExportedTokenFlow(t *testing.T) {
	w := newWorld(t)
	env := w.must("issue", "--sandbox", "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--format", "env").stdout
	w.set(evalSh(t, env, nil, credVars...))
	if !strings.HasPrefix(w.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], "STS.") {
		t.Fatalf("issue env:\n%s", env)
	}
	probe := func(t *testing.T) {
		t.Helper()
		r := w.run("", "probe", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/", "--json")
		if r.code != ExitOK {
			t.Fatalf("probe: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		var rep struct {
			Results []struct {
				Scope, Op string
				Actual    struct{ Allowed bool }
			}
		}
		json.Unmarshal([]byte(r.stdout), &rep)
		for _, res := range rep.Results {
			if want := res.Scope == "inside" && res.Op == "put"; res.Actual.Allowed != want && res.Op != "get" && res.Op != "head" {
				t.Errorf("%s %s allowed %v (upload-only)", res.Scope, res.Op, res.Actual.Allowed)
			}
		}
	}
	file := filepath.Join(t.TempDir(), "hello.txt")
	os.WriteFile(file, []byte("hello\n"), 0o600)

	t.Run("throw-away sandbox", func(t *testing.T) {
		probe(t)
		w.must("upload", "--sandbox", file, "oss://examplebucket/src/hello.txt", "--quiet")
		r := w.must("presign", "--sandbox", "--method", "PUT", "oss://examplebucket/src/p.txt", "--expires", "10m")
		if !strings.Contains(r.stderr, "only works while a sandbox is running") || !strings.Contains(r.stderr, "stsdeck sandbox") {
			t.Errorf("presign against a throw-away sandbox does not warn:\n%s", r.stderr)
		}
	})
	t.Run("while stsdeck sandbox runs on the state dir", func(t *testing.T) {
		_, stop := w.foregroundSandbox()
		defer stop()
		probe(t)
		r := w.must("presign", "--sandbox", "--method", "PUT", "oss://examplebucket/src/p.txt", "--expires", "10m")
		if strings.Contains(r.stderr, "warning") {
			t.Errorf("presign against the running sandbox warns:\n%s", r.stderr)
		}
		// The URL works: the running sandbox answers it.
		req, err := http.NewRequest(http.MethodPut, strings.TrimSpace(r.stdout), strings.NewReader("via presigned URL\n"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("presigned PUT: %s", resp.Status)
		}
	})
	t.Run("without the token, a hint for sandbox mode", func(t *testing.T) {
		for _, k := range credVars {
			delete(w.vars, k)
		}
		r := w.run("", "probe", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/")
		if r.code != ExitBadInput || !strings.Contains(r.stderr, "stsdeck issue --sandbox --role NAME --format env") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
}

// An external-id denial says what is missing, and the denial detail explains its numbers.
func TestExternalIDDenialExplained(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no external id", nil, []string{
			"warning: the role PartnerWithExternalId trusts you only with an external id",
			"hint: The role PartnerWithExternalId trusts you only with an external id",
			"by AssumeRolePolicy (the role's trust policy); principal: RAM user id ",
		}},
		{"wrong external id", []string{"--external-id", "partner-b-0000"}, []string{"hint: The role PartnerWithExternalId trusts you only with a specific external id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run("", append([]string{"issue", "--sandbox", "--role", "PartnerWithExternalId"}, tc.args...)...)
			if r.code != ExitDenied {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			for _, s := range tc.want {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "ImplicitDeny (") {
				t.Errorf("an unexplained number in the denial:\n%s", r.stderr)
			}
		})
	}
	if r := w.must("issue", "--sandbox", "--role", "PartnerWithExternalId", "--external-id", "partner-b-7f3c"); strings.Contains(r.stderr, "warning") {
		t.Errorf("a warning with the right external id:\n%s", r.stderr)
	}
}

func TestDeniedDetailText(t *testing.T) {
	tests := []struct {
		name string
		d    model.AccessDeniedDetail
		want string
	}{
		{"trust, RAM user", model.AccessDeniedDetail{AuthAction: "sts:AssumeRole", NoPermissionType: "ImplicitDeny", PolicyType: "AssumeRolePolicy", AuthPrincipalType: "SubUser", AuthPrincipalDisplayName: "2001", AuthPrincipalOwnerID: "1234"},
			"sts:AssumeRole, implicitly denied (no statement allows it) by AssumeRolePolicy (the role's trust policy); principal: RAM user id 2001 in account 1234"},
		{"session, assumed role", model.AccessDeniedDetail{AuthAction: "oss:PutObject", NoPermissionType: "ExplicitDeny", PolicyType: "SessionPolicy", AuthPrincipalType: "AssumedRoleUser", AuthPrincipalDisplayName: "3001:pb"},
			"oss:PutObject, explicitly denied (a Deny statement matched) by SessionPolicy (the token's session policy); principal: assumed role (role id:session) 3001:pb"},
		{"unknown words kept", model.AccessDeniedDetail{AuthAction: "oss:GetObject", NoPermissionType: "Other", PolicyType: "NewPolicyKind"},
			"oss:GetObject, Other by NewPolicyKind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := deniedDetailText(&tc.d); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
