package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/flow"
)

// "Will it work in ⟨tool⟩?" on the Policy screen (issue 15 part 3): the partner tools' call
// sequences (flow.Tools) run through the engine with the draft and the role's policies before
// anything is issued (flow.CheckTool); the picker says which call would fail and why, and a
// applies the smallest addition (ToolCheck.Suggested) to the draft.

// toolKeys are the picker's bindings (Open is the Policy screen's).
type toolKeys struct {
	Open, Up, Down, Apply, Close key.Binding
}

func newToolKeys() toolKeys {
	return toolKeys{
		Open:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "will it work in a tool?")),
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose tool")),
		Down:  key.NewBinding(key.WithKeys("down", "j")),
		Apply: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "apply the smallest addition")),
		Close: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// toolPicker is the component: the tools with a verdict each, and the chosen tool's calls.
type toolPicker struct {
	st     Styles
	keys   toolKeys
	open   bool
	cursor int
	checks []flow.ToolCheck // one per flow.Tools entry, for the draft it was opened with
	note   string           // why there is no check (no bucket)
	// applied is set by Update when a asked to apply the chosen tool's suggestion.
	applied string

	width, height int
}

func newToolPicker(st Styles) toolPicker { return toolPicker{st: st, keys: newToolKeys()} }

// SetSize sets the picker's size.
func (t *toolPicker) SetSize(w, h int) { t.width, t.height = w, h }

// Open checks every tool with in (Tool is filled per tool); note "" unless nothing can be checked.
func (t *toolPicker) Open(in flow.ToolInput, note string) {
	t.open, t.applied, t.note = true, "", note
	t.checks = nil
	if note != "" {
		return
	}
	for _, tool := range flow.Tools {
		in.Tool = tool
		t.checks = append(t.checks, flow.CheckTool(in))
	}
	t.cursor = min(t.cursor, len(t.checks)-1)
}

// chosen is the check under the cursor (nil when none).
func (t toolPicker) chosen() *flow.ToolCheck {
	if t.cursor < 0 || t.cursor >= len(t.checks) {
		return nil
	}
	return &t.checks[t.cursor]
}

// KeyMap is the picker's help: a only when the chosen tool has a suggested policy.
func (t toolPicker) KeyMap() help.KeyMap {
	k := t.keys
	a := k.Apply
	c := t.chosen()
	a.SetEnabled(c != nil && c.Suggested != "")
	return bindings{short: []key.Binding{k.Up, a, k.Close}}
}

// Update moves the cursor, closes, or sets applied (the screen then replaces the draft).
func (t toolPicker) Update(msg tea.Msg) (toolPicker, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok || !t.open {
		return t, nil
	}
	k := t.keys
	n := len(t.checks)
	switch {
	case key.Matches(km, k.Close):
		t.open = false
	case key.Matches(km, k.Up) && n > 0:
		t.cursor = (t.cursor + n - 1) % n
	case key.Matches(km, k.Down) && n > 0:
		t.cursor = (t.cursor + 1) % n
	case key.Matches(km, k.Apply):
		if c := t.chosen(); c != nil && c.Suggested != "" {
			t.applied = c.Suggested
			t.open = false
		}
	}
	return t, nil
}

// View draws the tool list and the chosen tool's calls.
func (t toolPicker) View() string {
	st, tr := t.st, t.st.tr()
	w := max(20, t.width)
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("Will it work in the partner's tool?")) + "  " + st.Muted.Render(tr.S("(esc closes)")) + "\n")
	if t.note != "" {
		b.WriteString(st.Unknown.Render(GlyphUnknown+" "+t.note) + "\n")
		return strings.TrimRight(b.String(), "\n")
	}
	c := t.chosen()
	if c == nil {
		return strings.TrimRight(b.String(), "\n")
	}
	verdict := func(c flow.ToolCheck) string {
		switch {
		case c.Works:
			return st.Allow.Render(GlyphOK + " " + tr.S("works"))
		case c.FirstFailure < 0:
			return st.Unknown.Render(GlyphUnknown + " " + tr.S("unknown"))
		}
		return st.Deny.Render(GlyphDeny + " " + tr.S("fails"))
	}
	tool, _ := flow.LookupTool(c.Tool)
	desc := wrapHard(tr.Domain(tool.Description), w)
	// The list of tools when the rows allow it (title, tools, blank, description, calls and
	// about six lines of verdict), else one selector line.
	steps := 0 // the longest sequence decides, so the layout does not jump between tools
	for _, tc := range t.checks {
		steps = max(steps, len(tc.Steps))
	}
	if t.height >= 1+len(t.checks)+1+len(desc)+steps+6 {
		for i, tc := range t.checks {
			mark := "  "
			name := fmt.Sprintf("%-16s", tc.Tool)
			if i == t.cursor {
				mark = GlyphSelected + " "
				name = st.Selected.Render(name)
			}
			b.WriteString(cutLine(mark+name+" "+verdict(tc), w) + "\n")
		}
		b.WriteString("\n")
	} else {
		b.WriteString(cutLine(fmt.Sprintf("%s %s %s  %s", GlyphSelected, st.Selected.Render(c.Tool), verdict(*c),
			st.Muted.Render(tr.S("(%d of %d, ↑/↓)", t.cursor+1, len(t.checks)))), w) + "\n")
		if t.height < 1+1+len(desc)+steps+6 {
			desc = nil
		}
	}
	for _, l := range desc {
		b.WriteString(st.Muted.Render(l) + "\n")
	}
	for i, s := range c.Steps {
		g := verdictGlyph(s.Verdict)
		where := s.Key
		if s.Level == "bucket" {
			where = tr.S("the bucket")
			if s.Action == "oss:ListObjects" {
				where = tr.S("prefix %q", s.ListPrefix)
			}
		}
		if s.Level == "service" {
			where = tr.S("all buckets")
		}
		opt := ""
		if s.Optional {
			opt = " " + st.Muted.Render(tr.S("(optional)"))
		}
		line := fmt.Sprintf("%s %-24s %-18s %s%s", g, s.Op, s.Action, where, opt)
		if i == c.FirstFailure {
			line = st.Deny.Render(line) + " " + st.Warn.Render("← "+tr.S("fails first"))
		}
		b.WriteString(cutLine(line, w) + "\n")
	}
	if c.FirstFailure >= 0 {
		s := c.Steps[c.FirstFailure]
		for _, l := range wrapHard(GlyphDeny+" "+tr.S("%s would fail: %s", s.Op, tr.Domain(s.Reason)), w) {
			b.WriteString(st.Error.Render(l) + "\n")
		}
		if s.Suggestion != nil {
			js, _ := json.Marshal(s.Suggestion)
			b.WriteString(tr.S("smallest addition:") + "\n")
			for _, l := range wrapHard(string(js), w-2) {
				b.WriteString("  " + l + "\n")
			}
		}
		if c.Suggested != "" {
			b.WriteString(st.Muted.Render(tr.S("a adds every suggested statement to the draft (other prefixes stay denied)")) + "\n")
		} else {
			b.WriteString(st.Muted.Render(tr.S("no session policy to add to: grant it in the role's policy")) + "\n")
		}
	} else if !c.Works {
		b.WriteString(st.Unknown.Render(GlyphUnknown+" "+tr.S("the role's policies are not known: choose the role on screen 1")) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
