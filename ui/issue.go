package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// The Issue screen wires three components — the form (issue_form.go), the token card and its
// countdown (issue_card.go, issue_countdown.go) — with the export menu (export.go) and the
// Explain panel for a refused AssumeRole, and runs the issue use case (model/flow) the
// commands run too.

// issueKeys are the Issue screen's own bindings (the export menu's and the Explain panel's);
// the form and the card carry theirs.
type issueKeys struct {
	MenuUp, MenuDown, Copy, ToFile key.Binding
	Confirm, Cancel, Close, Submit key.Binding
	// The Explain panel, besides its own keys (scroll, esc).
	WhyEdit, WhyEnter key.Binding
}

func newIssueKeys() issueKeys {
	return issueKeys{
		MenuUp:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose")),
		MenuDown: key.NewBinding(key.WithKeys("down", "j")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy (OSC 52)")),
		ToFile:   key.NewBinding(key.WithKeys("f", "enter"), key.WithHelp("f/enter", "save to file")),
		Confirm:  key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		Cancel:   key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write")),
		WhyEdit:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit inputs")),
		WhyEnter: key.NewBinding(key.WithKeys("enter")), // closes, as esc does
	}
}

// IssueScreen is screen 3: the AssumeRole inputs, the token card with its countdown, re-issue
// and the export menu.
type IssueScreen struct {
	svc  *Services
	st   Styles
	now  func() time.Time
	keys issueKeys

	width, height int
	cardW         int // width the export outcome under the token card wraps at

	role      model.Role
	haveRole  bool
	policy    PolicyChangedMsg
	havePol   bool
	cloneNote string // set when inputs came from a History record

	form issueForm
	card credCard

	caller  string // the console's own identity (ARN), learnt at the first issue
	seq     int    // request id of the issue in flight
	pending bool
	lastErr string
	// errFromPolicy: lastErr is about the session policy draft (a fixed draft clears it).
	errFromPolicy bool

	ask   *reissueAsk // r asks which policy to re-issue with (nil: no question open)
	rkeys reissueKeys

	creds  *model.Credentials // the current token (the card shows it)
	req    model.IssueRequest
	record model.AuditRecord

	exp exportState
	// stale remembers the files saved this session and offers to rewrite them after a re-issue.
	stale staleExports
	// why explains a failed AssumeRole (an *model.APIError), with the sandbox's STS trace.
	why explainState
	// clip receives OSC 52 sequences (the terminal); tmux wraps them for tmux.
	clip io.Writer
	tmux bool

	serve tokenServe // S: serve the card's token on a loopback credentials URI (serve.go)
}

// NewIssueScreen builds the Issue screen: svc supplies the TokenIssuer, AuditLog and (for
// presigned URLs) ObjectService, any of which may be nil; st is the console's Styles; now is the
// wall clock, read only to stamp requests (the countdown follows TickMsg).
func NewIssueScreen(svc *Services, st Styles, now func() time.Time) *IssueScreen {
	if svc == nil {
		svc = &Services{}
	}
	if now == nil {
		now = time.Now
	}
	s := &IssueScreen{svc: svc, st: st, now: now, keys: newIssueKeys(), rkeys: newReissueKeys(), clip: os.Stderr,
		tmux: os.Getenv("TMUX") != ""}
	clock := now()
	s.form = newIssueForm(st, clock)
	s.card = newCredCard(st, clock)
	s.exp = newExportState(st)
	return s
}

// Init implements Screen.
func (s *IssueScreen) Init() tea.Cmd { return nil }

// Title implements Screen.
func (s *IssueScreen) Title() string { return "Issue" }

// SetSize implements Screen.
func (s *IssueScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.form.SetSize(w, h)
	s.card.SetSize(w, h) // rows wrap at the screen's width, side by side too (then cut)
	s.cardW = w
	if w >= 150 {
		s.cardW = w - min(72, w/2-2) - 2
	}
	s.exp.path.Width = max(10, w-12)
}

// InputFocused implements Screen.
func (s *IssueScreen) InputFocused() bool {
	return s.form.Focused() || (s.exp.open && (s.exp.stage == expAskPath || s.exp.stage == expPost)) ||
		(s.stale.ask && s.creds != nil) // the rewrite question takes the next key
}

// ClockStep is how far ctrl+t moves the sandbox clock: to the token's next expiry state
// (warn, urgent, expired), whole seconds; false when there is no token or it has expired.
func (s *IssueScreen) ClockStep() (time.Duration, bool) {
	if s.creds == nil {
		return 0, false
	}
	d := s.card.clock.NextStep()
	if d <= 0 {
		return 0, false
	}
	if r := d % time.Second; r != 0 {
		d += time.Second - r
	}
	return d, true
}

// Creds returns the current token (nil before the first issue); for tests and the app.
func (s *IssueScreen) Creds() *model.Credentials { return s.creds }

// KeyMap implements Screen: the bindings that act now.
func (s *IssueScreen) KeyMap() help.KeyMap {
	k := s.keys
	if s.ask != nil {
		return bindings{short: []key.Binding{s.rkeys.Draft, s.rkeys.Issued, s.rkeys.Cancel}}
	}
	if s.stale.ask && s.creds != nil {
		yes, no := newStaleKeys()
		return bindings{short: []key.Binding{yes, no}}
	}
	if s.why.open {
		h := s.why.KeyMap().ShortHelp() // scroll, close
		return bindings{short: append([]key.Binding{h[0], k.WhyEdit}, h[1:]...)}
	}
	if s.exp.open {
		switch s.exp.stage {
		case expAskPath, expPost:
			return bindings{short: []key.Binding{k.Submit, k.Close}}
		case expConfirm:
			return bindings{short: []key.Binding{k.Confirm, k.Cancel}}
		}
		return bindings{short: []key.Binding{k.MenuUp, k.Copy, k.ToFile, k.Close}}
	}
	if s.form.Focused() {
		return s.form.KeyMap()
	}
	return s.card.KeyMap()
}

// Update implements Screen.
func (s *IssueScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case TickMsg, ClockAdvancedMsg:
		s.card, _ = s.card.Update(msg)
		return s, nil
	case RoleSelectedMsg:
		s.role, s.haveRole = msg.Role, true
		s.form.SetRoleMax(s.role.MaxSessionDuration)
		s.cloneNote = ""
		return s, nil
	case PolicyChangedMsg:
		s.policy, s.havePol = msg, true
		s.cloneNote = ""
		if s.errFromPolicy && !msg.Pending && (msg.Valid || msg.Doc == "") {
			s.lastErr, s.errFromPolicy = "", false // the draft was fixed: its error is gone
		}
		if s.ask != nil && !msg.Pending {
			s.ask = nil // the question was about another draft: r asks again
		}
		return s, nil
	case CloneIssueMsg:
		s.applyClone(msg.Record)
		return s, s.form.Focus(fieldSession)
	case issueResultMsg:
		return s.onIssued(msg)
	case reissueRequestMsg:
		return s, s.reissue()
	case serveStartedMsg:
		return s, s.onServeStarted(msg)
	case exportDoneMsg:
		if msg.id == rewriteID {
			s.stale.onRewritten(msg) // export_stale.go
			return s, nil
		}
		s.stale.remember(msg)
		return s, s.exp.onDone(msg)
	case traceMsg:
		s.why, _ = s.why.Update(msg)
		return s, nil
	case tea.KeyMsg:
		if s.ask != nil {
			return s, s.updateAsk(msg)
		}
		if s.stale.ask && s.creds != nil {
			return s, s.answerStale(msg, *s.creds) // export_stale.go
		}
		if s.why.open {
			return s, s.updateWhy(msg)
		}
		if s.exp.open {
			return s, s.updateExport(msg)
		}
		if s.form.Focused() {
			return s, s.updateForm(msg)
		}
		return s, s.updateCard(msg)
	}
	if s.form.Focused() {
		var cmd tea.Cmd
		s.form, cmd = s.form.Update(msg)
		return s, cmd
	}
	if s.exp.open && s.exp.stage == expAskPath {
		var cmd tea.Cmd
		s.exp.path, cmd = s.exp.path.Update(msg)
		return s, cmd
	}
	return s, nil
}

