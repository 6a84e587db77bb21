package ui

import (
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// policyFormKeys are the bindings of the Policy screen's two forms (scope and context).
type policyFormKeys struct {
	Field  key.Binding // ↑/↓: previous/next field
	Accept key.Binding // next field / done
	Cancel key.Binding
}

func newPolicyFormKeys() policyFormKeys {
	return policyFormKeys{
		// Only the arrows: j/k are letters a field takes.
		Field:  key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "field")),
		Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// fieldDir is the direction a Field key moves: -1 up, 1 down.
func fieldDir(k tea.KeyMsg) int {
	if k.Type == tea.KeyUp {
		return -1
	}
	return 1
}

// focusMark marks the focused field of a form with a glyph (no colour needed to see it).
func focusMark(focused bool) string {
	if focused {
		return GlyphSelected + " "
	}
	return "  "
}

// policyScopeForm asks for the bucket and prefix that templates and the preview use.
type policyScopeForm struct {
	st    Styles
	keys  policyFormKeys
	in    [2]textinput.Model // bucket, prefix
	focus int                // -1: none
	err   string

	state          policyFormState
	bucket, prefix string // accepted (Done)
}

func newPolicyScopeForm(st Styles) policyScopeForm {
	return policyScopeForm{
		st:   st,
		keys: newPolicyFormKeys(),
		in: [2]textinput.Model{
			st.Input("", "", 63),   // bucket (prompt and placeholder set in View)
			st.Input("", "", 1024), // prefix
		},
		focus: -1,
	}
}

// SetSize sets the fields' width for a screen w columns wide.
func (m *policyScopeForm) SetSize(w, _ int) {
	for i := range m.in {
		m.in[i].Width = min(w-12, 60)
	}
}

// SuggestBucket fills the bucket field with b unless it holds something already.
func (m *policyScopeForm) SuggestBucket(b string) {
	if b != "" && m.in[0].Value() == "" {
		m.in[0].SetValue(b)
	}
}

// BucketValue is the bucket field as typed.
func (m policyScopeForm) BucketValue() string { return m.in[0].Value() }

// Open shows the form on the bucket field; set: the fields show the scope in use.
func (m *policyScopeForm) Open(bucket, prefix string, set bool) tea.Cmd {
	m.state, m.err = policyFormActive, ""
	if set {
		m.in[0].SetValue(bucket)
		m.in[1].SetValue(prefix)
	}
	return m.focusField(0)
}

func (m *policyScopeForm) focusField(i int) tea.Cmd {
	cmd := focusTo(m.in[:], &m.focus, i)
	m.in[i].CursorEnd()
	return cmd
}

func (m *policyScopeForm) step(dir int) tea.Cmd {
	cmd := focusStep(m.in[:], &m.focus, dir, nil)
	m.in[m.focus].CursorEnd()
	return cmd
}

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// Update edits the fields; enter on the prefix checks both and is Done (Bucket, Prefix).
func (m policyScopeForm) Update(msg tea.Msg) (policyScopeForm, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			m.state = policyFormCancelled
			focusTo(m.in[:], &m.focus, -1)
			return m, nil
		case key.Matches(k, m.keys.Field):
			return m, m.step(fieldDir(k)) // two fields: up and down both go to the other
		case key.Matches(k, m.keys.Accept):
			if m.focus == 0 {
				return m, m.focusField(1)
			}
			b := strings.TrimSpace(m.in[0].Value())
			p := strings.TrimLeft(strings.TrimSpace(m.in[1].Value()), "/")
			if !bucketNamePattern.MatchString(b) || strings.Contains(b, "--") {
				m.err = m.st.tr().S("bucket %q: 3–63 characters, lower-case letters, digits and -, not starting or ending with -", b)
				return m, m.focusField(0)
			}
			if strings.ContainsAny(p, "*?\"") {
				m.err = m.st.tr().S("prefix %q: no wildcards or quotes (the template adds *)", p)
				return m, nil
			}
			if p != "" && !strings.HasSuffix(p, "/") {
				p += "/"
			}
			m.state, m.bucket, m.prefix = policyFormDone, b, p
			focusTo(m.in[:], &m.focus, -1)
			return m, nil
		}
	}
	if m.focus < 0 {
		return m, nil
	}
	var cmd tea.Cmd
	m.in[m.focus], cmd = m.in[m.focus].Update(msg)
	return m, cmd
}

// ShortHelp is the form's help.
func (m policyScopeForm) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Field, m.keys.Accept, m.keys.Cancel}
}

