package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// PolicyKeys are the Policy screen's bindings.
type PolicyKeys struct {
	Edit        key.Binding
	Template    key.Binding
	Scope       key.Binding
	Open        key.Binding
	Save        key.Binding
	Minify      key.Binding
	NextFinding key.Binding
	PrevFinding key.Binding
	Context     key.Binding
	Clear       key.Binding
	Fix         key.Binding
	// While editing.
	EditFinding key.Binding
	Done        key.Binding
	// In forms and menus.
	Up, Down key.Binding
	Accept   key.Binding
	Cancel   key.Binding
	Yes, No  key.Binding
}

func newPolicyKeys() PolicyKeys {
	return PolicyKeys{
		Edit:        key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e", "edit")),
		Template:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "template")),
		Scope:       key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "bucket/prefix")),
		Open:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open file")),
		Save:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save file")),
		Minify:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "minify")),
		NextFinding: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next finding")),
		PrevFinding: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous finding")),
		Context:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "preview context")),
		Clear:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "no session policy")),
		Fix:         key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "apply the finding's fix")),
		EditFinding: key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", "next finding")),
		Done:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop editing")),
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		Accept:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Yes:         key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "overwrite")),
		No:          key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "keep file")),
	}
}

type policyMode int

const (
	modeBrowse    policyMode = iota
	modeEdit                 // the editor has focus
	modeTemplate             // template menu
	modeScope                // bucket + prefix form
	modePath                 // open/save path
	modeContext              // preview context form
	modeOverwrite            // confirm overwriting a file
)

// validateDelay is the debounce between the last keystroke and re-validation.
const validateDelay = 250 * time.Millisecond

// PolicyScreen edits the session policy and previews what a token would be allowed.
type PolicyScreen struct {
	svc  *Services
	st   Styles
	now  func() time.Time
	keys PolicyKeys

	editor textarea.Model
	mode   policyMode

	width, height int
	wide          bool
	sideW         int

	editSeq  int
	shownSeq int
	// pendingSeq is the edit a Pending PolicyChangedMsg was last sent for.
	pendingSeq int
	findings   []policy.Finding
	compiled   *policy.Policy
	broken     bool // error findings
	findingAt  int  // index of the last finding jumped to

	bucket, prefix string
	scopeSet       bool
	tplCursor      int
	pendingTpl     string
	tplNames       []string        // menu order: base templates, then overlays
	tplOverlay     map[string]bool // overlays (Deny-only additions such as no-delete)
	tplChecked     map[string]bool // overlays ticked in the menu
	scope          [2]textinput.Model
	scopeFocus     int
	scopeErr       string

	path      textinput.Model
	pathFor   string // "open" or "save"
	fileReq   int
	overwrite string // path to confirm

	ctxIn    [3]textinput.Model
	ctxFocus int
	ctxErr   string
	pctx     PreviewContext

	role     *model.Role
	identity IdentityLayer
	preview  Preview

	// The bucket's policy, read with the console's own credentials when the bucket is chosen.
	bucketReq    int
	bucketFor    string         // bucket the state below is about
	bucketPolicy *policy.Policy // nil: none, not read, or unreadable
	bucketNote   string         // what the preview knows about the bucket layer

	lastSent PolicyChangedMsg
	sentOnce bool
}

// Messages of the Policy screen.
type (
	validateDueMsg struct{ seq int }
	findingsMsg    struct {
		seq      int
		doc      string
		findings []policy.Finding
		compiled *policy.Policy
	}
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
	bucketPolicyMsg struct {
		req    int
		bucket string
		doc    string
		found  bool
		err    error
	}
)

// NewPolicyScreen builds the Policy screen.
func NewPolicyScreen(svc *Services, st Styles, now func() time.Time) *PolicyScreen {
	if now == nil {
		now = time.Now
	}
	s := &PolicyScreen{svc: svc, st: st, now: now, keys: newPolicyKeys()}
	e := textarea.New()
	e.ShowLineNumbers = true
	e.MaxHeight = 999 // also sets the line-number gutter to 3 digits (0 would give 1 and overflow at line 10)
	e.CharLimit = 0
	e.Prompt = " "
	e.Placeholder = "No session policy: the token gets all of the role's permissions.\nt starts from a template, e edits, o opens a file."
	if st.NoColor {
		plain := textarea.Style{}
		e.FocusedStyle, e.BlurredStyle = plain, plain
	}
	e.KeyMap.InsertNewline.SetKeys("enter", "ctrl+m")
	e.Cursor.SetMode(cursor.CursorStatic)
	s.editor = e
	s.scope[0] = st.Input("Bucket: ", "bucket name, e.g. examplebucket", 63)
	s.scope[1] = st.Input("Prefix: ", "e.g. src/ (empty = whole bucket)", 1024)
	s.path = st.Input("", "", 4096)
	// Short placeholders (a textinput cuts its placeholder at its width); the line under the
	// form says that empty means unknown.
	s.ctxIn[0] = st.Input("Source IP: ", "e.g. 192.0.2.10", 64)
	s.ctxIn[1] = st.Input("HTTPS:     ", "yes / no", 8)
	s.ctxIn[2] = st.Input("Time:      ", "RFC 3339 or now", 64)
	s.tplNames, s.tplOverlay = templateMenu()
	s.tplChecked = map[string]bool{}
	s.identity = CompileIdentity(nil)
	s.recompute()
	return s
}

