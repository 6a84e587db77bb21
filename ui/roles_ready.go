package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
)

// The detail pane's readiness checklist: the guide's steps 1.1–1.4 for the role under the
// cursor (flow.Readiness judges; this reads the caller's own policies and shows the verdicts,
// each with its fix in words).

// callerPoliciesMsg answers the caller's own policies (RAM ListPoliciesForUser).
type callerPoliciesMsg struct {
	user     string
	policies []model.AttachedPolicy
	err      error
}

// loadCallerPolicies reads the policies of the RAM user the console acts as (nil when the
// caller is not a RAM user: the checklist says why it cannot tell).
func loadCallerPolicies(src service.UserPolicySource, c model.Caller) tea.Cmd {
	user := callerUserName(c)
	if src == nil || user == "" {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ps, err := src.UserPolicies(ctx, user)
		return callerPoliciesMsg{user: user, policies: ps, err: err}
	}
}

// callerUserName is the RAM user name of a caller ("" for a root key or a role session).
func callerUserName(c model.Caller) string {
	rest := c.ARN
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		rest = rest[i+1:]
	}
	if c.IdentityType != "" && c.IdentityType != "RAMUser" {
		return ""
	}
	if name, ok := strings.CutPrefix(rest, "user/"); ok {
		return name
	}
	return ""
}

// callerPoliciesWhy says in a few words why the caller's policies are unknown.
func callerPoliciesWhy(err error) string {
	var ae *model.APIError
	if errors.As(err, &ae) {
		return strings.ToUpper(ae.Service) + " " + ae.Operation + " refused: " + ae.Code
	}
	return err.Error()
}

// readyLabels are the steps' names in the checklist (English IDs; translated when shown).
var readyLabels = map[string]string{
	flow.StepRAMUser:    "RAM user",   // i18n:ok an ID, translated when shown
	flow.StepAssumeRole: "may assume", // i18n:ok an ID, translated when shown
	flow.StepTrust:      "trust",
	flow.StepRolePolicy: "role policy", // i18n:ok an ID, translated when shown
}

// renderReadinessSummary writes the checklist's heading line: how many steps pass and, when
// some do not, which (the steps themselves follow the policies: renderReadiness).
func renderReadinessSummary(b *strings.Builder, st Styles, w int, cs []flow.ReadinessCheck) {
	if len(cs) == 0 {
		return
	}
	tr := st.tr()
	ok, n := flow.ReadinessSummary(cs)
	if ok == n {
		roleField(b, w, tr.S("Ready?"), st.Mark("ok", tr.S("%d of %d steps pass (guide 1.1–1.4)", ok, n)))
		return
	}
	var failing []string
	for _, c := range cs {
		if c.Kind != "ok" {
			failing = append(failing, readyGlyph(c.Kind)+" "+c.Step+" "+tr.S(readyLabels[c.Step]))
		}
	}
	roleField(b, w, tr.S("Ready?"), st.Mark("warn", tr.S("%d of %d steps pass: %s (fixes below)", ok, n, strings.Join(failing, ", "))))
}

func readyGlyph(kind string) string {
	switch kind {
	case "ok":
		return GlyphOK
	case "deny":
		return GlyphDeny
	case "warn":
		return GlyphWarn
	}
	return GlyphUnknown
}

// renderReadiness writes the checklist w cells wide: per step its mark, number and name, the
// verdict wrapped under itself, and the fix below when it does not pass.
func renderReadiness(b *strings.Builder, st Styles, w int, cs []flow.ReadinessCheck) {
	if len(cs) == 0 {
		return
	}
	tr := st.tr()
	b.WriteString(st.Title.Render(tr.S("Readiness (guide steps 1.1–1.4)")) + "\n")
	labelW := 0
	for _, c := range cs {
		labelW = max(labelW, cellWidth(tr.S(readyLabels[c.Step])))
	}
	indent := 2 + 2 + len(cs[0].Step) + 1 + labelW + 2 // "  ✓ 1.1 label  "
	textW := max(w-indent, 16)
	pad := strings.Repeat(" ", indent)
	for _, c := range cs {
		label := padRight(tr.S(readyLabels[c.Step]), labelW)
		lines := wrapHard(tr.Domain(c.Text), textW)
		style := st.kindStyle(c.Kind)
		b.WriteString("  " + style.Render(readyGlyph(c.Kind)) + " " + c.Step + " " + label + "  " + style.Render(lines[0]) + "\n")
		for _, l := range lines[1:] {
			b.WriteString(pad + style.Render(l) + "\n")
		}
		if c.Fix == "" {
			continue
		}
		for _, l := range wrapHard(tr.S("fix: %s", tr.Domain(c.Fix)), textW) {
			b.WriteString(pad + st.Muted.Render(l) + "\n")
		}
	}
}
