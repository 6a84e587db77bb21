package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/flow"
)

// The re-issue question: r re-issues with the last token's inputs, but when the Policy screen's
// draft differs from the policy that token was issued with, the screen shows both (a diff:
// issued vs draft) and asks which to use. An invalid draft refuses before asking.

// reissueKeys are the question's bindings.
type reissueKeys struct {
	Draft, Issued, Cancel key.Binding
}

func newReissueKeys() reissueKeys {
	return reissueKeys{
		Draft:  key.NewBinding(key.WithKeys("d", "y"), key.WithHelp("d", "re-issue with the draft")),
		Issued: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "re-issue with the issued policy")),
		Cancel: key.NewBinding(key.WithKeys("esc", "n"), key.WithHelp("esc", "cancel")),
	}
}

// reissueAsk is the open question (nil: none).
type reissueAsk struct {
	draft, issued string // session policies ("" none)
	diff          []flow.DiffLine
}

// reissueProblem says why the draft cannot be used ("" = it can): being checked, or invalid
// with its first error.
func (s *IssueScreen) reissueProblem() string {
	switch {
	case !s.havePol:
		return ""
	case s.policy.Pending:
		return s.st.tr().S("the Policy draft is still being checked — press r again in a moment")
	case s.policy.Doc != "" && !s.policy.Valid:
		tr := s.st.tr()
		if s.policy.Problem != "" {
			return tr.S("r refused: the Policy draft has errors (%s) — fix it on screen 2 (Policy), or clear it, then press r", tr.Domain(s.policy.Problem))
		}
		return tr.S("r refused: the Policy draft has errors — fix it on screen 2 (Policy), or clear it, then press r")
	}
	return ""
}

// reissue re-issues with the last inputs once the policy to use is clear: at once when the
// draft is the issued policy (or the Policy screen never spoke), else after the question.
func (s *IssueScreen) reissue() tea.Cmd {
	if s.creds == nil {
		return nil
	}
	if p := s.reissueProblem(); p != "" {
		s.lastErr, s.errFromPolicy = p, true
		return nil
	}
	if !s.havePol || flow.SamePolicy(s.policy.Doc, s.req.Policy) {
		return s.issue(true)
	}
	s.ask = &reissueAsk{draft: s.policy.Doc, issued: s.req.Policy, diff: flow.PolicyDiff(s.req.Policy, s.policy.Doc)}
	return nil
}

// updateAsk answers the question.
func (s *IssueScreen) updateAsk(msg tea.KeyMsg) tea.Cmd {
	k, a := s.rkeys, s.ask
	switch {
	case key.Matches(msg, k.Draft):
		s.ask = nil
		s.req.Policy = a.draft
		return s.issue(true)
	case key.Matches(msg, k.Issued):
		s.ask = nil
		return s.issue(true)
	case key.Matches(msg, k.Cancel):
		s.ask = nil
		text := s.st.tr().S("re-issue cancelled")
		return func() tea.Msg { return StatusMsg{Text: text} }
	}
	return nil
}

// askView is the question: one screen, the diff cut to what fits with a count of the rest.
func (s *IssueScreen) askView() string {
	st, a, tr := s.st, s.ask, s.st.tr()
	var b []string
	b = append(b, st.Title.Render(tr.S("Re-issue: which session policy?")))
	b = append(b, wrapWords(tr.S("The Policy screen's draft differs from the policy the current token was issued with (- issued, + draft):"), max(20, s.width))...)
	room := max(3, s.height-len(b)-3)
	shown := 0
	for i, l := range a.diff {
		if shown == room-1 && len(a.diff)-i > 1 {
			b = append(b, st.Muted.Render("  … "+tr.S("%d more lines", len(a.diff)-i)))
			break
		}
		line := string(l.Op) + " " + l.Text
		switch l.Op {
		case '-':
			line = st.Deny.Render(line)
		case '+':
			line = st.Allow.Render(line)
		default:
			line = st.Muted.Render(line)
		}
		b = append(b, line)
		shown++
	}
	b = append(b, "", tr.S("d re-issue with the draft · i with the issued policy · esc cancel"))
	return strings.Join(b, "\n")
}
