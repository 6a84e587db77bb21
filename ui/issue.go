package ui

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
)

// STS bounds on AssumeRole inputs.
const (
	minSessionDuration = 15 * time.Minute
	maxSTSDuration     = 12 * time.Hour // the largest MaxSessionDuration a role can have
	defaultSessionDur  = time.Hour      // what STS uses when DurationSeconds is absent
	revealFor          = 30 * time.Second
	expiryWarnAt       = 5 * time.Minute
)

// durationPresets are offered with ←/→ in the duration field (those above the role's max are skipped).
var durationPresets = []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
	4 * time.Hour, 6 * time.Hour, 12 * time.Hour}

const (
	fieldSession = iota
	fieldDuration
	fieldExternal
	fieldCount
)

// issueKeys are the Issue screen's bindings.
type issueKeys struct {
	Issue, Up, Down, Preset, Blur  key.Binding
	Edit, Reissue, Reveal, Export  key.Binding
	GoTest                         key.Binding
	MenuUp, MenuDown, Copy, ToFile key.Binding
	Confirm, Cancel, Close, Submit key.Binding
}

func newIssueKeys() issueKeys {
	return issueKeys{
		Issue:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "issue")),
		Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "field")),
		Down:     key.NewBinding(key.WithKeys("down")),
		Preset:   key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "duration preset")),
		Blur:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave field")),
		Edit:     key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e", "edit inputs")),
		Reissue:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-issue")),
		Reveal:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show/hide secret")),
		Export:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		GoTest:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test upload")),
		MenuUp:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose")),
		MenuDown: key.NewBinding(key.WithKeys("down", "j")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy (OSC 52)")),
		ToFile:   key.NewBinding(key.WithKeys("f", "enter"), key.WithHelp("f/enter", "save to file")),
		Confirm:  key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		Cancel:   key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write")),
	}
}

// IssueScreen is screen 3: the AssumeRole inputs, the token card with its countdown, re-issue
// and the export menu.
type IssueScreen struct {
	svc  *Services
	st   Styles
	now  func() time.Time
	loc  *time.Location // local time zone for the card (tests fix it)
	keys issueKeys

	width, height int
	cardW         int       // width the token card is drawn in
	clock         time.Time // last TickMsg (or construction) time: what the countdown shows

	role      model.Role
	haveRole  bool
	policy    PolicyChangedMsg
	havePol   bool
	cloneNote string // set when inputs came from a History record

	inputs [fieldCount]textinput.Model
	focus  int // -1 = no field focused

	caller  string // the console's own identity (ARN), learnt at the first issue
	seq     int    // request id of the issue in flight
	pending bool
	lastErr string

	creds    *model.Credentials
	prev     *model.Credentials
	req      model.IssueRequest
	record   model.AuditRecord
	revealed bool
	revealAt time.Time
	// offsetAtIssue is the sandbox offset when the token arrived; sandboxOff the current one.
	offsetAtIssue, sandboxOff time.Duration

	exp exportState
	// why explains a failed AssumeRole (an *model.APIError), with the sandbox's STS trace.
	why explainState
	// clip receives OSC 52 sequences (the terminal); tmux wraps them for tmux.
	clip io.Writer
	tmux bool
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
	s := &IssueScreen{svc: svc, st: st, now: now, loc: time.Local, keys: newIssueKeys(), clip: os.Stderr,
		tmux: os.Getenv("TMUX") != ""}
	s.clock = now()
	labels := [fieldCount]string{"session name ", "duration     ", "external id  "}
	for i := range s.inputs {
		s.inputs[i] = st.Input(labels[i], "", 128)
	}
	s.inputs[fieldExternal].CharLimit = 1224
	s.inputs[fieldSession].SetValue("stsdeck-" + s.clock.UTC().Format("20060102-150405"))
	s.inputs[fieldDuration].SetValue("1h")
	s.inputs[fieldDuration].Placeholder = "1h (e.g. 45m, 2h, 3600)"
	s.inputs[fieldExternal].Placeholder = "optional"
	s.focus = -1
	s.setFocus(fieldSession)
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
	for i := range s.inputs {
		s.inputs[i].Width = max(10, min(40, w-34))
	}
	s.inputs[fieldDuration].Width = 12
	s.exp.path.Width = max(10, w-12)
}

