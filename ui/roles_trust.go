package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// roleTrust is the detail pane's trust summary: who the role's trust policy lets assume it, in
// words, and whether it trusts the console's caller. The judging is flow's; this only shows it.
type roleTrust struct {
	st     Styles
	width  int
	role   model.Role
	have   bool // the role's details arrived (so a missing trust policy is news)
	caller *model.Caller
}

func newRoleTrust(st Styles) roleTrust { return roleTrust{st: st} }

// SetSize sets the width the lines wrap at (the summary is as tall as it needs).
func (t *roleTrust) SetSize(w, _ int) { t.width = w }

// SetRole says which role to summarise and whether its details arrived.
func (t *roleTrust) SetRole(r model.Role, have bool) { t.role, t.have = r, have }

// SetCaller says who the console acts as.
func (t *roleTrust) SetCaller(c model.Caller) { t.caller = &c }

// Update does nothing: the summary has no keys and no async work.
func (t roleTrust) Update(tea.Msg) (roleTrust, tea.Cmd) { return t, nil }

// KeyMap is empty: the summary has no keys of its own.
func (t roleTrust) KeyMap() help.KeyMap { return bindings{} }

// View is the "Trusted" lines and, once the caller is known, the "You" line ("" when there is
// nothing to say), each line ending in a newline.
func (t roleTrust) View() string {
	var b strings.Builder
	tr := t.st.tr()
	field := func(name, val string) { roleField(&b, t.width, name, val) }
	doc := t.role.TrustPolicy
	switch {
	case doc != "":
		ws, err := flow.TrustPrincipals(doc)
		if err != nil {
			field(tr.S("Trusted"), GlyphUnknown+" "+tr.Domain(err.Error()))
		}
		for i, p := range ws {
			name := ""
			if i == 0 {
				name = tr.S("Trusted")
			}
			field(name, tr.Domain(p))
		}
	case t.have:
		field(tr.S("Trusted"), GlyphUnknown+" "+tr.S("trust policy not returned"))
	}
	if doc != "" && t.caller != nil {
		kind, text := flow.TrustsCaller(doc, t.role.ARN, *t.caller)
		field(tr.S("You"), t.st.Mark(kind, tr.Domain(text)))
	}
	return b.String()
}
