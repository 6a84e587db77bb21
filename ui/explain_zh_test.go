package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The Explain panel in Chinese: stsdeck's headings, meaning and layer in Chinese, the cloud's
// Message exactly as it was sent, every line within the width; Chinese prose wraps between
// characters instead of being cut.
func TestExplainPanelChinese(t *testing.T) {
	st := NewStyles(true)
	st.T = i18n.New(i18n.ZH)
	msg := "You have no right to access this object because of session policy."
	x := explainState{open: true, title: "upload oss://examplebucket/dst/a.txt", st: st, engine: "no single request to evaluate",
		apiErr: &model.APIError{Service: "oss", StatusCode: 403, Code: "AccessDenied", EC: "0003-00000301", Message: msg, RequestID: "RID1"}}
	for _, w := range []int{80, 120, 40} {
		x.SetSize(w, 60)
		v := x.View()
		flat := strings.Join(strings.Fields(v), " ")
		dense := strings.Join(strings.Fields(v), "")
		for _, want := range []string{"服务的响应", "被会话策略拒绝", "策略层：session（调用AssumeRole时传入的会话策略）", "如果该令牌可能已泄露"} {
			if !strings.Contains(dense, want) {
				t.Errorf("w=%d: missing %q:\n%s", w, want, v)
			}
		}
		if !strings.Contains(flat, msg) {
			t.Errorf("w=%d: the cloud's Message is not kept as sent:\n%s", w, v)
		}
		for i, l := range strings.Split(v, "\n") {
			if cw := ansi.StringWidth(l); cw > w {
				t.Errorf("w=%d line %d: %d cells: %q", w, i+1, cw, l)
			}
			if strings.HasSuffix(l, "…") {
				t.Errorf("w=%d line %d cut instead of wrapped: %q", w, i+1, l)
			}
		}
	}
}

func TestWrapWordsChinese(t *testing.T) {
	got := wrapWords("令牌无法吊销。可行的做法：为 RAM 角色添加显式 Deny（立即阻止该角色的所有会话）。", 20)
	for _, l := range got {
		if ansi.StringWidth(l) > 20 {
			t.Errorf("%q is %d cells", l, ansi.StringWidth(l))
		}
		if strings.HasPrefix(l, "，") || strings.HasPrefix(l, "。") || strings.HasPrefix(l, "）") {
			t.Errorf("line starts with closing punctuation: %q", l)
		}
	}
	if len(got) < 3 {
		t.Errorf("not wrapped: %q", got)
	}
	if en := wrapWords("the previous token stays valid until it expires", 20); strings.Join(en, "|") != "the previous token|stays valid until it|expires" {
		t.Errorf("English wrapping changed: %q", en)
	}
}
