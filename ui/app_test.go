package ui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

func newTestApp(t *testing.T, svc *Services) *consoleDriver {
	t.Helper()
	return newConsoleDriver(t, New(svc, Options{NoColor: true, Now: cClock}))
}

func TestAppHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mode  string
		width int
		clock time.Duration
		want  []string
	}{
		{"sandbox wide", "sandbox", 160, 0, []string{"[SANDBOX]", "as user/sts-issuer", "acct " + cAccount, "cn-hangzhou"}},
		{"live wide", "live", 160, 0, []string{"[LIVE]", "as user/sts-issuer"}},
		{"sandbox 80 columns keeps every part", "sandbox", 80, 0, []string{"[SANDBOX]", "user/sts-issuer", cAccount, "cn-hangzhou"}},
		{"clock advanced, wide", "sandbox", 160, time.Hour, []string{"as user/sts-issuer", "! clock +1h"}},
		{"clock advanced, 80 columns: the identity whole", "sandbox", 80, time.Hour, []string{"as sts-issuer · " + cAccount, "! clock +1h"}},
		{"clock advanced, 70 columns", "sandbox", 70, time.Hour, []string{"stsdeck [SANDBOX] ! clock +1h as ", cAccount}},
	}
	// The same layout whatever the width (from 80 columns) or the clock: only the gaps and the
	// caller shrink.
	shape := regexp.MustCompile(`^stsdeck +\[(SANDBOX|LIVE)\] +(! clock \+1h +)?as \S+ · (acct )?` + cAccount + ` · cn-hangzhou$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc := cDemoServices(cDemoRoles())
			svc.Mode = tt.mode
			d := newTestApp(t, svc)
			d.send(tea.WindowSizeMsg{Width: tt.width, Height: 30})
			if tt.clock != 0 {
				d.send(ClockAdvancedMsg{Offset: tt.clock})
			}
			header := strings.SplitN(d.view(), "\n", 2)[0]
			if tt.width >= 80 && !shape.MatchString(strings.TrimRight(header, " ")) {
				t.Errorf("header %q is not in the console's one layout", header)
			}
			for _, w := range tt.want {
				if !strings.Contains(header, w) {
					t.Errorf("header %q lacks %q", header, w)
				}
			}
			if n := cellWidth(header); n > tt.width {
				t.Errorf("header is %d cells wide at %d columns", n, tt.width)
			}
		})
	}
}

func TestAppWhoamiFailureGoesToStatusLine(t *testing.T) {
	t.Parallel()
	svc := cDemoServices(cDemoRoles())
	svc.Identity = cIdentityFake{err: &model.APIError{Service: "sts", Operation: "GetCallerIdentity", StatusCode: 403,
		Code: "InvalidAccessKeyId.NotFound", Message: "Specified access key is not found.", Hint: "check the AccessKeyId"}}
	d := newTestApp(t, svc)
	v := d.view()
	for _, want := range []string{"✗ asking who the credentials belong to", "InvalidAccessKeyId.NotFound", "— check the", "? unknown"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestAppTabsAndJumps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		keys []string
		want ScreenID
	}{
		{"tab", []string{"tab"}, ScreenPolicy},
		{"tab wraps", []string{"tab", "tab", "tab", "tab", "tab"}, ScreenRoles},
		{"shift+tab wraps back", []string{"shift+tab"}, ScreenHistory},
		{"alt+4", []string{"alt+4"}, ScreenTest},
		{"alt+9 is not a screen", []string{"alt+9"}, ScreenRoles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newTestApp(t, cDemoServices(cDemoRoles()))
			d.keys(tt.keys...)
			if got := d.app().Active(); got != tt.want {
				t.Fatalf("active = %d, want %d", got, tt.want)
			}
			tabs := strings.Split(d.view(), "\n")[1]
			title := d.app().Screen(tt.want).Title()
			if !strings.Contains(tabs, "["+string(rune('1'+int(tt.want)))+" "+title+"]") {
				t.Errorf("tabs %q do not mark %s as active", tabs, title)
			}
		})
	}
}

func TestAppFocusedFieldGetsKeysFirst(t *testing.T) {
	t.Parallel()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	d.keys("a") // type an ARN: the field has focus
	if !d.app().Screen(ScreenRoles).InputFocused() {
		t.Fatal("the ARN field should have focus")
	}
	if help := lastLine(d.view()); !strings.Contains(help, "ctrl+c quit") || strings.Contains(help, "? help") {
		t.Errorf("help while a field has focus: %q", help)
	}
	d.keys("q", "?")
	if d.quit {
		t.Fatal("q quit while a field had focus")
	}
	if d.app().fullHelp {
		t.Fatal("? toggled help while a field had focus")
	}
	if v := d.view(); !strings.Contains(v, "role/q?") {
		t.Errorf("q and ? did not reach the field:\n%s", v)
	}
	d.keys("alt+2") // still global
	if d.app().Active() != ScreenPolicy {
		t.Fatal("alt+2 did not switch while a field had focus")
	}
	d.keys("alt+1", "esc") // esc blurs first
	if d.app().Screen(ScreenRoles).InputFocused() {
		t.Fatal("esc did not blur the field")
	}
	if d.quit {
		t.Fatal("esc quit")
	}
	d.keys("q")
	if !d.quit {
		t.Fatal("q did not quit with no field focused")
	}
}

func TestAppCtrlCQuitsEvenWhenFocused(t *testing.T) {
	t.Parallel()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	d.keys("a", "ctrl+c")
	if !d.quit {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestAppHelpToggle(t *testing.T) {
	t.Parallel()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	short := d.view()
	if strings.Contains(short, "ctrl+t") {
		t.Errorf("short help shows the clock key:\n%s", short)
	}
	d.keys("?")
	full := d.view()
	for _, want := range []string{"shift+tab", "alt+1…5", "ctrl+t", "sandbox clock → next expiry state", "type role ARN"} {
		if !strings.Contains(full, want) {
			t.Errorf("full help lacks %q:\n%s", want, full)
		}
	}
	if got := strings.Count(full, "\n") + 1; got != 24 {
		t.Errorf("view is %d lines with full help at 24 rows", got)
	}
	d.keys("?")
	if d.view() != short {
		t.Error("? twice did not restore the short help")
	}
}

func TestAppClockKeyOnlyInSandbox(t *testing.T) {
	t.Parallel()
	t.Run("sandbox", func(t *testing.T) {
		t.Parallel()
		svc := cDemoServices(cDemoRoles())
		sb := svc.Sandbox.(*cSandboxFake)
		d := newTestApp(t, svc)
		d.keys("ctrl+t", "ctrl+t")
		if sb.offset != 2*AdvanceStep {
			t.Fatalf("sandbox offset = %s, want %s", sb.offset, 2*AdvanceStep)
		}
		var seen []time.Duration
		for _, m := range d.msgs {
			if c, ok := m.(ClockAdvancedMsg); ok {
				seen = append(seen, c.Offset)
			}
		}
		if len(seen) != 2 || seen[1] != 30*time.Minute {
			t.Fatalf("ClockAdvancedMsg offsets = %v", seen)
		}
		if v := d.view(); !strings.Contains(v, "! clock +30m") || !strings.Contains(v, "30m ahead") {
			t.Errorf("view does not show the clock offset:\n%s", v)
		}
	})
	t.Run("live", func(t *testing.T) {
		t.Parallel()
		svc := cDemoServices(cDemoRoles())
		svc.Mode, svc.Sandbox = "live", nil
		d := newTestApp(t, svc)
		d.keys("ctrl+t", "?")
		if v := d.view(); strings.Contains(v, "ctrl+t") || strings.Contains(v, "clock") {
			t.Errorf("live console mentions the sandbox clock:\n%s", v)
		}
	})
}

// busyScreen is a screen that reports an upload in flight.
type busyScreen struct{ busy bool }

func (b *busyScreen) Busy() bool                       { return b.busy }
func (b *busyScreen) Update(tea.Msg) (Screen, tea.Cmd) { return b, nil }
func (b *busyScreen) KeyMap() help.KeyMap              { return bindings{short: []key.Binding{}} }
func (b *busyScreen) InputFocused() bool               { return false }
func (b *busyScreen) SetSize(w, h int)                 {}
func (b *busyScreen) View() string                     { return "uploading" }
func (b *busyScreen) Init() tea.Cmd                    { return nil }
func (b *busyScreen) Title() string                    { return "Test" }
func (b *busyScreen) setBusy(v bool) *busyScreen       { b.busy = v; return b }

func TestAppQuitDuringUploadAsks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		keys     []string
		wantQuit bool
		wantAsk  bool
	}{
		{"q asks", []string{"q"}, false, true},
		{"q then n keeps running", []string{"q", "n"}, false, false},
		{"q then esc keeps running", []string{"q", "esc"}, false, false},
		{"q then y quits", []string{"q", "y"}, true, false},
		{"ctrl+c asks, second ctrl+c quits", []string{"ctrl+c", "ctrl+c"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newTestApp(t, cDemoServices(cDemoRoles()))
			b := (&busyScreen{}).setBusy(true)
			d.app().screens[ScreenTest] = b
			d.keys(tt.keys...)
			if d.quit != tt.wantQuit {
				t.Fatalf("quit = %v, want %v", d.quit, tt.wantQuit)
			}
			if got := strings.Contains(d.view(), "quit anyway? (y/n)"); got != tt.wantAsk && !tt.wantQuit {
				t.Errorf("asking = %v, want %v:\n%s", got, tt.wantAsk, d.view())
			}
		})
	}
	t.Run("not busy quits at once", func(t *testing.T) {
		t.Parallel()
		d := newTestApp(t, cDemoServices(cDemoRoles()))
		d.app().screens[ScreenTest] = (&busyScreen{}).setBusy(false)
		d.keys("q")
		if !d.quit {
			t.Fatal("q did not quit")
		}
	})
}

func TestAppErrorAndStatusLine(t *testing.T) {
	t.Parallel()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	d.send(ErrorMsg{Context: "uploading", Err: errors.New("connection refused")})
	if v := d.view(); !strings.Contains(v, "✗ uploading: connection refused") {
		t.Fatalf("error not on the status line:\n%s", v)
	}
	d.send(TickMsg{Now: cNow.Add(time.Minute)})
	if v := d.view(); !strings.Contains(v, "connection refused") {
		t.Fatal("an error faded with time")
	}
	d.keys("esc")
	if v := d.view(); strings.Contains(v, "connection refused") {
		t.Fatal("esc did not dismiss the error")
	}
	d.send(StatusMsg{Text: "saved"})
	if !strings.Contains(d.view(), "saved") {
		t.Fatal("status not shown")
	}
	d.send(TickMsg{Now: cNow.Add(statusTTL + time.Second)})
	if strings.Contains(d.view(), "saved") {
		t.Fatal("status did not fade")
	}
}

func TestAppForwardsCrossScreenMessages(t *testing.T) {
	t.Parallel()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	role := cDemoRoles().roles[0]
	d.send(RoleSelectedMsg{Role: role})
	p := d.app().Screen(ScreenPolicy).(*PolicyScreen)
	if p.role == nil || p.role.ARN != role.ARN {
		t.Fatal("Policy screen did not get RoleSelectedMsg")
	}
	r := d.app().Screen(ScreenRoles).(*RolesScreen)
	if r.Chosen() != role.ARN {
		t.Fatal("Roles screen did not get RoleSelectedMsg")
	}
	d.send(SwitchScreenMsg{To: ScreenHistory})
	if d.app().Active() != ScreenHistory {
		t.Fatal("SwitchScreenMsg ignored")
	}
}

func TestAppViewFitsTheTerminal(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {160, 48}, {100, 30}, {60, 15}} {
		d := newTestApp(t, cDemoServices(cDemoRoles()))
		d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for id := ScreenRoles; id < screenCount; id++ {
			d.send(SwitchScreenMsg{To: id})
			for _, help := range []bool{false, true} {
				if help != d.app().fullHelp {
					d.keys("?")
				}
				lines := strings.Split(d.view(), "\n")
				if len(lines) > size[1] {
					t.Errorf("%dx%d screen %d help=%v: %d lines", size[0], size[1], id, help, len(lines))
				}
				for i, l := range lines {
					if w := cellWidth(l); w > size[0] {
						t.Errorf("%dx%d screen %d line %d is %d cells: %q", size[0], size[1], id, i, w, l)
					}
				}
			}
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestAppConnectsAfterFirstFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		want    []string // after the connection answers
		wantErr bool
	}{
		{"connected", nil, []string{"[SANDBOX]", "user/sts-issuer", "RamOssTest"}, false},
		{"failed", errors.New("no credentials in the environment"), []string{"✗ connecting: no credentials in the environment"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			closed := make(chan struct{}, 1)
			connect := func(ctx context.Context) (*Services, func(), error) {
				<-release // blocks like the ECS metadata probe or a sandbox start
				if tt.err != nil {
					return nil, nil, tt.err
				}
				return cDemoServices(cDemoRoles()), func() { closed <- struct{}{} }, nil
			}
			a := newApp(nil, Options{NoColor: true, Now: cClock, Connect: connect})
			cmd := a.Init() // must not block: the connection runs inside a command
			v := cPlain(a.View())
			for _, w := range []string{"stsdeck", "connecting…", "1 Roles", "5 History", "Connecting…"} {
				if !strings.Contains(v, w) {
					t.Errorf("first frame lacks %q:\n%s", w, v)
				}
			}
			close(release)
			d := &consoleDriver{t: t, m: a}
			d.run(cmd)
			v = d.view()
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("after connecting, view lacks %q:\n%s", w, v)
				}
			}
			if strings.Contains(v, "connecting…") {
				t.Errorf("still connecting after the answer:\n%s", v)
			}
			if got := a.ConnectErr() != nil; got != tt.wantErr {
				t.Errorf("ConnectErr() = %v, want error %v", a.ConnectErr(), tt.wantErr)
			}
			a.Close()
			if !tt.wantErr {
				select {
				case <-closed:
				default:
					t.Error("Close did not call the connection's closer")
				}
			}
		})
	}
}
