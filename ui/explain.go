package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// Explain is the Test screen's panel for a failure: what OSS answered, what its EC means, which
// layer and statement the local engine blames, and (sandbox) the server's own decision trace.

// ecMeanings explains the OSS error codes (EC) the console meets; keyed by EC.
var ecMeanings = map[string]string{
	"0003-00000001": "access denied (generic): the request was not authorized",
	"0003-00000101": "denied by the bucket policy",
	"0003-00000201": "an explicit Deny in a RAM policy (the role's identity policies) matched",
	"0003-00000202": "not the bucket owner and no RAM policy allows it (implicit deny)",
	"0003-00000203": "explicit Deny in both the bucket policy and a RAM policy",
	"0003-00000204": "explicit Deny on a batch operation",
	"0003-00000301": "denied by the session policy: the Policy passed to AssumeRole when the token was issued does not allow it",
	"0003-00000801": "the RAM user is disabled",
	"0003-00001201": "anonymous access is forbidden for this operation",
	"0002-00000002": "a security token was sent with a non-STS AccessKeyId",
	"0002-00000004": "the AccessKeyId and the security token do not belong together",
	"0002-00000006": "the security token is invalid (truncated, forged or from another account)",
	"0002-00000007": "the security token has expired",
	"0002-00000040": "signature mismatch (V1): wrong secret or a mangled request",
	"0002-00000201": "signature mismatch (V4): wrong secret, region or a mangled request",
	"0002-00000504": "the request time is too far from the server's clock",
	"0002-00000902": "the AccessKeyId does not exist",
	"0026-00000001": "the object does not exist (NoSuchKey)",
	"0015-00000101": "the bucket does not exist",
}

// codeMeanings explains error codes that come without an EC (STS, or OSS HEAD responses).
var codeMeanings = map[string]string{
	"SecurityTokenExpired":                "the security token has expired",
	"InvalidSecurityToken":                "the security token is invalid",
	"AccessKeyIdAndSecurityTokenNotMatch": "the AccessKeyId and the security token do not belong together",
	"InvalidAccessKeyId":                  "the AccessKeyId does not exist or is disabled",
	"SignatureDoesNotMatch":               "the signature does not match: wrong secret or a mangled request",
	"RequestTimeTooSkewed":                "the local clock is too far from the server's",
	"NoSuchBucket":                        "the bucket does not exist",
	"NoSuchKey":                           "the object does not exist",
	"AccessDenied":                        "the request was not authorized",
	// STS AssumeRole
	"NoPermission":                     "the caller may not assume this role: its own RAM policies lack sts:AssumeRole on the role, the role's trust policy does not name it, or the caller is an account root (roles cannot be assumed by root accounts)",
	"EntityNotExist.Role":              "no role with that ARN exists in the account",
	"InvalidParameter.DurationSeconds": "the duration is outside 15 minutes … the role's MaxSessionDuration",
	"InvalidParameter.RoleSessionName": "the session name must be 2–64 characters of letters, digits and . @ - _",
	"InvalidParameter.ExternalId":      "the external id must be 2–1224 characters of letters, digits and = , . @ : / - _",
	"InvalidParameter.PolicyGrammar":   "the session policy did not pass STS's grammar check",
	"InvalidParameter.PolicySize":      "the session policy is larger than 2048 bytes (minify it on screen 2)",
	"InvalidParameter.RoleArn":         "the role ARN is malformed (want acs:ram::<account>:role/<name>)",
	"InvalidAccessKeyId.NotFound":      "the console's own AccessKeyId does not exist",
	"InvalidAccessKeyId.Inactive":      "the console's own AccessKeyId is disabled",
	"InvalidSecurityToken.Expired":     "the console's own security token has expired",
	"InvalidTimeStamp.Expired":         "the local clock is more than 15 minutes off the server's",
	"Throttling.User":                  "too many requests: STS throttled the caller",
}

// ExplainEC returns what an EC (else an error code) means, "" when unknown.
func ExplainEC(ec, code string) string {
	if m, ok := ecMeanings[ec]; ok {
		return m
	}
	if strings.HasPrefix(ec, "0003-") {
		return "an authorization failure (EC group 0003)"
	}
	if strings.HasPrefix(ec, "0002-") {
		return "an authentication failure (EC group 0002)"
	}
	return codeMeanings[code]
}

// ecLayer names the policy layer an EC blames, "" when none.
func ecLayer(ec string) string {
	switch ec {
	case "0003-00000301":
		return "session"
	case "0003-00000201", "0003-00000202":
		return "role"
	case "0003-00000101":
		return "bucket"
	case "0003-00000203":
		return "role + bucket"
	}
	return ""
}

