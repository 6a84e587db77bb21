package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/atomicfile"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// cmdFlags is one command's flag set with the global flags (--sandbox, --profile, --region,
// --sts-endpoint, --ram-endpoint, --oss-endpoint) registered into g.
type cmdFlags struct {
	*flag.FlagSet
	g    Global
	env  *Env
	name string
	svc  *service.Services // set by connect; fail asks its sandbox for the server's trace
}

func newCmd(env *Env, name, synopsis string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	c := &cmdFlags{FlagSet: fs, env: env, name: name}
	registerGlobal(fs, &c.g)
	fs.Usage = func() {
		env.tr().F(env.Stderr, "Usage: stsdeck %s %s\n\nFlags:\n", name, synopsis)
		printFlags(env.Stderr, fs, env.tr())
	}
	return c
}

// registerGlobal registers the flags every command takes.
func registerGlobal(fs *flag.FlagSet, g *Global) {
	fs.BoolVar(&g.Sandbox, "sandbox", false, "use the embedded sandbox (in the state dir) as the RAM user sts-issuer")
	fs.StringVar(&g.Profile, "profile", "", "aliyun CLI profile `NAME` (~/.aliyun/config.json)")
	fs.StringVar(&g.Region, "region", "", "region `ID` (default: the profile's, else cn-hangzhou)")
	fs.StringVar(&g.STSEndpoint, "sts-endpoint", "", "STS endpoint `URL` (http://127.0.0.1:40123; a bare host means https; default $STSDECK_STS_ENDPOINT, else the region's)")
	fs.StringVar(&g.RAMEndpoint, "ram-endpoint", "", "RAM endpoint `URL` (default $STSDECK_RAM_ENDPOINT, else the STS one when that is loopback, else RAM's)")
	fs.StringVar(&g.OSSEndpoint, "oss-endpoint", "", "OSS endpoint `URL` (default $STSDECK_OSS_ENDPOINT, else the region's)")
	langFlag(fs)
}

// parse parses args, allowing flags after positional arguments. code >= 0 means: stop and exit.
func (c *cmdFlags) parse(args []string) (pos []string, code int) {
	for {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ExitOK
			}
			return nil, ExitBadInput
		}
		rest := c.Args()
		if len(rest) == 0 {
			return pos, -1
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// bad reports bad input and returns ExitBadInput. The format is a catalog ID; error
// arguments are shown in the operator's language (errText).
func (c *cmdFlags) bad(format string, a ...any) int {
	tr := c.env.tr()
	fmt.Fprintf(c.env.Stderr, "stsdeck %s: %s\n", c.name, tr.S(format, trArgs(tr, a)...)) // i18n:ok
	return ExitBadInput
}

// connect resolves credentials and endpoints. Any failure is bad input (exit 2): no
// credentials (the message lists where it looked), a bad endpoint flag, a bad profile.
func (c *cmdFlags) connect(ctx context.Context) (*service.Services, func(), int) {
	if p := regionFlagProblem(c.g.Region); p != "" {
		return nil, nil, c.bad("--region: %s", c.env.tr().Domain(p))
	}
	if c.env.Deps.Connect == nil {
		return nil, nil, c.bad("%s", c.env.tr().S("no service wiring in this build"))
	}
	svc, closer, err := c.env.Deps.Connect(ctx, c.g, c.env)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "stsdeck %s: %s\n", c.name, errText(c.env.tr(), err)) // i18n:ok
		if !c.g.Sandbox {
			c.env.tr().Ln(c.env.Stderr, "  (use --sandbox to run against the embedded sandbox)")
		}
		return nil, nil, ExitBadInput
	}
	if closer == nil {
		closer = func() {}
	}
	c.svc = svc
	return svc, closer, -1
}

// regionFlagProblem checks --region ("" = not given, fine).
func regionFlagProblem(r string) string {
	if r == "" {
		return ""
	}
	return issuereq.RegionProblem(r)
}

// fail reports an error from a service and returns the exit code: 2 for a request refused
// before sending, 1 otherwise (denied, failed).
func (c *cmdFlags) fail(err error) int {
	var ir *issuereq.InvalidRequestError
	if errors.As(err, &ir) {
		c.env.tr().Ln(c.env.Stderr, "stsdeck %s: the request was not sent:", c.name)
		for _, p := range ir.Problems {
			fmt.Fprintf(c.env.Stderr, "  %s\n", problemText(c.env.tr(), p))
		}
		return ExitBadInput
	}
	printError(c.env.Stderr, c.env.tr(), "stsdeck "+c.name, err)
	c.serverTrace(err)
	return ExitDenied
}

