package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// ---- small fakes of the service interfaces (prefix tk: shared by this file's siblings) ----

var tkNow = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

const (
	tkSecret = "tkSECRETvalue0123456789abcdefghij"
	tkToken  = "CAIStkTOKENvalue/abcdefghijklmnopqrstuvwxyz0123456789+=="
	tkRole   = "acs:ram::1234567890123456:role/ramosstest"
	tkPolicy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
)

type tkIssuer struct {
	mu   sync.Mutex
	reqs []model.IssueRequest
	n    int
	err  error
	at   func() time.Time // issue time (the injected clock)
	skew time.Duration    // server clock offset reported
}

func (f *tkIssuer) AssumeRole(_ context.Context, req model.IssueRequest) (model.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return model.Credentials{}, f.err
	}
	f.n++
	d := req.Duration
	if d == 0 {
		d = time.Hour
	}
	now := tkNow
	if f.at != nil {
		now = f.at()
	}
	return model.Credentials{
		AccessKeyID:       "STS.tkKey" + strings.Repeat("x", f.n),
		AccessKeySecret:   tkSecret,
		SecurityToken:     tkToken,
		Expiration:        now.Add(f.skew).Add(d).UTC(),
		IssuedAt:          now,
		ServerClockOffset: f.skew,
		RoleARN:           req.RoleARN,
		AssumedRoleARN:    req.RoleARN + "/" + req.SessionName,
		Region:            "cn-hangzhou",
		RequestID:         "REQ-ISSUE",
	}, nil
}

type tkIdentity struct{ arn string }

func (f tkIdentity) Whoami(context.Context) (model.Caller, error) {
	return model.Caller{ARN: f.arn, AccountID: "1234567890123456"}, nil
}

type tkAudit struct {
	mu        sync.Mutex
	recs      []model.AuditRecord
	warns     []string
	listErr   error
	appendErr error
}

func (f *tkAudit) Append(r model.AuditRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.appendErr != nil {
		return f.appendErr
	}
	f.recs = append(f.recs, r)
	return nil
}

func (f *tkAudit) List() ([]model.AuditRecord, []string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]model.AuditRecord(nil), f.recs...), f.warns, f.listErr
}

type tkObjects struct{ c *tkClient }

func (o *tkObjects) With(creds model.Credentials) ObjectClient {
	o.c.mu.Lock()
	o.c.creds = creds
	o.c.mu.Unlock()
	return o.c
}

type tkClient struct {
	mu       sync.Mutex
	creds    model.Credentials
	putErr   error
	block    bool // Put waits for ctx cancellation
	puts     []string
	probe    model.ProbeReport
	probeErr error
	specs    []model.ProbeSpec
	presigns []string
}

func (c *tkClient) Put(ctx context.Context, bucket, key string, body io.ReaderAt, size int64, progress func(model.Progress)) (model.ObjectInfo, error) {
	c.mu.Lock()
	c.puts = append(c.puts, bucket+"/"+key)
	c.mu.Unlock()
	if c.block {
		<-ctx.Done()
		return model.ObjectInfo{}, ctx.Err()
	}
	buf := make([]byte, size)
	if _, err := body.ReadAt(buf, 0); err != nil && err != io.EOF {
		return model.ObjectInfo{}, err
	}
	progress(model.Progress{Done: size / 2, Total: size, Elapsed: time.Second})
	progress(model.Progress{Done: size, Total: size, Elapsed: 2 * time.Second})
	if c.putErr != nil {
		return model.ObjectInfo{}, c.putErr
	}
	return model.ObjectInfo{Bucket: bucket, Key: key, Size: size, ETag: `"ETAG1"`, RequestID: "REQ-PUT"}, nil
}

func (c *tkClient) Head(context.Context, string, string) (model.ObjectInfo, error) {
	return model.ObjectInfo{}, nil
}
func (c *tkClient) Delete(context.Context, string, string) error { return nil }
func (c *tkClient) Probe(_ context.Context, spec model.ProbeSpec) (model.ProbeReport, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.specs = append(c.specs, spec)
	if c.probeErr != nil {
		return model.ProbeReport{}, c.probeErr
	}
	r := c.probe
	r.Bucket, r.Prefix, r.Outside = spec.Bucket, spec.Prefix, spec.Outside
	r.Results = append([]model.ProbeResult(nil), c.probe.Results...)
	return r, nil
}
func (c *tkClient) Presign(_ context.Context, method, bucket, key string, expires time.Duration) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.presigns = append(c.presigns, method+" "+bucket+"/"+key+" "+expires.String())
	return "https://" + bucket + ".oss-cn-hangzhou.aliyuncs.com/" + key + "?x-oss-signature=abc&x-oss-security-token=" + c.creds.SecurityToken, nil
}

