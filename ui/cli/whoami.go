package cli

import (
	"context"
	"fmt"
)

// whoami: GetCallerIdentity with the resolved credentials.
//
//	stsdeck whoami [--json]
func runWhoami(ctx context.Context, env *Env) int {
	c := newCmd(env, "whoami", "[--json]")
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
	if svc.Identity == nil {
		return c.bad("no identity service available")
	}
	who, err := svc.Identity.Whoami(ctx)
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		writeJSON(env.Stdout, map[string]any{
			"account_id": who.AccountID, "user_id": who.UserID, "arn": who.ARN, "identity_type": who.IdentityType,
			"principal_id": who.PrincipalID, "role_id": who.RoleID, "mode": svc.Mode, "region": svc.Region,
			"credentials_from": svc.Where,
		})
		return ExitOK
	}
	tr := env.tr()
	line := func(label, value string) {
		fmt.Fprintf(env.Stdout, "%s%s\n", padCells(label, 14), value) // i18n:ok
	}
	line(tr.S("Account"), who.AccountID)
	line(tr.S("Identity"), tr.S("%s (%s)", who.ARN, who.IdentityType))
	if who.UserID != "" {
		line("UserId", who.UserID)
	}
	if who.RoleID != "" {
		line("RoleId", who.RoleID)
	}
	line(tr.S("Mode"), tr.S("%s, region %s", svc.Mode, svc.Region))
	line(tr.S("Credentials"), tr.Domain(svc.Where))
	return ExitOK
}
