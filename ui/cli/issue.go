package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/ui/credfmt"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// issue: AssumeRole with client-side validation, an audit record, and the credentials as a
// masked card or in a format another tool reads.
//
//	stsdeck issue --role NAME|ARN [--policy FILE|-] [--template NAME[,overlay] --bucket B --prefix P]
//	              [--duration 15m..12h] [--session-name S] [--external-id X]
//	              [--format card|env|fish|powershell|json|ossutil|aliyun-cli|config-json] [--out FILE]
func runIssue(ctx context.Context, env *Env) int {
	c := newCmd(env, "issue", "--role NAME|ARN [--policy FILE|- | --template NAME --bucket B --prefix P] [--duration D] [--format F] [--out FILE]")
	var t tokenFlags
	t.register(c.FlagSet, true)
	format := c.String("format", "card", "output `FORMAT`: card (secret masked), "+strings.Join(credfmt.Kinds, ", ")) // i18n:ok (its catalog ID has the formats filled in; TestFlagUsageChinese)
	asJSON := c.Bool("json", false, "same as --format json")
	out := c.String("out", "", "write the output to `FILE` (0600) instead of stdout; for config-json the file to merge into (default ~/.aliyun/config.json)")
	profileName := c.String("profile-name", credfmt.DefaultProfileName, "aliyun CLI profile `NAME` for aliyun-cli and config-json")
	via := c.String("via", "", "reach --role through intermediate `ROLE[,ROLE]` (a role chain; each hop's trust is previewed)")
	fromHistory := c.String("from-history", "", "issue again with the inputs of audit record `ID` (stsdeck history; a unique prefix will do): role, session policy, duration, region; flags given win")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	// Check where --out goes before a token is issued: a missing directory is a typo, not
	// something to create (the console's export refuses it too).
	if *out != "" && *format != "config-json" {
		if fi, err := os.Stat(filepath.Dir(*out)); err != nil {
			return c.bad("--out %s: no such directory: %s", *out, filepath.Dir(*out))
		} else if !fi.IsDir() {
			return c.bad("--out %s: not a directory: %s", *out, filepath.Dir(*out))
		}
	}
	if *asJSON {
		if *format != "card" && *format != "json" {
			return c.bad("--json and --format %s disagree", *format)
		}
		*format = "json"
	}
	if *format != "card" && !credfmt.Valid(*format) {
		return c.bad("--format %q: want card or one of %s", *format, strings.Join(credfmt.Kinds, ", "))
	}
	if *fromHistory != "" {
		if code := c.cloneRecord(&t, *fromHistory); code >= 0 {
			return code
		}
	}
	if t.role == "" {
		return c.bad("--role is required")
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	tok, code := c.issueMaybeVia(ctx, svc, &t, *via)
	if code >= 0 {
		return code
	}
	cr := tok.creds
	opts := credfmt.Options{Region: cr.Region, Endpoint: ossutilEndpoint(svc), ProfileName: *profileName, Lang: env.tr().Lang()}
	if *format == "external-profile" {
		opts.ProcessCommand = externalCommand(env.Args)
	}
	switch *format {
	case "card":
		var b strings.Builder
		writeCard(&b, env.tr(), cr, tok.record, svc, env.Now())
		return c.emit(*out, b.String())
	case "config-json":
		path := *out
		if path == "" {
			if p := env.Getenv("ALIBABA_CLOUD_CONFIG_FILE"); p != "" {
				path = p
			} else {
				path = filepath.Join(homeDir(env), ".aliyun", "config.json")
			}
		}
		existing, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			return c.bad("reading %s: %v", path, err)
		}
		text, err := credfmt.Format("config-json", cr, credfmt.Options{Region: opts.Region, ProfileName: opts.ProfileName, Existing: existing, Lang: opts.Lang})
		if err != nil {
			return c.bad("%v (the token was issued; nothing was written)", err)
		}
		if err := writeFile0600(path, []byte(text)); err != nil {
			env.tr().F(env.Stderr, "stsdeck issue: writing %s: %v\n", path, err)
			return ExitDenied
		}
		env.tr().F(env.Stderr, "stsdeck issue: profile %q (StsToken, expires %s) merged into %s\n", opts.ProfileName, cr.Expiration.UTC().Format(time.RFC3339), path)
		return ExitOK
	default:
		text, err := credfmt.Format(*format, cr, opts)
		if err != nil {
			return c.bad("%v", err)
		}
		return c.emit(*out, text)
	}
}

// emit writes text to stdout, or to a 0600 file.
func (c *cmdFlags) emit(path, text string) int {
	if path == "" {
		io.WriteString(c.env.Stdout, text)
		return ExitOK
	}
	if err := writeFile0600(path, []byte(text)); err != nil {
		c.env.tr().F(c.env.Stderr, "stsdeck %s: writing %s: %v\n", c.name, path, err)
		return ExitDenied
	}
	c.env.tr().F(c.env.Stderr, "stsdeck %s: written to %s (mode 0600)\n", c.name, path)
	return ExitOK
}

func ossutilEndpoint(svc *service.Services) string {
	if svc.OSSEndpoint == "" {
		return ""
	}
	return svc.OSSEndpoint
}

// writeCard renders the token card: the secret masked, the token abbreviated. Labels are
// padded in terminal cells, so the values line up in Chinese too.
func writeCard(w io.Writer, tr *i18n.T, cr model.Credentials, rec model.AuditRecord, svc *service.Services, now time.Time) {
	badge := "LIVE"
	if svc.Mode == "sandbox" {
		badge = "SANDBOX"
	}
	line := func(label, value string) {
		fmt.Fprintf(w, "  %s%s\n", padCells(label, 17), value) // i18n:ok
	}
	left := cr.Remaining(now).Round(time.Second)
	tr.F(w, "Temporary credentials [%s]\n", badge)
	line(tr.S("Role"), cr.RoleARN)
	if cr.AssumedRoleARN != "" {
		line(tr.S("Assumed as"), cr.AssumedRoleARN)
	}
	line(tr.S("Session"), rec.SessionName)
	line("AccessKeyId", cr.AccessKeyID)
	line("AccessKeySecret", tr.S("%s (not shown: use --format to export)", model.MaskSecret(cr.AccessKeySecret)))
	line("SecurityToken", model.AbbrevToken(cr.SecurityToken))
	line(tr.S("Expires"), tr.S("%s UTC (%s local), %s left",
		cr.Expiration.UTC().Format("2006-01-02 15:04:05"), cr.Expiration.Local().Format("2006-01-02 15:04:05 MST"), left))
	if cr.ServerClockOffset != 0 {
		line(tr.S("Clock"), tr.S("this machine is %s off the server (countdown corrected)", cr.ServerClockOffset))
	}
	if rec.PolicyDigest != "" {
		sz := flow.MeasureSessionPolicy(rec.SessionPolicy) // the console meter's unit: STS counts characters
		line(tr.S("Session policy"), tr.S("%s / %s %s, %s", strconv.Itoa(sz.N), strconv.Itoa(sz.Limit), tr.S(sz.Unit), rec.PolicyDigest))
	} else {
		line(tr.S("Session policy"), tr.S("none (the role's full permissions)"))
	}
	line(tr.S("Region"), cr.Region)
	line("RequestId", cr.RequestID)
	line(tr.S("Audit record"), rec.ID)
}
