package ui

// The Policy screen's Record flow: R issues a short RECORDING token (a broad session policy
// within the role), the panel follows the sandbox's decision journal as the partner's requests
// arrive (action, resource, decision), and g generates the least-privilege policy from them
// into the editor (model/flow FromJournal), where the findings, meter and preview grid check it
// before the real token is issued. esc stops following.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// journalFeed is the sandbox control API's live journal (sts.Control satisfies it).
type journalFeed interface {
	Journal(ctx context.Context, since uint64) (model.JournalPage, error)
}

// recordDuration is the recording token's lifetime: the shortest STS issues.
const recordDuration = 15 * time.Minute

// recordPoll is how often the panel asks the journal for new records.
const recordPoll = time.Second

type recordKeys struct {
	Start    key.Binding
	Generate key.Binding
	Stop     key.Binding
}

func newRecordKeys() recordKeys {
	return recordKeys{
		Start:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "record a workflow")),
		Generate: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "generate policy")),
		Stop:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop recording")),
	}
}

// recorder is the Record panel's state.
type recorder struct {
	st      Styles
	keys    recordKeys
	active  bool
	id      int // drops answers of an earlier recording
	pending bool
	session string
	keyID   string // the recording token's AccessKeyId (never its secret)
	expires time.Time
	since   uint64
	records []model.DecisionRecord // the recording session's
	missed  uint64
	err     string
	note    string
}

// Messages of the Record flow.
type (
	recordIssuedMsg struct {
		id     int
		res    flow.IssueResult
		req    model.IssueRequest
		err    error
		expire time.Time
	}
	recordPageMsg struct {
		id   int
		page model.JournalPage
		err  error
	}
)

// recordingPolicy is the broad session policy of a recording token: everything the role may
// do on the chosen bucket (the role's own policies still bound it), or everything the role may
// do when no bucket is chosen.
func recordingPolicy(bucket string) string {
	if bucket == "" {
		return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	}
	return `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:` + bucket + `","acs:oss:*:*:` + bucket + `/*"]}]}`
}

// startRecording issues the RECORDING token for the role on the Roles screen.
func (s *PolicyScreen) startRecording() tea.Cmd {
	tr := s.st.tr()
	status := func(text string) tea.Cmd { return func() tea.Msg { return StatusMsg{Text: text} } }
	if s.svc == nil || s.svc.Issuer == nil {
		return status(tr.S("record: no STS connection"))
	}
	if _, ok := s.svc.Sandbox.(journalFeed); !ok {
		return status(tr.S("record: only the sandbox keeps a decision journal (stsdeck sandbox --journal FILE, or the console's own sandbox)"))
	}
	if s.role == nil || s.role.ARN == "" {
		return status(tr.S("record: choose a role on the Roles screen first"))
	}
	r := &s.rec
	r.id++
	*r = recorder{st: r.st, keys: r.keys, id: r.id, active: true, pending: true}
	now := s.now()
	r.session = "stsdeck-recording-" + now.UTC().Format("20060102T150405")
	req := model.IssueRequest{RoleARN: s.role.ARN, SessionName: r.session, Duration: recordDuration, Policy: recordingPolicy(s.bucket)}
	ports := flow.IssuePorts{Issuer: s.svc.Issuer, Audit: s.svc.Audit, Identity: s.svc.Identity}
	in := flow.IssueInput{Request: req, Role: *s.role, Mode: s.svc.Mode, Region: s.svc.Region, Now: s.now}
	id := r.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err := flow.Issue(ctx, ports, in)
		return recordIssuedMsg{id: id, res: res, req: req, err: err, expire: now.Add(recordDuration)}
	}
}

// pollJournal asks for the records after since, after a pause when wait.
func pollJournal(feed journalFeed, id int, since uint64, wait bool) tea.Cmd {
	fetch := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := feed.Journal(ctx, since)
		return recordPageMsg{id: id, page: p, err: err}
	}
	if !wait {
		return fetch
	}
	return tea.Tick(recordPoll, func(time.Time) tea.Msg { return fetch() })
}