// InputFocused implements Screen.
func (s *IssueScreen) InputFocused() bool {
	return s.focus >= 0 || (s.exp.open && s.exp.stage == expAskPath)
}

// Creds returns the current token (nil before the first issue); for tests and the app.
func (s *IssueScreen) Creds() *model.Credentials { return s.creds }

// KeyMap implements Screen: the bindings that act now.
func (s *IssueScreen) KeyMap() help.KeyMap {
	k := s.keys
	if s.why.open {
		return keyList{short: []key.Binding{
			key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll")),
			key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit inputs")),
			k.Close}}
	}
	if s.exp.open {
		switch s.exp.stage {
		case expAskPath:
			return keyList{short: []key.Binding{k.Submit, k.Close}}
		case expConfirm:
			return keyList{short: []key.Binding{k.Confirm, k.Cancel}}
		}
		return keyList{short: []key.Binding{k.MenuUp, k.Copy, k.ToFile, k.Close}}
	}
	if s.focus >= 0 {
		b := []key.Binding{k.Issue, k.Up}
		if s.focus == fieldDuration {
			b = append(b, k.Preset)
		}
		return keyList{short: append(b, k.Blur)}
	}
	edit := key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e", "edit inputs"))
	re, rv, ex, gt := k.Reissue, k.Reveal, k.Export, k.GoTest
	has := s.creds != nil
	re.SetEnabled(has)
	rv.SetEnabled(has)
	ex.SetEnabled(has)
	gt.SetEnabled(has)
	return keyList{short: []key.Binding{edit, re, rv, ex, gt}}
}

func (s *IssueScreen) setFocus(i int) tea.Cmd {
	if s.focus >= 0 {
		s.inputs[s.focus].Blur()
	}
	s.focus = i
	if i < 0 {
		return nil
	}
	return s.inputs[i].Focus()
}

// Update implements Screen.
func (s *IssueScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case TickMsg:
		s.clock = msg.Now
		if s.revealed && !msg.Now.Before(s.revealAt.Add(revealFor)) {
			s.revealed = false
		}
		return s, nil
	case RoleSelectedMsg:
		s.role, s.haveRole = msg.Role, true
		s.cloneNote = ""
		return s, nil
	case PolicyChangedMsg:
		s.policy, s.havePol = msg, true
		s.cloneNote = ""
		return s, nil
	case ClockAdvancedMsg:
		s.sandboxOff = msg.Offset
		return s, nil
	case CloneIssueMsg:
		s.applyClone(msg.Record)
		return s, s.setFocus(fieldSession)
	case issueResultMsg:
		return s.onIssued(msg)
	case reissueRequestMsg:
		return s, s.issue(true)
	case exportDoneMsg:
		return s, s.exp.onDone(msg)
	case traceMsg:
		if msg.id == s.why.traceSeq && s.why.open {
			s.why.traceLoading = false
			s.why.trace, s.why.traceErr = msg.trace, msg.err
		}
		return s, nil
	case tea.KeyMsg:
		if s.why.open {
			switch msg.String() {
			case "esc", "enter":
				s.why.open = false
			case "up", "k":
				s.why.scroll = max(0, s.why.scroll-1)
			case "down", "j":
				s.why.scroll++
			case "e":
				s.why.open = false
				return s, s.setFocus(fieldSession)
			}
			return s, nil
		}
		if s.exp.open {
			return s, s.updateExport(msg)
		}
		if s.focus >= 0 {
			return s, s.updateForm(msg)
		}
		return s, s.updateCard(msg)
	}
	if s.focus >= 0 {
		var cmd tea.Cmd
		s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
		return s, cmd
	}
	if s.exp.open && s.exp.stage == expAskPath {
		var cmd tea.Cmd
		s.exp.path, cmd = s.exp.path.Update(msg)
		return s, cmd
	}
	return s, nil
}