// Init has nothing to start: the preview is computed from what other screens send.
func (s *PolicyScreen) Init() tea.Cmd {
	// The sandbox's classic scenario: its bucket is preloaded (templates still ask for the
	// prefix). Init runs once the services are connected, so Mode is known here.
	if s.svc != nil && s.svc.Mode == "sandbox" && s.bucket == "" && !s.scopeSet {
		s.bucket = SandboxDemoBucket
		if s.scope[0].Value() == "" {
			s.scope[0].SetValue(SandboxDemoBucket)
		}
		s.recompute()
		return s.readBucketPolicy()
	}
	return nil
}

// SandboxDemoBucket is the bucket of the sandbox's classic scenario (role RamOssTest).
const SandboxDemoBucket = "examplebucket"

// Title is the tab label.
func (s *PolicyScreen) Title() string { return "Policy" }

// InputFocused reports whether a text field (editor or form) has focus.
func (s *PolicyScreen) InputFocused() bool {
	switch s.mode {
	case modeEdit, modeScope, modePath, modeContext:
		return true
	}
	return false
}

// Doc returns the draft as it would be sent (trimmed; "" = no session policy).
func (s *PolicyScreen) Doc() string { return strings.TrimSpace(s.editor.Value()) }

// Findings returns the findings shown.
func (s *PolicyScreen) Findings() []policy.Finding { return s.findings }

// Preview returns the grid shown.
func (s *PolicyScreen) Preview() Preview { return s.preview }

// Scope returns the bucket and prefix the preview uses.
func (s *PolicyScreen) Scope() (bucket, prefix string) { return s.bucket, s.prefix }

// CursorLine returns the editor's 1-based cursor line.
func (s *PolicyScreen) CursorLine() int { return s.editor.Line() + 1 }

// Editing reports whether the editor has focus.
func (s *PolicyScreen) Editing() bool { return s.mode == modeEdit }

// SetSize lays out: editor left and a side pane from 120 columns; stacked below.
func (s *PolicyScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.wide = w >= 120
	if s.wide {
		s.sideW = min(w/2, 90)
		s.setEditorWidth(w - s.sideW - 3)
	} else {
		s.sideW = w
		s.setEditorWidth(w)
		s.editor.SetHeight(max(h-stackedSideH, 3))
	}
	s.fitEditor()
	for i := range s.scope {
		s.scope[i].Width = min(w-12, 60)
	}
	s.path.Width = w - 14
	for i := range s.ctxIn {
		s.ctxIn[i].Width = min(w-14, 40)
	}
}

// setEditorWidth makes the editor exactly w columns wide, every character of its text visible.
// The textarea (bubbles v1.0.0) reserves 4 columns for the line-number gutter in SetWidth, but
// draws len(MaxHeight's digits)+2 columns: 5 with MaxHeight 999. A row was then 1 column wider
// than its viewport, which cut the last character of every soft-wrapped row. SetWidth takes
// the prompt's width from Prompt and View draws Prompt as it is, so the gutter's extra columns
// are reserved through a wider Prompt while SetWidth runs.
func (s *PolicyScreen) setEditorWidth(w int) {
	extra := max(0, len(strconv.Itoa(s.editor.MaxHeight))+2-4)
	prompt := s.editor.Prompt
	s.editor.Prompt = prompt + strings.Repeat(" ", extra)
	s.editor.SetWidth(w)
	s.editor.Prompt = prompt
}

// fitEditor sizes the editor: the space left when stacked; when side by side, the document's
// lines plus room to grow, up to the screen's height (a textarea renders every row it has, so
// rows nobody can fill are not worth drawing).
func (s *PolicyScreen) fitEditor() {
	if !s.wide {
		return
	}
	avail := max(s.height-1, 3)
	want := max(s.editor.LineCount()+8, 16)
	if h := min(avail, want); h != s.editor.Height() {
		s.editor.SetHeight(h)
	}
}

// KeyMap reflects the mode.
func (s *PolicyScreen) KeyMap() help.KeyMap {
	k := s.keys
	switch s.mode {
	case modeEdit:
		k.EditFinding.SetEnabled(len(s.findings) > 0 && s.hasLines())
		return bindings{short: []key.Binding{k.Done, k.EditFinding}}
	case modeTemplate:
		tick := key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "tick overlay"))
		tick.SetEnabled(s.tplOverlay[s.tplNames[s.tplCursor]])
		return bindings{short: []key.Binding{k.Up, k.Down, k.Accept, tick, k.Cancel}}
	case modeScope, modeContext:
		next := key.NewBinding(key.WithKeys("down"), key.WithHelp("↑/↓", "field"))
		return bindings{short: []key.Binding{next, k.Accept, k.Cancel}}
	case modePath:
		return bindings{short: []key.Binding{k.Accept, k.Cancel}}
	case modeOverwrite:
		return bindings{short: []key.Binding{k.Yes, k.No}}
	}
	has := s.Doc() != ""
	k.Minify.SetEnabled(has)
	k.Save.SetEnabled(has)
	k.Clear.SetEnabled(has)
	k.NextFinding.SetEnabled(len(s.findings) > 0 && s.hasLines())
	k.PrevFinding.SetEnabled(len(s.findings) > 1 && s.hasLines())
	_, fixable := s.fixable()
	k.Fix.SetEnabled(fixable)
	return bindings{
		short: []key.Binding{k.Edit, k.Template, k.NextFinding, k.Fix, k.Minify, k.Context},
		full: [][]key.Binding{
			{k.Edit, k.Template, k.Scope, k.Clear},
			{k.Open, k.Save, k.Minify},
			{k.NextFinding, k.PrevFinding, k.Fix, k.Context},
		},
	}
}

