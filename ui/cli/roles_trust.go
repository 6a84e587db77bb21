package cli

import (
	"context"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// roleTrust is what a role's trust policy says in words (flow.TrustPrincipals) and whether it
// lets the caller assume the role (flow.TrustsCaller): the console's Roles screen, as text.
type roleTrust struct {
	kind string   // "ok", "deny", "warn", "unknown"
	why  string   // the verdict in a sentence (English, as --json has it)
	by   []string // who the trust policy lets assume the role
	// whyErr, when set, is why as a translatable error (stsdeck's own reasons; flow's verdicts
	// are domain text, translated by T.Domain).
	whyErr error
}

// unknownTrust is an unknown verdict for a reason of stsdeck's own.
func unknownTrust(why error) roleTrust {
	return roleTrust{kind: "unknown", why: why.Error(), whyErr: why}
}

// whyText is the verdict in tr's language.
func (t roleTrust) whyText(tr *i18n.T) string {
	if t.whyErr != nil {
		return errText(tr, t.whyErr)
	}
	return tr.Domain(t.why)
}

// maxTrustLookups bounds the GetRole calls a listing makes for the trust column.
const maxTrustLookups = 100

func (t roleTrust) short(tr *i18n.T) string {
	switch t.kind {
	case "ok":
		return tr.S("✓ yes")
	case "deny":
		return tr.S("✗ no")
	case "warn":
		return tr.S("? with external id")
	}
	return tr.S("? unknown")
}

func (t roleTrust) addTo(m map[string]any) {
	m["can_assume"] = t.kind
	m["can_assume_why"] = t.why
	by := t.by
	if by == nil {
		by = []string{}
	}
	m["trusted_by"] = by
}

func (t roleTrust) print(env *Env) {
	tr := env.tr()
	tr.F(env.Stdout, "Can you assume it  %s: %s\n", t.short(tr), t.whyText(tr))
	for _, w := range t.by {
		tr.F(env.Stdout, "Trusted by    %s\n", tr.Domain(w))
	}
}

// trustOf judges one role read from RAM (its TrustPolicy filled in).
func trustOf(ctx context.Context, svc *service.Services, r model.Role) roleTrust {
	if r.TrustPolicy == "" {
		return unknownTrust(msg.Errf("the trust policy could not be read"))
	}
	var t roleTrust
	if by, err := flow.TrustPrincipals(r.TrustPolicy); err == nil {
		t.by = by
	}
	if svc.Identity == nil {
		u := unknownTrust(msg.Errf("who you are is unknown (no identity service)"))
		u.by = t.by
		return u
	}
	who, err := svc.Identity.Whoami(ctx)
	if err != nil {
		u := unknownTrust(msg.Errf("who you are is unknown (%s)", errWord(err)))
		u.by = t.by
		return u
	}
	t.kind, t.why = flow.TrustsCaller(r.TrustPolicy, r.ARN, who)
	return t
}

// trustsOf reads each listed role's trust policy (RAM GetRole; ListRoles does not carry it) and
// judges it; nil when there are too many roles to ask about one by one.
func trustsOf(ctx context.Context, env *Env, svc *service.Services, roles []model.Role) []roleTrust {
	if svc.Roles == nil || len(roles) == 0 {
		return nil
	}
	if len(roles) > maxTrustLookups {
		env.tr().F(env.Stderr, "stsdeck roles: %d roles: the trust columns are left out (narrow the list with --filter)\n", len(roles))
		return nil
	}
	var caller *model.Caller
	out := make([]roleTrust, len(roles))
	for i, r := range roles {
		full, err := svc.Roles.GetRole(ctx, r.ARN)
		if err != nil && full.TrustPolicy == "" {
			out[i] = unknownTrust(msg.Errf("the trust policy could not be read (%s)", errWord(err)))
			continue
		}
		if by, err := flow.TrustPrincipals(full.TrustPolicy); err == nil {
			out[i].by = by
		}
		if caller == nil && svc.Identity != nil {
			if who, err := svc.Identity.Whoami(ctx); err == nil {
				caller = &who
			}
		}
		if caller == nil {
			by := out[i].by
			out[i] = unknownTrust(msg.Errf("who you are is unknown"))
			out[i].by = by
			continue
		}
		out[i].kind, out[i].why = flow.TrustsCaller(full.TrustPolicy, full.ARN, *caller)
	}
	return out
}

// filterRoles keeps the roles whose name, ARN or description contains text (case-insensitive).
func filterRoles(roles []model.Role, text string) []model.Role {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" {
		return roles
	}
	var out []model.Role
	for _, r := range roles {
		if strings.Contains(strings.ToLower(r.Name+"\x00"+r.ARN+"\x00"+r.Description), text) {
			out = append(out, r)
		}
	}
	return out
}
