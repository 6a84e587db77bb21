package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// In-test doubles of the service interfaces the Roles and Policy screens and the app use.

type cRolesFake struct {
	mu      sync.Mutex
	roles   []model.Role
	listErr error
	byARN   map[string]model.Role
	getErr  error
	gets    []string
}

func (f *cRolesFake) ListRoles(ctx context.Context) ([]model.Role, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	out := make([]model.Role, len(f.roles))
	for i, r := range f.roles {
		r.Policies, r.TrustPolicy = nil, "" // ListRoles does not carry them
		out[i] = r
	}
	return out, nil
}

func (f *cRolesFake) GetRole(ctx context.Context, nameOrARN string) (model.Role, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets = append(f.gets, nameOrARN)
	if f.getErr != nil {
		return model.Role{}, f.getErr
	}
	if r, ok := f.byARN[nameOrARN]; ok {
		return r, nil
	}
	for _, r := range f.roles {
		if r.ARN == nameOrARN || r.Name == nameOrARN {
			return r, nil
		}
	}
	return model.Role{}, &model.APIError{Service: "ram", Operation: "GetRole", StatusCode: 404, Code: "EntityNotExist.Role", Message: "The role does not exist: " + nameOrARN}
}

func (f *cRolesFake) getCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.gets...)
}

type cIdentityFake struct {
	caller model.Caller
	err    error
}

func (f cIdentityFake) Whoami(context.Context) (model.Caller, error) { return f.caller, f.err }

type cSandboxFake struct {
	mu     sync.Mutex
	offset time.Duration
}

func (f *cSandboxFake) Advance(_ context.Context, d time.Duration) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offset += d
	return f.offset, nil
}

func (f *cSandboxFake) Trace(context.Context, string, string) (*model.Trace, error) {
	return nil, fmt.Errorf("no trace")
}

type cAuditFake struct{ recs []model.AuditRecord }

func (f *cAuditFake) Append(rec model.AuditRecord) error { f.recs = append(f.recs, rec); return nil }
func (f *cAuditFake) List() ([]model.AuditRecord, []string, error) {
	return append([]model.AuditRecord(nil), f.recs...), nil, nil
}

const cAccount = "1234567890123456"

const cRamTestPolicy = `{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "oss:PutObject", "Resource": "acs:oss:*:*:examplebucket/*"}
  ]
}`

const cTrustAccount = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}]}`
const cTrustECS = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}`

func cDemoRoles() *cRolesFake {
	return &cRolesFake{roles: []model.Role{
		{Name: "RamOssTest", ARN: "acs:ram::" + cAccount + ":role/ramosstest", Description: "upload into examplebucket",
			MaxSessionDuration: time.Hour, TrustPolicy: cTrustAccount,
			Policies: []model.AttachedPolicy{{Name: "RamTestPolicy", Type: "Custom", Document: cRamTestPolicy}}},
		{Name: "EcsRunner", ARN: "acs:ram::" + cAccount + ":role/ecsrunner", Description: "for ECS instances",
			MaxSessionDuration: 12 * time.Hour, TrustPolicy: cTrustECS,
			Policies: []model.AttachedPolicy{{Name: "AliyunOSSReadOnlyAccess", Type: "System"}}},
	}}
}

func cDemoServices(roles *cRolesFake) *Services {
	return &Services{
		Mode: "sandbox", Region: "cn-hangzhou", AccountID: cAccount, Where: "test",
		Identity: cIdentityFake{caller: model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":user/sts-issuer", IdentityType: "RAMUser"}},
		Roles:    roles,
		Audit:    &cAuditFake{},
		Sandbox:  &cSandboxFake{},
	}
}

var cNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func cClock() time.Time { return cNow }

// driver runs a model's commands synchronously: each command gets a short time to answer;
// commands that wait longer (ticks, cursor blinks, debounce timers) are dropped, as are
// spinner and clock ticks, so a test never sleeps on purpose and never loops on a timer.
type consoleDriver struct {
	t    testing.TB
	m    tea.Model
	quit bool
	msgs []tea.Msg // every message delivered, for assertions
}

const cCmdWait = 200 * time.Millisecond // ample for a fake service under load; shorter than the policy debounce and every other timer

func newConsoleDriver(t testing.TB, m tea.Model) *consoleDriver {
	d := &consoleDriver{t: t, m: m}
	d.run(m.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

func (d *consoleDriver) send(msg tea.Msg) {
	var cmd tea.Cmd
	d.msgs = append(d.msgs, msg)
	d.m, cmd = d.m.Update(msg)
	d.run(cmd)
}

func (d *consoleDriver) run(cmd tea.Cmd) {
	round := []tea.Cmd{cmd}
	for steps := 0; len(round) > 0; steps++ {
		if steps > 500 {
			d.t.Fatalf("driver: more than 500 rounds of commands: a loop?")
		}
		// Run a round's commands concurrently, each with cCmdWait to answer; deliver the
		// answers in command order.
		type answer struct {
			i   int
			msg tea.Msg
		}
		ch := make(chan answer, len(round))
		live := 0
		for i, c := range round {
			if c == nil {
				continue
			}
			live++
			go func() { ch <- answer{i, c()} }()
		}
		got := make([]tea.Msg, len(round))
		deadline := time.After(cCmdWait)
	collect:
		for n := 0; n < live; n++ {
			select {
			case a := <-ch:
				got[a.i] = a.msg
			case <-deadline:
				break collect
			}
		}
		var next []tea.Cmd
		deliver := func(msg tea.Msg) {
			switch m := msg.(type) {
			case nil:
				return
			case tea.BatchMsg:
				next = append(next, m...)
				return
			case tea.QuitMsg:
				d.quit = true
				return
			case spinner.TickMsg, TickMsg:
				return
			}
			d.msgs = append(d.msgs, msg)
			var c tea.Cmd
			d.m, c = d.m.Update(msg)
			next = append(next, c)
		}
		for _, m := range got {
			deliver(m)
		}
		round = next
	}
}

func (d *consoleDriver) keys(ks ...string) {
	for _, k := range ks {
		d.send(cKey(k))
	}
}

// typeText delivers text as one key message, as bubbletea does for fast typing and pastes.
func (d *consoleDriver) typeText(s string) {
	if s != "" {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
	}
}

func (d *consoleDriver) view() string { return cPlain(d.m.View()) }

func (d *consoleDriver) app() *App { return d.m.(*App) }

// keyMsg builds a key message from a name as bubbletea prints it.
func cKey(k string) tea.KeyMsg {
	alt := false
	if strings.HasPrefix(k, "alt+") {
		alt = true
		k = strings.TrimPrefix(k, "alt+")
	}
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"backspace": tea.KeyBackspace, "ctrl+c": tea.KeyCtrlC, "ctrl+t": tea.KeyCtrlT,
		"ctrl+g": tea.KeyCtrlG, "ctrl+u": tea.KeyCtrlU, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "space": tea.KeySpace,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t, Alt: alt}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k), Alt: alt}
}

var cAnsiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

func cPlain(s string) string { return cAnsiRE.ReplaceAllString(s, "") }

// settle delivers the Policy screen's pending debounce at once (the driver drops timers).
func (d *consoleDriver) settle() {
	p := d.app().Screen(ScreenPolicy).(*PolicyScreen)
	d.send(validateDueMsg{seq: p.editSeq})
}
