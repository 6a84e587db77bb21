package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The Policy screen edits the session policy and previews what a token would be allowed. It
// wires its components and routes messages to them:
//
//	policy_editor.go     the editor (textarea with line numbers) and the open/save prompt
//	policy_findings.go   the findings list (n/N, ctrl+g, line/col, f applies a fix)
//	policy_meter.go      the size meter (bytes vs the 2,048 limit, m minifies)
//	policy_grid.go       the effective-permission preview grid (computed here, by ComputePreview)
//	policy_templates.go  the template menu
//	policy_forms.go      the bucket/prefix and preview-context forms
//	policy_bucket.go     reading the chosen bucket's policy for the preview

// PolicyKeys are the Policy screen's own bindings; its components bring theirs (the editor's
// esc, the findings' n/N/f/ctrl+g, the meter's m, the forms' and menus' keys).
type PolicyKeys struct {
	Edit     key.Binding
	Template key.Binding
	Scope    key.Binding
	Open     key.Binding
	Save     key.Binding
	Context  key.Binding
	Clear    key.Binding
}

func newPolicyKeys() PolicyKeys {
	return PolicyKeys{
		Edit:     key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e", "edit")),
		Template: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "template")),
		Scope:    key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "bucket/prefix")),
		Open:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open file")),
		Save:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save file")),
		Context:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "preview context")),
		Clear:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "no session policy")),
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
	mode policyMode

	// Components.
	editor    policyEditor
	findings  policyFindings
	meter     policyMeter
	grid      policyGrid
	templates policyTemplates
	scopeForm policyScopeForm
	ctxForm   policyContextForm
	file      policyFilePrompt

	width, height int
	wide          bool
	sideW         int

	editSeq  int
	shownSeq int
	// pendingSeq is the edit a Pending PolicyChangedMsg was last sent for.
	pendingSeq int
	compiled   *policy.Policy
	broken     bool // error findings

	bucket, prefix string
	scopeSet       bool
	pendingTpl     string // template to apply once the scope form is done

	fileReq int
	pctx    PreviewContext

	role     *model.Role
	identity IdentityLayer

	// The bucket's policy, read with the console's own credentials when the bucket is chosen.
	bucketReq    int
	bucketFor    string         // bucket the state below is about
	bucketPolicy *policy.Policy // nil: none, not read, or unreadable
	bucketNote   bucketNote     // what the preview knows about the bucket layer

	lastSent PolicyChangedMsg
	sentOnce bool

	rec recorder // the Record flow (record.go)

	tools toolPicker // w: will it work in a partner's tool? (tools.go, tools_policy.go)
	fix   *policyFix // the draft is a pasted error's fix (paste_fix.go)
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
)

// NewPolicyScreen builds the Policy screen.
func NewPolicyScreen(svc *Services, st Styles, now func() time.Time) *PolicyScreen {
	if now == nil {
		now = time.Now
	}
	s := &PolicyScreen{
		svc: svc, st: st, now: now, keys: newPolicyKeys(),
		editor:    newPolicyEditor(st),
		findings:  newPolicyFindings(st),
		meter:     newPolicyMeter(st),
		grid:      newPolicyGrid(st),
		templates: newPolicyTemplates(st),
		scopeForm: newPolicyScopeForm(st),
		ctxForm:   newPolicyContextForm(st, now),
		file:      newPolicyFilePrompt(st),
		rec:       recorder{st: st, keys: newRecordKeys()},
		tools:     newToolPicker(st),
	}
	s.identity = CompileIdentity(nil)
	s.recompute()
	s.refresh()
	return s
}

