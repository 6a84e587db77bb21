package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/model/service"
)

// probe: put/head/get/list/delete inside the prefix and outside it, on the probe's own keys,
// with temporary credentials; each operation's predicted outcome (policy engine) next to OSS's
// answer. Exit 0 when every known prediction agrees, 1 otherwise.
//
//	stsdeck probe --bucket B --prefix P [--outside P2] [--policy FILE | --role R] [--yes] [--json]
func runProbe(ctx context.Context, env *Env) int {
	c := newCmd(env, "probe", "--bucket B --prefix P [--outside P2] [--policy FILE | --template T] [--role NAME|ARN] [--yes] [--json]")
	var t tokenFlags
	t.register(c.FlagSet, true)
	outside := c.String("outside", "", "a prefix `P2` outside the allowed one (default: \"dst/\", or \"src/\" when --prefix lies under dst, as in the console)")
	yes := c.Bool("yes", false, "in LIVE mode, write without asking")
	asJSON := c.Bool("json", false, "print JSON")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	if t.bucket == "" || t.prefix == "" {
		return c.bad("--bucket and --prefix are required (the probe writes under the prefix and outside it)")
	}
	if *outside == "" {
		*outside = model.OutsidePrefix(t.prefix)
	}
	if *outside == t.prefix {
		return c.bad("--outside must differ from --prefix")
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	if svc.Mode != "sandbox" && !*yes {
		if t.policyFile == "-" {
			return c.bad("standard input holds the policy (--policy -), so the LIVE-mode question cannot be asked: pass --yes")
		}
		if !confirm(env, fmt.Sprintf("probe will write and delete two small objects in oss://%s (under %q and %q) with LIVE credentials. Proceed?", t.bucket, t.prefix, *outside)) {
			fmt.Fprintln(env.Stderr, "stsdeck probe: not confirmed; nothing written (pass --yes to skip the question)")
			return ExitDenied
		}
	}
	tok, code := c.temporary(ctx, svc, &t)
	if code >= 0 {
		return code
	}
	pred := c.predictor(ctx, svc, tok, &t)
	spec := model.ProbeSpec{Bucket: t.bucket, Prefix: t.prefix, Outside: *outside}
	oc := svc.Objects.With(tok.creds)
	pred.readBucketPolicy(ctx, oc, t.bucket)
	rep, err := oc.Probe(ctx, spec)
	if err != nil {
		if len(rep.LeftBehind) > 0 {
			fmt.Fprintf(env.Stderr, "stsdeck probe: left behind: %s\n", strings.Join(rep.LeftBehind, ", "))
		}
		return c.fail(err)
	}
	allAgree := true
	for i := range rep.Results {
		r := &rep.Results[i]
		r.Predicted, r.PredictedLayer = pred.predict(r.Op, t.bucket, r.Key)
		if r.Predicted == "Unknown" || r.Actual.Status == 0 {
			r.Agree = nil
			continue
		}
		a := (r.Predicted == "Allow") == r.Actual.Allowed
		r.Agree = &a
		if !a {
			allAgree = false
		}
	}
	if pred.record.ID != "" && svc.Audit != nil {
		rec := pred.record
		rec.Probe = rep.Results
		if err := svc.Audit.Append(rec); err != nil {
			fmt.Fprintf(env.Stderr, "stsdeck probe: warning: results not recorded: %v\n", err)
		}
	}
	if *asJSON {
		writeJSON(env.Stdout, rep)
	} else {
		printProbe(env, rep, pred.note)
		// In sandbox mode, the server's account of each disagreement.
		for _, r := range rep.Results {
			if r.Agree != nil && !*r.Agree && svc.Sandbox != nil && r.Actual.RequestID != "" {
				tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				if tr, err := svc.Sandbox.Trace(tctx, "oss", r.Actual.RequestID); err == nil && tr != nil {
					fmt.Fprintf(env.Stdout, "%s %s disagrees:\n", r.Scope, r.Op)
					printTrace(env.Stdout, tr)
				}
				cancel()
			}
		}
	}
	// Agreement says nothing when the credentials themselves were refused (wrong secret, expired
	// token, clock skew): the probe learnt nothing about the policies, so it did not succeed.
	for _, r := range rep.Results {
		if (&model.APIError{Code: r.Actual.Code, EC: r.Actual.EC, Message: r.Actual.Message}).DeniedBy() == "credentials" {
			fmt.Fprintf(env.Stderr, "stsdeck probe: the credentials were refused (%s on %s %s): nothing was learnt about the policies\n", r.Actual.Code, r.Scope, r.Op)
			return ExitDenied
		}
	}
	if !allAgree {
		return ExitDenied
	}
	return ExitOK
}

// predictor holds what is known of the token's policies.
type predictor struct {
	session   *policy.Policy // nil: no session policy (or unknown, see sessionKnown)
	identity  []*policy.Policy
	bucket    *policy.Policy // the bucket policy when readable; nil = none or unknown
	principal policy.Principal
	account   string
	region    string
	secure    bool
	now       time.Time
	// sessionKnown: we know whether a session policy applies and which; identityKnown: every
	// identity policy document was readable.
	sessionKnown, identityKnown bool
	note                        string
	// record is the audit record of the token (issued by this command, or found by its
	// AccessKeyId); the probe's results are appended under its id. Zero when none.
	record model.AuditRecord
}

// predictor gathers the policies: the session policy from --policy/--template or the audit
// record of the same AccessKeyId; the identity policies from the role as RAM describes it.
func (c *cmdFlags) predictor(ctx context.Context, svc *service.Services, tok *issued, t *tokenFlags) *predictor {
	p := &predictor{region: svc.Region, now: c.env.Now(), secure: !strings.HasPrefix(svc.OSSEndpoint, "http://")}
	rec := tok.record
	if rec.ID == "" && svc.Audit != nil {
		recs, _, _ := svc.Audit.List()
		if r, ok := auditlog.FindByAccessKey(recs, tok.creds.AccessKeyID); ok {
			rec = r
			p.note = "policies from the audit record " + r.ID
		}
	}
	if rec.ID != "" {
		p.sessionKnown = true
		if rec.SessionPolicy != "" {
			if pol, err := policy.Parse("session policy", []byte(rec.SessionPolicy), policy.KindSession); err == nil {
				p.session = pol
			} else {
				p.sessionKnown = false
			}
		}
		p.record = rec
	} else if t.policyFile != "" || t.template != "" {
		if doc, err := c.sessionPolicy(t); err == nil && doc != "" {
			if pol, err := policy.Parse("session policy", []byte(doc), policy.KindSession); err == nil {
				p.session, p.sessionKnown = pol, true
			}
		}
	}
	roleARN := rec.RoleARN
	if roleARN == "" {
		roleARN = tok.creds.RoleARN
	}
	acct, roleName, ok := issuereq.ParseRoleARN(roleARN)
	p.account = acct
	if p.account == "" {
		p.account = svc.AccountID
	}
	if !ok {
		if p.note == "" {
			p.note = "role unknown: identity policies not evaluated"
		}
		return p
	}
	session := rec.SessionName
	if session == "" {
		if i := strings.LastIndex(tok.creds.AssumedRoleARN, "/"); i >= 0 {
			session = tok.creds.AssumedRoleARN[i+1:]
		}
	}
	p.principal = policy.Principal{AccountID: acct, Type: "role", Name: roleName, SessionName: session}
	role := tok.role
	if role.Name == "" && svc.Roles != nil {
		role, _ = svc.Roles.GetRole(ctx, roleARN)
	}
	if role.Policies == nil {
		if p.note == "" {
			p.note = "the role's policies are not readable: predictions use the session policy only"
		}
		return p
	}
	p.identityKnown = true
	for _, ap := range role.Policies {
		if ap.Document == "" {
			p.identityKnown = false
			continue
		}
		if pol, err := policy.Parse(ap.Name, []byte(ap.Document), policy.KindIdentity); err == nil {
			p.identity = append(p.identity, pol)
		} else {
			p.identityKnown = false
		}
	}
	return p
}

// bucketPolicyReader is implemented by object clients that can read a bucket policy.
type bucketPolicyReader interface {
	BucketPolicy(ctx context.Context, bucket string) (string, bool, error)
}

// readBucketPolicy includes the bucket policy when the token may read it; otherwise the
// predictions assume there is none, and say so.
func (p *predictor) readBucketPolicy(ctx context.Context, oc service.ObjectClient, bucket string) {
	r, ok := oc.(bucketPolicyReader)
	if !ok {
		return
	}
	doc, exists, err := r.BucketPolicy(ctx, bucket)
	switch {
	case err != nil:
		p.addNote("bucket policy not readable with this token: assumed none")
	case exists:
		if pol, err := policy.Parse("bucket policy", []byte(doc), policy.KindBucket); err == nil {
			p.bucket = pol
			p.addNote("bucket policy included")
		} else {
			p.addNote("bucket policy unparsable: assumed none")
		}
	}
}

func (p *predictor) addNote(s string) {
	if p.note != "" {
		p.note += "; "
	}
	p.note += s
}

var probeActions = map[string]string{
	"put": "oss:PutObject", "head": "oss:GetObject", "get": "oss:GetObject", "list": "oss:ListObjects", "delete": "oss:DeleteObject",
}

// predict returns Allow, Deny or Unknown and the deciding layer. The bucket policy is not known
// to the client: a Deny that a bucket policy could turn into an Allow is still reported as Deny
// (no bucket policy is the common case and the sandbox default).
func (p *predictor) predict(op, bucket, key string) (string, string) {
	if !p.sessionKnown && !p.identityKnown {
		return "Unknown", ""
	}
	account := p.account
	if account == "" {
		account = "*"
	}
	req := &policy.Request{
		Action:    probeActions[op],
		Principal: p.principal,
		Context: map[string][]string{
			policy.KeyCurrentTime:     {p.now.UTC().Format(time.RFC3339)},
			policy.KeySecureTransport: {fmt.Sprint(p.secure)},
		},
	}
	if op == "list" {
		req.Resource = "acs:oss:" + p.region + ":" + account + ":" + bucket
		req.Context[policy.KeyPrefix] = []string{key}
	} else {
		req.Resource = "acs:oss:" + p.region + ":" + account + ":" + bucket + "/" + key
	}
	if !p.identityKnown {
		// Only the session layer is known: it can prove a Deny, never an Allow.
		if p.session == nil {
			return "Unknown", ""
		}
		res := policy.Evaluate(req, policy.Layers{Session: p.session, Identity: []*policy.Policy{}})
		if res.Session == policy.OutcomeDeny || res.Session == policy.OutcomeNoMatch {
			if len(res.Indeterminate) > 0 {
				return "Unknown", string(policy.LayerSession)
			}
			return "Deny", string(policy.LayerSession)
		}
		return "Unknown", ""
	}
	layers := policy.Layers{Session: p.session, Identity: p.identity, Bucket: p.bucket}
	if layers.Identity == nil {
		layers.Identity = []*policy.Policy{}
	}
	res := policy.Evaluate(req, layers)
	if len(res.Indeterminate) > 0 {
		return "Unknown", string(res.DecidedBy)
	}
	if res.Decision == policy.DecisionAllow {
		return "Allow", string(res.DecidedBy)
	}
	return "Deny", string(res.DecidedBy)
}

func printProbe(env *Env, rep model.ProbeReport, note string) {
	fmt.Fprintf(env.Stdout, "probe oss://%s  inside %q  outside %q\n", rep.Bucket, rep.Prefix, rep.Outside)
	if note != "" {
		fmt.Fprintf(env.Stdout, "(%s)\n", note)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tOP\tPREDICTED\tACTUAL\tSTATUS\tCODE\tEC\tMS\tAGREE\tREQUEST ID")
	for _, r := range rep.Results {
		actual := "✗ denied"
		if r.Actual.Allowed {
			actual = "✓ allowed"
		}
		if r.Actual.Status == 0 {
			actual = "? failed"
		}
		pred := r.Predicted
		if r.PredictedLayer != "" {
			pred += " (" + r.PredictedLayer + ")"
		}
		agree := "?"
		if r.Agree != nil {
			agree = "✓ yes"
			if !*r.Agree {
				agree = "✗ NO"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t%s\n", r.Scope, r.Op, pred, actual, r.Actual.Status, dash(r.Actual.Code), dash(r.Actual.EC), r.Actual.LatencyMS, agree, dash(r.Actual.RequestID))
	}
	tw.Flush()
	if len(rep.LeftBehind) > 0 {
		fmt.Fprintf(env.Stdout, "left behind (could not delete): %s\n", strings.Join(rep.LeftBehind, ", "))
	} else {
		fmt.Fprintln(env.Stdout, "nothing left behind")
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
