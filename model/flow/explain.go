package flow

import (
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// The explain use case: why a request was refused. For a service's answer, what its EC or code
// means and which policy layer it blames (the console's Explain panel, the Issue screen); for one
// request against given policies, the local engine's decision with every layer's outcome and the
// matching statements (`stsdeck explain`).

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

// ECLayer names the policy layer an EC blames, "" when none.
func ECLayer(ec string) string {
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

// Meaning says what a service's answer means and which layer it blames ("" when it names
// none): the answer's own DeniedBy, else the EC's layer, else the AccessDeniedDetail's policy
// type. meaning is "" when no explanation is on file for the code.
func Meaning(a *model.APIError) (meaning, layer string) {
	meaning = ExplainEC(a.EC, a.Code)
	if meaning == "" {
		return "", ""
	}
	layer = a.DeniedBy()
	if layer == "" {
		layer = ECLayer(a.EC)
	}
	if layer == "" && a.AccessDeniedDetail != nil {
		switch strings.ToLower(a.AccessDeniedDetail.PolicyType) {
		case "assumerolepolicy", "trustpolicy":
			layer = "trust"
		case "rampolicy", "identitypolicy":
			layer = "identity"
		}
	}
	return meaning, layer
}

// IsExpired reports whether an answer says the token expired.
func IsExpired(code, ec string) bool {
	return code == "SecurityTokenExpired" || ec == "0002-00000007"
}

// ExplainInput is one request and the policies to evaluate it against.
type ExplainInput struct {
	Action, Resource string
	Context          map[string][]string
	// Identity is the identity layer; nil = not given (e.g. anonymous access through a bucket
	// policy), empty = given but holds no policy.
	Identity []*policy.Policy
	Session  *policy.Policy // nil = none
	Bucket   *policy.Policy // nil = none
	// Principal makes the request (for the bucket policy).
	Principal policy.Principal
	// Trust, when set, makes this an AssumeRole evaluation: Caller calls AssumeRole on the role
	// Resource names, judged by Identity (the caller's policies) and Trust (the role's).
	Trust  *policy.Policy
	Caller policy.Principal
}

// Explanation is the local engine's verdict on one request, layer by layer.
type Explanation struct {
	Decision      policy.Decision           `json:"decision"`
	DecidedBy     policy.Layer              `json:"decided_by"`
	Reason        string                    `json:"reason,omitempty"` // "root-refused", "identity", ... (AssumeRole)
	Layers        map[string]policy.Outcome `json:"layers"`           // the layers given: session, identity, bucket, trust
	Statements    []policy.Match            `json:"statements"`
	Indeterminate []string                  `json:"indeterminate"`
}

// Explain evaluates the request and says why.
func Explain(in ExplainInput) Explanation {
	if in.Trust != nil {
		return explainAssumeRole(in)
	}
	layers := policy.Layers{Identity: in.Identity, Session: in.Session, Bucket: in.Bucket}
	req := &policy.Request{Action: in.Action, Resource: in.Resource, Context: in.Context, Principal: in.Principal}
	r := policy.Evaluate(req, layers)
	out := Explanation{Layers: map[string]policy.Outcome{}, Decision: r.Decision, DecidedBy: r.DecidedBy,
		Statements: r.Statements, Indeterminate: r.Indeterminate}
	if layers.Session != nil {
		out.Layers["session"] = r.Session
	}
	if layers.Identity != nil {
		out.Layers["identity"] = r.Identity
	}
	if layers.Bucket != nil {
		out.Layers["bucket"] = r.Bucket
	}
	return out
}

// explainAssumeRole is Explain for sts:AssumeRole: the caller's identity policies and the
// role's trust policy must both allow it.
func explainAssumeRole(in ExplainInput) Explanation {
	ar := policy.EvaluateAssumeRole(in.Caller, in.Resource, in.Identity, in.Trust, in.Context)
	refused := ar.Reason == "root-refused"
	out := Explanation{Layers: map[string]policy.Outcome{
		"identity": explainOutcome(ar.Identity.Identity, refused),
		"trust":    explainOutcome(ar.Trust.Trust, refused),
	}}
	out.Statements = append(append([]policy.Match{}, ar.Identity.Statements...), ar.Trust.Statements...)
	out.Indeterminate = explainUnion(ar.Identity.Indeterminate, ar.Trust.Indeterminate)
	out.Reason = ar.Reason
	switch {
	case ar.Allowed:
		out.Decision, out.DecidedBy = policy.DecisionAllow, policy.LayerTrust
	case refused:
		out.Decision, out.DecidedBy = policy.DecisionImplicitDeny, policy.LayerIdentity
	case ar.Identity.Decision == policy.DecisionExplicitDeny:
		out.Decision, out.DecidedBy = policy.DecisionExplicitDeny, policy.LayerIdentity
	case ar.Trust.Decision == policy.DecisionExplicitDeny:
		out.Decision, out.DecidedBy = policy.DecisionExplicitDeny, policy.LayerTrust
	case ar.Reason == "identity":
		out.Decision, out.DecidedBy = policy.DecisionImplicitDeny, policy.LayerIdentity
	default:
		out.Decision, out.DecidedBy = policy.DecisionImplicitDeny, policy.LayerTrust
	}
	return out
}

func explainOutcome(o policy.Outcome, refused bool) policy.Outcome {
	if refused || o == policy.OutcomeNone {
		return policy.OutcomeNoMatch
	}
	return o
}

func explainUnion(a, b []string) []string {
	out := append([]string{}, a...)
	for _, k := range b {
		found := false
		for _, x := range out {
			if x == k {
				found = true
			}
		}
		if !found {
			out = append(out, k)
		}
	}
	return out
}
