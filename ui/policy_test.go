package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// onPolicy opens the console, chooses RamOssTest and lands on the Policy screen.
func onPolicy(t *testing.T) (*consoleDriver, *PolicyScreen) {
	t.Helper()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	d.keys("enter") // RamOssTest (the list is sorted: assumable first, RamOssTest, then EcsRunner)
	if d.app().Active() != ScreenPolicy {
		t.Fatalf("choosing a role did not open Policy")
	}
	return d, d.app().Screen(ScreenPolicy).(*PolicyScreen)
}

// uploadOnly picks the upload-only template for examplebucket/src/.
func uploadOnly(t *testing.T, d *consoleDriver) {
	t.Helper()
	d.keys("t", "enter") // upload-only is first; the scope form opens
	d.keys("enter")      // bucket prefilled from the role's policy
	d.typeText("src/")
	d.keys("enter")
}

func lastPolicyChanged(d *consoleDriver) (PolicyChangedMsg, bool) {
	var out PolicyChangedMsg
	ok := false
	for _, m := range d.msgs {
		if p, is := m.(PolicyChangedMsg); is {
			out, ok = p, true
		}
	}
	return out, ok
}

func cell(p *PolicyScreen, op, scope string) PreviewCell {
	for _, row := range p.Preview().Cells {
		for _, c := range row {
			if c.Op == op && c.Scope == scope {
				return c
			}
		}
	}
	return PreviewCell{}
}

func TestPolicyTemplateFlow(t *testing.T) {
	t.Parallel()
	d, p := onPolicy(t)
	uploadOnly(t, d)
	if b, pre := p.Scope(); b != "examplebucket" || pre != "src/" {
		t.Fatalf("scope = %q %q", b, pre)
	}
	want, _ := policy.Template("upload-only", "examplebucket", "src/")
	if p.Doc() != strings.TrimSpace(want) {
		t.Fatalf("doc = %q", p.Doc())
	}
	v := d.view()
	for _, w := range []string{"✓ 261 / 2048 characters", "✓ no findings", "Preview examplebucket · role RamOssTest",
		"inside src/", "outside dst/", "template upload-only for examplebucket/src/"} {
		if !strings.Contains(v, w) {
			t.Errorf("view lacks %q:\n%s", w, v)
		}
	}
	tests := []struct{ op, scope, verdict, layer string }{
		{"put", "inside", VerdictAllow, "role"},
		{"put", "outside", VerdictDeny, "session"},
		{"get", "inside", VerdictDeny, "session"},
		{"list", "inside", VerdictDeny, "session"},
		{"delete", "outside", VerdictDeny, "session"},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.scope, func(t *testing.T) {
			c := cell(p, tt.op, tt.scope)
			if c.Verdict != tt.verdict || c.Layer != tt.layer {
				t.Errorf("%s %s = %s by %s (%s), want %s by %s", tt.op, tt.scope, c.Verdict, c.Layer, c.Reason, tt.verdict, tt.layer)
			}
		})
	}
	m, ok := lastPolicyChanged(d)
	if !ok || m.Doc != p.Doc() || m.Bucket != "examplebucket" || m.Prefix != "src/" || !m.Valid {
		t.Errorf("PolicyChangedMsg = %+v", m)
	}
	// The scope is asked once: the next template applies at once.
	d.keys("t", "down", "enter")
	if p.mode != modeBrowse || !strings.Contains(p.Doc(), "oss:GetObject") {
		t.Errorf("second template: mode %d doc %q", p.mode, p.Doc())
	}
}

func TestPolicyScopeValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, bucket, prefix, want string
	}{
		{"upper case bucket", "Example", "", `bucket "Example"`},
		{"wildcard prefix", "examplebucket", "src/*", `prefix "src/*"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, p := onPolicy(t)
			d.keys("b", "ctrl+u")
			d.typeText(tt.bucket)
			d.keys("enter")
			d.typeText(tt.prefix)
			d.keys("enter")
			if p.mode != modeScope {
				t.Fatalf("bad scope accepted: mode %d", p.mode)
			}
			if v := d.view(); !strings.Contains(v, tt.want) {
				t.Errorf("view lacks %q:\n%s", tt.want, v)
			}
		})
	}
}

func TestPolicyTypingValidatesDebounced(t *testing.T) {
	t.Parallel()
	d, p := onPolicy(t)
	d.keys("e")
	if !p.Editing() || !p.InputFocused() {
		t.Fatal("e did not focus the editor")
	}
	// Typed straight into the screen (its debounce command is not run): findings are pending.
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(`{"Version":"1","Statement":[{"Effect":"allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`)})
	if !strings.Contains(cPlain(p.View()), "checking…") {
		t.Errorf("findings not marked as pending while typing:\n%s", p.View())
	}
	// The other screens learn at once that the draft is unchecked (Issue refuses meanwhile).
	_, cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" ")})
	if m, ok := findPolicyChanged(cmd); !ok || !m.Pending || m.Valid {
		t.Errorf("typing did not announce a pending draft: %+v (found %v)", m, ok)
	}
	d.settle()
	fs := p.Findings()
	if len(fs) == 0 || fs[0].Severity != policy.SeverityError {
		t.Fatalf("findings = %+v", fs)
	}
	v := d.view()
	if !strings.Contains(v, "✗ line 1, col 39 error (f fixes): statement 1, Effect") {
		t.Errorf("finding not shown with its line:\n%s", v)
	}
	if c := cell(p, "put", "inside"); c.Verdict != VerdictUnknown || !strings.Contains(c.Reason, "errors") {
		t.Errorf("broken policy previewed as %+v", c)
	}
	if m, _ := lastPolicyChanged(d); m.Valid {
		t.Error("PolicyChangedMsg says a broken policy is valid")
	}
	// q typed in the editor is text, not quit.
	d.keys("q")
	if d.quit {
		t.Fatal("q quit from the editor")
	}
}

func TestPolicyStaleFindingsDropped(t *testing.T) {
	t.Parallel()
	p := NewPolicyScreen(cDemoServices(cDemoRoles()), NewStyles(true), cClock)
	p.SetSize(80, 20)
	p.editSeq = 5
	p.Update(findingsMsg{seq: 4, doc: "old", findings: []policy.Finding{{Severity: policy.SeverityError, Message: "OLD"}}})
	if len(p.Findings()) != 0 {
		t.Fatal("stale findings were applied")
	}
	p.Update(validateDueMsg{seq: 4})
	if p.shownSeq == 4 {
		t.Fatal("a stale debounce validated")
	}
}

func TestPolicyJumpToFinding(t *testing.T) {
	t.Parallel()
	d, p := onPolicy(t)
	doc := "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"oss:PutObjet\",\n      \"Resource\": \"acs:oss:*:*:examplebucket/src/*\"\n    },\n    {\n      \"Effect\": \"Maybe\",\n      \"Action\": \"oss:GetObject\",\n      \"Resource\": \"acs:oss:*:*:examplebucket/src/*\"\n    }\n  ]\n}"
	d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: doc}})
	fs := p.Findings()
	var lines []int
	for _, f := range fs {
		if f.Line > 0 {
			lines = append(lines, f.Line)
		}
	}
	if len(lines) == 0 {
		t.Fatalf("no positioned findings: %+v", fs)
	}
	if len(lines) < 2 {
		t.Fatalf("want two positioned findings: %+v", fs)
	}
	before := p.Doc()
	d.keys("n")
	if p.Editing() {
		t.Fatal("n entered edit mode")
	}
	if p.CursorLine() != lines[0] {
		t.Errorf("cursor on line %d, first finding on line %d", p.CursorLine(), lines[0])
	}
	// A second n goes to the next finding; it types nothing.
	d.keys("n")
	if p.Doc() != before {
		t.Fatalf("n changed the document:\n%s", p.Doc())
	}
	if p.Editing() || p.CursorLine() != lines[1] {
		t.Errorf("second n: editing %v, cursor on line %d, second finding on line %d", p.Editing(), p.CursorLine(), lines[1])
	}
	// The finding's line is in view and its position is shown with the column.
	f := fs[1]
	v := d.view()
	if !strings.Contains(v, fmt.Sprintf("line %d, col %d", f.Line, f.Col)) {
		t.Errorf("finding position without its column:\n%s", v)
	}
	if !strings.Contains(v, fmt.Sprintf("%5d ", f.Line)) {
		t.Errorf("the editor does not show line %d:\n%s", f.Line, v)
	}
	// While editing, ctrl+g moves between findings and keeps editing.
	d.keys("e")
	if !p.Editing() {
		t.Fatal("e did not edit")
	}
	d.keys("ctrl+g")
	if !p.Editing() || p.CursorLine() != lines[0] {
		t.Errorf("ctrl+g: editing %v, cursor on line %d, want line %d", p.Editing(), p.CursorLine(), lines[0])
	}
	d.keys("esc")
	if p.Editing() {
		t.Error("esc did not leave the editor")
	}
}