// updateWhy handles keys while the Explain panel is open: e edits the inputs, enter closes,
// the panel takes the rest (scroll, esc).
func (s *IssueScreen) updateWhy(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.WhyEnter):
		s.why.open = false
		return nil
	case key.Matches(msg, k.WhyEdit):
		s.why.open = false
		return s.form.Focus(fieldSession)
	}
	var cmd tea.Cmd
	s.why, cmd = s.why.Update(msg)
	return cmd
}

// updateForm: enter issues; other keys go to the form (typing clears the last error).
func (s *IssueScreen) updateForm(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, s.form.keys.Issue) {
		return s.issue(false)
	}
	typing := s.form.typing(msg)
	var cmd tea.Cmd
	s.form, cmd = s.form.Update(msg)
	if typing {
		s.lastErr = ""
	}
	return cmd
}

// updateCard: the card's keys while no field has focus.
func (s *IssueScreen) updateCard(msg tea.KeyMsg) tea.Cmd {
	k := s.card.keys
	switch {
	case key.Matches(msg, k.Edit):
		return s.form.Focus(fieldSession)
	case s.creds == nil:
		return nil
	case key.Matches(msg, k.Reissue):
		return s.reissue()
	case key.Matches(msg, k.Export):
		s.exp.openMenu()
		return nil
	case key.Matches(msg, k.GoTest):
		return func() tea.Msg { return SwitchScreenMsg{To: ScreenTest} }
	case key.Matches(msg, k.Serve):
		return s.toggleServe() // serve.go
	case key.Matches(msg, k.ShowURI) && s.serve.srv != nil:
		s.serve.showURI = !s.serve.showURI
		return nil
	}
	var cmd tea.Cmd
	s.card, cmd = s.card.Update(msg) // reveal
	return cmd
}