func (s *IssueScreen) applyClone(r model.AuditRecord) {
	if !s.haveRole || s.role.ARN != r.RoleARN {
		// Keep what the Roles screen told us (max session) when it is the same role.
		s.role = model.Role{ARN: r.RoleARN, Name: arnRoleName(r.RoleARN), Source: "recent"}
	}
	s.haveRole = true
	s.policy = PolicyChangedMsg{Doc: r.SessionPolicy, Valid: true, Bucket: s.policy.Bucket, Prefix: s.policy.Prefix}
	s.havePol = true
	s.inputs[fieldSession].SetValue(r.SessionName)
	if r.DurationSeconds > 0 {
		s.inputs[fieldDuration].SetValue(durInputText(time.Duration(r.DurationSeconds) * time.Second))
	}
	s.inputs[fieldExternal].SetValue("")
	note := "inputs cloned from history record " + r.ID
	if r.ExternalIDUsed {
		note += "; that issue used an external id — type it again"
	}
	s.cloneNote = note
	s.lastErr = "" // an error about the inputs these replace is stale
}

func (s *IssueScreen) updateForm(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Blur):
		return s.setFocus(-1)
	case key.Matches(msg, k.Issue):
		return s.issue(false)
	case key.Matches(msg, k.Up):
		return s.setFocus((s.focus + fieldCount - 1) % fieldCount)
	case key.Matches(msg, k.Down):
		return s.setFocus((s.focus + 1) % fieldCount)
	case s.focus == fieldDuration && key.Matches(msg, k.Preset):
		s.stepPreset(msg.String() == "right")
		return nil
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	s.lastErr = ""
	return cmd
}

func (s *IssueScreen) stepPreset(up bool) {
	maxD := s.maxDuration()
	var ok []time.Duration
	for _, p := range durationPresets {
		if p <= maxD {
			ok = append(ok, p)
		}
	}
	if len(ok) == 0 {
		return
	}
	cur, err := parseIssueDuration(s.inputs[fieldDuration].Value())
	if err != nil || cur == 0 {
		cur = defaultSessionDur
	}
	idx := -1
	if up {
		idx = len(ok) - 1
		for i := len(ok) - 1; i >= 0; i-- {
			if ok[i] > cur {
				idx = i
			}
		}
	} else {
		idx = 0
		for i, p := range ok {
			if p < cur {
				idx = i
			}
		}
	}
	s.inputs[fieldDuration].SetValue(durInputText(ok[idx]))
	s.inputs[fieldDuration].CursorEnd()
}

func (s *IssueScreen) updateCard(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Edit):
		return s.setFocus(fieldSession)
	case s.creds == nil:
		return nil
	case key.Matches(msg, k.Reissue):
		return s.issue(true)
	case key.Matches(msg, k.Reveal):
		s.revealed = !s.revealed
		s.revealAt = s.clock
	case key.Matches(msg, k.Export):
		s.exp.openMenu()
	case key.Matches(msg, k.GoTest):
		return func() tea.Msg { return SwitchScreenMsg{To: ScreenTest} }
	}
	return nil
}

// maxDuration is the role's MaxSessionDuration, or STS's ceiling when unknown.
func (s *IssueScreen) maxDuration() time.Duration {
	if s.role.MaxSessionDuration > 0 {
		return s.role.MaxSessionDuration
	}
	return maxSTSDuration
}

// issueProblems validates the form; the messages are shown under the fields as you type.
func (s *IssueScreen) issueProblems() (problems [fieldCount]string, d time.Duration) {
	problems[fieldSession] = validateSessionName(s.inputs[fieldSession].Value())
	d, err := parseIssueDuration(s.inputs[fieldDuration].Value())
	switch {
	case err != nil:
		problems[fieldDuration] = err.Error()
	case d == 0:
	case d < minSessionDuration:
		problems[fieldDuration] = fmt.Sprintf("duration %s is below the 15m minimum", shortDur(d))
	case d > s.maxDuration():
		if s.role.MaxSessionDuration > 0 {
			problems[fieldDuration] = fmt.Sprintf("duration %s is above the role's maximum %s (MaxSessionDuration)", shortDur(d), shortDur(s.role.MaxSessionDuration))
		} else {
			problems[fieldDuration] = fmt.Sprintf("duration %s is above STS's 12h ceiling", shortDur(d))
		}
	}
	problems[fieldExternal] = validateExternalID(s.inputs[fieldExternal].Value())
	return problems, d
}

