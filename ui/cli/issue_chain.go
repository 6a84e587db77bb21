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
		from, to, text := shortARN(h.CallerAs), shortARN(h.RoleARN), tr.Domain(h.Text)
		if h.Permission != "" {
			perm := tr.Domain(h.Permission)
			// One whole sentence per kind: the tag has its own words (not the button's "ok").
			switch h.Kind {
			case "ok":
				tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: ok: %s; its own policies: %s\n", c.name, h.Hop, len(arns), from, to, text, perm)
			case "deny":
				tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: deny: %s; its own policies: %s\n", c.name, h.Hop, len(arns), from, to, text, perm)
			case "warn":
				tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: warn: %s; its own policies: %s\n", c.name, h.Hop, len(arns), from, to, text, perm)
			case "unknown":
				tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: unknown: %s; its own policies: %s\n", c.name, h.Hop, len(arns), from, to, text, perm)
			default:
				tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: %s: %s; its own policies: %s\n", c.name, h.Hop, len(arns), from, to, h.Kind, text, perm)
			}
			continue
		}
		switch h.Kind {
		case "ok":
			tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: ok: %s\n", c.name, h.Hop, len(arns), from, to, text)
		case "deny":
			tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: deny: %s\n", c.name, h.Hop, len(arns), from, to, text)
		case "warn":
			tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: warn: %s\n", c.name, h.Hop, len(arns), from, to, text)
		case "unknown":
			tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: unknown: %s\n", c.name, h.Hop, len(arns), from, to, text)
		default:
			tr.F(c.env.Stderr, "stsdeck %s: hop %d of %d: %s → %s: %s: %s\n", c.name, h.Hop, len(arns), from, to, h.Kind, text)
		}
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
