package cli

import (
	"context"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
)

// issueMaybeVia issues directly, or through a role chain (--via) after previewing each hop.
func (c *cmdFlags) issueMaybeVia(ctx context.Context, svc *service.Services, t *tokenFlags, via string) (*issued, int) {
	if via == "" {
		return c.issue(ctx, svc, t)
	}
	o := &serveFlags{t: *t, via: via}
	issue, _, vias, dur, code := c.serveIssuer(ctx, svc, o)
	if code >= 0 {
		return nil, code
	}
	c.previewChain(ctx, svc, append(vias, o.finalARN), o.sessionName)
	res, err := issue(ctx, dur)
	if err != nil {
		return nil, c.fail(err)
	}
	return &issued{creds: res.Creds, record: res.Record}, -1
}

// previewChain prints each hop's trust check (and an intermediate role's own sts:AssumeRole
// permission when RAM shows its policies) on stderr before the chain is sent.
func (c *cmdFlags) previewChain(ctx context.Context, svc *service.Services, arns []string, session string) {
	if svc.Identity == nil || svc.Roles == nil {
		return
	}
	who, err := svc.Identity.Whoami(ctx)
	if err != nil {
		return
	}
	roles := make([]model.Role, len(arns))
	for i, arn := range arns {
		r, err := svc.Roles.GetRole(ctx, arn)
		if err != nil {
			r = model.Role{ARN: arn}
		}
		if r.ARN == "" {
			r.ARN = arn
		}
		roles[i] = r
	}
	for _, h := range flow.PreviewChain(who, roles, session) {
		tr := c.env.tr()
		if h.Permission != "" {
			tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: %s: %s; its own policies: %s\n", c.name, h.Hop, len(arns), shortARN(h.CallerAs), shortARN(h.RoleARN), h.Kind, tr.Domain(h.Text), tr.Domain(h.Permission))
			continue
		}
		tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: %s: %s\n", c.name, h.Hop, len(arns), shortARN(h.CallerAs), shortARN(h.RoleARN), h.Kind, tr.Domain(h.Text))
	}
	c.env.tr().F(c.env.Stderr, "stsdeck %s: the token has the final role's permissions ∩ the session policy, for at most %s\n", c.name, flow.MaxChainDuration)
}

func shortARN(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}