func (s *PolicyScreen) hasLines() bool {
	for _, f := range s.findings {
		if f.Line > 0 {
			return true
		}
	}
	return false
}

// Update handles keys and the screen's messages.
func (s *PolicyScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	scr, cmd := s.update(msg)
	if p := s.announcePending(); p != nil {
		cmd = tea.Batch(cmd, p)
	}
	return scr, cmd
}

// announcePending tells the other screens at once that the draft changed and is being checked,
// so nothing is issued from the previous draft meanwhile; announce sends the checked one.
func (s *PolicyScreen) announcePending() tea.Cmd {
	if s.editSeq == s.shownSeq || s.pendingSeq == s.editSeq {
		return nil
	}
	s.pendingSeq = s.editSeq
	m := PolicyChangedMsg{Doc: s.Doc(), Bucket: s.bucket, Prefix: s.prefix, Pending: true}
	s.sentOnce, s.lastSent = true, m
	return func() tea.Msg { return m }
}

func (s *PolicyScreen) update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return s, s.handleKey(msg)
	case validateDueMsg:
		if msg.seq != s.editSeq {
			return s, nil
		}
		return s, validate(s.Doc(), msg.seq)
	case findingsMsg:
		if msg.seq != s.editSeq {
			return s, nil // stale: typed on since
		}
		s.shownSeq = msg.seq
		s.findings = msg.findings
		s.compiled = msg.compiled
		s.broken = policy.HasErrors(msg.findings)
		s.findingAt = -1
		s.recompute()
		return s, s.announce()
	case fileLoadedMsg:
		if msg.req != s.fileReq {
			return s, nil
		}
		if msg.err != nil {
			err := msg.err
			return s, func() tea.Msg { return ErrorMsg{Context: "opening " + msg.path, Err: err} }
		}
		p := msg.path
		return s, tea.Batch(s.setDoc(msg.content), func() tea.Msg { return StatusMsg{Text: "loaded " + p} })
	case fileSavedMsg:
		if msg.req != s.fileReq {
			return s, nil
		}
		switch {
		case msg.exists:
			s.overwrite = msg.path
			s.mode = modeOverwrite
			return s, nil
		case msg.err != nil:
			err := msg.err
			return s, func() tea.Msg { return ErrorMsg{Context: "saving " + msg.path, Err: err} }
		}
		p := msg.path
		return s, func() tea.Msg { return StatusMsg{Text: "saved the session policy to " + p} }
	case bucketPolicyMsg:
		if msg.req != s.bucketReq {
			return s, nil
		}
		s.applyBucketPolicy(msg)
		s.recompute()
		return s, nil
	case RoleSelectedMsg:
		r := msg.Role
		s.role = &r
		s.identity = CompileIdentity(&r)
		if !s.scopeSet && s.scope[0].Value() == "" {
			if b := bucketHint(r); b != "" {
				s.scope[0].SetValue(b)
			}
		}
		s.recompute()
		return s, nil
	case CloneIssueMsg:
		// The record names its role by ARN only: keep what is loaded if it is the same role,
		// else the role's policies are unknown until it is chosen on the Roles screen.
		if arn := msg.Record.RoleARN; arn != "" && (s.role == nil || s.role.ARN != arn) {
			s.role = &model.Role{Name: roleNameFromARN(arn), ARN: arn}
			s.identity = CompileIdentity(s.role)
		}
		return s, s.setDoc(msg.Record.SessionPolicy)
	case tea.MouseMsg:
		if s.mode == modeEdit {
			var cmd tea.Cmd
			s.editor, cmd = s.editor.Update(msg)
			return s, cmd
		}
		return s, nil
	}
	// Cursor blinks and the like.
	var cmds []tea.Cmd
	if s.mode == modeEdit {
		var cmd tea.Cmd
		s.editor, cmd = s.editor.Update(msg)
		cmds = append(cmds, cmd)
	}
	return s, tea.Batch(cmds...)
}

func validate(doc string, seq int) tea.Cmd {
	return func() tea.Msg {
		m := findingsMsg{seq: seq, doc: doc}
		if doc == "" {
			return m
		}
		m.compiled, m.findings = policy.Validate("session policy", []byte(doc), policy.KindSession)
		return m
	}
}

// setDoc replaces the draft and validates it at once (no debounce: it was not typed).
func (s *PolicyScreen) setDoc(doc string) tea.Cmd {
	s.editor.SetValue(strings.TrimRight(doc, " \t\r\n"))
	s.fitEditor()
	s.editSeq++
	return validate(s.Doc(), s.editSeq)
}

// announce tells the other screens about the draft when it changed.
func (s *PolicyScreen) announce() tea.Cmd {
	m := PolicyChangedMsg{Doc: s.Doc(), Bucket: s.bucket, Prefix: s.prefix, Valid: !s.broken}
	if s.sentOnce && m == s.lastSent {
		return nil
	}
	s.sentOnce, s.lastSent = true, m
	return func() tea.Msg { return m }
}

func (s *PolicyScreen) recompute() {
	in := PreviewInput{
		Identity:      s.identity,
		Region:        s.svc.Region,
		AccountID:     s.svc.AccountID,
		Bucket:        s.bucket,
		Prefix:        s.prefix,
		Context:       s.pctx,
		SessionBroken: s.broken,
	}
	if s.bucketFor == s.bucket {
		in.BucketPolicy = s.bucketPolicy
	}
	if s.role != nil {
		in.RoleName = s.role.Name
		if m := roleARNPattern.FindStringSubmatch(s.role.ARN); m != nil {
			in.AccountID = m[1]
		}
	}
	if s.Doc() != "" && !s.broken {
		in.Session = s.compiled
		if in.Session == nil {
			// Not validated yet (debounce pending): keep the last grid.
			if len(s.preview.Cells) > 0 {
				return
			}
		}
	}
	s.preview = ComputePreview(in)
}

