package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/ui/credserve"
)

// S on the token card (issue 16 item 6): serve the current token on a loopback credentials
// URI (ui/credserve, the handler `stsdeck serve` uses: 127.0.0.1 only, a 256-bit path, the URL
// in a 0600 file and on screen only when asked), renewed by a flow.Renewer with the card's
// issue inputs (each renewal audited by the issue use case). The card shows how many renewals
// and the next renewal time; stopping the console stops serving, and asks first when a command
// fetched the token in the last minute.

// tokenServe is the Issue screen's serve state.
type tokenServe struct {
	dir      string // where the URL file goes ("" = a private temporary directory)
	seq      int
	starting bool
	srv      *credserve.Server
	role     string // the role served
	showURI  bool
	err      string
}

// serveStartedMsg answers serveCmd.
type serveStartedMsg struct {
	id  int
	srv *credserve.Server
	err error
}

// serveStoppedMsg answers stopServeCmd.
type serveStoppedMsg struct{}

// serveInput is what a serve needs, copied out of the model.
type serveInput struct {
	ports   flow.IssuePorts
	in      flow.IssueInput
	current flow.IssueResult // the card's token: served first while it has MinServeLeft
	sandbox SandboxControl
	region  string
	file    string
	now     func() time.Time // the wall clock fetches are counted on
}

