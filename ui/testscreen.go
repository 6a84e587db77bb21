package ui

import (
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// The Test screen wires its components — the upload (test_upload.go), the probe grid
// (test_probe.go) and the Explain panel (explain.go) — to the bucket/key/file fields, the
// token it was handed and the LIVE probe's y/N question.

const (
	tfBucket = iota
	tfKey
	tfFile
	tfCount
)

// testKeys are the screen's own bindings; the components bring theirs.
type testKeys struct {
	Upload, Probe, Edit key.Binding
	FieldUp, FieldDown  key.Binding // between the fields (arrows only: j/k are typed)
	Blur, Submit        key.Binding
	Proceed, NoCancel   key.Binding
	Clean               key.Binding // test_cleanup.go
}

func newTestKeys() testKeys {
	return testKeys{
		Upload:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "upload")),
		Probe:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "probe")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit bucket/key/file")),
		FieldUp:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "select")),
		FieldDown: key.NewBinding(key.WithKeys("down")),
		Blur:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave field")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "upload")),
		Proceed:   key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "proceed")),
		NoCancel:  key.NewBinding(key.WithKeys("n"), key.WithHelp("any other key", "cancel")), // i18n:ok (the key's name is translated in KeyMap)
		Clean:     newCleanKey(),
	}
}

// TestScreen is screen 4: a test upload with progress, the probe grid (predicted vs actual) and
// the Explain panel for failures.
type TestScreen struct {
	svc  *Services
	st   Styles
	now  func() time.Time
	keys testKeys

	width, height int
	clock         time.Time
	sandboxOff    time.Duration

	creds  *model.Credentials
	req    model.IssueRequest
	record model.AuditRecord
	role   *model.Role
	policy PolicyChangedMsg
	edited bool // the operator changed bucket/key: prefills stop

	inputs [tfCount]textinput.Model
	focus  int

	upload  testUpload
	probe   probeGrid
	confirm *model.ProbeSpec // LIVE probe waiting for y (issue 6); nil when not asking
	// cleanAsk is a LIVE clean-up's listing waiting for y (test_cleanup.go); nil when not asking.
	cleanAsk *flow.CleanupReport
	explain  explainState
}

// NewTestScreen builds the Test screen: svc supplies ObjectService (uploads, probes), AuditLog
// (probe results are appended to the token's record) and SandboxControl (server traces), any of
// which may be nil; st is the console's Styles; now is the wall clock.
func NewTestScreen(svc *Services, st Styles, now func() time.Time) *TestScreen {
	if svc == nil {
		svc = &Services{}
	}
	if now == nil {
		now = time.Now
	}
	s := &TestScreen{svc: svc, st: st, now: now, keys: newTestKeys(), focus: -1,
		upload: newTestUpload(st), probe: newProbeGrid(st)}
	s.clock = now()
	for i := range s.inputs {
		s.inputs[i] = st.Input("", "", 1024)
	}
	s.label()
	return s
}

// label sets the fields' prompts (6 cells and a space in either language) and the file's
// placeholder in the current language; View calls it, so a language switch shows at once.
func (s *TestScreen) label() {
	tr := s.st.tr()
	for i, l := range [tfCount]string{tr.S("bucket"), tr.S("key"), tr.S("file")} {
		s.inputs[i].Prompt = padRight(l, 6) + " "
	}
	s.inputs[tfFile].Placeholder = tr.S("empty = a generated %d KiB test object", generatedObjectSize>>10)
}

// Init implements Screen.
func (s *TestScreen) Init() tea.Cmd { return nil }

// Title implements Screen.
func (s *TestScreen) Title() string { return "Test" }

// SetSize implements Screen.
func (s *TestScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	for i := range s.inputs {
		s.inputs[i].Width = max(10, min(80, w-12))
	}
	s.upload.SetSize(w, h)
	s.probe.SetSize(w, h)
	s.explain.SetSize(w, h)
}

