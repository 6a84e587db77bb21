package ui

import (
	"testing"

	"github.com/charmbracelet/bubbles/textinput"
)

func TestFocusStep(t *testing.T) {
	t.Parallel()
	fields := make([]textinput.Model, 3)
	for i := range fields {
		fields[i] = textinput.New()
	}
	focused := func() []int {
		var out []int
		for i, f := range fields {
			if f.Focused() {
				out = append(out, i)
			}
		}
		return out
	}
	at := -1
	skip := func(i int) bool { return i == 1 }
	for _, step := range []struct {
		dir  int
		want int
	}{{1, 0}, {1, 2}, {1, 0}, {-1, 2}, {-1, 0}} {
		focusStep(fields, &at, step.dir, skip)
		if got := focused(); at != step.want || len(got) != 1 || got[0] != step.want {
			t.Fatalf("step %d: at %d, focused %v; want %d", step.dir, at, got, step.want)
		}
	}
	at = -1
	for i := range fields {
		fields[i].Blur()
	}
	if focusStep(fields, &at, -1, nil); at != 2 {
		t.Fatalf("previous from none: at %d, want the last field", at)
	}
	if focusTo(fields, &at, -1); at != -1 || len(focused()) != 0 {
		t.Fatalf("blur: at %d, focused %v", at, focused())
	}
	if cmd := focusStep(fields, &at, 1, func(int) bool { return true }); cmd != nil || at != -1 {
		t.Fatalf("all skipped: at %d", at)
	}
}