// serverTrace prints, in sandbox mode, the server's own account of why it answered a failed
// request the way it did (the authoritative "why" beside the client-side error).
func (c *cmdFlags) serverTrace(err error) {
	var ae *model.APIError
	if c.svc == nil || c.svc.Sandbox == nil || !errors.As(err, &ae) || ae.RequestID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	tr, terr := c.svc.Sandbox.Trace(ctx, ae.Service, ae.RequestID)
	if terr != nil || tr == nil {
		return
	}
	printTrace(c.env.Stderr, c.env.tr(), tr)
}

// printTrace prints a sandbox decision trace in a few indented lines.
func printTrace(w io.Writer, t *i18n.T, tr *model.Trace) {
	if tr.Resource != "" {
		t.Ln(w, "  sandbox trace %s: %s %s on %s", tr.RequestID, tr.Operation, tr.Action, tr.Resource)
	} else {
		t.Ln(w, "  sandbox trace %s: %s %s", tr.RequestID, tr.Operation, tr.Action)
	}
	if tr.Check != "" || tr.Detail != "" {
		t.F(w, "    failed check: %s: %s\n", dash(tr.Check), t.Domain(tr.Detail))
	}
	if tr.Decision != "" {
		var layers strings.Builder
		for _, l := range []string{"session", "identity", "bucket", "trust"} {
			if o, ok := tr.Layers[l]; ok && o != "" {
				fmt.Fprintf(&layers, "; %s %s", l, o) // i18n:ok (layer names and outcomes, as --json has them)
			}
		}
		t.Ln(w, "    decision: %s, decided by %s%s", tr.Decision, dash(tr.DecidedBy), layers.String())
	}
	for _, st := range tr.Statements {
		t.F(w, "    matched: %s policy %q statement %d (line %d): %s\n", st.Layer, st.Policy, st.Index, st.Line, st.Effect)
	}
	if len(tr.Indeterminate) > 0 {
		t.F(w, "    unknown condition keys: %s\n", strings.Join(tr.Indeterminate, ", "))
	}
}

// printError prints an error; an API error gets its hint and links on their own lines. The
// cloud's own message stays as the cloud sent it; stsdeck's hint is in the operator's language.
func printError(w io.Writer, tr *i18n.T, prefix string, err error) {
	fmt.Fprintf(w, "%s: %s\n", prefix, errText(tr, err)) // i18n:ok
	var ae *model.APIError
	if errors.As(err, &ae) {
		if ae.Hint != "" {
			tr.F(w, "  hint: %s\n", tr.Domain(ae.Hint))
		}
		if d := ae.AccessDeniedDetail; d != nil && (d.PolicyType != "" || d.AuthAction != "") {
			tr.F(w, "  denied: %s\n", deniedDetailText(tr, d))
		}
		if ae.Recommend != "" {
			tr.F(w, "  see: %s\n", ae.Recommend)
		} else if ae.RecommendDoc != "" {
			tr.F(w, "  see: %s\n", ae.RecommendDoc)
		}
	}
}

// deniedDetailText explains an AccessDeniedDetail in words: the action, how it was denied, by
// which policy, and whom the decision was about (the principal's id is RAM's, not a key).
func deniedDetailText(tr *i18n.T, d *model.AccessDeniedDetail) string {
	s := dash(d.AuthAction)
	switch d.NoPermissionType {
	case "ImplicitDeny":
		s = tr.S("%s, implicitly denied (no statement allows it)", s)
	case "ExplicitDeny":
		s = tr.S("%s, explicitly denied (a Deny statement matched)", s)
	case "":
	default:
		s += ", " + d.NoPermissionType
	}
	if d.PolicyType != "" {
		s = tr.S("%s by %s", s, policyTypeText(tr, d.PolicyType))
	}
	if d.AuthPrincipalDisplayName != "" || d.AuthPrincipalType != "" {
		var who string
		switch d.AuthPrincipalType {
		case "SubUser":
			who = tr.S("RAM user id %s", d.AuthPrincipalDisplayName)
		case "AssumedRoleUser":
			who = tr.S("assumed role (role id:session) %s", d.AuthPrincipalDisplayName)
		case "RootUser", "Account":
			who = tr.S("account %s", d.AuthPrincipalDisplayName)
		default:
			who = strings.TrimSpace(d.AuthPrincipalType + " " + d.AuthPrincipalDisplayName)
		}
		if d.AuthPrincipalOwnerID != "" {
			who = tr.S("%s in account %s", who, d.AuthPrincipalOwnerID)
		}
		s = tr.S("%s; principal: %s", s, who)
	}
	return s
}

