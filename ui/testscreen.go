package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// generatedObjectSize is the size of the generated test object.
const generatedObjectSize = 256 << 10

const (
	tfBucket = iota
	tfKey
	tfFile
	tfCount
)

type testKeys struct {
	Upload, Probe, Edit, Up, Down, Blur, Submit, Cancel key.Binding
	Explain, Close, Reissue, ScrollUp, ScrollDown       key.Binding
	Proceed, NoCancel                                   key.Binding
}

func newTestKeys() testKeys {
	return testKeys{
		Upload:     key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "upload")),
		Probe:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "probe")),
		Edit:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit bucket/key/file")),
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "select")),
		Down:       key.NewBinding(key.WithKeys("down", "j")),
		Blur:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave field")),
		Submit:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "upload")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel upload")),
		Explain:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "explain row")),
		Close:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Reissue:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-issue token")),
		ScrollUp:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j")),
		Proceed:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "proceed")),
		NoCancel:   key.NewBinding(key.WithKeys("n"), key.WithHelp("any other key", "cancel")),
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

	// upload
	upSeq     int
	uploading bool
	cancel    context.CancelFunc
	prog      model.Progress
	upLine    string // outcome line
	upDetail  string // size, rate, RequestId of a success
	upETag    string // its ETag (shown when there is room: 120 columns and more)
	upOK      bool

	// probe
	prSeq   int
	probing bool
	confirm *model.ProbeSpec // LIVE probe waiting for y (issue 6); nil when not asking
	report  *model.ProbeReport
	cells   []PreviewCell // local verdict per report row
	sel     int

	explain explainState
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
	s := &TestScreen{svc: svc, st: st, now: now, keys: newTestKeys(), focus: -1}
	s.clock = now()
	labels := [tfCount]string{"bucket ", "key    ", "file   "}
	for i := range s.inputs {
		s.inputs[i] = st.Input(labels[i], "", 1024)
	}
	s.inputs[tfFile].Placeholder = fmt.Sprintf("empty = a generated %d KiB test object", generatedObjectSize>>10)
	return s
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
}

// InputFocused implements Screen.
// While a LIVE probe waits for its y/N answer every key comes here, so q cancels rather than quits.
func (s *TestScreen) InputFocused() bool { return s.focus >= 0 || s.confirm != nil }

// Busy reports an upload in flight (the app asks before quitting).
func (s *TestScreen) Busy() bool { return s.uploading }