// recordUpdate handles the Record flow's messages.
func (s *PolicyScreen) recordUpdate(msg tea.Msg) tea.Cmd {
	r := &s.rec
	tr := s.st.tr()
	feed, _ := s.svc.Sandbox.(journalFeed)
	switch msg := msg.(type) {
	case recordIssuedMsg:
		if msg.id != r.id || !r.active {
			return nil
		}
		r.pending = false
		if msg.err != nil {
			r.err = tr.S("the recording token was not issued — %s", flatLine(msg.err.Error()))
			return nil
		}
		r.keyID, r.expires = msg.res.Creds.AccessKeyID, msg.expire
		issued := TokenIssuedMsg{Creds: msg.res.Creds, Request: msg.req, RecordID: msg.res.Record.ID, Record: msg.res.Record}
		text := tr.S("RECORDING token %s issued; hand it over from the Test screen's tools or run its probe", msg.res.Creds.AccessKeyID)
		return tea.Batch(func() tea.Msg { return issued }, pollJournal(feed, r.id, 0, false),
			func() tea.Msg { return StatusMsg{Text: text} })
	case recordPageMsg:
		if msg.id != r.id || !r.active || feed == nil {
			return nil
		}
		if msg.err != nil {
			r.err = tr.S("journal: %s", flatLine(msg.err.Error()))
			return pollJournal(feed, r.id, r.since, true)
		}
		r.err = ""
		r.missed += msg.page.Missed
		for _, d := range msg.page.Records {
			if d.Principal.Session == r.session {
				r.records = append(r.records, d)
			}
		}
		r.since = msg.page.Next
		return pollJournal(feed, r.id, r.since, true)
	}
	return nil
}

// recordKey handles a key while the Record panel is shown.
func (s *PolicyScreen) recordKey(msg tea.KeyMsg) tea.Cmd {
	r := &s.rec
	tr := s.st.tr()
	switch {
	case key.Matches(msg, r.keys.Stop):
		r.active = false
		r.id++ // drop the polls in flight
		text := tr.S("recording stopped (the recording token stays valid until it expires)")
		return func() tea.Msg { return StatusMsg{Text: text} }
	case key.Matches(msg, r.keys.Generate):
		if len(r.records) == 0 {
			r.note = tr.S("nothing recorded yet")
			return nil
		}
		g, err := flow.FromJournal(r.records, flow.RecordFilter{Session: r.session, Bucket: s.bucket})
		if g == nil {
			r.note = tr.S("cannot generate: %s", tr.Domain(flatLine(err.Error())))
			return nil
		}
		r.active = false
		r.id++
		lines := g.Describe()
		for i, l := range lines {
			lines[i] = tr.Domain(l)
		}
		text := tr.S("generated from the recording: %s", strings.Join(lines, tr.S("; ")))
		return tea.Batch(s.setDoc(g.Document), func() tea.Msg { return StatusMsg{Text: text} })
	}
	return nil
}

// View is the Record panel: the token's label and the live journal.
func (r *recorder) View(width, height int) string {
	var b strings.Builder
	tr := r.st.tr()
	b.WriteString(r.st.Warn.Render("● "+tr.S("RECORDING")) + "  " + tr.S("session %s", r.session) + "\n")
	switch {
	case r.pending:
		b.WriteString(tr.S("issuing the recording token…") + "\n")
	case r.keyID != "":
		b.WriteString(tr.S("token %s (broad session policy, expires %s)", r.keyID, r.expires.Format("15:04:05")) + "\n")
	}
	if r.err != "" {
		b.WriteString(r.st.Error.Render(r.err) + "\n")
	}
	if r.note != "" {
		b.WriteString(r.note + "\n")
	}
	b.WriteString(tr.S("%d requests recorded", len(r.records)))
	if r.missed > 0 {
		b.WriteString(tr.S(" (%d journal records scrolled past; read the journal file)", r.missed))
	}
	b.WriteString("\n")
	room := max(height-6, 1)
	first := max(len(r.records)-room, 0)
	for _, d := range r.records[first:] {
		mark := "✓"
		if d.Decision != "Allow" {
			mark = "✗"
		}
		res := d.Resource
		if parts := strings.SplitN(res, ":", 5); len(parts) == 5 && parts[1] == "oss" {
			res = parts[4] // bucket/key
		}
		line := fmt.Sprintf("%s %-22s %s %s", mark, d.Action, res, d.Decision)
		if d.Decision != "Allow" && d.DecidedBy != "" {
			line += " (" + d.DecidedBy + ")"
		}
		b.WriteString(truncateLine(line, width) + "\n")
	}
	b.WriteString(r.st.Muted.Render(tr.S("g generate the policy · esc stop")))
	return b.String()
}
