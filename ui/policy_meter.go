package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
)

// policyMeterKeys are the size meter's bindings.
type policyMeterKeys struct {
	Minify key.Binding
}

// policyMeter is the size line ("812 / 2048 characters": STS counts the session policy's
// characters, policy.SessionPolicyUnit), warning by text near and over the limit, with the
// one-key minify and, over the limit, concrete ways to shrink the draft.
type policyMeter struct {
	st     Styles
	keys   policyMeterKeys
	doc    string // the draft as it would be sent
	width  int
	stale  bool // the findings are about an older text
	broken bool // the draft has errors

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
		ctx := m.st.tr().S("minifying the policy")
		return m, func() tea.Msg { return ErrorMsg{Context: ctx, Err: err} }
	}
	before, after := flow.MeasureSessionPolicy(m.doc), flow.MeasureSessionPolicy(string(out))
	m.minified, m.hasMinified = string(out), true
	tr := m.st.tr()
	text := tr.S("minified: %s → %s %s", itoa(before.N), itoa(after.N), tr.S(after.Unit))
	return m, func() tea.Msg { return StatusMsg{Text: text} }
}

// Minified returns the draft the last Update minified.
func (m policyMeter) Minified() (string, bool) { return m.minified, m.hasMinified }

// KeyMap returns the meter's bindings, enabled where they would do something.
func (m policyMeter) KeyMap() policyMeterKeys {
	k := m.keys
	k.Minify.SetEnabled(m.doc != "")
	return k
}

// SetState says whether the findings beside the meter are about an older text (stale) and
// whether the draft has errors (broken): a size that fits is then not shown as a green ✓.
func (m *policyMeter) SetState(stale, broken bool) { m.stale, m.broken = stale, broken }

// Lines is how many lines View takes now.
func (m policyMeter) Lines() int { return strings.Count(m.View(), "\n") + 1 }

// View is the size line, in the unit STS counts (characters), and when the draft is too large
// the ways to shrink it (flow.ShrinkAdvice), one per line.
func (m policyMeter) View() string {
	st, tr := m.st, m.st.tr()
	sz := flow.MeasureSessionPolicy(m.doc)
	// Sizes as STS's limit is written (2048, not 2,048: the printer would group them).
	unit, n, limit := tr.S(sz.Unit), itoa(sz.N), itoa(sz.Limit)
	var line string
	switch {
	case m.doc == "":
		line = st.Muted.Render(tr.S("0 / %s %s · no session policy", itoa(sz.Limit), unit))
	case sz.TooLarge():
		line = st.Mark("deny", tr.S("%s / %s %s — TOO LARGE: STS refuses it", n, limit, unit))
	case m.stale:
		line = st.Muted.Render(tr.S("%s / %s %s · checking…", n, limit, unit))
	case m.broken:
		line = st.Mark("warn", tr.S("%s / %s %s — size fits, but the draft has errors (below)", n, limit, unit))
	case sz.N*10 > sz.Limit*9:
		line = st.Mark("warn", tr.S("%s / %s %s — near the limit (m minifies)", n, limit, unit))
	default:
		line = st.Mark("ok", tr.S("%s / %s %s", n, limit, unit))
	}
	lines := []string{line}
	if sz.TooLarge() {
		for _, a := range flow.ShrinkAdvice(m.doc) {
			for i, l := range wrapHard(tr.Domain(a), max(10, m.width-4)) {
				lead := "  → "
				if i > 0 {
					lead = "    "
				}
				lines = append(lines, lead+l)
			}
		}
	}
	for i, l := range lines {
		lines[i] = truncateLine(l, m.width)
	}
	return strings.Join(lines, "\n")
}

// itoa writes n without digit grouping.
func itoa(n int) string { return strconv.Itoa(n) }