type tkSandbox struct {
	mu    sync.Mutex
	trace *model.Trace
	err   error
	asked []string
}

func (f *tkSandbox) Advance(_ context.Context, d time.Duration) (time.Duration, error) { return d, nil }
func (f *tkSandbox) Trace(_ context.Context, service, rid string) (*model.Trace, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, service+":"+rid)
	return f.trace, f.err
}

func tkServices() (*Services, *tkIssuer, *tkAudit, *tkClient) {
	iss := &tkIssuer{}
	aud := &tkAudit{}
	cl := &tkClient{}
	return &Services{Mode: "live", Region: "cn-hangzhou", AccountID: "1234567890123456", Issuer: iss, Audit: aud,
		Objects: &tkObjects{c: cl}}, iss, aud, cl
}

func tkKey(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// tkSend delivers msg to the screen, runs every command it returns (synchronously, feeding the
// results back) and returns every message produced.
func tkSend(t testing.TB, s Screen, msg tea.Msg) []tea.Msg {
	t.Helper()
	_, cmd := s.Update(msg)
	return tkRun(t, s, cmd, 0)
}

func tkRun(t testing.TB, s Screen, cmd tea.Cmd, depth int) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	if depth > 20 {
		t.Fatal("command chain too deep")
	}
	msg := cmd()
	if msg == nil {
		return nil
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, tkRun(t, s, c, depth+1)...)
		}
		return out
	}
	out := []tea.Msg{msg}
	_, next := s.Update(msg)
	return append(out, tkRun(t, s, next, depth+1)...)
}

func tkType(t testing.TB, s Screen, text string) {
	t.Helper()
	for _, r := range text {
		tkSend(t, s, tkKey(string(r)))
	}
}

func tkView(s Screen) string { return ansi.Strip(s.View()) }

func tkFind[T any](msgs []tea.Msg) (T, bool) {
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func tkIssueScreen(t testing.TB) (*IssueScreen, *tkIssuer, *tkAudit, *tkClient) {
	svc, iss, aud, cl := tkServices()
	s := NewIssueScreen(svc, NewStyles(true), func() time.Time { return tkNow })
	s.card.loc = time.FixedZone("CST", 8*3600)
	s.clip = io.Discard
	s.SetSize(100, 30)
	return s, iss, aud, cl
}

func tkRoleMsg(max time.Duration) RoleSelectedMsg {
	return RoleSelectedMsg{Role: model.Role{Name: "ramosstest", ARN: tkRole, MaxSessionDuration: max}}
}

// tkIssued issues a token through the screen and returns the messages.
func tkIssued(t *testing.T, s *IssueScreen) []tea.Msg {
	t.Helper()
	tkSend(t, s, tkRoleMsg(time.Hour))
	tkSend(t, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Valid: true})
	msgs := tkSend(t, s, tkKey("enter"))
	if s.Creds() == nil {
		t.Fatalf("no token after enter; view:\n%s", tkView(s))
	}
	return msgs
}

func TestParseIssueDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"", 0, ""},
		{"3600", time.Hour, ""},
		{"45m", 45 * time.Minute, ""},
		{"1h30m", 90 * time.Minute, ""},
		{" 2h ", 2 * time.Hour, ""},
		{"abc", 0, "is not a duration"},
		{"-5m", 0, "not positive"},
		{"0", 0, "not positive"},
		{"1.5s", 0, "not whole seconds"},
		{"9223372036854775807", 0, "far too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseIssueDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("= %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// The console and the commands apply one ExternalId rule (model/issuereq): "+" is allowed, as
// the STS SDK's regular expression and the sandbox allow it.
func TestIssueExternalIDPlusIsSent(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(time.Hour))
	tkSend(t, s, tkKey("down"))
	tkSend(t, s, tkKey("down"))
	tkType(t, s, "ab+cd")
	if v := tkView(s); strings.Contains(v, "external id:") {
		t.Fatalf("external id with + refused:\n%s", v)
	}
	tkSend(t, s, tkKey("enter"))
	if len(iss.reqs) != 1 || iss.reqs[0].ExternalID != "ab+cd" {
		t.Fatalf("sent %+v", iss.reqs)
	}
}