func TestPolicySizeMeterAndMinify(t *testing.T) {
	t.Parallel()
	stmt := `    {"Effect": "Allow", "Action": ["oss:GetObject"], "Resource": ["acs:oss:*:*:examplebucket/src/%02d/*"]}`
	build := func(n int, pad string) string {
		var parts []string
		for i := range n {
			parts = append(parts, strings.Replace(stmt, "%02d", string(rune('a'+i%26))+string(rune('a'+i/26)), 1))
		}
		return "{\n  \"Version\": \"1\",\n  \"Statement\": [\n" + strings.Join(parts, ",\n"+pad) + "\n  ]\n}"
	}
	tests := []struct {
		name      string
		doc       string
		want      string
		minifyFit bool
	}{
		{"small", build(2, ""), "✓ ", false},
		{"near the limit", build(18, ""), "near the limit (m minifies)", true},
		{"too large but minify fits", build(20, strings.Repeat(" ", 40)), "TOO LARGE: STS refuses it", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, p := onPolicy(t)
			d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: tt.doc}})
			n := len(p.Doc())
			v := d.view()
			meter := ""
			for _, l := range strings.Split(v, "\n") {
				if strings.Contains(l, "/ 2048 characters") {
					meter = l
				}
			}
			if !strings.Contains(meter, tt.want) || !strings.Contains(meter, strconv.Itoa(n)+" / 2048 characters") {
				t.Fatalf("meter %q for %d characters, want %q", meter, n, tt.want)
			}
			if !tt.minifyFit {
				return
			}
			if tt.name == "too large but minify fits" {
				// Too large: concrete ways to shrink it, the minified size first.
				if !strings.Contains(v, "→ minify (m): "+strconv.Itoa(n)+" → ") || !strings.Contains(v, "characters (fits)") {
					t.Errorf("no minify advice:\n%s", v)
				}
			}
			d.keys("m")
			d.settle()
			after := ""
			for _, l := range strings.Split(d.view(), "\n") {
				if strings.Contains(l, "/ 2048 characters") {
					after = l
				}
			}
			if m := len(p.Doc()); !strings.Contains(after, strconv.Itoa(m)+" / 2048 characters") || strings.Contains(after, "TOO LARGE") {
				t.Errorf("after m the meter says %q (the draft is %d characters now)", after, m)
			}
			if got := len(p.Doc()); got >= n || got > policy.MaxSessionPolicyBytes {
				t.Fatalf("minify: %d → %d bytes", n, got)
			}
			if strings.Contains(p.Doc(), "\n") {
				t.Error("minified doc has newlines")
			}
			if v := d.view(); !strings.Contains(v, "minified: "+strconv.Itoa(n)+" → ") {
				t.Errorf("no minify status:\n%s", v)
			}
		})
	}
}

