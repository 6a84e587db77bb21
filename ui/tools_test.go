package ui

import (
	"strings"
	"testing"
)

// w on the Policy screen checks the partner tools with the draft: an upload-only policy fails
// in ossbrowser at its folder listing; a applies the smallest addition (ListObjects with an
// oss:Prefix condition), after which ossbrowser works and dst/ stays denied in the preview.
func TestToolPickerSuggestsAndApplies(t *testing.T) {
	roles := cDemoRoles()
	roles.roles[0].Policies[0].Document = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*","acs:oss:*:*:*"]}]}`
	d := newTestApp(t, cDemoServices(roles))
	d.send(RoleSelectedMsg{Role: roles.roles[0]})
	d.keys("2", "t", "enter") // upload-only template
	d.keys("enter")
	d.typeText("src/")
	d.keys("enter")
	d.settle()
	p := d.app().Screen(ScreenPolicy).(*PolicyScreen)
	if !strings.Contains(p.Doc(), "oss:PutObject") {
		t.Fatalf("draft %s", p.Doc())
	}
	d.keys("w")
	if !p.tools.open {
		t.Fatal("w did not open the tool picker")
	}
	v := d.view()
	for _, want := range []string{"Will it work in the partner's tool?", "ossbrowser", "✗ fails", "ListObjects", "fails first", "smallest addition:", "oss:Prefix"} {
		if !strings.Contains(v, want) {
			t.Errorf("picker lacks %q:\n%s", want, v)
		}
	}
	if c := p.tools.chosen(); c == nil || c.Tool != "ossbrowser" || c.Works || c.Suggested == "" {
		t.Fatalf("chosen %+v", c)
	}
	d.keys("down")
	if c := p.tools.chosen(); c.Tool != "ossutil-ls" {
		t.Fatalf("down chose %s", c.Tool)
	}
	d.keys("up", "a")
	if p.tools.open {
		t.Fatal("a did not close the picker")
	}
	d.settle()
	if !strings.Contains(p.Doc(), "oss:ListObjects") || !strings.Contains(p.Doc(), "src/*") {
		t.Fatalf("suggestion not applied: %s", p.Doc())
	}
	d.keys("w")
	if c := p.tools.chosen(); !c.Works {
		t.Fatalf("ossbrowser still fails after the suggestion: %+v", c.Steps[c.FirstFailure])
	}
	d.keys("esc")
	for _, row := range p.Preview().Cells {
		if row[1].Op == "get" && row[1].Verdict == VerdictAllow {
			t.Fatal("get outside the prefix became allowed")
		}
	}
}

// Without a bucket the picker says what to do first.
func TestToolPickerNeedsBucket(t *testing.T) {
	svc := cDemoServices(cDemoRoles())
	svc.Mode = "live" // no preloaded demo bucket
	d := newTestApp(t, svc)
	d.keys("2", "w")
	if v := d.view(); !strings.Contains(v, "set a bucket and prefix first (b)") {
		t.Fatalf("view:\n%s", v)
	}
	d.keys("esc")
	if d.app().Screen(ScreenPolicy).(*PolicyScreen).tools.open {
		t.Fatal("esc did not close")
	}
}
