package ui

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/mattn/go-runewidth"

	"github.com/stsdeck/stsdeck/ui/i18n"
)

// chineseLocale makes go-runewidth behave as it does under LANG=zh_CN.UTF-8 (its init reads the
// locale once, before a test could set it) and then applies what Run does at start-up.
func chineseLocale(t testing.TB) {
	t.Setenv("LANG", "zh_CN.UTF-8")
	old := runewidth.DefaultCondition.EastAsianWidth
	oldPkg := runewidth.EastAsianWidth
	t.Cleanup(func() { runewidth.DefaultCondition.EastAsianWidth, runewidth.EastAsianWidth = old, oldPkg })
	runewidth.DefaultCondition.EastAsianWidth, runewidth.EastAsianWidth = true, true
	if runewidth.StringWidth("─…✓") == ansi.StringWidth("─…✓") {
		t.Fatal("the simulated Chinese locale does not make runewidth count ambiguous characters wide")
	}
	i18n.AgreeOnWidths()
}

func TestWidthsAgreeUnderChineseLocale(t *testing.T) {
	chineseLocale(t)
	for _, s := range []string{"─…✓✗·→", "角色 · 8", "╭──╮", "签发令牌 ✓"} {
		if rw, aw := runewidth.StringWidth(s), ansi.StringWidth(s); rw != aw {
			t.Errorf("%q: runewidth %d cells, x/ansi %d", s, rw, aw)
		}
	}
}

var randomSessionSuffix = regexp.MustCompile(`(stsdeck-\d{8}-\d{6})-[0-9a-f]{4}`)

var zhSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// zhConsole is the console in Chinese at w×h on screen id.
func zhConsole(t testing.TB, w, h int, id ScreenID) *consoleDriver {
	d := newConsoleDriver(t, newApp(cDemoServices(cDemoRoles()), Options{Now: cClock, NoColor: true, Lang: i18n.ZH}))
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.keys(fmt.Sprint(int(id) + 1))
	return d
}

// Every screen in Chinese at 80×24, 120×40 and 200×60: no line wider than the terminal in
// cells (by both libraries), never more lines than it has; golden files under testdata/zh
// (go test ./ui -run TestChineseScreens -update rewrites them).
func TestChineseScreens(t *testing.T) {
	chineseLocale(t)
	for _, sz := range zhSizes {
		for id := ScreenID(0); id < screenCount; id++ {
			name := fmt.Sprintf("%s_%dx%d", []string{"roles", "policy", "issue", "test", "history"}[id], sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				d := zhConsole(t, sz[0], sz[1], id)
				for _, full := range []bool{false, true} {
					if full {
						if d.app().screens[id].InputFocused() {
							d.keys("esc")
						}
						d.keys("?")
					}
					v := d.view()
					lines := strings.Split(v, "\n")
					if len(lines) > sz[1] {
						t.Errorf("help=%v: %d lines on a %d-line terminal", full, len(lines), sz[1])
					}
					for i, l := range lines {
						if aw, rw := ansi.StringWidth(l), runewidth.StringWidth(l); aw > sz[0] || rw > sz[0] {
							t.Errorf("help=%v line %d: %d cells (runewidth %d) on a %d-column terminal: %q", full, i+1, aw, rw, sz[0], l)
						}
					}
					if !full {
						if !strings.Contains(v, "角色") {
							t.Errorf("not in Chinese:\n%s", v)
						}
						// The default session name ends in 4 random hex digits (issuereq.DefaultSessionName).
						golden.RequireEqual(t, []byte(randomSessionSuffix.ReplaceAllString(v, "${1}-rand")))
					} else if !strings.Contains(v, "语言：中文") {
						t.Errorf("full help does not show the language:\n%s", v)
					}
				}
			})
		}
	}
}

// L switches the language live: the tabs, the header and help change at once.
func TestLanguageSwitchesLive(t *testing.T) {
	d := newConsoleDriver(t, newApp(cDemoServices(cDemoRoles()), Options{Now: cClock, NoColor: true}))
	if v := d.view(); !strings.Contains(v, "1 Roles") {
		t.Fatalf("not English:\n%s", v)
	}
	d.keys("L")
	v := d.view()
	if !strings.Contains(v, "1 角色") || !strings.Contains(v, "语言：中文") || d.app().st.T.Lang() != i18n.ZH {
		t.Fatalf("L did not switch to Chinese:\n%s", v)
	}
	d.keys("?")
	if v := flat(d.view()); !strings.Contains(v, "L 语言：中文") || !strings.Contains(v, "? 帮助") {
		t.Errorf("full help:\n%s", v)
	}
	d.keys("L")
	if v := flat(d.view()); !strings.Contains(v, "1 Roles") || !strings.Contains(v, "L language: English") {
		t.Errorf("L did not switch back:\n%s", v)
	}
}

// View() at 200×60 in Chinese against English, same run (the ratio is x-english).
func BenchmarkViewChineseVsEnglish(b *testing.B) {
	chineseLocale(b)
	view := func(lang i18n.Lang) func() string {
		d := newConsoleDriver(b, newApp(cDemoServices(cDemoRoles()), Options{Now: cClock, Lang: lang}))
		d.send(tea.WindowSizeMsg{Width: 200, Height: 60})
		d.keys("?")
		return d.m.View
	}
	en, zh := view(i18n.EN), view(i18n.ZH)
	// Alternating rounds of each, the median of their ratios (x-english); ns/op is one View().
	round := func(f func() string) time.Duration {
		start := time.Now()
		for i := 0; i < 20; i++ {
			_ = f()
		}
		return time.Since(start)
	}
	var ratios []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := round(en)
		z := round(zh)
		ratios = append(ratios, float64(z)/float64(e))
	}
	b.StopTimer()
	sort.Float64s(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "x-english")
}