func TestIssueFormValidationAsYouType(t *testing.T) {
	tests := []struct {
		name  string
		field int
		typed string
		want  string
	}{
		{"session too short", fieldSession, "a", "! session name: 1 character, need at least 2"},
		{"session bad char", fieldSession, "ab c", "! session name: ' ' at position 3 is not allowed"},
		{"duration above role max", fieldDuration, "2h", "! duration 2h is above the role's maximum 1h (MaxSessionDuration)"},
		{"duration below min", fieldDuration, "10m", "! duration 10m is below the 15m minimum"},
		{"duration garbage", fieldDuration, "soon", `! duration: "soon" is not a duration`},
		{"external id bad char", fieldExternal, "ab cd", "! external id: ' ' at position 3 is not allowed"},
		{"external id short", fieldExternal, "a", "! external id: 1 characters, want 2–1224"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, iss, _, _ := tkIssueScreen(t)
			tkSend(t, s, tkRoleMsg(time.Hour))
			for s.form.focus != tt.field {
				tkSend(t, s, tkKey("down"))
			}
			tkSend(t, s, tkKey("ctrl+u"))
			tkType(t, s, tt.typed)
			v := tkView(s)
			if !strings.Contains(v, tt.want) {
				t.Fatalf("view lacks %q:\n%s", tt.want, v)
			}
			// enter refuses to issue and says why.
			tkSend(t, s, tkKey("enter"))
			if len(iss.reqs) != 0 {
				t.Fatalf("issued despite invalid input: %+v", iss.reqs)
			}
			if v := tkView(s); !strings.Contains(v, "fix the inputs first") {
				t.Fatalf("no refusal shown:\n%s", v)
			}
		})
	}
}

func TestIssueDurationBoundShownAndPresets(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(2*time.Hour))
	if v := tkView(s); !strings.Contains(v, "max session 2h") || !strings.Contains(v, "(15m…2h)") {
		t.Fatalf("role max not shown:\n%s", v)
	}
	tkSend(t, s, tkKey("down")) // duration field
	steps := []struct {
		key, want string
	}{{"right", "2h"}, {"right", "2h"}, {"left", "1h"}, {"left", "30m"}, {"left", "15m"}, {"left", "15m"}}
	for i, st := range steps {
		tkSend(t, s, tkKey(st.key))
		if got := s.form.Value(fieldDuration); got != st.want {
			t.Fatalf("step %d (%s): duration = %q, want %q", i, st.key, got, st.want)
		}
	}
}

func TestIssueNeedsRole(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkKey("enter"))
	if len(iss.reqs) != 0 {
		t.Fatal("issued without a role")
	}
	if v := tkView(s); !strings.Contains(v, "choose a role first") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestIssueRefusesBrokenPolicy(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(time.Hour))
	tkSend(t, s, PolicyChangedMsg{Doc: `{"Version":"1",`, Valid: false})
	tkSend(t, s, tkKey("enter"))
	if len(iss.reqs) != 0 {
		t.Fatal("issued with a broken session policy")
	}
	if v := tkView(s); !strings.Contains(v, "session policy has errors") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestIssueRefusesPendingPolicyDraft(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(time.Hour))
	tkSend(t, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Pending: true})
	tkSend(t, s, tkKey("enter"))
	if len(iss.reqs) != 0 {
		t.Fatal("issued from a draft that was not checked yet")
	}
	if v := tkView(s); !strings.Contains(v, "still being checked") {
		t.Fatalf("view:\n%s", v)
	}
	tkSend(t, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Valid: true})
	tkSend(t, s, tkKey("enter"))
	if len(iss.reqs) != 1 || iss.reqs[0].Policy != tkPolicy {
		t.Fatalf("issue after the check: %+v", iss.reqs)
	}
}