func TestPolicyContextEditor(t *testing.T) {
	t.Parallel()
	ipDoc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*","Condition":{"IpAddress":{"acs:SourceIp":"192.0.2.0/24"}}}]}`
	tests := []struct {
		name        string
		ip, https   string
		tm          string
		wantErr     string
		wantVerdict string
	}{
		{"unknown by default", "", "", "", "", VerdictUnknown},
		{"inside the range", "192.0.2.10", "yes", "now", "", VerdictAllow},
		{"outside the range", "198.51.100.1", "no", "2026-11-27T10:00:00Z", "", VerdictDeny},
		{"bad IP", "192.0.2.300", "", "", "source IP", ""},
		{"bad https", "", "maybe", "", "https", ""},
		{"bad time", "", "", "tomorrow", "time", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, p := onPolicy(t)
			uploadOnly(t, d)
			d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: ipDoc}})
			d.keys("c")
			if !p.InputFocused() {
				t.Fatal("c did not open the context form")
			}
			d.typeText(tt.ip)
			d.keys("enter")
			d.typeText(tt.https)
			d.keys("enter")
			d.typeText(tt.tm)
			d.keys("enter")
			if tt.wantErr != "" {
				if p.mode != modeContext || !strings.Contains(d.view(), tt.wantErr) {
					t.Fatalf("bad input accepted or not explained:\n%s", d.view())
				}
				return
			}
			c := cell(p, "put", "inside")
			if c.Verdict != tt.wantVerdict {
				t.Errorf("put inside = %s (%s), want %s", c.Verdict, c.Reason, tt.wantVerdict)
			}
			if tt.wantVerdict == VerdictUnknown && !strings.Contains(c.Reason, "acs:SourceIp") {
				t.Errorf("unknown cell does not name the key: %q", c.Reason)
			}
			if tt.ip != "" && !strings.Contains(d.view(), "assumes source IP "+tt.ip) {
				t.Errorf("context line does not show the IP:\n%s", d.view())
			}
		})
	}
}

func TestPolicyUnreadableRolePolicies(t *testing.T) {
	t.Parallel()
	d := newTestApp(t, cDemoServices(cDemoRoles()))
	d.keys("down", "enter") // EcsRunner (after the assumable RamOssTest): its system policy document is unreadable
	p := d.app().Screen(ScreenPolicy).(*PolicyScreen)
	d.keys("b", "ctrl+u") // the sandbox's bucket is prefilled
	d.typeText("examplebucket")
	d.keys("enter")
	d.typeText("src/")
	d.keys("enter")
	if c := cell(p, "get", "inside"); c.Verdict != VerdictUnknown || c.Layer != "role" || !strings.Contains(c.Reason, "AliyunOSSReadOnlyAccess") {
		t.Errorf("no session policy, unreadable role: %+v", c)
	}
	uploadOnlyDoc, _ := policy.Template("upload-only", "examplebucket", "src/")
	d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: uploadOnlyDoc}})
	// The session policy alone denies get: certain whatever the role holds.
	if c := cell(p, "get", "inside"); c.Verdict != VerdictDeny || c.Layer != "session" {
		t.Errorf("session ceiling: %+v", c)
	}
	// Put is allowed by the session policy but depends on the unreadable role policy.
	if c := cell(p, "put", "inside"); c.Verdict != VerdictUnknown {
		t.Errorf("put inside with unreadable role policy: %+v", c)
	}
	if v := d.view(); !strings.Contains(v, "? unknown role") {
		t.Errorf("grid does not show ? for the role layer:\n%s", v)
	}
}

func TestPolicyOpenAndSave(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "in.json")
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
	if err := os.WriteFile(src, []byte(doc+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, p := onPolicy(t)
	d.keys("o")
	d.typeText(src)
	d.keys("enter")
	if p.Doc() != doc {
		t.Fatalf("opened doc = %q", p.Doc())
	}
	out := filepath.Join(dir, "out.json")
	d.keys("s", "ctrl+u")
	d.typeText(out)
	d.keys("enter")
	got, err := os.ReadFile(out)
	if err != nil || strings.TrimSpace(string(got)) != doc {
		t.Fatalf("saved %q, %v", got, err)
	}
	// Saving again asks before overwriting.
	d.keys("x") // no session policy
	d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: `{"Version":"1","Statement":[]}`}})
	d.keys("s", "enter")
	if p.mode != modeOverwrite || !strings.Contains(d.view(), "exists — overwrite it? (y/n)") {
		t.Fatalf("no overwrite prompt:\n%s", d.view())
	}
	d.keys("n")
	if got, _ := os.ReadFile(out); strings.TrimSpace(string(got)) != doc {
		t.Fatal("n overwrote the file")
	}
	d.keys("s", "enter", "y")
	if got, _ := os.ReadFile(out); !strings.Contains(string(got), `"Statement":[]`) {
		t.Fatalf("y did not overwrite: %q", got)
	}
	// A missing file is an error on the status line.
	d.keys("o", "ctrl+u")
	d.typeText(filepath.Join(dir, "missing.json"))
	d.keys("enter")
	if v := d.view(); !strings.Contains(v, "✗ opening") || !strings.Contains(v, "missing.json") {
		t.Errorf("no error for a missing file:\n%s", v)
	}
}

