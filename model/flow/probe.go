package flow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/model/service"
)

// The probe use case: put/head/get/list/delete inside and outside a prefix with temporary
// credentials (the calls), each operation's outcome predicted by the local engine (the
// prediction), the two compared (the agreement) and the results appended to the token's audit
// record. The console's Test screen and `stsdeck probe` both run it through RunProbe; each
// brings its predictor (ProbeInputs for the console, TokenKnowledge for the command).

// ProbeOperation is the OSS API operation a probe operation calls.
func ProbeOperation(op string) string {
	switch op {
	case "put":
		return "PutObject"
	case "get":
		return "GetObject"
	case "head":
		return "HeadObject"
	case "list":
		return "ListObjectsV2"
	case "delete":
		return "DeleteObject"
	}
	return op
}

// ProbeAction is the OSS action a probe operation needs.
func ProbeAction(op string) string {
	for _, o := range PreviewOps {
		if o.Op == op {
			return o.Action
		}
	}
	return "oss:" + op
}

// probeResource is the ARN a probe operation is authorized against: the bucket for list, the
// object otherwise.
func probeResource(region, account, op, bucket, key string) string {
	if op == "list" {
		return "acs:oss:" + region + ":" + account + ":" + bucket
	}
	return "acs:oss:" + region + ":" + account + ":" + bucket + "/" + key
}

// Agree says whether a known prediction matches what OSS answered; nil when the prediction is
// Unknown (no agreement is claimed).
func Agree(predicted string, actual model.ProbeActual) *bool {
	if predicted == VerdictUnknown {
		return nil
	}
	a := (predicted == VerdictAllow) == actual.Allowed
	return &a
}

// ProbeRun is what RunProbe learnt.
type ProbeRun struct {
	Report model.ProbeReport
	// Cells are the local verdicts, one per report row (nil when the predictor keeps none).
	Cells []PreviewCell
	// Audited: the results were appended to the token's audit record; AuditErr: that failed.
	Audited  bool
	AuditErr error
}

// RunProbe runs the probe calls, lets predict fill Predicted, PredictedLayer and Agree of every
// result, and appends the token's audit record again with the results (when audit is not nil
// and the record has an ID). On a failed probe it returns the partial report and the error.
func RunProbe(ctx context.Context, client service.ObjectClient, spec model.ProbeSpec,
	predict func(*model.ProbeReport) []PreviewCell, audit service.AuditLog, rec model.AuditRecord) (ProbeRun, error) {
	rep, err := client.Probe(ctx, spec)
	if err != nil {
		return ProbeRun{Report: rep}, err
	}
	run := ProbeRun{Report: rep}
	run.Cells = predict(&run.Report)
	if audit != nil && rec.ID != "" {
		rec.Probe = run.Report.Results
		run.AuditErr = audit.Append(rec)
		run.Audited = run.AuditErr == nil
	}
	return run, nil
}

// ---- the console's predictor: the preview's rules ----

// ProbeInputs is what the console knows when it predicts a probe.
type ProbeInputs struct {
	Role        *model.Role // nil = no role chosen
	Session     string      // the session policy sent to AssumeRole; "" = none
	SessionName string
	Account     string
	Region      string
	Now         time.Time
}

// PredictProbe fills Predicted, PredictedLayer and Agree of each result from the local engine
// (the same rules as the Policy screen's preview) and returns the per-row verdicts.
func PredictProbe(rep *model.ProbeReport, in ProbeInputs) (cells []PreviewCell) {
	cells = make([]PreviewCell, len(rep.Results))
	defer func() {
		// The engine is a separate component: if it fails, predictions are unknown, not fatal.
		if r := recover(); r != nil {
			for i := range rep.Results {
				rep.Results[i].Predicted, rep.Results[i].PredictedLayer, rep.Results[i].Agree = VerdictUnknown, "", nil
				cells[i] = PreviewCell{Op: rep.Results[i].Op, Scope: rep.Results[i].Scope, Verdict: VerdictUnknown,
					Reason: fmt.Sprintf("the policy engine failed: %v", r)}
			}
		}
	}()
	pin := PreviewInput{AccountID: in.Account, Region: in.Region, Identity: CompileIdentity(in.Role), Bucket: rep.Bucket}
	if in.Role != nil {
		pin.RoleName = in.Role.Name
	}
	if in.Session != "" {
		p, err := policy.Parse("session policy", []byte(in.Session), policy.KindSession)
		if err != nil {
			pin.SessionBroken = true
		}
		pin.Session = p
	}
	region, acct := in.Region, in.Account
	if region == "" {
		region = "*"
	}
	if acct == "" {
		acct = "*"
	}
	principal := policy.Principal{AccountID: in.Account, Type: "role", Name: pin.RoleName, SessionName: in.SessionName}
	layers := policy.Layers{Identity: pin.Identity.Policies, Session: pin.Session}
	if layers.Identity == nil {
		layers.Identity = []*policy.Policy{}
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		c := PreviewCell{Op: r.Op, Scope: r.Scope, Action: ProbeAction(r.Op)}
		ctx := map[string][]string{policy.KeyCurrentTime: {in.Now.UTC().Format(time.RFC3339)}}
		c.Resource = probeResource(region, acct, r.Op, rep.Bucket, r.Key)
		if r.Op == "list" {
			pfx := rep.Prefix
			if r.Scope == "outside" {
				pfx = rep.Outside
			}
			ctx[policy.KeyPrefix] = []string{pfx}
		}
		switch {
		case rep.Bucket == "":
			c.Verdict, c.Reason = VerdictUnknown, "no bucket"
		case pin.SessionBroken:
			c.Verdict, c.Reason = VerdictUnknown, "the session policy does not parse"
		default:
			c.Result = policy.Evaluate(&policy.Request{Action: c.Action, Resource: c.Resource, Principal: principal, Context: ctx}, layers)
			previewDecide(&c, pin)
		}
		cells[i] = c
		r.Predicted, r.PredictedLayer = c.Verdict, c.Layer
		r.Agree = Agree(c.Verdict, r.Actual)
	}
	return cells
}