// KeyMap implements Screen.
func (s *TestScreen) KeyMap() help.KeyMap {
	k := s.keys
	switch {
	case s.explain.open:
		b := []key.Binding{k.ScrollUp, k.Close}
		if s.explain.expired {
			b = append(b, k.Reissue)
		}
		return keyList{short: b}
	case s.uploading:
		return keyList{short: []key.Binding{k.Cancel}}
	case s.confirm != nil:
		return keyList{short: []key.Binding{k.Proceed, k.NoCancel}}
	case s.focus >= 0:
		return keyList{short: []key.Binding{k.Submit, k.Up, k.Blur}}
	}
	up, pr, ex := k.Upload, k.Probe, k.Explain
	up.SetEnabled(s.creds != nil)
	pr.SetEnabled(s.creds != nil && !s.probing)
	ex.SetEnabled(s.report != nil && len(s.report.Results) > 0)
	return keyList{short: []key.Binding{up, pr, k.Edit, k.Up, ex}}
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
		s.report, s.cells, s.upLine, s.upOK = nil, nil, "", false
		s.explain = explainState{}
		s.confirm = nil // the question was about the previous token
		s.prefill()
		return s, nil
	case uploadProgressMsg:
		if msg.id != s.upSeq || !s.uploading {
			return s, nil
		}
		s.prog = msg.p
		return s, waitUpload(msg.ch)
	case uploadDoneMsg:
		return s.onUploaded(msg)
	case probeDoneMsg:
		return s.onProbed(msg)
	case traceMsg:
		if msg.id == s.explain.traceSeq && s.explain.open {
			s.explain.traceLoading = false
			s.explain.trace, s.explain.traceErr = msg.trace, msg.err
		}
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

func (s *TestScreen) setFocus(i int) tea.Cmd {
	if s.focus >= 0 {
		s.inputs[s.focus].Blur()
	}
	s.focus = i
	if i < 0 {
		return nil
	}
	return s.inputs[i].Focus()
}

func (s *TestScreen) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.explain.open {
		switch {
		case key.Matches(msg, k.Close):
			s.explain.open = false
		case key.Matches(msg, k.ScrollUp):
			s.explain.scroll = max(0, s.explain.scroll-1)
		case key.Matches(msg, k.ScrollDown):
			s.explain.scroll++
		case s.explain.expired && key.Matches(msg, k.Reissue):
			s.explain.open = false
			return tea.Batch(func() tea.Msg { return reissueRequestMsg{} },
				func() tea.Msg { return SwitchScreenMsg{To: ScreenIssue} })
		}
		return nil
	}
	if s.uploading {
		if key.Matches(msg, k.Cancel) && s.cancel != nil {
			s.cancel()
			s.upLine = "cancelling…"
		}
		return nil
	}
	if s.confirm != nil {
		spec := *s.confirm
		s.confirm = nil
		if key.Matches(msg, k.Proceed) {
			return s.runProbe(spec)
		}
		s.upLine, s.upOK = GlyphWarn+" probe cancelled — nothing was written", false
		return nil
	}
	if s.focus >= 0 {
		switch {
		case key.Matches(msg, k.Blur):
			return s.setFocus(-1)
		case key.Matches(msg, k.Submit):
			s.setFocus(-1)
			return s.startUpload()
		case msg.String() == "up":
			return s.setFocus((s.focus + tfCount - 1) % tfCount)
		case msg.String() == "down":
			return s.setFocus((s.focus + 1) % tfCount)
		}
		var cmd tea.Cmd
		s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
		if s.focus != tfFile {
			s.edited = true
		}
		return cmd
	}
	switch {
	case key.Matches(msg, k.Edit):
		return s.setFocus(tfBucket)
	case key.Matches(msg, k.Upload):
		return s.startUpload()
	case key.Matches(msg, k.Probe):
		if s.svc != nil && s.svc.Mode != "sandbox" {
			return s.askProbe()
		}
		return s.startProbe()
	case key.Matches(msg, k.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(msg, k.Down):
		if s.report != nil {
			s.sel = min(len(s.report.Results)-1, s.sel+1)
		}
	case key.Matches(msg, k.Explain):
		return s.explainRow(s.sel)
	}
	return nil
}

// ---- upload ----

// uploadProgressMsg reports bytes sent; ch is where the next message will come from.
type uploadProgressMsg struct {
	id int
	p  model.Progress
	ch chan tea.Msg
}

// uploadDoneMsg ends an upload.
type uploadDoneMsg struct {
	id      int
	info    model.ObjectInfo
	size    int64
	elapsed time.Duration
	err     error
	local   bool // err is about the local file, not OSS
}

func (s *TestScreen) startUpload() tea.Cmd {
	if s.creds == nil {
		s.upLine, s.upOK = GlyphDeny+" issue a token first (screen 3, Issue)", false
		return nil
	}
	if s.svc.Objects == nil {
		s.upLine, s.upOK = GlyphDeny+" no OSS connection", false
		return nil
	}
	bucket := strings.TrimSpace(s.inputs[tfBucket].Value())
	objKey := strings.TrimSpace(s.inputs[tfKey].Value())
	if bucket == "" || objKey == "" {
		s.upLine, s.upOK = GlyphDeny+" bucket and key are required (e edits them)", false
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.upSeq++
	s.uploading = true
	s.prog = model.Progress{Total: -1}
	s.upLine, s.upDetail, s.upETag, s.upOK = "", "", "", false
	s.explain.open = false
	ch := make(chan tea.Msg, 1)
	job := uploadJob{client: s.svc.Objects.With(*s.creds), bucket: bucket, key: objKey,
		file: strings.TrimSpace(s.inputs[tfFile].Value()), id: s.upSeq, ch: ch}
	return tea.Batch(runUpload(ctx, job), waitUpload(ch))
}

type uploadJob struct {
	client      ObjectClient
	bucket, key string
	file        string // "" = generated
	id          int
	ch          chan tea.Msg
}

// runUpload performs the Put, streaming progress into ch (latest wins) and ending with uploadDoneMsg.
func runUpload(ctx context.Context, job uploadJob) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		var body io.ReaderAt
		var size int64
		if job.file != "" {
			f, err := os.Open(job.file)
			if err != nil {
				job.ch <- uploadDoneMsg{id: job.id, err: fmt.Errorf("cannot open %s: %w", job.file, pathErrReason(err)), local: true}
				return nil
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				job.ch <- uploadDoneMsg{id: job.id, err: fmt.Errorf("cannot read %s: %w", job.file, pathErrReason(err)), local: true}
				return nil
			}
			if fi.IsDir() {
				job.ch <- uploadDoneMsg{id: job.id, err: fmt.Errorf("%s is a directory", job.file), local: true}
				return nil
			}
			body, size = f, fi.Size()
		} else {
			data := generatedObject(generatedObjectSize)
			body, size = bytes.NewReader(data), int64(len(data))
		}
		progress := func(p model.Progress) {
			m := uploadProgressMsg{id: job.id, p: p, ch: job.ch}
			select {
			case job.ch <- m:
			default: // the UI has not taken the last one yet: drop this one
			}
		}
		info, err := job.client.Put(ctx, job.bucket, job.key, body, size, progress)
		// Drain an unread progress report so the final message is never stuck behind it.
		select {
		case <-job.ch:
		default:
		}
		job.ch <- uploadDoneMsg{id: job.id, info: info, size: size, elapsed: time.Since(start), err: err}
		return nil
	}
}