func TestPolicyLayouts(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		d, _ := onPolicy(t)
		d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		uploadOnly(t, d)
		v := d.view()
		for _, want := range []string{"1 {", "characters", "no findings", "put ", "delete ", "assumes source IP"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d lacks %q:\n%s", size[0], size[1], want, v)
			}
		}
	}
}

// sepColumns returns the display columns at which the pane separator │ appears.
func sepColumns(view string) map[int]bool {
	cols := map[int]bool{}
	for _, l := range strings.Split(view, "\n") {
		if i := strings.Index(l, "│"); i >= 0 {
			cols[cellWidth(l[:i])] = true
		}
	}
	return cols
}

// The separator stays put whatever the Policy screen shows on its left (the form is narrower
// than the editor).
func TestWidePanesLineUp(t *testing.T) {
	t.Parallel()
	d, _ := onPolicy(t)
	d.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	all := map[int]bool{}
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"policy browse", nil},
		{"policy scope form", []string{"b"}},
		{"policy template menu", []string{"esc", "t"}},
		{"policy context form", []string{"esc", "c"}},
	} {
		d.keys(step.keys...)
		cols := sepColumns(d.view())
		if len(cols) != 1 {
			t.Errorf("%s: separator at columns %v:\n%s", step.name, cols, d.view())
		}
		for c := range cols {
			all[c] = true
		}
	}
	if len(all) != 1 {
		t.Errorf("the separator moves between modes: columns %v", all)
	}
}

// Line numbers are right-aligned in a gutter wide enough for three digits, so the text of
// lines 9 and 10 starts in the same column.
func TestPolicyEditorGutter(t *testing.T) {
	t.Parallel()
	p := NewPolicyScreen(cDemoServices(cDemoRoles()), NewStyles(true), cClock)
	p.SetSize(100, 30)
	doc := "{\n" + strings.Repeat("  \"x\": 1,\n", 14) + "  \"y\": 2\n}"
	p.Update(p.setDoc(doc)())
	col := map[string]int{}
	for _, l := range strings.Split(p.View(), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && (f[0] == "9" || f[0] == "10") {
			col[f[0]] = strings.Index(l, `"x"`)
		}
		if cellWidth(l) > 100 {
			t.Errorf("line wider than the screen: %q", l)
		}
	}
	if col["9"] == 0 || col["9"] != col["10"] {
		t.Errorf("text of lines 9 and 10 starts at columns %v", col)
	}
}