// issue starts AssumeRole with the form's inputs, or (reissue) with the last request's.
func (s *IssueScreen) issue(reissue bool) tea.Cmd {
	var req model.IssueRequest
	if reissue {
		if s.creds == nil {
			return nil
		}
		req = s.req
	} else {
		if !s.haveRole || s.role.ARN == "" {
			s.lastErr = "choose a role first (screen 1, Roles)"
			return nil
		}
		problems, d := s.issueProblems()
		for _, p := range problems {
			if p != "" {
				s.lastErr = "fix the inputs first: " + p
				return nil
			}
		}
		if s.havePol && s.policy.Pending {
			s.lastErr = "the session policy draft is still being checked — press enter again in a moment"
			return nil
		}
		if s.havePol && s.policy.Doc != "" && !s.policy.Valid {
			s.lastErr = "the session policy has errors — fix it on screen 2 (Policy) or clear it"
			return nil
		}
		req = model.IssueRequest{RoleARN: s.role.ARN, SessionName: s.inputs[fieldSession].Value(),
			Duration: d, ExternalID: s.inputs[fieldExternal].Value()}
		if s.havePol {
			req.Policy = s.policy.Doc
		}
	}
	if s.svc.Pending() {
		s.lastErr = "still connecting: wait for the header to show SANDBOX or LIVE"
		return nil
	}
	if s.svc.Issuer == nil {
		s.lastErr = "no STS connection (TokenIssuer not configured)"
		return nil
	}
	s.seq++
	s.pending = true
	s.lastErr = ""
	s.setFocus(-1)
	meta := auditMeta{mode: s.svc.Mode, region: s.svc.Region, caller: s.caller, identity: s.svc.Identity}
	var prev *model.Credentials
	if reissue && s.creds != nil {
		c := *s.creds
		prev = &c
	}
	return issueCmd(s.svc.Issuer, s.svc.Audit, meta, req, prev, s.seq, s.now)
}

// auditMeta is what the audit record needs besides the request and the credentials; when
// caller is unknown, identity (may be nil) is asked once.
type auditMeta struct {
	mode, region, caller string
	identity             Identity
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

// issueCmd calls AssumeRole and appends the audit record (never the secret or the token).
func issueCmd(iss TokenIssuer, audit AuditLog, meta auditMeta, req model.IssueRequest, prev *model.Credentials, id int, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := iss.AssumeRole(ctx, req)
		if err != nil {
			return issueResultMsg{id: id, req: req, prev: prev, err: err}
		}
		if meta.caller == "" && meta.identity != nil {
			if who, err := meta.identity.Whoami(ctx); err == nil {
				meta.caller = who.ARN
			}
		}
		rec := buildAuditRecord(meta, req, c, now())
		var aerr error
		if audit != nil {
			aerr = audit.Append(rec)
		}
		return issueResultMsg{id: id, creds: c, req: req, prev: prev, record: rec, auditErr: aerr}
	}
}

// buildAuditRecord makes the audit line for an issued token.
func buildAuditRecord(meta auditMeta, req model.IssueRequest, c model.Credentials, at time.Time) model.AuditRecord {
	d := req.Duration
	if d == 0 {
		d = defaultSessionDur
	}
	rec := model.AuditRecord{
		ID:              newRecordID(),
		Time:            at.UTC(),
		Caller:          meta.caller,
		RoleARN:         req.RoleARN,
		SessionName:     req.SessionName,
		DurationSeconds: int64(d / time.Second),
		Expiration:      c.Expiration.UTC(),
		AccessKeyID:     c.AccessKeyID,
		ExternalIDUsed:  req.ExternalID != "",
		SessionPolicy:   req.Policy,
		Mode:            meta.mode,
		Region:          meta.region,
	}
	if rec.Region == "" {
		rec.Region = c.Region
	}
	if req.Policy != "" {
		sum := sha256.Sum256([]byte(req.Policy))
		rec.PolicyDigest = "sha256:" + hex.EncodeToString(sum[:])
	}
	return rec
}

func newRecordID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 16)
	}
	return hex.EncodeToString(b[:])
}

