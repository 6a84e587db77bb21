package flow

import (
	"sort"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
)

// The readiness use case: the guide's steps 1.1–1.4 checked for one role and the console's
// caller, before anything is issued. 1.1 the caller is a RAM user (STS refuses an account's root
// key); 1.2 its own policies allow sts:AssumeRole on the role (AliyunSTSAssumeRoleAccess or a
// narrower policy); 1.3 the role's trust policy lets it in (TrustsCaller); 1.4 the role's
// policies reach the chosen bucket for the test operations. Each check is a verdict, the reason
// in words and, unless it passes, the fix in words. Nothing here reads the network: the faces
// read the caller's policies and the role, and pass what they have (and why the rest is missing).

// Readiness steps, as the guide numbers them.
const (
	StepRAMUser    = "1.1"
	StepAssumeRole = "1.2"
	StepTrust      = "1.3"
	StepRolePolicy = "1.4"
)

// ReadinessCheck is one step's verdict.
type ReadinessCheck struct {
	Step string // StepRAMUser … StepRolePolicy
	// Kind is "ok", "deny", "warn" or "unknown" (the console renders it with Styles.Mark:
	// ✓ ✗ ! ?).
	Kind string
	Text string // the verdict in words
	Fix  string // what to do about it, in words; "" when Kind is "ok"
}

// ReadinessInput is what the checks know.
type ReadinessInput struct {
	// Caller is who the console acts as; nil = GetCallerIdentity has not answered.
	Caller *model.Caller
	// CallerPolicies are the policies attached to the caller (a RAM user), documents loaded
	// where readable; nil = not read: CallerPoliciesWhy says why ("" = still being read).
	CallerPolicies    []model.AttachedPolicy
	CallerPoliciesWhy string
	// Role is the role checked; RoleKnown says its details (trust policy, policies) arrived.
	Role      model.Role
	RoleKnown bool
	// Bucket and Prefix are the scope the role's policies must reach ("" bucket = not chosen).
	Bucket, Prefix string
	Region         string
}

// Readiness checks steps 1.1–1.4 in order.
func Readiness(in ReadinessInput) []ReadinessCheck {
	return []ReadinessCheck{readyUser(in), readyAssume(in), readyTrust(in), readyRolePolicy(in)}
}

// ReadinessSummary counts the checks that pass out of all.
func ReadinessSummary(cs []ReadinessCheck) (ok, total int) {
	for _, c := range cs {
		if c.Kind == "ok" {
			ok++
		}
	}
	return ok, len(cs)
}

const fixRAMUser = "create a RAM user with an AccessKey (RAM console → Users → Create User, OpenAPI access) and run stsdeck with its keys"

func readyUser(in ReadinessInput) ReadinessCheck {
	c := ReadinessCheck{Step: StepRAMUser}
	if in.Caller == nil {
		c.Kind, c.Text, c.Fix = "unknown", "who the console acts as is not known yet", "wait for GetCallerIdentity (the header names the caller)"
		return c
	}
	p := trustCallerPrincipal(*in.Caller)
	switch {
	case p.Type == "root" || in.Caller.IdentityType == "Account":
		c.Kind, c.Text, c.Fix = "deny", "you act as the account's root key: STS refuses AssumeRole from a root account", fixRAMUser
	case p.Type == "user":
		c.Kind, c.Text = "ok", "you act as RAM user "+p.Name
	case p.Type == "role":
		c.Kind, c.Text = "ok", "you act as a session of role "+p.Name+" (a role chain)"
	default:
		c.Kind, c.Text, c.Fix = "unknown", "you act as "+in.Caller.ARN+", not a RAM user", fixRAMUser
	}
	return c
}