func policyTypeText(tr *i18n.T, t string) string {
	switch strings.ToLower(t) {
	case "assumerolepolicy":
		return tr.S("AssumeRolePolicy (the role's trust policy)")
	case "sessionpolicy":
		return tr.S("SessionPolicy (the token's session policy)")
	case "accountlevelidentitybasedpolicy", "identitypolicy", "rampolicy":
		return tr.S("%s (a RAM policy attached to the caller)", t)
	case "resourcegrouplevelidentitybasedpolicy":
		return tr.S("%s (a RAM policy scoped to a resource group)", t)
	case "bucketpolicy", "resourcebasedpolicy":
		return tr.S("%s (the bucket policy)", t)
	case "controlpolicy":
		return tr.S("%s (a resource directory control policy)", t)
	}
	return t
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseDuration reads 15m, 1h30m, 12h or a plain number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, msg.Errf("%q is not a duration (e.g. 15m, 1h, 12h, or seconds)", s)
	}
	return d, nil
}

// parseOSSURL splits oss://bucket/key.
func parseOSSURL(s string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(s, "oss://")
	if !ok {
		return "", "", msg.Errf("%q: want oss://bucket/key", s)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" || key == "" {
		return "", "", msg.Errf("%q: want oss://bucket/key with both parts", s)
	}
	return bucket, key, nil
}

// tokenFlags are the flags of every command that may issue a token first.
type tokenFlags struct {
	role, policyFile, template, bucket, prefix string
	duration, sessionName, externalID          string
	// policyDoc is a session policy given as text (issue --from-history: the record's policy as
	// it was sent); --policy and --template win over it.
	policyDoc string
}

func (t *tokenFlags) register(fs *flag.FlagSet, withBucket bool) {
	fs.StringVar(&t.role, "role", "", "role `NAME|ARN` to assume")
	fs.StringVar(&t.policyFile, "policy", "", "session policy `FILE` (- = stdin)")
	fs.StringVar(&t.template, "template", "", "session policy template `NAME[,overlay]` ("+strings.Join(policy.TemplateNames, ", ")+"); needs --bucket and --prefix") // i18n:ok (its catalog ID has the names filled in; TestFlagUsageChinese)
	if withBucket {
		fs.StringVar(&t.bucket, "bucket", "", "`BUCKET` (for --template; upload and presign default to the destination's)")
		fs.StringVar(&t.prefix, "prefix", "", "key `PREFIX` for --template")
	}
	fs.StringVar(&t.duration, "duration", "", "token lifetime `D`, 15m..12h (default: 1h, the STS default)")
	fs.StringVar(&t.sessionName, "session-name", "", "role session `NAME` (default stsdeck-<UTC time>-<4 random hex>, unique per token)")
	fs.StringVar(&t.externalID, "external-id", "", "external `ID` the role's trust policy requires")
}

// sessionPolicy reads --policy or renders --template; "" = none.
func (c *cmdFlags) sessionPolicy(t *tokenFlags) (string, error) {
	if t.policyFile != "" && t.template != "" {
		return "", msg.Errf("give --policy or --template, not both")
	}
	if t.policyFile != "" {
		var data []byte
		var err error
		if t.policyFile == "-" {
			data, err = io.ReadAll(io.LimitReader(c.env.Stdin, 1<<20))
		} else {
			data, err = os.ReadFile(t.policyFile)
		}
		if err != nil {
			return "", fmt.Errorf("--policy: %w", err) // i18n:ok
		}
		return string(issuereq.PolicyAsSent(data)), nil
	}
	if t.template != "" {
		if t.bucket == "" {
			return "", msg.Errf("--template needs --bucket (and --prefix)")
		}
		doc, err := policy.Template(t.template, t.bucket, t.prefix)
		if err != nil {
			return "", fmt.Errorf("--template: %w", err)
		}
		// Sent minified: the 2,048-byte limit counts the bytes as sent.
		if min, err := policy.Minify([]byte(doc)); err == nil {
			return string(min), nil
		}
		return doc, nil
	}
	return t.policyDoc, nil
}

// issued is a token the command obtained, with its audit record.
type issued struct {
	creds  model.Credentials
	record model.AuditRecord
	role   model.Role // as RAM described it; zero when RAM would not say
}

