package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
)

// roles: RAM ListRoles (all pages), or one role in detail. When RAM refuses the listing it says
// so and falls back to the roles recently issued from (audit log), exiting 1.
//
//	stsdeck roles [--role NAME|ARN] [--filter TEXT] [--json]
//
// Each role read from RAM says who its trust policy lets assume it, in words, and whether it
// lets the caller (flow.TrustsCaller, flow.TrustPrincipals: the console's Roles screen).
func runRoles(ctx context.Context, env *Env) int {
	c := newCmd(env, "roles", "[--role NAME|ARN] [--filter TEXT] [--json]")
	role := c.String("role", "", "show one role in detail (trust policy, attached policies)")
	filter := c.String("filter", "", "list only roles whose name, ARN or description contains `TEXT` (case-insensitive)")
	asJSON := c.Bool("json", false, "print JSON")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	if svc.Roles == nil {
		return c.bad("no role service available")
	}
	if *role != "" {
		r, err := svc.Roles.GetRole(ctx, *role)
		if err != nil && r.Name == "" {
			return c.fail(err)
		}
		tr := trustOf(ctx, svc, r)
		if *asJSON {
			m := roleJSON(r)
			tr.addTo(m)
			writeJSON(env.Stdout, m)
		} else {
			printRole(env, r)
			tr.print(env)
		}
		if err != nil { // the role was readable, its attached policies were not
			printError(env.Stderr, env.tr(), "stsdeck roles", err) // i18n:ok
			return ExitDenied
		}
		return ExitOK
	}
	roles, err := svc.Roles.ListRoles(ctx)
	if err != nil {
		printError(env.Stderr, env.tr(), "stsdeck roles", err) // i18n:ok
		var ae *model.APIError
		if !errors.As(err, &ae) || svc.Audit == nil {
			return ExitDenied
		}
		recs, warns, _ := svc.Audit.List()
		for _, w := range warns {
			env.tr().F(env.Stderr, "stsdeck roles: warning: %s\n", env.tr().Domain(w))
		}
		roles = nil
		for _, arn := range auditlog.RecentRoles(recs, 20) {
			name := arn[strings.LastIndex(arn, "/")+1:]
			roles = append(roles, model.Role{Name: name, ARN: arn, Source: "recent"})
		}
		roles = filterRoles(roles, *filter)
		env.tr().F(env.Stderr, "stsdeck roles: listing refused; showing %d role(s) from the local audit log instead (type any ARN with --role)\n", len(roles))
		printRoles(env, roles, nil, *asJSON)
		return ExitDenied
	}
	roles = filterRoles(roles, *filter)
	if len(roles) == 0 && *filter != "" {
		env.tr().F(env.Stderr, "stsdeck roles: no role matches %q\n", *filter)
	}
	printRoles(env, roles, trustsOf(ctx, env, svc, roles), *asJSON)
	return ExitOK
}

func roleJSON(r model.Role) map[string]any {
	m := map[string]any{
		"name": r.Name, "arn": r.ARN, "role_id": r.RoleID, "description": r.Description,
		"max_session_duration": int64(r.MaxSessionDuration / time.Second), "source": r.Source,
	}
	if !r.CreateDate.IsZero() {
		m["create_date"] = r.CreateDate.UTC().Format(time.RFC3339)
	}
	if r.TrustPolicy != "" {
		m["trust_policy"] = r.TrustPolicy
	}
	if r.Policies != nil {
		ps := []map[string]any{}
		for _, p := range r.Policies {
			ps = append(ps, map[string]any{"name": p.Name, "type": p.Type, "description": p.Description, "default_version": p.DefaultVersion, "document": p.Document})
		}
		m["policies"] = ps
	}
	return m
}

// printRoles prints the roles; trusts (nil = not known, e.g. roles from the audit log) holds
// each role's trust in words, by index.
func printRoles(env *Env, roles []model.Role, trusts []roleTrust, asJSON bool) {
	if asJSON {
		out := []map[string]any{}
		for i, r := range roles {
			m := roleJSON(r)
			if trusts != nil {
				trusts[i].addTo(m)
			}
			out = append(out, m)
		}
		writeJSON(env.Stdout, out)
		return
	}
	tr := env.tr()
	var rows [][]string
	if trusts == nil {
		rows = append(rows, []string{tr.S("NAME"), tr.S("MAX SESSION"), "ARN", tr.S("DESCRIPTION")})
	} else {
		rows = append(rows, []string{tr.S("NAME"), tr.S("MAX SESSION"), tr.S("CAN YOU ASSUME IT"), tr.S("TRUSTED BY"), "ARN", tr.S("DESCRIPTION")})
	}
	for i, r := range roles {
		max := "?"
		if r.MaxSessionDuration > 0 {
			max = r.MaxSessionDuration.String()
		}
		if trusts == nil {
			rows = append(rows, []string{r.Name, max, r.ARN, r.Description})
			continue
		}
		by := make([]string, len(trusts[i].by))
		for k, w := range trusts[i].by {
			by[k] = tr.Domain(w)
		}
		rows = append(rows, []string{r.Name, max, trusts[i].short(tr), strings.Join(by, "; "), r.ARN, r.Description})
	}
	writeTable(env.Stdout, rows)
	if trusts != nil && len(roles) > 0 {
		tr.Ln(env.Stdout, "(CAN YOU ASSUME IT judges the trust policy; your own policies must allow sts:AssumeRole too — stsdeck roles --role NAME says why)")
	}
}

func printRole(env *Env, r model.Role) {
	w, tr := env.Stdout, env.tr()
	tr.F(w, "Role          %s\n", r.Name)
	tr.F(w, "ARN           %s\n", r.ARN)
	if r.Description != "" {
		tr.F(w, "Description   %s\n", r.Description)
	}
	if r.MaxSessionDuration > 0 {
		tr.F(w, "Max session   %s\n", r.MaxSessionDuration)
	}
	if r.TrustPolicy != "" {
		tr.F(w, "Trust policy\n%s\n", indent(r.TrustPolicy))
	}
	if r.Policies == nil {
		tr.Ln(w, "Policies      (not readable)")
		return
	}
	for _, p := range r.Policies {
		tr.F(w, "Policy        %s (%s)\n", p.Name, p.Type)
		if p.Document != "" {
			fmt.Fprintf(w, "%s\n", indent(p.Document))
		} else {
			tr.Ln(w, "    (document not readable)")
		}
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