// InputFocused implements Screen.
// While a LIVE probe waits for its y/N answer every key comes here, so q cancels rather than quits.
func (s *TestScreen) InputFocused() bool {
	return s.focus >= 0 || s.confirm != nil || s.cleanAsk != nil
}

// Busy reports an upload in flight (the app asks before quitting).
func (s *TestScreen) Busy() bool { return s.upload.running }

// KeyMap implements Screen.
func (s *TestScreen) KeyMap() help.KeyMap {
	k := s.keys
	switch {
	case s.explain.open:
		return s.explain.KeyMap()
	case s.upload.running:
		return s.upload.KeyMap()
	case s.confirm != nil, s.cleanAsk != nil:
		nc := k.NoCancel
		nc.SetHelp(s.st.tr().S("any other key"), nc.Help().Desc)
		return bindings{short: []key.Binding{k.Proceed, nc}}
	case s.focus >= 0:
		return bindings{short: []key.Binding{k.Submit, k.FieldUp, k.Blur}}
	}
	up, pr := k.Upload, k.Probe
	up.SetEnabled(s.creds != nil)
	pr.SetEnabled(s.creds != nil && !s.probe.probing)
	grid := s.probe.KeyMap().ShortHelp() // select, explain
	return bindings{short: []key.Binding{up, pr, k.Edit, grid[0], grid[1]},
		full: [][]key.Binding{{up, pr, k.Edit}, {grid[0], grid[1], k.Clean}}}
}

// Update implements Screen.
func (s *TestScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case TickMsg:
		s.clock = msg.Now
		return s, nil
	case ClockAdvancedMsg:
		s.sandboxOff = msg.Offset
		return s, nil
	case RoleSelectedMsg:
		r := msg.Role
		s.role = &r
		return s, nil
	case PolicyChangedMsg:
		s.policy = msg
		s.prefill()
		return s, nil
	case TokenIssuedMsg:
		c := msg.Creds
		s.creds, s.req, s.record = &c, msg.Request, msg.Record
		if s.role == nil || s.role.ARN != msg.Request.RoleARN {
			s.role = &model.Role{ARN: msg.Request.RoleARN, Name: arnRoleName(msg.Request.RoleARN)}
		}
		s.probe.report, s.probe.cells = nil, nil
		s.upload.say("", false)
		s.explain = explainState{}
		s.confirm = nil // the question was about the previous token
		s.prefill()
		return s, nil
	case uploadProgressMsg:
		var cmd tea.Cmd
		s.upload, cmd = s.upload.Update(msg)
		return s, cmd
	case uploadDoneMsg:
		return s, s.onUploaded(msg)
	case probeDoneMsg:
		return s, s.onProbed(msg)
	case cleanupMsg:
		return s, s.onCleanup(msg)
	case traceMsg:
		s.explain, _ = s.explain.Update(msg)
		return s, nil
	case tea.KeyMsg:
		return s, s.updateKey(msg)
	}
	if s.focus >= 0 {
		var cmd tea.Cmd
		s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
		return s, cmd
	}
	return s, nil
}

// prefill puts the bucket and a key inside the allowed prefix into the fields (until edited).
func (s *TestScreen) prefill() {
	if s.edited {
		return
	}
	if s.policy.Bucket != "" {
		s.inputs[tfBucket].SetValue(s.policy.Bucket)
	}
	s.inputs[tfKey].SetValue(s.policy.Prefix + "stsdeck-test-" + s.clock.UTC().Format("20060102-150405") + ".txt")
}

