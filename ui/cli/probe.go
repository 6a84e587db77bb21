package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
)

// probe: put/head/get/list/delete inside the prefix and outside it, on the probe's own keys,
// with temporary credentials; each operation's predicted outcome (policy engine) next to OSS's
// answer. Exit 0 when every known prediction agrees, 1 otherwise.
//
//	stsdeck probe --bucket B --prefix P [--outside P2] [--policy FILE | --role R] [--yes] [--json]
func runProbe(ctx context.Context, env *Env) int {
	c := newCmd(env, "probe", "--bucket B --prefix P [--outside P2] [--policy FILE | --template T] [--role NAME|ARN] [--yes] [--json]")
	var t tokenFlags
	t.register(c.FlagSet, true)
	outside := c.String("outside", "", "a prefix `P2` outside the allowed one (default: \"dst/\", or \"src/\" when --prefix lies under dst, as in the console)")
	yes := c.Bool("yes", false, "in LIVE mode, write without asking")
	asJSON := c.Bool("json", false, "print JSON")
	as := c.String("as", "", "replay a partner tool's call sequence instead (`NAME`: "+strings.Join(flow.ToolNames(), ", ")+")") // i18n:ok (its catalog ID has the names filled in; TestFlagUsageChinese)
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	if _, ok := flow.LookupTool(*as); *as != "" && !ok {
		return c.bad("--as %q: want one of %s", *as, strings.Join(flow.ToolNames(), ", "))
	}
	if t.bucket == "" || t.prefix == "" {
		return c.bad("--bucket and --prefix are required (the probe writes under the prefix and outside it)")
	}
	if *outside == "" {
		*outside = model.OutsidePrefix(t.prefix)
	}
	if *outside == t.prefix {
		return c.bad("--outside must differ from --prefix")
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	if svc.Mode != "sandbox" && !*yes {
		if t.policyFile == "-" {
			return c.bad("standard input holds the policy (--policy -), so the LIVE-mode question cannot be asked: pass --yes")
		}
		if !confirm(env, env.tr().S("probe will write and delete two small objects in oss://%s (under %q and %q) with LIVE credentials. Proceed?", t.bucket, t.prefix, *outside)) {
			env.tr().Ln(env.Stderr, "stsdeck probe: not confirmed; nothing written (pass --yes to skip the question)")
			return ExitDenied
		}
	}
	tok, code := c.temporary(ctx, svc, &t)
	if code >= 0 {
		return code
	}
	pred := c.predictor(ctx, svc, tok, &t)
	if *as != "" {
		return c.probeAs(ctx, svc, tok, pred, *as, t.bucket, t.prefix, *asJSON)
	}
	spec := model.ProbeSpec{Bucket: t.bucket, Prefix: t.prefix, Outside: *outside}
	oc := svc.Objects.With(tok.creds)
	pred.ReadBucketPolicy(ctx, oc, t.bucket)
	run, err := flow.RunProbe(ctx, oc, spec, pred.PredictReport, svc.Audit, pred.Record)
	rep := run.Report
	if err != nil {
		if len(rep.LeftBehind) > 0 {
			env.tr().F(env.Stderr, "stsdeck probe: left behind: %s\n", strings.Join(rep.LeftBehind, ", "))
		}
		return c.fail(err)
	}
	allAgree := true
	for _, r := range rep.Results {
		if r.Agree != nil && !*r.Agree {
			allAgree = false
		}
	}
	if run.AuditErr != nil {
		env.tr().F(env.Stderr, "stsdeck probe: warning: results not recorded: %s\n", errText(env.tr(), run.AuditErr))
	}
	if *asJSON {
		writeJSON(env.Stdout, rep)
	} else {
		printProbe(env, rep, pred.Note)
		// In sandbox mode, the server's account of each disagreement.
		for _, r := range rep.Results {
			if r.Agree != nil && !*r.Agree && svc.Sandbox != nil && r.Actual.RequestID != "" {
				tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				if tr, err := svc.Sandbox.Trace(tctx, "oss", r.Actual.RequestID); err == nil && tr != nil {
					env.tr().F(env.Stdout, "%s %s disagrees:\n", r.Scope, r.Op)
					printTrace(env.Stdout, env.tr(), tr)
				}
				cancel()
			}
		}
	}
	// Agreement says nothing when the credentials themselves were refused (wrong secret, expired
	// token, clock skew): the probe learnt nothing about the policies, so it did not succeed.
	for _, r := range rep.Results {
		if (&model.APIError{Code: r.Actual.Code, EC: r.Actual.EC, Message: r.Actual.Message}).DeniedBy() == "credentials" {
			env.tr().F(env.Stderr, "stsdeck probe: the credentials were refused (%s on %s %s): nothing was learnt about the policies\n", r.Actual.Code, r.Scope, r.Op)
			return ExitDenied
		}
	}
	if !allAgree {
		return ExitDenied
	}
	return ExitOK
}

// predictor gathers what is known of the token's policies (flow.LearnToken): the session
// policy from --policy/--template or the audit record of the same AccessKeyId; the identity
// policies from the role as RAM describes it.
func (c *cmdFlags) predictor(ctx context.Context, svc *service.Services, tok *issued, t *tokenFlags) *flow.TokenKnowledge {
	f := flow.TokenFacts{Creds: tok.creds, Record: tok.record, Role: tok.role, Region: svc.Region, AccountID: svc.AccountID,
		Secure: !strings.HasPrefix(svc.OSSEndpoint, "http://"), Now: c.env.Now()}
	if t.policyFile != "" || t.template != "" {
		f.SessionDoc = func() (string, bool) {
			doc, err := c.sessionPolicy(t)
			return doc, err == nil
		}
	}
	return flow.LearnToken(ctx, svc.Audit, svc.Roles, f)
}

func printProbe(env *Env, rep model.ProbeReport, note string) {
	tr := env.tr()
	tr.F(env.Stdout, "probe oss://%s  inside %q  outside %q\n", rep.Bucket, rep.Prefix, rep.Outside)
	if note != "" {
		fmt.Fprintf(env.Stdout, "(%s)\n", tr.Domain(note)) // i18n:ok
	}
	rows := [][]string{{tr.S("SCOPE"), tr.S("OP"), tr.S("PREDICTED"), tr.S("ACTUAL"), tr.S("STATUS"), "CODE", "EC", "MS", tr.S("AGREE"), "REQUEST ID"}} // i18n:ok (the cloud's field names)
	for _, r := range rep.Results {
		actual := tr.S("✗ denied")
		if r.Actual.Allowed {
			actual = tr.S("✓ allowed")
		}
		if r.Actual.Status == 0 {
			actual = tr.S("? failed")
		}
		pred := r.Predicted
		if r.PredictedLayer != "" {
			pred += " (" + r.PredictedLayer + ")"
		}
		agree := "?"
		if r.Agree != nil {
			agree = tr.S("✓ yes")
			if !*r.Agree {
				agree = tr.S("✗ NO")
			}
		}
		rows = append(rows, []string{r.Scope, r.Op, pred, actual, strconv.Itoa(r.Actual.Status), dash(r.Actual.Code), dash(r.Actual.EC), strconv.FormatInt(r.Actual.LatencyMS, 10), agree, dash(r.Actual.RequestID)})
	}
	writeTable(env.Stdout, rows)
	if len(rep.LeftBehind) > 0 {
		tr.F(env.Stdout, "left behind (could not delete): %s\n", strings.Join(rep.LeftBehind, ", "))
	} else {
		tr.Ln(env.Stdout, "nothing left behind")
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