// serveCmd builds the renewer, gets the first token (the card's) and listens.
func serveCmd(si serveInput, id int) tea.Cmd {
	return func() tea.Msg {
		var used atomic.Bool // the card's token went out first
		issue := func(ctx context.Context, d time.Duration) (flow.IssueResult, error) {
			if !used.Swap(true) {
				if si.current.Creds.AccessKeyID != "" {
					return si.current, nil
				}
			}
			in := si.in
			in.Request.Duration = d
			res, err := flow.Issue(ctx, si.ports, in)
			if err == nil && res.Creds.Region == "" {
				res.Creds.Region = si.region
			}
			return res, err
		}
		r, err := flow.NewRenewer(flow.RenewerConfig{Issue: issue, Clock: credserve.SandboxClock(si.sandbox), Duration: si.in.Request.Duration})
		if err != nil {
			return serveStartedMsg{id: id, err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := r.Get(ctx); err != nil {
			return serveStartedMsg{id: id, err: err}
		}
		file := si.file
		if file == "" {
			dir, err := os.MkdirTemp("", "stsdeck-serve-")
			if err != nil {
				return serveStartedMsg{id: id, err: err}
			}
			file = filepath.Join(dir, "console.url")
		}
		srv, err := credserve.Start(r, file, si.now)
		return serveStartedMsg{id: id, srv: srv, err: err}
	}
}

// stopServeCmd stops a server (answers in flight get up to 2 s).
func stopServeCmd(srv *credserve.Server) tea.Cmd {
	return func() tea.Msg {
		srv.Close()
		return serveStoppedMsg{}
	}
}

// toggleServe starts serving the card's token, or stops.
func (s *IssueScreen) toggleServe() tea.Cmd {
	sv := &s.serve
	tr := s.st.tr()
	if sv.srv != nil {
		srv := sv.srv
		sv.srv, sv.showURI, sv.err = nil, false, ""
		text := tr.S("stopped serving the token")
		return tea.Batch(stopServeCmd(srv), func() tea.Msg { return StatusMsg{Text: text} })
	}
	if sv.starting || s.creds == nil {
		return nil
	}
	if s.svc.Issuer == nil {
		sv.err = tr.S("no STS connection (TokenIssuer not configured)")
		return nil
	}
	sv.seq++
	sv.starting, sv.err = true, ""
	sv.role = s.req.RoleARN
	in := flow.IssueInput{Request: s.req, Caller: s.caller, Mode: s.svc.Mode, Region: s.svc.Region, Now: s.now}
	if s.role.ARN == s.req.RoleARN {
		in.Role = s.role
	}
	file := ""
	if sv.dir != "" {
		file = filepath.Join(sv.dir, "console-"+strconv.Itoa(os.Getpid())+".url")
	}
	si := serveInput{ports: flow.IssuePorts{Issuer: s.svc.Issuer, Audit: s.svc.Audit, Identity: s.svc.Identity}, in: in,
		current: flow.IssueResult{Creds: *s.creds, Record: s.record}, sandbox: s.svc.Sandbox, region: s.svc.Region, file: file, now: s.now}
	if si.current.Record.DurationSeconds == 0 {
		si.current = flow.IssueResult{} // its age is unknown: issue a fresh one
	}
	return serveCmd(si, sv.seq)
}

// onServeStarted installs the server (or its failure).
func (s *IssueScreen) onServeStarted(msg serveStartedMsg) tea.Cmd {
	sv := &s.serve
	if msg.id != sv.seq || !sv.starting {
		if msg.srv != nil {
			return stopServeCmd(msg.srv) // abandoned meanwhile
		}
		return nil
	}
	sv.starting = false
	if msg.err != nil {
		sv.err = flatLine(msg.err.Error())
		err := msg.err
		ctx := s.st.tr().S("serving the token")
		return func() tea.Msg { return ErrorMsg{Context: ctx, Err: err} }
	}
	sv.srv = msg.srv
	text := s.st.tr().S("serving the token on a loopback credentials URI (U shows it)")
	return func() tea.Msg { return StatusMsg{Text: text} }
}

// StopServing stops at once (the console is ending).
func (s *IssueScreen) StopServing() {
	if s.serve.srv != nil {
		s.serve.srv.Close()
		s.serve.srv = nil
	}
	s.serve.seq++ // a start in flight is dropped (its answer stops it)
	s.serve.starting = false
}

// ServeWarning says why quitting should ask: a command fetched the served token within the
// last minute ("" = nobody seems to use it).
func (s *IssueScreen) ServeWarning(now time.Time) string {
	if s.serve.srv == nil {
		return ""
	}
	n, _ := s.serve.srv.Fetches(now)
	if n == 0 {
		return ""
	}
	return s.st.tr().S("served token fetched %d× in the last minute — quit and stop serving? (y/n)", n)
}

// serveView is the card's serve rows ("" when not serving).
func (s *IssueScreen) serveView(now time.Time) string {
	sv := &s.serve
	st, tr := s.st, s.st.tr()
	switch {
	case sv.starting:
		return st.Muted.Render(tr.S("serving: starting…"))
	case sv.srv == nil && sv.err != "":
		return st.Error.Render(GlyphDeny + " " + tr.S("not serving: %s", sv.err))
	case sv.srv == nil:
		return ""
	}
	stat := sv.srv.Renewer.Status()
	fetched, total := sv.srv.Fetches(now)
	w := cardRows{width: s.cardW}
	w.row(tr.S("Serving"), GlyphOK+" "+tr.S("credentials URI on 127.0.0.1 for %s", arnRoleName(sv.role)))
	w.row(tr.S("Renewals"), tr.S("%d (token %s)", stat.Renewals, stat.AccessKeyID))
	if !stat.NextRenewal.IsZero() {
		w.row(tr.S("Next renewal"), tr.S("%s (server clock)", stat.NextRenewal.UTC().Format("2006-01-02 15:04:05 UTC")))
	}
	w.row(tr.S("Fetches"), tr.S("%d in the last minute, %d in all", fetched, total))
	if stat.LastError != nil {
		w.row(tr.S("Last renewal"), GlyphDeny+" "+flatLine(stat.LastError.Error()))
	}
	if sv.showURI {
		w.row("URI", sv.srv.URL)
		w.row(tr.S("URI file"), sv.srv.URLFile+" (0600)")
		w.row("", "ALIBABA_CLOUD_CREDENTIALS_URI=$(cat "+shellQuote(sv.srv.URLFile)+")")
	} else {
		w.row("URI", st.Muted.Render(tr.S("hidden (U shows it; the file %s holds it, 0600)", sv.srv.URLFile)))
	}
	return w.String()
}

// shellQuote quotes a path for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (s *IssueScreen) setServeDir(dir string) { s.serve.dir = dir }