func (s *PolicyScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch s.mode {
	case modeEdit:
		switch {
		case keyIs(msg, k.Done):
			s.mode = modeBrowse
			s.editor.Blur()
			return nil
		case keyIs(msg, k.EditFinding):
			return s.jumpFinding(1)
		}
		before := s.editor.Value()
		var cmd tea.Cmd
		s.editor, cmd = s.editor.Update(msg)
		if s.editor.Value() != before {
			s.fitEditor()
			s.editSeq++
			seq := s.editSeq
			return tea.Batch(cmd, tea.Tick(validateDelay, func(time.Time) tea.Msg { return validateDueMsg{seq: seq} }))
		}
		return cmd
	case modeTemplate:
		return s.templateKey(msg)
	case modeScope:
		return s.scopeKey(msg)
	case modePath:
		return s.pathKey(msg)
	case modeContext:
		return s.contextKey(msg)
	case modeOverwrite:
		switch {
		case keyIs(msg, k.Yes):
			s.mode = modeBrowse
			s.fileReq++
			return saveFile(s.fileReq, s.overwrite, s.Doc(), true)
		case keyIs(msg, k.No):
			s.mode = modeBrowse
			return func() tea.Msg { return StatusMsg{Text: "not saved"} }
		}
		return nil
	}
	switch {
	case keyIs(msg, k.Edit):
		s.mode = modeEdit
		return s.editor.Focus()
	case keyIs(msg, k.Template):
		s.mode = modeTemplate
		return nil
	case keyIs(msg, k.Scope):
		s.pendingTpl = ""
		return s.openScope()
	case keyIs(msg, k.Open):
		return s.openPath("open", "")
	case keyIs(msg, k.Save):
		if s.Doc() == "" {
			return nil
		}
		return s.openPath("save", "session-policy.json")
	case keyIs(msg, k.Minify):
		return s.minify()
	case keyIs(msg, k.NextFinding):
		return s.jumpFinding(1)
	case keyIs(msg, k.PrevFinding):
		return s.jumpFinding(-1)
	case keyIs(msg, k.Context):
		s.mode = modeContext
		s.ctxFocus = 0
		s.ctxErr = ""
		return s.ctxIn[0].Focus()
	case keyIs(msg, k.Fix):
		return s.applyFix()
	case keyIs(msg, k.Clear):
		if s.Doc() == "" {
			return nil
		}
		return tea.Batch(s.setDoc(""), func() tea.Msg { return StatusMsg{Text: "no session policy: the token gets the role's permissions"} })
	}
	return nil
}

