package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/policy"
)

// policyMeterKeys are the size meter's bindings.
type policyMeterKeys struct {
	Minify key.Binding
}

// policyMeter is the size line ("812 / 2048 bytes": STS counts the session policy's bytes),
// warning by text near and over the limit, with the one-key minify.
type policyMeter struct {
	st    Styles
	keys  policyMeterKeys
	doc   string // the draft as it would be sent
	width int

	// The last Update's outcome: the minified draft.
	minified    string
	hasMinified bool
}

func newPolicyMeter(st Styles) policyMeter {
	return policyMeter{
		st:   st,
		keys: policyMeterKeys{Minify: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "minify"))},
	}
}

// SetSize sets the meter's width (it is one line).
func (m *policyMeter) SetSize(w, _ int) { m.width = w }

// SetDoc sets the draft measured.
func (m *policyMeter) SetDoc(doc string) { m.doc = doc }

// Update minifies the draft on Minify; Minified returns the result.
func (m policyMeter) Update(msg tea.Msg) (policyMeter, tea.Cmd) {
	m.minified, m.hasMinified = "", false
	k, ok := msg.(tea.KeyMsg)
	if !ok || !key.Matches(k, m.keys.Minify) || m.doc == "" {
		return m, nil
	}
	out, err := policy.Minify([]byte(m.doc))
	if err != nil {
		return m, func() tea.Msg { return ErrorMsg{Context: "minifying the policy", Err: err} }
	}
	before, after := len(m.doc), len(out)
	m.minified, m.hasMinified = string(out), true
	return m, func() tea.Msg {
		return StatusMsg{Text: fmt.Sprintf("minified: %d → %d bytes", before, after)}
	}
}

// Minified returns the draft the last Update minified.
func (m policyMeter) Minified() (string, bool) { return m.minified, m.hasMinified }

// KeyMap returns the meter's bindings, enabled where they would do something.
func (m policyMeter) KeyMap() policyMeterKeys {
	k := m.keys
	k.Minify.SetEnabled(m.doc != "")
	return k
}

// View is the size line.
func (m policyMeter) View() string {
	st := m.st
	n := len(m.doc)
	lim := policy.MaxSessionPolicyBytes
	text := fmt.Sprintf("%d / %d bytes", n, lim)
	var line string
	switch {
	case n == 0:
		line = st.Muted.Render("0 / 2048 bytes · no session policy")
	case n > lim:
		line = st.Mark("deny", text+" — TOO LARGE, STS refuses it (m minifies)")
	case n*10 > lim*9:
		line = st.Mark("warn", text+" — near the limit (m minifies)")
	default:
		line = st.Mark("ok", text)
	}
	return truncateLine(line, m.width)
}