// Init has nothing to start: the preview is computed from what other screens send.
func (s *PolicyScreen) Init() tea.Cmd {
	// The sandbox's classic scenario: its bucket is preloaded (templates still ask for the
	// prefix). Init runs once the services are connected, so Mode is known here.
	if s.svc != nil && s.svc.Mode == "sandbox" && s.bucket == "" && !s.scopeSet {
		s.bucket = SandboxDemoBucket
		s.scopeForm.SuggestBucket(SandboxDemoBucket)
		s.recompute()
		cmd := s.readBucketPolicy()
		s.refresh()
		return cmd
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

// OwnsDigits reports whether the digit keys are the screen's now: the template menu picks by number.
func (s *PolicyScreen) OwnsDigits() bool { return s.mode == modeTemplate }

// Doc returns the draft as it would be sent (trimmed; "" = no session policy).
func (s *PolicyScreen) Doc() string { return strings.TrimSpace(s.editor.Value()) }

// Findings returns the findings shown.
func (s *PolicyScreen) Findings() []policy.Finding { return s.findings.Findings() }

// Preview returns the grid shown.
func (s *PolicyScreen) Preview() Preview { return s.grid.preview }

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
		s.editor.SetSize(w-s.sideW-3, max(h-1, 3), true)
	} else {
		s.sideW = w
		s.editor.SetSize(w, max(h-stackedSideH, 3), false)
	}
	s.meter.SetSize(s.sideW, 1)
	s.grid.SetSize(s.sideW, h)
	s.scopeForm.SetSize(w, h)
	s.ctxForm.SetSize(w, h)
	s.file.SetSize(w, h)
	if s.wide {
		s.tools.SetSize(w-s.sideW-3, h) // beside the preview
	} else {
		s.tools.SetSize(w, h) // the whole body (View)
	}
}

// KeyMap reflects the mode.
func (s *PolicyScreen) KeyMap() help.KeyMap {
	if s.tools.open {
		return s.tools.KeyMap()
	}
	switch s.mode {
	case modeEdit:
		return bindings{short: append(s.editor.ShortHelp(), s.findings.KeyMap().EditNext)}
	case modeTemplate:
		return bindings{short: s.templates.ShortHelp()}
	case modeScope:
		return bindings{short: s.scopeForm.ShortHelp()}
	case modeContext:
		return bindings{short: s.ctxForm.ShortHelp()}
	case modePath, modeOverwrite:
		return bindings{short: s.file.ShortHelp()}
	}
	k := s.keys
	has := s.Doc() != ""
	k.Save.SetEnabled(has)
	k.Clear.SetEnabled(has)
	f, m := s.findings.KeyMap(), s.meter.KeyMap()
	return bindings{
		short: []key.Binding{k.Edit, k.Template, k.Open, f.Next, f.Fix, m.Minify, k.Context},
		full: [][]key.Binding{
			{k.Edit, k.Template, k.Scope, k.Clear},
			{k.Open, k.Save, m.Minify, s.rec.keys.Start},
			{f.Next, f.Prev, f.Fix, k.Context, s.tools.keys.Open},
		},
	}
}

// Update handles keys and the screen's messages.
func (s *PolicyScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	scr, cmd := s.update(msg)
	s.refresh()
	if p := s.announcePending(); p != nil {
		cmd = tea.Batch(cmd, p)
	}
	return scr, cmd
}

