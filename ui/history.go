package ui

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

type historyKeys struct {
	Up, Down, Show, Clone, Reload, Back key.Binding
}

func newHistoryKeys() historyKeys {
	return historyKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "select")),
		Down:   key.NewBinding(key.WithKeys("down", "j")),
		Show:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show policy")),
		Clone:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clone into a new issue")),
		Reload: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list")),
	}
}

// auditChangedMsg says the audit log has new lines (the Test screen recorded a probe).
type auditChangedMsg struct{}

// historyLoadedMsg answers loadHistory.
type historyLoadedMsg struct {
	id       int
	records  []model.AuditRecord
	warnings []string
	err      error
}

// HistoryScreen is screen 5: the local audit log of issued tokens, newest first.
type HistoryScreen struct {
	svc  *Services
	st   Styles
	now  func() time.Time
	keys historyKeys

	width, height int
	clock         time.Time
	sandboxOff    time.Duration

	seq      int
	loading  bool
	loadErr  string // the audit log's own error (English from the adapter)
	noAudit  bool   // no audit log configured
	warnings []string
	records  []model.AuditRecord // newest first, one per ID (the last line wins)
	tbl      table.Model
	detail   bool
	scroll   int
	// tblView caches the table's rendering (bubbles table re-lays out its viewport on every
	// View); "" = stale. Every change to tbl clears it.
	tblView string
	// states remembers each row's live/expired word, to rebuild rows only when one changes.
	states []bool
}

// NewHistoryScreen builds the History screen: svc.Audit (may be nil) is read on Init and again
// whenever a token is issued or probed; st is the console's Styles; now is the wall clock.
func NewHistoryScreen(svc *Services, st Styles, now func() time.Time) *HistoryScreen {
	if svc == nil {
		svc = &Services{}
	}
	if now == nil {
		now = time.Now
	}
	s := &HistoryScreen{svc: svc, st: st, now: now, keys: newHistoryKeys()}
	if svc.Audit == nil && !svc.Pending() {
		s.noAudit = true
	}
	s.clock = now()
	ts := table.DefaultStyles()
	if st.NoColor {
		ts = table.Styles{Header: lipgloss.NewStyle(), Cell: lipgloss.NewStyle(), Selected: lipgloss.NewStyle()}
	} else {
		ts.Header = ts.Header.Foreground(lipgloss.Color("12"))
		ts.Selected = st.Selected
	}
	// One cell of space right of each column, none left: more room for role and session at 80.
	ts.Header = ts.Header.UnsetPadding().PaddingRight(1)
	ts.Cell = ts.Cell.UnsetPadding().PaddingRight(1)
	km := table.DefaultKeyMap()
	s.tbl = table.New(table.WithColumns(historyColumns(st, 80)), table.WithFocused(true), table.WithStyles(ts), table.WithKeyMap(km), table.WithHeight(10))
	return s
}

func historyColumns(st Styles, w int) []table.Column {
	// Fixed columns; role and session share what is left. Every column has 1 cell of padding
	// each side. Below 100 cells, times drop the year.
	tw, pw := 16, 12
	if w < 100 {
		tw, pw = 11, 10
	}
	tr := st.tr()
	fixed := 1 + tw + 8 + tw + 9 + pw + 8
	rest := max(14, w-fixed-1)
	role := rest / 2
	sess := rest - role
	return []table.Column{
		{Title: " ", Width: 1},
		{Title: tr.S("issued"), Width: tw},
		{Title: tr.S("role"), Width: role},
		{Title: tr.S("session"), Width: sess},
		{Title: tr.S("duration"), Width: 8},
		{Title: tr.S("expiry"), Width: tw},
		{Title: tr.S("state"), Width: 9},
		{Title: tr.S("probe"), Width: pw},
	}
}

// Init implements Screen: reads the audit log.
func (s *HistoryScreen) Init() tea.Cmd { return s.reload() }