// ---- the commands' predictor: what is known of a token ----

// TokenKnowledge is what `stsdeck probe` knows of a token's policies: the session policy (from
// --policy/--template or the audit record of the same AccessKeyId), the identity policies (from
// the role as RAM describes it) and the bucket policy (when the token may read it). Unlike the
// console it learns the policies itself (audit log, RAM, the bucket); both predict by the same
// rules (Predict).
type TokenKnowledge struct {
	Session   *policy.Policy // nil: no session policy (or unknown, see SessionKnown)
	Identity  []*policy.Policy
	Bucket    *policy.Policy // the bucket policy when readable; nil = none or unknown
	Principal policy.Principal
	Account   string
	Region    string
	Secure    bool
	Now       time.Time
	// SessionKnown: we know whether a session policy applies and which; IdentityKnown: every
	// identity policy document was readable.
	SessionKnown, IdentityKnown bool
	// Note says where the policies came from and what is missing, for the command's output.
	Note string
	// Record is the audit record of the token (issued by the command, or found by its
	// AccessKeyId); the probe's results are appended under its id. Zero when none.
	Record model.AuditRecord
}

// TokenFacts is what a command has in hand about a token before learning its policies.
type TokenFacts struct {
	Creds  model.Credentials
	Record model.AuditRecord // zero when the token was not issued by this command
	Role   model.Role        // zero when not described yet
	// SessionDoc returns the session policy given on the command line (ok false: none given or
	// unreadable); consulted only when no audit record is known.
	SessionDoc func() (doc string, ok bool)
	Region     string
	AccountID  string // the services' account, when the role ARN says none
	Secure     bool   // the OSS endpoint is https
	Now        time.Time
}

// LearnToken gathers what is known of a token's policies: the session policy from the audit
// record of the same AccessKeyId (else from the command line), the identity policies from the
// role as RAM describes it.
func LearnToken(ctx context.Context, audit service.AuditLog, roles service.RoleSource, f TokenFacts) *TokenKnowledge {
	k := &TokenKnowledge{Region: f.Region, Now: f.Now, Secure: f.Secure}
	rec := f.Record
	if rec.ID == "" && audit != nil {
		recs, _, _ := audit.List()
		if r, ok := auditlog.FindByAccessKey(recs, f.Creds.AccessKeyID); ok {
			rec = r
			k.Note = "policies from the audit record " + r.ID
		}
	}
	if rec.ID != "" {
		k.SessionKnown = true
		if rec.SessionPolicy != "" {
			if pol, err := policy.Parse("session policy", []byte(rec.SessionPolicy), policy.KindSession); err == nil {
				k.Session = pol
			} else {
				k.SessionKnown = false
			}
		}
		k.Record = rec
	} else if f.SessionDoc != nil {
		if doc, ok := f.SessionDoc(); ok && doc != "" {
			if pol, err := policy.Parse("session policy", []byte(doc), policy.KindSession); err == nil {
				k.Session, k.SessionKnown = pol, true
			}
		}
	}
	roleARN := rec.RoleARN
	if roleARN == "" {
		roleARN = f.Creds.RoleARN
	}
	acct, roleName, ok := issuereq.ParseRoleARN(roleARN)
	k.Account = acct
	if k.Account == "" {
		k.Account = f.AccountID
	}
	if !ok {
		if k.Note == "" {
			k.Note = "role unknown: identity policies not evaluated"
		}
		return k
	}
	session := rec.SessionName
	if session == "" {
		if i := strings.LastIndex(f.Creds.AssumedRoleARN, "/"); i >= 0 {
			session = f.Creds.AssumedRoleARN[i+1:]
		}
	}
	k.Principal = policy.Principal{AccountID: acct, Type: "role", Name: roleName, SessionName: session}
	role := f.Role
	if role.Name == "" && roles != nil {
		role, _ = roles.GetRole(ctx, roleARN)
	}
	if role.Policies == nil {
		if k.Note == "" {
			k.Note = "the role's policies are not readable: predictions use the session policy only"
		}
		return k
	}
	k.IdentityKnown = true
	for _, ap := range role.Policies {
		if ap.Document == "" {
			k.IdentityKnown = false
			continue
		}
		if pol, err := policy.Parse(ap.Name, []byte(ap.Document), policy.KindIdentity); err == nil {
			k.Identity = append(k.Identity, pol)
		} else {
			k.IdentityKnown = false
		}
	}
	return k
}