func (s *IssueScreen) applyClone(r model.AuditRecord) {
	if !s.haveRole || s.role.ARN != r.RoleARN {
		// Keep what the Roles screen told us (max session) when it is the same role.
		s.role = model.Role{ARN: r.RoleARN, Name: arnRoleName(r.RoleARN), Source: "recent"}
		s.form.SetRoleMax(s.role.MaxSessionDuration)
	}
	s.haveRole = true
	s.policy = PolicyChangedMsg{Doc: r.SessionPolicy, Valid: true, Bucket: s.policy.Bucket, Prefix: s.policy.Prefix}
	s.havePol = true
	dur := ""
	if r.DurationSeconds > 0 {
		dur = durInputText(time.Duration(r.DurationSeconds) * time.Second)
	}
	s.form.SetValues(r.SessionName, dur, "")
	tr := s.st.tr()
	note := tr.S("inputs cloned from history record %s", r.ID)
	if r.ExternalIDUsed {
		note = tr.S("inputs cloned from history record %s; that issue used an external id — type it again", r.ID)
	}
	s.cloneNote = note
	s.lastErr = "" // an error about the inputs these replace is stale
}

// issue starts the issue use case with the form's inputs, or (reissue) with the last request's.
func (s *IssueScreen) issue(reissue bool) tea.Cmd {
	tr := s.st.tr()
	var req model.IssueRequest
	if reissue {
		if s.creds == nil {
			return nil
		}
		req = s.req
	} else {
		if !s.haveRole || s.role.ARN == "" {
			s.lastErr = tr.S("choose a role first (screen 1, Roles)")
			return nil
		}
		problems, d := s.form.Problems()
		for _, p := range problems {
			if p != "" {
				s.lastErr = tr.S("fix the inputs first: %s", p)
				return nil
			}
		}
		if s.havePol && s.policy.Pending {
			s.lastErr, s.errFromPolicy = tr.S("the session policy draft is still being checked — press enter again in a moment"), true
			return nil
		}
		if s.havePol && s.policy.Doc != "" && !s.policy.Valid {
			s.lastErr, s.errFromPolicy = tr.S("the session policy has errors — fix it on screen 2 (Policy) or clear it"), true
			if s.policy.Problem != "" {
				s.lastErr = tr.S("the session policy has errors — fix it on screen 2 (Policy) or clear it: %s", tr.Domain(s.policy.Problem))
			}
			return nil
		}
		req = model.IssueRequest{RoleARN: s.role.ARN, SessionName: s.form.Value(fieldSession),
			Duration: d, ExternalID: s.form.Value(fieldExternal)}
		if s.havePol {
			req.Policy = s.policy.Doc
		}
	}
	if s.svc.Pending() {
		s.lastErr = tr.S("still connecting: wait for the header to show SANDBOX or LIVE")
		return nil
	}
	if s.svc.Issuer == nil {
		s.lastErr = tr.S("no STS connection (TokenIssuer not configured)")
		return nil
	}
	s.seq++
	s.pending = true
	s.lastErr, s.errFromPolicy = "", false
	s.form.Focus(-1)
	in := flow.IssueInput{Request: req, Caller: s.caller, Mode: s.svc.Mode, Region: s.svc.Region, Now: s.now}
	if s.role.ARN == req.RoleARN {
		in.Role = s.role // what the Roles screen learnt of it (max session, trust)
	}
	var prev *model.Credentials
	if reissue && s.creds != nil {
		c := *s.creds
		prev = &c
	}
	ports := flow.IssuePorts{Issuer: s.svc.Issuer, Audit: s.svc.Audit, Identity: s.svc.Identity}
	return issueCmd(ports, in, prev, s.seq)
}