func TestIssueCallsSTSAndAudits(t *testing.T) {
	s, iss, aud, _ := tkIssueScreen(t)
	s.svc.Identity = tkIdentity{arn: "acs:ram::1234567890123456:user/sts-issuer"}
	tkSend(t, s, tkRoleMsg(time.Hour))
	tkSend(t, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Valid: true})
	tkSend(t, s, tkKey("ctrl+u"))
	tkType(t, s, "alice")
	tkSend(t, s, tkKey("down"))
	tkSend(t, s, tkKey("ctrl+u"))
	tkType(t, s, "30m")
	tkSend(t, s, tkKey("down"))
	tkType(t, s, "ext-42")
	msgs := tkSend(t, s, tkKey("enter"))

	if len(iss.reqs) != 1 {
		t.Fatalf("AssumeRole calls = %d", len(iss.reqs))
	}
	want := model.IssueRequest{RoleARN: tkRole, SessionName: "alice", Duration: 30 * time.Minute, ExternalID: "ext-42", Policy: tkPolicy}
	if iss.reqs[0] != want {
		t.Fatalf("request = %+v\nwant %+v", iss.reqs[0], want)
	}
	issued, ok := tkFind[TokenIssuedMsg](msgs)
	if !ok {
		t.Fatalf("no TokenIssuedMsg in %#v", msgs)
	}
	if len(aud.recs) != 1 {
		t.Fatalf("audit records = %d", len(aud.recs))
	}
	rec := aud.recs[0]
	sum := sha256.Sum256([]byte(tkPolicy))
	if rec.PolicyDigest != "sha256:"+hex.EncodeToString(sum[:]) || rec.SessionPolicy != tkPolicy {
		t.Errorf("digest/policy wrong: %+v", rec)
	}
	if rec.ID == "" || rec.ID != issued.RecordID || issued.Record.ID != rec.ID {
		t.Errorf("record id %q vs msg %q/%q", rec.ID, issued.RecordID, issued.Record.ID)
	}
	if rec.Caller != "acs:ram::1234567890123456:user/sts-issuer" {
		t.Errorf("caller = %q", rec.Caller)
	}
	if rec.DurationSeconds != 1800 || rec.SessionName != "alice" || !rec.ExternalIDUsed || rec.Mode != "live" || rec.RoleARN != tkRole {
		t.Errorf("record fields wrong: %+v", rec)
	}
	raw, _ := json.Marshal(rec)
	if strings.Contains(string(raw), tkSecret) || strings.Contains(string(raw), tkToken) || strings.Contains(string(raw), "ext-42") {
		t.Fatalf("audit record leaks a secret: %s", raw)
	}
	if s.InputFocused() {
		t.Error("form still focused after issuing")
	}
}

func TestIssueErrorAndStaleResult(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(time.Hour))
	iss.err = &model.APIError{Service: "sts", Code: "NoPermission", Message: "You are not authorized", StatusCode: 403}
	msgs := tkSend(t, s, tkKey("enter"))
	em, ok := tkFind[ErrorMsg](msgs)
	if !ok || !strings.Contains(em.Err.Error(), "NoPermission") {
		t.Fatalf("no ErrorMsg: %#v", msgs)
	}
	// The refusal opens Explain: code, meaning; esc returns to the form, which says so too.
	v := tkView(s)
	for _, w := range []string{"Explain: AssumeRole " + tkRole, "Code           NoPermission", "its own RAM policies lack sts:AssumeRole"} {
		if !strings.Contains(v, w) {
			t.Errorf("explain lacks %q:\n%s", w, v)
		}
	}
	if strings.Contains(v, "If this token may have leaked") {
		t.Error("leak advice for a token that was never issued")
	}
	tkSend(t, s, tkKey("esc"))
	if v := tkView(s); !strings.Contains(v, "not issued") {
		t.Fatalf("view:\n%s", v)
	}
	// A stale answer (older request id) is dropped.
	iss.err = nil
	s.seq = 5
	s.Update(issueResultMsg{id: 4, creds: model.Credentials{AccessKeyID: "STS.stale"}})
	if s.Creds() != nil {
		t.Fatal("stale result accepted")
	}
}

func TestIssueAuditFailureStillShowsToken(t *testing.T) {
	s, _, aud, _ := tkIssueScreen(t)
	aud.appendErr = errors.New("disk full")
	msgs := tkIssued(t, s)
	em, ok := tkFind[ErrorMsg](msgs)
	if !ok || !strings.Contains(em.Context, "audit log failed") {
		t.Fatalf("audit failure not reported: %#v", msgs)
	}
}