// View is the form.
func (m policyScopeForm) View() string {
	st, tr := m.st, m.st.tr()
	// The fields' prompts and placeholders in the current language (m is a copy).
	m.in[0].Prompt, m.in[0].Placeholder = tr.S("Bucket: "), tr.S("bucket name, e.g. examplebucket")
	m.in[1].Prompt, m.in[1].Placeholder = tr.S("Prefix: "), tr.S("e.g. src/ (empty = whole bucket)")
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("Bucket and prefix for templates and the preview")) + "\n")
	for i := range m.in {
		b.WriteString(focusMark(i == m.focus) + m.in[i].View() + "\n")
	}
	if m.err != "" {
		b.WriteString(st.Mark("deny", m.err) + "\n")
	}
	b.WriteString(st.Muted.Render(tr.S("enter: next / done · ↑/↓ field · esc cancel")))
	return b.String()
}

// policyContextForm asks what the preview assumes about the request (source IP, HTTPS, time).
type policyContextForm struct {
	st    Styles
	keys  policyFormKeys
	now   func() time.Time
	in    [3]textinput.Model // source IP, HTTPS, time
	focus int                // -1: none
	err   string

	state policyFormState
	ctx   PreviewContext // accepted (Done)
}

func newPolicyContextForm(st Styles, now func() time.Time) policyContextForm {
	// Short placeholders (a textinput cuts its placeholder at its width); the line under the
	// form says that empty means unknown.
	return policyContextForm{
		st:   st,
		keys: newPolicyFormKeys(),
		now:  now,
		in: [3]textinput.Model{
			st.Input("", "", 64), // source IP (prompts and placeholders set in View)
			st.Input("", "", 8),  // HTTPS
			st.Input("", "", 64), // time
		},
		focus: -1,
	}
}

// SetSize sets the fields' width for a screen w columns wide.
func (m *policyContextForm) SetSize(w, _ int) {
	for i := range m.in {
		m.in[i].Width = min(w-14, 40)
	}
}

// Open shows the form on its first field.
func (m *policyContextForm) Open() tea.Cmd {
	m.state, m.err = policyFormActive, ""
	return focusTo(m.in[:], &m.focus, 0)
}

func (m *policyContextForm) step(dir int) tea.Cmd {
	cmd := focusStep(m.in[:], &m.focus, dir, nil)
	m.in[m.focus].CursorEnd()
	return cmd
}

// Update edits the fields; enter on the last parses them and is Done (Context).
func (m policyContextForm) Update(msg tea.Msg) (policyContextForm, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			m.state = policyFormCancelled
			focusTo(m.in[:], &m.focus, -1)
			return m, nil
		case key.Matches(k, m.keys.Field):
			return m, m.step(fieldDir(k))
		case key.Matches(k, m.keys.Accept):
			if m.focus < len(m.in)-1 {
				return m, m.step(1)
			}
			tr := m.st.tr()
			https := strings.TrimSpace(m.in[1].Value())
			switch strings.ToLower(https) {
			case tr.S("yes"):
				https = "yes"
			case tr.S("no"):
				https = "no"
			}
			c, err := ParsePreviewContext(m.in[0].Value(), https, m.in[2].Value(), m.now())
			if err != nil {
				m.err = tr.Domain(err.Error())
				return m, nil
			}
			m.ctx = c
			m.in[0].SetValue(c.SourceIP)
			m.in[1].SetValue(map[string]string{"true": tr.S("yes"), "false": tr.S("no")}[c.HTTPS])
			m.in[2].SetValue(c.Time)
			m.state = policyFormDone
			focusTo(m.in[:], &m.focus, -1)
			return m, nil
		}
	}
	if m.focus < 0 {
		return m, nil
	}
	var cmd tea.Cmd
	m.in[m.focus], cmd = m.in[m.focus].Update(msg)
	return m, cmd
}

// Context is the context accepted.
func (m policyContextForm) Context() PreviewContext { return m.ctx }

// ShortHelp is the form's help.
func (m policyContextForm) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Field, m.keys.Accept, m.keys.Cancel}
}

// View is the form.
func (m policyContextForm) View() string {
	st, tr := m.st, m.st.tr()
	// The prompts in the current language, padded to one width in cells (m is a copy).
	prompts := []string{tr.S("Source IP: "), tr.S("HTTPS: "), tr.S("Time: ")}
	pw := 0
	for _, p := range prompts {
		pw = max(pw, cellWidth(p))
	}
	holders := []string{tr.S("e.g. 192.0.2.10"), tr.S("yes / no"), tr.S("RFC 3339 or now")}
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("What the preview assumes about the request")) + "\n")
	for i, in := range m.in {
		in.Prompt = prompts[i] + strings.Repeat(" ", pw-cellWidth(prompts[i]))
		in.Placeholder = holders[i]
		b.WriteString(focusMark(i == m.focus) + in.View() + "\n")
	}
	if m.err != "" {
		b.WriteString(st.Mark("deny", m.err) + "\n")
	}
	b.WriteString(st.Muted.Render(tr.S("empty = unknown: conditions on it show ? · enter: next / done · esc cancel")))
	return b.String()
}