// jumpFinding moves the editor's cursor to the next (dir 1) or previous finding with a line.
func (s *PolicyScreen) jumpFinding(dir int) tea.Cmd {
	var lines []int
	for i, f := range s.findings {
		if f.Line > 0 {
			lines = append(lines, i)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	pos := 0
	for p, i := range lines {
		if i == s.findingAt {
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
	s.findingAt = lines[pos]
	f := s.findings[s.findingAt]
	s.gotoLine(f.Line, f.Col)
	if s.mode == modeEdit {
		return nil // ctrl+g while editing: the cursor moved, keep typing there
	}
	// n/N only move the cursor and the view to the finding: keys keep their meaning (a
	// second n goes to the next finding, it does not type "n"). The textarea scrolls to its
	// cursor only in Update while focused: let it do so once, then blur it again.
	s.editor.Focus()
	s.editor, _ = s.editor.Update(nil)
	s.editor.Blur()
	return nil
}

// fixable returns the finding whose fix f applies: the one last jumped to when it has a fix,
// else the first finding with one.
func (s *PolicyScreen) fixable() (policy.Finding, bool) {
	if s.shownSeq != s.editSeq {
		return policy.Finding{}, false // the findings describe an older text
	}
	if s.findingAt >= 0 && s.findingAt < len(s.findings) && s.findings[s.findingAt].Fix != "" {
		return s.findings[s.findingAt], true
	}
	for _, f := range s.findings {
		if f.Fix != "" {
			return f, true
		}
	}
	return policy.Finding{}, false
}

// applyFix applies a finding's fix: a whole document (Line 0, e.g. the minified form) or the
// JSON string that starts at the finding's position (e.g. a "did you mean" action).
func (s *PolicyScreen) applyFix() tea.Cmd {
	f, ok := s.fixable()
	if !ok {
		return nil
	}
	doc := s.Doc()
	if f.Line == 0 {
		return tea.Batch(s.setDoc(f.Fix), func() tea.Msg { return StatusMsg{Text: "applied: " + f.Message} })
	}
	fixed, err := replaceStringAt(doc, f.Line, f.Col, f.Fix)
	if err != nil {
		return func() tea.Msg { return ErrorMsg{Context: "applying the fix", Err: err} }
	}
	text := fmt.Sprintf("line %d: now %q", f.Line, f.Fix)
	return tea.Batch(s.setDoc(fixed), func() tea.Msg { return StatusMsg{Text: text} })
}

// replaceStringAt replaces the JSON string literal that starts at 1-based line and col with
// value (JSON-escaped).
func replaceStringAt(doc string, line, col int, value string) (string, error) {
	lines := strings.Split(doc, "\n")
	if line < 1 || line > len(lines) {
		return "", fmt.Errorf("line %d is outside the document (%d lines)", line, len(lines))
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
			return "", fmt.Errorf("line %d, col %d: no string starts there (the text changed?)", line, col)
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
		return "", fmt.Errorf("line %d, col %d: the string does not end on its line", line, col)
	}
	quoted, err := json.Marshal(value)
	if err != nil {
		return "", err
	}
	lines[line-1] = l[:start] + string(quoted) + l[end+1:]
	return strings.Join(lines, "\n"), nil
}

// gotoLine puts the editor's cursor on 1-based line and col.
func (s *PolicyScreen) gotoLine(line, col int) {
	target := line - 1
	if n := s.editor.LineCount(); target >= n {
		target = n - 1
	}
	for i := 0; i < 100000 && s.editor.Line() > target; i++ {
		s.editor.CursorUp()
	}
	for i := 0; i < 100000 && s.editor.Line() < target; i++ {
		s.editor.CursorDown()
	}
	s.editor.SetCursor(max(col-1, 0))
}

func (s *PolicyScreen) minify() tea.Cmd {
	doc := s.Doc()
	if doc == "" {
		return nil
	}
	out, err := policy.Minify([]byte(doc))
	if err != nil {
		return func() tea.Msg { return ErrorMsg{Context: "minifying the policy", Err: err} }
	}
	before, after := len(doc), len(out)
	return tea.Batch(s.setDoc(string(out)), func() tea.Msg {
		return StatusMsg{Text: fmt.Sprintf("minified: %d → %d bytes", before, after)}
	})
}

// templateMenu sorts the engine's templates into bases and overlays: an overlay is one the
// engine refuses on its own (a Deny-only session policy allows nothing).
func templateMenu() (names []string, overlay map[string]bool) {
	overlay = map[string]bool{}
	var bases, overlays []string
	for _, n := range policy.TemplateNames {
		if _, err := policy.Template(n, "examplebucket", "p/"); err != nil && strings.Contains(err.Error(), "overlay") {
			overlay[n] = true
			overlays = append(overlays, n)
			continue
		}
		bases = append(bases, n)
	}
	return append(bases, overlays...), overlay
}

func (s *PolicyScreen) templateKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	n := len(s.tplNames)
	switch {
	case keyIs(msg, k.Cancel):
		s.mode = modeBrowse
	case keyIs(msg, k.Up):
		s.tplCursor = (s.tplCursor + n - 1) % n
	case keyIs(msg, k.Down):
		s.tplCursor = (s.tplCursor + 1) % n
	case msg.Type == tea.KeySpace || keyIs(msg, k.Accept) && s.tplOverlay[s.tplNames[s.tplCursor]]:
		if name := s.tplNames[s.tplCursor]; s.tplOverlay[name] {
			s.tplChecked[name] = !s.tplChecked[name]
		}
	case keyIs(msg, k.Accept):
		name := s.tplNames[s.tplCursor]
		for _, o := range s.tplNames {
			if s.tplChecked[o] {
				name += "," + o
			}
		}
		if !s.scopeSet {
			s.pendingTpl = name
			return s.openScope()
		}
		s.mode = modeBrowse
		return s.applyTemplate(name)
	case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '1' && msg.Runes[0] < '1'+rune(n):
		s.tplCursor = int(msg.Runes[0] - '1')
	}
	return nil
}

func (s *PolicyScreen) applyTemplate(name string) tea.Cmd {
	doc, err := policy.Template(name, s.bucket, s.prefix)
	if err != nil {
		return func() tea.Msg { return ErrorMsg{Context: "template " + name, Err: err} }
	}
	return tea.Batch(s.setDoc(doc), func() tea.Msg {
		return StatusMsg{Text: fmt.Sprintf("template %s for %s/%s", name, s.bucketName(), s.prefix)}
	})
}

func (s *PolicyScreen) bucketName() string { return s.bucket }

func (s *PolicyScreen) openScope() tea.Cmd {
	s.mode = modeScope
	s.scopeErr = ""
	if s.scopeSet {
		s.scope[0].SetValue(s.bucket)
		s.scope[1].SetValue(s.prefix)
	}
	s.scopeFocus = 0
	s.scope[1].Blur()
	s.scope[0].CursorEnd()
	return s.scope[0].Focus()
}

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

func (s *PolicyScreen) scopeKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case keyIs(msg, k.Cancel):
		s.mode = modeBrowse
		s.pendingTpl = ""
		s.scope[s.scopeFocus].Blur()
		return nil
	case msg.Type == tea.KeyUp || msg.Type == tea.KeyDown:
		return s.focusScope(1 - s.scopeFocus)
	case keyIs(msg, k.Accept):
		if s.scopeFocus == 0 {
			return s.focusScope(1)
		}
		b := strings.TrimSpace(s.scope[0].Value())
		p := strings.TrimLeft(strings.TrimSpace(s.scope[1].Value()), "/")
		if !bucketNamePattern.MatchString(b) || strings.Contains(b, "--") {
			s.scopeErr = fmt.Sprintf("bucket %q: 3–63 characters, lower-case letters, digits and -, not starting or ending with -", b)
			return s.focusScope(0)
		}
		if strings.ContainsAny(p, "*?\"") {
			s.scopeErr = fmt.Sprintf("prefix %q: no wildcards or quotes (the template adds *)", p)
			return nil
		}
		if p != "" && !strings.HasSuffix(p, "/") {
			p += "/"
		}
		s.bucket, s.prefix, s.scopeSet = b, p, true
		s.scope[s.scopeFocus].Blur()
		s.mode = modeBrowse
		cmds := []tea.Cmd{s.readBucketPolicy()}
		s.recompute()
		cmds = append(cmds, s.announce())
		if s.pendingTpl != "" {
			name := s.pendingTpl
			s.pendingTpl = ""
			cmds = append(cmds, s.applyTemplate(name))
		}
		return tea.Batch(cmds...)
	}
	var cmd tea.Cmd
	s.scope[s.scopeFocus], cmd = s.scope[s.scopeFocus].Update(msg)
	return cmd
}

func (s *PolicyScreen) focusScope(i int) tea.Cmd {
	s.scope[s.scopeFocus].Blur()
	s.scopeFocus = i
	s.scope[i].CursorEnd()
	return s.scope[i].Focus()
}

func (s *PolicyScreen) openPath(forWhat, suggest string) tea.Cmd {
	s.mode = modePath
	s.pathFor = forWhat
	if forWhat == "open" {
		s.path.Prompt = "Open file: "
	} else {
		s.path.Prompt = "Save to: "
	}
	if s.path.Value() == "" {
		s.path.SetValue(suggest)
	}
	s.path.CursorEnd()
	return s.path.Focus()
}

func (s *PolicyScreen) pathKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case keyIs(msg, k.Cancel):
		s.mode = modeBrowse
		s.path.Blur()
		return nil
	case keyIs(msg, k.Accept):
		p := expandHome(strings.TrimSpace(s.path.Value()))
		if p == "" {
			return nil
		}
		s.mode = modeBrowse
		s.path.Blur()
		s.fileReq++
		if s.pathFor == "open" {
			return loadFile(s.fileReq, p)
		}
		return saveFile(s.fileReq, p, s.Doc(), false)
	}
	var cmd tea.Cmd
	s.path, cmd = s.path.Update(msg)
	return cmd
}

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
			return fileLoadedMsg{req: req, path: path, err: fmt.Errorf("larger than %d bytes: not a policy document", maxPolicyFile)}
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

