package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

type recIssuer struct{ got []model.IssueRequest }

func (f *recIssuer) AssumeRole(_ context.Context, req model.IssueRequest) (model.Credentials, error) {
	f.got = append(f.got, req)
	return model.Credentials{AccessKeyID: "STS.recording", AccessKeySecret: "rec-secret", SecurityToken: "rec-token", Expiration: cNow.Add(req.Duration)}, nil
}

// recFeed is a sandbox control API with a live journal.
type recFeed struct {
	cSandboxFake
	recs []model.DecisionRecord
}

func (f *recFeed) Journal(_ context.Context, since uint64) (model.JournalPage, error) {
	p := model.JournalPage{Next: since}
	for _, r := range f.recs {
		if r.Seq > since {
			p.Records = append(p.Records, r)
			p.Next = r.Seq
		}
	}
	return p, nil
}

// runNow runs cmd and what it leads to (batches included), skipping ticks, and feeds every
// message back to the screen.
func runNow(t *testing.T, p *PolicyScreen, cmd tea.Cmd, depth int) {
	t.Helper()
	if cmd == nil || depth > 6 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(200 * time.Millisecond):
		return // a tick (the next poll) or a debounce
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			runNow(t, p, c, depth+1)
		}
		return
	}
	_, next := p.Update(msg)
	runNow(t, p, next, depth+1)
}

func TestPolicyRecordFlow(t *testing.T) {
	svc := cDemoServices(cDemoRoles())
	iss := &recIssuer{}
	feed := &recFeed{}
	svc.Issuer, svc.Sandbox = iss, feed
	p := NewPolicyScreen(svc, NewStyles(true), cClock)
	p.SetSize(100, 24)
	runNow(t, p, p.Init(), 0)
	roles, _ := cDemoRoles().ListRoles(context.Background())
	p.Update(RoleSelectedMsg{Role: roles[0]})

	_, cmd := p.Update(cKey("R"))
	runNow(t, p, cmd, 0)
	if len(iss.got) != 1 || iss.got[0].Duration != recordDuration || !strings.Contains(iss.got[0].Policy, `"oss:*"`) ||
		!strings.HasPrefix(iss.got[0].SessionName, "stsdeck-recording-") {
		t.Fatalf("recording token request %+v", iss.got)
	}
	v := cPlain(p.View())
	if !strings.Contains(v, "RECORDING") || !strings.Contains(v, "STS.recording") || strings.Contains(v, "rec-secret") || strings.Contains(v, "rec-token") {
		t.Fatalf("record panel:\n%s", v)
	}
	// The partner's requests arrive in the journal.
	sess := iss.got[0].SessionName
	base := "acs:oss:cn-hangzhou:" + cAccount + ":examplebucket"
	pr := model.DecisionPrincipal{Type: "role", ARN: "acs:ram::" + cAccount + ":assumed-role/RamOssTest/" + sess, Session: sess}
	feed.recs = []model.DecisionRecord{
		{Seq: 1, Principal: model.DecisionPrincipal{Type: "user", Name: "sts-issuer"}, Service: "sts", Action: "sts:AssumeRole", Resource: "x", Decision: "Allow"},
		{Seq: 2, Principal: pr, Service: "oss", Action: "oss:PutObject", Resource: base + "/in/a.txt", Decision: "Allow", DecidedBy: "identity"},
		{Seq: 3, Principal: pr, Service: "oss", Action: "oss:PutObject", Resource: base + "/in/b.txt", Decision: "Allow", DecidedBy: "identity"},
		{Seq: 4, Principal: pr, Service: "oss", Action: "oss:GetObject", Resource: base + "/in/a.txt", Decision: "ImplicitDeny", DecidedBy: "identity"},
	}
	runNow(t, p, pollJournal(feed, p.rec.id, p.rec.since, false), 0)
	v = cPlain(p.View())
	if !strings.Contains(v, "3 requests recorded") || !strings.Contains(v, "✓ oss:PutObject") || !strings.Contains(v, "examplebucket/in/b.txt") ||
		!strings.Contains(v, "✗ oss:GetObject") || !strings.Contains(v, "(identity)") {
		t.Fatalf("live journal:\n%s", v)
	}
	// g: the policy goes into the editor, checked like any draft.
	_, cmd = p.Update(cKey("g"))
	runNow(t, p, cmd, 0)
	if p.rec.active || !strings.Contains(p.Doc(), base+"/in/*") || !strings.Contains(p.Doc(), `"oss:GetObject"`) {
		t.Fatalf("generated doc %q (recording active %v)", p.Doc(), p.rec.active)
	}
	if v = cPlain(p.View()); strings.Contains(v, "RECORDING") {
		t.Fatalf("the panel stayed:\n%s", v)
	}
}

func TestPolicyRecordNeedsSandboxAndRole(t *testing.T) {
	svc := cDemoServices(cDemoRoles())
	svc.Issuer = &recIssuer{}
	p := NewPolicyScreen(svc, NewStyles(true), cClock)
	_, cmd := p.Update(cKey("R"))
	if m, ok := cmd().(StatusMsg); !ok || !strings.Contains(m.Text, "decision journal") {
		t.Fatalf("without a journal feed: %#v", m)
	}
	svc.Sandbox = &recFeed{}
	_, cmd = p.Update(cKey("R"))
	if m, ok := cmd().(StatusMsg); !ok || !strings.Contains(m.Text, "choose a role") || p.rec.active {
		t.Fatalf("without a role: %#v", m)
	}
}
