package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
)

// roleTrust is what a role's trust policy says in words (flow.TrustPrincipals) and whether it
// lets the caller assume the role (flow.TrustsCaller): the console's Roles screen, as text.
type roleTrust struct {
	kind string   // "ok", "deny", "warn", "unknown"
	why  string   // the verdict in a sentence
	by   []string // who the trust policy lets assume the role
}

// maxTrustLookups bounds the GetRole calls a listing makes for the trust column.
const maxTrustLookups = 100

func (t roleTrust) short() string {
	switch t.kind {
	case "ok":
		return "✓ yes"
	case "deny":
		return "✗ no"
	case "warn":
		return "? with external id"
	}
	return "? unknown"
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
	fmt.Fprintf(env.Stdout, "Can you assume it  %s: %s\n", t.short(), t.why)
	for _, w := range t.by {
		fmt.Fprintf(env.Stdout, "Trusted by    %s\n", w)
	}
}

// trustOf judges one role read from RAM (its TrustPolicy filled in).
func trustOf(ctx context.Context, svc *service.Services, r model.Role) roleTrust {
	if r.TrustPolicy == "" {
		return roleTrust{kind: "unknown", why: "the trust policy could not be read"}
	}
	var t roleTrust
	if by, err := flow.TrustPrincipals(r.TrustPolicy); err == nil {
		t.by = by
	}
	if svc.Identity == nil {
		t.kind, t.why = "unknown", "who you are is unknown (no identity service)"
		return t
	}
	who, err := svc.Identity.Whoami(ctx)
	if err != nil {
		t.kind, t.why = "unknown", "who you are is unknown ("+errWord(err)+")"
		return t
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
		fmt.Fprintf(env.Stderr, "stsdeck roles: %d roles: the trust columns are left out (narrow the list with --filter)\n", len(roles))
		return nil
	}
	var caller *model.Caller
	out := make([]roleTrust, len(roles))
	for i, r := range roles {
		full, err := svc.Roles.GetRole(ctx, r.ARN)
		if err != nil && full.TrustPolicy == "" {
			out[i] = roleTrust{kind: "unknown", why: "the trust policy could not be read (" + errWord(err) + ")"}
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
			out[i].kind, out[i].why = "unknown", "who you are is unknown"
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
