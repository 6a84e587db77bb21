package stsemu

import (
	"encoding/base64"
	"encoding/xml"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

const isoSecond = "2006-01-02T15:04:05Z"

var (
	roleArnRE        = regexp.MustCompile(`^acs:ram::([0-9]+):role/([A-Za-z0-9.-]{1,64})$`)
	sessionNameRE    = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)
	externalIDRE     = regexp.MustCompile(`^[A-Za-z0-9_+=,.@:/-]+$`) // 2 to 1224 characters, checked separately
	sourceIdentityRE = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{2,64}$`)
)

// STS response bodies.

type assumeRoleResponse struct {
	XMLName         xml.Name              `json:"-" xml:"AssumeRoleResponse"`
	RequestID       string                `json:"RequestId" xml:"RequestId"`
	AssumedRoleUser assumedRoleUser       `json:"AssumedRoleUser" xml:"AssumedRoleUser"`
	Credentials     assumeRoleCredentials `json:"Credentials" xml:"Credentials"`
	SourceIdentity  string                `json:"SourceIdentity,omitempty" xml:"SourceIdentity,omitempty"`
}

type assumedRoleUser struct {
	AssumedRoleID string `json:"AssumedRoleId" xml:"AssumedRoleId"`
	Arn           string `json:"Arn" xml:"Arn"`
}

type assumeRoleCredentials struct {
	SecurityToken   string `json:"SecurityToken" xml:"SecurityToken"`
	Expiration      string `json:"Expiration" xml:"Expiration"`
	AccessKeySecret string `json:"AccessKeySecret" xml:"AccessKeySecret"`
	AccessKeyID     string `json:"AccessKeyId" xml:"AccessKeyId"`
}

type callerIdentityResponse struct {
	XMLName      xml.Name `json:"-" xml:"GetCallerIdentityResponse"`
	RequestID    string   `json:"RequestId" xml:"RequestId"`
	AccountID    string   `json:"AccountId" xml:"AccountId"`
	Arn          string   `json:"Arn" xml:"Arn"`
	IdentityType string   `json:"IdentityType" xml:"IdentityType"`
	PrincipalID  string   `json:"PrincipalId" xml:"PrincipalId"`
	UserID       string   `json:"UserId,omitempty" xml:"UserId,omitempty"`
	RoleID       string   `json:"RoleId,omitempty" xml:"RoleId,omitempty"`
}

// requestContext is the condition-key context of a request.
func (s *Server) requestContext(q *rpcRequest) map[string][]string {
	ctx := map[string][]string{
		policy.KeyCurrentTime:     {s.authClock.Now().UTC().Format(isoSecond)},
		policy.KeySecureTransport: {strconv.FormatBool(s.tls || q.r.TLS != nil)},
	}
	if host, _, err := net.SplitHostPort(q.r.RemoteAddr); err == nil {
		ctx[policy.KeySourceIP] = []string{host}
	}
	if ua := q.r.UserAgent(); ua != "" {
		ctx[policy.KeyUserAgent] = []string{ua}
	}
	return ctx
}

// maxChainedSeconds caps a chained session (the caller is itself a role session): one hour,
// whatever the role's MaxSessionDuration. The rule is AWS's documented role-chaining limit;
// for Alibaba Cloud it is UNCONFIRMED (see model/flow.MaxChainDuration, which agrees).
const maxChainedSeconds = 3600

// assumeRoleParams are AssumeRole's parameters once their format and size are checked.
type assumeRoleParams struct {
	arnAccount, arnRole string // from RoleArn
	session             string
	ext                 string // ExternalId, "" = none
	policy              string // the session policy as sent, "" = none
	sourceIdentity      string
	duration            int // seconds
}

// assumeRole checks, in the cloud's order, the parameters' format and size, then the caller
// (root refusal, role existence, identity ∧ trust, a role session's own session policy), then
// the role's max session, and issues a sealed token.
func (s *Server) assumeRole(q *rpcRequest) (any, *apiError) {
	q.trace.Action = "sts:AssumeRole"
	p, e := assumeRoleParamsOf(q)
	if e != nil {
		return nil, e
	}
	role, e := s.authorizeAssumeRole(q, p)
	if e != nil {
		return nil, e
	}
	if p.duration > role.MaxSessionDuration {
		return nil, errorf("InvalidParameter.DurationSeconds").withDetail("DurationSeconds " + strconv.Itoa(p.duration) + " exceeds the role's max session of " + strconv.Itoa(role.MaxSessionDuration) + " s")
	}
	if q.caller.Claims != nil && p.duration > maxChainedSeconds {
		return nil, errorf("InvalidParameter.DurationSeconds").withDetail("DurationSeconds " + strconv.Itoa(p.duration) + ": a role session assuming another role (role chaining) gets at most " + strconv.Itoa(maxChainedSeconds) + " s")
	}
	return s.issueToken(q, p, role)
}

// assumeRoleParamsOf checks the parameters' format and size, in order.
func assumeRoleParamsOf(q *rpcRequest) (*assumeRoleParams, *apiError) {
	arn := q.get("RoleArn")
	if arn == "" {
		return nil, errorf("MissingParameter", "RoleArn")
	}
	m := roleArnRE.FindStringSubmatch(arn)
	if m == nil {
		return nil, errorf("InvalidParameter.RoleArn").withDetail("RoleArn must look like acs:ram::<account-id>:role/<role-name>")
	}
	q.trace.Resource = arn
	p := &assumeRoleParams{arnAccount: m[1], arnRole: m[2], duration: 3600}
	p.session = q.get("RoleSessionName")
	if p.session == "" {
		return nil, errorf("MissingParameter", "RoleSessionName")
	}
	if !sessionNameRE.MatchString(p.session) {
		return nil, errorf("InvalidParameter.RoleSessionName").withDetail("RoleSessionName: 2 to 64 letters, digits, '.', '@', '-' or '_'")
	}
	p.ext = q.get("ExternalId")
	if p.ext != "" && (len(p.ext) < 2 || len(p.ext) > 1224 || !externalIDRE.MatchString(p.ext)) {
		return nil, errorf("InvalidParameter.ExternalId").withDetail("ExternalId: 2 to 1224 letters, digits or = , . @ : / - _ +")
	}
	p.policy = q.get("Policy")
	if e := checkSessionPolicy(p.policy); e != nil {
		return nil, e
	}
	p.sourceIdentity = q.get("SourceIdentity")
	if si := p.sourceIdentity; si != "" {
		lsi := strings.ToLower(si)
		if !sourceIdentityRE.MatchString(si) || strings.HasPrefix(lsi, "acs:") || strings.HasPrefix(lsi, "aliyun:") || strings.HasPrefix(lsi, "alibabacloud:") {
			return nil, errorf("InvalidParameter.SourceIdentity")
		}
	}
	if ds, ok := q.first["DurationSeconds"]; ok {
		n, err := strconv.Atoi(ds)
		if err != nil || n < 900 {
			return nil, errorf("InvalidParameter.DurationSeconds").withDetail("DurationSeconds " + quote(ds) + ": want a whole number of seconds, at least 900")
		}
		p.duration = n
	}
	return p, nil
}

// checkSessionPolicy refuses a session policy over the size limit or with grammar errors
// ("" = none); the detail names the first error's position.
func checkSessionPolicy(pol string) *apiError {
	if pol == "" {
		return nil
	}
	if n := policy.Size(policy.KindSession, []byte(pol)); n > policy.SizeLimit(policy.KindSession) {
		return errorf("InvalidParameter.PolicySize").withDetail("the session policy is " + strconv.Itoa(n) + " " + policy.SessionPolicyUnit)
	}
	p, fs := policy.Validate("session policy", []byte(pol), policy.KindSession)
	if p == nil || policy.HasErrors(fs) {
		d := "the session policy has errors"
		for _, f := range fs {
			if f.Severity == policy.SeverityError {
				d = "session policy line " + strconv.Itoa(f.Line) + ", col " + strconv.Itoa(f.Col) + ": " + f.Path + ": " + f.Message
				break
			}
		}
		return errorf("InvalidParameter.PolicyGrammar").withDetail(d)
	}
	return nil
}

// authorizeAssumeRole: root refusal, role existence, identity ∧ trust, and for a role session
// its own session policy (role chaining). It returns the role.
func (s *Server) authorizeAssumeRole(q *rpcRequest, p *assumeRoleParams) (*Role, *apiError) {
	a, c := s.auth, q.caller
	if c.isRoot() {
		return nil, noPermission(msgNoPermissionRoot, "root-refused").withDetail("the account's own AccessKey cannot assume roles; use a RAM user")
	}
	role, ok := a.Role(p.arnRole)
	if !ok || p.arnAccount != a.accountID {
		return nil, errorf("EntityNotExist.Role").withDetail("no role " + quote(p.arnRole) + " in account " + a.accountID)
	}
	roleARN := a.roleARN(role)
	q.trace.Resource = roleARN
	ctx := s.requestContext(q)
	if p.ext != "" {
		ctx[policy.KeyExternalID] = []string{p.ext}
	}
	res := policy.EvaluateAssumeRole(c.Principal, roleARN, c.Identity, role.Trust, ctx)
	fillAssumeTrace(q.trace, &res)
	if res.Allowed && c.Session != nil {
		// A role session's own session policy also bounds what it may do (role chaining).
		sr := policy.Evaluate(&policy.Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: c.Principal, Context: ctx},
			policy.Layers{Identity: c.Identity, Session: c.Session})
		fillTrace(q.trace, &sr)
		if sr.Decision != policy.DecisionAllow {
			return nil, noPermission(msgNoPermissionRAM, "session-policy").withDetail("the caller's session policy does not allow sts:AssumeRole on "+roleARN).
				deniedBy(c, "sts:AssumeRole", policyTypeSession, sr.Decision == policy.DecisionExplicitDeny)
		}
	}
	if !res.Allowed {
		switch res.Reason {
		case "root-refused":
			return nil, noPermission(msgNoPermissionRoot, "root-refused")
		case "trust":
			return nil, noPermission(msgNoPermissionTrust, "trust-policy").withDetail("the trust policy of "+role.Name+" does not allow "+c.ARN).
				deniedBy(c, "sts:AssumeRole", policyTypeTrust, res.Trust.Decision == policy.DecisionExplicitDeny)
		default:
			return nil, noPermission(msgNoPermissionRAM, "identity-policy").withDetail("no policy of "+c.ARN+" allows sts:AssumeRole on "+roleARN).
				deniedBy(c, "sts:AssumeRole", policyTypeIdentity, res.Identity.Decision == policy.DecisionExplicitDeny)
		}
	}
	return role, nil
}

// issueToken seals the claims of a new role session on the authorization clock.
func (s *Server) issueToken(q *rpcRequest, p *assumeRoleParams, role *Role) (any, *apiError) {
	a := s.auth
	roleARN := a.roleARN(role)
	issued := s.authClock.Now().UTC().Truncate(time.Second)
	exp := issued.Add(time.Duration(p.duration) * time.Second)
	claims := &TokenClaims{
		AccessKeyID:     "STS." + randomID(25),
		AccessKeySecret: randomID(44),
		AccountID:       a.accountID,
		RoleName:        role.Name,
		RoleID:          role.ID,
		SessionName:     p.session,
		Policy:          p.policy,
		ExternalID:      p.ext,
		SourceIdentity:  p.sourceIdentity,
		SourceAK:        q.caller.AccessKeyID,
		IssuedAt:        issued.Unix(),
		Expiration:      exp.Unix(),
	}
	tok, err := a.sealer.Seal(claims)
	if err != nil {
		return nil, errorf("InternalError").withDetail("sealing the token failed")
	}
	q.trace.Detail = "issued " + claims.AccessKeyID + " for " + roleARN + "/" + p.session + ", expires " + exp.Format(isoSecond)
	return &assumeRoleResponse{
		RequestID:       q.id,
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: role.ID + ":" + p.session, Arn: roleARN + "/" + p.session},
		Credentials: assumeRoleCredentials{
			SecurityToken:   tok,
			Expiration:      exp.Format(isoSecond),
			AccessKeySecret: claims.AccessKeySecret,
			AccessKeyID:     claims.AccessKeyID,
		},
		SourceIdentity: p.sourceIdentity,
	}, nil
}

func fillAssumeTrace(tr *model.Trace, res *policy.AssumeRoleResult) {
	if res.Allowed {
		tr.Decision = string(policy.DecisionAllow)
	} else {
		tr.Decision = string(policy.DecisionImplicitDeny)
		if res.Identity.Decision == policy.DecisionExplicitDeny || res.Trust.Decision == policy.DecisionExplicitDeny {
			tr.Decision = string(policy.DecisionExplicitDeny)
		}
	}
	switch res.Reason {
	case "identity":
		tr.DecidedBy = string(policy.LayerIdentity)
	case "trust":
		tr.DecidedBy = string(policy.LayerTrust)
	}
	tr.Layers = map[string]string{}
	if o := res.Identity.Identity; o != "" {
		tr.Layers["identity"] = string(o)
	} else if res.Identity.Decision != "" {
		tr.Layers["identity"] = layerOutcome(res.Identity.Decision)
	}
	if res.Trust.Decision != "" {
		tr.Layers["trust"] = layerOutcome(res.Trust.Decision)
	}
	for _, r := range []*policy.Result{&res.Identity, &res.Trust} {
		for _, m := range r.Statements {
			tr.Statements = append(tr.Statements, model.TraceStatement{Layer: string(m.Layer), Policy: m.Policy, Index: m.Index, Line: m.Line, Effect: string(m.Effect)})
		}
		tr.Indeterminate = append(tr.Indeterminate, r.Indeterminate...)
	}
}

func layerOutcome(d policy.Decision) string {
	switch d {
	case policy.DecisionAllow:
		return string(policy.OutcomeAllow)
	case policy.DecisionExplicitDeny:
		return string(policy.OutcomeDeny)
	}
	return string(policy.OutcomeNoMatch)
}

// fillTrace records an engine result in the trace.
func fillTrace(tr *model.Trace, res *policy.Result) {
	tr.Decision = string(res.Decision)
	tr.DecidedBy = string(res.DecidedBy)
	tr.Layers = map[string]string{}
	if res.Identity != policy.OutcomeNone {
		tr.Layers["identity"] = string(res.Identity)
	}
	if res.Session != policy.OutcomeNone {
		tr.Layers["session"] = string(res.Session)
	}
	if res.Bucket != policy.OutcomeNone {
		tr.Layers["bucket"] = string(res.Bucket)
	}
	tr.Statements = tr.Statements[:0]
	for _, m := range res.Statements {
		tr.Statements = append(tr.Statements, model.TraceStatement{Layer: string(m.Layer), Policy: m.Policy, Index: m.Index, Line: m.Line, Effect: string(m.Effect)})
	}
	tr.Indeterminate = append([]string(nil), res.Indeterminate...)
}

func (s *Server) getCallerIdentity(q *rpcRequest) (any, *apiError) {
	a, c := s.auth, q.caller
	resp := &callerIdentityResponse{RequestID: q.id, AccountID: a.accountID, Arn: c.ARN}
	switch {
	case c.Claims != nil:
		resp.IdentityType = "AssumedRoleUser"
		resp.RoleID = c.Role.ID
		resp.PrincipalID = c.Role.ID + ":" + c.Claims.SessionName
		resp.UserID = resp.PrincipalID
	case c.isRoot():
		resp.IdentityType = "Account"
		resp.UserID = a.accountID
		resp.PrincipalID = a.accountID
	default:
		resp.IdentityType = "RAMUser"
		resp.UserID = c.User.ID
		resp.PrincipalID = c.User.ID
	}
	return resp, nil
}

// RAM.

// authorizeRAM decides a RAM read with the engine; the account root may do anything.
func (s *Server) authorizeRAM(q *rpcRequest, action, resource string) *apiError {
	c := q.caller
	q.trace.Action, q.trace.Resource = action, resource
	if c.isRoot() {
		q.trace.Decision, q.trace.Detail = string(policy.DecisionAllow), "the account root is not subject to RAM policies"
		return nil
	}
	res := policy.Evaluate(&policy.Request{Action: action, Resource: resource, Principal: c.Principal, Context: s.requestContext(q)},
		policy.Layers{Identity: c.Identity, Session: c.Session})
	fillTrace(q.trace, &res)
	if res.Decision == policy.DecisionAllow {
		return nil
	}
	check, pt := "identity-policy", policyTypeIdentity
	if res.DecidedBy == policy.LayerSession {
		check, pt = "session-policy", policyTypeSession
	}
	return noPermission(msgNoPermissionRAM, check).withDetail(string(res.Decision)+": no policy of "+c.ARN+" allows "+action+" on "+resource).
		deniedBy(c, action, pt, res.Decision == policy.DecisionExplicitDeny)
}

func (s *Server) ramARN(kind, name string) string {
	return "acs:ram:*:" + s.auth.accountID + ":" + kind + "/" + name
}

type ramRole struct {
	Arn                      string `json:"Arn" xml:"Arn"`
	AssumeRolePolicyDocument string `json:"AssumeRolePolicyDocument,omitempty" xml:"AssumeRolePolicyDocument,omitempty"`
	CreateDate               string `json:"CreateDate" xml:"CreateDate"`
	Description              string `json:"Description" xml:"Description"`
	MaxSessionDuration       int64  `json:"MaxSessionDuration" xml:"MaxSessionDuration"`
	RoleID                   string `json:"RoleId" xml:"RoleId"`
	RoleName                 string `json:"RoleName" xml:"RoleName"`
	UpdateDate               string `json:"UpdateDate" xml:"UpdateDate"`
}

func (s *Server) ramRole(r *Role, withTrust bool) ramRole {
	out := ramRole{Arn: s.auth.roleARN(r), CreateDate: r.CreateDate.Format(isoSecond),
		Description: r.Description, MaxSessionDuration: int64(r.MaxSessionDuration), RoleID: r.ID, RoleName: r.Name,
		UpdateDate: r.CreateDate.Format(isoSecond)}
	if withTrust {
		out.AssumeRolePolicyDocument = r.TrustDocument
	}
	return out
}

type listRolesResponse struct {
	XMLName     xml.Name `json:"-" xml:"ListRolesResponse"`
	RequestID   string   `json:"RequestId" xml:"RequestId"`
	IsTruncated bool     `json:"IsTruncated" xml:"IsTruncated"`
	Marker      string   `json:"Marker,omitempty" xml:"Marker,omitempty"`
	Roles       struct {
		Role []ramRole `json:"Role" xml:"Role"`
	} `json:"Roles" xml:"Roles"`
}

func (s *Server) listRoles(q *rpcRequest) (any, *apiError) {
	if e := s.authorizeRAM(q, "ram:ListRoles", s.ramARN("role", "*")); e != nil {
		return nil, e
	}
	max := 100
	if v, ok := q.first["MaxItems"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, errorf("InvalidParameter.MaxItems").withDetail("MaxItems: 1 to 1000")
		}
		max = n
	}
	start := 0
	if mk := q.get("Marker"); mk != "" {
		raw, err := base64.RawURLEncoding.DecodeString(mk)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "roles:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(raw), "roles:") || n < 0 || n > len(s.auth.roles) {
			return nil, errorf("InvalidParameter.Marker").withDetail("Marker is not one this sandbox returned")
		}
		start = n
	}
	resp := &listRolesResponse{RequestID: q.id}
	resp.Roles.Role = []ramRole{}
	roles := s.auth.sortedRoles()
	end := min(start+max, len(roles))
	for _, r := range roles[start:end] {
		resp.Roles.Role = append(resp.Roles.Role, s.ramRole(r, false))
	}
	if end < len(roles) {
		resp.IsTruncated = true
		resp.Marker = base64.RawURLEncoding.EncodeToString([]byte("roles:" + strconv.Itoa(end)))
	}
	return resp, nil
}

type getRoleResponse struct {
	XMLName   xml.Name `json:"-" xml:"GetRoleResponse"`
	RequestID string   `json:"RequestId" xml:"RequestId"`
	Role      ramRole  `json:"Role" xml:"Role"`
}

func (s *Server) roleParam(q *rpcRequest, action string) (*Role, *apiError) {
	name := q.get("RoleName")
	if name == "" {
		return nil, errorf("MissingParameter", "RoleName")
	}
	if e := s.authorizeRAM(q, action, s.ramARN("role", name)); e != nil {
		return nil, e
	}
	r, ok := s.auth.Role(name)
	if !ok {
		return nil, errorf("EntityNotExist.Role").withDetail("no role " + quote(name))
	}
	return r, nil
}

func (s *Server) getRole(q *rpcRequest) (any, *apiError) {
	r, e := s.roleParam(q, "ram:GetRole")
	if e != nil {
		return nil, e
	}
	return &getRoleResponse{RequestID: q.id, Role: s.ramRole(r, true)}, nil
}

type attachedPolicy struct {
	AttachDate     string `json:"AttachDate" xml:"AttachDate"`
	DefaultVersion string `json:"DefaultVersion" xml:"DefaultVersion"`
	Description    string `json:"Description" xml:"Description"`
	PolicyName     string `json:"PolicyName" xml:"PolicyName"`
	PolicyType     string `json:"PolicyType" xml:"PolicyType"`
}

type listPoliciesResponse struct {
	XMLName   xml.Name `json:"-" xml:""`
	RequestID string   `json:"RequestId" xml:"RequestId"`
	Policies  struct {
		Policy []attachedPolicy `json:"Policy" xml:"Policy"`
	} `json:"Policies" xml:"Policies"`
}

func (s *Server) attached(q *rpcRequest, root string, ps []*Policy, date time.Time) *listPoliciesResponse {
	resp := &listPoliciesResponse{RequestID: q.id}
	resp.XMLName.Local = root
	resp.Policies.Policy = []attachedPolicy{}
	for _, p := range ps {
		resp.Policies.Policy = append(resp.Policies.Policy, attachedPolicy{AttachDate: date.Format(isoSecond), DefaultVersion: "v1",
			Description: p.Description, PolicyName: p.Name, PolicyType: p.Type})
	}
	return resp
}

func (s *Server) listPoliciesForRole(q *rpcRequest) (any, *apiError) {
	r, e := s.roleParam(q, "ram:ListPoliciesForRole")
	if e != nil {
		return nil, e
	}
	return s.attached(q, "ListPoliciesForRoleResponse", r.Policies, r.CreateDate), nil
}

func (s *Server) listPoliciesForUser(q *rpcRequest) (any, *apiError) {
	name := q.get("UserName")
	if name == "" {
		return nil, errorf("MissingParameter", "UserName")
	}
	if e := s.authorizeRAM(q, "ram:ListPoliciesForUser", s.ramARN("user", name)); e != nil {
		return nil, e
	}
	u, ok := s.auth.User(name)
	if !ok || u.Kind == "root" {
		return nil, errorf("EntityNotExist.User").withDetail("no RAM user " + quote(name))
	}
	return s.attached(q, "ListPoliciesForUserResponse", u.Policies, u.CreateDate), nil
}

type ramPolicy struct {
	CreateDate     string `json:"CreateDate" xml:"CreateDate"`
	DefaultVersion string `json:"DefaultVersion" xml:"DefaultVersion"`
	Description    string `json:"Description" xml:"Description"`
	PolicyDocument string `json:"PolicyDocument" xml:"PolicyDocument"`
	PolicyName     string `json:"PolicyName" xml:"PolicyName"`
	PolicyType     string `json:"PolicyType" xml:"PolicyType"`
	UpdateDate     string `json:"UpdateDate" xml:"UpdateDate"`
}

type policyVersion struct {
	CreateDate       string `json:"CreateDate" xml:"CreateDate"`
	IsDefaultVersion bool   `json:"IsDefaultVersion" xml:"IsDefaultVersion"`
	PolicyDocument   string `json:"PolicyDocument" xml:"PolicyDocument"`
	VersionID        string `json:"VersionId" xml:"VersionId"`
}

type getPolicyResponse struct {
	XMLName              xml.Name      `json:"-" xml:"GetPolicyResponse"`
	RequestID            string        `json:"RequestId" xml:"RequestId"`
	Policy               ramPolicy     `json:"Policy" xml:"Policy"`
	DefaultPolicyVersion policyVersion `json:"DefaultPolicyVersion" xml:"DefaultPolicyVersion"`
}

type getPolicyVersionResponse struct {
	XMLName       xml.Name      `json:"-" xml:"GetPolicyVersionResponse"`
	RequestID     string        `json:"RequestId" xml:"RequestId"`
	PolicyVersion policyVersion `json:"PolicyVersion" xml:"PolicyVersion"`
}

func (s *Server) policyParam(q *rpcRequest, action string) (*Policy, *apiError) {
	name, typ := q.get("PolicyName"), q.get("PolicyType")
	if name == "" {
		return nil, errorf("MissingParameter", "PolicyName")
	}
	if typ == "" {
		return nil, errorf("MissingParameter", "PolicyType")
	}
	if typ != "System" && typ != "Custom" {
		return nil, errorf("InvalidParameter.PolicyType").withDetail(`PolicyType: "System" or "Custom"`)
	}
	res := "acs:ram:*:" + s.auth.accountID + ":policy/" + name
	if typ == "System" {
		res = "acs:ram:*:system:policy/" + name
	}
	if e := s.authorizeRAM(q, action, res); e != nil {
		return nil, e
	}
	p, ok := s.auth.policyFor(typ, name)
	if !ok {
		return nil, errorf("EntityNotExist.Policy").withDetail("no " + typ + " policy " + quote(name))
	}
	return p, nil
}

func (s *Server) getPolicy(q *rpcRequest) (any, *apiError) {
	p, e := s.policyParam(q, "ram:GetPolicy")
	if e != nil {
		return nil, e
	}
	d := p.CreateDate.Format(isoSecond)
	return &getPolicyResponse{RequestID: q.id,
		Policy: ramPolicy{CreateDate: d, DefaultVersion: "v1", Description: p.Description, PolicyDocument: p.Document,
			PolicyName: p.Name, PolicyType: p.Type, UpdateDate: d},
		DefaultPolicyVersion: policyVersion{CreateDate: d, IsDefaultVersion: true, PolicyDocument: p.Document, VersionID: "v1"},
	}, nil
}

func (s *Server) getPolicyVersion(q *rpcRequest) (any, *apiError) {
	if q.get("VersionId") == "" {
		return nil, errorf("MissingParameter", "VersionId")
	}
	p, e := s.policyParam(q, "ram:GetPolicyVersion")
	if e != nil {
		return nil, e
	}
	if q.get("VersionId") != "v1" {
		return nil, errorf("EntityNotExist.PolicyVersion").withDetail("policy " + p.Name + " has only version v1")
	}
	return &getPolicyVersionResponse{RequestID: q.id, PolicyVersion: policyVersion{CreateDate: p.CreateDate.Format(isoSecond),
		IsDefaultVersion: true, PolicyDocument: p.Document, VersionID: "v1"}}, nil
}