func (s *PolicyScreen) contextKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case keyIs(msg, k.Cancel):
		s.ctxIn[s.ctxFocus].Blur()
		s.mode = modeBrowse
		return nil
	case msg.Type == tea.KeyUp:
		return s.focusCtx((s.ctxFocus + 2) % 3)
	case msg.Type == tea.KeyDown:
		return s.focusCtx((s.ctxFocus + 1) % 3)
	case keyIs(msg, k.Accept):
		if s.ctxFocus < 2 {
			return s.focusCtx(s.ctxFocus + 1)
		}
		c, err := ParsePreviewContext(s.ctxIn[0].Value(), s.ctxIn[1].Value(), s.ctxIn[2].Value(), s.now())
		if err != nil {
			s.ctxErr = err.Error()
			return nil
		}
		s.pctx = c
		s.ctxIn[0].SetValue(c.SourceIP)
		s.ctxIn[1].SetValue(map[string]string{"true": "yes", "false": "no"}[c.HTTPS])
		s.ctxIn[2].SetValue(c.Time)
		s.ctxIn[s.ctxFocus].Blur()
		s.mode = modeBrowse
		s.recompute()
		return nil
	}
	var cmd tea.Cmd
	s.ctxIn[s.ctxFocus], cmd = s.ctxIn[s.ctxFocus].Update(msg)
	return cmd
}

func (s *PolicyScreen) focusCtx(i int) tea.Cmd {
	s.ctxIn[s.ctxFocus].Blur()
	s.ctxFocus = i
	s.ctxIn[i].CursorEnd()
	return s.ctxIn[i].Focus()
}

// readBucketPolicy asks OSS for the chosen bucket's policy with the console's own credentials
// (when the adapter can), so the preview can include the bucket layer.
func (s *PolicyScreen) readBucketPolicy() tea.Cmd {
	if s.bucketFor == s.bucket && s.bucketNote != "" && !strings.HasPrefix(s.bucketNote, "reading") {
		return nil // already known for this bucket
	}
	s.bucketReq++
	s.bucketFor, s.bucketPolicy = s.bucket, nil
	if s.svc.Objects == nil || s.svc.Current == nil {
		s.bucketNote = "not read (no OSS connection for the console's own credentials)"
		return nil
	}
	s.bucketNote = "reading…"
	return readBucketPolicy(s.svc.Objects, s.svc.Current, s.bucketReq, s.bucket)
}

func readBucketPolicy(objects ObjectService, current func(context.Context) (model.Credentials, error), req int, bucket string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		creds, err := current(ctx)
		if err != nil {
			return bucketPolicyMsg{req: req, bucket: bucket, err: err}
		}
		r, ok := objects.With(creds).(BucketPolicyReader)
		if !ok {
			return bucketPolicyMsg{req: req, bucket: bucket, err: errors.New("this OSS client cannot read bucket policies")}
		}
		doc, found, err := r.BucketPolicy(ctx, bucket)
		return bucketPolicyMsg{req: req, bucket: bucket, doc: doc, found: found, err: err}
	}
}

