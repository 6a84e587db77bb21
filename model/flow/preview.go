package flow

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// The effective-permission preview: what a token issued for the chosen role with the drafted
// session policy would be allowed to do, per test operation, inside and outside the prefix,
// decided by the local engine before anything is issued. The console's Policy screen shows it;
// the probe (probe.go) predicts with the same rules.

// PreviewOps are the test operations, in grid order, with the OSS action each needs.
var PreviewOps = []struct{ Op, Action string }{
	{"put", "oss:PutObject"},
	{"get", "oss:GetObject"},
	{"head", "oss:GetObject"}, // HeadObject is authorized as oss:GetObject
	{"list", "oss:ListObjects"},
	{"delete", "oss:DeleteObject"},
}

// PreviewScopes are the grid's columns.
var PreviewScopes = []string{"inside", "outside"}

// ProbeObjectName is the object name the preview asks about under each prefix.
const ProbeObjectName = "stsdeck-probe.txt"

// PreviewContext is what the preview assumes about the request; "" means unknown (the key is
// not carried, so conditions on it come out indeterminate).
type PreviewContext struct {
	SourceIP string // an IP address
	HTTPS    string // "true" or "false"
	Time     string // RFC 3339
}

// ParsePreviewContext checks typed values and normalizes them ("yes" → "true", "now" → the time).
func ParsePreviewContext(ip, https, tm string, now time.Time) (PreviewContext, error) {
	var c PreviewContext
	ip, https, tm = strings.TrimSpace(ip), strings.TrimSpace(strings.ToLower(https)), strings.TrimSpace(tm)
	if ip != "" && ip != "?" {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return c, fmt.Errorf("source IP %q: want an address such as 192.0.2.10, or empty for unknown", ip)
		}
		c.SourceIP = a.String()
	}
	switch https {
	case "", "?":
	case "true", "yes", "y", "on", "https":
		c.HTTPS = "true"
	case "false", "no", "n", "off", "http":
		c.HTTPS = "false"
	default:
		return c, fmt.Errorf("https %q: want yes or no, or empty for unknown", https)
	}
	switch tm {
	case "", "?":
	case "now":
		c.Time = now.UTC().Format(time.RFC3339)
	default:
		t, err := time.Parse(time.RFC3339, tm)
		if err != nil {
			return c, fmt.Errorf("time %q: want RFC 3339 such as 2026-11-27T10:00:00Z, \"now\", or empty for unknown", tm)
		}
		c.Time = t.UTC().Format(time.RFC3339)
	}
	return c, nil
}

// Keys returns the request context the preview assumes.
func (c PreviewContext) Keys() map[string][]string {
	m := map[string][]string{}
	if c.SourceIP != "" {
		m[policy.KeySourceIP] = []string{c.SourceIP}
	}
	if c.HTTPS != "" {
		m[policy.KeySecureTransport] = []string{c.HTTPS}
	}
	if c.Time != "" {
		m[policy.KeyCurrentTime] = []string{c.Time}
	}
	return m
}

// BucketPolicyReader is implemented by OSS clients that can read a bucket's policy (the oss
// adapter's client does): found is false when the bucket has none.
type BucketPolicyReader interface {
	BucketPolicy(ctx context.Context, bucket string) (doc string, found bool, err error)
}

// IdentityLayer is a role's attached policies compiled for evaluation.
type IdentityLayer struct {
	Policies []*policy.Policy
	// Unknown says why the layer is incomplete ("" = every document was read and parsed).
	Unknown string
}

// CompileIdentity compiles a role's attached policy documents; role nil means no role chosen.
func CompileIdentity(role *model.Role) IdentityLayer {
	if role == nil {
		return IdentityLayer{Unknown: "no role chosen"}
	}
	if role.Policies == nil {
		return IdentityLayer{Unknown: "the role's policies could not be read"}
	}
	l := IdentityLayer{Policies: []*policy.Policy{}}
	var missing []string
	for _, ap := range role.Policies {
		if ap.Document == "" {
			missing = append(missing, ap.Name)
			continue
		}
		p, err := policy.Parse(ap.Name, []byte(ap.Document), policy.KindIdentity)
		if err != nil {
			missing = append(missing, ap.Name)
			continue
		}
		l.Policies = append(l.Policies, p)
	}
	if len(missing) > 0 {
		l.Unknown = "unreadable: " + strings.Join(missing, ", ")
	}
	return l
}

// PreviewInput is everything a preview depends on.
type PreviewInput struct {
	RoleName  string
	AccountID string // the bucket owner's account (for resource ARNs and the principal)
	Region    string
	Identity  IdentityLayer
	// Session is the compiled session policy; nil = none. SessionBroken means the draft has
	// errors (STS would refuse it), so no cell can be known.
	Session       *policy.Policy
	SessionBroken bool
	// BucketPolicy is the bucket's policy when it was read; nil when the bucket has none or it
	// could not be read (BucketNote says which).
	BucketPolicy *policy.Policy
	Bucket       string
	Prefix       string
	Context      PreviewContext
}

// Verdicts of a cell.
const (
	VerdictAllow   = "Allow"
	VerdictDeny    = "Deny"
	VerdictUnknown = "Unknown"
)