// issueResultMsg answers issueCmd.
type issueResultMsg struct {
	id       int
	creds    model.Credentials
	req      model.IssueRequest
	prev     *model.Credentials
	record   model.AuditRecord
	err      error
	auditErr error
}

// issueCmd runs the issue use case: input checks, AssumeRole, the audit record (never the
// secret or the token).
func issueCmd(ports flow.IssuePorts, in flow.IssueInput, prev *model.Credentials, id int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err := flow.Issue(ctx, ports, in)
		if err != nil {
			return issueResultMsg{id: id, req: in.Request, prev: prev, err: err}
		}
		return issueResultMsg{id: id, creds: res.Creds, req: in.Request, prev: prev, record: res.Record, auditErr: res.AuditErr}
	}
}

func (s *IssueScreen) onIssued(msg issueResultMsg) (Screen, tea.Cmd) {
	if msg.id != s.seq {
		return s, nil // stale
	}
	s.pending = false
	if msg.record.Caller != "" {
		s.caller = msg.record.Caller
	}
	tr := s.st.tr()
	if msg.err != nil {
		// The service's own message stays as it was sent (errors from the inputs' checks are
		// domain text and translated).
		s.lastErr = tr.S("not issued — %s", tr.Domain(flatLine(msg.err.Error())))
		ctx := tr.S("issuing a token (AssumeRole)")
		cmds := []tea.Cmd{func() tea.Msg { return ErrorMsg{Context: ctx, Err: msg.err} }}
		if a := apiErrorOf(msg.err); a != nil {
			cmds = append(cmds, s.openWhy(msg.req, a))
		}
		return s, tea.Batch(cmds...)
	}
	c := msg.creds
	s.creds = &c
	s.req = msg.req
	s.record = msg.record
	s.card.SetToken(s.creds, msg.prev, msg.req.Duration)
	s.exp.reset()
	s.stale.newToken() // files saved with the previous token: offer to rewrite them
	issued := TokenIssuedMsg{Creds: c, Request: msg.req, Previous: msg.prev, RecordID: msg.record.ID, Record: msg.record}
	cmds := []tea.Cmd{func() tea.Msg { return issued }}
	if msg.auditErr != nil {
		aerr := msg.auditErr
		ctx := tr.S("token issued, but writing the audit log failed")
		cmds = append(cmds, func() tea.Msg {
			return ErrorMsg{Context: ctx, Err: aerr}
		})
	} else {
		text := tr.S("token issued for %s", msg.req.SessionName)
		cmds = append(cmds, func() tea.Msg { return StatusMsg{Text: text} })
	}
	return s, tea.Batch(cmds...)
}