// updateKey routes a key: to the open panel, the running upload, the y/N question, the focused
// field, else the screen's keys and the grid.
func (s *TestScreen) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	var cmd tea.Cmd
	switch {
	case s.explain.open:
		s.explain, cmd = s.explain.Update(msg)
		return cmd
	case s.upload.running:
		s.upload, cmd = s.upload.Update(msg)
		return cmd
	case s.confirm != nil:
		spec := *s.confirm
		s.confirm = nil
		if key.Matches(msg, k.Proceed) {
			return s.runProbe(spec)
		}
		s.upload.say(GlyphWarn+" "+s.st.tr().S("probe cancelled — nothing was written"), false)
		return nil
	case s.cleanAsk != nil:
		return s.answerCleanup(msg)
	case s.focus >= 0:
		return s.updateField(msg)
	}
	switch {
	case key.Matches(msg, k.Edit):
		return focusTo(s.inputs[:], &s.focus, tfBucket)
	case key.Matches(msg, k.Upload):
		return s.startUpload()
	case key.Matches(msg, k.Probe):
		if s.svc != nil && s.svc.Mode != "sandbox" {
			return s.askProbe()
		}
		return s.startProbe()
	case key.Matches(msg, s.probe.keys.Explain):
		return s.explainRow(s.probe.sel)
	case key.Matches(msg, k.Clean):
		return s.startCleanup()
	}
	s.probe, cmd = s.probe.Update(msg)
	return cmd
}

// updateField handles a key while a field has focus: esc leaves it, enter uploads, the arrows
// move between fields, anything else is typed.
func (s *TestScreen) updateField(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Blur):
		return focusTo(s.inputs[:], &s.focus, -1)
	case key.Matches(msg, k.Submit):
		focusTo(s.inputs[:], &s.focus, -1)
		return s.startUpload()
	case key.Matches(msg, k.FieldUp):
		return focusStep(s.inputs[:], &s.focus, -1, nil)
	case key.Matches(msg, k.FieldDown):
		return focusStep(s.inputs[:], &s.focus, 1, nil)
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	if s.focus != tfFile {
		s.edited = true
	}
	return cmd
}

// ---- upload ----

func (s *TestScreen) startUpload() tea.Cmd {
	tr := s.st.tr()
	if s.creds == nil {
		s.upload.say(GlyphDeny+" "+tr.S("issue a token first (screen 3, Issue)"), false)
		return nil
	}
	if s.svc.Objects == nil {
		s.upload.say(GlyphDeny+" "+tr.S("no OSS connection"), false)
		return nil
	}
	bucket := strings.TrimSpace(s.inputs[tfBucket].Value())
	objKey := strings.TrimSpace(s.inputs[tfKey].Value())
	if bucket == "" || objKey == "" {
		s.upload.say(GlyphDeny+" "+tr.S("bucket and key are required (e edits them)"), false)
		return nil
	}
	s.explain.open = false
	return s.upload.start(uploadJob{client: s.svc.Objects.With(*s.creds), bucket: bucket, key: objKey,
		file: strings.TrimSpace(s.inputs[tfFile].Value())})
}

func (s *TestScreen) onUploaded(msg uploadDoneMsg) tea.Cmd {
	bucket, objKey := s.inputs[tfBucket].Value(), s.inputs[tfKey].Value()
	current, explain := s.upload.done(msg, bucket, objKey)
	switch {
	case !current:
		return nil
	case explain:
		return s.openExplain(s.st.tr().S("upload oss://%s/%s", bucket, objKey), msg.err, "put", bucket, objKey)
	case msg.err != nil:
		return nil
	}
	text := s.st.tr().S("upload succeeded")
	cmds := []tea.Cmd{func() tea.Msg { return StatusMsg{Text: text} }}
	if s.svc.Mode == "sandbox" {
		// In the sandbox the probe only touches the sandbox: run it straight away.
		cmds = append(cmds, s.startProbe())
	}
	return tea.Batch(cmds...)
}

// ---- probe ----