// refresh tells the components what of the screen's state they show.
func (s *PolicyScreen) refresh() {
	doc := s.Doc()
	s.meter.SetDoc(doc)
	s.meter.SetState(s.shownSeq != s.editSeq, s.broken)
	s.findings.SetDraft(doc, s.shownSeq != s.editSeq)
	s.grid.SetBroken(doc != "" && s.broken && s.shownSeq == s.editSeq)
	role := ""
	if s.role != nil {
		role = s.role.Name
	}
	s.grid.SetInfo(s.bucket, role, s.bucketLine(), s.pctx)
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
		if s.rec.active && s.mode == modeBrowse {
			return s, s.recordKey(msg)
		}
		return s, s.handleKey(msg)
	case recordIssuedMsg, recordPageMsg:
		return s, s.recordUpdate(msg)
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
		s.findings.SetFindings(msg.findings)
		s.compiled = msg.compiled
		s.broken = policy.HasErrors(msg.findings)
		s.recompute()
		return s, s.announce()
	case fileLoadedMsg:
		if msg.req != s.fileReq {
			return s, nil
		}
		if msg.err != nil {
			err := msg.err
			if errors.Is(err, errFileTooLarge) {
				err = errors.New(s.st.tr().S("larger than %d bytes: not a policy document", maxPolicyFile))
			}
			ctx := s.st.tr().S("opening %s", msg.path)
			return s, func() tea.Msg { return ErrorMsg{Context: ctx, Err: err} }
		}
		p := msg.path
		text := s.st.tr().S("loaded %s", p)
		return s, tea.Batch(s.setDoc(msg.content), func() tea.Msg { return StatusMsg{Text: text} })
	case fileSavedMsg:
		if msg.req != s.fileReq {
			return s, nil
		}
		switch {
		case msg.exists:
			s.file.Confirm(msg.path)
			s.mode = modeOverwrite
			return s, nil
		case msg.err != nil:
			err := msg.err
			ctx := s.st.tr().S("saving %s", msg.path)
			return s, func() tea.Msg { return ErrorMsg{Context: ctx, Err: err} }
		}
		p := msg.path
		text := s.st.tr().S("saved the session policy to %s", p)
		return s, func() tea.Msg { return StatusMsg{Text: text} }
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
		if !s.scopeSet {
			s.scopeForm.SuggestBucket(bucketHint(r))
		}
		s.recompute()
		return s, nil
	case PolicyFixMsg:
		s.applyFix(msg)
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
	}
	// Mouse events, cursor blinks and the like go to the editor while it has focus.
	if s.mode == modeEdit {
		var cmd tea.Cmd
		s.editor, cmd = s.editor.Update(msg)
		return s, cmd
	}
	return s, nil
}

func validate(doc string, seq int) tea.Cmd {
	return func() tea.Msg {
		m := findingsMsg{seq: seq, doc: doc}
		if doc == "" {
			return m
		}
		m.compiled, m.findings = policy.Validate("session policy", []byte(doc), policy.KindSession) // i18n:ok (the policy's name in findings)
		return m
	}
}

// setDoc replaces the draft and validates it at once (no debounce: it was not typed).
func (s *PolicyScreen) setDoc(doc string) tea.Cmd {
	s.editor.SetValue(strings.TrimRight(doc, " \t\r\n"))
	s.editSeq++
	s.refresh()
	return validate(s.Doc(), s.editSeq)
}

// announce tells the other screens about the draft when it changed.
func (s *PolicyScreen) announce() tea.Cmd {
	m := PolicyChangedMsg{Doc: s.Doc(), Bucket: s.bucket, Prefix: s.prefix, Valid: !s.broken}
	if s.broken {
		m.Problem = firstProblem(s.st.tr(), s.findings.Findings())
	}
	if s.sentOnce && m == s.lastSent {
		return nil
	}
	s.sentOnce, s.lastSent = true, m
	return func() tea.Msg { return m }
}

// firstProblem is the first error finding in words, with its position and 1-based statement.
func firstProblem(tr *i18n.T, fs []policy.Finding) string {
	for _, f := range fs {
		if f.Severity != policy.SeverityError {
			continue
		}
		text := tr.Domain(f.Message)
		if f.Path != "" {
			text = tr.S("%s: %s", humanPath(tr, f.Path), text)
		}
		if f.Line > 0 {
			text = tr.S("line %d, col %d: %s", f.Line, f.Col, text)
		}
		return text
	}
	return ""
}

// humanPath is flow.HumanPath in the current language ("statement 2, Action 1").
func humanPath(tr *i18n.T, path string) string {
	parts := strings.Split(flow.HumanPath(path), ", ")
	for i, p := range parts {
		if n, ok := strings.CutPrefix(p, "statement "); ok {
			if k, err := strconv.Atoi(n); err == nil {
				parts[i] = tr.S("statement %d", k)
			}
		}
	}
	return strings.Join(parts, tr.S(", "))
}

// recompute computes the preview grid from the role, the draft, the bucket and the context.
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
			if len(s.grid.preview.Cells) > 0 {
				return
			}
		}
	}
	s.grid.SetPreview(ComputePreview(in))
}

