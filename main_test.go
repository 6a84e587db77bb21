package main

// End-to-end flows of the console against the real embedded sandbox through the real adapters
// and SDKs: teatest at 80×24 and 160×48 with golden files taken from the final model's View()
// (run with -update to rewrite them), and a smoke test of the built binary in a real terminal
// (tmux).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/sts/sandbox"
	"github.com/stsdeck/stsdeck/ui"
	"github.com/stsdeck/stsdeck/ui/cli"
)

// consoleEnv returns an environment whose state lives in a temp dir and that finds no
// credentials anywhere else (extra overrides or adds variables).
func consoleEnv(t *testing.T, extra map[string]string) *cli.Env {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"STSDECK_STATE_DIR":                   dir,
		"HOME":                                dir,
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
		"NO_COLOR":                            "1",
	}
	for k, v := range extra {
		vars[k] = v
	}
	return &cli.Env{Getenv: func(k string) string { return vars[k] }, Stdout: os.Stdout, Stderr: os.Stderr}
}

// sandboxConsole returns the console model as a bare `stsdeck` builds it: it connects inside a
// command after its first frame, through main.go's connectServices.
func sandboxConsole(t *testing.T, g cli.Global, env *cli.Env) tea.Model {
	t.Helper()
	var mu sync.Mutex
	var closers []func()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range closers {
			c()
		}
	})
	connect := func(ctx context.Context) (*service.Services, func(), error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		svc, closer, err := connectServices(ctx, g, env)
		if err != nil {
			t.Errorf("connect: %v", err)
			return nil, nil, err
		}
		mu.Lock()
		closers = append(closers, closer)
		mu.Unlock()
		return svc, nil, nil
	}
	return ui.New(nil, ui.Options{NoColor: true, Connect: connect})
}

var ansiSeq = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]`)

func plain(b []byte) string { return ansiSeq.ReplaceAllString(string(b), "") }

// flow drives a teatest model step by step: send keys, then wait until the screen shows text.
type flow struct {
	t   *testing.T
	tm  *teatest.TestModel
	log *outLog
}

// outLog keeps every byte the program wrote. teatest.WaitFor forgets what it read when it
// returns, so text drawn in the same write as an earlier wait's match was lost to the next wait
// (the renderer does not redraw unchanged lines): a flaky timeout under load.
type outLog struct {
	buf bytes.Buffer
	// mark: waits look at the output from here on — where it stood when the first input after
	// the last wait was sent (a run of inputs, such as 40 downs, shares one mark).
	mark   int
	waited bool
}

func newFlow(t *testing.T, tm *teatest.TestModel) flow { return flow{t, tm, &outLog{}} }

// drain appends what the program wrote since the last read.
func (f flow) drain() {
	if _, err := io.ReadAll(io.TeeReader(f.tm.Output(), &f.log.buf)); err != nil {
		f.t.Fatal(err)
	}
}

// send sends msg; the first input after a wait marks where the output stands, and later waits
// look at what follows.
func (f flow) send(msg tea.Msg) {
	if f.log.waited {
		f.drain()
		f.log.mark, f.log.waited = f.log.buf.Len(), false
	}
	f.tm.Send(msg)
}

func (f flow) keys(ks ...string) {
	for _, k := range ks {
		f.send(keyMsg(k))
	}
}

func (f flow) text(s string) { f.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

func (f flow) waitFor(what ...string) {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f.drain()
		out := plain(f.log.buf.Bytes()[f.log.mark:])
		missing := ""
		for _, w := range what {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			f.log.waited = true
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waiting for %q: not on screen after 30s; output since the last input:\n%s", missing, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// finalView quits and returns the final model's View(), with run-dependent values masked.
// Unless keepStatus, it first puts a fixed text on the status line (a status fades after
// some seconds, which would make the golden file depend on the machine's speed).
func (f flow) finalView(keepStatus bool) string {
	f.t.Helper()
	if !keepStatus {
		f.send(ui.StatusMsg{Text: "(end of flow)"})
		f.waitFor("(end of flow)")
	}
	if err := f.tm.Quit(); err != nil {
		f.t.Fatal(err)
	}
	m := f.tm.FinalModel(f.t, teatest.WithFinalTimeout(10*time.Second))
	return mask(plain([]byte(m.View())))
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "ctrl+t": tea.KeyCtrlT, "ctrl+u": tea.KeyCtrlU,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	if strings.HasPrefix(k, "alt+") {
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k[4:]), Alt: true}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// Masks for what differs from run to run: ids, times, rates, random names.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`STS\.[A-Za-z0-9]{8,}`), "STS.<akid>"},
	{regexp.MustCompile(`"[0-9A-F]{32}(-\d+)?"`), `"<etag>"`},
	{regexp.MustCompile(`\b[0-9A-F]{24}\b`), "<request-id>"},
	{regexp.MustCompile(`\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b`), "<request-id>"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?( [A-Z]{2,5}\b|Z|[+-]\d{2}:?\d{2})?`), "<time>"},
	// Wrapped lines may split a stamp or a random name: allow a line break inside them.
	{regexp.MustCompile(`\d{8}(?:\n[ \t]*)?-(?:\n[ \t]*)?\d{6}`), "<stamp>"},
	{regexp.MustCompile(`(\d+h ?)?(\d+m ?)?\d+s left`), "<remaining> left"},
	{regexp.MustCompile(`in [\d.]+(ns|µs|ms|s) at [\d.]+ ?[KMGT]?i?B/s`), "in <elapsed> at <rate>"},
	{regexp.MustCompile(`stsdeck-probe-[0-9a-f]*(?:\n[ \t]*[0-9a-f]+\b)?`), "stsdeck-probe-<rand>"},
	{regexp.MustCompile(`CAIS\S*…\S* \(\d+ chars\)`), "<token>"},
	{regexp.MustCompile(`[█░]+ *\d+%`), "<bar>"},
	{regexp.MustCompile(`/tmp/\S+`), "<tmp>"},
	{regexp.MustCompile(`\b\d+ms\b`), "<ms>"},
}

