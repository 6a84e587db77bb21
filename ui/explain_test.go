package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

func TestExplainPanelContent(t *testing.T) {
	tests := []struct {
		name    string
		x       explainState
		want    []string
		notWant []string
	}{
		{"api error live", explainState{title: "upload", apiErr: &model.APIError{StatusCode: 403, Code: "AccessDenied", EC: "0003-00000201", RequestID: "RID1", Message: "Access denied by bucket policy."}},
			[]string{"EC             0003-00000201", "layer: role", "explicit Deny", "quote RequestId RID1", "Tokens cannot be revoked"}, []string{"server trace", "EXPIRED"}},
		{"plain error", explainState{title: "probe", err: errors.New("dial tcp: refused"), engine: "no single request to evaluate"},
			[]string{"What went wrong", "dial tcp: refused", "no single request to evaluate"}, []string{"What the service answered"}},
		{"sandbox trace error", explainState{title: "x", sandbox: true, apiErr: &model.APIError{Code: "AccessDenied", RequestID: "R"}, traceErr: errors.New("trace R not found")},
			[]string{"What the sandbox says", "! no trace: trace R not found"}, nil},
		{"sandbox loading", explainState{title: "x", sandbox: true, traceLoading: true, apiErr: &model.APIError{Code: "AccessDenied", RequestID: "R"}},
			[]string{"fetching the trace…"}, nil},
		{"unknown verdict", explainState{title: "x", verdict: &PreviewCell{Verdict: VerdictUnknown, Action: "oss:GetObject", Resource: "acs:oss:*:*:b/k", Reason: "depends on acs:SourceIp"}},
			[]string{"? Unknown oss:GetObject on acs:oss:*:*:b/k", "depends on acs:SourceIp"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := strings.Join(tt.x.lines(NewStyles(true), 100), "\n")
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(v, w) {
					t.Errorf("has %q", w)
				}
			}
			if t.Failed() {
				t.Logf("panel:\n%s", v)
			}
		})
	}
}

func TestExplainScrollAndWidth(t *testing.T) {
	x := explainState{title: "t", apiErr: &model.APIError{Code: "AccessDenied", EC: "0003-00000301", Message: strings.Repeat("long message ", 20)}}
	all := x.lines(NewStyles(true), 60)
	for _, l := range all {
		if n := len([]rune(l)); n > 60 {
			t.Fatalf("line of %d cells: %q", n, l)
		}
	}
	x.scroll = 1000 // clamped when drawn
	v := x.view(NewStyles(true), 60, 5)
	if got := strings.Split(v, "\n"); len(got) != 5 || got[4] != all[len(all)-1] {
		t.Fatalf("scrolled view = %q", got)
	}
}

func TestWrapWords(t *testing.T) {
	for _, w := range []int{20, 33, 70} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			text := "denied by the session policy: the Policy passed to AssumeRole when the token was issued does not allow it"
			ls := wrapWords(text, w)
			if strings.Join(ls, " ") != text {
				t.Fatalf("words lost: %q", ls)
			}
			for _, l := range ls {
				if len([]rune(l)) > w {
					t.Fatalf("line %q longer than %d", l, w)
				}
			}
		})
	}
}

func TestWrapHardBreaksLongWords(t *testing.T) {
	arn := "acs:oss:cn-hangzhou:1234567890123456:examplebucket/dst/.stsdeck-probe-31439bf9b0cfa539"
	ls := wrapHard("✗ Deny oss:PutObject on "+arn, 30)
	if strings.Join(ls, "") != "✗ Deny oss:PutObjecton"+arn && strings.ReplaceAll(strings.Join(ls, " "), " ", "") != strings.ReplaceAll("✗ Deny oss:PutObject on "+arn, " ", "") {
		t.Fatalf("text lost: %q", ls)
	}
	for _, l := range ls {
		if len([]rune(l)) > 30 {
			t.Fatalf("line %q longer than 30", l)
		}
	}
}