// layerPhrase says a DeniedBy layer in the console's words.
func layerPhrase(l string) string {
	switch l {
	case "session":
		return "session (the session policy given to AssumeRole)"
	case "identity", "role":
		return "role (an explicit Deny in the role's RAM policies)"
	case "bucket":
		return "bucket (the bucket policy)"
	case "acl":
		return "acl (no policy allows it and the ACL is private)"
	case "credentials":
		return "credentials (access key, token, signature or clock)"
	case "endpoint":
		return "endpoint (the bucket lives in another region)"
	case "trust":
		return "trust (the role's trust policy does not name the caller)"
	}
	return l
}

// isExpiredErr reports whether an answer says the token expired.
func isExpiredErr(code, ec string) bool {
	return code == "SecurityTokenExpired" || ec == "0002-00000007"
}

// explainState is the open Explain panel.
type explainState struct {
	open   bool
	title  string
	apiErr *model.APIError // what the service answered (synthesized from a probe row when needed)
	err    error           // a non-API failure
	// Local engine verdict (nil when not evaluated).
	verdict *PreviewCell
	engine  string // why there is no verdict
	// Server trace (sandbox only).
	sandbox      bool
	traceSeq     int
	traceLoading bool
	trace        *model.Trace
	traceErr     error
	expired      bool
	scroll       int
	hideLeak     bool // no token involved (a refused AssumeRole)
}

// traceMsg answers traceCmd.
type traceMsg struct {
	id    int
	trace *model.Trace
	err   error
}

// traceCmd fetches the sandbox's decision trace for a request id.
func traceCmd(sb SandboxControl, service, requestID string, id int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		t, err := sb.Trace(ctx, service, requestID)
		return traceMsg{id: id, trace: t, err: err}
	}
}

// reissueRequestMsg asks the Issue screen to re-issue with the same inputs (from Explain).
type reissueRequestMsg struct{}