func mask(s string) string {
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	// Masking changes widths: drop trailing blanks so the golden files hold no padding noise.
	// A line cut to the terminal width ends in "…" after a word whose length depends on the
	// masked values before it: keep only the "…".
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " ")
		if strings.HasSuffix(l, "…") {
			l = strings.TrimSuffix(l, "…")
			if j := strings.LastIndex(l, " "); j >= 0 {
				l = l[:j+1]
			}
			l += "…"
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n") + "\n"
}

var sizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"160x48", 160, 48}}

// demoToToken walks the classic scenario up to an issued token: RamOssTest, upload-only for
// examplebucket/src/, issue.
func demoToToken(f flow) {
	f.t.Helper()
	f.waitFor("RamOssTest")
	f.keys("/")
	f.text("RamOss")
	f.keys("enter")
	f.waitFor("“RamOss” 1 of")
	f.keys("enter")
	f.waitFor("Session policy")
	f.keys("t", "enter")
	f.waitFor("Bucket: examplebucket")
	f.keys("enter")
	f.text("src/")
	f.keys("enter")
	f.waitFor("no findings", "Allow")
	f.keys("tab")
	// The Issue screen learns the policy by a message: issue once it shows it (else, on a
	// loaded machine, the token could be issued before it arrives, without the policy).
	f.waitFor("session name", "— examplebucket/src/")
	f.keys("enter")
	f.waitFor("AccessKeyId", "STS.")
}