func TestIssueSecretMaskedAndRevealTimesOut(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	v := tkView(s)
	if strings.Contains(v, tkSecret) || strings.Contains(v, tkToken) {
		t.Fatalf("secret or full token on screen:\n%s", v)
	}
	if !strings.Contains(v, "AccessKeySecret  ••••••••") || !strings.Contains(v, model.AbbrevToken(tkToken)) {
		t.Fatalf("masked secret / abbreviated token missing:\n%s", v)
	}
	tkSend(t, s, tkKey("s"))
	if v := tkView(s); !strings.Contains(v, tkSecret) || !strings.Contains(v, "masks again in 30s") {
		t.Fatalf("reveal failed:\n%s", v)
	}
	tkSend(t, s, TickMsg{Now: tkNow.Add(29 * time.Second)})
	if v := tkView(s); !strings.Contains(v, tkSecret) || !strings.Contains(v, "masks again in 1s") {
		t.Fatalf("masked too early:\n%s", v)
	}
	tkSend(t, s, TickMsg{Now: tkNow.Add(30 * time.Second)})
	if v := tkView(s); strings.Contains(v, tkSecret) {
		t.Fatalf("secret still shown after 30 s:\n%s", v)
	}
	// s again reveals, s once more hides at once.
	tkSend(t, s, tkKey("s"))
	tkSend(t, s, tkKey("s"))
	if strings.Contains(tkView(s), tkSecret) {
		t.Fatal("second s did not hide the secret")
	}
}

func TestIssueCountdown(t *testing.T) {
	tests := []struct {
		name    string
		skew    time.Duration // server clock offset
		sandbox time.Duration // ClockAdvancedMsg offset after issue
		at      time.Duration // tick time after issue
		want    []string
		notWant []string
	}{
		{"fresh", 0, 0, 0, []string{"✓ live", "1h 00m 00s left", "100%"}, []string{"!"}},
		{"ten minutes in", 0, 0, 10 * time.Minute, []string{"50m 00s left", " 83%"}, nil},
		{"server ahead 2m", 2 * time.Minute, 0, 10 * time.Minute, []string{"50m 00s left", "server clock offset +2m"}, nil},
		{"warning at 5 min", 0, 0, 55*time.Minute + 1*time.Second, []string{"! 4m 59s left", "! expiring soon (4m 59s left) — press r to re-issue"}, []string{"EXPIRED"}},
		{"warning at 25%", 0, 0, 45 * time.Minute, []string{"! 15m 00s left", "! expiring soon"}, []string{"✓ live"}},
		{"warning at 23%", 0, 0, 46*time.Minute + 12*time.Second, []string{"! 13m 48s left", "! expiring soon"}, []string{"✓ live"}},
		{"urgent at 1 min", 0, 0, 59 * time.Minute, []string{"!! 1m 00s left", "!! EXPIRES IN UNDER A MINUTE — press r"}, []string{"✓ live"}},
		{"expired", 0, 0, 61 * time.Minute, []string{"✗ EXPIRED — the token no longer works; press r to re-issue", "✗ expired 1m 00s ago", "  0%"}, []string{"✓ live"}},
		{"sandbox clock advanced", 0, 75 * time.Minute, time.Minute, []string{"✗ EXPIRED", "expired 16m 00s ago", "sandbox clock +1h15m"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, iss, _, _ := tkIssueScreen(t)
			iss.skew = tt.skew
			tkIssued(t, s)
			if tt.sandbox != 0 {
				tkSend(t, s, ClockAdvancedMsg{Offset: tt.sandbox})
			}
			tkSend(t, s, TickMsg{Now: tkNow.Add(tt.at)})
			v := tkView(s)
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("view lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(v, w) {
					t.Errorf("view has %q", w)
				}
			}
			if t.Failed() {
				t.Logf("view:\n%s", v)
			}
		})
	}
}

func TestIssueExpiryUTCAndLocal(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	v := tkView(s)
	for _, w := range []string{"Expires (UTC)    2026-11-27 04:00:00 UTC", "Expires (local)  2026-11-27 12:00:00 CST"} {
		if !strings.Contains(v, w) {
			t.Errorf("view lacks %q:\n%s", w, v)
		}
	}
}