// explainLines renders the panel as lines (the caller scrolls and clips).
func (x *explainState) lines(st Styles, width int) []string {
	var out []string
	add := func(s string) { out = append(out, s) }
	// Long values wrap under themselves rather than being cut: ARNs and messages matter here.
	field := func(label, v string) {
		if v == "" {
			return
		}
		for i, l := range wrapHard(v, width-17) {
			if i == 0 {
				add(fmt.Sprintf("  %-14s %s", label, l))
			} else {
				add(strings.Repeat(" ", 17) + l)
			}
		}
	}
	if cellWidth("Explain: "+x.title+"  (esc closes)") <= width {
		add(st.Title.Render("Explain: "+x.title) + "  " + st.Muted.Render("(esc closes)"))
	} else {
		for _, l := range wrapHard("Explain: "+x.title, width) {
			add(st.Title.Render(l))
		}
		add(st.Muted.Render("(esc closes)"))
	}
	if x.expired {
		add(st.Error.Render(GlyphDeny + " The token has EXPIRED. Press r to re-issue it with the same inputs."))
	}
	a := x.apiErr
	switch {
	case a != nil:
		add(st.Title.Render("What the service answered"))
		field("HTTP status", fmt.Sprint(a.StatusCode))
		field("Code", a.Code)
		field("EC", a.EC)
		field("Message", a.Message)
		field("RequestId", a.RequestID)
		field("Operation", a.Operation)
		if d := a.AccessDeniedDetail; d != nil {
			field("PolicyType", d.PolicyType)
			field("NoPermission", d.NoPermissionType)
			field("AuthAction", d.AuthAction)
			field("Principal", strings.TrimSpace(d.AuthPrincipalType+" "+d.AuthPrincipalDisplayName))
		}
		field("RecommendDoc", a.RecommendDoc)
		if a.Hint != "" {
			field("Hint", a.Hint)
		}
		add(st.Title.Render("What it means"))
		if m := ExplainEC(a.EC, a.Code); m != "" {
			layer := a.DeniedBy()
			if layer == "" {
				layer = ecLayer(a.EC)
			}
			if layer == "" && a.AccessDeniedDetail != nil {
				switch strings.ToLower(a.AccessDeniedDetail.PolicyType) {
				case "assumerolepolicy", "trustpolicy":
					layer = "trust"
				case "rampolicy", "identitypolicy":
					layer = "identity"
				}
			}
			if layer != "" {
				add("  layer: " + layerPhrase(layer))
			}
			for _, l := range wrapWords(m, width-2) {
				add("  " + l)
			}
		} else {
			add("  " + st.Muted.Render("no explanation on file for this code"))
		}
	case x.err != nil:
		add(st.Title.Render("What went wrong"))
		for _, l := range wrapWords(flatLine(x.err.Error()), width-2) {
			add("  " + l)
		}
	}
	add(st.Title.Render("What the local engine says"))
	switch {
	case x.verdict != nil:
		v := x.verdict
		glyph := GlyphUnknown
		switch v.Verdict {
		case VerdictAllow:
			glyph = GlyphOK
		case VerdictDeny:
			glyph = GlyphDeny
		}
		for i, l := range wrapHard(fmt.Sprintf("%s %s %s on %s", glyph, v.Verdict, v.Action, v.Resource), width-4) {
			if i == 0 {
				add("  " + l)
			} else {
				add("    " + l)
			}
		}
		if v.Layer != "" {
			add("    deciding layer: " + v.Layer)
		}
		if v.Reason != "" {
			add("    " + v.Reason)
		}
		for _, m := range v.Result.Statements {
			add(fmt.Sprintf("    matched (%s layer): %s statement %d (line %d) %s", LayerWord(m.Layer), m.Policy, m.Index, m.Line, m.Effect))
		}
		if v.Verdict == VerdictAllow && (a != nil || x.err != nil) {
			add("    " + st.Muted.Render("the policies allow this request: the failure is not a policy denial"))
		}
	case x.engine != "":
		for _, l := range wrapWords(x.engine, width-2) {
			add("  " + st.Muted.Render(l))
		}
	default:
		add("  " + st.Muted.Render("not evaluated"))
	}
	if x.sandbox {
		add(st.Title.Render("What the sandbox says (server trace)"))
		switch {
		case x.traceLoading:
			add("  " + st.Muted.Render("fetching the trace…"))
		case x.traceErr != nil:
			add("  " + st.Warn.Render(GlyphWarn+" no trace: "+flatLine(x.traceErr.Error())))
		case x.trace != nil:
			t := x.trace
			field("Check failed", t.Check)
			field("Detail", t.Detail)
			field("Decision", t.Decision)
			field("Decided by", t.DecidedBy)
			field("Action", t.Action)
			field("Resource", t.Resource)
			if len(t.Layers) > 0 {
				keys := make([]string, 0, len(t.Layers))
				for k := range t.Layers {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				var parts []string
				for _, k := range keys {
					parts = append(parts, k+"="+t.Layers[k])
				}
				field("Layers", strings.Join(parts, " "))
			}
			for _, s := range t.Statements {
				add(fmt.Sprintf("    statement: %s %s #%d (line %d) %s", s.Layer, s.Policy, s.Index, s.Line, s.Effect))
			}
			if len(t.Indeterminate) > 0 {
				field("Unknown keys", strings.Join(t.Indeterminate, ", "))
			}
		default:
			add("  " + st.Muted.Render("no RequestId to look up"))
		}
	} else if a != nil && a.RequestID != "" {
		for _, l := range wrapWords("Live mode: the server's reasoning is not public; quote RequestId "+a.RequestID+" to Alibaba Cloud support.", width) {
			add(st.Muted.Render(l))
		}
	}
	if !x.hideLeak {
		add(st.Title.Render("If this token may have leaked"))
		for _, l := range wrapWords("Tokens cannot be revoked. What works: attach an explicit Deny to the role (it stops every "+
			"session of the role at once, e.g. with an acs:CurrentTime condition), issue shorter durations "+
			"and narrower session policies; the token dies at its expiry anyway.", min(width-2, 96)) {
			add("  " + l)
		}
	}
	for i := range out {
		out[i] = cutLine(out[i], width)
	}
	return out
}

// view renders the panel in height rows from the scroll position.
func (x *explainState) view(st Styles, width, height int) string {
	ls := x.lines(st, width)
	if height < 3 {
		height = 3
	}
	scroll := min(x.scroll, max(0, len(ls)-height))
	end := min(len(ls), scroll+height)
	return strings.Join(ls[scroll:end], "\n")
}

// apiErrorOf returns the *model.APIError in err's chain, nil if none.
func apiErrorOf(err error) *model.APIError {
	var a *model.APIError
	if errors.As(err, &a) {
		return a
	}
	return nil
}

// wrapWords breaks text into lines of at most w cells at spaces.
func wrapWords(text string, w int) []string {
	if w < 20 {
		w = 20
	}
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// wrapHard is wrapWords that also breaks words longer than w (ARNs, URLs).
func wrapHard(text string, w int) []string {
	if w < 20 {
		w = 20
	}
	var out []string
	for _, l := range wrapWords(text, w) {
		r := []rune(l)
		for len(r) > w {
			out = append(out, string(r[:w]))
			r = r[w:]
		}
		out = append(out, string(r))
	}
	return out
}