// handleKey routes a key to the component the mode gives it to, and acts on the outcome.
func (s *PolicyScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	var cmd tea.Cmd
	if s.tools.open {
		return s.updateTools(msg) // tools_policy.go
	}
	switch s.mode {
	case modeEdit:
		if key.Matches(msg, s.findings.keys.EditNext) {
			return s.routeFindings(msg)
		}
		s.editor, cmd = s.editor.Update(msg)
		if !s.editor.Focused() { // esc: stop editing
			s.mode = modeBrowse
			return nil
		}
		if s.editor.Changed() {
			s.editSeq++
			seq := s.editSeq
			return tea.Batch(cmd, tea.Tick(validateDelay, func(time.Time) tea.Msg { return validateDueMsg{seq: seq} }))
		}
		return cmd
	case modeTemplate:
		s.templates, cmd = s.templates.Update(msg)
		switch s.templates.state {
		case policyFormCancelled:
			s.mode = modeBrowse
		case policyFormDone:
			name := s.templates.chosen
			if !s.scopeSet {
				s.pendingTpl = name
				return s.openScope()
			}
			s.mode = modeBrowse
			return s.applyTemplate(name)
		}
		return cmd
	case modeScope:
		s.scopeForm, cmd = s.scopeForm.Update(msg)
		switch s.scopeForm.state {
		case policyFormCancelled:
			s.mode = modeBrowse
			s.pendingTpl = ""
			return nil
		case policyFormDone:
			s.bucket, s.prefix, s.scopeSet = s.scopeForm.bucket, s.scopeForm.prefix, true
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
		return cmd
	case modePath:
		s.file, cmd = s.file.Update(msg)
		switch s.file.state {
		case policyFormCancelled:
			s.mode = modeBrowse
			return nil
		case policyFormDone:
			s.mode = modeBrowse
			s.fileReq++
			if s.file.forWhat == "open" {
				return loadFile(s.fileReq, s.file.Path())
			}
			return saveFile(s.fileReq, s.file.Path(), s.Doc(), false)
		}
		return cmd
	case modeContext:
		s.ctxForm, cmd = s.ctxForm.Update(msg)
		switch s.ctxForm.state {
		case policyFormCancelled:
			s.mode = modeBrowse
			return nil
		case policyFormDone:
			s.pctx = s.ctxForm.Context()
			s.mode = modeBrowse
			s.recompute()
			return nil
		}
		return cmd
	case modeOverwrite:
		s.file, _ = s.file.Update(msg)
		switch s.file.state {
		case policyFormDone:
			s.mode = modeBrowse
			s.fileReq++
			return saveFile(s.fileReq, s.file.Path(), s.Doc(), true)
		case policyFormCancelled:
			s.mode = modeBrowse
			text := s.st.tr().S("not saved")
			return func() tea.Msg { return StatusMsg{Text: text} }
		}
		return nil
	}
	k, f := s.keys, s.findings.keys
	switch {
	case key.Matches(msg, k.Edit):
		s.mode = modeEdit
		return s.editor.Focus()
	case key.Matches(msg, k.Template):
		s.mode = modeTemplate
		s.templates.Open(s.bucket, s.prefix, s.scopeSet)
		return nil
	case key.Matches(msg, k.Scope):
		s.pendingTpl = ""
		return s.openScope()
	case key.Matches(msg, k.Open):
		return s.openPath("open", "")
	case key.Matches(msg, k.Save):
		if s.Doc() == "" {
			return nil
		}
		return s.openPath("save", "session-policy.json")
	case key.Matches(msg, s.meter.keys.Minify):
		s.meter, cmd = s.meter.Update(msg)
		if doc, ok := s.meter.Minified(); ok {
			return tea.Batch(s.setDoc(doc), cmd)
		}
		return cmd
	case key.Matches(msg, f.Next, f.Prev, f.Fix):
		return s.routeFindings(msg)
	case key.Matches(msg, k.Context):
		s.mode = modeContext
		return s.ctxForm.Open()
	case key.Matches(msg, s.rec.keys.Start):
		return s.startRecording()
	case key.Matches(msg, s.tools.keys.Open):
		s.openTools() // tools_policy.go
		return nil
	case key.Matches(msg, k.Clear):
		if s.Doc() == "" {
			return nil
		}
		text := s.st.tr().S("no session policy: the token gets the role's permissions")
		return tea.Batch(s.setDoc(""), func() tea.Msg { return StatusMsg{Text: text} })
	}
	return nil
}

// routeFindings gives a key to the findings list: a fix replaces the draft; a step moves the
// editor's cursor to the finding.
func (s *PolicyScreen) routeFindings(msg tea.KeyMsg) tea.Cmd {
	var cmd tea.Cmd
	s.findings, cmd = s.findings.Update(msg)
	if doc, ok := s.findings.Fixed(); ok {
		return tea.Batch(s.setDoc(doc), cmd)
	}
	if f, ok := s.findings.Jumped(); ok {
		s.editor.Goto(f.Line, f.Col)
		if s.mode != modeEdit {
			// n/N only move the cursor and the view to the finding: keys keep their meaning
			// (a second n goes to the next finding, it does not type "n"). ctrl+g while
			// editing: the cursor moved, keep typing there.
			s.editor.Reveal()
		}
	}
	return cmd
}

func (s *PolicyScreen) applyTemplate(name string) tea.Cmd {
	doc, err := policy.Template(name, s.bucket, s.prefix)
	if err != nil {
		ctx := s.st.tr().S("template %s", name)
		return func() tea.Msg { return ErrorMsg{Context: ctx, Err: err} }
	}
	text := s.st.tr().S("template %s for %s/%s", name, s.bucket, s.prefix)
	return tea.Batch(s.setDoc(doc), func() tea.Msg { return StatusMsg{Text: text} })
}

func (s *PolicyScreen) openScope() tea.Cmd {
	s.mode = modeScope
	return s.scopeForm.Open(s.bucket, s.prefix, s.scopeSet)
}

func (s *PolicyScreen) openPath(forWhat, suggest string) tea.Cmd {
	s.mode = modePath
	return s.file.Ask(forWhat, suggest)
}

// View renders the editor (or the active form), findings, the size meter and the preview.
func (s *PolicyScreen) View() string {
	if s.tools.open && !s.wide {
		return fitBlock(s.tools.View(), s.width, s.height) // the picker needs the rows (tools.go)
	}
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
	switch s.mode {
	case modeTemplate:
		return s.templates.View()
	case modeScope:
		return s.scopeForm.View()
	case modePath, modeOverwrite:
		return s.file.View()
	case modeContext:
		return s.ctxForm.View()
	}
	if s.rec.active {
		return s.rec.View(s.width, s.height)
	}
	if s.tools.open {
		return s.tools.View()
	}
	return s.editor.View()
}

// sideView: size meter, findings, preview and context, fitted into h lines.
func (s *PolicyScreen) sideView(h int) string {
	grid := s.grid.View() // preview, bucket-policy line, context line
	gridLines := strings.Count(grid, "\n") + 1
	meter := s.meter.View()
	meterLines := strings.Count(meter, "\n") + 1
	fix := s.fixView(s.sideW) // paste_fix.go: the draft is a pasted error's fix
	fixLines := 0
	if fix != "" {
		fixLines = strings.Count(fix, "\n") + 1
	}
	room := h - meterLines - gridLines - fixLines // meter, grid
	if want := max(len(s.findings.Findings()), 1); room > want && s.wide {
		room = max(want, 3)
	}
	if room < 1 {
		room = 1
	}
	s.findings.SetSize(s.sideW, room)
	findings := s.findings.View()
	var b strings.Builder
	if fix != "" {
		b.WriteString(fix + "\n")
	}
	b.WriteString(meter + "\n")
	b.WriteString(findings + "\n")
	b.WriteString(grid)
	if s.wide {
		// Room to spare (side by side on a tall terminal): say why each cell is what it is.
		used := fixLines + meterLines + strings.Count(findings, "\n") + 1 + gridLines
		b.WriteString(s.grid.WhyView(h - used))
	}
	return b.String()
}

// stackedSideH is the height of the side part (meter, findings, preview, context) under the
// editor when stacked: three lines of findings at 80×24, so that a wrapped finding and the
// "… N more" line both show.
const stackedSideH = 14