func TestIssueReissueShowsOldAndNewExpiry(t *testing.T) {
	s, iss, aud, _ := tkIssueScreen(t)
	tkIssued(t, s)
	first := *s.Creds()
	now := tkNow.Add(20 * time.Minute)
	iss.at = func() time.Time { return now }
	tkSend(t, s, TickMsg{Now: now})
	msgs := tkSend(t, s, tkKey("r"))
	if len(iss.reqs) != 2 || iss.reqs[1] != iss.reqs[0] {
		t.Fatalf("re-issue did not reuse the inputs: %+v", iss.reqs)
	}
	im, ok := tkFind[TokenIssuedMsg](msgs)
	if !ok || im.Previous == nil || im.Previous.AccessKeyID != first.AccessKeyID {
		t.Fatalf("TokenIssuedMsg.Previous wrong: %+v", im)
	}
	if len(aud.recs) != 2 {
		t.Fatalf("audit records = %d", len(aud.recs))
	}
	v := tkView(s)
	if !strings.Contains(v, "Previous token   "+first.AccessKeyID+" expires 04:00:00 UTC") || !strings.Contains(v, "New token        expires 04:20:00 UTC") {
		t.Fatalf("old and new expiry not shown:\n%s", v)
	}
	if !strings.Contains(v, "cannot be revoked") {
		t.Fatalf("revocation note missing:\n%s", v)
	}
}

func TestIssueReissueRequestFromExplain(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	tkSend(t, s, reissueRequestMsg{})
	if len(iss.reqs) != 2 {
		t.Fatalf("reissueRequestMsg did not re-issue: %d calls", len(iss.reqs))
	}
}

func TestIssueCloneFromHistory(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	s.form.Focus(-1)
	rec := model.AuditRecord{ID: "abc123", RoleARN: tkRole, SessionName: "bob", DurationSeconds: 1800, SessionPolicy: tkPolicy, ExternalIDUsed: true}
	tkSend(t, s, CloneIssueMsg{Record: rec})
	v := tkView(s)
	for _, w := range []string{"role         " + tkRole, "session name bob", "duration     30m", "cloned from history record abc123", "type it again"} {
		if !strings.Contains(v, w) {
			t.Errorf("view lacks %q", w)
		}
	}
	if !s.InputFocused() {
		t.Error("clone should focus the form")
	}
	tkSend(t, s, tkKey("enter"))
	if len(iss.reqs) != 1 || iss.reqs[0].Policy != tkPolicy || iss.reqs[0].SessionName != "bob" || iss.reqs[0].Duration != 30*time.Minute {
		t.Fatalf("clone not issued with the record's inputs: %+v", iss.reqs)
	}
	if t.Failed() {
		t.Logf("view:\n%s", v)
	}
}

// Cloning valid inputs clears an error about the inputs they replace.
func TestIssueCloneClearsStaleInputError(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(time.Hour))
	s.form.inputs[fieldSession].SetValue("x") // too short
	tkSend(t, s, tkKey("enter"))
	if v := tkView(s); !strings.Contains(v, "fix the inputs first") {
		t.Fatalf("no error for a bad session name:\n%s", v)
	}
	rec := model.AuditRecord{ID: "abc123", RoleARN: tkRole, SessionName: "bob", DurationSeconds: 1800, SessionPolicy: tkPolicy}
	tkSend(t, s, CloneIssueMsg{Record: rec})
	if v := tkView(s); strings.Contains(v, "fix the inputs first") || strings.Contains(v, "✗") {
		t.Errorf("stale error after cloning valid inputs:\n%s", v)
	}
}

func TestIssueKeysAndFocus(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	if !s.InputFocused() {
		t.Fatal("the form starts focused")
	}
	tkSend(t, s, tkKey("esc"))
	if s.InputFocused() {
		t.Fatal("esc did not blur")
	}
	if len(s.KeyMap().ShortHelp()) == 0 {
		t.Fatal("no key help")
	}
	tkSend(t, s, tkKey("e"))
	if !s.InputFocused() {
		t.Fatal("e did not focus the form")
	}
	tkIssued(t, s)
	msgs := tkSend(t, s, tkKey("t"))
	if sw, ok := tkFind[SwitchScreenMsg](msgs); !ok || sw.To != ScreenTest {
		t.Fatalf("t did not switch to Test: %#v", msgs)
	}
}

func TestIssueViewSizes(t *testing.T) {
	// The app gives a screen the terminal minus 4 lines (header, tabs, status, help).
	for _, sz := range [][2]int{{80, 20}, {160, 44}} {
		t.Run(strings.TrimSpace(strings.Repeat(" ", 1))+string(rune('0'+sz[0]/80)), func(t *testing.T) {
			s, _, _, _ := tkIssueScreen(t)
			s.SetSize(sz[0], sz[1])
			tkIssued(t, s)
			tkSend(t, s, tkKey("r")) // re-issue: the longest card
			tkSend(t, s, TickMsg{Now: tkNow.Add(58 * time.Minute)})
			v := tkView(s)
			lines := strings.Split(v, "\n")
			if len(lines) > sz[1] {
				t.Errorf("%d lines at %dx%d", len(lines), sz[0], sz[1])
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("line %d wide at %dx%d: %q", w, sz[0], sz[1], l)
				}
			}
			if !strings.Contains(v, "Remaining") || !strings.Contains(v, "AccessKeyId") {
				t.Errorf("card missing at %dx%d:\n%s", sz[0], sz[1], v)
			}
		})
	}
}

