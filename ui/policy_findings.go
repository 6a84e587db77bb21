package ui

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// policyFindingsKeys are the findings list's bindings.
type policyFindingsKeys struct {
	Next, Prev key.Binding // step through the findings (not editing)
	EditNext   key.Binding // next finding while editing
	Fix        key.Binding // apply the finding's fix
}

// policyFindings lists the draft's findings with their line and column, steps through them
// (n/N, ctrl+g while editing) and applies a finding's fix to the draft.
type policyFindings struct {
	st   Styles
	keys policyFindingsKeys

	list  []policy.Finding
	at    int    // index of the last finding stepped to; -1 none
	doc   string // the draft the findings are shown beside
	stale bool   // the draft changed since the findings were made ("checking…")

	width, height int

	// The last Update's outcome.
	jumped   bool   // stepped to list[at]
	fixed    string // the draft with a fix applied
	hasFixed bool
}

func newPolicyFindings(st Styles) policyFindings {
	return policyFindings{
		st: st,
		keys: policyFindingsKeys{
			Next:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next finding")),
			Prev:     key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous finding")),
			EditNext: key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", "next finding")),
			Fix:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "apply the finding's fix")),
		},
		at: -1,
	}
}

// SetSize sets the room the list has: w columns, h lines.
func (m *policyFindings) SetSize(w, h int) { m.width, m.height = w, h }

// SetFindings shows new findings (none selected).
func (m *policyFindings) SetFindings(fs []policy.Finding) { m.list, m.at = fs, -1 }

// SetDraft says which draft the list is beside, and whether its findings are about an older text.
func (m *policyFindings) SetDraft(doc string, stale bool) { m.doc, m.stale = doc, stale }

// Findings returns the findings shown.
func (m policyFindings) Findings() []policy.Finding { return m.list }

// Update steps through the findings (Next, Prev, EditNext) or applies a fix (Fix): the screen
// routes only the keys that mean that in its mode. Jumped and Fixed report the outcome.
func (m policyFindings) Update(msg tea.Msg) (policyFindings, tea.Cmd) {
	m.jumped, m.fixed, m.hasFixed = false, "", false
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Next, m.keys.EditNext):
		m.step(1)
	case key.Matches(k, m.keys.Prev):
		m.step(-1)
	case key.Matches(k, m.keys.Fix):
		return m, m.applyFix()
	}
	return m, nil
}

// Jumped returns the finding the last Update stepped to.
func (m policyFindings) Jumped() (policy.Finding, bool) {
	if !m.jumped {
		return policy.Finding{}, false
	}
	return m.list[m.at], true
}

// Fixed returns the draft with the fix the last Update applied.
func (m policyFindings) Fixed() (string, bool) { return m.fixed, m.hasFixed }

// step selects the next (dir 1) or previous finding with a line.
func (m *policyFindings) step(dir int) {
	var lines []int
	for i, f := range m.list {
		if f.Line > 0 {
			lines = append(lines, i)
		}
	}
	if len(lines) == 0 {
		return
	}
	pos := 0
	for p, i := range lines {
		if i == m.at {
			pos = p + dir
			break
		}
		if p == len(lines)-1 {
			pos = 0
			if dir < 0 {
				pos = len(lines) - 1
			}
		}
	}
	pos = (pos%len(lines) + len(lines)) % len(lines)
	m.at = lines[pos]
	m.jumped = true
}

func (m policyFindings) hasLines() bool {
	for _, f := range m.list {
		if f.Line > 0 {
			return true
		}
	}
	return false
}

// fixable returns the finding whose fix f applies: the one last stepped to when it has a fix,
// else the first finding with one.
func (m policyFindings) fixable() (policy.Finding, bool) {
	if m.stale {
		return policy.Finding{}, false // the findings describe an older text
	}
	if m.at >= 0 && m.at < len(m.list) && m.list[m.at].Fix != "" {
		return m.list[m.at], true
	}
	for _, f := range m.list {
		if f.Fix != "" {
			return f, true
		}
	}
	return policy.Finding{}, false
}

// applyFix applies a finding's fix: a whole document (Line 0, e.g. the minified form) or the
// JSON string that starts at the finding's position (e.g. a "did you mean" action).
func (m *policyFindings) applyFix() tea.Cmd {
	f, ok := m.fixable()
	if !ok {
		return nil
	}
	if f.Line == 0 {
		m.fixed, m.hasFixed = f.Fix, true
		text := m.st.tr().S("applied: %s", m.st.tr().Domain(f.Message))
		return func() tea.Msg { return StatusMsg{Text: text} }
	}
	fixed, err := replaceStringAtT(m.st.tr(), m.doc, f.Line, f.Col, f.Fix)
	if err != nil {
		ctx := m.st.tr().S("applying the fix")
		return func() tea.Msg { return ErrorMsg{Context: ctx, Err: err} }
	}
	m.fixed, m.hasFixed = fixed, true
	text := m.st.tr().S("line %d: now %q", f.Line, f.Fix)
	return func() tea.Msg { return StatusMsg{Text: text} }
}

