package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// Issue 12, the console: each test drives the keys.

// Item 2: r with an invalid draft refuses with the finding; with a different draft it shows
// the diff and asks; d uses the draft, i the issued policy.
func TestReissueSaysWhichPolicy(t *testing.T) {
	t.Parallel()
	s, iss, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	// An invalid draft: refused, with the finding.
	tkSend(t, s, PolicyChangedMsg{Doc: `{"Version":"1",`, Problem: "line 1, col 16: unexpected end of JSON"})
	tkSend(t, s, tkKey("r"))
	if len(iss.reqs) != 1 {
		t.Fatalf("r re-issued with an invalid draft: %d requests", len(iss.reqs))
	}
	if v := tkView(s); !strings.Contains(flat(v), "r refused: the Policy draft has errors (line 1, col 16: unexpected end of JSON)") {
		t.Errorf("no refusal with the finding:\n%s", v)
	}
	// A valid, different draft: the diff, then a choice.
	other := strings.Replace(tkPolicy, "src/", "dst/", 1)
	tkSend(t, s, PolicyChangedMsg{Doc: other, Valid: true})
	if v := tkView(s); strings.Contains(v, "r refused") {
		t.Errorf("a fixed draft left the refusal:\n%s", v)
	}
	tkSend(t, s, tkKey("r"))
	if len(iss.reqs) != 1 {
		t.Fatalf("r re-issued without asking")
	}
	v := tkView(s)
	for _, want := range []string{"Re-issue: which session policy?", `- "Resource": "acs:oss:*:*:examplebucket/src/*"`, `+ "Resource": "acs:oss:*:*:examplebucket/dst/*"`, "d re-issue with the draft"} {
		if !strings.Contains(flat(v), flat(want)) {
			t.Errorf("question lacks %q:\n%s", want, v)
		}
	}
	tkSend(t, s, tkKey("i"))
	if len(iss.reqs) != 2 || iss.reqs[1].Policy != tkPolicy {
		t.Fatalf("i: requests %+v", iss.reqs)
	}
	tkSend(t, s, tkKey("r"))
	tkSend(t, s, tkKey("d"))
	if len(iss.reqs) != 3 || iss.reqs[2].Policy != other {
		t.Fatalf("d: requests %+v", iss.reqs)
	}
	// Now the draft is the issued policy: r re-issues at once.
	tkSend(t, s, tkKey("r"))
	if len(iss.reqs) != 4 {
		t.Errorf("r with the same policy asked: %d requests", len(iss.reqs))
	}
}

// Item 6: a fixed policy clears the Issue form's "session policy has errors" at once.
func TestIssueFormPolicyErrorClearsWhenFixed(t *testing.T) {
	t.Parallel()
	s, _, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(time.Hour))
	tkSend(t, s, PolicyChangedMsg{Doc: `{"Version":"1",`})
	tkSend(t, s, tkKey("e"))
	tkSend(t, s, tkKey("enter"))
	if v := tkView(s); !strings.Contains(v, "session policy has errors") {
		t.Fatalf("no error:\n%s", v)
	}
	tkSend(t, s, PolicyChangedMsg{Doc: tkPolicy, Valid: true})
	if v := tkView(s); strings.Contains(v, "session policy has errors") {
		t.Errorf("the fixed policy left the error:\n%s", v)
	}
}

