package flow

import (
	"context"
	"errors"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/service"
)

// The issue use case: input checks → AssumeRole → audit record. The console's Issue screen and
// the `issue` command (and every command that issues a token first) run it; each face only
// gathers the inputs and presents the outcome.

// IssuePorts are the services the issue use case talks to.
type IssuePorts struct {
	Issuer   service.TokenIssuer
	Audit    service.AuditLog // nil: nothing is recorded
	Identity service.Identity // nil: the caller stays as given (maybe unknown)
}

// IssueInput is one issue: the request, what is known of the role, and what the audit record
// says besides the request and the credentials.
type IssueInput struct {
	Request model.IssueRequest
	// Role is the role as RAM described it, zero when unknown: MaxSessionDuration bounds the
	// duration, TrustPolicy tells whether an external id is required.
	Role model.Role
	// Caller is the issuer's own identity (ARN) when already known; "" asks Identity once the
	// token is issued.
	Caller string
	Mode   string // "sandbox" or "live"
	Region string // the services' region; the credentials' own wins when they carry one
	// Now stamps the audit record; nil = time.Now.
	Now func() time.Time
}

// IssueResult is what came of an issue. On error only Warnings (and ExternalIDMissing, when the
// request was sent) are meaningful.
type IssueResult struct {
	Creds  model.Credentials
	Record model.AuditRecord
	// Warnings are the problems found before sending that do not block (sent anyway).
	Warnings []issuereq.Problem
	// ExternalIDMissing: the role's trust policy trusts callers only with an external id and
	// none was given; the request was sent anyway (STS decides).
	ExternalIDMissing bool
	// AuditErr is set when the token was issued but appending its record failed.
	AuditErr error
}

// ErrNoIssuer is returned when there is no TokenIssuer to call.
var ErrNoIssuer = errors.New("no token issuer configured")

// Issue checks the request as STS would (*issuereq.InvalidRequestError when it must not be
// sent), calls AssumeRole (its error is returned as it is), then appends the audit record,
// which never holds the secret or the token.
func Issue(ctx context.Context, p IssuePorts, in IssueInput) (IssueResult, error) {
	var res IssueResult
	req := in.Request
	problems := issuereq.CheckIssue(req, in.Role.MaxSessionDuration)
	for _, pr := range problems {
		if pr.Warning {
			res.Warnings = append(res.Warnings, pr)
		}
	}
	if bad := issuereq.Blocking(problems); len(bad) > 0 {
		return res, &issuereq.InvalidRequestError{Problems: bad}
	}
	if p.Issuer == nil {
		return res, ErrNoIssuer
	}
	res.ExternalIDMissing = req.ExternalID == "" && issuereq.TrustRequiresExternalID(in.Role.TrustPolicy)
	c, err := p.Issuer.AssumeRole(ctx, req)
	if err != nil {
		return res, err
	}
	caller := in.Caller
	if caller == "" && p.Identity != nil {
		if who, err := p.Identity.Whoami(ctx); err == nil {
			caller = who.ARN
		}
	}
	now := in.Now
	if now == nil {
		now = time.Now
	}
	res.Creds = c
	res.Record = AuditRecord(req, c, now(), in.Mode, in.Region, caller)
	if p.Audit != nil {
		res.AuditErr = p.Audit.Append(res.Record)
	}
	return res, nil
}

// AuditRecord builds the audit line for a token issued for req at the time at: a fresh id, the
// duration asked for (STS's default of 1h when none), the policy as sent and its digest; never
// the secret or the token. region is used when the credentials carry none.
func AuditRecord(req model.IssueRequest, c model.Credentials, at time.Time, mode, region, caller string) model.AuditRecord {
	d := req.Duration
	if d == 0 {
		d = issuereq.DefaultDuration
	}
	rec := model.AuditRecord{
		ID:              auditlog.NewID(),
		Time:            at.UTC(),
		Caller:          caller,
		RoleARN:         req.RoleARN,
		SessionName:     req.SessionName,
		DurationSeconds: int64((d + time.Second - 1) / time.Second),
		Expiration:      c.Expiration.UTC(),
		AccessKeyID:     c.AccessKeyID,
		ExternalIDUsed:  req.ExternalID != "",
		SessionPolicy:   req.Policy,
		PolicyDigest:    auditlog.Digest(req.Policy),
		Mode:            mode,
		Region:          c.Region,
	}
	if rec.Region == "" {
		rec.Region = region
	}
	return rec
}