// openWhy opens the Explain panel for a refused AssumeRole.
func (s *IssueScreen) openWhy(req model.IssueRequest, a *model.APIError) tea.Cmd {
	tr := s.st.tr()
	x := explainState{open: true, title: tr.S("AssumeRole %s as %s", req.RoleARN, req.SessionName), apiErr: a,
		sandbox: s.svc.Sandbox != nil, traceSeq: s.why.traceSeq + 1, hideLeak: true}
	x.engine = tr.S("the console cannot read the caller's own RAM policies; check that they allow sts:AssumeRole on this role and that the role's trust policy names the caller")
	if x.sandbox {
		x.engine = tr.S("the console cannot read the caller's own RAM policies: the sandbox's trace below says which check refused")
	}
	s.why = x
	if x.sandbox && a.RequestID != "" {
		s.why.traceLoading = true
		svc := a.Service
		if svc == "" {
			svc = "sts"
		}
		return traceCmd(s.svc.Sandbox, svc, a.RequestID, x.traceSeq)
	}
	return nil
}

// remaining is a token's time left by the card's clocks (the export menu asks it too).
func (s *IssueScreen) remaining(c model.Credentials) time.Duration { return s.card.Remaining(c) }

// View implements Screen.
func (s *IssueScreen) View() string {
	if s.ask != nil {
		return fitLines(s.askView(), s.width)
	}
	if s.why.open {
		return s.why.view(s.st, s.width, s.height)
	}
	if s.exp.open {
		return fitLines(s.exp.view(s.width, s.height), s.width)
	}
	if s.creds == nil {
		return fitLines(s.formView(), s.width)
	}
	if s.width >= 150 {
		lw := min(72, s.width/2-2)
		return sideBySide(fitLines(s.formView(), lw), lw, fitLines(s.cardView(), s.width-lw-2), "  ")
	}
	form := s.formView()
	if !s.form.Focused() && s.height < 32 {
		form = s.form.Compact(s.role.ARN, s.width) // small terminal: the card matters more than the inputs
		if s.lastErr != "" {
			for _, l := range wrapWords(GlyphDeny+" "+s.lastErr, max(20, s.width)) {
				form += "\n" + s.st.Error.Render(l)
			}
		}
	}
	return fitLines(form+"\n"+s.cardView(), s.width)
}

