package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

func tkHistoryRecords() []model.AuditRecord {
	agreeT, agreeF := true, false
	return []model.AuditRecord{
		{ID: "r1", Time: tkNow.Add(-3 * time.Hour), RoleARN: tkRole, SessionName: "oldest", DurationSeconds: 3600,
			Expiration: tkNow.Add(-2 * time.Hour), AccessKeyID: "STS.a", Mode: "live"},
		{ID: "r2", Time: tkNow.Add(-30 * time.Minute), RoleARN: "acs:ram::1234567890123456:role/readonly", SessionName: "middle",
			DurationSeconds: 3600, Expiration: tkNow.Add(30 * time.Minute), AccessKeyID: "STS.b", Mode: "sandbox",
			SessionPolicy: tkPolicy, PolicyDigest: "sha256:abc"},
		{ID: "r3", Time: tkNow.Add(-10 * time.Minute), RoleARN: tkRole, SessionName: "newest", DurationSeconds: 900,
			Expiration: tkNow.Add(5 * time.Minute), AccessKeyID: "STS.c", Mode: "live"},
		// r2 again, now with probe results (the Test screen re-appends the record).
		{ID: "r2", Time: tkNow.Add(-30 * time.Minute), RoleARN: "acs:ram::1234567890123456:role/readonly", SessionName: "middle",
			DurationSeconds: 3600, Expiration: tkNow.Add(30 * time.Minute), AccessKeyID: "STS.b", Mode: "sandbox",
			SessionPolicy: tkPolicy, PolicyDigest: "sha256:abc",
			Probe: []model.ProbeResult{{Op: "put", Actual: model.ProbeActual{Allowed: true}, Agree: &agreeT},
				{Op: "get", Actual: model.ProbeActual{Allowed: false}, Agree: &agreeF}}},
	}
}

func tkHistoryScreen(t *testing.T, recs []model.AuditRecord) (*HistoryScreen, *tkAudit) {
	t.Helper()
	svc, _, aud, _ := tkServices()
	aud.recs = recs
	s := NewHistoryScreen(svc, NewStyles(true), func() time.Time { return tkNow })
	s.SetSize(120, 30)
	tkRun(t, s, s.Init(), 0)
	return s, aud
}

func TestHistoryTableNewestFirstMerged(t *testing.T) {
	s, _ := tkHistoryScreen(t, tkHistoryRecords())
	recs := s.Records()
	if len(recs) != 3 || recs[0].ID != "r3" || recs[1].ID != "r2" || recs[2].ID != "r1" {
		t.Fatalf("records = %+v", recs)
	}
	if len(recs[1].Probe) != 2 {
		t.Fatal("the later line of r2 (with the probe) did not win")
	}
	v := tkView(s)
	for _, w := range []string{"issued", "role", "session", "duration", "expiry", "times: the server's clock, UTC", "state", "probe",
		"newest", "15m", "✓ live", "✗ expired", "! 1 diff", "—", "readonly"} {
		if !strings.Contains(v, w) {
			t.Errorf("table lacks %q", w)
		}
	}
	if strings.Index(v, "newest") > strings.Index(v, "middle") || strings.Index(v, "middle") > strings.Index(v, "oldest") {
		t.Errorf("not newest first")
	}
	if !strings.Contains(v, "> ") {
		t.Errorf("no selection glyph")
	}
	if t.Failed() {
		t.Logf("view:\n%s", v)
	}
}

func TestHistoryLiveExpiredFollowsClock(t *testing.T) {
	s, _ := tkHistoryScreen(t, tkHistoryRecords())
	tkSend(t, s, TickMsg{Now: tkNow.Add(6 * time.Minute)}) // r3 expires at +5m
	if strings.Count(tkView(s), "✗ expired") != 2 {
		t.Fatalf("r3 not shown expired:\n%s", tkView(s))
	}
	// The sandbox clock moves sandbox records only (r2 is sandbox, expires at +30m).
	tkSend(t, s, ClockAdvancedMsg{Offset: time.Hour})
	if strings.Count(tkView(s), "✗ expired") != 3 {
		t.Fatalf("sandbox record not expired by the sandbox clock:\n%s", tkView(s))
	}
}

func TestHistoryDetailAndClone(t *testing.T) {
	s, _ := tkHistoryScreen(t, tkHistoryRecords())
	tkSend(t, s, tkKey("down")) // r2, the one with a policy
	tkSend(t, s, tkKey("enter"))
	v := tkView(s)
	for _, w := range []string{"record          r2", "policy digest   sha256:abc", "session policy as sent:", `"Action": "oss:PutObject"`, "AccessKeyId     STS.b"} {
		if !strings.Contains(v, w) {
			t.Errorf("detail lacks %q:\n%s", w, v)
		}
	}
	msgs := tkSend(t, s, tkKey("c"))
	cl, ok := tkFind[CloneIssueMsg](msgs)
	if !ok || cl.Record.ID != "r2" || cl.Record.SessionPolicy != tkPolicy {
		t.Fatalf("clone = %+v (%v)", cl, msgs)
	}
	if sw, ok := tkFind[SwitchScreenMsg](msgs); !ok || sw.To != ScreenIssue {
		t.Fatalf("clone does not switch to Issue: %#v", msgs)
	}
	if s.detail {
		t.Fatal("detail still open after clone")
	}
	// enter / esc
	tkSend(t, s, tkKey("enter"))
	tkSend(t, s, tkKey("esc"))
	if s.detail {
		t.Fatal("esc did not leave the detail")
	}
}

func TestHistoryStates(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*tkAudit)
		want  string
	}{
		{"empty", func(a *tkAudit) {}, "no tokens issued yet"},
		{"list error", func(a *tkAudit) { a.listErr = errors.New("permission denied") }, "✗ permission denied"},
		{"torn line", func(a *tkAudit) {
			a.recs = tkHistoryRecords()[:1]
			a.warns = []string{"audit.jsonl line 7: torn line skipped"}
		}, "! audit.jsonl line 7: torn line skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _, aud, _ := tkServices()
			tt.setup(aud)
			s := NewHistoryScreen(svc, NewStyles(true), func() time.Time { return tkNow })
			s.SetSize(80, 20)
			tkRun(t, s, s.Init(), 0)
			if v := tkView(s); !strings.Contains(v, tt.want) {
				t.Fatalf("view lacks %q:\n%s", tt.want, v)
			}
		})
	}
	s := NewHistoryScreen(&Services{}, NewStyles(true), time.Now)
	if v := tkView(s); !strings.Contains(v, "no audit log configured") {
		t.Fatalf("nil audit: %s", v)
	}
}

func TestHistoryReloadsOnIssueAndProbe(t *testing.T) {
	s, aud := tkHistoryScreen(t, nil)
	aud.recs = tkHistoryRecords()[:1]
	tkSend(t, s, TokenIssuedMsg{})
	if len(s.Records()) != 1 {
		t.Fatal("not reloaded on TokenIssuedMsg")
	}
	aud.recs = tkHistoryRecords()
	tkSend(t, s, auditChangedMsg{})
	if len(s.Records()) != 3 {
		t.Fatal("not reloaded on auditChangedMsg")
	}
	// A stale load answer is dropped.
	s.Update(historyLoadedMsg{id: s.seq - 1})
	if len(s.Records()) != 3 {
		t.Fatal("stale load applied")
	}
}

func TestHistoryFits80x20(t *testing.T) {
	s, _ := tkHistoryScreen(t, tkHistoryRecords())
	s.SetSize(80, 20)
	for _, l := range strings.Split(tkView(s), "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d: %q", n, l)
		}
	}
}
