package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// diagnosisLines: a pasted error's diagnosis (flow.Diagnosis) in the Explain panel — the same
// fields `stsdeck explain --error` prints: code, EC, request id, action, resource, principal,
// layer, statement and line, audit record, decoded yes/no, explanation, fix.
func (x *explainState) diagnosisLines(e *explainLines) {
	st, d, tr := e.st, x.diag, e.st.tr()
	e.add(st.Title.Render(tr.S("What the error says")))
	e.field(tr.S("Input"), d.Input)
	if d.Status != 0 {
		e.field(tr.S("HTTP status"), fmt.Sprint(d.Status))
	}
	e.field("Code", d.Code)
	e.field("EC", d.EC)
	e.field("Message", d.Message)
	e.field("RequestId", d.RequestID)

	e.add(st.Title.Render(tr.S("What was denied")))
	decoded := GlyphOK + " " + tr.S("yes (RAM DecodeDiagnosticMessage)")
	if !d.Decoded {
		decoded = GlyphUnknown + " " + tr.S("no")
		if d.DecodeError != "" {
			decoded += " — " + tr.Domain(d.DecodeError)
		}
	}
	e.field(tr.S("Decoded"), decoded)
	e.field("Action", d.Action)
	e.field("Resource", d.Resource)
	e.field("Principal", d.Principal)
	layer := d.Layer
	if p := layerPhrase(tr, d.Layer); p != d.Layer {
		layer = p
	}
	e.field(tr.S("Layer"), layer)
	if s := d.Statement; s != nil {
		e.field(tr.S("Statement"), tr.S("%s %s (line %d) %s", s.Policy, flow.StatementLabel(s.Index), s.Line, s.Effect))
	}
	if a := d.Audit; a != nil {
		e.field(tr.S("Audit record"), tr.S("%s, session %s, %s, issued %s", a.ID, a.SessionName, a.AccessKeyID, a.IssuedAt.UTC().Format("2006-01-02 15:04:05 UTC")))
		e.field(tr.S("Role"), a.RoleARN)
	} else {
		e.field(tr.S("Audit record"), GlyphUnknown+" "+tr.S("not found in this machine's audit log"))
	}

	e.add(st.Title.Render(tr.S("What it means")))
	for _, l := range wrapWords(diagnosisExplanation(tr, d), e.width-2) {
		e.add("  " + l)
	}
	if d.Remedy != "" && !strings.Contains(d.Explanation, d.Remedy) {
		for _, l := range wrapWords(tr.Domain(d.Remedy), e.width-2) {
			e.add("  " + l)
		}
	}
	for _, n := range d.Notes {
		for i, l := range wrapWords(tr.Domain(n), e.width-4) {
			if i == 0 {
				e.add("  " + GlyphWarn + " " + l)
			} else {
				e.add("    " + l)
			}
		}
	}

	e.add(st.Title.Render(tr.S("The smallest fix")))
	f := d.Fix
	if f == nil {
		e.add("  " + st.Muted.Render(tr.S("none to propose")))
		return
	}
	where := map[string]string{"session": tr.S("the session policy"), "identity": tr.S("the role's policy"), "trust": tr.S("the role's trust policy"),
		"bucket": tr.S("the bucket policy")}[f.Layer]
	if where == "" {
		where = f.Layer
	}
	switch {
	case f.Change == "remove" && f.Remove != nil:
		e.add("  " + tr.S("remove %s %s (line %d) from %s", f.Remove.Policy, flow.StatementLabel(f.Remove.Index), f.Remove.Line, where))
	case f.Statement != nil:
		e.add("  " + tr.S("add to %s:", where))
		js, _ := json.Marshal(f.Statement)
		for _, l := range wrapHard(string(js), e.width-4) {
			e.add("    " + l)
		}
	}
	if f.Verified {
		e.add("  " + st.Allow.Render(GlyphOK) + " " + tr.S("verified: the engine allows the request with it"))
	} else {
		e.add("  " + st.Unknown.Render(GlyphUnknown) + " " + tr.S("not verified: the engine could not show the request passes with it"))
	}
	if f.Verified && f.Policy != "" && d.Audit != nil {
		e.add("  " + st.Title.Render(tr.S("f re-issues with this fix")) + st.Muted.Render(" — "+tr.S("opens the Policy screen with it applied")))
	}
}