// KeyMap returns the list's bindings, enabled where they would do something.
func (m policyFindings) KeyMap() policyFindingsKeys {
	k := m.keys
	lines := m.hasLines()
	k.Next.SetEnabled(len(m.list) > 0 && lines)
	k.EditNext.SetEnabled(len(m.list) > 0 && lines)
	k.Prev.SetEnabled(len(m.list) > 1 && lines)
	_, fixable := m.fixable()
	k.Fix.SetEnabled(fixable)
	return k
}

// View lists whole findings from the selected one (else the first) while they fit the room;
// the rest are counted.
func (m policyFindings) View() string {
	st, tr := m.st, m.st.tr()
	room, w := m.height, m.width
	if m.doc == "" {
		return fitBlock(st.Muted.Render(tr.S("no findings")), w, room)
	}
	if m.stale {
		return fitBlock(st.Muted.Render(tr.S("checking…")), w, room)
	}
	if len(m.list) == 0 {
		return fitBlock(st.Mark("ok", tr.S("no findings")), w, room)
	}
	fix, hasFix := m.fixable()
	// Each finding is wrapped (a "did you mean" suggestion sits at the end of its message),
	// continuation lines indented under its text.
	var blocks [][]string
	for i, f := range m.list {
		kind := "warn"
		switch f.Severity {
		case policy.SeverityError:
			kind = "deny"
		case policy.SeveritySuggestion:
			kind = "unknown"
		}
		where := tr.S("doc")
		switch {
		case f.Line > 0 && f.Col > 0:
			where = tr.S("line %d, col %d", f.Line, f.Col)
		case f.Line > 0:
			where = tr.S("line %d", f.Line)
		}
		sev := tr.S(string(f.Severity))
		if hasFix && f == fix {
			sev = tr.S("%s (f fixes)", sev)
		}
		text := tr.S("%s %s: %s", where, sev, tr.Domain(f.Message))
		if f.Path != "" {
			text = tr.S("%s %s: %s: %s", where, sev, humanPath(tr, f.Path), tr.Domain(f.Message))
		}
		lead := "  "
		if i == m.at {
			lead = GlyphSelected + " "
		}
		wrapped := strings.Split(wrapText(text, max(w-4, 10)), "\n")
		block := []string{lead + st.Mark(kind, wrapped[0])}
		for _, l := range wrapped[1:] {
			block = append(block, "    "+st.kindStyle(kind).Render(l))
		}
		blocks = append(blocks, block)
	}
	start := 0
	if m.at > 0 && m.at < len(blocks) {
		start = m.at
	}
	var lines []string
	shown := 0
	for i := start; i < len(blocks); i++ {
		rest := len(blocks) - start - shown - 1 // findings after this one
		need := len(blocks[i])
		if rest > 0 {
			need++ // keep a line for "… N more"
		}
		if len(lines)+need > room && shown > 0 {
			break
		}
		lines = append(lines, blocks[i]...)
		shown++
	}
	if more := len(blocks) - shown; more > 0 {
		lines = append(lines, st.Muted.Render(tr.S("… %d more (n steps through them)", more)))
	}
	return fitBlock(strings.Join(lines, "\n"), w, room)
}

// replaceStringAt replaces the JSON string literal that starts at 1-based line and col with
// value (JSON-escaped).
func replaceStringAt(doc string, line, col int, value string) (string, error) {
	return replaceStringAtT(nil, doc, line, col, value)
}

// replaceStringAtT is replaceStringAt with its errors in tr's language (nil: English).
func replaceStringAtT(tr *i18n.T, doc string, line, col int, value string) (string, error) {
	lines := strings.Split(doc, "\n")
	if line < 1 || line > len(lines) {
		return "", errors.New(tr.S("line %d is outside the document (%d lines)", line, len(lines)))
	}
	l := lines[line-1]
	start := col - 1
	if start < 0 || start >= len(l) || l[start] != '"' {
		// Columns may count runes: find the quote at that rune position.
		start = -1
		for i, n := 0, 0; i < len(l); n++ {
			_, size := utf8.DecodeRuneInString(l[i:])
			if n == col-1 && l[i] == '"' {
				start = i
				break
			}
			i += size
		}
		if start < 0 {
			return "", errors.New(tr.S("line %d, col %d: no string starts there (the text changed?)", line, col))
		}
	}
	end := -1
	for i := start + 1; i < len(l); i++ {
		if l[i] == '\\' {
			i++
			continue
		}
		if l[i] == '"' {
			end = i
			break
		}
	}
	if end < 0 {
		return "", errors.New(tr.S("line %d, col %d: the string does not end on its line", line, col))
	}
	quoted, err := json.Marshal(value)
	if err != nil {
		return "", err
	}
	lines[line-1] = l[:start] + string(quoted) + l[end+1:]
	return strings.Join(lines, "\n"), nil
}