// TestPolicyEditorShowsEveryCharacter: a minified policy soft-wraps in the editor; every
// character of it must be on screen (the gutter drawn must be the gutter the wrap assumed).
func TestPolicyEditorShowsEveryCharacter(t *testing.T) {
	t.Parallel()
	var stmts []string
	for i, act := range []string{"oss:AbortMultipartUpload", "oss:PutObject", "oss:GetObject", "oss:ListParts", "oss:DeleteObject"} {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["%s","oss:ListObjects"],"Resource":["acs:oss:*:*:examplebucket/src/%d/*","acs:oss:*:*:examplebucket"]}`, act, i))
	}
	pretty := "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    " + strings.Join(stmts, ",\n    ") + "\n  ]\n}"
	min, err := policy.Minify([]byte(pretty))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(min)
	strip := func(s string) string {
		return strings.Join(strings.Fields(s), "")
	}
	for _, w := range []int{80, 160} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			p := NewPolicyScreen(cDemoServices(cDemoRoles()), NewStyles(true), cClock)
			p.SetSize(w, 60)
			p.Update(p.setDoc(doc)())
			if p.Doc() != doc {
				t.Fatalf("editor holds %q, want %q", p.Doc(), doc)
			}
			gutter := cellWidth(p.editor.ta.Prompt) + len(strconv.Itoa(p.editor.ta.MaxHeight)) + 2
			var text strings.Builder
			rows := 0
			for _, l := range strings.Split(ansi.Strip(p.editor.ta.View()), "\n") {
				if cellWidth(l) > w {
					t.Errorf("editor line wider than the screen (%d): %q", w, l)
				}
				if len(l) <= gutter {
					continue
				}
				if head := strings.TrimSpace(l[:gutter]); head != "" && head != "1" && head != "~" {
					t.Fatalf("unexpected gutter %q in %q", l[:gutter], l)
				}
				if strings.TrimSpace(l[gutter:]) != "" {
					rows++
				}
				text.WriteString(l[gutter:])
			}
			if rows < 2 {
				t.Fatalf("document did not wrap at width %d (%d rows)", w, rows)
			}
			if got, want := strip(text.String()), strip(doc); got != want {
				t.Errorf("editor shows\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestPolicyWhyOnTallScreens(t *testing.T) {
	t.Parallel()
	d, p := onPolicy(t)
	d.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	uploadOnly(t, d)
	v := d.view()
	for _, want := range []string{"Why", "put    inside  Allow allowed by session policy statement 1 (line 4)", "get    inside  Deny  no session policy statement allows oss:GetObject"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if c := cell(p, "put", "inside"); !strings.Contains(c.Reason, "RamTestPolicy statement 1 (line 4)") {
		t.Errorf("allow reason does not name the role's statement: %q", c.Reason)
	}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(d.view(), "Why") {
		t.Error("Why shown at 80x24, where there is no room")
	}
}

func TestPolicyCloneKeepsOrForgetsTheRole(t *testing.T) {
	t.Parallel()
	doc, _ := policy.Template("read-only", "examplebucket", "src/")
	d, p := onPolicy(t) // RamOssTest chosen, its policies loaded
	uploadOnly(t, d)
	d.send(CloneIssueMsg{Record: model.AuditRecord{RoleARN: "acs:ram::" + cAccount + ":role/ramosstest", SessionPolicy: doc}})
	if p.role == nil || p.role.Policies == nil || p.Doc() != strings.TrimSpace(doc) {
		t.Fatalf("same role: role %+v doc %q", p.role, p.Doc())
	}
	d.send(CloneIssueMsg{Record: model.AuditRecord{RoleARN: "acs:ram::" + cAccount + ":role/other", SessionPolicy: doc}})
	if p.role.Name != "other" || p.role.Policies != nil {
		t.Fatalf("other role: %+v", p.role)
	}
	if c := cell(p, "get", "inside"); c.Verdict != VerdictUnknown || c.Layer != "role" {
		t.Errorf("get inside for a role whose policies are unknown: %+v", c)
	}
}

// Without colour there is no visible cursor: the editor says where it is and forms mark the
// focused field with a glyph.
func TestPolicyPositionWithoutColour(t *testing.T) {
	t.Parallel()
	d, _ := onPolicy(t)
	d.keys("e")
	d.typeText(`{"a"`)
	if v := d.view(); !strings.Contains(v, "editing line 1, col 5") {
		t.Errorf("no position after typing:\n%s", v)
	}
	d.keys("enter")
	d.typeText("x")
	if v := d.view(); !strings.Contains(v, "editing line 2, col 2") {
		t.Errorf("no position on line 2:\n%s", v)
	}
	d.keys("esc", "b")
	if v := d.view(); !strings.Contains(v, "> Bucket: ") || !strings.Contains(v, "  Prefix: ") {
		t.Errorf("focused field not marked:\n%s", v)
	}
	d.keys("down")
	if v := d.view(); !strings.Contains(v, "  Bucket: ") || !strings.Contains(v, "> Prefix: ") {
		t.Errorf("focus mark did not move:\n%s", v)
	}
}

func TestReplaceStringAt(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		line, col int
		value     string
		want      string
		err       string
	}{
		{"action", "{\n  \"Action\": \"oss:PutObjec\",\n}", 2, 13, "oss:PutObject", "{\n  \"Action\": \"oss:PutObject\",\n}", ""},
		{"escapes inside", `{"A": "a\"b", "B": 1}`, 1, 7, `x"y`, `{"A": "x\"y", "B": 1}`, ""},
		{"rune columns", `{"é": "bad"}`, 1, 7, "good", `{"é": "good"}`, ""},
		{"no string there", `{"A": 1}`, 1, 7, "x", "", "no string starts there"},
		{"line outside", `{}`, 3, 1, "x", "", "outside the document"},
		{"unterminated", `{"A": "abc`, 1, 7, "x", "", "does not end on its line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replaceStringAt(tt.doc, tt.line, tt.col, tt.value)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPolicyApplyFix(t *testing.T) {
	t.Parallel()
	d, p := onPolicy(t)
	d.keys("b", "enter")
	d.typeText("src/")
	d.keys("enter")
	doc := "{\n  \"Version\": \"1\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"oss:PutObjec\", \"Resource\": \"acs:oss:*:*:examplebucket/src/*\"}]\n}"
	d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: doc}})
	if v := d.view(); !strings.Contains(v, "line 3, col 47 warning (f fixes): statement 1, Action: unknown action") {
		t.Fatalf("the fix is not offered:\n%s", v)
	}
	d.keys("f")
	if !strings.Contains(p.Doc(), `"oss:PutObject"`) || strings.Contains(p.Doc(), `"oss:PutObjec"`) {
		t.Fatalf("fix not applied: %q", p.Doc())
	}
	for _, f := range p.Findings() {
		if strings.Contains(f.Message, "PutObjec\"") {
			t.Errorf("finding survived the fix: %+v", f)
		}
	}
	if c := cell(p, "put", "inside"); c.Verdict != VerdictAllow {
		t.Errorf("put inside not allowed after the fix: %+v", c)
	}
	if v := d.view(); !strings.Contains(v, `line 3: now "oss:PutObject"`) {
		t.Errorf("no status after the fix:\n%s", v)
	}
}