// diagnosisExplanation is flow's Diagnosis.Explanation said in the console's language: the same
// sentences from the same fields (in English it is that text), the cloud's own values verbatim
// and stsdeck's meaning and remedy through the domain catalog.
func diagnosisExplanation(tr *i18n.T, d *flow.Diagnosis) string {
	if tr.Lang() == i18n.EN {
		return d.Explanation
	}
	var out []string
	what := d.Code
	if d.EC != "" {
		what = tr.S("%s (EC %s)", d.Code, d.EC)
	}
	if what == "" {
		what = tr.S("the error")
	}
	if d.Meaning != "" {
		out = append(out, tr.S("%s: %s.", what, tr.Domain(d.Meaning)))
	} else {
		out = append(out, tr.S("%s.", what))
	}
	if d.Action != "" {
		req := d.Action
		if d.Resource != "" {
			req = tr.S("%s on %s", req, d.Resource)
		}
		if d.Principal != "" {
			req = tr.S("%s by principal %s", req, d.Principal)
		}
		switch {
		case !d.Denial:
			out = append(out, tr.S("%s.", req))
		case d.Layer == "unknown" || d.Layer == "none" || d.Layer == "":
			out = append(out, tr.S("%s was denied.", req))
		default:
			out = append(out, tr.S("%s was denied by %s.", req, diagLayerWords(tr, d.Layer)))
		}
	}
	if s := d.Statement; s != nil {
		out = append(out, tr.S("Deciding statement: %s Statement[%d] (line %d), %s.", s.Policy, s.Index, s.Line, s.Effect))
	} else if d.Evaluation != nil && d.Evaluation.Decision == policy.DecisionImplicitDeny {
		out = append(out, tr.S("No statement of that layer allows it (implicit deny)."))
	}
	if a := d.Audit; a != nil {
		out = append(out, tr.S("The token is %s (session %s, issued %s).", a.AccessKeyID, a.SessionName, a.IssuedAt.UTC().Format(time.RFC3339)))
	}
	if f := d.Fix; f != nil {
		switch f.Change {
		case "remove":
			out = append(out, tr.S("Fix: remove or narrow %s Statement[%d] (line %d).", f.Remove.Policy, f.Remove.Index, f.Remove.Line))
		default:
			sb, _ := json.Marshal(f.Statement)
			where := map[string]string{"session": tr.S("the session policy and re-issue the token"), "identity": tr.S("the role's policy"),
				"trust": tr.S("the role's trust policy"), "bucket": tr.S("the bucket policy")}[f.Layer]
			out = append(out, tr.S("Fix: add %s to %s.", sb, where))
		}
	} else if d.Remedy != "" {
		out = append(out, tr.S("What to do: %s.", tr.Domain(d.Remedy)))
	}
	if d.DecodeError != "" {
		out = append(out, tr.S("(The diagnostic message was not decoded: %s.)", tr.Domain(d.DecodeError)))
	}
	return strings.Join(out, " ")
}

// diagLayerWords names a deciding layer as flow's explanation does.
func diagLayerWords(tr *i18n.T, l string) string {
	switch l {
	case "session":
		return tr.S("the session policy (the Policy passed to AssumeRole when the token was issued)")
	case "identity":
		return tr.S("the role's (or user's) RAM policies")
	case "bucket":
		return tr.S("the bucket policy")
	case "acl":
		return tr.S("the bucket ACL: no policy allowed it and the bucket is private")
	case "trust":
		return tr.S("the role's trust policy")
	}
	return l
}
