package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/ui/credserve"
)

// serve: a loopback credential endpoint in the shape of credentials-go's URI provider
// (ALIBABA_CLOUD_CREDENTIALS_URI) that keeps one role + session policy's token fresh.
//
//	stsdeck serve (--role NAME|ARN [issue flags] | --from-history ID) [--via ROLE] [--until 8h]
//	              [--url-file FILE] [--print-url] [--json] [--addr 127.0.0.1:PORT]
//
// Security: it listens on 127.0.0.1 only; the URL's path is 256 random bits; the URL is written
// to a 0600 file and printed only with --print-url; any other path answers 404, any peer that is
// not loopback 403, a Host header naming another host 403 (DNS rebinding); past --until 410.
func runServe(ctx context.Context, env *Env) int {
	c := newCmd(env, "serve", "(--role NAME|ARN [--policy FILE | --template NAME --bucket B --prefix P] | --from-history ID) [--via ROLE] [--until 8h] [--url-file FILE] [--print-url] [--json]")
	var o serveFlags
	o.register(c)
	asJSON := c.Bool("json", false, "print one JSON ready line on stdout")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	if code := o.check(c); code >= 0 {
		return code
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	s, code := c.startServe(ctx, svc, &o)
	if code >= 0 {
		return code
	}
	defer s.Close()
	ready := serveReady{Event: "ready", URLFile: s.URLFile, Addr: s.Addr, RoleARN: s.RoleARN, Via: s.Via,
		Until: s.Renewer.Until().UTC(), AccessKeyID: s.First.Creds.AccessKeyID, Expiration: s.First.Creds.Expiration.UTC(),
		RenewFraction: flow.RenewFraction, MinLeftSeconds: int64(flow.MinServeLeft / time.Second), PID: os.Getpid()}
	if o.printURL {
		ready.URL = s.URL
	}
	if *asJSON {
		b, _ := json.Marshal(ready)
		fmt.Fprintf(env.Stdout, "%s\n", b)
	} else {
		if o.printURL {
			fmt.Fprintf(env.Stdout, "%s\n", s.URL)
		}
		env.tr().F(env.Stderr, "stsdeck serve: serving %s on %s until %s; the URL is in %s (mode 0600); renews at half the token's life, never serves one with under %s left; Ctrl-C stops\n",
			s.RoleARN, s.Addr, ready.Until.Format(time.RFC3339), s.URLFile, flow.MinServeLeft)
	}
	err := s.Wait(ctx)
	if errors.Is(err, flow.ErrServeEnded) {
		env.tr().F(env.Stderr, "stsdeck serve: the serve window ended (%s); stopped after %d token(s)\n", ready.Until.Format(time.RFC3339), s.Renewer.Status().Issued)
		return ExitOK
	}
	env.tr().F(env.Stderr, "stsdeck serve: stopped after %d token(s)\n", s.Renewer.Status().Issued)
	return ExitOK
}

// serveReady is the --json ready line.
type serveReady struct {
	Event          string    `json:"event"`
	URL            string    `json:"url,omitempty"` // only with --print-url
	URLFile        string    `json:"url_file"`
	Addr           string    `json:"addr"`
	RoleARN        string    `json:"role_arn"`
	Via            []string  `json:"via,omitempty"`
	Until          time.Time `json:"until"`
	AccessKeyID    string    `json:"access_key_id"`
	Expiration     time.Time `json:"expiration"`
	RenewFraction  float64   `json:"renew_fraction"`
	MinLeftSeconds int64     `json:"min_left_seconds"`
	PID            int       `json:"pid"`
}

// serveFlags are the flags of serve and exec.
type serveFlags struct {
	t           tokenFlags
	via         string
	fromHistory string
	until       string
	urlFile     string
	printURL    bool
	addr        string
	untilD      time.Duration
	// Set by serveIssuer: the final role's ARN and the session name used.
	finalARN, sessionName string
}

func (o *serveFlags) register(c *cmdFlags) {
	o.t.register(c.FlagSet, true)
	c.StringVar(&o.via, "via", "", "reach --role through intermediate `ROLE[,ROLE]` (a role chain: each hop assumes the next)")
	c.StringVar(&o.fromHistory, "from-history", "", "clone the role, session policy and duration of audit record `ID` (stsdeck history)")
	c.StringVar(&o.until, "until", "8h", "stop serving after `D` (no token outlives it)")
	c.StringVar(&o.urlFile, "url-file", "", "write the URL to `FILE` (0600; default <state dir>/serve/<pid>.url, removed on exit)")
	c.BoolVar(&o.printURL, "print-url", false, "print the URL (it is a bearer secret)")
	c.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen on `127.0.0.1:PORT` (loopback only)")
}

func (o *serveFlags) check(c *cmdFlags) int {
	d, err := parseDuration(o.until)
	if err != nil || d <= 0 {
		if err == nil {
			err = msg.Errf("want a positive duration")
		}
		return c.bad("--until: %v", err)
	}
	o.untilD = d
	if o.fromHistory == "" && o.t.role == "" {
		return c.bad("--role (or --from-history ID) is required")
	}
	if o.fromHistory != "" && (o.t.role != "" || o.t.policyFile != "" || o.t.template != "") {
		return c.bad("--from-history takes the role and session policy from the record: drop --role, --policy and --template")
	}
	if _, err := loopbackAddr(o.addr); err != nil {
		return c.bad("--addr %s: %v", o.addr, err)
	}
	return -1
}

// loopbackAddr accepts 127.0.0.1:PORT (or localhost:PORT) and nothing else.
func loopbackAddr(a string) (string, error) { return credserve.LoopbackAddr(a) }

// serving is a started serve.
type serving struct {
	URL, URLFile, Addr string
	RoleARN            string
	Via                []string
	Renewer            *flow.Renewer
	First              flow.IssueResult
	srv                *http.Server
	done               chan error
	removeFile         bool
	clock              flow.ServerClock
}

// startServe builds the renewer, issues the first token (errors are reported and returned as
// an exit code), listens and writes the URL file.
func (c *cmdFlags) startServe(ctx context.Context, svc *service.Services, o *serveFlags) (*serving, int) {
	issue, roleARN, via, dur, code := c.serveIssuer(ctx, svc, o)
	if code >= 0 {
		return nil, code
	}
	clock := serverClock(svc)
	until := time.Now().Add(o.untilD) // live: the local clock (the renewer adds the Date offset)
	if clock != nil {
		now, err := clock(ctx)
		if err != nil {
			return nil, c.fail(msg.Errf("reading the sandbox clock: %v", err))
		}
		until = now.Add(o.untilD)
	}
	r, err := flow.NewRenewer(flow.RenewerConfig{Issue: issue, Clock: clock, Duration: dur, Until: until})
	if err != nil {
		return nil, c.fail(err)
	}
	first, err := r.Get(ctx)
	if err != nil {
		return nil, c.fail(err)
	}
	addr, _ := loopbackAddr(o.addr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		c.env.tr().F(c.env.Stderr, "stsdeck %s: listening on %s: %v\n", c.name, addr, err)
		return nil, ExitDenied
	}
	path, err := randomPath()
	if err != nil {
		ln.Close()
		return nil, c.fail(err)
	}
	s := &serving{Addr: ln.Addr().String(), RoleARN: roleARN, Via: via, Renewer: r, First: first, done: make(chan error, 1), clock: clock}
	s.URL = "http://" + s.Addr + path
	s.URLFile = o.urlFile
	if s.URLFile == "" {
		dir, err := StateDir(c.env.Getenv)
		if err != nil {
			ln.Close()
			return nil, c.bad("%v", err)
		}
		s.URLFile = filepath.Join(dir, "serve", strconv.Itoa(os.Getpid())+".url")
		s.removeFile = true
	}
	if err := writeFile0600(s.URLFile, []byte(s.URL+"\n")); err != nil {
		ln.Close()
		c.env.tr().F(c.env.Stderr, "stsdeck %s: writing the URL file %s: %v\n", c.name, s.URLFile, err)
		return nil, ExitDenied
	}
	s.removeFile = true
	h := &CredentialHandler{Path: path, Renewer: r, Log: func(m string) { fmt.Fprintf(c.env.Stderr, "stsdeck %s: %s\n", c.name, c.env.tr().Domain(m)) }} // i18n:ok
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, -1
}

// Wait serves until ctx is done or the window ends (checked every few seconds, which also
// renews a token nobody fetched so that a late fetch never waits).
func (s *serving) Wait(ctx context.Context) error {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-s.done:
			return err
		case <-t.C:
			if _, err := s.Renewer.Get(ctx); errors.Is(err, flow.ErrServeEnded) {
				return err
			}
		}
	}
}