// Title implements Screen.
func (s *HistoryScreen) Title() string { return "History" }

// InputFocused implements Screen (History has no text fields).
func (s *HistoryScreen) InputFocused() bool { return false }

// SetSize implements Screen.
func (s *HistoryScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.tbl.SetColumns(historyColumns(s.st, w))
	s.tbl.SetWidth(w)
	s.tbl.SetHeight(max(3, h-4))
	s.rebuildRows()
	s.tblView = ""
}

// Records returns the records shown, newest first (for tests).
func (s *HistoryScreen) Records() []model.AuditRecord { return s.records }

// KeyMap implements Screen.
func (s *HistoryScreen) KeyMap() help.KeyMap {
	k := s.keys
	if s.detail {
		return bindings{short: []key.Binding{k.Up, k.Clone, k.Back}}
	}
	has := len(s.records) > 0
	show, clone := k.Show, k.Clone
	show.SetEnabled(has)
	clone.SetEnabled(has)
	return bindings{short: []key.Binding{k.Up, show, clone, k.Reload}}
}

func (s *HistoryScreen) reload() tea.Cmd {
	if s.svc.Audit == nil {
		s.noAudit = true
		return nil
	}
	s.noAudit = false
	s.seq++
	s.loading = true
	return loadHistory(s.svc.Audit, s.seq)
}

func loadHistory(a AuditLog, id int) tea.Cmd {
	return func() tea.Msg {
		recs, warns, err := a.List()
		return historyLoadedMsg{id: id, records: recs, warnings: warns, err: err}
	}
}

// Update implements Screen.
func (s *HistoryScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case TickMsg:
		s.clock = msg.Now
		s.refreshStates()
		return s, nil
	case ClockAdvancedMsg:
		s.sandboxOff = msg.Offset
		s.refreshStates()
		return s, nil
	case TokenIssuedMsg, auditChangedMsg:
		return s, s.reload()
	case historyLoadedMsg:
		if msg.id != s.seq {
			return s, nil
		}
		s.loading = false
		s.warnings = msg.warnings
		if msg.err != nil {
			s.loadErr = flatLine(msg.err.Error())
			return s, func() tea.Msg { return ErrorMsg{Context: s.st.tr().S("reading the audit log"), Err: msg.err} }
		}
		s.loadErr = ""
		s.records = mergeHistory(msg.records)
		s.rebuildRows()
		return s, nil
	case tea.KeyMsg:
		return s, s.updateKey(msg)
	}
	return s, nil
}

