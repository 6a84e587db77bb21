package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/model/service"
)

// The diagnose use case (`stsdeck explain --error`, the console's paste target): an error
// someone pasted (DetectError's ErrorReport) → decode its EncodedDiagnosticMessage through
// RAM (when connected) → find the token in the audit log → re-evaluate the request with the
// engine against the record's session policy and the role's current policies → name the layer
// and statement → propose the smallest fix and check it turns the request to Allow.

// Diagnosis is the answer; its JSON is `explain --error --json`'s stable contract.
type Diagnosis struct {
	Input       string              `json:"input"`
	Service     string              `json:"service,omitempty"`
	Status      int                 `json:"status,omitempty"`
	Code        string              `json:"code"`
	EC          string              `json:"ec"`
	RequestID   string              `json:"request_id"`
	Message     string              `json:"message,omitempty"`
	Action      string              `json:"action"`
	Resource    string              `json:"resource"`
	Principal   string              `json:"principal"`
	Layer       string              `json:"layer"` // session|identity|bucket|acl|trust|none|unknown
	Statement   *DiagnosisStatement `json:"statement"`
	Audit       *DiagnosisAudit     `json:"audit"`
	Decoded     bool                `json:"decoded"`
	DecodeError string              `json:"decode_error,omitempty"` // why it was not decoded
	Fix         *DiagnosisFix       `json:"fix"`
	Explanation string              `json:"explanation"`
	// More keys: the table's words, the decoded message, the engine's re-evaluation.
	Meaning    string                   `json:"meaning,omitempty"`
	Remedy     string                   `json:"remedy,omitempty"`
	Denial     bool                     `json:"denial"` // a policy decision refused it (not a token, clock or name problem)
	Diagnostic *model.DiagnosticMessage `json:"diagnostic,omitempty"`
	Evaluation *Explanation             `json:"evaluation,omitempty"`
	Notes      []string                 `json:"notes,omitempty"`
}

// DiagnosisStatement is the statement that decided: the policy, its index and line.
type DiagnosisStatement struct {
	Policy string `json:"policy"`
	Index  int    `json:"index"`
	Line   int    `json:"line"`
	Layer  string `json:"layer,omitempty"`
	Effect string `json:"effect,omitempty"`
}

// DiagnosisAudit is the audit record of the token that was denied.
type DiagnosisAudit struct {
	ID          string    `json:"id,omitempty"`
	SessionName string    `json:"session_name"`
	AccessKeyID string    `json:"access_key_id"`
	IssuedAt    time.Time `json:"issued_at"`
	RoleARN     string    `json:"role_arn,omitempty"`
	Expiration  time.Time `json:"expiration,omitempty"`
}

// DiagnosisFix is the smallest change that makes the request pass: a statement to add to (or,
// for an explicit Deny, the statement to remove from) the session policy or the role's policy.
type DiagnosisFix struct {
	Layer     string              `json:"layer"`            // session or identity (role policy), trust, bucket
	Change    string              `json:"change"`           // "add" or "remove"
	Statement *FixStatement       `json:"statement"`        // the statement added or removed
	Remove    *DiagnosisStatement `json:"remove,omitempty"` // which statement to remove
	// Policy is the session policy with the fix applied (layer session, when the token's
	// policy is known): re-issue with it.
	Policy string `json:"policy,omitempty"`
	// Verified: the engine re-evaluated the request with the fix and allowed it.
	Verified bool `json:"verified"`
}