// PreviewCell is one operation in one scope.
type PreviewCell struct {
	Op, Scope string
	Action    string
	Resource  string
	Verdict   string // VerdictAllow, VerdictDeny, VerdictUnknown
	Layer     string // deciding layer in the console's words: "role", "session", "bucket"
	Reason    string // why Unknown, or the deciding statement
	Result    policy.Result
}

// Preview is the whole grid, rows in PreviewOps order, columns in PreviewScopes order.
type Preview struct {
	Cells   [][2]PreviewCell
	Inside  string // the prefix probed inside
	Outside string
}

// LayerWord names a policy layer the way the console shows it.
func LayerWord(l policy.Layer) string {
	switch l {
	case policy.LayerIdentity:
		return "role"
	case policy.LayerSession:
		return "session"
	case policy.LayerBucket:
		return "bucket"
	case policy.LayerTrust:
		return "trust"
	}
	return string(l)
}

// ComputePreview evaluates every cell with the local engine.
func ComputePreview(in PreviewInput) Preview {
	acct := in.AccountID
	if acct == "" {
		acct = "*"
	}
	region := in.Region
	if region == "" {
		region = "*"
	}
	pv := Preview{Inside: in.Prefix, Outside: model.OutsidePrefix(in.Prefix)}
	principal := policy.Principal{AccountID: in.AccountID, Type: "role", Name: in.RoleName, SessionName: "stsdeck-preview"}
	layers := policy.Layers{Identity: in.Identity.Policies, Session: in.Session, Bucket: in.BucketPolicy}
	if layers.Identity == nil {
		layers.Identity = []*policy.Policy{}
	}
	base := in.Context.Keys()
	pv.Cells = make([][2]PreviewCell, len(PreviewOps))
	for i, op := range PreviewOps {
		for j, scope := range PreviewScopes {
			prefix := pv.Inside
			if scope == "outside" {
				prefix = pv.Outside
			}
			cell := PreviewCell{Op: op.Op, Scope: scope, Action: op.Action}
			ctx := make(map[string][]string, len(base)+1)
			for k, v := range base {
				ctx[k] = v
			}
			if op.Op == "list" {
				cell.Resource = "acs:oss:" + region + ":" + acct + ":" + in.Bucket
				ctx[policy.KeyPrefix] = []string{prefix}
			} else {
				cell.Resource = "acs:oss:" + region + ":" + acct + ":" + in.Bucket + "/" + prefix + ProbeObjectName
			}
			if in.SessionBroken {
				cell.Verdict, cell.Reason = VerdictUnknown, "the session policy has errors (STS would refuse it)"
				pv.Cells[i][j] = cell
				continue
			}
			if in.Bucket == "" {
				cell.Verdict, cell.Reason = VerdictUnknown, "no bucket chosen"
				pv.Cells[i][j] = cell
				continue
			}
			req := &policy.Request{Action: op.Action, Resource: cell.Resource, Principal: principal, Context: ctx}
			cell.Result = policy.Evaluate(req, layers)
			previewDecide(&cell, in)
			pv.Cells[i][j] = cell
		}
	}
	return pv
}

// previewDecide turns an engine result into a cell verdict, refusing to guess: a cell is Allow or
// Deny only when no unreadable layer or unknown condition key could change it.
func previewDecide(c *PreviewCell, in PreviewInput) {
	r := c.Result
	c.Layer = LayerWord(r.DecidedBy)
	switch {
	case r.Decision == policy.DecisionExplicitDeny:
		// A Deny that matched stays matched whatever else is learnt.
		c.Verdict = VerdictDeny
		c.Reason = "denied by " + previewStatements(r.Statements, policy.Deny)
	case len(r.Indeterminate) > 0:
		c.Verdict = VerdictUnknown
		c.Reason = "depends on " + strings.Join(r.Indeterminate, ", ") + " (set it with c)"
	case r.Decision == policy.DecisionImplicitDeny && in.Session != nil && r.Session == policy.OutcomeNoMatch:
		// The session policy is a ceiling: nothing in the role can lift it.
		c.Verdict = VerdictDeny
		c.Layer = "session"
		c.Reason = "no session policy statement allows " + c.Action
	case in.Identity.Unknown != "":
		c.Verdict = VerdictUnknown
		c.Layer = "role"
		c.Reason = in.Identity.Unknown
	case r.Decision == policy.DecisionAllow:
		c.Verdict = VerdictAllow
		c.Reason = "allowed by " + previewStatements(r.Statements, policy.Allow)
	default:
		c.Verdict = VerdictDeny
		c.Reason = "no " + c.Layer + " policy allows " + c.Action
	}
}

// previewStatements lists the matched statements of an effect: "RamTestPolicy #0 (line 4)", where
// #0 is the statement's 0-based index.
func previewStatements(ms []policy.Match, eff policy.Effect) string {
	var out []string
	for _, m := range ms {
		if m.Effect == eff {
			out = append(out, fmt.Sprintf("%s %s (line %d)", m.Policy, StatementLabel(m.Index), m.Line))
		}
	}
	if len(out) == 0 {
		return "a matching statement"
	}
	return strings.Join(out, " + ")
}
