package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
)

// roles: RAM ListRoles (all pages), or one role in detail. When RAM refuses the listing it says
// so and falls back to the roles recently issued from (audit log), exiting 1.
//
//	stsdeck roles [--role NAME|ARN] [--json]
func runRoles(ctx context.Context, env *Env) int {
	c := newCmd(env, "roles", "[--role NAME|ARN] [--json]")
	role := c.String("role", "", "show one role in detail (trust policy, attached policies)")
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
		if *asJSON {
			writeJSON(env.Stdout, roleJSON(r))
		} else {
			printRole(env, r)
		}
		if err != nil { // the role was readable, its attached policies were not
			printError(env.Stderr, "stsdeck roles", err)
			return ExitDenied
		}
		return ExitOK
	}
	roles, err := svc.Roles.ListRoles(ctx)
	if err != nil {
		printError(env.Stderr, "stsdeck roles", err)
		var ae *model.APIError
		if !errors.As(err, &ae) || svc.Audit == nil {
			return ExitDenied
		}
		recs, warns, _ := svc.Audit.List()
		for _, w := range warns {
			fmt.Fprintf(env.Stderr, "stsdeck roles: warning: %s\n", w)
		}
		roles = nil
		for _, arn := range auditlog.RecentRoles(recs, 20) {
			name := arn[strings.LastIndex(arn, "/")+1:]
			roles = append(roles, model.Role{Name: name, ARN: arn, Source: "recent"})
		}
		fmt.Fprintf(env.Stderr, "stsdeck roles: listing refused; showing %d role(s) from the local audit log instead (type any ARN with --role)\n", len(roles))
		printRoles(env, roles, *asJSON)
		return ExitDenied
	}
	printRoles(env, roles, *asJSON)
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

func printRoles(env *Env, roles []model.Role, asJSON bool) {
	if asJSON {
		out := []map[string]any{}
		for _, r := range roles {
			out = append(out, roleJSON(r))
		}
		writeJSON(env.Stdout, out)
		return
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tMAX SESSION\tARN\tDESCRIPTION")
	for _, r := range roles {
		max := "?"
		if r.MaxSessionDuration > 0 {
			max = r.MaxSessionDuration.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, max, r.ARN, r.Description)
	}
	tw.Flush()
}

func printRole(env *Env, r model.Role) {
	w := env.Stdout
	fmt.Fprintf(w, "Role          %s\n", r.Name)
	fmt.Fprintf(w, "ARN           %s\n", r.ARN)
	if r.Description != "" {
		fmt.Fprintf(w, "Description   %s\n", r.Description)
	}
	if r.MaxSessionDuration > 0 {
		fmt.Fprintf(w, "Max session   %s\n", r.MaxSessionDuration)
	}
	if r.TrustPolicy != "" {
		fmt.Fprintf(w, "Trust policy\n%s\n", indent(r.TrustPolicy))
	}
	if r.Policies == nil {
		fmt.Fprintln(w, "Policies      (not readable)")
		return
	}
	for _, p := range r.Policies {
		fmt.Fprintf(w, "Policy        %s (%s)\n", p.Name, p.Type)
		if p.Document != "" {
			fmt.Fprintf(w, "%s\n", indent(p.Document))
		} else {
			fmt.Fprintln(w, "    (document not readable)")
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