func (s *PolicyScreen) applyBucketPolicy(msg bucketPolicyMsg) {
	s.bucketFor, s.bucketPolicy = msg.bucket, nil
	switch {
	case msg.err != nil:
		why := msg.err.Error()
		var ae *model.APIError
		if errors.As(msg.err, &ae) {
			why = ae.Code
		}
		s.bucketNote = GlyphUnknown + " not readable (" + why + ") — not in the preview"
	case !msg.found:
		s.bucketNote = "none"
	default:
		p, err := policy.Parse("bucket policy", []byte(msg.doc), policy.KindBucket)
		if err != nil {
			s.bucketNote = GlyphUnknown + " does not parse (" + err.Error() + ") — not in the preview"
			return
		}
		s.bucketPolicy = p
		s.bucketNote = fmt.Sprintf("%s read (%d statements), in the preview", GlyphOK, len(p.Statement))
	}
}

var ossResourceBucket = regexp.MustCompile(`acs:oss:[^:"]*:[^:"]*:([a-z0-9][a-z0-9-]{1,61}[a-z0-9])(/|")`)

// bucketHint suggests a bucket from the role's policies (the first named, non-wildcard bucket).
func bucketHint(r model.Role) string {
	for _, p := range r.Policies {
		if m := ossResourceBucket.FindStringSubmatch(p.Document); m != nil {
			return m[1]
		}
	}
	return ""
}

// View renders the editor (or the active form), findings, the size meter and the preview.
func (s *PolicyScreen) View() string {
	main := s.mainView()
	if s.wide {
		side := fitBlock(s.sideView(s.height), s.sideW, s.height)
		mw := s.width - s.sideW - 3
		sep := strings.TrimRight(strings.Repeat("│\n", s.height), "\n")
		return lipgloss.JoinHorizontal(lipgloss.Top, padBlock(fitBlock(main, mw, s.height), mw), " ", s.st.Muted.Render(sep), " ", side)
	}
	mainH := max(s.height-stackedSideH, 3) + 1
	return fitBlock(main, s.width, mainH) + "\n" + s.sideView(s.height-mainH)
}

func (s *PolicyScreen) mainView() string {
	st := s.st
	switch s.mode {
	case modeTemplate:
		var b strings.Builder
		b.WriteString(st.Title.Render("Start from a template") + "\n")
		for i, n := range s.tplNames {
			cur := "  "
			line := fmt.Sprintf("%d %s  %s", i+1, n, templateBlurb(n))
			if s.tplOverlay[n] {
				box := "[ ]"
				if s.tplChecked[n] {
					box = "[" + GlyphOK + "]"
				}
				line = fmt.Sprintf("%d %s + %s  %s (space ticks)", i+1, box, n, templateBlurb(n))
			}
			if i == s.tplCursor {
				cur = GlyphSelected + " "
				line = st.Selected.Render(line)
			}
			b.WriteString(cur + line + "\n")
		}
		if s.scopeSet {
			b.WriteString(st.Muted.Render(fmt.Sprintf("for bucket %s, prefix %q (b changes them)", s.bucket, s.prefix)))
		} else {
			b.WriteString(st.Muted.Render("bucket and prefix are asked next"))
		}
		return b.String()
	case modeScope:
		var b strings.Builder
		b.WriteString(st.Title.Render("Bucket and prefix for templates and the preview") + "\n")
		for i := range s.scope {
			b.WriteString(focusMark(i == s.scopeFocus) + s.scope[i].View() + "\n")
		}
		if s.scopeErr != "" {
			b.WriteString(st.Mark("deny", s.scopeErr) + "\n")
		}
		b.WriteString(st.Muted.Render("enter: next / done · ↑/↓ field · esc cancel"))
		return b.String()
	case modePath:
		return st.Title.Render(map[string]string{"open": "Open a policy file", "save": "Save the session policy"}[s.pathFor]) +
			"\n" + s.path.View() + "\n" + st.Muted.Render("enter: ok · esc cancel")
	case modeOverwrite:
		return st.Mark("warn", s.overwrite+" exists — overwrite it? (y/n)")
	case modeContext:
		var b strings.Builder
		b.WriteString(st.Title.Render("What the preview assumes about the request") + "\n")
		for i, in := range s.ctxIn {
			b.WriteString(focusMark(i == s.ctxFocus) + in.View() + "\n")
		}
		if s.ctxErr != "" {
			b.WriteString(st.Mark("deny", s.ctxErr) + "\n")
		}
		b.WriteString(st.Muted.Render("empty = unknown: conditions on it show ? · enter: next / done · esc cancel"))
		return b.String()
	}
	head := st.Title.Render("Session policy")
	if s.mode == modeEdit {
		li := s.editor.LineInfo()
		head += st.Muted.Render(fmt.Sprintf("  editing line %d, col %d — esc to stop", s.editor.Line()+1, li.StartColumn+li.ColumnOffset+1))
	} else {
		head += st.Muted.Render("  e edit · t template")
	}
	return head + "\n" + s.editor.View()
}

// focusMark marks the focused field of a form with a glyph (no colour needed to see it).
func focusMark(focused bool) string {
	if focused {
		return GlyphSelected + " "
	}
	return "  "
}

func templateBlurb(name string) string {
	switch name {
	case "upload-only":
		return "put objects under the prefix, nothing else"
	case "read-only":
		return "get and head objects under the prefix"
	case "read-write":
		return "put, get, head and delete under the prefix"
	case "list-read":
		return "list the prefix and read its objects"
	case "no-delete":
		return "deny deleting anything (overlay)"
	}
	return ""
}

