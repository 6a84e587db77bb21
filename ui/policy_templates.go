package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// policyTemplateKeys are the template menu's bindings.
type policyTemplateKeys struct {
	Up, Down key.Binding
	Accept   key.Binding
	Tick     key.Binding // tick an overlay
	Pick     key.Binding // a template's number (not in help)
	Cancel   key.Binding
}

// policyTemplates is the template menu: the engine's base templates, then the overlays
// (Deny-only additions such as no-delete) that can be ticked onto a base.
type policyTemplates struct {
	st   Styles
	keys policyTemplateKeys

	names   []string        // menu order: base templates, then overlays
	overlay map[string]bool // overlays
	checked map[string]bool // overlays ticked
	cursor  int

	// The scope the templates are for (the last line says it).
	bucket, prefix string
	scopeSet       bool

	state  policyFormState
	chosen string // e.g. "read-write,no-delete" when Done
}

func newPolicyTemplates(st Styles) policyTemplates {
	names, overlay := templateMenu()
	var digits []string
	for i := range names {
		digits = append(digits, strconv.Itoa(i+1))
	}
	return policyTemplates{
		st: st,
		keys: policyTemplateKeys{
			Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "up")),
			Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
			Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
			Tick:   key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "tick overlay")),
			Pick:   key.NewBinding(key.WithKeys(digits...)),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		},
		names:   names,
		overlay: overlay,
		checked: map[string]bool{},
	}
}

// templateMenu sorts the engine's templates into bases and overlays: an overlay is one the
// engine refuses on its own (a Deny-only session policy allows nothing).
func templateMenu() (names []string, overlay map[string]bool) {
	overlay = map[string]bool{}
	var bases, overlays []string
	for _, n := range policy.TemplateNames {
		var oe *policy.OverlayError
		if _, err := policy.Template(n, "examplebucket", "p/"); errors.As(err, &oe) {
			overlay[n] = true
			overlays = append(overlays, n)
			continue
		}
		bases = append(bases, n)
	}
	return append(bases, overlays...), overlay
}

// Open shows the menu (cursor and ticks as last left) for the scope the templates are for.
func (m *policyTemplates) Open(bucket, prefix string, scopeSet bool) {
	m.bucket, m.prefix, m.scopeSet = bucket, prefix, scopeSet
	m.state, m.chosen = policyFormActive, ""
}

// Update moves the cursor, ticks overlays, and chooses (Done, Chosen) or backs out (Cancelled).
func (m policyTemplates) Update(msg tea.Msg) (policyTemplates, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	n := len(m.names)
	switch {
	case key.Matches(k, m.keys.Cancel):
		m.state = policyFormCancelled
	case key.Matches(k, m.keys.Up):
		m.cursor = (m.cursor + n - 1) % n
	case key.Matches(k, m.keys.Down):
		m.cursor = (m.cursor + 1) % n
	case key.Matches(k, m.keys.Tick) || key.Matches(k, m.keys.Accept) && m.overlay[m.names[m.cursor]]:
		if name := m.names[m.cursor]; m.overlay[name] {
			m.checked[name] = !m.checked[name]
		}
	case key.Matches(k, m.keys.Accept):
		name := m.names[m.cursor]
		for _, o := range m.names {
			if m.checked[o] {
				name += "," + o
			}
		}
		m.state, m.chosen = policyFormDone, name
	case key.Matches(k, m.keys.Pick):
		m.cursor = int(k.Runes[0] - '1')
	}
	return m, nil
}

// ShortHelp is the menu's help (tick only on an overlay).
func (m policyTemplates) ShortHelp() []key.Binding {
	k := m.keys
	k.Tick.SetEnabled(m.overlay[m.names[m.cursor]])
	return []key.Binding{k.Up, k.Down, k.Accept, k.Tick, k.Cancel}
}

// View is the menu.
func (m policyTemplates) View() string {
	st, tr := m.st, m.st.tr()
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("Start from a template")) + "\n")
	for i, n := range m.names {
		cur := "  "
		line := fmt.Sprintf("%d %s  %s", i+1, n, templateBlurb(tr, n))
		if m.overlay[n] {
			box := "[ ]"
			if m.checked[n] {
				box = "[" + GlyphOK + "]"
			}
			line = tr.S("%d %s + %s  %s (space ticks)", i+1, box, n, templateBlurb(tr, n))
		}
		if i == m.cursor {
			cur = GlyphSelected + " "
			line = st.Selected.Render(line)
		}
		b.WriteString(cur + line + "\n")
	}
	if m.scopeSet {
		b.WriteString(st.Muted.Render(tr.S("for bucket %s, prefix %q (b changes them)", m.bucket, m.prefix)))
	} else {
		b.WriteString(st.Muted.Render(tr.S("bucket and prefix are asked next")))
	}
	return b.String()
}

func templateBlurb(tr *i18n.T, name string) string {
	switch name {
	case "upload-only":
		return tr.S("put objects under the prefix, nothing else")
	case "read-only":
		return tr.S("get and head objects under the prefix")
	case "read-write":
		return tr.S("put, get, head and delete under the prefix")
	case "list-read":
		return tr.S("list the prefix and read its objects")
	case "no-delete":
		return tr.S("deny deleting anything (overlay)")
	}
	return ""
}