// issue builds an issue request from the flags and runs the issue use case (model/flow: input
// checks, AssumeRole, audit record). code >= 0 means: stop with that exit code (the error is
// already printed).
func (c *cmdFlags) issue(ctx context.Context, svc *service.Services, t *tokenFlags) (*issued, int) {
	pol, err := c.sessionPolicy(t)
	if err != nil {
		return nil, c.bad("%s", err)
	}
	var dur time.Duration
	if t.duration != "" {
		if dur, err = parseDuration(t.duration); err != nil {
			return nil, c.bad("--duration: %s", err)
		}
		if dur == 0 {
			// STS reads 0 as "not given" and issues its default of 1h: say so rather than do it.
			return nil, c.bad("--duration %s: 0 is not a duration; omit the flag for the role's default", t.duration)
		}
	}
	name := t.sessionName
	if name == "" {
		name = issuereq.DefaultSessionName(c.env.Now()) // as the console names it
	}
	if svc.Issuer == nil {
		return nil, c.bad("no token issuer available")
	}
	arn, code := c.resolveRole(ctx, svc, t.role)
	if code >= 0 {
		return nil, code
	}
	req := model.IssueRequest{RoleARN: arn, SessionName: name, Duration: dur, ExternalID: t.externalID, Policy: pol}
	// The role's real maximum, when RAM tells us (the adapter learns it and checks it).
	var role model.Role
	if svc.Roles != nil {
		role, _ = svc.Roles.GetRole(ctx, arn)
	}
	res, err := flow.Issue(ctx, flow.IssuePorts{Issuer: svc.Issuer, Audit: svc.Audit, Identity: svc.Identity},
		flow.IssueInput{Request: req, Role: role, Mode: svc.Mode, Region: svc.Region, Now: c.env.Now})
	for _, p := range res.Warnings {
		fmt.Fprintf(c.env.Stderr, "stsdeck %s: %s\n", c.name, problemText(c.env.tr(), p)) // i18n:ok
	}
	if res.ExternalIDMissing {
		c.env.tr().F(c.env.Stderr, "stsdeck %s: warning: the role %s trusts you only with an external id (sts:ExternalId in its trust policy): pass --external-id; sending anyway\n", c.name, role.Name)
	}
	if err != nil {
		return nil, c.fail(err)
	}
	cr := res.Creds
	if cr.Region == "" {
		cr.Region = svc.Region
	}
	if res.AuditErr != nil {
		c.env.tr().F(c.env.Stderr, "stsdeck %s: warning: the token was issued but not recorded: %s\n", c.name, errText(c.env.tr(), res.AuditErr))
	}
	return &issued{creds: cr, record: res.Record, role: role}, -1
}

// resolveRole turns --role NAME|ARN into an ARN; a name is placed in the caller's account
// (GetCallerIdentity, no RAM needed).
func (c *cmdFlags) resolveRole(ctx context.Context, svc *service.Services, role string) (string, int) {
	role = strings.TrimSpace(role)
	if role == "" {
		return "", c.bad("--role is required")
	}
	if strings.HasPrefix(role, "acs:") {
		if _, _, ok := issuereq.ParseRoleARN(role); !ok {
			return "", c.bad("--role %q: not a role ARN (want acs:ram::<account-id>:role/<role-name>)", role)
		}
		return role, -1
	}
	if strings.ContainsAny(role, ":/ ") {
		return "", c.bad("--role %q: want a role name or acs:ram::<account-id>:role/<role-name>", role)
	}
	acct := svc.AccountID
	if acct == "" && svc.Identity != nil {
		who, err := svc.Identity.Whoami(ctx)
		if err != nil {
			return "", c.fail(msg.Errf("resolving role name %q needs the account id: %v", role, err))
		}
		acct = who.AccountID
	}
	if acct == "" {
		return "", c.bad("--role %q: the account id is unknown; pass the full ARN", role)
	}
	return issuereq.RoleARN(acct, role), -1
}

// temporary returns temporary credentials for OSS commands: a fresh token when --role is given,
// else the services' own credentials if they are an STS token.
func (c *cmdFlags) temporary(ctx context.Context, svc *service.Services, t *tokenFlags) (*issued, int) {
	if t.role != "" {
		return c.issue(ctx, svc, t)
	}
	if t.policyFile != "" || t.template != "" || t.duration != "" || t.externalID != "" {
		return nil, c.bad("--policy, --template, --duration and --external-id need --role (they shape a new token)")
	}
	if !svc.Temporary || svc.Current == nil {
		sb := ""
		if svc.Mode == "sandbox" {
			sb = "--sandbox "
		}
		return nil, c.bad("this command uses temporary credentials: pass --role NAME (a token is issued first), or export one, e.g. eval \"$(stsdeck issue %s--role NAME --format env)\"", sb)
	}
	cr, err := svc.Current(ctx)
	if err != nil {
		return nil, c.fail(err)
	}
	if cr.Region == "" {
		cr.Region = svc.Region
	}
	return &issued{creds: cr}, -1
}

// confirm asks a yes/no question on stderr and reads the answer from stdin.
func confirm(env *Env, question string) bool {
	env.tr().F(env.Stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// writeFile0600 writes data atomically with mode 0600 (model/atomicfile), creating the
// directory (0700) when missing.
func writeFile0600(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}

// homeDir returns $HOME from the command's environment, else the user's home.
func homeDir(env *Env) string {
	if h := env.Getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// parseSize reads 1024, 10KiB, 5MiB, 1GiB (model.ParseBytes, shared with the console).
func parseSize(s string) (int64, error) { return model.ParseBytes(s) }