func readyAssume(in ReadinessInput) ReadinessCheck {
	c := ReadinessCheck{Step: StepAssumeRole}
	if in.Caller == nil {
		c.Kind, c.Text, c.Fix = "unknown", "who the console acts as is not known yet", "wait for GetCallerIdentity (the header names the caller)"
		return c
	}
	p := trustCallerPrincipal(*in.Caller)
	arn := in.Role.ARN
	switch {
	case p.Type == "root" || in.Caller.IdentityType == "Account":
		c.Kind, c.Text, c.Fix = "deny", "a root account cannot assume roles", fixRAMUser
		return c
	case p.Type == "role":
		c.Kind = "unknown"
		c.Text = "you act as a session of role " + p.Name + ": its role's policies and its session policy decide, and they are not read here"
		c.Fix = "check that role " + p.Name + "'s policies allow sts:AssumeRole on " + arn
		return c
	case p.Type != "user":
		c.Kind, c.Text, c.Fix = "unknown", "not a RAM user: its policies are not read", fixRAMUser
		return c
	}
	fixAttach := "attach AliyunSTSAssumeRoleAccess to user " + p.Name + " (RAM console → Users → " + p.Name + " → Add Permissions), or a custom policy allowing sts:AssumeRole on " + arn
	if in.CallerPolicies == nil {
		c.Kind = "unknown"
		if in.CallerPoliciesWhy == "" {
			c.Text, c.Fix = "reading the policies of user "+p.Name+"…", "wait a moment"
			return c
		}
		c.Text = "cannot tell: the policies of user " + p.Name + " could not be read (" + in.CallerPoliciesWhy + ")"
		c.Fix = "let the user read its own policies (ram:ListPoliciesForUser, ram:GetPolicy), or check in the RAM console that it has AliyunSTSAssumeRoleAccess or sts:AssumeRole on this role"
		return c
	}
	var pols []*policy.Policy
	var unreadable []string
	for _, ap := range in.CallerPolicies {
		if ap.Document == "" {
			unreadable = append(unreadable, ap.Name)
			continue
		}
		pp, err := policy.Parse(ap.Name, []byte(ap.Document), policy.KindIdentity)
		if err != nil {
			unreadable = append(unreadable, ap.Name)
			continue
		}
		pols = append(pols, pp)
	}
	if pols == nil {
		pols = []*policy.Policy{}
	}
	r := policy.EvaluateAssumeRole(p, arn, pols, nil, nil).Identity
	switch {
	case r.Decision == policy.DecisionAllow:
		c.Kind, c.Text = "ok", matchedPolicies(r.Statements, policy.Allow)+" allows sts:AssumeRole on this role"
	case r.Decision == policy.DecisionExplicitDeny:
		by := matchedPolicies(r.Statements, policy.Deny)
		c.Kind, c.Text = "deny", by+" denies sts:AssumeRole on this role"
		c.Fix = "remove or narrow the Deny in " + by
	case len(r.Indeterminate) > 0:
		c.Kind = "unknown"
		c.Text = "allowed only when " + strings.Join(r.Indeterminate, ", ") + " match (a condition)"
		c.Fix = "check the condition against where stsdeck runs"
	case len(unreadable) > 0:
		c.Kind = "unknown"
		c.Text = "no readable policy of user " + p.Name + " allows sts:AssumeRole on this role (unreadable: " + strings.Join(unreadable, ", ") + ")"
		c.Fix = "let the user read them (ram:GetPolicy), or check in the RAM console that it has AliyunSTSAssumeRoleAccess or sts:AssumeRole on this role"
	default:
		c.Kind = "deny"
		c.Text = "none of the policies attached to user " + p.Name + " allows sts:AssumeRole on this role (policies of its groups are not read)"
		c.Fix = fixAttach
	}
	return c
}

// matchedPolicies names the policies of the statements with effect eff ("A, B").
func matchedPolicies(ms []policy.Match, eff policy.Effect) string {
	seen := map[string]bool{}
	var names []string
	for _, m := range ms {
		if m.Effect == eff && !seen[m.Policy] {
			seen[m.Policy] = true
			names = append(names, m.Policy)
		}
	}
	if len(names) == 0 {
		return "a policy"
	}
	return strings.Join(names, ", ")
}