// mergeHistory keeps the last line of each record ID (a probe re-appends its token's record)
// and orders newest first.
func mergeHistory(recs []model.AuditRecord) []model.AuditRecord {
	idx := map[string]int{}
	var out []model.AuditRecord
	for _, r := range recs {
		if i, ok := idx[r.ID]; ok && r.ID != "" {
			out[i] = r
			continue
		}
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

func (s *HistoryScreen) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.detail {
		switch {
		case key.Matches(msg, k.Back):
			s.detail = false
		case key.Matches(msg, k.Up):
			s.scroll = max(0, s.scroll-1)
		case key.Matches(msg, k.Down):
			s.scroll++
		case key.Matches(msg, k.Clone):
			return s.clone()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Show):
		if len(s.records) > 0 {
			s.detail, s.scroll = true, 0
		}
		return nil
	case key.Matches(msg, k.Clone):
		return s.clone()
	case key.Matches(msg, k.Reload):
		return s.reload()
	}
	before := s.tbl.Cursor()
	var cmd tea.Cmd
	s.tbl, cmd = s.tbl.Update(msg)
	if s.tbl.Cursor() != before {
		s.rebuildRows()
	}
	s.tblView = ""
	return cmd
}

func (s *HistoryScreen) selected() (model.AuditRecord, bool) {
	i := s.tbl.Cursor()
	if i < 0 || i >= len(s.records) {
		return model.AuditRecord{}, false
	}
	return s.records[i], true
}

func (s *HistoryScreen) clone() tea.Cmd {
	r, ok := s.selected()
	if !ok {
		return nil
	}
	s.detail = false
	return tea.Batch(func() tea.Msg { return CloneIssueMsg{Record: r} },
		func() tea.Msg { return SwitchScreenMsg{To: ScreenIssue} })
}

// live reports whether a record's token is still valid at the screen's clock.
func (s *HistoryScreen) live(r model.AuditRecord) bool {
	now := s.clock
	if r.Mode == "sandbox" {
		now = now.Add(s.sandboxOff)
	}
	return r.Expiration.After(now)
}

func (s *HistoryScreen) refreshStates() {
	if len(s.states) != len(s.records) {
		s.rebuildRows()
		return
	}
	for i, r := range s.records {
		if s.states[i] != s.live(r) {
			s.rebuildRows()
			return
		}
	}
}

func (s *HistoryScreen) rebuildRows() {
	rows := make([]table.Row, len(s.records))
	s.states = make([]bool, len(s.records))
	cur := min(max(0, s.tbl.Cursor()), max(0, len(s.records)-1))
	tr := s.st.tr()
	narrow := s.width < 100 // 0 (no size yet) matches the 80-column layout built in NewHistoryScreen
	tf := "2006-01-02 15:04"
	if narrow {
		tf = "01-02 15:04"
	}
	for i, r := range s.records {
		live := s.live(r)
		s.states[i] = live
		state := GlyphDeny + " " + tr.S("expired")
		if live {
			state = GlyphOK + " " + tr.S("live")
		}
		mark := " "
		if i == cur {
			mark = GlyphSelected
		}
		rows[i] = table.Row{mark, flow.ServerIssueTime(r).UTC().Format(tf), arnRoleName(r.RoleARN), r.SessionName,
			shortDur(time.Duration(r.DurationSeconds) * time.Second), r.Expiration.UTC().Format(tf),
			state, probeSummary(tr, r.Probe)}
	}
	s.tbl.SetRows(rows)
	if len(rows) > 0 && s.tbl.Cursor() != cur {
		s.tbl.SetCursor(cur)
	}
	s.tblView = ""
}

// probeSummary condenses probe results: "4/10 allow" (operations OSS allowed, every prediction
// agreeing), "! 2 diff" (predictions that disagreed), "—" when not probed.
func probeSummary(tr *i18n.T, ps []model.ProbeResult) string {
	if len(ps) == 0 {
		return "—"
	}
	ok, diff := 0, 0
	for _, p := range ps {
		if p.Actual.Allowed {
			ok++
		}
		if p.Agree != nil && !*p.Agree {
			diff++
		}
	}
	if diff > 0 {
		return tr.S("%s %d diff", GlyphWarn, diff)
	}
	return tr.S("%d/%d allow", ok, len(ps))
}

// View implements Screen.
func (s *HistoryScreen) View() string {
	st, tr := s.st, s.st.tr()
	var b strings.Builder
	// The title line and the warnings wrap (never cut): which clock the times are on matters.
	head := 0
	headLines := []string{tr.S("History") + "  " + tr.S("issued tokens (local audit log, never secrets), newest first · times: the server's clock, UTC")}
	if cellWidth(headLines[0]) > s.width {
		headLines = wrapHard(headLines[0], s.width)
	}
	for i, l := range headLines {
		if i == 0 {
			title := tr.S("History")
			l = st.Title.Render(title) + st.Muted.Render(strings.TrimPrefix(l, title))
		} else {
			l = st.Muted.Render(l)
		}
		b.WriteString(l + "\n")
		head++
	}
	for _, w := range s.warnings {
		for _, l := range wrapHard(GlyphWarn+" "+tr.Domain(w), s.width) {
			b.WriteString(st.Warn.Render(l) + "\n")
			head++
		}
	}
	switch {
	case s.noAudit:
		b.WriteString(st.Error.Render(GlyphDeny + " " + tr.S("no audit log configured")))
		return b.String()
	case s.loadErr != "":
		b.WriteString(st.Error.Render(GlyphDeny+" "+tr.Domain(s.loadErr)) + "\n")
		return strings.TrimRight(b.String(), "\n")
	case s.loading && len(s.records) == 0:
		b.WriteString(st.Muted.Render(tr.S("reading the audit log…")))
		return b.String()
	case len(s.records) == 0:
		b.WriteString(st.Muted.Render(tr.S("no tokens issued yet — issue one on screen 3 (Issue)")))
		return b.String()
	}
	if s.detail {
		r, _ := s.selected()
		b.WriteString(s.detailView(r, max(3, s.height-head)))
		return b.String()
	}
	if s.tblView == "" {
		s.tblView = s.tbl.View()
	}
	b.WriteString(s.tblView)
	return b.String()
}

func (s *HistoryScreen) detailView(r model.AuditRecord, height int) string {
	st, tr := s.st, s.st.tr()
	var ls []string
	// Labels padded in cells (a Chinese label is twice as wide as its rune count).
	// Values wrap under themselves (a policy digest or an ARN is wider than 80 columns).
	f := func(label, v string) {
		lines := []string{v}
		if cellWidth(v) > s.width-16 {
			lines = wrapHard(v, max(s.width-16, 20))
		}
		for i, l := range lines {
			if i == 0 {
				ls = append(ls, padRight(label, 15)+" "+l)
			} else {
				ls = append(ls, strings.Repeat(" ", 16)+l)
			}
		}
	}
	f(tr.S("record"), r.ID)
	f(tr.S("issued"), tr.S("%s  (server clock)", flow.ServerIssueTime(r).UTC().Format(time.RFC3339)))
	f(tr.S("role"), r.RoleARN)
	f(tr.S("session"), r.SessionName)
	f(tr.S("duration"), shortDur(time.Duration(r.DurationSeconds)*time.Second))
	state := GlyphDeny + " " + tr.S("expired")
	if s.live(r) {
		state = GlyphOK + " " + tr.S("live")
	}
	f(tr.S("expires"), r.Expiration.UTC().Format(time.RFC3339)+"  "+state)
	if d := r.Time.Sub(flow.ServerIssueTime(r)).Round(time.Second); d != 0 {
		f(tr.S("recorded"), tr.S("%s  (this machine's clock, %s from the server's)", r.Time.UTC().Format(time.RFC3339), plusMinusDur(d)))
	}
	f("AccessKeyId", r.AccessKeyID)
	f(tr.S("caller"), nonEmpty(r.Caller, "?"))
	if r.ExternalIDUsed {
		f(tr.S("external id"), tr.S("used"))
	} else {
		f(tr.S("external id"), tr.S("not used"))
	}
	f(tr.S("mode"), r.Mode+" "+r.Region)
	f(tr.S("probe"), probeSummary(tr, r.Probe))
	if r.SessionPolicy == "" {
		f(tr.S("session policy"), tr.S("none (the role's policies applied)"))
	} else {
		f(tr.S("policy digest"), r.PolicyDigest)
		ls = append(ls, st.Title.Render(tr.S("session policy as sent:")))
		doc := r.SessionPolicy
		var pretty bytes.Buffer
		if json.Indent(&pretty, []byte(doc), "", "  ") == nil {
			doc = pretty.String()
		}
		for _, l := range strings.Split(doc, "\n") {
			ls = append(ls, strings.Split(ansi.Hardwrap(l, max(s.width, 20), true), "\n")...)
		}
	}
	ls = append(ls, st.Muted.Render(tr.S("c clones these inputs into a new issue · esc back")))
	for i := range ls {
		ls[i] = cutLine(ls[i], s.width)
	}
	scroll := min(s.scroll, max(0, len(ls)-height))
	return strings.Join(ls[scroll:min(len(ls), scroll+height)], "\n")
}
