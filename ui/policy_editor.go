package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// policyFormState is where a form, menu or prompt of the Policy screen stands after its last
// Update (as huh's Form.State): the screen reads it after routing a key there.
type policyFormState int

const (
	policyFormActive    policyFormState = iota // still asking
	policyFormDone                             // accepted: the result is ready
	policyFormCancelled                        // backed out
)

// policyEditorKeys are the editor's own bindings (the textarea's keys do the typing).
type policyEditorKeys struct {
	Done key.Binding // stop editing
}

// policyEditor is the session-policy editor: a textarea with line numbers whose every soft-wrapped
// character is visible, under a title line that says where the cursor is while editing.
type policyEditor struct {
	st   Styles
	keys policyEditorKeys
	ta   textarea.Model

	// grow: the height follows the document (side by side), up to maxH; else it is maxH.
	grow bool
	maxH int

	changed bool // the last Update changed the text
}

func newPolicyEditor(st Styles) policyEditor {
	e := textarea.New()
	e.ShowLineNumbers = true
	e.MaxHeight = 999 // also sets the line-number gutter to 3 digits (0 would give 1 and overflow at line 10)
	e.CharLimit = 0
	e.Prompt = " "
	if st.NoColor {
		plain := textarea.Style{}
		e.FocusedStyle, e.BlurredStyle = plain, plain
	}
	e.KeyMap.InsertNewline.SetKeys("enter", "ctrl+m")
	e.Cursor.SetMode(cursor.CursorStatic)
	return policyEditor{
		st:   st,
		keys: policyEditorKeys{Done: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop editing"))},
		ta:   e,
	}
}

// SetSize makes the editor w columns wide; h is its height, or (grow) the most rows it may take.
func (m *policyEditor) SetSize(w, h int, grow bool) {
	m.setWidth(w)
	m.grow, m.maxH = grow, h
	if !grow {
		m.ta.SetHeight(h)
	}
	m.fit()
}

// setWidth makes the editor exactly w columns wide, every character of its text visible.
// The textarea (bubbles v1.0.0) reserves 4 columns for the line-number gutter in SetWidth, but
// draws len(MaxHeight's digits)+2 columns: 5 with MaxHeight 999. A row was then 1 column wider
// than its viewport, which cut the last character of every soft-wrapped row. SetWidth takes
// the prompt's width from Prompt and View draws Prompt as it is, so the gutter's extra columns
// are reserved through a wider Prompt while SetWidth runs.
func (m *policyEditor) setWidth(w int) {
	extra := max(0, len(strconv.Itoa(m.ta.MaxHeight))+2-4)
	prompt := m.ta.Prompt
	m.ta.Prompt = prompt + strings.Repeat(" ", extra)
	m.ta.SetWidth(w)
	m.ta.Prompt = prompt
}

// fit sizes a growing editor: the document's lines plus room to grow, up to maxH (a textarea
// renders every row it has, so rows nobody can fill are not worth drawing).
func (m *policyEditor) fit() {
	if !m.grow {
		return
	}
	want := max(m.ta.LineCount()+8, 16)
	if h := min(m.maxH, want); h != m.ta.Height() {
		m.ta.SetHeight(h)
	}
}

// Update types into the editor while it has focus; Done blurs it. Changed reports whether the
// text changed.
func (m policyEditor) Update(msg tea.Msg) (policyEditor, tea.Cmd) {
	m.changed = false
	if k, ok := msg.(tea.KeyMsg); ok && m.ta.Focused() && key.Matches(k, m.keys.Done) {
		m.ta.Blur()
		return m, nil
	}
	before := m.ta.Value()
	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(msg)
	if m.ta.Value() != before {
		m.changed = true
		m.fit()
	}
	return m, cmd
}

// Changed reports whether the last Update changed the text.
func (m policyEditor) Changed() bool { return m.changed }

// Value is the text as typed.
func (m policyEditor) Value() string { return m.ta.Value() }

// SetValue replaces the text.
func (m *policyEditor) SetValue(doc string) {
	m.ta.SetValue(doc)
	m.fit()
}

// Focus starts editing; Blur stops.
func (m *policyEditor) Focus() tea.Cmd { return m.ta.Focus() }
func (m *policyEditor) Blur()          { m.ta.Blur() }
func (m policyEditor) Focused() bool   { return m.ta.Focused() }

// Line is the cursor's 0-based line.
func (m policyEditor) Line() int { return m.ta.Line() }

// Goto puts the cursor on 1-based line and col.
func (m *policyEditor) Goto(line, col int) {
	target := line - 1
	if n := m.ta.LineCount(); target >= n {
		target = n - 1
	}
	for i := 0; i < 100000 && m.ta.Line() > target; i++ {
		m.ta.CursorUp()
	}
	for i := 0; i < 100000 && m.ta.Line() < target; i++ {
		m.ta.CursorDown()
	}
	m.ta.SetCursor(max(col-1, 0))
}

// Reveal scrolls the view to the cursor without leaving the editor focused. The textarea
// scrolls to its cursor only in Update while focused: let it do so once, then blur it again.
func (m *policyEditor) Reveal() {
	m.ta.Focus()
	m.ta, _ = m.ta.Update(nil)
	m.ta.Blur()
}

// ShortHelp is the editor's help while it has focus.
func (m policyEditor) ShortHelp() []key.Binding { return []key.Binding{m.keys.Done} }

// View is the title line and the text.
func (m policyEditor) View() string {
	st, tr := m.st, m.st.tr()
	head := st.Title.Render(tr.S("Session policy"))
	if m.ta.Focused() {
		li := m.ta.LineInfo()
		head += st.Muted.Render("  " + tr.S("editing line %d, col %d — esc to stop", m.ta.Line()+1, li.StartColumn+li.ColumnOffset+1))
	} else {
		head += st.Muted.Render("  " + tr.S("e edit · t template"))
	}
	// The placeholder in the current language (the console switches it live; m is a copy).
	m.ta.Placeholder = tr.S("No session policy: the token gets all of the role's permissions.\nt starts from a template, e edits, o opens a file.")
	return head + "\n" + m.ta.View()
}

// policyFileKeys are the open/save prompt's bindings.
type policyFileKeys struct {
	Accept, Cancel key.Binding
	Recall         key.Binding // put the offered path in the field
	Yes, No        key.Binding // overwriting
}

// policyFilePrompt asks for the path a policy is opened from or saved to, then (save) whether
// to overwrite a file that exists.
type policyFilePrompt struct {
	st   Styles
	keys policyFileKeys
	in   textinput.Model

	forWhat   string // "open" or "save"
	overwrite string // path to confirm overwriting; "" while asking for the path

	state policyFormState
	path  string // the path accepted (Done while asking)
	last  string // the last path accepted (offered next time)
	offer string // the path enter takes on an empty field ("" none)
}

func newPolicyFilePrompt(st Styles) policyFilePrompt {
	return policyFilePrompt{
		st: st,
		keys: policyFileKeys{
			Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Recall: key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "edit the offered path")),
			Yes:    key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "overwrite")),
			No:     key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "keep file")),
		},
		in: st.Input("", "", 4096),
	}
}

