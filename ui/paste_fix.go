package ui

import (
	"fmt"
	"strings"

	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
)

// The Policy screen's side of "re-issue with this fix" (paste.go): the draft is the denied
// token's session policy with the fix applied (CloneIssueMsg); PolicyFixMsg says which request
// it is for, so the screen shows that request — and every preview cell — turning to allow.

// policyFix is what the screen remembers of the fix.
type policyFix struct {
	msg    PolicyFixMsg
	before string   // the denied request's verdict with the token's own session policy
	grid   *Preview // the preview with the token's own session policy (nil: not computable)
}

// applyFix takes a PolicyFixMsg: the verdicts before the fix are computed here, from the
// token's session policy (no I/O: the engine only).
func (s *PolicyScreen) applyFix(msg PolicyFixMsg) {
	f := &policyFix{msg: msg}
	var before *policy.Policy
	if msg.Before != "" {
		p, err := policy.Parse("session policy", []byte(msg.Before), policy.KindSession) // i18n:ok (the policy's name in the engine)
		if err != nil {
			s.fix = nil
			return
		}
		before = p
	}
	f.before = s.requestVerdict(msg, before)
	if s.bucket == "" && !s.scopeSet {
		// Nothing chosen yet: preview the bucket and folder the request was about.
		if b, k, ok := resourceBucketKey(msg.Resource); ok {
			s.bucket = b
			if i := strings.LastIndex(k, "/"); i >= 0 {
				s.prefix = k[:i+1]
			}
			s.scopeForm.SuggestBucket(b)
		}
	}
	if s.bucket != "" {
		in := s.fixPreviewInput(before)
		g := ComputePreview(in)
		f.grid = &g
	}
	s.fix = f
}

// fixPreviewInput is the preview's input (as recompute builds it) with another session policy.
func (s *PolicyScreen) fixPreviewInput(session *policy.Policy) PreviewInput {
	in := PreviewInput{Identity: s.identity, Region: s.svc.Region, AccountID: s.svc.AccountID, Bucket: s.bucket, Prefix: s.prefix,
		Context: s.pctx, Session: session}
	if s.bucketFor == s.bucket {
		in.BucketPolicy = s.bucketPolicy
	}
	if s.role != nil {
		in.RoleName = s.role.Name
		if m := roleARNPattern.FindStringSubmatch(s.role.ARN); m != nil {
			in.AccountID = m[1]
		}
	}
	return in
}

// requestVerdict evaluates the fixed request with a session policy and the role's policies.
func (s *PolicyScreen) requestVerdict(msg PolicyFixMsg, session *policy.Policy) string {
	in := flow.ExplainInput{Action: msg.Action, Resource: msg.Resource, Context: msg.Context, Session: session}
	known := s.identity.Unknown == ""
	if known {
		in.Identity = s.identity.Policies
	}
	ex := flow.Explain(in)
	tr := s.st.tr()
	switch {
	case ex.Decision == policy.DecisionAllow:
		return GlyphOK + " " + tr.S("Allow")
	case !known && (session == nil || ex.Layers["session"] == policy.OutcomeAllow):
		return GlyphUnknown + " " + tr.S("session allows; the role's policies are unknown")
	case !known:
		return GlyphDeny + " " + tr.S("Deny (%s)", layerWord(tr, "session"))
	}
	return GlyphDeny + " " + tr.S("Deny (%s)", layerWord(tr, LayerWord(ex.DecidedBy)))
}

// fixView is the fix's banner: the request before → now, and the preview cells that changed.
func (s *PolicyScreen) fixView(w int) string {
	f := s.fix
	if f == nil {
		return ""
	}
	st, tr := s.st, s.st.tr()
	now := GlyphUnknown + " " + tr.S("the draft has errors")
	switch {
	case s.Doc() == "":
		now = s.requestVerdict(f.msg, nil)
	case s.compiled != nil && !s.broken:
		now = s.requestVerdict(f.msg, s.compiled)
	case s.shownSeq != s.editSeq:
		now = GlyphUnknown + " " + tr.S("checking…")
	}
	res := f.msg.Resource
	if b, k, ok := resourceBucketKey(res); ok {
		res = b + "/" + k
	}
	var lines []string
	lines = append(lines, st.Title.Render(tr.S("Fix from Explain"))+" "+tr.S("%s on %s: %s → %s", f.msg.Action, res, f.before, now))
	if f.grid != nil && len(s.grid.preview.Cells) == len(f.grid.Cells) {
		var changed []string
		for i, row := range s.grid.preview.Cells {
			for j, c := range row {
				b := f.grid.Cells[i][j]
				if b.Verdict != c.Verdict {
					changed = append(changed, fmt.Sprintf("%s %s %s→%s", c.Op, c.Scope, verdictGlyph(b.Verdict), verdictGlyph(c.Verdict)))
				}
			}
		}
		if len(changed) > 0 {
			lines = append(lines, st.Muted.Render(tr.S("preview: %s", strings.Join(changed, " · "))))
		}
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, wrapHard(l, max(20, w))...)
	}
	return strings.Join(out, "\n")
}

func verdictGlyph(v string) string {
	switch v {
	case VerdictAllow:
		return GlyphOK
	case VerdictDeny:
		return GlyphDeny
	}
	return GlyphUnknown
}

// resourceBucketKey splits "acs:oss:<region>:<account>:<bucket>/<key>".
func resourceBucketKey(arn string) (bucket, key string, ok bool) {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) != 5 || parts[0] != "acs" || parts[1] != "oss" {
		return "", "", false
	}
	bucket, key, _ = strings.Cut(parts[4], "/")
	return bucket, key, bucket != "" && bucket != "*"
}
