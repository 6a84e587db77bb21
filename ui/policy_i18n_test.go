package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/mattn/go-runewidth"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// englishProse is two lower-case English words in a row: what a Chinese Policy screen must not
// show outside values (ARNs, actions, JSON, template names, the draft itself).
var englishProse = regexp.MustCompile(`\b(allowed by|denied by|no session|not read|the draft|statement \d|policy allows|is not allowed|session policy|depends on|no findings|near the limit)\b`)

// zhPolicyWalk is the Policy screen in Chinese at w×h after a role is chosen, with the
// upload-only template for examplebucket/src/ (the screen the README demo shows).
func zhPolicyWalk(t *testing.T, w, h int) *consoleDriver {
	t.Helper()
	d := newConsoleDriver(t, newApp(cDemoServices(cDemoRoles()), Options{Now: cClock, NoColor: true, Lang: i18n.ZH}))
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.keys("enter") // RamOssTest: opens Policy
	uploadOnly(t, d)
	return d
}

func checkWidths(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a %d-line terminal", len(lines), h)
	}
	for i, l := range lines {
		if aw, rw := ansi.StringWidth(l), runewidth.StringWidth(l); aw > w || rw > w {
			t.Errorf("line %d: %d cells (runewidth %d) on a %d-column terminal: %q", i+1, aw, rw, w, l)
		}
	}
}

// The Policy screen with a draft, its preview and reasons, the template menu, the scope and
// context forms and the tool picker, in Chinese at 80×24, 120×40 and 200×60: no line wider
// than the terminal, no English prose from the screen or the preview's reasons (golden files
// under testdata/TestPolicyScreenChinese).
func TestPolicyScreenChinese(t *testing.T) {
	chineseLocale(t)
	for _, sz := range zhSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			d := zhPolicyWalk(t, sz[0], sz[1])
			views := map[string]string{"draft": d.view()}
			d.keys("t")
			views["templates"] = d.view()
			d.keys("esc", "b")
			views["scope"] = d.view()
			d.keys("esc", "c")
			views["context"] = d.view()
			d.keys("esc", "w")
			views["tools"] = d.view()
			d.keys("esc")
			for _, name := range []string{"draft", "templates", "scope", "context", "tools"} {
				v := views[name]
				checkWidths(t, v, sz[0], sz[1])
				if m := englishProse.FindString(v); m != "" && name != "tools" {
					t.Errorf("%s: English %q on the Chinese screen:\n%s", name, m, v)
				}
			}
			if !strings.Contains(views["draft"], "预览 examplebucket · RAM 角色 RamOssTest") ||
				!strings.Contains(views["draft"], "前缀内 src/") || !strings.Contains(views["draft"], "✓ 261 / 2048 个字符") {
				t.Errorf("draft view:\n%s", views["draft"])
			}
			var all strings.Builder
			for _, name := range []string{"draft", "templates", "scope", "context", "tools"} {
				fmt.Fprintf(&all, "===== %s\n%s\n", name, views[name])
			}
			golden.RequireEqual(t, []byte(randomSessionSuffix.ReplaceAllString(all.String(), "${1}-rand")))
		})
	}
}

// Every reason the preview gives, and the findings of a broken draft, read in Chinese.
func TestPolicyReasonsAndFindingsChinese(t *testing.T) {
	d := zhPolicyWalk(t, 200, 60)
	p := d.app().Screen(ScreenPolicy).(*PolicyScreen)
	for _, r := range p.Preview().Reasons(d.app().st.tr()) {
		if m := englishProse.FindString(r); m != "" {
			t.Errorf("reason %q: English %q", r, m)
		}
	}
	// A too-large draft: the meter and the ways to shrink it.
	big := `{"Version":"1","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z"},`, 20) +
		`{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/x"}]}`
	d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: big}})
	v := flat(d.view())
	for _, want := range []string{"过大：STS 会拒绝", "合并第"} {
		if !strings.Contains(v, want) {
			t.Errorf("too large: lacks %q:\n%s", want, d.view())
		}
	}
	// A broken draft: findings in Chinese, with line and column.
	d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: `{"Version":"1","Statement":[{"Effect":"Alow","Action":"oss:GetObject","Resource":"*"}]}`}})
	v = d.view()
	if !strings.Contains(v, "第 1 行第") || !strings.Contains(v, "错误") || !strings.Contains(v, "未知：草稿有错误") {
		t.Errorf("broken draft:\n%s", v)
	}
}