// SetSize sets the path field's width for a screen w columns wide.
func (m *policyFilePrompt) SetSize(w, _ int) { m.in.Width = w - 14 }

// Ask asks for a path to open from or save to ("open" / "save"). The field starts empty, so
// typing never appends to an old path; the last path accepted (else suggest) is its
// placeholder: enter on the empty field takes it, ↑ puts it in the field to edit.
func (m *policyFilePrompt) Ask(forWhat, suggest string) tea.Cmd {
	m.forWhat, m.overwrite, m.state = forWhat, "", policyFormActive
	m.offer = m.last
	if m.offer == "" {
		m.offer = suggest
	}
	m.in.SetValue("")
	m.in.Placeholder = m.offer
	return m.in.Focus()
}

// Confirm asks whether to overwrite path: Done is yes, Cancelled no.
func (m *policyFilePrompt) Confirm(path string) {
	m.overwrite, m.state = path, policyFormActive
}

// Path is the path accepted (after Ask) or to overwrite (after Confirm).
func (m policyFilePrompt) Path() string {
	if m.overwrite != "" {
		return m.overwrite
	}
	return m.path
}

// Update edits the path, or answers the overwrite question.
func (m policyFilePrompt) Update(msg tea.Msg) (policyFilePrompt, tea.Cmd) {
	k, isKey := msg.(tea.KeyMsg)
	if m.overwrite != "" {
		switch {
		case !isKey:
		case key.Matches(k, m.keys.Yes):
			m.state = policyFormDone
		case key.Matches(k, m.keys.No):
			m.state = policyFormCancelled
		}
		return m, nil
	}
	if isKey {
		switch {
		case key.Matches(k, m.keys.Cancel):
			m.state = policyFormCancelled
			m.in.Blur()
			return m, nil
		case key.Matches(k, m.keys.Recall) && m.offer != "" && m.in.Value() == "":
			m.in.SetValue(m.offer)
			m.in.CursorEnd()
			return m, nil
		case key.Matches(k, m.keys.Accept):
			typed := strings.TrimSpace(m.in.Value())
			if typed == "" {
				typed = m.offer
			}
			p := expandHome(typed)
			if p == "" {
				return m, nil
			}
			m.state, m.path, m.last = policyFormDone, p, typed
			m.in.Blur()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.in, cmd = m.in.Update(msg)
	return m, cmd
}

// ShortHelp is the prompt's help.
func (m policyFilePrompt) ShortHelp() []key.Binding {
	if m.overwrite != "" {
		return []key.Binding{m.keys.Yes, m.keys.No}
	}
	if m.offer != "" && m.in.Value() == "" {
		return []key.Binding{m.keys.Accept, m.keys.Recall, m.keys.Cancel}
	}
	return []key.Binding{m.keys.Accept, m.keys.Cancel}
}

// View is the prompt, or the overwrite question.
func (m policyFilePrompt) View() string {
	st, tr := m.st, m.st.tr()
	if m.overwrite != "" {
		return st.Mark("warn", tr.S("%s exists — overwrite it? (y/n)", m.overwrite))
	}
	title := tr.S("Save the session policy")
	m.in.Prompt = tr.S("Save to: ") // m is a copy: the prompt in the current language
	if m.forWhat == "open" {
		title, m.in.Prompt = tr.S("Open a policy file"), tr.S("Open file: ")
	}
	return st.Title.Render(title) + "\n" + m.in.View() + "\n" + st.Muted.Render(m.hint())
}

func (m policyFilePrompt) hint() string {
	tr := m.st.tr()
	if m.offer != "" && m.in.Value() == "" {
		return tr.S("enter: %s · ↑ edit it · esc cancel", m.offer)
	}
	return tr.S("enter: ok · esc cancel")
}

// Messages of the open/save prompt's file I/O.
type (
	fileLoadedMsg struct {
		req     int
		path    string
		content string
		err     error
	}
	fileSavedMsg struct {
		req    int
		path   string
		exists bool
		err    error
	}
)

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, p[2:])
		}
	}
	return p
}