func readyTrust(in ReadinessInput) ReadinessCheck {
	c := ReadinessCheck{Step: StepTrust}
	switch {
	case !in.RoleKnown:
		c.Kind, c.Text, c.Fix = "unknown", "the role's details are not loaded yet", "wait for GetRole (or r reloads)"
		return c
	case in.Role.TrustPolicy == "":
		c.Kind, c.Text, c.Fix = "unknown", "RAM did not return the role's trust policy", "check the role's trust policy in the RAM console (Roles → "+in.Role.Name+" → Trust Policy)"
		return c
	case in.Caller == nil:
		c.Kind, c.Text, c.Fix = "unknown", "who the console acts as is not known yet", "wait for GetCallerIdentity (the header names the caller)"
		return c
	}
	c.Kind, c.Text = TrustsCaller(in.Role.TrustPolicy, in.Role.ARN, *in.Caller)
	c.Text = strings.TrimSuffix(c.Text, " (your own policies must allow sts:AssumeRole too)")
	p := trustCallerPrincipal(*in.Caller)
	acct := p.AccountID
	if acct == "" {
		acct = "<account id>"
	}
	switch c.Kind {
	case "deny":
		if p.Type == "root" {
			c.Fix = fixRAMUser
			break
		}
		who := trustShortARN(in.Caller.ARN)
		if p.Type == "role" {
			who = "role/" + p.Name
		}
		c.Fix = "edit role " + in.Role.Name + "'s trust policy (RAM console → Roles → " + in.Role.Name + " → Trust Policy): let \"RAM\": \"acs:ram::" + acct + ":root\" (any RAM identity of the account) or \"acs:ram::" + acct + ":" + who + "\" (only you) assume it"
	case "warn":
		c.Fix = "type the external id on the Issue form (screen 3)"
	case "unknown":
		c.Fix = "check the trust policy's conditions (p shows it)"
	}
	return c
}

func readyRolePolicy(in ReadinessInput) ReadinessCheck {
	c := ReadinessCheck{Step: StepRolePolicy}
	where := in.Bucket + "/" + in.Prefix
	switch {
	case in.Bucket == "":
		c.Kind, c.Text, c.Fix = "unknown", "no bucket chosen", "choose the bucket and prefix on screen 2 (Policy, b)"
		return c
	case !in.RoleKnown:
		c.Kind, c.Text, c.Fix = "unknown", "the role's details are not loaded yet", "wait for GetRole (or r reloads)"
		return c
	}
	id := CompileIdentity(&in.Role)
	if in.Role.Policies == nil {
		c.Kind, c.Text = "unknown", "the role's policies could not be read"
		c.Fix = "let the caller read them (ram:ListPoliciesForRole, ram:GetPolicy), or check them in the RAM console"
		return c
	}
	acct, _, _ := issuereq.ParseRoleARN(in.Role.ARN)
	pv := ComputePreview(PreviewInput{RoleName: in.Role.Name, AccountID: acct, Region: in.Region, Identity: id,
		Bucket: in.Bucket, Prefix: in.Prefix})
	var allowed, denied, unknown []string
	for _, row := range pv.Cells {
		cell := row[0] // inside the prefix
		switch cell.Verdict {
		case VerdictAllow:
			allowed = append(allowed, cell.Op)
		case VerdictDeny:
			denied = append(denied, cell.Op)
		default:
			unknown = append(unknown, cell.Op)
		}
	}
	ops := func(s []string) string { return strings.Join(s, ", ") }
	// Why some cells are unknown: unreadable documents, else a condition.
	why := "a condition decides"
	if names, ok := strings.CutPrefix(id.Unknown, "unreadable: "); ok {
		why = "unreadable: " + names
	}
	fix := "attach a policy to role " + in.Role.Name + " allowing what the partner needs, e.g. oss:PutObject on acs:oss:*:*:" + in.Bucket + "/" + in.Prefix + "*"
	switch {
	case len(allowed) == len(pv.Cells):
		c.Kind, c.Text = "ok", "allows "+ops(allowed)+" in "+where
	case len(allowed) > 0 && len(unknown) == 0:
		c.Kind, c.Text = "ok", "allows "+ops(allowed)+" in "+where+", not "+ops(denied)
	case len(allowed) > 0:
		c.Kind, c.Text = "ok", "allows "+ops(allowed)+" in "+where+", cannot tell for "+ops(unknown)+" ("+why+")"
	case len(unknown) > 0:
		c.Kind, c.Text = "unknown", "cannot tell for "+ops(unknown)+" in "+where+" ("+why+")"
		c.Fix = "p shows the role's policies"
	default:
		c.Kind, c.Text, c.Fix = "deny", "allows none of "+ops(denied)+" in "+where, fix
		if by := denyingPolicies(pv); by != "" {
			c.Text += " (" + by + " denies)"
			c.Fix = "remove or narrow the Deny in " + by
		}
	}
	return c
}

// denyingPolicies names the identity policies with an explicit Deny in the preview's inside cells.
func denyingPolicies(pv Preview) string {
	seen := map[string]bool{}
	var names []string
	for _, row := range pv.Cells {
		for _, m := range row[0].Result.Statements {
			if m.Effect == policy.Deny && !seen[m.Policy] {
				seen[m.Policy] = true
				names = append(names, m.Policy)
			}
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