// Item 8: the policy row describes the policy itself, not the template's scope.
func TestIssuePolicyRowDescribesThePolicy(t *testing.T) {
	t.Parallel()
	s, _, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(time.Hour))
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:otherbucket/pub/*"}]}`
	tkSend(t, s, PolicyChangedMsg{Doc: doc, Valid: true, Bucket: "examplebucket", Prefix: "src/"})
	v := tkView(s)
	if strings.Contains(v, "examplebucket/src/") || !strings.Contains(v, "allows GetObject on otherbucket/pub/*") {
		t.Errorf("policy row:\n%s", v)
	}
}

// Item 6: bare 1…5 switch screens when no field has focus (not while typing, not in the
// template menu, which picks by number); o is in the Policy footer; the o prompt starts empty.
func TestDigitsSwitchScreens(t *testing.T) {
	t.Parallel()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	d.keys("3")
	if d.app().Active() != ScreenIssue {
		t.Fatalf("3 went to %v", d.app().Active())
	}
	d.keys("esc", "5", "2") // esc: the Issue form's field had focus
	if d.app().Active() != ScreenPolicy {
		t.Fatalf("5 2 went to %v", d.app().Active())
	}
	footer := d.view()[strings.LastIndex(d.view(), "\n")+1:]
	if !strings.Contains(footer, "o open file") {
		t.Errorf("Policy footer lacks o: %q", footer)
	}
	d.keys("t", "2") // the template menu: 2 picks read-only
	if d.app().Active() != ScreenPolicy {
		t.Fatalf("2 in the template menu switched screens")
	}
	d.keys("esc", "esc", "e")
	d.typeText("1")
	if d.app().Active() != ScreenPolicy {
		t.Fatalf("typing 1 in the editor switched screens")
	}
	d.keys("esc", "1")
	if d.app().Active() != ScreenRoles {
		t.Fatalf("1 went to %v", d.app().Active())
	}
}

func TestOpenPromptStartsEmpty(t *testing.T) {
	t.Parallel()
	d, p := onPolicy(t)
	d.keys("o")
	d.typeText("/nonexistent/a.json")
	d.keys("enter")
	d.keys("o")
	if got := p.file.in.Value(); got != "" {
		t.Fatalf("second o starts with %q", got)
	}
	v := d.view()
	if !strings.Contains(v, "enter: /nonexistent/a.json · ↑ edit it") {
		t.Errorf("the last path is not offered:\n%s", v)
	}
	d.typeText("b.json")
	if got := p.file.in.Value(); got != "b.json" {
		t.Errorf("typing gives %q (appended to the old path?)", got)
	}
	d.keys("esc", "o", "up")
	if got := p.file.in.Value(); got != "/nonexistent/a.json" {
		t.Errorf("↑ recalls %q", got)
	}
}

var _ = tea.KeyMsg{}

// Item 3: ctrl+t steps the sandbox clock to the token's next state, so a demo sees live, the
// warning, the urgent warning and the expiry notice in turn.
func TestClockKeyStepsThroughExpiryStates(t *testing.T) {
	t.Parallel()
	svc := cDemoServices(cDemoRoles())
	iss := &tkIssuer{at: cClock}
	svc.Issuer = iss
	d := newTestApp(t, svc)
	d.keys("enter", "3", "enter") // RamOssTest, Issue, issue (the session field has focus)
	is := d.app().Screen(ScreenIssue).(*IssueScreen)
	if is.Creds() == nil {
		t.Fatalf("no token:\n%s", d.view())
	}
	for _, want := range []string{"✓ live", "! expiring soon", "!! EXPIRES IN UNDER A MINUTE", "✗ EXPIRED — the token no longer works; press r to re-issue"} {
		if v := d.view(); !strings.Contains(v, want) {
			t.Fatalf("lacks %q:\n%s", want, v)
		}
		d.keys("ctrl+t")
	}
}

// Item 4: a sandbox record whose token was issued with the authorization clock 1h ahead shows
// issue time, duration and expiry on one clock (the server's), and says which.
func TestHistoryOneClock(t *testing.T) {
	t.Parallel()
	local := time.Date(2026, 11, 27, 13, 14, 0, 0, time.UTC)
	rec := model.AuditRecord{ID: "rx", Time: local, RoleARN: tkRole, SessionName: "demo", DurationSeconds: 3600,
		Expiration: local.Add(2 * time.Hour), AccessKeyID: "STS.x", Mode: "sandbox"}
	s, _ := tkHistoryScreen(t, []model.AuditRecord{rec})
	v := tkView(s)
	if !strings.Contains(v, "14:14") || strings.Contains(v, "13:14") || !strings.Contains(v, "15:14") {
		t.Errorf("table mixes clocks:\n%s", v)
	}
	if !strings.Contains(v, "the server's clock") {
		t.Errorf("table does not say which clock:\n%s", v)
	}
	tkSend(t, s, tkKey("enter"))
	v = tkView(s)
	for _, want := range []string{"issued          2026-11-27T14:14:00Z  (server clock)", "expires         2026-11-27T15:14:00Z", "recorded        2026-11-27T13:14:00Z  (this machine's clock, -1h from the server's)"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
}

// Item 13: the export list offers code snippets for the partner, naming the endpoint and bucket
// and reading the token from the environment (no secret in the file).
func TestExportCodeSnippets(t *testing.T) {
	t.Parallel()
	for kind, want := range map[string]string{
		"code-go":     `oss.Ptr("examplebucket")`,
		"code-python": `oss2.StsAuth(`,
		"code-java":   `client.putObject("examplebucket", "src/partner-upload.txt"`,
		"code-node":   `stsToken: process.env.OSS_SESSION_TOKEN`,
	} {
		s, _, _, _ := tkIssueScreen(t)
		tkIssued(t, s)
		path := filepath.Join(t.TempDir(), "snippet")
		tkExportTo(t, s, kind, path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: not written: %v\n%s", kind, err, tkView(s))
		}
		code := string(data)
		if !strings.Contains(code, want) || !strings.Contains(code, "src/partner-upload.txt") {
			t.Errorf("%s lacks %q:\n%s", kind, want, code)
		}
		if strings.Contains(code, tkSecret) || strings.Contains(code, tkToken) {
			t.Errorf("%s holds a secret", kind)
		}
	}
}