// Close stops the listener (in-flight answers get 2 s) and removes the URL file.
func (s *serving) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
	if s.removeFile {
		os.Remove(s.URLFile)
	}
}

// randomPath is "/" + 256 random bits, base64url.
func randomPath() (string, error) { return credserve.RandomPath() }

// serverClock is the clock serve decides expiry on (credserve.SandboxClock).
func serverClock(svc *service.Services) flow.ServerClock { return credserve.SandboxClock(svc.Sandbox) }

// serveIssuer turns the flags (or an audit record) into the function that issues one token.
func (c *cmdFlags) serveIssuer(ctx context.Context, svc *service.Services, o *serveFlags) (flow.IssueFunc, string, []string, time.Duration, int) {
	t := o.t
	var pol string
	var dur time.Duration
	var err error
	var roleARN string
	if o.fromHistory != "" {
		rec, code := c.historyRecord(svc, o.fromHistory)
		if code >= 0 {
			return nil, "", nil, 0, code
		}
		roleARN, pol = rec.RoleARN, rec.SessionPolicy
		dur = time.Duration(rec.DurationSeconds) * time.Second
		if t.sessionName == "" {
			t.sessionName = rec.SessionName
		}
		if rec.ExternalIDUsed && t.externalID == "" {
			return nil, "", nil, 0, c.bad("audit record %s used an external id (never recorded): pass --external-id", rec.ID)
		}
		if o.via == "" && len(rec.Via) > 0 {
			o.via = strings.Join(rec.Via, ",")
		}
	} else {
		if pol, err = c.sessionPolicy(&t); err != nil {
			return nil, "", nil, 0, c.bad("%v", err)
		}
		var code int
		if roleARN, code = c.resolveRole(ctx, svc, t.role); code >= 0 {
			return nil, "", nil, 0, code
		}
	}
	if t.duration != "" {
		if dur, err = parseDuration(t.duration); err != nil {
			return nil, "", nil, 0, c.bad("--duration: %v", err)
		}
	}
	name := t.sessionName
	if name == "" {
		prefix := "stsdeck-"
		if c.name != "issue" {
			prefix += c.name + "-" // stsdeck-serve-…, stsdeck-exec-…: the audit log tells them apart
		}
		name = prefix + c.env.Now().UTC().Format("20060102-150405")
	}
	if svc.Issuer == nil {
		return nil, "", nil, 0, c.bad("no token issuer available")
	}
	var via []string
	for _, v := range strings.Split(o.via, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		arn, code := c.resolveRole(ctx, svc, v)
		if code >= 0 {
			return nil, "", nil, 0, code
		}
		via = append(via, arn)
	}
	var role model.Role
	if svc.Roles != nil {
		role, _ = svc.Roles.GetRole(ctx, roleARN)
	}
	in := flow.IssueInput{Request: model.IssueRequest{RoleARN: roleARN, SessionName: name, Duration: dur, ExternalID: t.externalID, Policy: pol},
		Role: role, Mode: svc.Mode, Region: svc.Region, Now: c.env.Now}
	if len(via) > 0 {
		if d, ok := flow.ChainDuration(dur); !ok {
			return nil, "", nil, 0, c.bad("--duration %s: a chained session lasts at most %s (the cloud caps role chains)", dur, flow.MaxChainDuration)
		} else {
			dur = d
		}
	}
	o.finalARN, o.sessionName = roleARN, name
	ports := flow.IssuePorts{Issuer: svc.Issuer, Audit: svc.Audit, Identity: svc.Identity}
	warned := false
	issue := func(ctx context.Context, d time.Duration) (flow.IssueResult, error) {
		in := in
		in.Request.Duration = d
		var res flow.IssueResult
		var err error
		if len(via) > 0 {
			res, err = flow.IssueChain(ctx, flow.ChainPorts{IssuePorts: ports, IssuerWith: svc.IssuerWith}, flow.ChainInput{Via: via, Final: in})
		} else {
			res, err = flow.Issue(ctx, ports, in)
		}
		if !warned {
			warned = true
			for _, p := range res.Warnings {
				fmt.Fprintf(c.env.Stderr, "stsdeck %s: %s\n", c.name, problemText(c.env.tr(), p)) // i18n:ok
			}
		}
		if err == nil && res.AuditErr != nil {
			c.env.tr().F(c.env.Stderr, "stsdeck %s: warning: token %s was issued but not recorded: %s\n", c.name, res.Creds.AccessKeyID, errText(c.env.tr(), res.AuditErr))
		}
		if err == nil && res.Creds.Region == "" {
			res.Creds.Region = svc.Region
		}
		return res, err
	}
	return issue, roleARN, via, dur, -1
}

// historyRecord finds an audit record by id (or a unique prefix of it).
func (c *cmdFlags) historyRecord(svc *service.Services, id string) (model.AuditRecord, int) {
	if svc.Audit == nil {
		return model.AuditRecord{}, c.bad("--from-history: no audit log")
	}
	recs, _, err := svc.Audit.List()
	if err != nil {
		return model.AuditRecord{}, c.bad("--from-history: reading the audit log: %v", err)
	}
	var found []model.AuditRecord
	for _, r := range recs {
		if r.ID == id {
			return r, -1
		}
		if strings.HasPrefix(r.ID, id) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], -1
	case 0:
		return model.AuditRecord{}, c.bad("--from-history %s: no such audit record (see stsdeck history)", id)
	}
	return model.AuditRecord{}, c.bad("--from-history %s: %d records start with it; give more of the id", id, len(found))
}

// CredentialHandler answers the credentials URI; it lives in ui/credserve so the console's
// token card serves with the same rules.
type CredentialHandler = credserve.Handler