func (s *IssueScreen) onIssued(msg issueResultMsg) (Screen, tea.Cmd) {
	if msg.id != s.seq {
		return s, nil // stale
	}
	s.pending = false
	if msg.record.Caller != "" {
		s.caller = msg.record.Caller
	}
	if msg.err != nil {
		s.lastErr = "not issued — " + flatLine(msg.err.Error())
		cmds := []tea.Cmd{func() tea.Msg { return ErrorMsg{Context: "issuing a token (AssumeRole)", Err: msg.err} }}
		if a := apiErrorOf(msg.err); a != nil {
			cmds = append(cmds, s.openWhy(msg.req, a))
		}
		return s, tea.Batch(cmds...)
	}
	c := msg.creds
	s.prev = msg.prev
	s.creds = &c
	s.req = msg.req
	s.record = msg.record
	s.revealed = false
	s.offsetAtIssue = s.sandboxOff
	s.exp.reset()
	issued := TokenIssuedMsg{Creds: c, Request: msg.req, Previous: msg.prev, RecordID: msg.record.ID, Record: msg.record}
	cmds := []tea.Cmd{func() tea.Msg { return issued }}
	if msg.auditErr != nil {
		aerr := msg.auditErr
		cmds = append(cmds, func() tea.Msg {
			return ErrorMsg{Context: "token issued, but writing the audit log failed", Err: aerr}
		})
	} else {
		cmds = append(cmds, func() tea.Msg { return StatusMsg{Text: "token issued for " + msg.req.SessionName} })
	}
	return s, tea.Batch(cmds...)
}