// probeSpec checks a probe can run now and returns what it will touch; ok is false (with the
// reason on the outcome line) when it cannot.
func (s *TestScreen) probeSpec() (spec model.ProbeSpec, ok bool) {
	if s.probe.probing {
		return spec, false
	}
	if s.creds == nil || s.svc == nil || s.svc.Objects == nil {
		s.upload.line = GlyphDeny + " " + s.st.tr().S("issue a token first (screen 3, Issue)")
		return spec, false
	}
	bucket := strings.TrimSpace(s.inputs[tfBucket].Value())
	if bucket == "" {
		s.upload.line = GlyphDeny + " " + s.st.tr().S("bucket is required (e edits it)")
		return spec, false
	}
	prefix := s.policy.Prefix
	if s.edited {
		// The operator's key decides the prefix: everything up to its last "/".
		k := s.inputs[tfKey].Value()
		prefix = k[:strings.LastIndex(k, "/")+1]
	}
	return model.ProbeSpec{Bucket: bucket, Prefix: prefix, Outside: model.OutsidePrefix(prefix)}, true
}

// askProbe is p in LIVE mode: the probe writes to a real bucket, so it asks first (issue 6,
// like the CLI's [y/N]); only y runs it.
func (s *TestScreen) askProbe() tea.Cmd {
	spec, ok := s.probeSpec()
	if !ok {
		return nil
	}
	s.confirm = &spec
	return nil
}

// startProbe runs the probe straight away (sandbox mode, and after an upload there).
func (s *TestScreen) startProbe() tea.Cmd {
	spec, ok := s.probeSpec()
	if !ok {
		return nil
	}
	return s.runProbe(spec)
}

// probeInputs is what the local engine needs to predict for the current token.
func (s *TestScreen) probeInputs() flow.ProbeInputs {
	in := flow.ProbeInputs{Role: s.role, Session: s.req.Policy, SessionName: s.req.SessionName,
		Account: s.svc.AccountID, Region: s.svc.Region, Now: s.now()}
	if in.Account == "" {
		in.Account = arnAccount(s.req.RoleARN)
	}
	return in
}

func (s *TestScreen) runProbe(spec model.ProbeSpec) tea.Cmd {
	if s.probe.probing {
		return nil
	}
	in := s.probeInputs()
	var audit AuditLog
	rec := s.record
	if rec.ID != "" {
		audit = s.svc.Audit
	}
	id := s.probe.start()
	return probeCmd(s.svc.Objects.With(*s.creds), spec, in, audit, rec, id)
}

func (s *TestScreen) onProbed(msg probeDoneMsg) tea.Cmd {
	if !s.probe.done(msg) {
		return nil
	}
	if msg.err != nil {
		return s.openExplain(s.st.tr().S("probe"), msg.err, "", "", "")
	}
	if msg.auditErr != nil {
		e := msg.auditErr
		ctx := s.st.tr().S("probe done, but recording it in the audit log failed")
		return func() tea.Msg {
			return ErrorMsg{Context: ctx, Err: e}
		}
	}
	if msg.audited {
		return func() tea.Msg { return auditChangedMsg{} }
	}
	return nil
}

// ---- explain ----

// explainRow opens Explain for a probe row.
func (s *TestScreen) explainRow(i int) tea.Cmd {
	rep := s.probe.report
	if rep == nil || i < 0 || i >= len(rep.Results) {
		return nil
	}
	r := rep.Results[i]
	a := r.Actual
	var err error
	if !a.Allowed || a.Code != "" {
		err = &model.APIError{Service: "oss", Operation: flow.ProbeOperation(r.Op), StatusCode: a.Status, Code: a.Code, EC: a.EC,
			Message: a.Message, RequestID: a.RequestID}
	}
	title := s.st.tr().S("probe %s %s (%s)", r.Op, r.Key, s.st.tr().S(r.Scope))
	cmd := s.openExplain(title, err, "", "", "")
	if i < len(s.probe.cells) {
		c := s.probe.cells[i]
		s.explain.verdict = &c
		s.explain.engine = ""
	}
	if err == nil {
		s.explain.err = errors.New(s.st.tr().S("OSS allowed it (HTTP %d, RequestId %s)", a.Status, a.RequestID))
	}
	return cmd
}