// sideView: size meter, findings, preview and context, fitted into h lines.
func (s *PolicyScreen) sideView(h int) string {
	st := s.st
	w := s.sideW
	meter := s.meter()
	grid := s.previewView()
	ctx := s.contextLine()
	gridLines := strings.Count(grid, "\n") + 1
	if s.bucketLine() != "" {
		gridLines++
	}
	room := h - 1 - gridLines - 1 // meter, grid (+ bucket line), context
	if want := max(len(s.findings), 1); room > want && s.wide {
		room = max(want, 3)
	}
	if room < 1 {
		room = 1
	}
	findings := s.findingLines(room, w)
	var b strings.Builder
	b.WriteString(truncateLine(meter, w) + "\n")
	b.WriteString(findings + "\n")
	b.WriteString(grid + "\n")
	if bl := s.bucketLine(); bl != "" {
		b.WriteString(truncateLine(st.Muted.Render(bl), w) + "\n")
	}
	b.WriteString(truncateLine(st.Muted.Render(ctx), w))
	// Room to spare (side by side on a tall terminal): say why each cell is what it is.
	used := 1 + strings.Count(findings, "\n") + 1 + gridLines + 1
	if reasons := s.preview.Reasons(); s.wide && h-used >= len(reasons)+2 {
		b.WriteString("\n\n" + st.Title.Render("Why"))
		for _, r := range reasons {
			b.WriteString("\n" + truncateLine(r, w))
		}
	}
	return b.String()
}

// meter is the size line: "812 / 2048 bytes", warning by text near and over the limit.
func (s *PolicyScreen) meter() string {
	st := s.st
	n := len(s.Doc())
	lim := policy.MaxSessionPolicyBytes
	text := fmt.Sprintf("%d / %d bytes", n, lim)
	switch {
	case n == 0:
		return st.Muted.Render("0 / 2048 bytes · no session policy")
	case n > lim:
		return st.Mark("deny", text+" — TOO LARGE, STS refuses it (m minifies)")
	case n*10 > lim*9:
		return st.Mark("warn", text+" — near the limit (m minifies)")
	}
	return st.Mark("ok", text)
}

func (s *PolicyScreen) findingLines(room, w int) string {
	st := s.st
	if s.Doc() == "" {
		return fitBlock(st.Muted.Render("no findings"), w, room)
	}
	if s.shownSeq != s.editSeq {
		return fitBlock(st.Muted.Render("checking…"), w, room)
	}
	if len(s.findings) == 0 {
		return fitBlock(st.Mark("ok", "no findings"), w, room)
	}
	fix, hasFix := s.fixable()
	// Each finding is wrapped (a "did you mean" suggestion sits at the end of its message),
	// continuation lines indented under its text.
	var blocks [][]string
	for i, f := range s.findings {
		kind := "warn"
		switch f.Severity {
		case policy.SeverityError:
			kind = "deny"
		case policy.SeveritySuggestion:
			kind = "unknown"
		}
		where := "doc"
		switch {
		case f.Line > 0 && f.Col > 0:
			where = fmt.Sprintf("line %d, col %d", f.Line, f.Col)
		case f.Line > 0:
			where = fmt.Sprintf("line %d", f.Line)
		}
		sev := string(f.Severity)
		if hasFix && f == fix {
			sev += " (f fixes)"
		}
		text := fmt.Sprintf("%s %s: %s", where, sev, f.Message)
		if f.Path != "" {
			text = fmt.Sprintf("%s %s: %s: %s", where, sev, f.Path, f.Message)
		}
		lead := "  "
		if i == s.findingAt {
			lead = GlyphSelected + " "
		}
		wrapped := strings.Split(wrapText(text, max(w-4, 10)), "\n")
		block := []string{lead + st.Mark(kind, wrapped[0])}
		for _, l := range wrapped[1:] {
			block = append(block, "    "+st.kindStyle(kind).Render(l))
		}
		blocks = append(blocks, block)
	}
	// Show whole findings from the selected one (else the first) while they fit; the rest
	// are counted.
	start := 0
	if s.findingAt > 0 && s.findingAt < len(blocks) {
		start = s.findingAt
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
		lines = append(lines, st.Muted.Render(fmt.Sprintf("… %d more (n steps through them)", more)))
	}
	return fitBlock(strings.Join(lines, "\n"), w, room)
}

func (s *PolicyScreen) previewView() string {
	st := s.st
	role := "no role chosen"
	if s.role != nil {
		role = "role " + s.role.Name
	}
	if s.bucket == "" {
		// No grid: every cell would describe a bucket nobody chose.
		head := st.Title.Render("Preview") + st.Muted.Render(" "+role)
		return truncateLine(head, s.sideW) + "\n" + st.Unknown.Render(GlyphUnknown+" set a bucket (b) to see what the token may do in it")
	}
	head := st.Title.Render("Preview") + st.Muted.Render(" "+s.bucket+" · "+role)
	return truncateLine(head, s.sideW) + "\n" + s.preview.Render(st, s.sideW)
}

func (s *PolicyScreen) bucketLine() string {
	if s.bucket == "" || s.bucketFor != s.bucket || s.bucketNote == "" {
		return ""
	}
	return "bucket policy: " + s.bucketNote
}

func (s *PolicyScreen) contextLine() string {
	v := func(x string) string {
		if x == "" {
			return GlyphUnknown
		}
		return x
	}
	https := map[string]string{"true": "yes", "false": "no"}[s.pctx.HTTPS]
	return fmt.Sprintf("assumes source IP %s · https %s · time %s  (c)", v(s.pctx.SourceIP), v(https), v(s.pctx.Time))
}

// stackedSideH is the height of the side part (meter, findings, preview, context) under the
// editor when stacked: three lines of findings at 80×24, so that a wrapped finding and the
// "… N more" line both show.
const stackedSideH = 14
