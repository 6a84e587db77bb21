package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/model/service"
)

// The role-chain use case: the caller reaches the partner role through intermediate roles
// (`--via ROLE`, a ChainableRamRoleArn profile). Each hop assumes the next role with the
// previous hop's token; only the last hop carries the session policy and the asked duration,
// and only the last token is recorded (its record lists the hops).

// MaxChainDuration caps a chained session: a token obtained with another role's STS token
// lasts at most one hour, whatever the final role's MaxSessionDuration. Rule: AWS documents it
// for AssumeRole ("Role chaining limits your … role session to a maximum of one hour",
// docs.aws.amazon.com STS AssumeRole DurationSeconds); Alibaba Cloud's "Adjust session duration
// and STS token validity" (help/en/ram/support/how-do-i-modify-the-validity-period-of-a-logon-session-or-an-sts-token)
// lists the limits when assuming a role without a chained case; the 1 h cap on Alibaba Cloud
// is UNCONFIRMED, and the sandbox enforces the same cap (sts/stsemu) so the two agree.
const MaxChainDuration = time.Hour

// HopDuration is how long an intermediate hop's token is asked to last: STS's minimum; it is
// used at once for the next hop and never handed out.
const HopDuration = issuereq.MinDuration

// ChainDuration returns the duration a chained final hop asks for (0 = STS's default, 1 h) and
// whether it is within MaxChainDuration.
func ChainDuration(d time.Duration) (time.Duration, bool) {
	if d == 0 {
		return issuereq.DefaultDuration, true
	}
	return d, d <= MaxChainDuration
}

// ChainPorts are the issue ports plus a way to act with a hop's token.
type ChainPorts struct {
	IssuePorts // Issuer is the first hop's (the caller's own credentials)
	// IssuerWith returns an issuer that signs with the given temporary credentials against the
	// same STS endpoint.
	IssuerWith func(model.Credentials) service.TokenIssuer
}

// ChainInput is a chain: intermediate role ARNs in order, then the final issue.
type ChainInput struct {
	Via   []string
	Final IssueInput
}

// HopError says which hop of a chain failed; it unwraps to the service's error (an
// *model.APIError with the cloud's code).
type HopError struct {
	Hop     int // 1-based
	Of      int
	RoleARN string
	Err     error
}

func (e *HopError) Error() string {
	return fmt.Sprintf("role chain hop %d of %d (%s): %v", e.Hop, e.Of, e.RoleARN, e.Err)
}

func (e *HopError) Unwrap() error { return e.Err }

// IssueChain assumes each role of Via in turn, then runs the issue use case for the final role
// with the last hop's token, and records the final token with the chain.
func IssueChain(ctx context.Context, p ChainPorts, in ChainInput) (IssueResult, error) {
	if len(in.Via) == 0 {
		return Issue(ctx, p.IssuePorts, in.Final)
	}
	if p.IssuerWith == nil {
		return IssueResult{}, errors.New("role chains need an issuer that signs with a hop's token (not wired)")
	}
	if p.Issuer == nil {
		return IssueResult{}, ErrNoIssuer
	}
	d, ok := ChainDuration(in.Final.Request.Duration)
	if !ok {
		return IssueResult{}, &issuereq.InvalidRequestError{Problems: []issuereq.Problem{{Field: "duration",
			Message: fmt.Sprintf("%s: a chained session lasts at most %s (the cloud caps role chains)", d, MaxChainDuration)}}}
	}
	of := len(in.Via) + 1
	issuer := p.Issuer
	for i, arn := range in.Via {
		req := model.IssueRequest{RoleARN: arn, SessionName: in.Final.Request.SessionName, Duration: HopDuration}
		c, err := issuer.AssumeRole(ctx, req)
		if err != nil {
			return IssueResult{}, &HopError{Hop: i + 1, Of: of, RoleARN: arn, Err: err}
		}
		issuer = p.IssuerWith(c)
	}
	final := in.Final
	final.Request.Duration = d
	if final.Caller == "" && p.Identity != nil {
		if who, err := p.Identity.Whoami(ctx); err == nil {
			final.Caller = who.ARN
		}
	}
	res, err := Issue(ctx, IssuePorts{Issuer: issuer}, final)
	if err != nil {
		var ir *issuereq.InvalidRequestError
		if errors.As(err, &ir) {
			return res, err
		}
		return res, &HopError{Hop: of, Of: of, RoleARN: final.Request.RoleARN, Err: err}
	}
	res.Record.Via = append([]string(nil), in.Via...)
	if p.Audit != nil {
		res.AuditErr = p.Audit.Append(res.Record)
	}
	return res, nil
}

// HopCheck is one hop of a chain preview: whether the hop's caller may assume the hop's role.
type HopCheck struct {
	Hop      int
	RoleARN  string
	CallerAs string // who calls AssumeRole at this hop (ARN)
	Kind     string // "ok", "deny", "warn", "unknown" (TrustsCaller's kinds)
	Text     string
	// Permission is the caller's own sts:AssumeRole verdict from its identity policies when
	// they were readable (intermediate roles: the role's attached policies), else "".
	Permission string
}

// PreviewChain checks each hop's trust (and, for intermediate roles whose policies RAM showed,
// that they allow sts:AssumeRole on the next role) before anything is sent. roles[i] describes
// hop i+1's role (the last is the final role); session names the hop sessions.
func PreviewChain(caller model.Caller, roles []model.Role, session string) []HopCheck {
	out := make([]HopCheck, 0, len(roles))
	who := caller
	for i, r := range roles {
		kind, text := TrustsCaller(r.TrustPolicy, r.ARN, who)
		if r.TrustPolicy == "" {
			kind, text = "unknown", "cannot tell: RAM did not show the trust policy"
		}
		hc := HopCheck{Hop: i + 1, RoleARN: r.ARN, CallerAs: who.ARN, Kind: kind, Text: text}
		if i > 0 {
			hc.Permission = roleMayAssume(roles[i-1], r.ARN)
		}
		out = append(out, hc)
		who = assumedCaller(r, session)
	}
	return out
}

// assumedCaller is the principal a role session acts as.
func assumedCaller(r model.Role, session string) model.Caller {
	acct, name, _ := issuereq.ParseRoleARN(r.ARN)
	return model.Caller{AccountID: acct, ARN: "acs:ram::" + acct + ":assumed-role/" + name + "/" + session,
		IdentityType: "AssumedRoleUser", RoleID: r.RoleID}
}

// roleMayAssume evaluates a role's attached policies for sts:AssumeRole on target: "allow",
// "deny", or "" when the documents are not loaded.
func roleMayAssume(r model.Role, target string) string {
	var docs []string
	for _, p := range r.Policies {
		if p.Document == "" {
			return ""
		}
		docs = append(docs, p.Document)
	}
	if r.Policies == nil {
		return ""
	}
	var ps []*policy.Policy
	for i, d := range docs {
		p, err := policy.Parse(fmt.Sprintf("%s policy %d", r.Name, i+1), []byte(d), policy.KindIdentity)
		if err != nil {
			return ""
		}
		ps = append(ps, p)
	}
	res := policy.Evaluate(&policy.Request{Action: "sts:AssumeRole", Resource: target}, policy.Layers{Identity: ps})
	if res.Decision == policy.DecisionAllow {
		return "allow"
	}
	return "deny: no attached policy of " + r.Name + " allows sts:AssumeRole on " + shortRole(target)
}

func shortRole(arn string) string {
	if i := strings.LastIndex(arn, ":"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