func TestPolicyTemplateOverlay(t *testing.T) {
	t.Parallel()
	d, p := onPolicy(t)
	uploadOnly(t, d)
	d.keys("t")
	if v := d.view(); !strings.Contains(v, "[ ] + no-delete") {
		t.Fatalf("no-delete is not offered as an overlay:\n%s", v)
	}
	d.keys("5", "space")
	if v := d.view(); !strings.Contains(v, "[✓] + no-delete") {
		t.Fatalf("space did not tick the overlay:\n%s", v)
	}
	d.keys("3", "enter") // read-write + no-delete
	want, err := policy.Template("read-write,no-delete", "examplebucket", "src/")
	if err != nil {
		t.Fatal(err)
	}
	if p.Doc() != strings.TrimSpace(want) {
		t.Fatalf("doc = %q", p.Doc())
	}
	if c := cell(p, "delete", "inside"); c.Verdict != VerdictDeny || c.Layer != "session" {
		t.Errorf("delete inside = %+v, want Deny by the session overlay", c)
	}
	// Enter on an overlay line ticks it rather than applying a Deny-only policy.
	d.keys("t", "5", "enter")
	if p.mode != modeTemplate {
		t.Fatal("enter on an overlay closed the menu")
	}
}

// findPolicyChanged runs cmd (and the batches it returns) and returns a PolicyChangedMsg it yields.
func findPolicyChanged(cmd tea.Cmd) (PolicyChangedMsg, bool) {
	if cmd == nil {
		return PolicyChangedMsg{}, false
	}
	switch m := cmd().(type) {
	case PolicyChangedMsg:
		return m, true
	case tea.BatchMsg:
		for _, c := range m {
			if pm, ok := findPolicyChanged(c); ok {
				return pm, true
			}
		}
	}
	return PolicyChangedMsg{}, false
}

// A draft with a parse error: the meter does not show a green ✓, and the preview says why its
// cells are unknown.
func TestPolicyBrokenDraftSaysWhy(t *testing.T) {
	t.Parallel()
	d, _ := onPolicy(t)
	uploadOnly(t, d)
	d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: `{"Version":"1","Statement":[{"Effect":"allow","Action":"oss:GetObject","Resource":"*"}]}`}})
	d.settle()
	v := d.view()
	if strings.Contains(v, "✓ 86 / 2048") || !strings.Contains(v, "size fits, but the draft has errors") {
		t.Errorf("meter beside a parse error:\n%s", v)
	}
	if !strings.Contains(v, "? unknown: the draft has errors") {
		t.Errorf("preview does not say why it is unknown:\n%s", v)
	}
}