// openExplain opens the panel for a failure; op/bucket/key (when given) let the local engine say
// which layer it blames.
func (s *TestScreen) openExplain(title string, err error, op, bucket, objKey string) tea.Cmd {
	x := explainState{open: true, title: title, sandbox: s.svc.Sandbox != nil, st: s.st}
	x.SetSize(s.width, s.height)
	if a := apiErrorOf(err); a != nil {
		x.apiErr = a
		x.expired = flow.IsExpired(a.Code, a.EC)
	} else {
		x.err = err
	}
	if s.creds != nil && s.creds.Remaining(s.clock.Add(s.sandboxOff)) <= 0 {
		x.expired = true
	}
	if op != "" && bucket != "" {
		rep := model.ProbeReport{Bucket: bucket, Results: []model.ProbeResult{{Op: op, Scope: "inside", Key: objKey}}}
		cells := flow.PredictProbe(&rep, s.probeInputs())
		x.verdict = &cells[0]
	} else {
		x.engine = s.st.tr().S("no single request to evaluate")
	}
	x.traceSeq = s.explain.traceSeq + 1
	s.explain = x
	if x.sandbox && x.apiErr != nil && x.apiErr.RequestID != "" {
		s.explain.traceLoading = true
		svc := x.apiErr.Service
		if svc == "" {
			svc = "oss"
		}
		return traceCmd(s.svc.Sandbox, svc, x.apiErr.RequestID, x.traceSeq)
	}
	return nil
}

// ---- view ----

// View implements Screen.
func (s *TestScreen) View() string {
	if s.explain.open {
		return s.explain.View()
	}
	st, tr := s.st, s.st.tr()
	s.label()
	var b strings.Builder
	title := st.Title.Render(tr.S("Test the token"))
	b.WriteString(title)
	if s.creds == nil {
		b.WriteString("\n" + st.Unknown.Render(GlyphUnknown+" "+tr.S("no token yet — issue one on screen 3 (Issue)")) + "\n")
	} else {
		rem := s.creds.Remaining(s.clock.Add(s.sandboxOff))
		state := st.Allow.Render(GlyphOK + " " + tr.S("live %s left", countdownText(rem)))
		if rem <= 0 {
			state = st.Error.Render(GlyphDeny + " " + tr.S("EXPIRED — re-issue on screen 3 (r)"))
		}
		line := "  " + s.creds.AccessKeyID + "  " + state
		if cellWidth(title+line) > s.width {
			line = "\n" + s.creds.AccessKeyID + "  " + state // its own line rather than cut
		}
		b.WriteString(line + "\n")
	}
	for i := range s.inputs {
		mark := " "
		if i == s.focus {
			mark = GlyphSelected
		}
		b.WriteString(mark + s.inputs[i].View() + "\n")
	}
	if v := s.upload.View(); v != "" {
		b.WriteString(v + "\n")
	}
	if s.confirm != nil {
		q := tr.S("probe will write and delete two small objects in oss://%s under %q and %q with LIVE credentials — y to proceed, any other key cancels",
			s.confirm.Bucket, s.confirm.Prefix, s.confirm.Outside)
		for _, l := range wrapWords(q, max(20, s.width)) {
			b.WriteString(st.Warn.Render(l) + "\n")
		}
	}
	if s.cleanAsk != nil {
		for _, l := range wrapWords(s.cleanupQuestion(), max(20, s.width)) {
			b.WriteString(st.Warn.Render(l) + "\n")
		}
	}
	// The grid gets the rows left (the "enter explains" hint goes first when they are short).
	g := s.probe
	g.SetSize(s.width, s.height-strings.Count(b.String(), "\n"))
	b.WriteString(g.View())
	return strings.TrimRight(b.String(), "\n")
}