// FuzzIssueInputs: the typed duration never panics the parser, and what it accepts is whole,
// positive seconds (the session name and external id rules are fuzzed in model/issuereq).
func FuzzIssueInputs(f *testing.F) {
	for _, s := range []string{"", "a", "alice", "1h30m", "3600", "-1", "9223372036854775807", "1e9h", "ab cd", "€€", "x=y,z@w:v/u-t_s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseIssueDuration(s); err == nil && (d < 0 || d%time.Second != 0 || d == 0 && strings.TrimSpace(s) != "") {
			t.Fatalf("parseIssueDuration(%q) = %v accepted", s, d)
		}
	})
}

func TestIssueCloneKeepsKnownRoleMax(t *testing.T) {
	s, _, _, _ := tkIssueScreen(t)
	tkSend(t, s, tkRoleMsg(2*time.Hour))
	tkSend(t, s, CloneIssueMsg{Record: model.AuditRecord{ID: "x", RoleARN: tkRole, SessionName: "bob", DurationSeconds: 3600}})
	if v := tkView(s); !strings.Contains(v, "max session 2h") {
		t.Fatalf("role max lost on clone:\n%s", v)
	}
	tkSend(t, s, CloneIssueMsg{Record: model.AuditRecord{ID: "y", RoleARN: "acs:ram::1234567890123456:role/other", SessionName: "bob"}})
	if v := tkView(s); !strings.Contains(v, "role/other  (max session unknown: STS checks)") || !strings.Contains(v, "(15m…12h)") {
		t.Fatalf("another role keeps the old max:\n%s", v)
	}
}

func TestIssueReissueAfterExpiryNoStaleNote(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	tkIssued(t, s)
	later := tkNow.Add(2 * time.Hour)
	iss.at = func() time.Time { return later }
	tkSend(t, s, TickMsg{Now: later})
	tkSend(t, s, tkKey("r"))
	v := tkView(s)
	if !strings.Contains(v, "expired 04:00:00 UTC") || strings.Contains(v, "stays valid") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestIssueRefusedShowsSandboxTrace(t *testing.T) {
	s, iss, _, _ := tkIssueScreen(t)
	sb := &tkSandbox{trace: &model.Trace{RequestID: "STS-RID", Service: "sts", Check: "trust-policy", Detail: "the role's trust policy does not allow user/sts-issuer"}}
	s.svc.Sandbox = sb
	tkSend(t, s, tkRoleMsg(time.Hour))
	iss.err = &model.APIError{Service: "sts", Operation: "AssumeRole", StatusCode: 403, Code: "NoPermission", RequestID: "STS-RID",
		Message:            "No permission perform sts:AssumeRole on this Role.",
		AccessDeniedDetail: &model.AccessDeniedDetail{PolicyType: "AssumeRolePolicy", NoPermissionType: "ImplicitDeny"}}
	tkSend(t, s, tkKey("enter"))
	if len(sb.asked) != 1 || sb.asked[0] != "sts:STS-RID" {
		t.Fatalf("trace asked = %v", sb.asked)
	}
	v := tkView(s)
	for _, w := range []string{"Check failed   trust-policy", "the role's trust policy does not allow user/sts-issuer", "layer: trust"} {
		if !strings.Contains(v, w) {
			t.Errorf("lacks %q:\n%s", w, v)
		}
	}
	tkSend(t, s, tkKey("e"))
	if s.why.open || !s.InputFocused() {
		t.Fatal("e should close Explain and edit the inputs")
	}
}

// auditMeta and buildAuditRecord give this file's siblings the audit record the Issue screen
// makes (through model/flow, the one place it is built).
type auditMeta struct{ mode, region, caller string }

func buildAuditRecord(m auditMeta, req model.IssueRequest, c model.Credentials, at time.Time) model.AuditRecord {
	return flow.AuditRecord(req, c, at, m.mode, m.region, m.caller)
}
