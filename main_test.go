package main

// End-to-end flows of the console against the real embedded sandbox through the real adapters
// and SDKs: teatest at 80×24 and 160×48 with golden files taken from the final model's View()
// (run with -update to rewrite them), and a smoke test of the built binary in a real terminal
// (tmux).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ossdk "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/oss"
	"github.com/stsdeck/stsdeck/sts/creds"
	"github.com/stsdeck/stsdeck/ui/credfmt"

	osscred "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/stsdeck/stsdeck/sts"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	stsclient "github.com/alibabacloud-go/sts-20150401/v2/client"
	daratea "github.com/alibabacloud-go/tea/tea"

	"github.com/stsdeck/stsdeck/sts/stsemu"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

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
	// ctrl+t steps to the token's next expiry state: the offset depends on when it was pressed.
	{regexp.MustCompile(`clock \+[0-9hms]+`), "clock +<offset>"},
	{regexp.MustCompile(`sandbox clock \+[0-9hms]+`), "sandbox clock +<offset>"},
	{regexp.MustCompile(`clock is now [0-9hms]+ ahead`), "clock is now <offset> ahead"},
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
	f.waitFor("session name", "on examplebucket/src/")
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
			// Each press moves the sandbox clock to the token's next state.
			for _, state := range []string{"! expiring soon", "!! EXPIRES IN UNDER A MINUTE", "EXPIRED — the token no longer works"} {
				f.keys("ctrl+t")
				f.waitFor(state)
			}
			f.keys("tab")
			f.waitFor("Test the token")
			f.keys("u")
			f.waitFor("EXPIRED")
			v := f.finalView(false)
			for _, want := range []string{"clock +", "SecurityTokenExpired", "EXPIRED"} {
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
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: t.TempDir()})
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
			// A sandbox reached through explicit endpoints is detected and labelled (issue 12 item 16).
			for _, want := range []string{"[SANDBOX]", "user/sts-only", "Session policy", "NoPermission"} {
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
	tx.waitFor("on examplebucket/src/") // the policy has reached the Issue screen
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

// ─── the embedded sandbox: both emulators composed (moved from sts/sandbox) ───

func startTestSandbox(t *testing.T, o sandboxOptions) *sandbox {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	r, err := startSandbox(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func stsFor(t *testing.T, endpoint, ak, secret, token string) *stsclient.Client {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &openapi.Config{AccessKeyId: daratea.String(ak), AccessKeySecret: daratea.String(secret), Endpoint: daratea.String(u.Host),
		Protocol: daratea.String(u.Scheme), RegionId: daratea.String("cn-hangzhou")}
	if token != "" {
		cfg.SecurityToken = daratea.String(token)
	}
	c, err := stsclient.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSandboxStartInfo(t *testing.T) {
	r := startTestSandbox(t, sandboxOptions{})
	i := r.Info
	for name, u := range map[string]string{"sts": i.STSEndpoint, "ram": i.RAMEndpoint, "oss": i.OSSEndpoint} {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "http" || pu.Path != "" || !strings.HasPrefix(pu.Host, "127.0.0.1:") || strings.HasSuffix(u, "/") {
			t.Errorf("%s endpoint %q is not an absolute URL without a trailing slash", name, u)
		}
	}
	if i.STSEndpoint != i.RAMEndpoint || i.STSEndpoint == i.OSSEndpoint {
		t.Errorf("endpoints %+v", i)
	}
	if i.Region != "cn-hangzhou" || i.AccountID != "1234567890123456" || i.CAFile != "" {
		t.Errorf("info %+v", i)
	}
	var users []string
	for _, u := range i.Users {
		users = append(users, u.Name+":"+u.Kind)
		if u.AccessKeyID == "" || u.AccessKeySecret == "" {
			t.Errorf("user %s has no keys", u.Name)
		}
	}
	if got := strings.Join(users, ","); got != "root:root,sts-issuer:user,sts-only:user,no-sts-user:user" {
		t.Errorf("users %s", got)
	}
	if len(i.Roles) != 8 || i.Roles[0].ARN != "acs:ram::1234567890123456:role/ramosstest" || i.Roles[1].MaxSessionDuration != 43200 {
		t.Errorf("roles %+v", i.Roles)
	}
	if len(i.Buckets) != 2 || i.Buckets[0].Endpoint != i.OSSEndpoint || i.Buckets[1].Region != "cn-beijing" || i.Buckets[1].Endpoint == i.OSSEndpoint || i.Buckets[1].Endpoint == "" {
		t.Errorf("buckets %+v", i.Buckets)
	}

	t.Run("one sandbox per data dir", func(t *testing.T) {
		dir := t.TempDir()
		startTestSandbox(t, sandboxOptions{DataDir: dir})
		_, err := startSandbox(context.Background(), sandboxOptions{DataDir: dir})
		if !errors.Is(err, stsemu.ErrLocked) || !strings.Contains(err.Error(), "held by process") {
			t.Fatalf("second sandbox: %v", err)
		}
	})
}

// TestSandboxBothHalvesEndToEnd issues a token through the STS half with the official SDK and uses it
// on the OSS half with the official OSS SDK: the session policy allows src/ only.
func TestSandboxBothHalvesEndToEnd(t *testing.T) {
	r := startTestSandbox(t, sandboxOptions{})
	issuer, _ := r.Info.User("sts-issuer")
	c := stsFor(t, r.Info.STSEndpoint, issuer.AccessKeyID, issuer.AccessKeySecret, "")
	resp, err := c.AssumeRole(&stsclient.AssumeRoleRequest{RoleArn: daratea.String(r.Info.Roles[0].ARN), RoleSessionName: daratea.String("partner-b"),
		Policy: daratea.String(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	cr := resp.Body.Credentials
	oc := ossdk.NewClient(ossdk.LoadDefaultConfig().
		WithCredentialsProvider(osscred.NewStaticCredentialsProvider(daratea.StringValue(cr.AccessKeyId), daratea.StringValue(cr.AccessKeySecret), daratea.StringValue(cr.SecurityToken))).
		WithRegion("cn-hangzhou").WithEndpoint(r.Info.OSSEndpoint).WithUsePathStyle(true).WithRetryMaxAttempts(1))
	ctx := context.Background()
	if _, err := oc.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("src/hello.txt"), Body: bytes.NewReader([]byte("hello"))}); err != nil {
		t.Fatalf("put inside the prefix: %v", err)
	}
	_, err = oc.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("other/hello.txt"), Body: bytes.NewReader([]byte("hello"))})
	var se *ossdk.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 403 {
		t.Fatalf("put outside the prefix: %v", err)
	}
	ctl, err := r.Control()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ctl.Trace(ctx, "oss", se.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.RequestID != se.RequestID || tr.Status != 403 {
		t.Fatalf("oss trace %+v", tr)
	}

	t.Run("advancing the clock expires the token on both halves", func(t *testing.T) {
		off, err := ctl.Advance(ctx, 2*time.Hour)
		if err != nil || off != 2*time.Hour {
			t.Fatalf("advance: %v %v", off, err)
		}
		defer ctl.Advance(ctx, -2*time.Hour)
		_, err = oc.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("src/late.txt"), Body: bytes.NewReader([]byte("x"))})
		if !errors.As(err, &se) || se.StatusCode != 403 {
			t.Fatalf("OSS with an expired token: %v", err)
		}
		_, err = stsFor(t, r.Info.STSEndpoint, daratea.StringValue(cr.AccessKeyId), daratea.StringValue(cr.AccessKeySecret), daratea.StringValue(cr.SecurityToken)).GetCallerIdentity()
		var sdkErr *daratea.SDKError
		if !errors.As(err, &sdkErr) || daratea.StringValue(sdkErr.Code) != "InvalidSecurityToken.Expired" {
			t.Fatalf("STS with an expired token: %v", err)
		}
		rid := ""
		var data map[string]any
		if json.Unmarshal([]byte(daratea.StringValue(sdkErr.Data)), &data) == nil {
			rid, _ = data["RequestId"].(string)
		}
		tr, err := ctl.Trace(ctx, "sts", rid)
		if err != nil || tr.Check != "token" || tr.Code != "InvalidSecurityToken.Expired" {
			t.Fatalf("sts trace %+v %v", tr, err)
		}
		st, err := ctl.Clock(ctx)
		if err != nil || st.OffsetSeconds != 7200 || st.Now.Sub(st.Wall) < 2*time.Hour-time.Second {
			t.Fatalf("clock %+v %v", st, err)
		}
	})

	t.Run("unknown trace", func(t *testing.T) {
		if _, err := ctl.Trace(ctx, "sts", "NOPE"); err == nil || !strings.Contains(err.Error(), "no trace") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSandboxTLS(t *testing.T) {
	r := startTestSandbox(t, sandboxOptions{TLS: true})
	if !strings.HasPrefix(r.Info.STSEndpoint, "https://") || !strings.HasPrefix(r.Info.OSSEndpoint, "https://") || r.Info.CAFile == "" {
		t.Fatalf("info %+v", r.Info)
	}
	if st, err := os.Stat(r.Info.CAFile); err != nil || st.Size() == 0 {
		t.Fatalf("CA file: %v", err)
	}
	ctl, err := r.Control()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.Clock(context.Background()); err != nil {
		t.Fatalf("control over TLS with the CA file: %v", err)
	}
}

func TestSandboxBadSeed(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	os.WriteFile(seed, []byte("account_id: \"1\"\nroles:\n  - name: R\n    max_session_duration: 60\n"), 0o600)
	_, err := startSandbox(context.Background(), sandboxOptions{DataDir: t.TempDir(), SeedFile: seed})
	if err == nil || !strings.Contains(err.Error(), seed+": line 4, col 27: roles[0].max_session_duration: want 3600 to 43200 seconds, got 60") {
		t.Fatalf("err %v", err)
	}
	var ie *stsemu.InputError
	if !errors.As(err, &ie) || !ie.BadInput() {
		t.Errorf("a bad seed is not marked as bad input: %T", err)
	}
	_, err = startSandbox(context.Background(), sandboxOptions{DataDir: t.TempDir(), SeedFile: filepath.Join(t.TempDir(), "missing.yaml")})
	if !errors.As(err, &ie) {
		t.Errorf("a missing seed file is not marked as bad input: %v", err)
	}
}

func TestSandboxRunWritesReadyFile(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	got := make(chan model.SandboxInfo, 1)
	go func() {
		done <- runSandbox(ctx, sandboxOptions{DataDir: filepath.Join(dir, "data")}, ready, func(i model.SandboxInfo) { got <- i })
	}()
	var info model.SandboxInfo
	select {
	case info = <-got:
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no ready callback")
	}
	st, err := os.Stat(ready)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("ready file %v %v", st, err)
	}
	raw, _ := os.ReadFile(ready)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got := strings.Join(keys, ","); got != "account_id,buckets,oss_endpoint,ram_endpoint,region,roles,sts_endpoint,users" {
		t.Fatalf("ready file keys %s", got)
	}
	u := m["users"].([]any)[0].(map[string]any)
	b := m["buckets"].([]any)[0].(map[string]any)
	ro := m["roles"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "kind", "access_key_id", "access_key_secret"} {
		if _, ok := u[k]; !ok {
			t.Errorf("users[0] lacks %s", k)
		}
	}
	for _, k := range []string{"name", "region", "endpoint"} {
		if _, ok := b[k]; !ok {
			t.Errorf("buckets[0] lacks %s", k)
		}
	}
	for _, k := range []string{"name", "arn", "max_session_duration"} {
		if _, ok := ro[k]; !ok {
			t.Errorf("roles[0] lacks %s", k)
		}
	}
	if m["sts_endpoint"] != info.STSEndpoint {
		t.Errorf("ready file and callback disagree")
	}
	// The sandbox also publishes itself in its data dir, where --sandbox commands look.
	published := filepath.Join(dir, "data", readyFileName)
	if st, err := os.Stat(published); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("published ready file %v %v", st, err)
	}
	if pub, _ := os.ReadFile(published); string(pub) != string(raw) {
		t.Errorf("published ready file differs from --ready-file:\n%s", pub)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop")
	}
	for _, f := range []string{ready, published} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s left after the sandbox stopped: %v", f, err)
		}
	}
	// The data dir is free again.
	r, err := startSandbox(context.Background(), sandboxOptions{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	r.Close()
}

// ─── live or sandbox (moved from sts/connect) ───

func connectOpts(t *testing.T, env map[string]string) connectOptions {
	home := t.TempDir()
	m := map[string]string{"HOME": home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	for k, v := range env {
		m[k] = v
	}
	return connectOptions{StateDir: filepath.Join(home, "state"), Getenv: func(k string) string { return m[k] }}
}

func TestConnect(t *testing.T) {
	ctx := context.Background()
	t.Run("no credentials: commands get where-I-looked", func(t *testing.T) {
		_, err := connect(ctx, connectOpts(t, nil))
		var nf *creds.NotFoundError
		if !errors.As(err, &nf) || len(nf.Looked) < 5 {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("no credentials: the console falls back to the sandbox", func(t *testing.T) {
		o := connectOpts(t, nil)
		o.Fallback = true
		c, err := connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		who, err := c.STS.Whoami(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Mode != "sandbox" || c.Control == nil || !strings.Contains(c.Where, "no credentials found") || !strings.Contains(c.Where, "looked in") ||
			len(c.Looked) == 0 || !strings.HasSuffix(who.ARN, ":user/"+sandboxUser) {
			t.Errorf("conn %+v who %+v", c, who)
		}
	})
	t.Run("an explicit --profile never falls back", func(t *testing.T) {
		o := connectOpts(t, nil)
		o.Fallback, o.Profile = true, "missing"
		if _, err := connect(ctx, o); err == nil {
			t.Fatal("want an error")
		}
	})
	t.Run("sandbox in another region uses that region's OSS listener", func(t *testing.T) {
		o := connectOpts(t, nil)
		o.Sandbox, o.Region = true, "cn-beijing"
		c, err := connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		want := ""
		for _, b := range c.Sandbox.Info.Buckets {
			if b.Region == "cn-beijing" {
				want = b.Endpoint
			}
		}
		if want == "" || c.OSSEndpoint != want || c.Region != "cn-beijing" {
			t.Errorf("OSS endpoint %q region %q, want %q", c.OSSEndpoint, c.Region, want)
		}
	})
	t.Run("live: region from the environment, endpoints split", func(t *testing.T) {
		o := connectOpts(t, map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "ALIBABA_CLOUD_REGION_ID": "cn-shanghai"})
		o.OSSEndpoint = "http://127.0.0.1:9"
		c, err := connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if c.Mode != "live" || c.Region != "cn-shanghai" || c.OSSEndpoint != "http://127.0.0.1:9" || c.Temporary || c.Sandbox != nil {
			t.Errorf("conn %+v", c)
		}
		cur, err := c.Current(ctx)
		if err != nil || cur.AccessKeyID != "LTAIx" {
			t.Errorf("Current %v %v", cur, err)
		}
	})
	t.Run("endpoint variables default the flags; flags win; --sandbox ignores them", func(t *testing.T) {
		o := connectOpts(t, map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
			envSTSEndpoint: "http://127.0.0.1:7", envOSSEndpoint: "http://127.0.0.1:8"})
		c, err := connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if c.OSSEndpoint != "http://127.0.0.1:8" || c.Mode != "live" {
			t.Errorf("OSS endpoint %q", c.OSSEndpoint)
		}
		o.OSSEndpoint = "http://127.0.0.1:9"
		if c, err = connect(ctx, o); err != nil || c.OSSEndpoint != "http://127.0.0.1:9" {
			t.Errorf("flag: %q %v", c.OSSEndpoint, err)
		}
		o.OSSEndpoint, o.Sandbox = "", true
		c, err = connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.OSSEndpoint == "http://127.0.0.1:8" || c.OSSEndpoint != c.Sandbox.Info.OSSEndpoint {
			t.Errorf("--sandbox used %q, want its own %q", c.OSSEndpoint, c.Sandbox.Info.OSSEndpoint)
		}
		bad := connectOpts(t, map[string]string{envRAMEndpoint: "ftp://h"})
		if _, err := connect(ctx, bad); err == nil || !strings.Contains(err.Error(), envRAMEndpoint) {
			t.Errorf("bad variable: %v", err)
		}
	})
	t.Run("sandbox mode: exported temporary credentials serve the OSS commands", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			env  map[string]string
			temp bool
			id   string
		}{
			{"none", nil, false, ""},
			{"key without token", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}, false, ""},
			{"ALIBABA_CLOUD_*", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.a", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "ALIBABA_CLOUD_SECURITY_TOKEN": "t"}, true, "STS.a"},
			{"OSS_*", map[string]string{"OSS_ACCESS_KEY_ID": "STS.b", "OSS_ACCESS_KEY_SECRET": "s", "OSS_SESSION_TOKEN": "t"}, true, "STS.b"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := connectOpts(t, tc.env)
				o.Sandbox = true
				c, err := connect(ctx, o)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				cur, err := c.Current(ctx)
				if err != nil || c.Temporary != tc.temp || (tc.temp && (cur.AccessKeyID != tc.id || cur.SecurityToken != "t" || cur.Region == "")) {
					t.Errorf("temporary %v current %+v %v", c.Temporary, cur.AccessKeyID, err)
				}
				if !c.Ephemeral || !c.Control.Ephemeral() {
					t.Errorf("a sandbox started for the command is not marked ephemeral")
				}
				// STS and RAM still act as sts-issuer.
				if who, err := c.STS.Whoami(ctx); err != nil || !strings.HasSuffix(who.ARN, ":user/"+sandboxUser) {
					t.Errorf("whoami %+v %v", who, err)
				}
			})
		}
	})
	t.Run("bad endpoint flag", func(t *testing.T) {
		o := connectOpts(t, nil)
		o.RAMEndpoint = "http://h/path"
		if _, err := connect(ctx, o); err == nil || !strings.Contains(err.Error(), "--ram-endpoint") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestConnectUsesRunningSandbox(t *testing.T) {
	ctx := context.Background()
	o := connectOpts(t, nil)
	o.Sandbox = true
	dir := filepath.Join(o.StateDir, "sandbox")
	run, err := startSandbox(ctx, sandboxOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	// Without a ready file the lock error is reported.
	if _, err := connect(ctx, o); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("err %v", err)
	}
	if err := writeReadyFile(filepath.Join(dir, readyFileName), run.Info); err != nil {
		t.Fatal(err)
	}
	c, err := connect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Mode != "sandbox" || !strings.Contains(c.Where, "already running") || c.Control == nil || c.Ephemeral || c.Control.Ephemeral() {
		t.Errorf("conn %+v", c)
	}
	if _, err := c.STS.Whoami(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestConnectRunningTLSSandbox(t *testing.T) {
	ctx := context.Background()
	o := connectOpts(t, nil)
	o.Sandbox = true
	dir := filepath.Join(o.StateDir, "sandbox")
	run, err := startSandbox(ctx, sandboxOptions{DataDir: dir, TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if !strings.HasPrefix(run.Info.STSEndpoint, "https://") || run.Info.CAFile == "" {
		t.Fatalf("not a TLS sandbox: %+v", run.Info)
	}
	if err := writeReadyFile(filepath.Join(dir, readyFileName), run.Info); err != nil {
		t.Fatal(err)
	}
	c, err := connect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cr, err := c.STS.AssumeRole(ctx, model.IssueRequest{RoleARN: "acs:ram::" + run.Info.AccountID + ":role/OssReadWrite", SessionName: "tls-test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OSS.With(cr).Put(ctx, "examplebucket", "src/tls.txt", strings.NewReader("over https"), 10, nil); err != nil {
		t.Fatal(err)
	}
}

// ─── the OSS adapter against the whole sandbox: tokens from the STS half (moved from oss/) ───

// Everything goes through the real SDKs (STS for the token, OSS for the objects) to the
// in-process sandbox over loopback.

type ossEnv struct {
	r   *sandbox
	sts *sts.Client
	svc *oss.Service
}

func ossSetup(t testing.TB, cfg oss.Config) *ossEnv {
	t.Helper()
	r, err := startSandbox(context.Background(), sandboxOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	u, _ := r.Info.User("sts-issuer")
	p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(u.AccessKeyID).WithAccessKeySecret(u.AccessKeySecret).Build()
	if err != nil {
		t.Fatal(err)
	}
	stsEP, _ := model.ParseEndpoint("sts", r.Info.STSEndpoint)
	c, err := sts.New(sts.Config{Credentials: p, Region: r.Info.Region, STSEndpoint: stsEP, RAMEndpoint: stsEP})
	if err != nil {
		t.Fatal(err)
	}
	ossEP, err := model.ParseEndpoint("oss", r.Info.OSSEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Region, cfg.Endpoint = r.Info.Region, ossEP
	return &ossEnv{r: r, sts: c, svc: oss.NewService(cfg)}
}

func (e *ossEnv) token(t testing.TB, role, policy string, d time.Duration) model.Credentials {
	t.Helper()
	cr, err := e.sts.AssumeRole(context.Background(), model.IssueRequest{
		RoleARN: issuereq.RoleARN(e.r.Info.AccountID, role), SessionName: "oss-test", Duration: d, Policy: policy,
	})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", role, err)
	}
	return cr
}

const srcOnly = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject","oss:GetObject","oss:DeleteObject"],"Resource":"acs:oss:*:*:examplebucket/src/*"},` +
	`{"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:examplebucket","Condition":{"StringLike":{"oss:Prefix":"src/*"}}}]}`

func TestOSSAdapterObjectLifecycle(t *testing.T) {
	for _, v1 := range []bool{false, true} {
		name := "V4"
		if v1 {
			name = "V1"
		}
		t.Run(name, func(t *testing.T) {
			e := ossSetup(t, oss.Config{SignatureV1: v1, PartSize: 256 << 10, Threshold: 512 << 10, Parallel: 3})
			c := e.svc.With(e.token(t, "OssReadWrite", "", 0))
			ctx := context.Background()
			for _, size := range []int64{0, 1000, 3<<20 + 17} { // single PUT, and multipart with a short last part
				g := oss.Generated{Seed: uint64(size), N: size}
				key := "src/obj-" + strings.Repeat("x", int(size%7)) + "-" + time.Now().Format("150405.000000")
				var mu sync.Mutex
				var last model.Progress
				calls := 0
				info, err := c.Put(ctx, "examplebucket", key, g, size, func(p model.Progress) {
					mu.Lock()
					defer mu.Unlock()
					if p.Done < last.Done {
						t.Errorf("progress went backwards: %d after %d", p.Done, last.Done)
					}
					last = p
					calls++
				})
				if err != nil {
					t.Fatalf("Put %d bytes: %v", size, err)
				}
				if last.Done != size || last.Total != size || calls < 2 {
					t.Errorf("final progress %+v after %d calls", last, calls)
				}
				if info.ETag == "" || info.CRC64 == "" {
					t.Errorf("Put info %+v", info)
				}
				var buf bytes.Buffer
				got, err := c.Get(ctx, "examplebucket", key, &buf)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if !bytes.Equal(buf.Bytes(), g.Bytes()) || got.Size != size || got.CRC64 != info.CRC64 {
					t.Errorf("Get returned %d bytes (crc %s), want %d (crc %s)", buf.Len(), got.CRC64, size, info.CRC64)
				}
				h, err := c.Head(ctx, "examplebucket", key)
				if err != nil || h.Size != size || h.ETag != info.ETag {
					t.Errorf("Head %+v %v", h, err)
				}
				list, err := c.List(ctx, "examplebucket", key, 10)
				if err != nil || len(list) != 1 || list[0].Key != key || list[0].Size != size {
					t.Errorf("List %+v %v", list, err)
				}
				if err := c.Delete(ctx, "examplebucket", key); err != nil {
					t.Fatal(err)
				}
				_, err = c.Head(ctx, "examplebucket", key)
				var ae *model.APIError
				if !errors.As(err, &ae) || ae.Code != "NoSuchKey" || ae.StatusCode != 404 {
					t.Errorf("Head after delete: %v", err)
				}
			}
		})
	}
}

func TestOSSAdapterPresignedURLs(t *testing.T) {
	e := ossSetup(t, oss.Config{})
	c := e.svc.With(e.token(t, "OssReadWrite", "", 0))
	ctx := context.Background()
	put, err := c.Presign(ctx, "PUT", "examplebucket", "src/presigned.txt", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(put, "x-oss-security-token") {
		t.Errorf("presigned URL lacks the token parameter: %s", put)
	}
	req, _ := http.NewRequest(http.MethodPut, put, strings.NewReader("via presigned PUT"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %s", resp.Status)
	}
	get, err := c.Presign(ctx, "GET", "examplebucket", "src/presigned.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(get)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "via presigned PUT" {
		t.Fatalf("presigned GET: %s %q", resp.Status, body)
	}
	// Tampering with the key breaks the signature.
	resp, err = http.Get(strings.Replace(get, "presigned.txt", "presigned.txx", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("tampered URL answered %s", resp.Status)
	}
}

func TestOSSAdapterClassicScenarioProbe(t *testing.T) {
	e := ossSetup(t, oss.Config{})
	c := e.svc.With(e.token(t, "OssReadWrite", srcOnly, 0))
	rep, err := c.Probe(context.Background(), model.ProbeSpec{Bucket: "examplebucket", Prefix: "src/", Outside: "dst/"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{ // scope/op -> allowed
		"inside/put": true, "inside/head": true, "inside/get": true, "inside/list": true, "inside/delete": true,
		"outside/put": false, "outside/head": false, "outside/get": false, "outside/list": false, "outside/delete": false,
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("%d results", len(rep.Results))
	}
	for _, r := range rep.Results {
		k := r.Scope + "/" + r.Op
		if r.Actual.Allowed != want[k] {
			t.Errorf("%s: allowed %v (status %d %s %s), want %v", k, r.Actual.Allowed, r.Actual.Status, r.Actual.Code, r.Actual.EC, want[k])
		}
		if !want[k] && (r.Actual.Status != 403 || r.Actual.EC != "0003-00000301" || r.Actual.RequestID == "") {
			t.Errorf("%s: denial %+v, want 403 with the session-policy EC", k, r.Actual)
		}
		// The server's message travels with a denial (HEAD answers have no body to carry one).
		if !want[k] && r.Op != "head" && r.Actual.Message == "" {
			t.Errorf("%s: denial without the server's message: %+v", k, r.Actual)
		}
		if want[k] && r.Actual.Message != "" {
			t.Errorf("%s: allowed, yet message %q", k, r.Actual.Message)
		}
		if r.Op != "list" && !strings.Contains(r.Key, oss.ProbeMarker) {
			t.Errorf("%s: key %q is not a probe key", k, r.Key)
		}
		if r.Scope == "inside" && r.Op != "list" && !strings.HasPrefix(r.Key, "src/") || r.Scope == "outside" && !strings.HasPrefix(r.Key, "dst/") {
			t.Errorf("%s: key %q in the wrong place", k, r.Key)
		}
	}
	if len(rep.LeftBehind) != 0 {
		t.Errorf("left behind %v", rep.LeftBehind)
	}
	// Upload-only: the object stays, and the probe says so.
	up := e.svc.With(e.token(t, "RamOssTest", "", 0))
	rep, err = up.Probe(context.Background(), model.ProbeSpec{Bucket: "examplebucket", Prefix: "src/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.LeftBehind) != 2 || rep.Outside != "dst/" {
		t.Fatalf("left behind %v outside %q, want both probe objects", rep.LeftBehind, rep.Outside)
	}
	// get of the object it could not read: 403, not NoSuchKey.
	for _, r := range rep.Results {
		if r.Op == "get" && (r.Actual.Allowed || r.Actual.Status != 403) {
			t.Errorf("get %+v", r.Actual)
		}
	}
}

func TestOSSAdapterProbeNoSuchKeyCountsAsAllowed(t *testing.T) {
	e := ossSetup(t, oss.Config{})
	// Read-only: put is denied, so head/get meet a missing key: 404 NoSuchKey = allowed.
	c := e.svc.With(e.token(t, "OssReadOnly", "", 0))
	rep, err := c.Probe(context.Background(), model.ProbeSpec{Bucket: "examplebucket", Prefix: "src/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		switch r.Op {
		case "put":
			if r.Actual.Allowed {
				t.Errorf("%s put allowed", r.Scope)
			}
		case "get", "head":
			if !r.Actual.Allowed || r.Actual.Status != 404 {
				t.Errorf("%s %s: %+v, want allowed 404", r.Scope, r.Op, r.Actual)
			}
		}
	}
}

func TestOSSAdapterExpiredTokenAndCancel(t *testing.T) {
	e := ossSetup(t, oss.Config{PartSize: 128 << 10, Threshold: 256 << 10, Parallel: 2})
	ctx := context.Background()
	cr := e.token(t, "OssReadWrite", "", 15*time.Minute)
	c := e.svc.With(cr)

	t.Run("cancelled multipart leaves nothing", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		size := int64(8 << 20)
		_, err := c.Put(cctx, "examplebucket", "src/cancelled.bin", oss.Generated{Seed: 1, N: size}, size, func(p model.Progress) {
			if p.Done > 0 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		_, err = c.Head(ctx, "examplebucket", "src/cancelled.bin")
		var ae *model.APIError
		if !errors.As(err, &ae) || ae.Code != "NoSuchKey" {
			t.Errorf("after cancel: %v", err)
		}
		// The upload was aborted on the server: no parts are left behind.
		lu, err := c.SDK().ListMultipartUploads(ctx, &ossdk.ListMultipartUploadsRequest{Bucket: ossdk.Ptr("examplebucket")})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range lu.Uploads {
			t.Errorf("multipart upload left on the server after cancel: key %s, upload id %s", ossdk.ToString(u.Key), ossdk.ToString(u.UploadId))
		}
	})

	t.Run("expired token", func(t *testing.T) {
		ctl, err := e.r.Control()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ctl.Advance(ctx, 16*time.Minute); err != nil {
			t.Fatal(err)
		}
		_, err = c.Put(ctx, "examplebucket", "src/late.txt", strings.NewReader("late"), 4, nil)
		var ae *model.APIError
		if !errors.As(err, &ae) || ae.Code != "SecurityTokenExpired" || ae.StatusCode != 403 || !strings.Contains(ae.Hint, "expired") {
			t.Fatalf("want SecurityTokenExpired, got %v", err)
		}
		if oss.DeniedBy(ae) != "credentials" || strings.Contains(ae.Error(), cr.SecurityToken) {
			t.Errorf("DeniedBy %q / error leaks the token", oss.DeniedBy(ae))
		}
	})
}

// BenchmarkOSSUpload uploads the same file through oss.Client (multipart, parallel parts) and, as
// the baseline, with one single-stream PutObject through the bare SDK (default configuration),
// against the same sandbox
// in the same run, and reports both times and their ratio (baseline / multipart; > 1 = faster).
// Size: $STSDECK_BENCH_MIB (default 1024 = 1 GiB); $STSDECK_BENCH_PART_MIB and
// $STSDECK_BENCH_PARALLEL override the adapter's part size and parallelism for experiments.
//
//	go test -run '^$' -bench BenchmarkOSSUpload -benchtime 1x .
func BenchmarkOSSUpload(b *testing.B) {
	mib := 1024
	if s := os.Getenv("STSDECK_BENCH_MIB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("STSDECK_BENCH_MIB=%q", s)
		}
		mib = n
	}
	size := int64(mib) << 20
	cfg := oss.Config{} // the adapter's defaults unless tuned for an experiment:
	if n, _ := strconv.Atoi(os.Getenv("STSDECK_BENCH_PART_MIB")); n > 0 {
		cfg.PartSize = int64(n) << 20
	}
	if n, _ := strconv.Atoi(os.Getenv("STSDECK_BENCH_PARALLEL")); n > 0 {
		cfg.Parallel = n
	}
	e := ossSetup(b, cfg)
	cr, err := e.sts.AssumeRole(context.Background(), model.IssueRequest{
		RoleARN: "acs:ram::" + e.r.Info.AccountID + ":role/OssReadWrite", SessionName: "bench", Duration: 12 * time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	// A real file, so both sides read the same bytes from disk.
	path := b.TempDir() + "/upload.bin"
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, io.NewSectionReader(oss.Generated{Seed: 42, N: size}, 0, size)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	client := e.svc.With(cr)
	// The baseline is the bare SDK with its default configuration: same credentials, endpoint,
	// region and addressing; none of the adapter's tuning.
	bare := ossdk.NewClient(ossdk.NewConfig().
		WithCredentialsProvider(osscred.NewStaticCredentialsProvider(cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken)).
		WithRegion(e.r.Info.Region).WithEndpoint(e.r.Info.OSSEndpoint).WithUsePathStyle(true))
	ctx := context.Background()
	var multi, single time.Duration
	b.SetBytes(size)
	b.ResetTimer()
	single1 := func(key string) time.Duration {
		fh, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer fh.Close()
		start := time.Now()
		// Baseline: one PutObject of the whole file with the bare SDK (same credentials, endpoint).
		if _, err := bare.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key), Body: fh}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	multi1 := func(key string) time.Duration {
		start := time.Now()
		if _, err := client.PutFile(ctx, "examplebucket", key, path, nil); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, and delete both objects after each round, so that neither
		// side always meets the other's unflushed writes.
		sk, mk := "bench/single-"+strconv.Itoa(i), "bench/multi-"+strconv.Itoa(i)
		if i%2 == 0 {
			single += single1(sk)
			multi += multi1(mk)
		} else {
			multi += multi1(mk)
			single += single1(sk)
		}
		b.StopTimer()
		client.Delete(ctx, "examplebucket", sk)
		client.Delete(ctx, "examplebucket", mk)
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(single.Nanoseconds())/n, "single-ns/op")
	b.ReportMetric(float64(multi.Nanoseconds())/n, "multipart-ns/op")
	b.ReportMetric(float64(size)/(1<<20)/(single.Seconds()/n), "single-MiB/s")
	b.ReportMetric(float64(size)/(1<<20)/(multi.Seconds()/n), "multipart-MiB/s")
	b.ReportMetric(single.Seconds()/multi.Seconds(), "speedup")
}

// ─── the commands end to end, wired by deps() (moved from ui/cli) ───

// These tests run the commands as main.go wires them: real credential resolution, the real
// adapters and SDKs, and the embedded sandbox over loopback.
// world is a temporary HOME and state dir with an environment that finds no credentials.
type world struct {
	t       *testing.T
	home    string
	state   string
	vars    map[string]string
	connect func(context.Context, cli.Global, *cli.Env) (*service.Services, func(), error) // nil = connectServices (the real wiring)
}

func newWorld(t *testing.T) *world {
	root := t.TempDir()
	w := &world{t: t, home: filepath.Join(root, "home"), state: filepath.Join(root, "state")}
	os.MkdirAll(w.home, 0o700)
	w.vars = map[string]string{"HOME": w.home, "STSDECK_STATE_DIR": w.state, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	return w
}

type result struct {
	code           int
	stdout, stderr string
}

func (w *world) run(stdin string, args ...string) result {
	w.t.Helper()
	var out, errb bytes.Buffer
	conn := w.connect
	if conn == nil {
		conn = connectServices
	}
	env := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return w.vars[k] },
		Deps: cli.Deps{Connect: conn}}
	code := cli.Main(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func (w *world) must(args ...string) result {
	w.t.Helper()
	r := w.run("", args...)
	if r.code != 0 {
		w.t.Fatalf("stsdeck %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func TestNoCredentialsExitTwoListingWhereItLooked(t *testing.T) {
	w := newWorld(t)
	for _, args := range [][]string{
		{"whoami"}, {"roles"}, {"issue", "--role", "RamOssTest"}, {"presign", "oss://b/k"},
		{"probe", "--bucket", "b", "--prefix", "p/"}, {"upload", "--generate", "1KiB", "oss://b/k"},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := w.run("", args...)
			if r.code != cli.ExitBadInput || r.stdout != "" {
				t.Fatalf("exit %d stdout %q", r.code, r.stdout)
			}
			for _, want := range []string{"looked in", filepath.Join(w.home, ".aliyun", "config.json") + ": not found", "ALIBABA_CLOUD_ACCESS_KEY_ID", "--sandbox"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

func TestBadInputExitTwo(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"issue without role", []string{"issue", "--sandbox"}, "--role is required"},
		{"unknown format", []string{"issue", "--sandbox", "--role", "RamOssTest", "--format", "yaml"}, "--format"},
		{"duration too short", []string{"issue", "--sandbox", "--role", "RamOssTest", "--duration", "5m"}, "not sent"},
		{"duration over role max", []string{"issue", "--sandbox", "--role", "RamOssTest", "--duration", "2h"}, "maximum session duration of 1h"},
		{"policy with an error", []string{"issue", "--sandbox", "--role", "RamOssTest", "--policy", "-"}, "Policy"},
		{"template without bucket", []string{"issue", "--sandbox", "--role", "RamOssTest", "--template", "upload-only"}, "--bucket"},
		{"bad endpoint", []string{"whoami", "--sts-endpoint", "ftp://x"}, "--sts-endpoint"},
		{"bad oss url", []string{"presign", "--sandbox", "s3://b/k"}, "oss://bucket/key"},
		{"presign bad method", []string{"presign", "--sandbox", "--method", "DELETE", "oss://b/k"}, "GET or PUT"},
		{"unknown flag", []string{"whoami", "--nope"}, "nope"},
		{"out in a missing directory", []string{"issue", "--sandbox", "--role", "RamOssTest", "--format", "env", "--out", "/nonexistent-dir/x.env"}, "no such directory: /nonexistent-dir"},
		{"probe needs temporary credentials", []string{"probe", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/"}, "temporary credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run(`{"Version":"1","Statement":[{"Effect":"allow","Action":"oss:GetObject","Resource":"*"}]}`, tc.args...)
			if r.code != cli.ExitBadInput || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr lacks %q:\n%s", r.code, tc.want, r.stderr)
			}
		})
	}
}

// A probe whose credentials are refused learns nothing about the policies: exit 1, not "agree".
func TestProbeWithRefusedCredentialsFails(t *testing.T) {
	w := newWorld(t)
	var cr map[string]any
	json.Unmarshal([]byte(w.must("issue", "--sandbox", "--role", "RamOssTest", "--format", "json").stdout), &cr)
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w.vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = cr["AccessKeyId"].(string), cr["SecurityToken"].(string)
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "wrong-secret"
	r := w.run("", "probe", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/")
	if r.code != cli.ExitDenied || !strings.Contains(r.stdout, "SignatureDoesNotMatch") || !strings.Contains(r.stderr, "credentials were refused") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "wrong-secret") {
		t.Error("the secret was printed")
	}
}

func TestDeniedExitOne(t *testing.T) {
	w := newWorld(t)
	r := w.run("", "issue", "--sandbox", "--role", "EcsOnly")
	if r.code != cli.ExitDenied || !strings.Contains(r.stderr, "NoPermission") || !strings.Contains(r.stderr, "hint: ") || !strings.Contains(r.stderr, "RequestId") ||
		!strings.Contains(r.stderr, "sandbox trace") || !strings.Contains(r.stderr, "failed check: trust-policy") {
		t.Fatalf("exit %d stderr:\n%s", r.code, r.stderr)
	}
}

func TestWhoamiAndRolesSandbox(t *testing.T) {
	w := newWorld(t)
	r := w.must("whoami", "--sandbox", "--json")
	var who map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &who); err != nil {
		t.Fatal(err)
	}
	if who["account_id"] != "1234567890123456" || !strings.HasSuffix(who["arn"], ":user/sts-issuer") || who["mode"] != "sandbox" {
		t.Errorf("whoami %v", who)
	}
	r = w.must("roles", "--sandbox", "--json")
	var roles []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &roles); err != nil || len(roles) < 6 {
		t.Fatalf("roles %v %s", err, r.stdout)
	}
	r = w.must("roles", "--sandbox", "--role", "OssNoDelete")
	if !strings.Contains(r.stdout, "Trust policy") || !strings.Contains(r.stdout, "oss:DeleteObject") || !strings.Contains(r.stdout, "Max session   1h0m0s") {
		t.Errorf("role detail:\n%s", r.stdout)
	}
}

// issued runs issue with a format and returns stdout.
func (w *world) issue(format string, extra ...string) string {
	w.t.Helper()
	args := append([]string{"issue", "--sandbox", "--role", "OssReadWrite", "--template", "read-write", "--bucket", "examplebucket", "--prefix", "src/", "--format", format}, extra...)
	return w.must(args...).stdout
}

// whoamiWith checks that credentials work: GetCallerIdentity as the assumed role.
func whoamiWith(t *testing.T, w *world, id, secret, token string) {
	t.Helper()
	w2 := newWorld(t)
	w2.vars["STSDECK_STATE_DIR"] = w.state // the same sandbox data: it accepts the tokens it issued
	r := w2.run("", "whoami", "--sandbox", "--json")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	// Without --sandbox, against the sandbox's endpoints, with the exported credentials in the
	// environment: the connection finds it is a sandbox (GET /-/sandbox) and says so.
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: filepath.Join(w.state, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	w2.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w2.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], w2.vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = id, secret, token
	r = w2.run("", "whoami", "--json", "--sts-endpoint", run.Info.STSEndpoint)
	if r.code != 0 {
		t.Fatalf("the exported credentials do not work: %s", r.stderr)
	}
	var who map[string]string
	json.Unmarshal([]byte(r.stdout), &who)
	if who["identity_type"] != "AssumedRoleUser" || who["mode"] != "sandbox" || !strings.Contains(who["credentials_from"], "STS token") {
		t.Errorf("whoami with exported credentials: %v", who)
	}
}

func TestIssueFormatEnvEvalsInShells(t *testing.T) {
	w := newWorld(t)
	out := w.issue("env")
	if strings.Count(out, "export ") != 6 || !strings.Contains(out, "# expires 20") {
		t.Fatalf("env output:\n%s", out)
	}
	script := filepath.Join(t.TempDir(), "creds.sh")
	if err := os.WriteFile(script, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, sh := range []string{"sh", "dash", "bash"} {
		path, err := exec.LookPath(sh)
		if err != nil {
			t.Logf("%s not installed", sh)
			continue
		}
		t.Run(sh, func(t *testing.T) {
			cmd := exec.Command(path, "-c", `eval "$(cat "$1")"; printf '%s\n' "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALIBABA_CLOUD_SECURITY_TOKEN" "$OSS_ACCESS_KEY_ID" "$OSS_ACCESS_KEY_SECRET" "$OSS_SESSION_TOKEN"`, sh, script)
			got, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			v := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
			if len(v) != 6 || !strings.HasPrefix(v[0], "STS.") || v[1] == "" || v[2] == "" || v[3] != v[0] || v[4] != v[1] || v[5] != v[2] {
				t.Fatalf("%s eval gave %q", sh, v)
			}
			vals = v
		})
	}
	if vals == nil {
		t.Skip("no POSIX shell")
	}
	whoamiWith(t, w, vals[0], vals[1], vals[2])
}

// Awkward values survive eval in dash and bash (credfmt's quoting, exercised by real shells).
func TestEnvQuotingWithRealShells(t *testing.T) {
	nasty := model.Credentials{AccessKeyID: "STS.a'b", AccessKeySecret: `s$HOME"x\y` + "`id`", SecurityToken: "t'';$(echo pwned) *?[a]\ttab", Expiration: time.Now()}
	out, err := credfmt.Format("env", nasty, credfmt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"dash", "bash", "sh"} {
		path, err := exec.LookPath(sh)
		if err != nil {
			continue
		}
		t.Run(sh, func(t *testing.T) {
			got, err := exec.Command(path, "-c", out+`printf '%s\n' "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALIBABA_CLOUD_SECURITY_TOKEN"`).Output()
			if err != nil {
				t.Fatal(err)
			}
			want := nasty.AccessKeyID + "\n" + nasty.AccessKeySecret + "\n" + nasty.SecurityToken + "\n"
			if string(got) != want {
				t.Errorf("%s gave %q, want %q", sh, got, want)
			}
		})
	}
}

func TestIssueOtherFormats(t *testing.T) {
	w := newWorld(t)
	t.Run("json", func(t *testing.T) {
		var v map[string]any
		if err := json.Unmarshal([]byte(w.issue("json")), &v); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "RoleArn", "AssumedRoleUser", "Region"} {
			if _, ok := v[k]; !ok {
				t.Errorf("json lacks %s", k)
			}
		}
		if len(v) != 7 || v["Region"] != "cn-hangzhou" || !strings.HasSuffix(v["RoleArn"].(string), ":role/OssReadWrite") {
			t.Errorf("json %v", v)
		}
		whoamiWith(t, w, v["AccessKeyId"].(string), v["AccessKeySecret"].(string), v["SecurityToken"].(string))
	})
	t.Run("--json is json", func(t *testing.T) {
		out := w.must("issue", "--sandbox", "--role", "RamOssTest", "--json").stdout
		if !strings.Contains(out, `"AccessKeySecret"`) {
			t.Errorf("--json output:\n%s", out)
		}
	})
	t.Run("fish", func(t *testing.T) {
		out := w.issue("fish")
		if strings.Count(out, "set -gx ") != 6 || !strings.Contains(out, "set -gx ALIBABA_CLOUD_ACCESS_KEY_ID 'STS.") {
			t.Fatalf("fish:\n%s", out)
		}
		if fish, err := exec.LookPath("fish"); err == nil {
			got, err := exec.Command(fish, "-c", out+"; echo $OSS_ACCESS_KEY_ID").Output()
			if err != nil || !strings.HasPrefix(string(got), "STS.") {
				t.Errorf("fish eval: %q %v", got, err)
			}
		}
	})
	t.Run("powershell", func(t *testing.T) {
		out := w.issue("powershell")
		if strings.Count(out, "$Env:") != 6 || !strings.Contains(out, "$Env:OSS_SESSION_TOKEN = '") {
			t.Fatalf("powershell:\n%s", out)
		}
		if pwsh, err := exec.LookPath("pwsh"); err == nil {
			got, err := exec.Command(pwsh, "-NoProfile", "-Command", out+"; Write-Output $Env:OSS_ACCESS_KEY_ID").Output()
			if err != nil || !strings.HasPrefix(string(got), "STS.") {
				t.Errorf("pwsh eval: %q %v", got, err)
			}
		}
	})
	t.Run("ossutil", func(t *testing.T) {
		out := w.issue("ossutil")
		for _, want := range []string{"[Credentials]", "endpoint=http://127.0.0.1:", "accessKeyID=STS.", "accessKeySecret=", "stsToken=", "region=cn-hangzhou", "signVersion=v4"} {
			if !strings.Contains(out, want) {
				t.Errorf("ossutil lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("aliyun-cli", func(t *testing.T) {
		out := w.issue("aliyun-cli", "--profile-name", "partner")
		if !strings.HasPrefix(out, "aliyun configure set --profile 'partner' --mode StsToken --region 'cn-hangzhou' --access-key-id 'STS.") {
			t.Errorf("aliyun-cli:\n%s", out)
		}
	})
	t.Run("card masks the secret", func(t *testing.T) {
		out := w.issue("card")
		if !strings.Contains(out, "AccessKeySecret  ••••••••") || !strings.Contains(out, "[SANDBOX]") || !strings.Contains(out, " chars)") {
			t.Errorf("card:\n%s", out)
		}
	})
	t.Run("--out writes 0600 and nothing to stdout", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "creds.json")
		r := w.must("issue", "--sandbox", "--role", "RamOssTest", "--format", "json", "--out", path)
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 || r.stdout != "" {
			t.Fatalf("stat %v %v, stdout %q", fi, err, r.stdout)
		}
	})
}

func TestIssueConfigJSONMergesAndWorks(t *testing.T) {
	w := newWorld(t)
	cfg := filepath.Join(w.home, ".aliyun", "config.json")
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	existing := `{"current":"dev","profiles":[{"name":"dev","mode":"AK","access_key_id":"LTAIdev","access_key_secret":"devsecret","region_id":"cn-shanghai","output_format":"json"}],"meta_path":""}`
	if err := os.WriteFile(cfg, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run("", "issue", "--sandbox", "--role", "OssReadWrite", "--format", "config-json")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "merged into "+cfg) {
		t.Fatalf("exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
	fi, _ := os.Stat(cfg)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(cfg)
	var c struct {
		Current  string
		Profiles []map[string]any
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.Current != "dev" || len(c.Profiles) != 2 || c.Profiles[0]["access_key_secret"] != "devsecret" || c.Profiles[1]["name"] != "stsdeck" || c.Profiles[1]["mode"] != "StsToken" {
		t.Fatalf("merged config %s", data)
	}
	// The ecosystem's chain reads the profile back (credentials-go), and the credentials work.
	src, err := creds.Resolve(context.Background(), creds.Options{Profile: "stsdeck", Getenv: func(k string) string { return w.vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := src.Provider.GetCredentials()
	if err != nil || !src.Temporary {
		t.Fatalf("%v temporary=%v", err, src.Temporary)
	}
	whoamiWith(t, w, cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken)
}

func TestProbeUploadPresignHistory(t *testing.T) {
	w := newWorld(t)
	// No --outside: the default is the console's sibling prefix.
	r := w.must("probe", "--sandbox", "--role", "OssReadWrite", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--json")
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep["outside"] != "dst/" {
		t.Errorf("outside %v, want the console's \"dst/\"", rep["outside"])
	}
	for _, k := range []string{"bucket", "prefix", "outside", "results", "left_behind"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("probe JSON lacks %q", k)
		}
	}
	results := rep["results"].([]any)
	if len(results) != 10 {
		t.Fatalf("%d results", len(results))
	}
	for _, x := range results {
		res := x.(map[string]any)
		actual := res["actual"].(map[string]any)
		for _, k := range []string{"allowed", "status", "code", "ec", "request_id", "latency_ms"} {
			if _, ok := actual[k]; !ok {
				t.Errorf("actual lacks %q (the schema has it even when empty): %v", k, actual)
			}
		}
		if actual["allowed"] == false && actual["message"] == nil {
			t.Errorf("a denial without the server's message: %v", actual)
		}
		if res["agree"] != true || (res["predicted"] != "Allow" && res["predicted"] != "Deny") {
			t.Errorf("result %v", res)
		}
		if res["scope"] == "inside" && res["op"] == "put" && actual["allowed"] != true {
			t.Errorf("inside put denied: %v", res)
		}
		if res["scope"] == "outside" && actual["allowed"] != false {
			t.Errorf("outside allowed: %v", res)
		}
	}
	// upload-only: the inside probe object could not be deleted, and the report says so.
	if lb := rep["left_behind"].([]any); len(lb) != 1 || !strings.HasPrefix(lb[0].(string), "src/.stsdeck-probe-") {
		t.Errorf("left_behind %v", lb)
	}

	r = w.must("upload", "--sandbox", "--role", "OssReadWrite", "--generate", "2MiB", "oss://examplebucket/src/gen.bin", "--json")
	var up map[string]any
	json.Unmarshal([]byte(r.stdout), &up)
	if up["size"] != float64(2<<20) || up["crc64"] == "" || !strings.Contains(r.stderr, "100.0%") {
		t.Errorf("upload %v stderr %q", up, r.stderr)
	}
	file := filepath.Join(t.TempDir(), "hello.txt")
	os.WriteFile(file, []byte("hello from a file\n"), 0o600)
	w.must("upload", "--sandbox", "--role", "OssReadWrite", file, "oss://examplebucket/src/hello.txt", "--quiet")
	r = w.run("", "upload", "--sandbox", "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", file, "oss://examplebucket/dst/hello.txt")
	if r.code != cli.ExitDenied || !strings.Contains(r.stderr, "0003-00000301") || !strings.Contains(r.stderr, "session policy") {
		t.Errorf("upload outside the policy: exit %d\n%s", r.code, r.stderr)
	}

	// presign signs with a fresh token; the sandbox must be up to answer the URL.
	url := strings.TrimSpace(w.must("presign", "--sandbox", "--role", "OssReadOnly", "oss://examplebucket/src/hello.txt", "--expires", "10m").stdout)
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: filepath.Join(w.state, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	// The URL names the port of the sandbox that signed it, which is gone; ask the new one.
	u := run.Info.OSSEndpoint + url[strings.Index(url[len("http://"):], "/")+len("http://"):]
	resp, err := http.Get(u)
	run.Close()
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body.String() != "hello from a file\n" {
		t.Errorf("presigned GET: %s %q", resp.Status, body.String())
	}

	r = w.must("history", "--json")
	var hist []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 5 {
		t.Fatalf("history has %d records, want 5 (probe, 2 uploads, 1 denied upload, presign)", len(hist))
	}
	if hist[0]["probe"] == nil || hist[0]["live"] != true || hist[0]["mode"] != "sandbox" || hist[0]["policy_digest"] == "" {
		t.Errorf("first record %v", hist[0])
	}
	for _, h := range hist {
		for k, v := range h {
			if s, ok := v.(string); ok && (strings.Contains(strings.ToLower(k), "secret") || strings.Contains(strings.ToLower(k), "token")) {
				t.Errorf("audit record holds %s=%q", k, s)
			}
		}
	}
	text := w.must("history").stdout
	if !strings.Contains(text, "✓ live") || !strings.Contains(text, "agree") {
		t.Errorf("history text:\n%s", text)
	}
}

// Live mode pointed at a sandbox with another user's keys: RAM listing refused, the audit log
// offers recent roles, exit 1; a probe without --role uses the exported token and finds its
// policies in the audit record.
func TestLiveModeAgainstSandboxEndpoints(t *testing.T) {
	w := newWorld(t)
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	u, _ := run.Info.User("sts-only")
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = u.AccessKeyID, u.AccessKeySecret
	eps := []string{"--sts-endpoint", run.Info.STSEndpoint, "--oss-endpoint", run.Info.OSSEndpoint}
	out := w.must(append([]string{"issue", "--role", "OssReadWrite", "--template", "read-only", "--bucket", "examplebucket", "--prefix", "src/", "--format", "json"}, eps...)...).stdout
	r := w.run("", append([]string{"roles"}, eps...)...)
	if r.code != cli.ExitDenied || !strings.Contains(r.stderr, "NoPermission") || !strings.Contains(r.stdout, "acs:ram::1234567890123456:role/OssReadWrite") {
		t.Fatalf("roles: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	var cr map[string]any
	json.Unmarshal([]byte(out), &cr)
	w.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], w.vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = cr["AccessKeyId"].(string), cr["AccessKeySecret"].(string), cr["SecurityToken"].(string)
	// LIVE mode asks before writing; "n" stops it. (These endpoints lead to a sandbox, which
	// says so at /-/sandbox: only an endpoint that is none is LIVE.)
	r = w.run("n\n", "probe", "--bucket", "examplebucket", "--prefix", "src/", "--sts-endpoint", "https://sts.example.invalid")
	if r.code != cli.ExitDenied || !strings.Contains(r.stderr, "Proceed?") || !strings.Contains(r.stderr, "nothing written") || !strings.Contains(r.stderr, `"dst/"`) {
		t.Fatalf("unconfirmed probe: exit %d %s", r.code, r.stderr)
	}
	r = w.run("", append([]string{"probe", "--bucket", "examplebucket", "--prefix", "src/", "--yes"}, eps...)...)
	if !strings.Contains(r.stdout, "policies from the audit record") {
		t.Errorf("probe did not use the audit record:\n%s\n%s", r.stdout, r.stderr)
	}
	// The session policy is read-only: puts are predicted Deny by the session layer and denied.
	if !strings.Contains(r.stdout, "put     Deny (session)  ✗ denied") {
		t.Errorf("probe table:\n%s", r.stdout)
	}
	// The results are recorded under the token's audit record, though another process issued it.
	r = w.run("", "history", "--json")
	if !strings.Contains(r.stdout, `"predicted"`) || !strings.Contains(r.stdout, `"op"`) {
		t.Errorf("history does not carry the probe of the exported token:\n%s", r.stdout)
	}
}

// A bucket policy the token may read is part of the prediction: an explicit Deny there is
// predicted (layer "bucket") and agrees with OSS.
func TestProbeIncludesReadableBucketPolicy(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	run, err := startSandbox(ctx, sandboxOptions{DataDir: filepath.Join(w.state, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	svc, closer, err := connectServices(ctx, cli.Global{STSEndpoint: run.Info.STSEndpoint, OSSEndpoint: run.Info.OSSEndpoint}, &cli.Env{Getenv: func(k string) string {
		u, _ := run.Info.User("sts-issuer")
		switch k {
		case "ALIBABA_CLOUD_ACCESS_KEY_ID":
			return u.AccessKeyID
		case "ALIBABA_CLOUD_ACCESS_KEY_SECRET":
			return u.AccessKeySecret
		case "STSDECK_STATE_DIR":
			return t.TempDir()
		}
		return w.vars[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := svc.Issuer.AssumeRole(ctx, model.IssueRequest{RoleARN: "acs:ram::1234567890123456:role/OssReadWrite", SessionName: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	deny := `{"Version":"1","Statement":[{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:1234567890123456:examplebucket/src/*"]}]}`
	if _, err := svc.Objects.With(cr).(*oss.Client).SDK().PutBucketPolicy(ctx, &ossdk.PutBucketPolicyRequest{Bucket: ossdk.Ptr("examplebucket"), Body: strings.NewReader(deny)}); err != nil {
		t.Fatal(err)
	}
	closer()
	run.Close()

	r := w.must("probe", "--sandbox", "--role", "OssReadWrite", "--bucket", "examplebucket", "--prefix", "src/", "--outside", "dst/", "--json")
	var rep model.ProbeReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		if res.Agree == nil || !*res.Agree {
			t.Errorf("%s %s: predicted %s (%s), actual %+v", res.Scope, res.Op, res.Predicted, res.PredictedLayer, res.Actual)
		}
		if res.Scope == "inside" && (res.Op == "get" || res.Op == "head") && (res.Predicted != "Deny" || res.PredictedLayer != "bucket" || res.Actual.Allowed) {
			t.Errorf("inside %s: %+v", res.Op, res)
		}
	}
	text := w.must("probe", "--sandbox", "--role", "OssReadWrite", "--bucket", "examplebucket", "--prefix", "src/").stdout
	if !strings.Contains(text, "bucket policy included") {
		t.Errorf("probe note:\n%s", text)
	}
}

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

// foregroundSandbox runs `stsdeck sandbox args...` until the returned stop is called; it
// returns once the sandbox printed its ready lines.
func (w *world) foregroundSandbox(args ...string) (stdout *syncBuffer, stop func()) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	env := &cli.Env{Stdout: out, Stderr: errb, Getenv: func(k string) string { return w.vars[k] }, Deps: deps()}
	done := make(chan int, 1)
	go func() { done <- cli.Main(ctx, append([]string{"sandbox"}, args...), env) }()
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
		if code := <-done; code != cli.ExitOK {
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
		if r.code != cli.ExitOK || !strings.Contains(r.stdout, `"outside": "dst/"`) {
			t.Errorf("probe: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("a flag wins over its variable", func(t *testing.T) {
		r := w.run("", "whoami", "--sts-endpoint", "http://127.0.0.1:1")
		if r.code != cli.ExitDenied || !strings.Contains(r.stderr, "127.0.0.1:1") {
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
		if r.code != cli.ExitBadInput || !strings.Contains(r.stderr, "STSDECK_OSS_ENDPOINT") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("help documents the variables", func(t *testing.T) {
		var errb bytes.Buffer
		cli.Main(context.Background(), []string{"sandbox", "-h"}, &cli.Env{Stdout: &errb, Stderr: &errb, Getenv: func(string) string { return "" }})
		for _, v := range []string{"STSDECK_STS_ENDPOINT", "STSDECK_OSS_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ready.json"} {
			if !strings.Contains(errb.String(), v) {
				t.Errorf("sandbox -h lacks %s", v)
			}
		}
		errb.Reset()
		cli.Main(context.Background(), []string{"whoami", "-h"}, &cli.Env{Stdout: &errb, Stderr: &errb, Getenv: func(string) string { return "" }})
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
		if r.code != cli.ExitOK {
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
		if r.code != cli.ExitBadInput || !strings.Contains(r.stderr, "stsdeck issue --sandbox --role NAME --format env") {
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
			if r.code != cli.ExitDenied {
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

// lint and issue count a policy file's bytes the same way: as sent (one trailing newline off).
func TestLintAndIssueCountTheSameBytes(t *testing.T) {
	w := newWorld(t)
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
	for _, tc := range []struct {
		name, suffix string
		want         int
	}{
		{"no newline", "", len(doc)},
		{"newline", "\n", len(doc)},
		{"crlf", "\r\n", len(doc)},
		{"two newlines", "\n\n", len(doc) + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "p.json")
			if err := os.WriteFile(file, []byte(doc+tc.suffix), 0o600); err != nil {
				t.Fatal(err)
			}
			var lint struct{ Size int }
			if err := json.Unmarshal([]byte(w.must("lint", "--kind", "session", "--json", file).stdout), &lint); err != nil {
				t.Fatal(err)
			}
			card := w.must("issue", "--sandbox", "--role", "OssReadOnly", "--policy", file).stdout
			m := regexp.MustCompile(`Session policy\s+(\d+) / 2048 characters`).FindStringSubmatch(card)
			if m == nil {
				t.Fatalf("card:\n%s", card)
			}
			if lint.Size != tc.want || m[1] != strconv.Itoa(tc.want) {
				t.Errorf("lint %d, issue %s, want both %d", lint.Size, m[1], tc.want)
			}
		})
	}
}

// The default session name has the console's form.
func TestDefaultSessionNameMatchesConsole(t *testing.T) {
	w := newWorld(t)
	card := w.must("issue", "--sandbox", "--role", "OssReadOnly").stdout
	if !regexp.MustCompile(`Session\s+stsdeck-\d{8}-\d{6}-[0-9a-f]{4}\n`).MatchString(card) { // issuereq.DefaultSessionName
		t.Errorf("card:\n%s", card)
	}
}

// presign refuses only a URL that would clearly outlive the token (issue 12 item 15).
func TestPresignExpiryWarning(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name    string
		args    []string
		refused bool
	}{
		{"1h URL, fresh 1h token", nil, false},
		{"30m URL, 1h token", []string{"--expires", "30m"}, false},
		{"2h URL, 1h token", []string{"--expires", "2h"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run("", append([]string{"presign", "--sandbox", "--role", "OssReadOnly", "oss://examplebucket/src/x"}, tc.args...)...)
			if got := r.code == cli.ExitBadInput && strings.Contains(r.stderr, "beyond the token"); got != tc.refused || !tc.refused && (r.code != 0 || strings.Contains(r.stderr, "clamped")) {
				t.Errorf("exit %d, want refused %v:\n%s", r.code, tc.refused, r.stderr)
			}
		})
	}
}

// The sandbox's AssumeRole quota reaches the STS half: over it, the adapter gets the cloud's
// Throttling.User. (The rate's default, the cloud's 100 per second, is the flag's default.)
func TestSandboxThrottlesAssumeRole(t *testing.T) {
	r, err := startSandbox(context.Background(), sandboxOptions{DataDir: t.TempDir(), AssumeRoleRate: 0.01}) // a burst of 1, then one per 100 s
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	c := ossSetupClient(t, r)
	req := model.IssueRequest{RoleARN: issuereq.RoleARN(r.Info.AccountID, "RamOssTest"), SessionName: "quota"}
	if _, err := c.AssumeRole(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	_, err = c.AssumeRole(context.Background(), req)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Code != "Throttling.User" || ae.StatusCode != 400 {
		t.Fatalf("want Throttling.User, got %v", err)
	}
}

// ossSetupClient is an STS adapter acting as the sandbox's sts-issuer.
func ossSetupClient(t testing.TB, r *sandbox) *sts.Client {
	t.Helper()
	u, _ := r.Info.User("sts-issuer")
	p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(u.AccessKeyID).WithAccessKeySecret(u.AccessKeySecret).Build()
	if err != nil {
		t.Fatal(err)
	}
	ep, _ := model.ParseEndpoint("sts", r.Info.STSEndpoint)
	c, err := sts.New(sts.Config{Credentials: p, Region: r.Info.Region, STSEndpoint: ep, RAMEndpoint: ep})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ─── serve, exec, External profiles, role chains (issue 16) ───

// servedSandbox starts a sandbox on w's state dir and publishes it (ready.json), so the
// commands' --sandbox uses it and the test can move its clock.
func servedSandbox(t *testing.T, w *world) (*sandbox, *sts.Control) {
	t.Helper()
	dir := filepath.Join(w.state, "sandbox")
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	if err := writeReadyFile(filepath.Join(dir, readyFileName), run.Info); err != nil {
		t.Fatal(err)
	}
	ctl, err := run.Control()
	if err != nil {
		t.Fatal(err)
	}
	return run, ctl
}

// serveRun is `stsdeck serve` running in a goroutine.
type serveRun struct {
	ready  map[string]any
	url    string
	cancel context.CancelFunc
	done   chan result
}

func startServe(t *testing.T, w *world, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb syncBuffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: &errb, Getenv: func(k string) string { return w.vars[k] },
		Deps: cli.Deps{Connect: connectServices}}
	s := &serveRun{cancel: cancel, done: make(chan result, 1)}
	go func() {
		code := cli.Main(ctx, append([]string{"serve", "--sandbox", "--json"}, args...), env)
		pw.Close()
		s.done <- result{code: code, stderr: errb.String()}
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		r := <-s.done
		t.Fatalf("serve gave no ready line (exit %d): %s", r.code, r.stderr)
	}
	go io.Copy(io.Discard, pr)
	if err := json.Unmarshal([]byte(line), &s.ready); err != nil {
		t.Fatalf("ready line %q: %v", line, err)
	}
	if _, ok := s.ready["url"]; ok {
		t.Fatalf("the ready line shows the URL without --print-url: %s", line)
	}
	f, _ := s.ready["url_file"].(string)
	fi, err := os.Stat(f)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("url file %s: %v %v", f, fi, err)
	}
	b, _ := os.ReadFile(f)
	s.url = strings.TrimSpace(string(b))
	t.Cleanup(func() { s.stop() })
	return s
}

func (s *serveRun) stop() result {
	s.cancel()
	r, ok := <-s.done
	if ok {
		close(s.done)
	}
	return r
}

// fetchURI is a plain GET of the credentials URI.
func fetchURI(t testing.TB, u string) (int, map[string]string) {
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]string
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// uriOSSClient is the OSS SDK v2 with credentials from credentials-go's URI provider.
func uriOSSClient(t *testing.T, run *sandbox, p *providers.URLCredentialsProvider) *ossdk.Client {
	cp := osscred.CredentialsProviderFunc(func(context.Context) (osscred.Credentials, error) {
		cc, err := p.GetCredentials()
		if err != nil {
			return osscred.Credentials{}, err
		}
		return osscred.Credentials{AccessKeyID: cc.AccessKeyId, AccessKeySecret: cc.AccessKeySecret, SecurityToken: cc.SecurityToken}, nil
	})
	return ossdk.NewClient(ossdk.LoadDefaultConfig().WithCredentialsProvider(cp).
		WithRegion("cn-hangzhou").WithEndpoint(run.Info.OSSEndpoint).WithUsePathStyle(true).WithRetryMaxAttempts(1))
}

func putObject(c *ossdk.Client, key string) error {
	_, err := c.PutObject(context.Background(), &ossdk.PutObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key), Body: bytes.NewReader([]byte("x"))})
	return err
}

func TestServeURIProviderAcrossExpiry(t *testing.T) {
	w := newWorld(t)
	run, ctl := servedSandbox(t, w)
	s := startServe(t, w, "--role", "OssReadWrite", "--template", "read-write", "--bucket", "examplebucket", "--prefix", "src/", "--duration", "1h")

	p, err := providers.NewURLCredentialsProviderBuilder().WithUrl(s.url).Build()
	if err != nil {
		t.Fatal(err)
	}
	oc := uriOSSClient(t, run, p)
	if err := putObject(oc, "src/served.txt"); err != nil {
		t.Fatalf("upload inside the prefix: %v", err)
	}
	var se *ossdk.ServiceError
	if err := putObject(oc, "dst/served.txt"); !errors.As(err, &se) || se.StatusCode != 403 {
		t.Fatalf("upload outside the prefix: %v", err)
	}
	first, _ := p.GetCredentials()

	// The demo clock moves past expiry: the existing provider still holds the old token (it
	// caches on its own clock), a fresh fetch gets a new one.
	if _, err := ctl.Advance(context.Background(), 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // serve re-reads the sandbox clock at most once a second
	var wg sync.WaitGroup
	ids := make([]string, 50)
	codes := make([]int, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, m := fetchURI(t, s.url)
			codes[i], ids[i] = code, m["AccessKeyId"]
		}()
	}
	wg.Wait()
	for i := range 50 {
		if codes[i] != 200 || ids[i] == "" || ids[i] == first.AccessKeyId || ids[i] != ids[0] {
			t.Fatalf("fetch %d during the renewal: %d %q (first token %s, fetch 0 %s)", i, codes[i], ids[i], first.AccessKeyId, ids[0])
		}
	}
	p2, _ := providers.NewURLCredentialsProviderBuilder().WithUrl(s.url).Build()
	if err := putObject(uriOSSClient(t, run, p2), "src/renewed.txt"); err != nil {
		t.Fatalf("upload with the renewed token: %v", err)
	}
	if cc, _ := p2.GetCredentials(); cc.AccessKeyId != ids[0] {
		t.Fatalf("new provider got %s, want %s", cc.AccessKeyId, ids[0])
	}

	t.Run("wrong path and method", func(t *testing.T) {
		u, _ := url.Parse(s.url)
		for _, path := range []string{"/", u.Path + "x", u.Path[:len(u.Path)-1], "/favicon.ico"} {
			if code, _ := fetchURI(t, "http://"+u.Host+path); code != 404 {
				t.Errorf("GET %s: %d, want 404", path, code)
			}
		}
		resp, err := http.Post(s.url, "text/plain", nil)
		if err != nil || resp.StatusCode != 405 {
			t.Errorf("POST: %v %v", resp, err)
		}
		resp.Body.Close()
		req, _ := http.NewRequest("GET", s.url, nil)
		req.Host = "evil.example:80"
		resp, err = http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 403 {
			t.Errorf("foreign Host header: %v %v", resp, err)
		}
		resp.Body.Close()
	})

	r := s.stop()
	if r.code != 0 {
		t.Fatalf("serve exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(s.ready["url_file"].(string)); !os.IsNotExist(err) {
		t.Errorf("the URL file outlives serve: %v", err)
	}
	// One audit record per token, no secret.
	data, err := os.ReadFile(filepath.Join(w.state, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{first.AccessKeyId, ids[0]} {
		if n := strings.Count(string(data), `"access_key_id":"`+id+`"`); n != 1 {
			t.Errorf("%d audit records for %s, want 1", n, id)
		}
	}
	if strings.Contains(string(data), first.AccessKeySecret) || strings.Contains(string(data), first.SecurityToken) {
		t.Error("a secret reached the audit log")
	}
	if strings.Contains(r.stderr, first.AccessKeySecret) || strings.Contains(r.stderr, s.url) {
		t.Error("serve printed a secret or the URL")
	}
}

func TestServeRefusesPastUntilAndNonLoopback(t *testing.T) {
	w := newWorld(t)
	if r := w.run("", "serve", "--sandbox", "--role", "RamOssTest", "--addr", "0.0.0.0:0"); r.code != 2 || !strings.Contains(r.stderr, "127.0.0.1 only") {
		t.Fatalf("non-loopback --addr: %d %s", r.code, r.stderr)
	}
	_, ctl := servedSandbox(t, w)
	s := startServe(t, w, "--role", "RamOssTest", "--until", "30m")
	if code, m := fetchURI(t, s.url); code != 200 || m["Expiration"] == "" {
		t.Fatalf("inside the window: %d %v", code, m)
	}
	if exp, _ := time.Parse("2006-01-02T15:04:05Z", mustFetch(t, s.url)["Expiration"]); exp.After(s.readyUntil(t)) {
		t.Errorf("token expires %s, after --until %s", exp, s.readyUntil(t))
	}
	ctl.Advance(context.Background(), 31*time.Minute)
	time.Sleep(1100 * time.Millisecond)
	if code, m := fetchURI(t, s.url); code != 410 || m["Code"] != "ServeEnded" {
		t.Fatalf("past --until: %d %v", code, m)
	}
	r := <-s.done // serve stops on its own once the window is over
	close(s.done)
	if r.code != 0 || !strings.Contains(r.stderr, "serve window ended") {
		t.Fatalf("serve past --until: %d %s", r.code, r.stderr)
	}
}

func mustFetch(t *testing.T, u string) map[string]string {
	_, m := fetchURI(t, u)
	return m
}

func (s *serveRun) readyUntil(t *testing.T) time.Time {
	u, err := time.Parse(time.RFC3339, s.ready["until"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestExecGivesTheChildSixVariablesAndItsStatus(t *testing.T) {
	w := newWorld(t)
	script := `for v in ALIBABA_CLOUD_CREDENTIALS_URI ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET OSS_SESSION_TOKEN; do
  eval "x=\${$v}"; [ -n "$x" ] || { echo "missing $v"; exit 9; }
done
case "$ALIBABA_CLOUD_CREDENTIALS_URI" in http://127.0.0.1:*/*) ;; *) exit 8;; esac
[ "$OSS_SESSION_TOKEN" = "$ALIBABA_CLOUD_SECURITY_TOKEN" ] || exit 10
exit 7`
	r := w.run("", "exec", "--sandbox", "--role", "RamOssTest", "--", "sh", "-c", script)
	if r.code != 7 {
		t.Fatalf("exec: exit %d, want the child's 7\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if r := w.run("", "exec", "--sandbox", "--role", "RamOssTest"); r.code != 2 || !strings.Contains(r.stderr, "no command") {
		t.Fatalf("exec without a command: %d %s", r.code, r.stderr)
	}
}

// buildStsdeck builds the binary once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func stsdeckBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stsdeck-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "stsdeck")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

func TestExternalProfileThroughCredentialsGo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := stsdeckBinary(t)
	w := newWorld(t)
	// credentials-go runs the process command with the process environment.
	for k, v := range w.vars {
		t.Setenv(k, v)
	}
	cfg := filepath.Join(w.home, ".aliyun", "config.json")
	cmdline := bin + " issue --sandbox --role OssReadWrite --template read-write --bucket examplebucket --prefix src/ --format external"
	prof := map[string]any{"current": "ext", "profiles": []map[string]any{{"name": "ext", "mode": "External", "process_command": cmdline, "region_id": "cn-hangzhou"}}}
	b, _ := json.Marshal(prof)
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(cfg).WithProfileName("ext").Build()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := p.GetCredentials()
	if err != nil {
		t.Fatalf("credentials-go External profile: %v", err)
	}
	if !strings.HasPrefix(cc.AccessKeyId, "STS.") || cc.SecurityToken == "" {
		t.Fatalf("credentials %s", cc.AccessKeyId)
	}
	// credentials-go writes the fetched keys back into config.json (the README says so).
	data, _ := os.ReadFile(cfg)
	if !strings.Contains(string(data), cc.AccessKeyId) {
		t.Errorf("config.json was not updated with the fetched key:\n%s", data)
	}
	// The token works: upload inside the prefix.
	run, _ := servedSandbox(t, w)
	oc := ossdk.NewClient(ossdk.LoadDefaultConfig().
		WithCredentialsProvider(osscred.NewStaticCredentialsProvider(cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken)).
		WithRegion("cn-hangzhou").WithEndpoint(run.Info.OSSEndpoint).WithUsePathStyle(true).WithRetryMaxAttempts(1))
	if err := putObject(oc, "src/external.txt"); err != nil {
		t.Fatalf("upload with the External profile's token: %v", err)
	}
	out := w.must("issue", "--sandbox", "--role", "RamOssTest", "--format", "external-profile", "--profile-name", "partner").stdout
	if !strings.Contains(out, "--mode External") || !strings.Contains(out, "--process-command 'stsdeck issue --sandbox --role RamOssTest --format external'") {
		t.Errorf("external-profile:\n%s", out)
	}
}

func TestRoleChainTwoHops(t *testing.T) {
	w := newWorld(t)
	servedSandbox(t, w)
	// Directly: PartnerUpload trusts only PartnerGateway's sessions.
	if r := w.run("", "issue", "--sandbox", "--role", "PartnerUpload"); r.code != 1 || !strings.Contains(r.stderr, "NoPermission") {
		t.Fatalf("direct: %d %s", r.code, r.stderr)
	}
	// Through the chain the cap is 1 h although PartnerUpload allows 12 h.
	if r := w.run("", "serve", "--sandbox", "--role", "PartnerUpload", "--via", "PartnerGateway", "--duration", "2h"); r.code != 2 || !strings.Contains(r.stderr, "at most 1h") {
		t.Fatalf("chain over 1h: %d %s", r.code, r.stderr)
	}
	s := startServe(t, w, "--role", "PartnerUpload", "--via", "PartnerGateway", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/")
	if code, m := fetchURI(t, s.url); code != 200 || !strings.HasPrefix(m["AccessKeyId"], "STS.") {
		t.Fatalf("chained token: %d %v", code, m)
	}
	s.stop()
	data, _ := os.ReadFile(filepath.Join(w.state, "audit.jsonl"))
	if !strings.Contains(string(data), `"via":["acs:ram::1234567890123456:role/PartnerGateway"]`) {
		t.Errorf("the audit record lacks the chain:\n%s", data)
	}
	// A hop whose trust fails: RamOssTest's sessions may not assume PartnerUpload.
	r := w.run("", "serve", "--sandbox", "--role", "PartnerUpload", "--via", "RamOssTest")
	if r.code != 1 || !strings.Contains(r.stderr, "hop 2 of 2") || !strings.Contains(r.stderr, "NoPermission") {
		t.Fatalf("untrusted hop: %d %s", r.code, r.stderr)
	}
}

// BenchmarkServeFetch compares a credentials-URI fetch served from the renewer's cache with one
// that renews (the sandbox clock is moved past expiry before each), over real HTTP in one run.
func BenchmarkServeFetch(b *testing.B) {
	root := b.TempDir()
	w := &world{home: filepath.Join(root, "home"), state: filepath.Join(root, "state")}
	w.vars = map[string]string{"HOME": w.home, "STSDECK_STATE_DIR": w.state, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	dir := filepath.Join(w.state, "sandbox")
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer run.Close()
	writeReadyFile(filepath.Join(dir, readyFileName), run.Info)
	ctl, _ := run.Control()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard, Getenv: func(k string) string { return w.vars[k] }, Deps: cli.Deps{Connect: connectServices}}
	go cli.Main(ctx, []string{"serve", "--sandbox", "--json", "--role", "RamOssTest", "--until", "1000h"}, env)
	line, _ := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	var ready map[string]any
	json.Unmarshal([]byte(line), &ready)
	ub, _ := os.ReadFile(ready["url_file"].(string))
	u := strings.TrimSpace(string(ub))
	get := func() string {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]string
		json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d %v", resp.StatusCode, m)
		}
		return m["AccessKeyId"]
	}
	get()
	var cached, renewing time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		get()
		cached += time.Since(t0)
		b.StopTimer()
		ctl.Advance(context.Background(), 2*time.Hour)
		time.Sleep(1010 * time.Millisecond) // the clock is re-read at most once a second
		b.StartTimer()
		t0 = time.Now()
		get()
		renewing += time.Since(t0)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(cached.Nanoseconds())/n, "cached-ns/op")
	b.ReportMetric(float64(renewing.Nanoseconds())/n, "renewing-ns/op")
	b.ReportMetric(renewing.Seconds()/cached.Seconds(), "renew/cached")
}

// Issue 12 item 16: a sandbox reached through the environment's endpoints (`stsdeck sandbox
// --print env`, then commands without --sandbox) is labelled SANDBOX everywhere: the card, the
// audit record's mode, no LIVE question before the probe; and `sandbox clock` reaches it.
func TestSandboxThroughEnvironmentIsSandbox(t *testing.T) {
	w := newWorld(t)
	out, stop := w.foregroundSandbox("--print", "env", "--data", filepath.Join(t.TempDir(), "sb"))
	defer stop()
	w.set(evalSh(t, out.String(), nil, append([]string{"ALIBABA_CLOUD_REGION_ID", "STSDECK_STS_ENDPOINT", "STSDECK_RAM_ENDPOINT", "STSDECK_OSS_ENDPOINT"}, credVars...)...))

	card := w.must("issue", "--role", "RamOssTest").stdout
	if !strings.Contains(card, "[SANDBOX]") || strings.Contains(card, "LIVE") {
		t.Errorf("card:\n%s", card)
	}
	var recs []map[string]any
	json.Unmarshal([]byte(w.must("history", "--json").stdout), &recs)
	if len(recs) != 1 || recs[0]["mode"] != "sandbox" {
		t.Errorf("audit records %v", recs)
	}
	// stdin is empty: a LIVE question would read "no" and stop the probe.
	r := w.run("", "probe", "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/")
	if strings.Contains(r.stderr, "Proceed?") || strings.Contains(r.stderr, "LIVE") || !strings.Contains(r.stdout, "inside") {
		t.Errorf("probe: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = w.must("sandbox", "clock", "--advance", "2h")
	if !strings.Contains(r.stdout, "offset               2h0m0s") {
		t.Errorf("sandbox clock:\n%s", r.stdout)
	}
	// The advanced clock is the sandbox's: a token issued now expires by it (3 h ahead).
	var cr map[string]any
	json.Unmarshal([]byte(w.must("issue", "--role", "OssReadOnly", "--format", "json").stdout), &cr)
	if exp, _ := time.Parse(time.RFC3339, cr["Expiration"].(string)); time.Until(exp) < 2*time.Hour {
		t.Errorf("a token issued after advancing 2h expires at %v (the authorization clock's time, 3h ahead)", exp)
	}
}

// ─── explain --error (issue 15): errors explained from their text alone ──────────────────────

// explainWorld is a world whose --sandbox commands share one running sandbox (published in
// <state>/sandbox/ready.json), so tokens, audit records and the clock carry across commands.
func explainWorld(t *testing.T) (*world, *sandbox) {
	t.Helper()
	w := newWorld(t)
	dir := filepath.Join(w.state, "sandbox")
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	if err := writeReadyFile(filepath.Join(dir, readyFileName), run.Info); err != nil {
		t.Fatal(err)
	}
	return w, run
}

func issueJSON(t *testing.T, w *world, args ...string) map[string]any {
	t.Helper()
	r := w.must(append([]string{"issue", "--sandbox", "--format", "json"}, args...)...)
	var cr map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &cr); err != nil {
		t.Fatalf("issue output %q: %v", r.stdout, err)
	}
	return cr
}

func ossWith(run *sandbox, cr map[string]any) *ossdk.Client {
	cp := osscred.NewStaticCredentialsProvider(cr["AccessKeyId"].(string), cr["AccessKeySecret"].(string), cr["SecurityToken"].(string))
	return ossdk.NewClient(ossdk.LoadDefaultConfig().WithCredentialsProvider(cp).
		WithRegion("cn-hangzhou").WithEndpoint(run.Info.OSSEndpoint).WithUsePathStyle(true).WithRetryMaxAttempts(1))
}

// explainError runs explain --error - --sandbox --json on input and decodes the answer.
func explainError(t *testing.T, w *world, input string) (int, map[string]any) {
	t.Helper()
	r := w.run(input, "explain", "--error", "-", "--sandbox", "--json")
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("explain output %q (stderr %s): %v", r.stdout, r.stderr, err)
	}
	return r.code, out
}

func getBody(t *testing.T, c *ossdk.Client, key string) (string, error) {
	t.Helper()
	res, err := c.GetObject(context.Background(), &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr(key)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func TestExplainErrorUploadOnlyGET(t *testing.T) {
	w, run := explainWorld(t)
	// OssReadWrite's own policy allows reading: the upload-only session policy is what denies.
	cr := issueJSON(t, w, "--role", "OssReadWrite", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--session-name", "partner")
	c := ossWith(run, cr)
	if err := putObject(c, "src/a.txt"); err != nil {
		t.Fatal(err)
	}
	_, err := getBody(t, c, "src/a.txt")
	var se *ossdk.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 403 || len(se.Snapshot) == 0 {
		t.Fatalf("GET with the upload-only token: %v", err)
	}
	u, err := c.Presign(context.Background(), &ossdk.GetObjectRequest{Bucket: ossdk.Ptr("examplebucket"), Key: ossdk.Ptr("src/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u.URL)
	if err != nil {
		t.Fatal(err)
	}
	presigned, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("presigned GET: %s", resp.Status)
	}
	for name, xmlBody := range map[string]string{"SDK": string(se.Snapshot), "presigned URL": string(presigned)} {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(xmlBody, "<EncodedDiagnosticMessage>AQEA") {
				t.Fatalf("the denial carries no EncodedDiagnosticMessage:\n%s", xmlBody)
			}
			code, out := explainError(t, w, xmlBody)
			audit, _ := out["audit"].(map[string]any)
			fix, _ := out["fix"].(map[string]any)
			if code != 1 || out["input"] != "oss-xml" || out["decoded"] != true || out["layer"] != "session" || out["code"] != "AccessDenied" ||
				out["ec"] != "0003-00000301" || out["action"] != "oss:GetObject" || out["principal"] != "OssReadWrite/partner" ||
				!strings.HasSuffix(out["resource"].(string), ":examplebucket/src/a.txt") || audit == nil || audit["access_key_id"] != cr["AccessKeyId"] ||
				audit["session_name"] != "partner" || fix == nil || fix["layer"] != "session" || fix["verified"] != true {
				t.Fatalf("exit %d, %v", code, out)
			}
			// Apply the fix, re-issue: the same GET succeeds, dst/ stays denied.
			pf := filepath.Join(t.TempDir(), "fixed.json")
			os.WriteFile(pf, []byte(fix["policy"].(string)), 0o600)
			fixed := ossWith(run, issueJSON(t, w, "--role", "OssReadWrite", "--policy", pf, "--session-name", "partner-fixed"))
			if body, err := getBody(t, fixed, "src/a.txt"); err != nil || body != "x" {
				t.Fatalf("GET with the fixed token: %q %v", body, err)
			}
			if _, err := getBody(t, fixed, "dst/a.txt"); !errors.As(err, &se) || se.Code != "AccessDenied" {
				t.Fatalf("GET dst/ with the fixed token: %v", err)
			}
		})
	}
	t.Run("offline: the error's own fields and the local audit log", func(t *testing.T) {
		r := w.run(string(se.Snapshot), "explain", "--error", "-", "--offline", "--json")
		var out map[string]any
		json.Unmarshal([]byte(r.stdout), &out)
		if r.code != 1 || out["decoded"] != false || out["layer"] != "session" || !strings.Contains(out["decode_error"].(string), "not connected") {
			t.Fatalf("exit %d %v %s", r.code, out, r.stderr)
		}
	})
}

func TestExplainErrorSTSAndExpiry(t *testing.T) {
	w, run := explainWorld(t)
	issuer, _ := run.Info.User("sts-issuer")
	sc, err := stsclient.NewClient(&openapi.Config{AccessKeyId: daratea.String(issuer.AccessKeyID), AccessKeySecret: daratea.String(issuer.AccessKeySecret),
		Endpoint: daratea.String(strings.TrimPrefix(run.Info.STSEndpoint, "http://")), Protocol: daratea.String("http"), RegionId: daratea.String("cn-hangzhou")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.AssumeRole(&stsclient.AssumeRoleRequest{RoleArn: daratea.String("acs:ram::1234567890123456:role/EcsOnly"), RoleSessionName: daratea.String("nope")})
	var sdkErr *daratea.SDKError
	if !errors.As(err, &sdkErr) {
		t.Fatalf("AssumeRole EcsOnly: %v", err)
	}
	for name, in := range map[string]string{"JSON": daratea.StringValue(sdkErr.Data), "SDKError text": sdkErr.Error()} {
		t.Run("NoPermission, caller not trusted, "+name, func(t *testing.T) {
			code, out := explainError(t, w, in)
			fix, _ := out["fix"].(map[string]any)
			want := "openapi-json"
			if name != "JSON" {
				want = "text"
			}
			if code != 1 || out["input"] != want || out["code"] != "NoPermission" || out["layer"] != "trust" || out["decoded"] != true ||
				out["action"] != "sts:AssumeRole" || fix == nil || fix["layer"] != "trust" {
				t.Fatalf("exit %d %v", code, out)
			}
		})
	}

	cr := issueJSON(t, w, "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/")
	run.AuthClock.Advance(2 * time.Hour)
	err = putObject(ossWith(run, cr), "src/late.txt")
	var se *ossdk.ServiceError
	if !errors.As(err, &se) || se.Code != "SecurityTokenExpired" {
		t.Fatalf("PUT with an expired token: %v", err)
	}
	t.Run("expired token, OSS XML", func(t *testing.T) {
		code, out := explainError(t, w, string(se.Snapshot))
		if code != 1 || out["layer"] != "none" || out["ec"] != "0002-00000007" || !strings.Contains(out["explanation"].(string), "expired") || out["fix"] != nil {
			t.Fatalf("exit %d %v", code, out)
		}
	})
	t.Run("expired token, STS JSON", func(t *testing.T) {
		tc, _ := stsclient.NewClient(&openapi.Config{AccessKeyId: daratea.String(cr["AccessKeyId"].(string)), AccessKeySecret: daratea.String(cr["AccessKeySecret"].(string)),
			SecurityToken: daratea.String(cr["SecurityToken"].(string)), Endpoint: daratea.String(strings.TrimPrefix(run.Info.STSEndpoint, "http://")),
			Protocol: daratea.String("http"), RegionId: daratea.String("cn-hangzhou")})
		_, err := tc.GetCallerIdentity()
		if !errors.As(err, &sdkErr) {
			t.Fatalf("GetCallerIdentity with an expired token: %v", err)
		}
		code, out := explainError(t, w, daratea.StringValue(sdkErr.Data))
		if code != 1 || out["input"] != "openapi-json" || out["code"] != "InvalidSecurityToken.Expired" || out["layer"] != "none" ||
			!strings.Contains(out["explanation"].(string), "expired") {
			t.Fatalf("exit %d %v", code, out)
		}
	})
}

func TestExplainErrorBadInput(t *testing.T) {
	w := newWorld(t)
	full := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied by authorizer's policy.</Message><RequestId>1</RequestId><EC>0003-00000301</EC></Error>`
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"binary", "\x00\x01\x02PK\x03\x04", "binary"},
		{"truncated XML", full[:80], "truncated"},
		{"10 MB", strings.Repeat("AccessDenied ", 10<<20/13+1), "larger than"},
		{"not an error", "hello, the upload failed yesterday", "no error found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.run(tt.in, "explain", "--error", "-", "--offline", "--json")
			var out map[string]map[string]string
			json.Unmarshal([]byte(r.stdout), &out)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(out["error"]["message"], tt.want) {
				t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
			}
		})
	}
	t.Run("a file that does not exist", func(t *testing.T) {
		r := w.run("", "explain", "--error", filepath.Join(t.TempDir(), "nope.xml"), "--offline")
		if r.code != 2 || !strings.Contains(r.stderr, "nope.xml") {
			t.Fatalf("exit %d %q", r.code, r.stderr)
		}
	})
}

func TestProbeAsOSSBrowserUploadOnly(t *testing.T) {
	w, _ := explainWorld(t)
	r := w.run("", "probe", "--sandbox", "--as", "ossbrowser", "--role", "OssReadWrite", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--json")
	var run struct {
		Works        bool `json:"works"`
		FirstFailure int  `json:"first_failure"`
		AllAgree     bool `json:"all_agree"`
		Steps        []struct {
			Op, Verdict string
		} `json:"steps"`
		Actual []model.ProbeActual `json:"actual"`
		Agree  []*bool             `json:"agree"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &run); err != nil || r.code != 0 {
		t.Fatalf("exit %d: %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if !run.AllAgree || run.Works || run.Steps[run.FirstFailure].Op != "ListObjects" || len(run.Actual) != len(run.Steps) {
		t.Fatalf("%+v", run)
	}
	for i, s := range run.Steps {
		if run.Agree[i] == nil || !*run.Agree[i] || (s.Verdict == "Allow") != run.Actual[i].Allowed {
			t.Errorf("call %d %s: predicted %s, actual %+v", i+1, s.Op, s.Verdict, run.Actual[i])
		}
	}
	// explain --tool says the same before any token exists, and its suggestion makes the tool work.
	rw := filepath.Join(t.TempDir(), "s.json")
	os.WriteFile(rw, []byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject","oss:AbortMultipartUpload","oss:ListParts"],"Resource":["acs:oss:*:*:examplebucket/src/*"]}]}`), 0o600)
	r = w.run("", "explain", "--tool", "ossbrowser", "--sandbox", "--role", "OssReadWrite", "--session-policy", rw, "--bucket", "examplebucket", "--prefix", "src/", "--json")
	var chk struct {
		Works     bool   `json:"works"`
		Suggested string `json:"suggested_policy"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &chk); err != nil || r.code != 1 || chk.Works || chk.Suggested == "" {
		t.Fatalf("explain --tool: exit %d %v %s %s", r.code, err, r.stdout, r.stderr)
	}
	os.WriteFile(rw, []byte(chk.Suggested), 0o600)
	r = w.run("", "probe", "--sandbox", "--as", "ossbrowser", "--role", "OssReadWrite", "--policy", rw, "--bucket", "examplebucket", "--prefix", "src/", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &run); err != nil || r.code != 0 || !run.AllAgree || !run.Works {
		t.Fatalf("with the suggested policy: exit %d %v %s %s", r.code, err, r.stdout, r.stderr)
	}
}

// `stsdeck presign --post` for the exported token: the form's field set, posted with
// mime/multipart over real HTTP to the running sandbox, uploads inside its limits (prefix,
// size, type) and is refused outside them; the HTML form carries the same fields and no secret.
func TestPresignPostFormEndToEnd(t *testing.T) {
	w := newWorld(t)
	env := w.must("issue", "--sandbox", "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--format", "env").stdout
	w.set(evalSh(t, env, nil, credVars...))
	_, stop := w.foregroundSandbox()
	defer stop()
	r := w.must("presign", "--sandbox", "--post", "oss://examplebucket/src/partner/", "--max-size", "1KiB", "--content-type", "text/", "--expires", "10m", "--json")
	var form struct {
		Action, Method, Enctype string
		Fields                  []struct{ Name, Value string }
		Policy                  json.RawMessage
	}
	if err := json.Unmarshal([]byte(r.stdout), &form); err != nil || form.Method != "POST" || len(form.Fields) == 0 {
		t.Fatalf("presign --post --json: %v\n%s", err, r.stdout)
	}
	if strings.Contains(r.stdout, w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]) {
		t.Fatal("the form carries the secret")
	}
	post := func(t *testing.T, override map[string]string, fileName, fileType string, file []byte) (int, string) {
		t.Helper()
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, f := range form.Fields {
			v := f.Value
			if o, ok := override[f.Name]; ok {
				v = o
			}
			mw.WriteField(f.Name, v)
		}
		if ct, ok := override["Content-Type"]; ok {
			mw.WriteField("Content-Type", ct)
		}
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + fileName + `"`}
		h["Content-Type"] = []string{fileType}
		fw, _ := mw.CreatePart(h)
		fw.Write(file)
		mw.Close()
		resp, err := http.Post(form.Action, mw.FormDataContentType(), &b)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := post(t, nil, "hello.txt", "text/plain", []byte("hello via a browser form\n")); code != 200 {
		t.Fatalf("post inside the limits: %d\n%s", code, body)
	}
	for _, c := range []struct {
		name     string
		override map[string]string
		fileType string
		file     []byte
		status   int
		code     string
	}{
		{"too big", nil, "text/plain", bytes.Repeat([]byte("x"), 1025), 400, "EntityTooLarge"},
		{"outside the prefix", map[string]string{"key": "src/other/${filename}"}, "text/plain", []byte("x"), 403, "AccessDenied"},
		{"wrong type", map[string]string{"Content-Type": "image/png"}, "image/png", []byte("x"), 403, "AccessDenied"},
		{"tampered signature", map[string]string{"x-oss-signature": strings.Repeat("0", 64)}, "text/plain", []byte("x"), 403, "SignatureDoesNotMatch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body := post(t, c.override, "f.txt", c.fileType, c.file)
			if code != c.status || !strings.Contains(body, "<Code>"+c.code+"</Code>") {
				t.Fatalf("%d\n%s", code, body)
			}
		})
	}
	// The HTML form: the same action and fields, hidden, then the file chooser.
	r = w.must("presign", "--sandbox", "--post", "oss://examplebucket/src/partner/", "--max-size", "1KiB", "--expires", "10m")
	if !strings.Contains(r.stdout, `<form action="`+form.Action+`" method="post" enctype="multipart/form-data">`) ||
		!strings.Contains(r.stdout, `name="x-oss-security-token"`) || !strings.Contains(r.stdout, `<input type="file" name="file">`) ||
		strings.Contains(r.stdout, w.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]) {
		t.Fatalf("HTML form:\n%s", r.stdout)
	}
	// Bad input: exit 2, nothing signed.
	for _, args := range [][]string{
		{"presign", "--sandbox", "--post", "oss://"},
		{"presign", "--sandbox", "--post", "oss://examplebucket/src/", "--max-size", "6GiB"},
		{"presign", "--sandbox", "--post", "oss://examplebucket/src/", "--content-type", "nonsense"},
		{"presign", "--sandbox", "--max-size", "1KiB", "oss://examplebucket/src/a"},
	} {
		if r := w.run("", args...); r.code != cli.ExitBadInput || r.stdout != "" {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// Issue 12 item 14: the probe of an upload-only token cannot delete its objects; `stsdeck
// cleanup` removes them with the operator's own keys (the sandbox's sts-issuer) and says so.
// (It also proves the clean-up knows the probe's key names: oss.ProbeMarker.)
func TestCleanupRemovesProbeLeftovers(t *testing.T) {
	w := newWorld(t)
	r := w.run("", "probe", "--sandbox", "--role", "RamOssTest", "--bucket", "examplebucket", "--prefix", "src/", "--json")
	var rep model.ProbeReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.LeftBehind) != 2 || !strings.HasPrefix(rep.LeftBehind[0], "src/"+oss.ProbeMarker) {
		t.Fatalf("probe: exit %d %v left %v\n%s\n%s", r.code, err, rep.LeftBehind, r.stdout, r.stderr)
	}
	r = w.must("cleanup", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/", "--prefix", "dst/")
	if !strings.Contains(r.stdout, "removed  oss://examplebucket/"+rep.LeftBehind[0]+"  (probe") || !strings.Contains(r.stdout, "removed 2 object(s), 0 failed") {
		t.Errorf("cleanup:\n%s\n%s", r.stdout, r.stderr)
	}
	if r = w.must("cleanup", "--sandbox", "--bucket", "examplebucket", "--prefix", "src/", "--prefix", "dst/"); !strings.Contains(r.stdout, "nothing to clean up") {
		t.Errorf("second cleanup:\n%s", r.stdout)
	}
}

// Issue 12 item 14: `stsdeck preview` shows the grid without issuing; `roles --filter` says who
// may assume each role; `issue --from-history` issues the same request again — all against
// the sandbox through the real adapters.
func TestPreviewRolesAndCloneSandbox(t *testing.T) {
	w := newWorld(t)
	r := w.must("preview", "--sandbox", "--role", "RamOssTest", "--bucket", "examplebucket", "--prefix", "src/")
	if !strings.Contains(r.stdout, "put     oss:PutObject     ✓ Allow (role)") || !strings.Contains(r.stdout, "nothing issued") {
		t.Errorf("preview:\n%s", r.stdout)
	}
	if r := w.must("history", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("preview issued a token: %s", r.stdout)
	}
	r = w.must("roles", "--sandbox", "--filter", "ecs")
	if !strings.Contains(r.stdout, "EcsOnly") || !strings.Contains(r.stdout, "✗ no") || !strings.Contains(r.stdout, "the ECS service") || strings.Contains(r.stdout, "RamOssTest") {
		t.Errorf("roles --filter ecs:\n%s", r.stdout)
	}
	w.must("issue", "--sandbox", "--role", "OssReadWrite", "--template", "read-only", "--bucket", "examplebucket", "--prefix", "src/", "--duration", "20m")
	var recs []model.AuditRecord
	json.Unmarshal([]byte(w.must("history", "--json").stdout), &recs)
	if len(recs) != 1 {
		t.Fatalf("records %+v", recs)
	}
	w.must("issue", "--sandbox", "--from-history", recs[0].ID)
	json.Unmarshal([]byte(w.must("history", "--json").stdout), &recs)
	if len(recs) != 2 || recs[1].RoleARN != recs[0].RoleARN || recs[1].PolicyDigest != recs[0].PolicyDigest || recs[1].DurationSeconds != 1200 || recs[1].SessionName == recs[0].SessionName {
		t.Errorf("clone %+v of %+v", recs[1], recs[0])
	}
}

// Issue 13 (done when): a partner's workload recorded under a broad RECORDING token through the
// decision journal, turned into a least-privilege session policy by `stsdeck policy
// from-journal`, proven by `policy replay`, then issued: the same workload runs with 0 denials
// and a write outside the recorded prefix is denied by the session layer. Everything goes
// over real HTTP with the OSS Go SDK v2.
func TestRecordWorkflowToLeastPrivilegePolicy(t *testing.T) {
	dir := t.TempDir()
	jpath := filepath.Join(dir, "journal.jsonl")
	r := startTestSandbox(t, sandboxOptions{DataDir: filepath.Join(dir, "data"), Journal: jpath})
	u, _ := r.Info.User("sts-issuer")
	p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(u.AccessKeyID).WithAccessKeySecret(u.AccessKeySecret).Build()
	if err != nil {
		t.Fatal(err)
	}
	stsEP, _ := model.ParseEndpoint("sts", r.Info.STSEndpoint)
	issuer, err := sts.New(sts.Config{Credentials: p, Region: r.Info.Region, STSEndpoint: stsEP, RAMEndpoint: stsEP})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	issue := func(session, pol string) model.Credentials {
		t.Helper()
		cr, err := issuer.AssumeRole(ctx, model.IssueRequest{RoleARN: issuereq.RoleARN(r.Info.AccountID, "OssReadWrite"), SessionName: session, Duration: 15 * time.Minute, Policy: pol})
		if err != nil {
			t.Fatalf("AssumeRole %s: %v", session, err)
		}
		return cr
	}
	client := func(cr model.Credentials) *ossdk.Client {
		return ossdk.NewClient(ossdk.LoadDefaultConfig().
			WithCredentialsProvider(osscred.NewStaticCredentialsProvider(cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken)).
			WithRegion("cn-hangzhou").WithEndpoint(r.Info.OSSEndpoint).WithUsePathStyle(true).WithRetryMaxAttempts(1))
	}
	bucket := ossdk.Ptr("examplebucket")
	big := bytes.Repeat([]byte("0123456789abcdef"), (256<<10)/16)
	// The partner's workload: a multipart upload, a small upload, list the prefix, read both
	// back, delete one.
	workload := func(c *ossdk.Client) error {
		init, err := c.InitiateMultipartUpload(ctx, &ossdk.InitiateMultipartUploadRequest{Bucket: bucket, Key: ossdk.Ptr("partner/in/big.bin")})
		if err != nil {
			return fmt.Errorf("initiate: %w", err)
		}
		var parts []ossdk.UploadPart
		for i, chunk := range [][]byte{big[:200<<10], big[200<<10:]} {
			up, err := c.UploadPart(ctx, &ossdk.UploadPartRequest{Bucket: bucket, Key: init.Key, UploadId: init.UploadId, PartNumber: int32(i + 1), Body: bytes.NewReader(chunk)})
			if err != nil {
				return fmt.Errorf("part %d: %w", i+1, err)
			}
			parts = append(parts, ossdk.UploadPart{PartNumber: int32(i + 1), ETag: up.ETag})
		}
		if _, err := c.CompleteMultipartUpload(ctx, &ossdk.CompleteMultipartUploadRequest{Bucket: bucket, Key: init.Key, UploadId: init.UploadId,
			CompleteMultipartUpload: &ossdk.CompleteMultipartUpload{Parts: parts}}); err != nil {
			return fmt.Errorf("complete: %w", err)
		}
		if _, err := c.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bucket, Key: ossdk.Ptr("partner/in/notes.txt"), Body: strings.NewReader("notes")}); err != nil {
			return fmt.Errorf("put: %w", err)
		}
		ls, err := c.ListObjectsV2(ctx, &ossdk.ListObjectsV2Request{Bucket: bucket, Prefix: ossdk.Ptr("partner/in/")})
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		if len(ls.Contents) != 2 {
			return fmt.Errorf("list: %d objects, want 2", len(ls.Contents))
		}
		for _, k := range []string{"partner/in/big.bin", "partner/in/notes.txt"} {
			g, err := c.GetObject(ctx, &ossdk.GetObjectRequest{Bucket: bucket, Key: ossdk.Ptr(k)})
			if err != nil {
				return fmt.Errorf("get %s: %w", k, err)
			}
			n, _ := io.Copy(io.Discard, g.Body)
			g.Body.Close()
			if k == "partner/in/big.bin" && n != int64(len(big)) {
				return fmt.Errorf("get %s: %d bytes, want %d", k, n, len(big))
			}
		}
		if _, err := c.DeleteObject(ctx, &ossdk.DeleteObjectRequest{Bucket: bucket, Key: ossdk.Ptr("partner/in/notes.txt")}); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return nil
	}

	// 1. Record under a broad RECORDING token (everything the role may do on the bucket).
	const recording = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`
	rec := issue("recording-partner", recording)
	if err := workload(client(rec)); err != nil {
		t.Fatalf("workload under the recording token: %v", err)
	}
	// The journal is readable live over the control API, and holds both halves' decisions.
	ctl, _ := r.Control()
	page, err := ctl.Journal(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, d := range page.Records {
		if d.Principal.Session == "recording-partner" {
			ops[d.Operation]++
		}
	}
	if page.Records[0].Service != "sts" || page.Records[0].Action != "sts:AssumeRole" || ops["UploadPart"] != 2 || ops["ListObjectsV2"] != 1 || ops["DeleteObject"] != 1 {
		t.Fatalf("live journal: first %+v, recording session's operations %v", page.Records[0], ops)
	}
	if more, _ := ctl.Journal(ctx, page.Next); len(more.Records) != 0 {
		t.Errorf("following from next=%d returned %d old records", page.Next, len(more.Records))
	}
	raw, _ := os.ReadFile(jpath)
	for _, secret := range []string{rec.AccessKeySecret, rec.SecurityToken, u.AccessKeySecret} {
		if strings.Contains(string(raw), secret) {
			t.Fatal("the journal holds a secret or a token")
		}
	}
	if fi, _ := os.Stat(jpath); fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v", fi.Mode().Perm())
	}

	// 2. The policy from the journal: lints clean and fits.
	w := newWorld(t)
	gen := w.must("policy", "from-journal", jpath, "--session", "recording-partner", "--bucket", "examplebucket")
	doc := strings.TrimSpace(gen.stdout)
	polFile := filepath.Join(dir, "partner.json")
	os.WriteFile(polFile, []byte(gen.stdout), 0o600)
	lint := w.must("lint", "--kind", "session", polFile, "--json")
	var lj struct {
		Valid    bool
		Size     int
		Limit    int
		Findings []json.RawMessage
	}
	json.Unmarshal([]byte(lint.stdout), &lj)
	if !lj.Valid || len(lj.Findings) != 0 || lj.Size > lj.Limit || lj.Size == 0 {
		t.Fatalf("lint of the generated policy: %s\npolicy: %s", lint.stdout, doc)
	}
	if !strings.Contains(doc, `examplebucket/partner/in/*`) || strings.Contains(doc, `"oss:*"`) || !strings.Contains(doc, `"oss:Prefix":["partner/in/"]`) {
		t.Errorf("generated policy: %s\n%s", doc, gen.stderr)
	}
	if !strings.Contains(gen.stderr, `covers 2 keys: "partner/in/big.bin", "partner/in/notes.txt"`) {
		t.Errorf("from-journal does not say which keys led to the wildcard:\n%s", gen.stderr)
	}

	// 3. The replay proof: 0 journaled requests would now be denied.
	rp := w.must("policy", "replay", jpath, "--session", "recording-partner", "--session-policy", polFile, "--json")
	var rep struct {
		Requests    int
		Denied      []json.RawMessage
		OverBreadth []struct{ Resource, Unseen string } `json:"over_breadth"`
	}
	json.Unmarshal([]byte(rp.stdout), &rep)
	if rep.Requests < 9 || len(rep.Denied) != 0 {
		t.Fatalf("replay: %s", rp.stdout)
	}

	// 4. Issued with it, the same workload runs with 0 denials; a write outside is denied by
	// the session layer.
	partner := client(issue("partner-real", doc))
	if err := workload(partner); err != nil {
		t.Fatalf("workload under the generated policy: %v", err)
	}
	_, err = partner.PutObject(ctx, &ossdk.PutObjectRequest{Bucket: bucket, Key: ossdk.Ptr("outside.txt"), Body: strings.NewReader("x")})
	var se *ossdk.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 403 || se.Code != "AccessDenied" || se.EC != "0003-00000301" {
		t.Fatalf("outside write: %v", err)
	}
	page, _ = ctl.Journal(ctx, page.Next)
	denied := 0
	for _, d := range page.Records {
		if d.Principal.Session == "partner-real" && d.Decision != "Allow" {
			denied++
			if d.Resource != "acs:oss:cn-hangzhou:"+r.Info.AccountID+":examplebucket/outside.txt" || d.DecidedBy != "session" {
				t.Errorf("denial %+v", d)
			}
		}
	}
	if denied != 1 {
		t.Errorf("%d denials of the real session in the journal, want 1 (the outside write)", denied)
	}
}

// Issue 13: the journal under 1,000 concurrent requests to the sandbox keeps every line whole.
func TestJournalUnderConcurrentRequests(t *testing.T) {
	dir := t.TempDir()
	jpath := filepath.Join(dir, "journal.jsonl")
	r := startTestSandbox(t, sandboxOptions{DataDir: filepath.Join(dir, "data"), Journal: jpath})
	hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}}
	const n = 1000
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Anonymous reads: authorized (and refused) by the engine, so journaled.
			resp, err := hc.Get(fmt.Sprintf("%s/examplebucket/load/%d/%s", r.Info.OSSEndpoint, i, strings.Repeat("y", i%200)))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	close(start)
	wg.Wait()
	raw, err := os.ReadFile(jpath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d journal lines for %d requests", len(lines), n)
	}
	keys := map[string]bool{}
	for i, l := range lines {
		var d model.DecisionRecord
		if err := json.Unmarshal([]byte(l), &d); err != nil || d.Seq != uint64(i+1) {
			t.Fatalf("line %d is not a whole record (seq %d): %v: %.100q", i+1, d.Seq, err, l)
		}
		keys[d.Resource] = true
	}
	if len(keys) != n {
		t.Errorf("%d distinct resources, want %d", len(keys), n)
	}
}

// ─── aliyun CLI profiles against the sandbox (issue 16 item 4) ───

// writeAliyunConfig writes profiles into <home>/.aliyun/config.json (0600), current = the first.
func writeAliyunConfig(t *testing.T, home string, profiles ...map[string]any) string {
	t.Helper()
	path := filepath.Join(home, ".aliyun", "config.json")
	b, err := json.Marshal(map[string]any{"current": profiles[0]["name"], "profiles": profiles})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// RamRoleArn, ChainableRamRoleArn (two hops) and CredentialsURI (pointing at `stsdeck serve`)
// profiles work against the sandbox through the endpoints in the environment
// ($STSDECK_STS_ENDPOINT, $STSDECK_OSS_ENDPOINT), over real HTTP: whoami names the assumed role,
// an upload inside the prefix succeeds; each failing mode names itself and says why.
func TestAliyunProfilesAgainstTheSandbox(t *testing.T) {
	w := newWorld(t)
	run, _ := servedSandbox(t, w)
	s := startServe(t, w, "--role", "OssReadWrite", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/")
	// The aliyun CLI's own CredentialsURI mode also wants Code "Success".
	if code, m := fetchURI(t, s.url); code != http.StatusOK || m["Code"] != "Success" {
		t.Errorf("serve's answer: %d Code %q", code, m["Code"])
	}
	issuer, _ := run.Info.User(sandboxUser)
	w.vars[envSTSEndpoint], w.vars[envOSSEndpoint] = run.Info.STSEndpoint, run.Info.OSSEndpoint
	role := func(name string) string { return "acs:ram::1234567890123456:role/" + name }
	key := map[string]any{"access_key_id": issuer.AccessKeyID, "access_key_secret": issuer.AccessKeySecret}
	with := func(m map[string]any, extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	u, _ := url.Parse(s.url)
	wrongURI := u.Scheme + "://" + u.Host + "/0000000000000000000000000000000000000000000000000000000000000000"
	cfg := writeAliyunConfig(t, w.home,
		with(key, map[string]any{"name": "ram", "mode": "RamRoleArn", "ram_role_arn": role("RamOssTest"), "ram_session_name": "profile-ram", "region_id": "cn-hangzhou"}),
		with(key, map[string]any{"name": "base", "mode": "AK", "region_id": "cn-hangzhou"}),
		map[string]any{"name": "gateway", "mode": "ChainableRamRoleArn", "source_profile": "base", "ram_role_arn": role("PartnerGateway"), "ram_session_name": "hop1"},
		map[string]any{"name": "partner", "mode": "ChainableRamRoleArn", "source_profile": "gateway", "ram_role_arn": role("PartnerUpload"), "ram_session_name": "hop2", "region_id": "cn-hangzhou"},
		map[string]any{"name": "uri", "mode": "CredentialsURI", "credentials_uri": s.url, "region_id": "cn-hangzhou"},
		with(key, map[string]any{"name": "direct", "mode": "RamRoleArn", "ram_role_arn": role("PartnerUpload"), "ram_session_name": "direct"}),
		map[string]any{"name": "uri-wrong", "mode": "CredentialsURI", "credentials_uri": wrongURI},
	)

	for _, tc := range []struct {
		profile, arn, mode string
	}{
		{"ram", "acs:ram::1234567890123456:role/ramosstest/profile-ram", "RamRoleArn"},
		{"partner", "acs:ram::1234567890123456:role/partnerupload/hop2", "ChainableRamRoleArn"},
		{"uri", "acs:ram::1234567890123456:role/ossreadwrite/stsdeck-serve-", "CredentialsURI"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			var who map[string]any
			out := w.must("whoami", "--profile", tc.profile, "--json").stdout
			if err := json.Unmarshal([]byte(out), &who); err != nil {
				t.Fatalf("whoami: %v\n%s", err, out)
			}
			from, _ := who["credentials_from"].(string)
			if arn, _ := who["arn"].(string); !strings.HasPrefix(arn, tc.arn) || who["mode"] != "sandbox" ||
				!strings.Contains(from, fmt.Sprintf("aliyun CLI profile %q (%s", tc.profile, tc.mode)) {
				t.Errorf("whoami %v", who)
			}
			if strings.Contains(from, u.Path) {
				t.Errorf("credentials_from shows serve's secret path: %s", from)
			}
			w.must("upload", "--profile", tc.profile, "--generate", "1KiB", "oss://examplebucket/src/profile-"+tc.profile+".txt")
		})
	}
	// The served token is upload-only in src/: outside it OSS refuses.
	if r := w.run("", "upload", "--profile", "uri", "--generate", "1KiB", "oss://examplebucket/dst/profile-uri.txt"); r.code != cli.ExitDenied || !strings.Contains(r.stderr, "AccessDenied") {
		t.Errorf("upload outside the prefix: exit %d\n%s", r.code, r.stderr)
	}
	// The chained profile signed AssumeRole with the first hop's token, at the sandbox.
	if r := w.run("", "whoami", "--profile", "gateway", "--json"); r.code != 0 || !strings.Contains(r.stdout, ":role/partnergateway/hop1") {
		t.Errorf("gateway: %d %s %s", r.code, r.stdout, r.stderr)
	}

	for _, tc := range []struct {
		profile string
		want    []string
	}{
		// PartnerUpload trusts only PartnerGateway's sessions: the sandbox refuses with the cloud's code.
		{"direct", []string{`aliyun CLI profile "direct" (mode RamRoleArn, ` + cfg + `) failed: AssumeRole ` + role("PartnerUpload") + ` at ` + run.Info.STSEndpoint, "NoPermission"}},
		{"uri-wrong", []string{`aliyun CLI profile "uri-wrong" (mode CredentialsURI`, u.Scheme + "://" + u.Host + "/…"}},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			r := w.run("", "whoami", "--profile", tc.profile)
			if r.code != cli.ExitBadInput {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			for _, secret := range []string{issuer.AccessKeySecret, "0000000000000000", u.Path} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("stderr shows a secret:\n%s", r.stderr)
				}
			}
			if strings.Contains(r.stderr, "no credentials found") {
				t.Errorf("a failing profile is reported as no credentials:\n%s", r.stderr)
			}
		})
	}
}

// Without --profile the chain reaches the current profile; when it fails, the message leads
// with that profile's mode and the whole reason, not "no credentials found".
func TestFailingCurrentProfileLeadsTheMessage(t *testing.T) {
	w := newWorld(t)
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	issuer, _ := run.Info.User(sandboxUser)
	w.vars[envSTSEndpoint], w.vars[envOSSEndpoint] = run.Info.STSEndpoint, run.Info.OSSEndpoint
	writeAliyunConfig(t, w.home, map[string]any{"name": "direct", "mode": "RamRoleArn", "access_key_id": issuer.AccessKeyID,
		"access_key_secret": issuer.AccessKeySecret, "ram_role_arn": "acs:ram::1234567890123456:role/PartnerUpload", "ram_session_name": "direct"})
	r := w.run("", "whoami")
	if r.code != cli.ExitBadInput || !strings.Contains(r.stderr, `no usable Alibaba Cloud credentials: aliyun CLI profile "direct" (mode RamRoleArn`) ||
		!strings.Contains(r.stderr, "NoPermission") || !strings.Contains(r.stderr, "looked in") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// BenchmarkRoleProfileCredentials compares a RamRoleArn profile's cached token with one that
// is renewed on every call (the clock moved past the 180 s margin each time: an AssumeRole to
// the sandbox over real HTTP), in one run; it reports renew/cached as a ratio.
func BenchmarkRoleProfileCredentials(b *testing.B) {
	run, err := startSandbox(context.Background(), sandboxOptions{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer run.Close()
	issuer, _ := run.Info.User(sandboxUser)
	home := b.TempDir()
	cfg, _ := json.Marshal(map[string]any{"current": "ram", "profiles": []map[string]any{{"name": "ram", "mode": "RamRoleArn",
		"access_key_id": issuer.AccessKeyID, "access_key_secret": issuer.AccessKeySecret, "ram_role_arn": "acs:ram::1234567890123456:role/RamOssTest", "ram_session_name": "bench"}}})
	os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700)
	os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), cfg, 0o600)
	ep, _ := model.ParseEndpoint("sts", run.Info.STSEndpoint)
	env := map[string]string{"HOME": home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	o := connectOptions{Getenv: func(k string) string { return env[k] }}
	var mu sync.Mutex
	skew := time.Duration(0)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(skew) }
	src, err := creds.Resolve(context.Background(), creds.Options{Getenv: o.Getenv, STSEndpoint: ep, AssumeRole: profileAssumer(o, ep), Now: now})
	if err != nil {
		b.Fatal(err)
	}
	measure := func(n int, renew bool) time.Duration {
		start := time.Now()
		for range n {
			if renew {
				mu.Lock()
				skew += time.Hour
				mu.Unlock()
			}
			if _, err := src.Provider.GetCredentials(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var cached time.Duration
	b.Run("cached", func(b *testing.B) { cached = measure(b.N, false) / time.Duration(b.N) })
	b.Run("renew", func(b *testing.B) {
		renewed := measure(b.N, true) / time.Duration(b.N)
		if cached > 0 {
			b.ReportMetric(float64(renewed)/float64(cached), "renew/cached")
		}
	})
}

// consoleExport exports the console's current token as kind to path (the Issue screen's export
// menu, entry by its index in the list) and waits for the outcome on the card.
func consoleExport(f flow, cursor *int, kind, path string) {
	f.t.Helper()
	kinds := append(append([]string{}, credfmt.Kinds...), "presign-get", "presign-put")
	idx := -1
	for i, k := range kinds {
		if k == kind {
			idx = i
		}
	}
	if idx < 0 {
		f.t.Fatalf("no export %s", kind)
	}
	f.keys("esc", "x") // esc: off the form's field if it has focus
	f.waitFor("Export the token")
	n := len(kinds) + 2 + len(credfmt.SnippetKinds) // + the PostObject entries; the list wraps
	for range (idx - *cursor + n) % n {             // the menu keeps its cursor between exports
		f.keys("down")
	}
	*cursor = idx
	f.keys("f", "ctrl+u")
	f.text(path)
	f.keys("enter")
	f.waitFor("wrote " + kind)
}

// The paste target end to end against the real sandbox (issue 15): an upload-only token's
// denied GET, its XML from a presigned URL pasted into the console, is explained with
// decoded yes, the audit record and layer session; f re-issues with the fix (the Policy screen
// shows the GET turning to allow), and with the new token the same GET succeeds while dst/
// stays denied.
func TestConsolePasteDiagnoseFixReissue(t *testing.T) {
	m := sandboxConsole(t, cli.Global{Sandbox: true, Console: true}, consoleEnv(t, nil))
	f := newFlow(t, teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 50)))
	// As demoToToken, with OssReadWrite: its own policy allows reading, the upload-only
	// session policy is what denies the GET.
	f.waitFor("OssReadWrite")
	f.keys("/")
	f.text("OssReadWrite")
	f.keys("enter")
	f.waitFor("“OssReadWrite” 1 of")
	f.keys("enter")
	f.waitFor("Session policy")
	f.keys("t", "enter")
	f.waitFor("Bucket: examplebucket")
	f.keys("enter")
	f.text("src/")
	f.keys("enter")
	f.waitFor("no findings", "Allow")
	f.keys("tab")
	f.waitFor("session name", "on examplebucket/src/")
	f.keys("enter")
	f.waitFor("AccessKeyId", "STS.")
	dir := t.TempDir()
	readURL := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	do := func(method, u, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cursor := 0
	consoleExport(f, &cursor, "presign-put", filepath.Join(dir, "put.txt"))
	if code, body := do("PUT", readURL("put.txt"), "hello partner"); code != 200 {
		t.Fatalf("upload-only PUT: %d %s", code, body)
	}
	consoleExport(f, &cursor, "presign-get", filepath.Join(dir, "get.txt"))
	code, denied := do("GET", readURL("get.txt"), "")
	if code != 403 || !strings.Contains(denied, "<EncodedDiagnosticMessage>") {
		t.Fatalf("upload-only GET: %d %s", code, denied)
	}
	f.keys("esc")
	f.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(denied), Paste: true})
	f.waitFor("Explain: pasted AccessDenied (oss-xml)", "yes (RAM DecodeDiagnosticMessage)", "session (the session policy",
		"f re-issues with this fix")
	f.keys("f")
	f.waitFor("Fix from Explain", "✗ Deny (session) → ✓")
	f.keys("tab") // Issue: the form holds the record's inputs with the fixed policy
	f.waitFor("GetObject on examplebucket/src/stsdeck-test.txt")
	f.keys("enter")
	f.waitFor("token issued for")
	consoleExport(f, &cursor, "presign-get", filepath.Join(dir, "get2.txt"))
	if code, body := do("GET", readURL("get2.txt"), ""); code != 200 || body != "hello partner" {
		t.Fatalf("GET with the fixed token: %d %s", code, body)
	}
	// dst/ stays denied: the same token's keys, presigned for dst/ by the OSS adapter.
	consoleExport(f, &cursor, "json", filepath.Join(dir, "creds.json"))
	var cr struct{ AccessKeyId, AccessKeySecret, SecurityToken string }
	if err := json.Unmarshal([]byte(readURL("creds.json")), &cr); err != nil {
		t.Fatal(err)
	}
	gu, _ := url.Parse(readURL("get2.txt"))
	ep, err := model.ParseEndpoint("oss", gu.Scheme+"://"+gu.Host)
	if err != nil {
		t.Fatal(err)
	}
	cl := oss.NewService(oss.Config{Region: "cn-hangzhou", Endpoint: ep}).With(model.Credentials{AccessKeyID: cr.AccessKeyId,
		AccessKeySecret: cr.AccessKeySecret, SecurityToken: cr.SecurityToken, Expiration: time.Now().Add(time.Hour)})
	du, err := cl.Presign(context.Background(), "GET", "examplebucket", "dst/stsdeck-test.txt", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := do("GET", du, ""); code != 403 {
		t.Fatalf("dst/ with the fixed token: %d %s", code, body)
	}
	f.tm.Quit()
}

// Issue 12 item 12 against the whole sandbox: the Roles screen's readiness checklist for the
// seed's sts-issuer passes every step for RamOssTest (its own policies read with RAM
// ListPoliciesForUser over the SDK) and fails only the trust step for EcsOnly.
func TestConsoleReadinessChecklist(t *testing.T) {
	t.Parallel()
	m := sandboxConsole(t, cli.Global{Sandbox: true, Console: true}, consoleEnv(t, nil))
	f := newFlow(t, teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 60)))
	f.waitFor("RamOssTest")
	f.keys("/")
	f.text("RamOss")
	f.keys("enter")
	f.waitFor("✓ 4 of 4 steps pass (guide 1.1–1.4)",
		"✓ 1.1 RAM user     you act as RAM user sts-issuer",
		"✓ 1.2 may assume   AliyunSTSAssumeRoleAccess allows sts:AssumeRole on this role",
		"✓ 1.3 trust        trusts user/sts-issuer",
		"✓ 1.4 role policy  allows put in examplebucket/, not get, head, list, delete")
	f.keys("esc", "/")
	f.text("EcsOnly")
	f.keys("enter")
	f.waitFor("! 3 of 4 steps pass: ✗ 1.3 trust (fixes below)",
		"✗ 1.3 trust        does not trust user/sts-issuer: AssumeRole would be refused",
		"fix: edit role EcsOnly's trust policy",
		"✓ 1.4 role policy  allows get, head, list in examplebucket/, not put, delete")
	v := f.finalView(false)
	if !strings.Contains(v, "EcsOnly") || strings.Contains(v, "✗ 1.2") || strings.Contains(v, "? 1.2") {
		t.Errorf("final view:\n%s", v)
	}
}

// ─── machine output in every language (issue 17) ───

// TestMachineOutputSameInEveryLanguage runs the commands a script parses with --lang en, with
// --lang zh and under a Chinese locale: --json output is byte-identical, exit codes equal, and
// the human text on stderr is what changes.
func TestMachineOutputSameInEveryLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sandbox")
	}
	w := newWorld(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"Version": "1", "Statement": [{"Effect": "allow", "Action": "oss:PutObjekt", "Resource": "acs:oss:*:*:examplebucket/src"}]}`), 0o600)
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:PutObject", "Resource": "acs:oss:*:*:examplebucket/src/*"}]}`), 0o600)

	journal := filepath.Join(dir, "journal.jsonl")
	os.WriteFile(journal, nil, 0o600)

	errFile := filepath.Join(dir, "err.xml")
	os.WriteFile(errFile, []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>You have no right to access this object because of bucket acl.</Message><RequestId>5F0000000000000000000001</RequestId><HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId><EC>0003-00000001</EC></Error>"), 0o600)

	// An issued token first, so history has a record to print.
	w.must("issue", "--sandbox", "--role", "RamOssTest", "--session-name", "i18n-probe", "--json")

	cmds := [][]string{
		{"lint", "--json", bad},
		{"lint", "--json", "--kind", "session", good},
		{"explain", "--json", "--action", "oss:PutObject", "--resource", "acs:oss:*:*:examplebucket/src/a.txt", "--identity-policy", good},
		{"explain", "--json", "--action", "oss:GetObject", "--resource", "acs:oss:*:*:examplebucket/src/a.txt", "--identity-policy", good},
		{"whoami", "--sandbox", "--json"},
		{"roles", "--sandbox", "--json"},
		{"preview", "--sandbox", "--json", "--bucket", "examplebucket", "--prefix", "src/", "--role", "RamOssTest"},
		{"history", "--sandbox", "--json"},
		{"issue", "--sandbox", "--role", "RamOssTest", "--duration", "1s", "--json"},
		// explain's bad input ({"error": ...} in English), --error and --tool
		{"explain", "--json", "--action", "oss:GetObject", "--resource", "x", "--identity-policy", good},
		{"explain", "--json", "--error", errFile, "--sandbox"},
		{"explain", "--json", "--tool", "ossutil-cp", "--session-policy", good, "--identity-policy", good, "--bucket", "examplebucket", "--prefix", "src/"},
		{"roles", "--sandbox", "--json", "--role", "NoSuchRole"},
		{"issue", "--sandbox", "--json", "--role", "acs:ram::x"},
		// policy, sandbox, presign, serve, exec, upload, cleanup, issue --from-history: bad input
		// ({"error": ...} in English where --json has one) and cleanup's dry run
		{"policy", "from-journal", "--json", journal, journal},
		{"policy", "replay", "--json", journal},
		{"sandbox", "--print", "yaml"},
		{"sandbox", "clock", "--sandbox", "--json", "--advance", "soon"},
		{"presign", "--sandbox", "--json", "--method", "DELETE", "oss://examplebucket/src/a.txt"},
		{"presign", "--sandbox", "--json", "--post", "--max-size", "0", "oss://examplebucket/src/"},
		{"serve", "--sandbox", "--json"},
		{"exec", "--sandbox", "--role", "RamOssTest"},
		{"upload", "--sandbox", "--json"},
		{"cleanup", "--sandbox", "--json", "--bucket", "examplebucket", "--prefix", "src/", "--dry-run"},
		{"issue", "--sandbox", "--json", "--from-history", "zzzzzz"},
	}
	type variant struct {
		name string
		args []string
		env  map[string]string
	}
	variants := []variant{
		{"en", []string{"--lang", "en"}, nil},
		{"zh", []string{"--lang", "zh"}, nil},
		{"zh locale", nil, map[string]string{"LANG": "zh_CN.UTF-8"}},
	}
	for _, c := range cmds {
		t.Run(strings.Join(c[:2], " "), func(t *testing.T) {
			var first result
			var stderrs []string
			for i, v := range variants {
				saved := map[string]string{}
				for k, val := range v.env {
					saved[k] = w.vars[k]
					w.vars[k] = val
				}
				r := w.run("", append(append([]string{}, c...), v.args...)...)
				for k := range v.env {
					w.vars[k] = saved[k]
				}
				stderrs = append(stderrs, r.stderr)
				if i == 0 {
					first = r
					if strings.TrimSpace(r.stdout) != "" && !json.Valid([]byte(r.stdout)) {
						t.Fatalf("%s: stdout is not JSON:\n%s", v.name, r.stdout)
					}
					continue
				}
				if r.code != first.code {
					t.Errorf("%s: exit %d, en exit %d", v.name, r.code, first.code)
				}
				if r.stdout != first.stdout {
					t.Errorf("%s: --json differs from en:\n%s\nen:\n%s", v.name, r.stdout, first.stdout)
				}
			}
			if first.code != 0 && stderrs[0] != "" && stderrs[0] == stderrs[1] {
				t.Errorf("the human message on stderr did not change language:\n%s", stderrs[1])
			}
		})
	}
	// issue --json: fresh keys every time, so the same field set and exit code.
	keys := func(lang string) []string {
		r := w.must("issue", "--sandbox", "--role", "RamOssTest", "--json", "--lang", lang)
		var m map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("issue --json --lang %s: %v\n%s", lang, err, r.stdout)
		}
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	if en, zh := keys("en"), keys("zh"); strings.Join(en, ",") != strings.Join(zh, ",") {
		t.Errorf("issue --json keys: en %v, zh %v", en, zh)
	}
}

// TestLintChinese: stsdeck lint --lang zh gives Chinese findings with line:col.
func TestLintChinese(t *testing.T) {
	w := newWorld(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{\n  \"Version\": \"1\",\n  \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"oss:PutObjekt\", \"Resource\": \"acs:oss:*:*:examplebucket/*\"}]\n}\n"), 0o600)
	r := w.run("", "lint", "--lang", "zh", bad)
	for _, want := range []string{bad + ":3:28: 错误: Statement[0].Effect: 应为 \"Allow\" 或 \"Deny\"，实际为 \"allow\"", "未知操作 \"oss:PutObjekt\"（是否应为 \"oss:PutObject\"？）", "拒绝（权限策略", "1 个错误"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("missing %q in:\n%s", want, r.stdout)
		}
	}
	if r.code != 2 {
		t.Errorf("exit %d", r.code)
	}
}