// maxPolicyFile bounds what "open" reads: far above any policy limit, far below harm.
const maxPolicyFile = 1 << 20

// errFileTooLarge: the file is larger than maxPolicyFile (the screen says it in the operator's language).
var errFileTooLarge = fmt.Errorf("larger than %d bytes: not a policy document", maxPolicyFile) // i18n:ok (fileLoadedMsg's handler translates it)

func loadFile(req int, path string) tea.Cmd {
	return func() tea.Msg {
		f, err := os.Open(path)
		if err != nil {
			return fileLoadedMsg{req: req, path: path, err: err}
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
		if err != nil {
			return fileLoadedMsg{req: req, path: path, err: err}
		}
		if len(data) > maxPolicyFile {
			return fileLoadedMsg{req: req, path: path, err: errFileTooLarge}
		}
		return fileLoadedMsg{req: req, path: path, content: string(data)}
	}
}

func saveFile(req int, path, doc string, overwrite bool) tea.Cmd {
	return func() tea.Msg {
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if overwrite {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(path, flags, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return fileSavedMsg{req: req, path: path, exists: true}
		}
		if err != nil {
			return fileSavedMsg{req: req, path: path, err: err}
		}
		if _, err := f.WriteString(doc + "\n"); err != nil {
			f.Close()
			return fileSavedMsg{req: req, path: path, err: err}
		}
		return fileSavedMsg{req: req, path: path, err: f.Close()}
	}
}