// FixStatement is a policy statement in the policy language's own key order.
type FixStatement struct {
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource,omitempty"`
	Principal map[string][]string            `json:"Principal,omitempty"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// DiagnosePorts is what Diagnose may consult; every field may be nil/zero (offline).
type DiagnosePorts struct {
	Decoder service.DiagnosticDecoder
	Audit   service.AuditLog
	Roles   service.RoleSource
	// AccountID and Region complete resources the error does not spell out.
	AccountID, Region string
}

// Diagnose explains a detected error.
func Diagnose(ctx context.Context, r *ErrorReport, p DiagnosePorts) Diagnosis {
	d := Diagnosis{Input: r.Input, Service: r.Service, Status: r.StatusCode, Code: r.Code, EC: r.EC, RequestID: r.RequestID,
		Message: r.Message, Layer: "unknown"}
	entry, known := LookupError(r.EC, r.Code, r.Service)
	if known {
		d.Meaning, d.Remedy, d.Layer = entry.Meaning, entry.Remedy, entry.Layer
		if d.Code == "" {
			d.Code = entry.Code
		}
		if d.Service == "" {
			d.Service = entry.Service
		}
	}
	if det := r.Detail; det != nil {
		d.Action = det.AuthAction
		d.Principal = det.AuthPrincipalDisplayName
		if l := layerOfPolicyType(det.PolicyType); l != "" {
			d.Layer = l
		}
	}
	// Messages that name the layer or the problem themselves.
	switch msg := strings.ToLower(r.Message); {
	case strings.Contains(msg, "must be addressed using the specified endpoint"):
		d.Layer = "none"
		if r.Endpoint != "" {
			d.Notes = append(d.Notes, "send the request to "+r.Endpoint)
		}
	case strings.Contains(msg, "specified role does not trust you") || strings.Contains(msg, "does not trust you"):
		if d.Layer == "unknown" {
			d.Layer = "trust"
		}
	case strings.Contains(msg, "roles may not be assumed by root accounts"):
		d.Layer = "identity"
		d.Notes = append(d.Notes, "the account root cannot call AssumeRole; use a RAM user")
	}

	// 1. Decode.
	if enc := r.Encoded(); enc != "" {
		switch {
		case p.Decoder == nil:
			d.DecodeError = "not connected: the EncodedDiagnosticMessage needs RAM DecodeDiagnosticMessage (give --sandbox or --profile)"
		default:
			m, err := p.Decoder.DecodeDiagnosticMessage(ctx, enc)
			if err != nil {
				d.DecodeError = "decoding refused: " + decodeErrText(err)
			} else {
				d.Decoded, d.Diagnostic = true, &m
			}
		}
	}
	if m := d.Diagnostic; m != nil {
		d.Action, d.Resource = firstNonEmpty(m.AuthAction, d.Action), m.AuthResource
		if m.AuthPrincipal != nil && m.AuthPrincipal.AuthPrincipalDisplayName != "" {
			d.Principal = m.AuthPrincipal.AuthPrincipalDisplayName
			if m.AuthPrincipal.AuthPrincipalType == "AssumedRoleUser" {
				d.Principal = strings.Replace(d.Principal, ":", "/", 1)
			}
		}
		if l := layerOfPolicyType(m.NoPermissionPolicyType); l != "" {
			d.Layer = l
		}
		if d.Code == "" {
			d.Code = "AccessDenied"
		}
	}
	d.Denial = d.Layer != "none" && (d.Code == "AccessDenied" || d.Code == "NoPermission" || d.Decoded || r.EC != "" && strings.HasPrefix(r.EC, "0003-"))
	if d.Layer == "unknown" && !d.Denial && known {
		d.Layer = "none"
	}

	// 2. The audit record.
	rec, found := findAudit(p.Audit, r.AccessKeyID, d.Principal)
	if found {
		d.Audit = &DiagnosisAudit{ID: rec.ID, SessionName: rec.SessionName, AccessKeyID: rec.AccessKeyID, IssuedAt: rec.Time,
			RoleARN: rec.RoleARN, Expiration: rec.Expiration}
	}

	// 3. Re-evaluate and 4. fix.
	if d.Denial && d.Action != "" && d.Resource != "" {
		diagnoseEvaluate(ctx, &d, p, rec, found)
	}
	d.Explanation = explainDiagnosis(&d)
	return d
}

func decodeErrText(err error) string {
	var ae *model.APIError
	if errors.As(err, &ae) {
		return ae.Code + ": " + ae.Message
	}
	return err.Error()
}

// layerOfPolicyType maps AccessDeniedDetail.PolicyType / NoPermissionPolicyType to a layer.
func layerOfPolicyType(t string) string {
	switch strings.ToLower(t) {
	case "sessionpolicy", "session":
		return "session"
	case "accountlevelidentitybasedpolicy", "rampolicy", "identitypolicy", "identity", "controlpolicy":
		return "identity"
	case "bucketpolicy", "bucket":
		return "bucket"
	case "assumerolepolicy", "trustpolicy":
		return "trust"
	case "acl":
		return "acl"
	}
	return ""
}

// findAudit finds the newest record of the token: by AccessKeyId, else by role and session name
// from a principal "Role/Session" or "Role:Session".
func findAudit(log service.AuditLog, accessKeyID, principal string) (model.AuditRecord, bool) {
	if log == nil {
		return model.AuditRecord{}, false
	}
	recs, _, err := log.List()
	if err != nil {
		return model.AuditRecord{}, false
	}
	if accessKeyID != "" {
		for i := len(recs) - 1; i >= 0; i-- {
			if recs[i].AccessKeyID == accessKeyID {
				return recs[i], true
			}
		}
	}
	role, sess, ok := strings.Cut(principal, "/")
	if !ok {
		role, sess, ok = strings.Cut(principal, ":")
	}
	if !ok || role == "" || sess == "" {
		return model.AuditRecord{}, false
	}
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		_, name, _ := strings.Cut(r.RoleARN, ":role/")
		if r.SessionName == sess && strings.EqualFold(name, role) {
			return r, true
		}
	}
	return model.AuditRecord{}, false
}

// diagnoseEvaluate re-evaluates the request with the engine and proposes the fix.
func diagnoseEvaluate(ctx context.Context, d *Diagnosis, p DiagnosePorts, rec model.AuditRecord, found bool) {
	ctxKeys := map[string][]string{}
	if m := d.Diagnostic; m != nil {
		for _, c := range m.AuthConditions {
			ctxKeys[c.ConditionKey] = c.ConditionValues
		}
	}
	if strings.EqualFold(d.Action, "sts:AssumeRole") {
		diagnoseAssumeRole(ctx, d, p, ctxKeys)
		return
	}
	if !found {
		d.Notes = append(d.Notes, "the token is not in this machine's audit log: the role's and session's policies cannot be re-evaluated here")
		d.Fix = fixFor(d, d.Layer, nil, nil)
		return
	}
	in := ExplainInput{Action: d.Action, Resource: d.Resource, Context: ctxKeys}
	role := roleOfARN(rec.RoleARN)
	sessName := rec.SessionName
	in.Principal = policy.Principal{AccountID: accountOfARN(rec.RoleARN), Type: "role", Name: role, SessionName: sessName}
	var sess *policy.Policy
	if rec.SessionPolicy != "" {
		sp, err := policy.Parse("session policy", []byte(rec.SessionPolicy), policy.KindSession)
		if err != nil {
			d.Notes = append(d.Notes, "the recorded session policy does not parse: "+err.Error())
			return
		}
		sess = sp
	}
	in.Session = sess
	identityKnown := false
	if p.Roles != nil && rec.RoleARN != "" {
		if r, err := p.Roles.GetRole(ctx, rec.RoleARN); err == nil {
			if l := CompileIdentity(&r); l.Unknown == "" {
				in.Identity, identityKnown = l.Policies, true
			} else {
				d.Notes = append(d.Notes, "the role's policies: "+l.Unknown)
			}
		} else {
			d.Notes = append(d.Notes, "the role's current policies could not be read: "+decodeErrText(err))
		}
	}
	if !identityKnown {
		in.Identity = nil
	}
	ex := Explain(in)
	d.Evaluation = &ex
	layer := string(ex.DecidedBy)
	switch {
	case ex.Decision == policy.DecisionAllow:
		d.Notes = append(d.Notes, "the engine allows this request with the record's session policy and the role's current policies: the policies changed since, or a bucket policy or condition decided")
		return
	case !identityKnown && in.Session != nil && ex.Layers["session"] != policy.OutcomeAllow:
		layer = "session"
	case !identityKnown:
		d.Notes = append(d.Notes, "without the role's policies the engine cannot tell which layer denied it")
		d.Fix = fixFor(d, d.Layer, nil, nil)
		return
	}
	if layer != "" {
		if d.Layer == "acl" && layer == "identity" && ex.Decision == policy.DecisionImplicitDeny {
			// Nothing allowed it and it fell through to the private ACL; the grant belongs in
			// the role's policy.
		} else {
			d.Layer = layer
		}
	}
	var deny *policy.Match
	for i, m := range ex.Statements {
		if string(m.Layer) == layer && m.Effect == policy.Deny {
			deny = &ex.Statements[i]
			break
		}
	}
	if deny != nil {
		d.Statement = &DiagnosisStatement{Policy: deny.Policy, Index: deny.Index, Line: deny.Line, Layer: string(deny.Layer), Effect: string(deny.Effect)}
	}
	fixLayer := layer
	if fixLayer == "" {
		fixLayer = d.Layer
	}
	d.Fix = fixFor(d, fixLayer, deny, &rec)
	if d.Fix != nil {
		d.Fix.Verified = verifyFix(d.Fix, in, &rec)
		if !d.Fix.Verified && d.Fix.Layer == "session" && identityKnown && ex.Layers["identity"] != policy.OutcomeAllow {
			d.Notes = append(d.Notes, "the role's own policies do not allow it either: add the same statement to the role's policy, or the fixed session policy alone will not help")
		}
	}
}

// diagnoseAssumeRole: a refused AssumeRole; the role's trust policy is re-read when possible.
func diagnoseAssumeRole(ctx context.Context, d *Diagnosis, p DiagnosePorts, ctxKeys map[string][]string) {
	if d.Layer == "trust" && p.Roles != nil {
		if r, err := p.Roles.GetRole(ctx, d.Resource); err == nil && r.TrustPolicy != "" {
			if tp, err := policy.Parse("trust policy of "+r.Name, []byte(r.TrustPolicy), policy.KindTrust); err == nil {
				ar := policy.EvaluateAssumeRole(policy.Principal{AccountID: p.AccountID, Type: "user"}, d.Resource, []*policy.Policy{}, tp, ctxKeys)
				for _, m := range ar.Trust.Statements {
					if m.Effect == policy.Deny {
						d.Statement = &DiagnosisStatement{Policy: m.Policy, Index: m.Index, Line: m.Line, Layer: string(m.Layer), Effect: string(m.Effect)}
						break
					}
				}
			}
		}
	}
	d.Fix = fixFor(d, d.Layer, nil, nil)
}

// fixFor builds the smallest statement for the layer that denied: with a Deny statement, its
// removal; otherwise an Allow of exactly the action on exactly the resource (a listing keeps
// the request's oss:Prefix as a condition, so other prefixes stay denied).
func fixFor(d *Diagnosis, layer string, deny *policy.Match, rec *model.AuditRecord) *DiagnosisFix {
	switch layer {
	case "session", "identity", "trust", "acl", "bucket":
	default:
		return nil
	}
	if layer == "acl" {
		layer = "identity" // nothing allowed it: grant it in the role's policy
	}
	if deny != nil {
		f := &DiagnosisFix{Layer: layer, Change: "remove", Remove: &DiagnosisStatement{Policy: deny.Policy, Index: deny.Index, Line: deny.Line, Layer: string(deny.Layer), Effect: "Deny"}}
		if layer == "session" && rec != nil && rec.SessionPolicy != "" {
			f.Policy, _ = removeStatement(rec.SessionPolicy, deny.Index)
		}
		return f
	}
	st := &FixStatement{Effect: "Allow", Action: []string{d.Action}}
	switch {
	case strings.EqualFold(d.Action, "sts:AssumeRole") && layer == "trust":
		owner := ""
		if m := d.Diagnostic; m != nil && m.AuthPrincipal != nil {
			owner = m.AuthPrincipal.AuthPrincipalOwnerID
		}
		if owner == "" {
			owner = accountOfARN(d.Resource)
		}
		st.Principal = map[string][]string{"RAM": {"acs:ram::" + owner + ":root"}}
	default:
		st.Resource = []string{d.Resource}
	}
	if m := d.Diagnostic; m != nil && strings.HasPrefix(strings.ToLower(d.Action), "oss:list") {
		for _, c := range m.AuthConditions {
			if c.ConditionKey == policy.KeyPrefix && len(c.ConditionValues) > 0 {
				st.Condition = map[string]map[string][]string{"StringLike": {policy.KeyPrefix: prefixPatterns(c.ConditionValues)}}
			}
		}
	}
	f := &DiagnosisFix{Layer: layer, Change: "add", Statement: st}
	if layer == "session" && rec != nil && rec.SessionPolicy != "" {
		f.Policy, _ = addStatement(rec.SessionPolicy, st)
	}
	return f
}

func prefixPatterns(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v == "" {
			out = append(out, "")
			continue
		}
		out = append(out, strings.TrimSuffix(v, "*")+"*")
	}
	return out
}

// addStatement appends st to a policy document, keeping its other keys; compact output.
func addStatement(doc string, st *FixStatement) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return "", err
	}
	var stmts []json.RawMessage
	if raw, ok := m["Statement"]; ok {
		if err := json.Unmarshal(raw, &stmts); err != nil {
			var one json.RawMessage
			if err := json.Unmarshal(raw, &one); err != nil {
				return "", err
			}
			stmts = []json.RawMessage{one}
		}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	stmts = append(stmts, b)
	return marshalPolicyDoc(m, stmts)
}

func removeStatement(doc string, index int) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return "", err
	}
	var stmts []json.RawMessage
	if err := json.Unmarshal(m["Statement"], &stmts); err != nil || index < 0 || index >= len(stmts) {
		return "", fmt.Errorf("statement %d not found", index)
	}
	stmts = append(stmts[:index:index], stmts[index+1:]...)
	return marshalPolicyDoc(m, stmts)
}

// marshalPolicyDoc writes Version, Statement, then any other keys (sorted), compactly.
func marshalPolicyDoc(m map[string]json.RawMessage, stmts []json.RawMessage) (string, error) {
	sb, err := json.Marshal(stmts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("{")
	n := 0
	write := func(k string, v []byte) {
		if n > 0 {
			b.WriteString(",")
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteString(":")
		b.Write(v)
		n++
	}
	if v, ok := m["Version"]; ok {
		write("Version", compactJSON(v))
	} else {
		write("Version", []byte(`"1"`))
	}
	write("Statement", sb)
	var keys []string
	for k := range m {
		if k != "Version" && k != "Statement" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		write(k, compactJSON(m[k]))
	}
	b.WriteString("}")
	return b.String(), nil
}

func compactJSON(v json.RawMessage) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return v
	}
	return buf.Bytes()
}

// verifyFix re-evaluates with the fix applied: a session fix through Policy, a role-policy fix
// by adding the statement as one more identity policy.
func verifyFix(f *DiagnosisFix, in ExplainInput, rec *model.AuditRecord) bool {
	switch {
	case f.Layer == "session" && f.Policy != "":
		sp, err := policy.Parse("session policy (fixed)", []byte(f.Policy), policy.KindSession)
		if err != nil {
			return false
		}
		in.Session = sp
	case f.Layer == "identity" && f.Change == "add" && in.Identity != nil:
		doc, err := addStatement(`{"Version":"1","Statement":[]}`, f.Statement)
		if err != nil {
			return false
		}
		ip, err := policy.Parse("fix", []byte(doc), policy.KindIdentity)
		if err != nil {
			return false
		}
		in.Identity = append(append([]*policy.Policy{}, in.Identity...), ip)
	default:
		return false
	}
	if in.Identity == nil {
		return false
	}
	return Explain(in).Decision == policy.DecisionAllow
}

func roleOfARN(arn string) string {
	_, name, _ := strings.Cut(arn, ":role/")
	return name
}

// accountOfARN is the account field of acs:<svc>:<region>:<account>:…
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) == 5 {
		return parts[3]
	}
	return ""
}

// layerWords names a layer for people.
func layerWords(l string) string {
	switch l {
	case "session":
		return "the session policy (the Policy passed to AssumeRole when the token was issued)"
	case "identity":
		return "the role's (or user's) RAM policies"
	case "bucket":
		return "the bucket policy"
	case "acl":
		return "the bucket ACL: no policy allowed it and the bucket is private"
	case "trust":
		return "the role's trust policy"
	}
	return l
}

func explainDiagnosis(d *Diagnosis) string {
	var b strings.Builder
	what := d.Code
	if d.EC != "" {
		what += " (EC " + d.EC + ")"
	}
	if what == "" {
		what = "the error"
	}
	b.WriteString(what)
	if d.Meaning != "" {
		b.WriteString(": " + d.Meaning)
	}
	b.WriteString(".")
	if d.Action != "" {
		fmt.Fprintf(&b, " %s", d.Action)
		if d.Resource != "" {
			fmt.Fprintf(&b, " on %s", d.Resource)
		}
		if d.Principal != "" {
			fmt.Fprintf(&b, " by %s", d.Principal)
		}
		if d.Denial {
			b.WriteString(" was denied")
			switch d.Layer {
			case "unknown", "none", "":
			default:
				b.WriteString(" by " + layerWords(d.Layer))
			}
		}
		b.WriteString(".")
	}
	if s := d.Statement; s != nil {
		fmt.Fprintf(&b, " Deciding statement: %s Statement[%d] (line %d), %s.", s.Policy, s.Index, s.Line, s.Effect)
	} else if d.Evaluation != nil && d.Evaluation.Decision == policy.DecisionImplicitDeny {
		b.WriteString(" No statement of that layer allows it (implicit deny).")
	}
	if a := d.Audit; a != nil {
		fmt.Fprintf(&b, " The token is %s (session %s, issued %s).", a.AccessKeyID, a.SessionName, a.IssuedAt.UTC().Format(time.RFC3339))
	}
	if f := d.Fix; f != nil {
		switch f.Change {
		case "remove":
			fmt.Fprintf(&b, " Fix: remove or narrow %s Statement[%d] (line %d).", f.Remove.Policy, f.Remove.Index, f.Remove.Line)
		default:
			sb, _ := json.Marshal(f.Statement)
			where := map[string]string{"session": "the session policy and re-issue the token", "identity": "the role's policy",
				"trust": "the role's trust policy", "bucket": "the bucket policy"}[f.Layer]
			fmt.Fprintf(&b, " Fix: add %s to %s.", sb, where)
		}
	} else if d.Remedy != "" {
		b.WriteString(" What to do: " + d.Remedy + ".")
	}
	if d.DecodeError != "" {
		b.WriteString(" (The diagnostic message was not decoded: " + d.DecodeError + ".)")
	}
	return b.String()
}