// ReadBucketPolicy includes the bucket policy when the token may read it (the client is a
// BucketPolicyReader); otherwise the predictions assume there is none, and the note says so.
func (k *TokenKnowledge) ReadBucketPolicy(ctx context.Context, oc service.ObjectClient, bucket string) {
	r, ok := oc.(BucketPolicyReader)
	if !ok {
		return
	}
	doc, exists, err := r.BucketPolicy(ctx, bucket)
	switch {
	case err != nil:
		k.addNote("bucket policy not readable with this token: assumed none")
	case exists:
		if pol, err := policy.Parse("bucket policy", []byte(doc), policy.KindBucket); err == nil {
			k.Bucket = pol
			k.addNote("bucket policy included")
		} else {
			k.addNote("bucket policy unparsable: assumed none")
		}
	}
}

func (k *TokenKnowledge) addNote(s string) {
	if k.Note != "" {
		k.Note += "; "
	}
	k.Note += s
}

// PredictReport fills Predicted, PredictedLayer and Agree of each result (no agreement is
// claimed for an operation that got no answer, status 0). It keeps no cells.
func (k *TokenKnowledge) PredictReport(rep *model.ProbeReport) []PreviewCell {
	for i := range rep.Results {
		r := &rep.Results[i]
		r.Predicted, r.PredictedLayer = k.Predict(r.Op, rep.Bucket, r.Key)
		r.Agree = nil
		if r.Actual.Status != 0 {
			r.Agree = Agree(r.Predicted, r.Actual)
		}
	}
	return nil
}

// Predict returns Allow, Deny or Unknown and the deciding layer (the engine's name for it), by
// the preview's rules (previewDecide: one rule for the Policy screen's grid, the console's probe
// and this command's): a Deny that matched is certain; a condition key the request lacks makes
// the verdict unknown; a session policy that allows nothing is a ceiling; a role whose policies
// are not all readable leaves anything else unknown; and so does an unknown session policy for
// an Allow.
func (k *TokenKnowledge) Predict(op, bucket, key string) (string, string) {
	if !k.SessionKnown && !k.IdentityKnown {
		return VerdictUnknown, ""
	}
	account := k.Account
	if account == "" {
		account = "*"
	}
	req := &policy.Request{
		Action:    ProbeAction(op),
		Principal: k.Principal,
		Resource:  probeResource(k.Region, account, op, bucket, key),
		Context: map[string][]string{
			policy.KeyCurrentTime:     {k.Now.UTC().Format(time.RFC3339)},
			policy.KeySecureTransport: {fmt.Sprint(k.Secure)},
		},
	}
	if op == "list" {
		req.Context[policy.KeyPrefix] = []string{key}
	}
	ident := IdentityLayer{Policies: k.Identity}
	if ident.Policies == nil {
		ident.Policies = []*policy.Policy{}
	}
	if !k.IdentityKnown {
		ident.Unknown = "the role's policies are not all readable"
	}
	c := PreviewCell{Action: req.Action}
	c.Result = policy.Evaluate(req, policy.Layers{Session: k.Session, Identity: ident.Policies, Bucket: k.Bucket})
	previewDecide(&c, PreviewInput{Identity: ident, Session: k.Session})
	layer := string(c.Result.DecidedBy)
	if c.Layer == "session" {
		layer = string(policy.LayerSession)
	}
	switch {
	case c.Verdict == VerdictAllow && !k.SessionKnown:
		return VerdictUnknown, ""
	case c.Verdict == VerdictUnknown && len(c.Result.Indeterminate) == 0:
		return VerdictUnknown, ""
	}
	return c.Verdict, layer
}