// pathErrReason drops the path an *fs.PathError repeats.
func pathErrReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// waitUpload delivers the next upload message.
func waitUpload(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

// generatedObject is a recognisable, deterministic test payload.
func generatedObject(n int) []byte {
	line := []byte("stsdeck test object — uploaded with temporary STS credentials\n")
	b := make([]byte, 0, n)
	for len(b) < n {
		b = append(b, line...)
	}
	return b[:n]
}

func (s *TestScreen) onUploaded(msg uploadDoneMsg) (Screen, tea.Cmd) {
	if msg.id != s.upSeq {
		return s, nil
	}
	s.uploading = false
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if msg.err != nil {
		s.upOK = false
		if errors.Is(msg.err, context.Canceled) {
			s.upLine = GlyphWarn + " upload cancelled (nothing half-written stays: OSS keeps whole objects only)"
			return s, nil
		}
		s.upLine = GlyphDeny + " upload failed: " + flatLine(msg.err.Error())
		if msg.local {
			s.upLine = GlyphDeny + " " + flatLine(msg.err.Error()) + " (nothing was sent)"
			return s, nil
		}
		return s, s.openExplain("upload oss://"+s.inputs[tfBucket].Value()+"/"+s.inputs[tfKey].Value(),
			msg.err, "put", s.inputs[tfBucket].Value(), s.inputs[tfKey].Value())
	}
	s.upOK = true
	rate := ""
	if msg.elapsed > 0 {
		rate = fmt.Sprintf(" at %s/s", humanBytes(int64(float64(msg.size)/msg.elapsed.Seconds())))
	}
	bucket, objKey := msg.info.Bucket, msg.info.Key
	if bucket == "" {
		bucket, objKey = s.inputs[tfBucket].Value(), s.inputs[tfKey].Value()
	}
	s.upLine = fmt.Sprintf("%s upload succeeded: oss://%s/%s", GlyphOK, bucket, objKey)
	s.upDetail = fmt.Sprintf("  %s in %s%s", humanBytes(msg.size), msg.elapsed.Round(time.Millisecond), rate)
	s.upETag = msg.info.ETag
	if msg.info.RequestID != "" {
		s.upDetail += ", RequestId " + msg.info.RequestID
	}
	cmds := []tea.Cmd{func() tea.Msg { return StatusMsg{Text: "upload succeeded"} }}
	if s.svc.Mode == "sandbox" {
		// In the sandbox the probe only touches the sandbox: run it straight away.
		cmds = append(cmds, s.startProbe())
	}
	return s, tea.Batch(cmds...)
}

// ---- probe ----

// probeDoneMsg answers probeCmd.
type probeDoneMsg struct {
	id       int
	report   model.ProbeReport
	cells    []PreviewCell
	err      error
	audited  bool
	auditErr error
}

// probeSpec checks a probe can run now and returns what it will touch; ok is false (with the
// reason on the outcome line) when it cannot.
func (s *TestScreen) probeSpec() (spec model.ProbeSpec, ok bool) {
	if s.probing {
		return spec, false
	}
	if s.creds == nil || s.svc == nil || s.svc.Objects == nil {
		s.upLine = GlyphDeny + " issue a token first (screen 3, Issue)"
		return spec, false
	}
	bucket := strings.TrimSpace(s.inputs[tfBucket].Value())
	if bucket == "" {
		s.upLine = GlyphDeny + " bucket is required (e edits it)"
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

func (s *TestScreen) runProbe(spec model.ProbeSpec) tea.Cmd {
	if s.probing {
		return nil
	}
	in := flow.ProbeInputs{Role: s.role, Session: s.req.Policy, SessionName: s.req.SessionName, Account: s.svc.AccountID, Region: s.svc.Region, Now: s.now()}
	if in.Account == "" {
		in.Account = arnAccount(s.req.RoleARN)
	}
	var audit AuditLog
	rec := s.record
	if rec.ID != "" {
		audit = s.svc.Audit
	}
	s.prSeq++
	s.probing = true
	return probeCmd(s.svc.Objects.With(*s.creds), spec, in, audit, rec, s.prSeq)
}

// probeCmd runs the probe, predicts each operation with the local engine, and appends the
// token's audit record again with the probe results (flow.RunProbe).
func probeCmd(client ObjectClient, spec model.ProbeSpec, in flow.ProbeInputs, audit AuditLog, rec model.AuditRecord, id int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		predict := func(rep *model.ProbeReport) []PreviewCell { return flow.PredictProbe(rep, in) }
		run, err := flow.RunProbe(ctx, client, spec, predict, audit, rec)
		if err != nil {
			return probeDoneMsg{id: id, err: err}
		}
		return probeDoneMsg{id: id, report: run.Report, cells: run.Cells, audited: run.Audited, auditErr: run.AuditErr}
	}
}

func (s *TestScreen) onProbed(msg probeDoneMsg) (Screen, tea.Cmd) {
	if msg.id != s.prSeq {
		return s, nil
	}
	s.probing = false
	if msg.err != nil {
		return s, s.openExplain("probe", msg.err, "", "", "")
	}
	rep := msg.report
	s.report, s.cells = &rep, msg.cells
	s.sel = 0
	// Start on the first disagreement, else the first denial: that is what needs explaining.
	for i, r := range rep.Results {
		if r.Agree != nil && !*r.Agree {
			s.sel = i
			break
		}
	}
	if s.sel == 0 {
		for i, r := range rep.Results {
			if !r.Actual.Allowed {
				s.sel = i
				break
			}
		}
	}
	if msg.auditErr != nil {
		e := msg.auditErr
		return s, func() tea.Msg {
			return ErrorMsg{Context: "probe done, but recording it in the audit log failed", Err: e}
		}
	}
	if msg.audited {
		return s, func() tea.Msg { return auditChangedMsg{} }
	}
	return s, nil
}

// explainRow opens Explain for a probe row.
func (s *TestScreen) explainRow(i int) tea.Cmd {
	if s.report == nil || i < 0 || i >= len(s.report.Results) {
		return nil
	}
	r := s.report.Results[i]
	a := r.Actual
	var err error
	if !a.Allowed || a.Code != "" {
		err = &model.APIError{Service: "oss", Operation: flow.ProbeOperation(r.Op), StatusCode: a.Status, Code: a.Code, EC: a.EC,
			Message: a.Message, RequestID: a.RequestID}
	}
	title := fmt.Sprintf("probe %s %s (%s)", r.Op, r.Key, r.Scope)
	cmd := s.openExplain(title, err, "", "", "")
	if i < len(s.cells) {
		c := s.cells[i]
		s.explain.verdict = &c
		s.explain.engine = ""
	}
	if err == nil {
		s.explain.err = fmt.Errorf("OSS allowed it (HTTP %d, RequestId %s)", a.Status, a.RequestID)
	}
	return cmd
}

// openExplain opens the panel for a failure; op/bucket/key (when given) let the local engine say
// which layer it blames.
func (s *TestScreen) openExplain(title string, err error, op, bucket, objKey string) tea.Cmd {
	x := explainState{open: true, title: title, sandbox: s.svc.Sandbox != nil}
	if a := apiErrorOf(err); a != nil {
		x.apiErr = a
		x.expired = isExpiredErr(a.Code, a.EC)
	} else {
		x.err = err
	}
	if s.creds != nil && s.creds.Remaining(s.clock.Add(s.sandboxOff)) <= 0 {
		x.expired = true
	}
	if op != "" && bucket != "" {
		rep := model.ProbeReport{Bucket: bucket, Results: []model.ProbeResult{{Op: op, Scope: "inside", Key: objKey}}}
		acct := s.svc.AccountID
		if acct == "" {
			acct = arnAccount(s.req.RoleARN)
		}
		cells := flow.PredictProbe(&rep, flow.ProbeInputs{Role: s.role, Session: s.req.Policy, SessionName: s.req.SessionName,
			Account: acct, Region: s.svc.Region, Now: s.now()})
		x.verdict = &cells[0]
	} else {
		x.engine = "no single request to evaluate"
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
		return s.explain.view(s.st, s.width, s.height)
	}
	st := s.st
	var b strings.Builder
	b.WriteString(st.Title.Render("Test the token"))
	if s.creds == nil {
		b.WriteString("\n" + st.Unknown.Render(GlyphUnknown+" no token yet — issue one on screen 3 (Issue)") + "\n")
	} else {
		rem := s.creds.Remaining(s.clock.Add(s.sandboxOff))
		state := st.Allow.Render(GlyphOK + " live " + countdownText(rem) + " left")
		if rem <= 0 {
			state = st.Error.Render(GlyphDeny + " EXPIRED — re-issue on screen 3 (r)")
		}
		line := "  " + s.creds.AccessKeyID + "  " + state
		if cellWidth(st.Title.Render("Test the token")+line) > s.width {
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
	if s.uploading {
		b.WriteString(s.progressView() + "\n")
	}
	if s.upLine != "" {
		style := st.Error
		switch {
		case s.upOK:
			style = st.Allow
		case strings.HasPrefix(s.upLine, GlyphWarn):
			style = st.Warn
		}
		for _, l := range wrapWords(s.upLine, max(20, s.width)) {
			b.WriteString(style.Render(l) + "\n")
		}
		if s.upOK && s.upDetail != "" {
			d := s.upDetail
			if s.upETag != "" && s.width >= 120 {
				d += ", ETag " + s.upETag
			}
			for _, l := range wrapWords(d, max(20, s.width-2)) {
				b.WriteString(st.Muted.Render("  "+strings.TrimLeft(l, " ")) + "\n")
			}
		}
	}
	if s.confirm != nil {
		q := fmt.Sprintf("probe will write and delete two small objects in oss://%s under %q and %q with LIVE credentials — y to proceed, any other key cancels",
			s.confirm.Bucket, s.confirm.Prefix, s.confirm.Outside)
		for _, l := range wrapWords(q, max(20, s.width)) {
			b.WriteString(st.Warn.Render(l) + "\n")
		}
	}
	if s.probing {
		b.WriteString(st.Muted.Render("probing put/head/get/list/delete inside and outside the prefix…") + "\n")
	}
	if s.report != nil {
		// The "enter explains" hint goes first when the screen is short (help shows enter).
		grid := s.gridView(true)
		if strings.Count(b.String()+grid, "\n") > s.height {
			grid = s.gridView(false)
		}
		b.WriteString(grid)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *TestScreen) progressView() string {
	p := s.prog
	if p.Total <= 0 {
		return s.st.Muted.Render("uploading… (esc cancels)")
	}
	frac := float64(p.Done) / float64(p.Total)
	barW := max(10, min(40, s.width-50))
	line := meterBar(barW, frac, s.st.Allow, s.st.Muted) + fmt.Sprintf(" %3.0f%% %s / %s", frac*100, humanBytes(p.Done), humanBytes(p.Total))
	more := ""
	if rate := p.Rate(); rate > 0 {
		eta := time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second))
		more = fmt.Sprintf("%s/s  ETA %s  ", humanBytes(int64(rate)), eta.Round(time.Second))
	}
	more += s.st.Muted.Render("(esc cancels)")
	if cellWidth(line)+2+cellWidth(more) <= s.width {
		return line + "  " + more
	}
	return line + "\n" + strings.Repeat(" ", 2) + more // rate, ETA and esc on their own line

}

func (s *TestScreen) gridView(hint bool) string {
	st := s.st
	rep := s.report
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", st.Title.Render("Probe"), st.Muted.Render(fmt.Sprintf("oss://%s  inside %q  outside %q", rep.Bucket, rep.Prefix, rep.Outside)))
	wide := s.width >= 120
	pw := 16
	if wide {
		pw = 22
	}
	head := fmt.Sprintf("  %-6s %-7s %-*s %-18s %-6s %s", "op", "scope", pw, "predicted", "actual", "agree", "EC")
	if wide {
		head += "            RequestId"
	}
	b.WriteString(head + "\n")
	disagree := 0
	for i, r := range rep.Results {
		mark := "  "
		if i == s.sel {
			mark = GlyphSelected + " "
		}
		pred := r.Predicted
		if r.PredictedLayer != "" {
			pred += " (" + r.PredictedLayer + ")"
		}
		act := fmt.Sprintf("%s %d allowed", GlyphOK, r.Actual.Status)
		if !r.Actual.Allowed {
			act = fmt.Sprintf("%s %d %s", GlyphDeny, r.Actual.Status, nonEmpty(r.Actual.Code, "denied"))
		}
		agree := GlyphUnknown
		if r.Agree != nil {
			if *r.Agree {
				agree = GlyphOK
			} else {
				agree = GlyphWarn + " DIFF"
				disagree++
			}
		}
		line := fmt.Sprintf("%-6s %-7s %-*s %-18s %-6s %-13s", r.Op, r.Scope, pw, cutLine(pred, pw), cutLine(act, 18), agree, r.Actual.EC)
		if wide {
			line += " " + r.Actual.RequestID
		}
		line = strings.TrimRight(line, " ")
		switch {
		case r.Agree != nil && !*r.Agree:
			line = st.Warn.Render(line)
		case !r.Actual.Allowed:
			line = st.Deny.Render(line)
		}
		if i == s.sel {
			line = st.Selected.Render(line)
		}
		b.WriteString(mark + line + "\n")
	}
	if disagree > 0 {
		b.WriteString(st.Warn.Render(fmt.Sprintf("%s %d disagreement(s) between the local engine and OSS — enter explains", GlyphWarn, disagree)) + "\n")
	} else if hint {
		b.WriteString(st.Muted.Render("enter explains the selected row") + "\n")
	}
	if len(rep.LeftBehind) > 0 {
		text := GlyphWarn + " could not delete " + strings.Join(rep.LeftBehind, ", ") +
			": this token may not delete them; remove them with your own credentials"
		for _, l := range wrapWords(text, max(20, s.width)) {
			b.WriteString(st.Warn.Render(l) + "\n")
		}
	}
	return b.String()
}

func nonEmpty(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// humanBytes prints a byte count in binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
