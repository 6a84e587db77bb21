package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

const tkRolePolicy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject","oss:GetObject","oss:ListObjects"],"Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`

func tkRoleWithPolicies() model.Role {
	return model.Role{Name: "ramosstest", ARN: tkRole, MaxSessionDuration: time.Hour,
		Policies: []model.AttachedPolicy{{Name: "RamTestPolicy", Type: "Custom", Document: tkRolePolicy}}}
}

// tkTestScreen returns a Test screen that has seen a role, a policy and an issued token.
func tkTestScreen(t *testing.T, mode string) (*TestScreen, *tkClient, *tkAudit, *tkSandbox) {
	t.Helper()
	svc, _, aud, cl := tkServices()
	svc.Mode = mode
	sb := &tkSandbox{}
	if mode == "sandbox" {
		svc.Sandbox = sb
	}
	s := NewTestScreen(svc, NewStyles(true), func() time.Time { return tkNow })
	s.SetSize(100, 30)
	tkSend(t, s, RoleSelectedMsg{Role: tkRoleWithPolicies()})
	tkSend(t, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "examplebucket", Prefix: "src/", Valid: true})
	creds := model.Credentials{AccessKeyID: "STS.tkKey", AccessKeySecret: tkSecret, SecurityToken: tkToken,
		Expiration: tkNow.Add(time.Hour), IssuedAt: tkNow, RoleARN: tkRole}
	req := model.IssueRequest{RoleARN: tkRole, SessionName: "alice", Duration: time.Hour, Policy: tkPolicy}
	rec := buildAuditRecord(auditMeta{mode: mode}, req, creds, tkNow)
	tkSend(t, s, TokenIssuedMsg{Creds: creds, Request: req, RecordID: rec.ID, Record: rec})
	return s, cl, aud, sb
}

func TestTestScreenNoToken(t *testing.T) {
	s := NewTestScreen(nil, NewStyles(true), func() time.Time { return tkNow })
	s.SetSize(80, 20)
	if v := tkView(s); !strings.Contains(v, "no token yet — issue one on screen 3") {
		t.Fatalf("view:\n%s", v)
	}
	tkSend(t, s, tkKey("u"))
	if v := tkView(s); !strings.Contains(v, "issue a token first") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestTestScreenPrefill(t *testing.T) {
	s, _, _, _ := tkTestScreen(t, "live")
	if got := s.inputs[tfBucket].Value(); got != "examplebucket" {
		t.Errorf("bucket = %q", got)
	}
	if got := s.inputs[tfKey].Value(); !strings.HasPrefix(got, "src/stsdeck-test-") {
		t.Errorf("key %q not inside the prefix", got)
	}
	// Once edited, a policy change no longer overwrites the operator's key.
	tkSend(t, s, tkKey("e"))
	tkSend(t, s, tkKey("down"))
	tkSend(t, s, tkKey("ctrl+u"))
	tkType(t, s, "src/mine.txt")
	tkSend(t, s, tkKey("esc"))
	tkSend(t, s, PolicyChangedMsg{Doc: tkPolicy, Bucket: "other", Prefix: "x/", Valid: true})
	if got := s.inputs[tfKey].Value(); got != "src/mine.txt" {
		t.Errorf("edited key replaced: %q", got)
	}
}

func TestTestScreenUploadSucceeded(t *testing.T) {
	tests := []struct {
		mode       string
		wantProbes int
	}{{"live", 0}, {"sandbox", 1}}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			s, cl, _, _ := tkTestScreen(t, tt.mode)
			msgs := tkSend(t, s, tkKey("u"))
			v := tkView(s)
			if !strings.Contains(v, "upload succeeded") || !strings.Contains(v, "oss://examplebucket/src/stsdeck-test-") {
				t.Fatalf("view:\n%s", v)
			}
			if !strings.Contains(v, "256.0 KiB") || !strings.Contains(v, "RequestId REQ-PUT") {
				t.Fatalf("size / request id missing:\n%s", v)
			}
			if sm, ok := tkFind[StatusMsg](msgs); !ok || sm.Text != "upload succeeded" {
				t.Fatalf("no status message: %#v", msgs)
			}
			if s.Busy() {
				t.Fatal("still busy after the upload")
			}
			if len(cl.puts) != 1 || len(cl.specs) != tt.wantProbes {
				t.Fatalf("puts %v, probes %v", cl.puts, cl.specs)
			}
			if cl.creds.SecurityToken != tkToken {
				t.Fatal("upload did not use the issued token")
			}
		})
	}
}

func TestTestScreenProgressAndBusy(t *testing.T) {
	s, _, _, _ := tkTestScreen(t, "live")
	_, cmd := s.Update(tkKey("u"))
	if cmd == nil || !s.Busy() {
		t.Fatal("upload did not start")
	}
	ch := make(chan tea.Msg, 1)
	_, next := s.Update(uploadProgressMsg{id: s.upload.seq, p: model.Progress{Done: 128 << 10, Total: 256 << 10, Elapsed: time.Second}, ch: ch})
	if next == nil {
		t.Fatal("progress did not keep listening")
	}
	v := tkView(s)
	for _, w := range []string{"50% 128.0 KiB / 256.0 KiB", "128.0 KiB/s", "ETA 1s", "esc cancels"} {
		if !strings.Contains(v, w) {
			t.Errorf("progress lacks %q:\n%s", w, v)
		}
	}
	// A stale progress message (older upload) is ignored.
	s.Update(uploadProgressMsg{id: s.upload.seq - 1, p: model.Progress{Done: 1, Total: 2}, ch: ch})
	if s.upload.prog.Done != 128<<10 {
		t.Fatal("stale progress applied")
	}
	if km := s.KeyMap().ShortHelp(); len(km) != 1 || km[0].Help().Desc != "cancel upload" {
		t.Fatalf("keys while uploading: %+v", km)
	}
}

func TestTestScreenCancelUpload(t *testing.T) {
	s, cl, _, _ := tkTestScreen(t, "live")
	cl.block = true
	_, cmd := s.Update(tkKey("u"))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("upload command = %T", batch)
	}
	done := make(chan struct{})
	go func() { batch[0](); close(done) }()
	tkSend(t, s, tkKey("esc"))
	msg := batch[1]()
	<-done
	if _, ok := msg.(uploadDoneMsg); !ok {
		t.Fatalf("got %T", msg)
	}
	s.Update(msg)
	if s.Busy() {
		t.Fatal("busy after cancel")
	}
	if v := tkView(s); !strings.Contains(v, "upload cancelled") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestTestScreenExpiredTokenExplain(t *testing.T) {
	s, cl, _, _ := tkTestScreen(t, "live")
	cl.putErr = &model.APIError{Service: "oss", Operation: "PutObject", StatusCode: 403, Code: "SecurityTokenExpired",
		Message: "The security token you provided has expired.", EC: "0002-00000007", RequestID: "REQ-EXP",
		RecommendDoc: "https://api.aliyun.com/troubleshoot?q=0002-00000007"}
	tkSend(t, s, tkKey("u"))
	v := tkView(s)
	for _, w := range []string{"Explain: upload oss://examplebucket/src/", "✗ The token has EXPIRED. Press r to re-issue",
		"Code           SecurityTokenExpired", "EC             0002-00000007", "RequestId      REQ-EXP",
		"RecommendDoc   https://api.aliyun.com/troubleshoot?q=0002-00000007", "the security token has expired",
		"Tokens cannot be revoked", "Live mode", "the policies allow this request: the failure is not a policy denial"} {
		if !strings.Contains(v, w) {
			t.Errorf("explain lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("view:\n%s", v)
	}
	msgs := tkSend(t, s, tkKey("r"))
	if _, ok := tkFind[reissueRequestMsg](msgs); !ok {
		t.Fatalf("r did not ask for a re-issue: %#v", msgs)
	}
	if sw, ok := tkFind[SwitchScreenMsg](msgs); !ok || sw.To != ScreenIssue {
		t.Fatalf("r did not switch to Issue: %#v", msgs)
	}
}

func TestTestScreenDeniedExplainWithTrace(t *testing.T) {
	s, cl, _, sb := tkTestScreen(t, "sandbox")
	sb.trace = &model.Trace{RequestID: "REQ-DENY", Service: "oss", Operation: "PutObject", Status: 403, Code: "AccessDenied",
		EC: "0003-00000301", Check: "session-policy", Detail: "no statement of the session policy allows oss:PutObject",
		Decision: "ImplicitDeny", DecidedBy: "session", Layers: map[string]string{"session": "NoMatch", "identity": "Allow"}}
	cl.putErr = &model.APIError{Service: "oss", Operation: "PutObject", StatusCode: 403, Code: "AccessDenied",
		Message: "Access denied by authorizer's policy.", EC: "0003-00000301", RequestID: "REQ-DENY",
		AccessDeniedDetail: &model.AccessDeniedDetail{PolicyType: "SessionPolicy", NoPermissionType: "ImplicitDeny", AuthAction: "oss:PutObject"}}
	tkSend(t, s, tkKey("e"))
	tkSend(t, s, tkKey("down"))
	tkSend(t, s, tkKey("ctrl+u"))
	tkType(t, s, "dst/x.txt")
	tkSend(t, s, tkKey("enter")) // enter in a field uploads
	if len(sb.asked) != 1 || sb.asked[0] != "oss:REQ-DENY" {
		t.Fatalf("trace requests = %v", sb.asked)
	}
	v := tkView(s)
	for _, w := range []string{
		"Message        Access denied by authorizer's policy.",
		"denied by the session policy", "layer: session",
		"PolicyType     SessionPolicy", "NoPermission   ImplicitDeny",
		"✗ Deny oss:PutObject on acs:oss:cn-hangzhou:1234567890123456:examplebucket/dst/x.txt", "deciding layer: session",
		"What the sandbox says (server trace)", "Check failed   session-policy", "Decided by     session",
		"Layers         identity=Allow session=NoMatch",
	} {
		if !strings.Contains(v, w) {
			t.Errorf("explain lacks %q", w)
		}
	}
	if strings.Contains(v, "EXPIRED") {
		t.Error("a live token called expired")
	}
	if t.Failed() {
		t.Logf("view:\n%s", v)
	}
	tkSend(t, s, tkKey("esc"))
	if s.explain.open {
		t.Fatal("esc did not close Explain")
	}
	// A stale trace answer for an older explain is dropped.
	s.explain.open = true
	s.Update(traceMsg{id: s.explain.traceSeq - 1, trace: &model.Trace{Check: "stale"}})
	if s.explain.trace != nil && s.explain.trace.Check == "stale" {
		t.Fatal("stale trace applied")
	}
}

// tkProbeReport is what the fake OSS answers to a probe: get inside is allowed by the server
// although the session policy (PutObject on src/ only) makes the engine predict Deny.
func tkProbeReport() model.ProbeReport {
	in, out := "src/.stsdeck-probe-0123456789abcdef", "dst/.stsdeck-probe-0123456789abcdef"
	ok := func(status int) model.ProbeActual {
		return model.ProbeActual{Allowed: true, Status: status, RequestID: "R-OK"}
	}
	deny := model.ProbeActual{Allowed: false, Status: 403, Code: "AccessDenied", EC: "0003-00000301", RequestID: "R-DENY",
		Message: "Access denied by authorizer's policy."}
	return model.ProbeReport{Results: []model.ProbeResult{
		{Op: "put", Scope: "inside", Key: in, Actual: ok(200)},
		{Op: "put", Scope: "outside", Key: out, Actual: deny},
		{Op: "get", Scope: "inside", Key: in, Actual: ok(200)},
		{Op: "get", Scope: "outside", Key: out, Actual: deny},
		{Op: "list", Scope: "inside", Key: "src/", Actual: deny},
	}}
}

func TestTestScreenProbeGrid(t *testing.T) {
	s, cl, aud, _ := tkTestScreen(t, "live")
	s.SetSize(160, 44)
	cl.probe = tkProbeReport()
	tkSend(t, s, tkKey("p")) // LIVE: asks first
	msgs := tkSend(t, s, tkKey("y"))
	if len(cl.specs) != 1 || cl.specs[0] != (model.ProbeSpec{Bucket: "examplebucket", Prefix: "src/", Outside: "dst/"}) {
		t.Fatalf("probe spec = %+v", cl.specs)
	}
	if s.probe.report == nil {
		t.Fatalf("no report; view:\n%s", tkView(s))
	}
	want := []struct {
		pred  string
		layer string
		agree *bool
	}{
		{"Allow", "", tkBool(true)},
		{"Deny", "session", tkBool(true)},
		{"Deny", "session", tkBool(false)},
		{"Deny", "session", tkBool(true)},
		{"Deny", "session", tkBool(true)},
	}
	for i, w := range want {
		r := s.probe.report.Results[i]
		if r.Predicted != w.pred || (w.layer != "" && r.PredictedLayer != w.layer) || (r.Agree == nil) != (w.agree == nil) || r.Agree != nil && *r.Agree != *w.agree {
			t.Errorf("row %d (%s %s): predicted %s/%s agree %v; want %s/%s %v", i, r.Op, r.Scope, r.Predicted, r.PredictedLayer, tkBoolStr(r.Agree), w.pred, w.layer, tkBoolStr(w.agree))
		}
	}
	v := tkView(s)
	for _, w := range []string{"! DIFF", "1 disagreement(s)", "✗ 403 AccessDenied", "0003-00000301 R-DENY", "> get    inside"} {
		if !strings.Contains(v, w) {
			t.Errorf("grid lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("view:\n%s", v)
	}
	// The probe is recorded against the token's audit record (same ID), History is told.
	if len(aud.recs) != 1 || aud.recs[0].ID != s.record.ID || len(aud.recs[0].Probe) != 5 || aud.recs[0].Probe[2].Agree == nil {
		t.Fatalf("audit append = %+v", aud.recs)
	}
	if _, ok := tkFind[auditChangedMsg](msgs); !ok {
		t.Fatal("no auditChangedMsg")
	}
	// Explain the selected row (the disagreement first), then a denial.
	tkSend(t, s, tkKey("enter"))
	if v := tkView(s); !strings.Contains(v, "OSS allowed it (HTTP 200") || !strings.Contains(v, "✗ Deny oss:GetObject") {
		t.Fatalf("explain for the disagreement:\n%s", v)
	}
	tkSend(t, s, tkKey("esc"))
	tkSend(t, s, tkKey("up"))
	tkSend(t, s, tkKey("enter"))
	v = tkView(s)
	for _, w := range []string{"Explain: probe put dst/.stsdeck-probe-0123456789abcdef (outside)", "EC             0003-00000301",
		"denied by the session policy", "RequestId      R-DENY", "Operation      PutObject",
		"Message        Access denied by authorizer's policy."} {
		if !strings.Contains(v, w) {
			t.Errorf("explain lacks %q:\n%s", w, v)
		}
	}
}

func TestTestScreenProbeFailureOpensExplain(t *testing.T) {
	s, cl, _, _ := tkTestScreen(t, "live")
	cl.probeErr = errors.New("dial tcp 127.0.0.1:1: connection refused")
	tkSend(t, s, tkKey("p"))
	tkSend(t, s, tkKey("y"))
	v := tkView(s)
	if !s.explain.open || !strings.Contains(v, "connection refused") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestTestScreenExpiredByClock(t *testing.T) {
	s, _, _, _ := tkTestScreen(t, "sandbox")
	tkSend(t, s, ClockAdvancedMsg{Offset: 2 * time.Hour})
	if v := tkView(s); !strings.Contains(v, "EXPIRED") {
		t.Fatalf("view:\n%s", v)
	}
}

func TestTestScreenViewFits(t *testing.T) {
	for _, sz := range [][2]int{{80, 20}, {160, 44}} {
		s, cl, _, _ := tkTestScreen(t, "sandbox")
		s.SetSize(sz[0], sz[1])
		cl.probe = tkProbeReport()
		tkSend(t, s, tkKey("u"))
		v := tkView(s)
		lines := strings.Split(v, "\n")
		if len(lines) > sz[1] {
			t.Errorf("%dx%d: %d lines:\n%s", sz[0], sz[1], len(lines), v)
		}
		for _, l := range lines {
			if w := len([]rune(l)); w > sz[0] {
				t.Errorf("%dx%d: line of %d: %q", sz[0], sz[1], w, l)
			}
		}
		if !strings.Contains(v, "upload succeeded") || !strings.Contains(v, "Probe") {
			t.Errorf("%dx%d: view:\n%s", sz[0], sz[1], v)
		}
	}
}

func tkBool(b bool) *bool { return &b }
func tkBoolStr(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}

var _ = context.Background

func TestTestScreenUploadLocalFile(t *testing.T) {
	tests := []struct {
		name    string
		file    func(dir string) string
		wantOK  bool
		wantMsg string
	}{
		{"file", func(dir string) string {
			p := filepath.Join(dir, "report.csv")
			os.WriteFile(p, []byte(strings.Repeat("a,b,c\n", 1000)), 0o600)
			return p
		}, true, "5.9 KiB"},
		{"missing", func(dir string) string { return filepath.Join(dir, "nope.bin") }, false, "no such file"},
		{"directory", func(dir string) string { return dir }, false, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cl, _, _ := tkTestScreen(t, "live")
			s.inputs[tfFile].SetValue(tt.file(t.TempDir()))
			tkSend(t, s, tkKey("u"))
			v := tkView(s)
			if tt.wantOK {
				if !strings.Contains(v, "upload succeeded") || !strings.Contains(v, tt.wantMsg) || len(cl.puts) != 1 {
					t.Fatalf("view:\n%s", v)
				}
				return
			}
			if len(cl.puts) != 0 || s.explain.open || !strings.Contains(v, tt.wantMsg) || !strings.Contains(v, "nothing was sent") {
				t.Fatalf("puts %v, view:\n%s", cl.puts, v)
			}
		})
	}
}

// tkSteppedClient reports progress in steps, each after the test has seen the previous one.
type tkSteppedClient struct {
	tkClient
	step chan struct{}
}

func (c *tkSteppedClient) Put(ctx context.Context, bucket, key string, body io.ReaderAt, size int64, progress func(model.Progress)) (model.ObjectInfo, error) {
	for i := int64(1); i <= 4; i++ {
		progress(model.Progress{Done: size * i / 4, Total: size, Elapsed: time.Duration(i) * time.Second})
		<-c.step
	}
	return model.ObjectInfo{Bucket: bucket, Key: key, Size: size}, nil
}

type tkSteppedObjects struct{ c *tkSteppedClient }

func (o tkSteppedObjects) With(model.Credentials) ObjectClient { return o.c }

func TestTestScreenProgressPipeline(t *testing.T) {
	s, _, _, _ := tkTestScreen(t, "live")
	cl := &tkSteppedClient{step: make(chan struct{})}
	s.svc.Objects = tkSteppedObjects{c: cl}
	_, cmd := s.Update(tkKey("u"))
	batch := cmd().(tea.BatchMsg)
	go batch[0]()
	wait := batch[1]
	var seen []int64
	for {
		msg := wait()
		_, next := s.Update(msg)
		if p, ok := msg.(uploadProgressMsg); ok {
			seen = append(seen, p.p.Done)
			if !strings.Contains(tkView(s), "%") {
				t.Fatalf("no progress bar:\n%s", tkView(s))
			}
			cl.step <- struct{}{}
			wait = next
			continue
		}
		if _, ok := msg.(uploadDoneMsg); !ok {
			t.Fatalf("got %T", msg)
		}
		break
	}
	if len(seen) != 4 || seen[3] != generatedObjectSize {
		t.Fatalf("progress seen = %v", seen)
	}
	if !strings.Contains(tkView(s), "upload succeeded") || s.Busy() {
		t.Fatalf("view:\n%s", tkView(s))
	}
}

// Issue 6: a LIVE probe writes to a real bucket, so p asks and only y runs it; the sandbox
// probes at once.
func TestTestScreenProbeConfirm(t *testing.T) {
	const question = `probe will write and delete two small objects in oss://examplebucket under "src/" and "dst/" with LIVE credentials`
	tests := []struct {
		name       string
		mode       string
		answer     string // "" = no answer expected (probes at once)
		wantProbes int
	}{
		{"live y proceeds", "live", "y", 1},
		{"live n cancels", "live", "n", 0},
		{"live q cancels", "live", "q", 0},
		{"live esc cancels", "live", "esc", 0},
		{"sandbox probes at once", "sandbox", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cl, _, _ := tkTestScreen(t, tt.mode)
			s.SetSize(200, 30)
			cl.probe = tkProbeReport()
			tkSend(t, s, tkKey("p"))
			if tt.answer == "" {
				if len(cl.specs) != 1 || s.InputFocused() || strings.Contains(tkView(s), "LIVE credentials") {
					t.Fatalf("sandbox p: probes %v, focused %v; view:\n%s", cl.specs, s.InputFocused(), tkView(s))
				}
				return
			}
			if len(cl.specs) != 0 {
				t.Fatalf("LIVE p probed before y: %v", cl.specs)
			}
			if v := tkView(s); !strings.Contains(v, question) || !strings.Contains(v, "y to proceed, any other key cancels") {
				t.Fatalf("no confirmation; view:\n%s", v)
			}
			// Every key reaches the screen (so the App does not quit on q), and help offers y.
			if !s.InputFocused() {
				t.Fatal("InputFocused false while asking: q would quit")
			}
			if h := tkHelpKeys(s); !strings.Contains(h, "y proceed") {
				t.Fatalf("help = %q", h)
			}
			msgs := tkSend(t, s, tkKey(tt.answer))
			if len(cl.specs) != tt.wantProbes {
				t.Fatalf("after %q: probes %v", tt.answer, cl.specs)
			}
			if _, ok := tkFind[tea.QuitMsg](msgs); ok {
				t.Fatal("the answer quit the app")
			}
			v := tkView(s)
			if strings.Contains(v, "LIVE credentials") || s.InputFocused() {
				t.Fatalf("question still shown after %q:\n%s", tt.answer, v)
			}
			if tt.wantProbes == 0 && !strings.Contains(v, "probe cancelled") {
				t.Fatalf("no cancel line:\n%s", v)
			}
		})
	}
}

func tkHelpKeys(s *TestScreen) string {
	var parts []string
	for _, b := range s.KeyMap().ShortHelp() {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, ", ")
}