// openWhy opens the Explain panel for a refused AssumeRole.
func (s *IssueScreen) openWhy(req model.IssueRequest, a *model.APIError) tea.Cmd {
	x := explainState{open: true, title: "AssumeRole " + req.RoleARN + " as " + req.SessionName, apiErr: a,
		sandbox: s.svc.Sandbox != nil, traceSeq: s.why.traceSeq + 1, hideLeak: true}
	x.engine = "the console cannot read the caller's own RAM policies; check that they allow sts:AssumeRole on this role and that the role's trust policy names the caller"
	if x.sandbox {
		x.engine = "the console cannot read the caller's own RAM policies: the sandbox's trace below says which check refused"
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

// remaining is the token's time left at the screen's clock, corrected by the server clock offset
// and (sandbox) the authorization clock's offset.
func (s *IssueScreen) remaining(c model.Credentials) time.Duration {
	return c.Remaining(s.clock.Add(s.sandboxOff))
}

// lifetime is the token's whole validity, for the progress bar.
func (s *IssueScreen) lifetime(c model.Credentials) time.Duration {
	if !c.IssuedAt.IsZero() {
		if d := c.Expiration.Sub(c.IssuedAt.Add(c.ServerClockOffset).Add(s.offsetAtIssue)); d > 0 {
			return d
		}
	}
	if s.req.Duration > 0 {
		return s.req.Duration
	}
	return defaultSessionDur
}

// View implements Screen.
func (s *IssueScreen) View() string {
	if s.why.open {
		return s.why.view(s.st, s.width, s.height)
	}
	if s.exp.open {
		return fitLines(s.exp.view(s.width, s.height), s.width)
	}
	if s.creds == nil {
		return fitLines(s.formView(), s.width)
	}
	s.cardW = s.width
	if s.width >= 150 {
		lw := min(72, s.width/2-2)
		s.cardW = s.width - lw - 2
		return sideBySide(fitLines(s.formView(), lw), lw, fitLines(s.cardView(), s.width-lw-2), "  ")
	}
	form := s.formView()
	if s.focus < 0 && s.height < 32 {
		form = s.formCompact() // small terminal: the card matters more than the inputs
	}
	return fitLines(form+"\n"+s.cardView(), s.width)
}

func (s *IssueScreen) formView() string {
	st := s.st
	var b strings.Builder
	b.WriteString(st.Title.Render("Issue a token (AssumeRole)"))
	b.WriteByte('\n')
	roleLine := "role         " + st.Unknown.Render(GlyphUnknown+" none chosen — pick one on screen 1 (Roles)")
	if s.haveRole && s.role.ARN != "" {
		maxTxt := "max session unknown: STS checks"
		if s.role.MaxSessionDuration > 0 {
			maxTxt = "max session " + shortDur(s.role.MaxSessionDuration)
		}
		roleLine = "role         " + s.role.ARN + "  " + st.Muted.Render("("+maxTxt+")")
	}
	b.WriteString(roleLine)
	b.WriteByte('\n')
	pol := "none (the role's own policies apply)"
	if s.havePol && s.policy.Doc != "" {
		pol = fmt.Sprintf("%d bytes", len(s.policy.Doc))
		if s.policy.Pending {
			pol += st.Muted.Render(", being checked…")
		} else if !s.policy.Valid {
			pol = st.Error.Render(GlyphDeny + " " + pol + ", has errors (screen 2)")
		} else if s.policy.Bucket != "" {
			pol += " — " + s.policy.Bucket + "/" + s.policy.Prefix
		}
	}
	b.WriteString("policy       " + pol + "\n")
	problems, _ := s.issueProblems()
	for i := range s.inputs {
		mark := " "
		if i == s.focus {
			mark = GlyphSelected
		}
		b.WriteString(mark + s.inputs[i].View())
		if i == fieldDuration && problems[i] == "" {
			b.WriteString(st.Muted.Render("  (15m…" + shortDur(s.maxDuration()) + ")"))
		}
		b.WriteByte('\n')
		if problems[i] != "" {
			for j, l := range wrapWords(GlyphWarn+" "+problems[i], max(20, s.width-5)) {
				ind := "   "
				if j > 0 {
					ind = "     "
				}
				b.WriteString(ind + st.Warn.Render(l) + "\n")
			}
		}
	}
	if s.cloneNote != "" {
		for _, l := range wrapWords(s.cloneNote, max(20, s.width)) {
			b.WriteString(st.Muted.Render(l) + "\n")
		}
	}
	switch {
	case s.pending:
		b.WriteString(st.Muted.Render("issuing…") + "\n")
	case s.lastErr != "":
		for _, l := range wrapWords(GlyphDeny+" "+s.lastErr, max(20, s.width)) {
			b.WriteString(st.Error.Render(l) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// formCompact is the inputs in one line, shown above the card on small terminals.
func (s *IssueScreen) formCompact() string {
	ext := "no external id"
	if s.inputs[fieldExternal].Value() != "" {
		ext = "external id set"
	}
	return s.st.Muted.Render(fmt.Sprintf("%s · session %s · %s · %s  (e edits)", arnRoleName(s.role.ARN),
		s.inputs[fieldSession].Value(), nonEmpty(s.inputs[fieldDuration].Value(), "default 1h"), ext))
}

func (s *IssueScreen) cardView() string {
	st := s.st
	c := *s.creds
	rem := s.remaining(c)
	var b strings.Builder
	status := st.Allow.Render(GlyphOK + " live")
	switch {
	case rem <= 0:
		status = st.Error.Render(GlyphDeny + " EXPIRED — press r to re-issue")
	case rem <= expiryWarnAt:
		status = st.Warn.Render(GlyphWarn + " expires in under 5 minutes — press r to re-issue")
	}
	b.WriteString(st.Title.Render("Token") + "  " + status + "\n")
	// Long values wrap under themselves (an ARN, a revealed secret): nothing is cut.
	indent := strings.Repeat(" ", 17)
	row := func(label, val string) {
		for i, l := range wrapHard(val, max(20, s.width-17)) {
			if i == 0 {
				b.WriteString(fmt.Sprintf("%-16s %s\n", label, l))
			} else {
				b.WriteString(indent + l + "\n")
			}
		}
	}
	// rowNote puts a muted note after the value, or under it when the line would not fit.
	rowNote := func(label, val, note string) {
		if 17+cellWidth(val)+2+cellWidth(note) <= s.width {
			row(label, val+"  "+st.Muted.Render(note))
			return
		}
		row(label, val)
		b.WriteString(indent + st.Muted.Render(note) + "\n")
	}
	row("AccessKeyId", c.AccessKeyID)
	if s.revealed {
		left := s.revealAt.Add(revealFor).Sub(s.clock).Round(time.Second)
		rowNote("AccessKeySecret", c.AccessKeySecret, fmt.Sprintf("(masks again in %ds)", int(left/time.Second)))
	} else {
		rowNote("AccessKeySecret", model.MaskSecret(c.AccessKeySecret), "(s shows it for 30s)")
	}
	row("SecurityToken", model.AbbrevToken(c.SecurityToken))
	if c.AssumedRoleARN != "" {
		row("Assumed role", c.AssumedRoleARN)
	}
	row("Expires (UTC)", c.Expiration.UTC().Format("2006-01-02 15:04:05 UTC"))
	row("Expires (local)", c.Expiration.In(s.loc).Format("2006-01-02 15:04:05 MST"))
	life := s.lifetime(c)
	frac := 0.0
	if life > 0 && rem > 0 {
		frac = min(1, float64(rem)/float64(life))
	}
	barW := max(10, min(40, s.width-40))
	var remTxt string
	barStyle := st.Allow
	switch {
	case rem <= 0:
		remTxt = st.Error.Render(GlyphDeny + " expired " + countdownText(-rem) + " ago")
		barStyle = st.Error
	case rem <= expiryWarnAt:
		remTxt = st.Warn.Render(GlyphWarn + " " + countdownText(rem) + " left")
		barStyle = st.Warn
	default:
		remTxt = countdownText(rem) + " left"
	}
	row("Remaining", remTxt)
	b.WriteString(strings.Repeat(" ", 17) + meterBar(barW, frac, barStyle, st.Muted) + fmt.Sprintf(" %3.0f%%", frac*100) + "\n")
	if c.ServerClockOffset != 0 || s.sandboxOff != 0 {
		var parts []string
		if c.ServerClockOffset != 0 {
			parts = append(parts, "server clock offset "+plusMinusDur(c.ServerClockOffset))
		}
		if s.sandboxOff != 0 {
			parts = append(parts, "sandbox clock "+plusMinusDur(s.sandboxOff))
		}
		b.WriteString(st.Muted.Render(strings.Repeat(" ", 17)+"corrected for "+strings.Join(parts, ", ")) + "\n")
	}
	if s.prev != nil {
		p := *s.prev
		state := "expires"
		if s.remaining(p) <= 0 {
			state = "expired"
		}
		row("Previous token", fmt.Sprintf("%s %s %s", p.AccessKeyID, state, p.Expiration.UTC().Format("15:04:05 UTC")))
		row("New token", "expires "+c.Expiration.UTC().Format("15:04:05 UTC"))
		if state == "expires" {
			b.WriteString(st.Muted.Render(strings.Repeat(" ", 17)+"the previous token stays valid until it expires (tokens cannot be revoked)") + "\n")
		}
	}
	if s.exp.result != "" {
		for _, l := range wrapWords(s.exp.result, max(20, s.cardW)) {
			b.WriteString(l + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// --- validation and formatting helpers (shared by the Issue, Test and History screens) ---

// validateSessionName checks RoleSessionName: 2–64 characters of letters, digits and . @ - _.
func validateSessionName(v string) string {
	n := len([]rune(v))
	switch {
	case n == 0:
		return "session name is required (2–64 characters: letters, digits, . @ - _)"
	case n < 2:
		return "session name: 1 character, need at least 2"
	case n > 64:
		return fmt.Sprintf("session name: %d characters, at most 64", n)
	}
	for i, r := range []rune(v) {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '@' || r == '-' || r == '_') {
			return fmt.Sprintf("session name: %q at position %d is not allowed (letters, digits, . @ - _)", r, i+1)
		}
	}
	return ""
}

// validateExternalID checks ExternalId: optional; 2–1224 characters of letters, digits and = , . @ : / - _.
func validateExternalID(v string) string {
	if v == "" {
		return ""
	}
	n := len([]rune(v))
	if n < 2 || n > 1224 {
		return fmt.Sprintf("external id: %d characters, want 2–1224", n)
	}
	for i, r := range []rune(v) {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("=,.@:/-_", r)) {
			return fmt.Sprintf("external id: %q at position %d is not allowed (letters, digits, = , . @ : / - _)", r, i+1)
		}
	}
	return ""
}

// parseIssueDuration reads "45m", "1h30m", "2h" or plain seconds ("3600"); "" = STS default.
func parseIssueDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("duration: %s seconds is not positive", v)
		}
		if n > int64(math.MaxInt64/time.Second) {
			return 0, fmt.Errorf("duration: %s seconds is far too long", v)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("duration: %q is not a duration (try 45m, 2h or 3600)", v)
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("duration: %s is not whole seconds", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration: %s is not positive", v)
	}
	return d, nil
}

// durInputText writes d the way the duration field accepts it.
func durInputText(d time.Duration) string { return shortDur(d) }

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

// keyList is a help.KeyMap built from plain lists.
type keyList struct {
	short []key.Binding
	full  [][]key.Binding
}

func (k keyList) ShortHelp() []key.Binding { return k.short }
func (k keyList) FullHelp() [][]key.Binding {
	if k.full == nil {
		return [][]key.Binding{k.short}
	}
	return k.full
}