// formView is the role and policy the token is for, the form, and the issue's status.
func (s *IssueScreen) formView() string {
	st, tr := s.st, s.st.tr()
	var b strings.Builder
	b.WriteString(st.Title.Render(tr.S("Issue a token (AssumeRole)")))
	b.WriteByte('\n')
	// The rows line up with the form's fields, which start after a one-column focus mark
	// (formLabel: 13 cells in either language).
	lead, more := " "+formLabel(tr.S("role")), "              "
	if s.haveRole && s.role.ARN != "" {
		note := st.Muted.Render(tr.S("(max session unknown: STS checks)"))
		if s.role.MaxSessionDuration > 0 {
			note = st.Muted.Render(tr.S("(max session %s)", shortDur(s.role.MaxSessionDuration)))
		}
		// The ARN wraps after a '/' or ':' (never cut), the max session after it.
		arn := wrapPath(s.role.ARN, max(20, s.width-cellWidth(lead)))
		if last := arn[len(arn)-1]; cellWidth(lead)+cellWidth(last)+2+cellWidth(note) <= s.width {
			arn[len(arn)-1] = last + "  " + note
		} else {
			arn = append(arn, note)
		}
		for i, l := range arn {
			if i == 0 {
				b.WriteString(lead + l + "\n")
			} else {
				b.WriteString(more + l + "\n")
			}
		}
	} else {
		b.WriteString(lead + st.Unknown.Render(GlyphUnknown+" "+tr.S("none chosen — pick one on screen 1 (Roles)")) + "\n")
	}
	pol := tr.S("none (the role's own policies apply)")
	var polMore []string
	if s.havePol && s.policy.Doc != "" {
		sz := flow.MeasureSessionPolicy(s.policy.Doc)
		pol = fmt.Sprintf("%d %s", sz.N, tr.S(sz.Unit))
		if s.policy.Pending {
			pol += st.Muted.Render(tr.S(", being checked…"))
		} else if !s.policy.Valid {
			pol = st.Error.Render(GlyphDeny + " " + tr.S("%s, has errors (screen 2)", pol))
		} else if what := flow.DescribePolicy(s.policy.Doc); what != "" {
			// What the draft itself allows, wrapped under the row (never the template's scope).
			ws := wrapWords(tr.S("%s — %s", pol, tr.Domain(what)), max(20, s.width-cellWidth(more)))
			pol, polMore = ws[0], ws[1:]
		}
	}
	b.WriteString(" " + formLabel(tr.S("policy")) + pol + "\n")
	for _, l := range polMore {
		b.WriteString(more + l + "\n")
	}
	b.WriteString(s.form.View() + "\n")
	if s.cloneNote != "" {
		for _, l := range wrapWords(s.cloneNote, max(20, s.width)) {
			b.WriteString(st.Muted.Render(l) + "\n")
		}
	}
	switch {
	case s.pending:
		b.WriteString(st.Muted.Render(tr.S("issuing…")) + "\n")
	case s.lastErr != "":
		for _, l := range wrapWords(GlyphDeny+" "+s.lastErr, max(20, s.width)) {
			b.WriteString(st.Error.Render(l) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// cardView is the token card with the last export's outcome under it.
func (s *IssueScreen) cardView() string {
	v := s.card.View()
	if sv := s.stale.view(s.st, s.cardW); sv != "" {
		v += "\n" + sv
	}
	if sv := s.serveView(s.now()); sv != "" { // serve.go
		v += "\n" + sv
	}
	if s.exp.result != "" {
		v = strings.TrimRight(v+"\n"+strings.Join(wrapWords(s.exp.result, max(20, s.cardW)), "\n"), "\n")
	}
	return v
}

// --- formatting helpers (shared by the Issue, Test and History screens) ---

// formLabel pads a form label to the 13 cells the Issue form's fields and rows line up at
// (a Chinese label is narrower in runes but as wide in cells).
func formLabel(s string) string { return padRight(s, 12) + " " }

// shortDur prints whole hours/minutes compactly: 1h, 90m → 1h30m, 45m, 900s → 15m.
func shortDur(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	return b.String()
}

// countdownText prints a countdown: "59m 12s", "1h 02m 03s", "4s".
func countdownText(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %02dm %02ds", h, m, sec)
	case m > 0:
		return fmt.Sprintf("%dm %02ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}

func plusMinusDur(d time.Duration) string {
	if d < 0 {
		return "-" + shortDur(-d)
	}
	return "+" + shortDur(d)
}

// meterBar draws a progress bar of width w filled to frac (0…1).
func meterBar(w int, frac float64, fill, empty lipgloss.Style) string {
	if w < 1 {
		return ""
	}
	frac = max(0, min(1, frac))
	n := int(frac*float64(w) + 0.5)
	return fill.Render(strings.Repeat("█", n)) + empty.Render(strings.Repeat("░", w-n))
}

// arnRoleName returns the name part of "acs:ram::<account>:role/<name>".
func arnRoleName(arn string) string {
	if i := strings.LastIndex(arn, "role/"); i >= 0 {
		return arn[i+len("role/"):]
	}
	return arn
}

// arnAccount returns the account of an "acs:<svc>:<region>:<account>:..." ARN.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// flatLine collapses whitespace so a message fits on a line.
func flatLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cutLine cuts s to w display cells, ANSI-aware, marking the cut with "…".
func cutLine(s string, w int) string {
	if w <= 0 || ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// sideBySide puts block a (padded to width aw) left of block b, top-aligned: a cheap
// lipgloss.JoinHorizontal for blocks already cut to width.
func sideBySide(a string, aw int, b, gap string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	n := max(len(al), len(bl))
	var out strings.Builder
	for i := 0; i < n; i++ {
		l := ""
		if i < len(al) {
			l = al[i]
		}
		out.WriteString(l)
		if i < len(bl) {
			out.WriteString(strings.Repeat(" ", max(0, aw-ansi.StringWidth(l))))
			out.WriteString(gap)
			out.WriteString(bl[i])
		}
		if i < n-1 {
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// fitLines cuts every line of a block to w cells.
func fitLines(s string, w int) string {
	if w <= 0 {
		return s
	}
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = cutLine(l, w)
	}
	return strings.Join(ls, "\n")
}
