package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/flow"
)

// The Policy screen's side of the tool picker (tools.go).

// openTools checks every tool with the draft, the role's policies and the chosen scope.
func (s *PolicyScreen) openTools() {
	in := flow.ToolInput{Bucket: s.bucket, Prefix: s.prefix, AccountID: s.svc.AccountID, Region: s.svc.Region}
	if s.role != nil {
		if m := roleARNPattern.FindStringSubmatch(s.role.ARN); m != nil {
			in.AccountID = m[1]
		}
	}
	if s.identity.Unknown == "" {
		in.Identity = s.identity.Policies
	}
	note := ""
	switch {
	case s.bucket == "":
		note = s.st.tr().S("set a bucket and prefix first (b)")
	case s.Doc() != "" && (s.broken || s.compiled == nil):
		note = s.st.tr().S("the draft has errors or is being checked: fix it first (n steps to them)")
	case s.Doc() != "":
		in.Session, in.SessionDoc = s.compiled, s.Doc()
	}
	s.tools.Open(in, note)
}

// updateTools gives a key to the open picker; a replaces the draft with the suggested policy.
func (s *PolicyScreen) updateTools(msg tea.KeyMsg) tea.Cmd {
	s.tools, _ = s.tools.Update(msg)
	if doc := s.tools.applied; doc != "" {
		s.tools.applied = ""
		text := s.st.tr().S("the smallest addition for the tool is in the draft: check the preview")
		return tea.Batch(s.setDoc(doc), func() tea.Msg { return StatusMsg{Text: text} })
	}
	return nil
}