func TestConsoleDemoFlow(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			t.Parallel()
			m := sandboxConsole(t, cli.Global{Sandbox: true, Console: true}, consoleEnv(t, nil))
			f := newFlow(t, teatest.NewTestModel(t, m, teatest.WithInitialTermSize(sz.w, sz.h)))
			demoToToken(f)
			f.keys("tab")
			f.waitFor("Test the token")
			f.keys("u")
			// A successful upload runs the probe by itself.
			f.waitFor("upload succeeded", "0003-00000301")
			v := f.finalView(false)
			for _, want := range []string{"[SANDBOX]", "upload succeeded: oss://examplebucket/src/", "outside", "AccessDenied", "0003-00000301", "Deny (session)"} {
				if !strings.Contains(v, want) {
					t.Errorf("final view lacks %q:\n%s", want, v)
				}
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func TestConsoleExplainAccessDenied(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			t.Parallel()
			m := sandboxConsole(t, cli.Global{Sandbox: true, Console: true}, consoleEnv(t, nil))
			f := newFlow(t, teatest.NewTestModel(t, m, teatest.WithInitialTermSize(sz.w, sz.h)))
			demoToToken(f)
			f.keys("tab")
			f.waitFor("Test the token")
			f.keys("p")
			f.waitFor("0003-00000301")
			// The put outside the prefix is the classic denial: select it and explain.
			// The cursor starts on the first denial (head inside); put outside is 4 rows below.
			for range 4 {
				f.keys("down")
			}
			f.keys("enter")
			// The server's trace comes last (below the fold at 80×24): scroll to it, wait for
			// it, and scroll back to the top for the golden file.
			for range 40 {
				f.keys("down")
			}
			f.waitFor("session-policy")
			for range 40 {
				f.keys("up")
			}
			v := f.finalView(false) // messages arrive in order: the view is scrolled back
			for _, want := range []string{"Explain: probe put dst/", "AccessDenied", "0003-00000301", "Access denied by authorizer's policy.", "session"} {
				if !strings.Contains(v, want) {
					t.Errorf("final view lacks %q:\n%s", want, v)
				}
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func TestConsoleExpiredToken(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			t.Parallel()
			m := sandboxConsole(t, cli.Global{Sandbox: true, Console: true}, consoleEnv(t, nil))
			f := newFlow(t, teatest.NewTestModel(t, m, teatest.WithInitialTermSize(sz.w, sz.h)))
			demoToToken(f)
			f.keys("esc") // no field focused: the clock key is global
			for range 4 {
				f.keys("ctrl+t")
			}
			f.waitFor("clock +1h")
			f.keys("tab")
			f.waitFor("Test the token")
			f.keys("u")
			f.waitFor("EXPIRED")
			v := f.finalView(false)
			for _, want := range []string{"clock +1h", "SecurityTokenExpired", "EXPIRED"} {
				if !strings.Contains(v, want) {
					t.Errorf("final view lacks %q:\n%s", want, v)
				}
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func TestConsoleListRolesDenied(t *testing.T) {
	// A running sandbox; the console acts as its user sts-only (AssumeRole, no RAM read) with
	// credentials from the environment and the sandbox's endpoints, as against a real account.
	run, err := sandbox.Start(context.Background(), sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	u, ok := run.Info.User("sts-only")
	if !ok {
		t.Fatal("the built-in seed has no user sts-only")
	}
	g := cli.Global{Console: true, STSEndpoint: run.Info.STSEndpoint, RAMEndpoint: run.Info.RAMEndpoint, OSSEndpoint: run.Info.OSSEndpoint}
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			env := consoleEnv(t, map[string]string{
				"ALIBABA_CLOUD_ACCESS_KEY_ID":     u.AccessKeyID,
				"ALIBABA_CLOUD_ACCESS_KEY_SECRET": u.AccessKeySecret,
				"ALIBABA_CLOUD_REGION_ID":         run.Info.Region,
			})
			m := sandboxConsole(t, g, env)
			f := newFlow(t, teatest.NewTestModel(t, m, teatest.WithInitialTermSize(sz.w, sz.h)))
			f.waitFor("RAM refused to list the roles")
			f.keys("a", "ctrl+u")
			f.text("acs:ram::" + run.Info.AccountID + ":role/ramosstest")
			f.keys("enter")
			f.waitFor("Session policy")
			v := f.finalView(true)
			for _, want := range []string{"[LIVE]", "user/sts-only", "Session policy", "NoPermission"} {
				if !strings.Contains(v, want) {
					t.Errorf("final view lacks %q:\n%s", want, v)
				}
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// TestConsoleSmokeTmux runs the built binary in a real terminal: the demo reaches "upload
// succeeded" and the session-policy denial, and quitting restores the terminal.
func TestConsoleSmokeTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("STSDECK_REQUIRE_TMUX") == "1" {
			t.Fatal("tmux is required (STSDECK_REQUIRE_TMUX=1) but not installed")
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "stsdeck")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	tx := newTmux(t, dir)
	state := filepath.Join(dir, "state")
	tx.start(80, 24, fmt.Sprintf("env -u NO_COLOR STSDECK_STATE_DIR=%s HOME=%s ALIBABA_CLOUD_ECS_METADATA_DISABLED=true %s; echo STSDECK-EXITED $?; sleep 60", state, dir, bin))
	tx.waitFor("RamOssTest")
	if on := tx.display("#{alternate_on}"); on != "1" {
		t.Errorf("the console is not on the alternate screen (alternate_on=%q)", on)
	}
	tx.send("/")
	tx.send("-l", "RamOss")
	tx.send("Enter")
	tx.send("Enter")
	tx.waitFor("Session policy")
	tx.send("t")
	tx.send("Enter")
	tx.waitFor("Bucket: examplebucket")
	tx.send("Enter")
	tx.send("-l", "src/")
	tx.send("Enter")
	tx.waitFor("no findings")
	tx.send("Tab")
	tx.waitFor("session name")
	tx.waitFor("— examplebucket/src/") // the policy has reached the Issue screen
	tx.send("Enter")
	tx.waitFor("AccessKeyId")
	tx.send("Tab")
	tx.waitFor("Test the token")
	tx.send("u")
	tx.waitFor("upload succeeded")
	tx.waitFor("0003-00000301") // the probe runs after a successful upload
	screen := tx.capture()
	if !regexp.MustCompile(`put\s+outside\s+Deny \(session\)\s+✗ 403 AccessDenied`).MatchString(screen) {
		t.Errorf("no session-policy denial of put outside the prefix:\n%s", screen)
	}
	tx.send("q")
	tx.waitFor("STSDECK-EXITED 0")
	if on := tx.display("#{alternate_on}"); on != "0" {
		t.Errorf("alternate screen still on after quit")
	}
	if c := tx.display("#{cursor_flag}"); c != "1" {
		t.Errorf("cursor hidden after quit (cursor_flag=%q)", c)
	}
	if m := tx.display("#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}"); m != "000" {
		t.Errorf("mouse reporting left on after quit: %q", m)
	}
	if s := tx.capture(); strings.Contains(s, "RamOssTest") {
		t.Errorf("the console's screen is still shown after quit:\n%s", s)
	}
}

// tmux runs one session on a private server socket.
type tmux struct {
	t      *testing.T
	socket string
	name   string
}

func newTmux(t *testing.T, dir string) *tmux {
	tx := &tmux{t: t, socket: filepath.Join(dir, "tmux.sock"), name: "stsdeck-smoke"}
	t.Cleanup(func() { exec.Command("tmux", "-S", tx.socket, "kill-server").Run() })
	return tx
}

func (tx *tmux) run(args ...string) string {
	tx.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tx.socket}, args...)...).CombinedOutput()
	if err != nil {
		tx.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (tx *tmux) start(w, h int, shell string) {
	tx.run("new-session", "-d", "-s", tx.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shell)
}

func (tx *tmux) send(keys ...string) {
	tx.run(append([]string{"send-keys", "-t", tx.name}, keys...)...)
	time.Sleep(100 * time.Millisecond) // one key group per read, as a person types
}

func (tx *tmux) capture() string { return tx.run("capture-pane", "-p", "-t", tx.name) }

func (tx *tmux) display(format string) string {
	return strings.TrimSpace(tx.run("display-message", "-p", "-t", tx.name, format))
}

func (tx *tmux) waitFor(s string) {
	tx.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(tx.capture(), s) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tx.t.Fatalf("the terminal never showed %q:\n%s", s, tx.capture())
}

// BenchmarkFirstFrame measures, in tmux, the time from exec to the console's first full frame
// (the header "stsdeck …" and the tabs drawn — while it is still connecting: the credential
// chain and the embedded sandbox's start run after it) in sandbox-fallback mode, next to the
// smallest Bubble Tea program (testdata/hello) measured the same way in the same run,
// interleaved. Both include tmux's own start-up; x-hello is the ratio of the medians (target
// ≤ 2). ns-ready-median is the time until the roles are listed (connected), for reference.
func BenchmarkFirstFrame(b *testing.B) {
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Skip("tmux not installed")
	}
	dir := b.TempDir()
	bins := map[string]string{"stsdeck": filepath.Join(dir, "stsdeck"), "hello": filepath.Join(dir, "hello")}
	for name, pkg := range map[string]string{"stsdeck": ".", "hello": "./testdata/hello"} {
		if out, err := exec.Command("go", "build", "-o", bins[name], pkg).CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	socket := filepath.Join(dir, "tmux.sock")
	defer exec.Command("tmux", "-S", socket, "kill-server").Run()
	// A session that outlives the measured ones keeps the server up between them (a server
	// exiting with its last session races the next new-session: "server exited unexpectedly").
	if out, err := exec.Command("tmux", "-S", socket, "new-session", "-d", "-s", "keep", "sleep 3600").CombinedOutput(); err != nil {
		b.Fatalf("tmux: %v: %s", err, out)
	}
	state := filepath.Join(dir, "state")
	// measure returns, for each marker in turn, the time until the screen showed it (and every
	// marker before it).
	measure := func(cmd string, markers ...string) []time.Duration {
		name := fmt.Sprintf("ff%d", time.Now().UnixNano())
		start := time.Now()
		if out, err := exec.Command("tmux", "-S", socket, "new-session", "-d", "-s", name, "-x", "80", "-y", "24", cmd).CombinedOutput(); err != nil {
			b.Fatalf("tmux: %v: %s", err, out)
		}
		defer exec.Command("tmux", "-S", socket, "kill-session", "-t", name).Run()
		var got []time.Duration
		for time.Since(start) < 20*time.Second {
			out, _ := exec.Command("tmux", "-S", socket, "capture-pane", "-p", "-t", name).Output()
			for len(got) < len(markers) && strings.Contains(string(out), markers[len(got)]) {
				got = append(got, time.Since(start))
			}
			if len(got) == len(markers) {
				return got
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.Fatalf("%s never showed %q", cmd, markers[len(got)])
		return nil
	}
	console := fmt.Sprintf("env STSDECK_STATE_DIR=%s HOME=%s ALIBABA_CLOUD_ECS_METADATA_DISABLED=true %s", state, dir, bins["stsdeck"])
	measure(console, "5 History", "RamOssTest") // the first run creates the sandbox's keys and data dir
	var mine, ready, base []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := measure(console, "5 History", "RamOssTest")
		mine, ready = append(mine, d[0]), append(ready, d[1])
		b.StopTimer()
		base = append(base, measure(bins["hello"], "hello, world")[0])
		b.StartTimer()
	}
	b.StopTimer()
	med := func(d []time.Duration) time.Duration {
		s := append([]time.Duration(nil), d...)
		for i := range s {
			for j := i + 1; j < len(s); j++ {
				if s[j] < s[i] {
					s[i], s[j] = s[j], s[i]
				}
			}
		}
		return s[len(s)/2]
	}
	b.ReportMetric(float64(med(mine).Nanoseconds()), "ns-median")
	b.ReportMetric(float64(med(base).Nanoseconds()), "ns-hello-median")
	b.ReportMetric(float64(med(ready).Nanoseconds()), "ns-ready-median")
	b.ReportMetric(float64(med(mine))/float64(med(base)), "x-hello")
}
