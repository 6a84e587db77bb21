package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// flat joins a view's lines and collapses blanks, so a phrase wrapped over lines still matches.
func flat(v string) string { return strings.Join(strings.Fields(v), " ") }

// noCut fails when a line of v is wider than w or ends in "…" (text cut off).
func noCut(t *testing.T, name, v string, w int) {
	t.Helper()
	for _, l := range strings.Split(v, "\n") {
		if cellWidth(l) > w {
			t.Errorf("%s: line wider than %d: %q", name, w, l)
		}
		if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
			t.Errorf("%s: line cut off: %q", name, l)
		}
	}
}

// At 80×24 what matters wraps instead of being cut with "…".
func TestWrapAt80(t *testing.T) {
	t.Run("policy finding keeps its suggestion", func(t *testing.T) {
		d, _ := onPolicy(t)
		doc := "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"oss:PutObjct\"\n      ],\n      \"Resource\": \"acs:oss:*:*:examplebucket/src/*\"\n    },\n    {\n      \"Effect\": \"Maybe\",\n      \"Action\": \"oss:GetObject\",\n      \"Resource\": \"acs:oss:*:*:examplebucket/src/*\"\n    }\n  ]\n}"
		d.send(CloneIssueMsg{Record: model.AuditRecord{SessionPolicy: doc}})
		d.keys("n", "n") // the second finding (the error comes first)
		v := d.view()
		if !strings.Contains(flat(v), `(did you mean "oss:PutObject"?)`) {
			t.Errorf("suggestion cut off:\n%s", v)
		}
		noCut(t, "policy", strings.Join(strings.Split(v, "\n")[:len(strings.Split(v, "\n"))-2], "\n"), 80)
	})
	t.Run("context editor placeholders", func(t *testing.T) {
		d, _ := onPolicy(t)
		uploadOnly(t, d)
		d.keys("c")
		v := d.view()
		noCut(t, "context editor", v, 80)
	})
	t.Run("explain leak advice", func(t *testing.T) {
		x := explainState{open: true, title: "probe put dst/x (outside)",
			apiErr: &model.APIError{Service: "oss", StatusCode: 403, Code: "AccessDenied", EC: "0003-00000301", RequestID: "R"}}
		v := cPlain(x.view(NewStyles(true), 80, 100))
		noCut(t, "explain", v, 80)
		if !strings.Contains(flat(v), "the token dies at its expiry anyway.") {
			t.Errorf("leak advice cut:\n%s", v)
		}
	})
	t.Run("revealed secret note", func(t *testing.T) {
		s, _, _, _ := tkIssueScreen(t)
		s.SetSize(80, 20)
		tkIssued(t, s)
		tkSend(t, s, tkKey("s"))
		v := tkView(s)
		noCut(t, "token card", v, 80)
		if !strings.Contains(v, "(masks again in 30s)") {
			t.Errorf("reveal note cut:\n%s", v)
		}
	})
	t.Run("external id rule", func(t *testing.T) {
		s, _, _, _ := tkIssueScreen(t)
		s.SetSize(80, 20)
		tkSend(t, s, tkRoleMsg(time.Hour))
		tkSend(t, s, tkKey("down"))
		tkSend(t, s, tkKey("down"))
		tkType(t, s, "ab!c")
		v := tkView(s)
		noCut(t, "issue form", v, 80)
		if !strings.Contains(flat(v), "(letters, digits, = , . @ : / - _)") {
			t.Errorf("external id rule cut:\n%s", v)
		}
	})
	t.Run("test screen: expired header, left-behind note, upload detail", func(t *testing.T) {
		s, cl, _, _ := tkTestScreen(t, "sandbox")
		s.SetSize(80, 20)
		cl.probe = tkProbeReport()
		cl.probe.LeftBehind = []string{"src/.stsdeck-probe-b9be6d8412e55586"}
		tkSend(t, s, tkKey("u"))
		v := tkView(s)
		noCut(t, "test", v, 80)
		if n := strings.Count(v, "\n") + 1; n > 20 {
			t.Errorf("%d lines in 20:\n%s", n, v)
		}
		if !strings.Contains(flat(v), "this token may not delete them") || !strings.Contains(flat(v), "RequestId REQ-PUT") {
			t.Errorf("left-behind note or upload detail missing:\n%s", v)
		}
		tkSend(t, s, ClockAdvancedMsg{Offset: 2 * time.Hour})
		v = tkView(s)
		noCut(t, "test expired", v, 80)
		if !strings.Contains(v, "EXPIRED — re-issue on screen 3 (r)") {
			t.Errorf("expired hint cut:\n%s", v)
		}
	})
	t.Run("upload progress line", func(t *testing.T) {
		s, _, _, _ := tkTestScreen(t, "live")
		s.SetSize(80, 20)
		s.upload.running = true
		s.upload.prog = model.Progress{Done: 120 << 10, Total: 256 << 10, Elapsed: time.Second}
		v := s.upload.progressView()
		noCut(t, "progress", v, 80)
		if !strings.Contains(v, "ETA") || !strings.Contains(v, "(esc cancels)") {
			t.Errorf("progress line lacks ETA or esc:\n%s", v)
		}
	})
}
