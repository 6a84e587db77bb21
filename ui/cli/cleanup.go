package cli

import (
	"context"
	"flag"
	"strings"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// cleanup: remove what the probe and test uploads left under a prefix (objects a token could
// write but not delete) with the operator's own credentials, and say what was removed; the
// twin of the console's Test screen x. Only stsdeck's own objects are touched
// (flow.LeftoverKind). Exit 0 when everything found was removed, 1 when some could not be.
//
//	stsdeck cleanup --bucket B --prefix P [--prefix P2 ...] [--dry-run] [--yes] [--json]
func runCleanup(ctx context.Context, env *Env) int {
	c := newCmd(env, "cleanup", "--bucket B --prefix P [--prefix P2 ...] [--dry-run] [--yes] [--json]")
	bucket := c.String("bucket", "", "`BUCKET` to clean")
	var prefixes prefixList
	c.Var(&prefixes, "prefix", "key `PREFIX` whose leftovers to remove (repeat for more, e.g. --prefix src/ --prefix dst/)")
	dryRun := c.Bool("dry-run", false, "only list what would be removed")
	yes := c.Bool("yes", false, "in LIVE mode, delete without asking")
	asJSON := c.Bool("json", false, "print JSON")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	if *bucket == "" || len(prefixes) == 0 {
		return c.bad("--bucket and --prefix are required (only stsdeck's own objects directly under the prefix are removed)")
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	own := svc.Operator
	if own == nil {
		own = svc.Current
	}
	if svc.Objects == nil || own == nil {
		return c.bad("no OSS connection for your own credentials")
	}
	cr, err := own(ctx)
	if err != nil {
		return c.fail(err)
	}
	if cr.Region == "" {
		cr.Region = svc.Region
	}
	oc := svc.Objects.With(cr)
	if svc.Mode != "sandbox" && !*dryRun && !*yes {
		found, err := flow.Cleanup(ctx, oc, *bucket, prefixes, true)
		if err != nil {
			return c.fail(err)
		}
		if len(found.Removed) == 0 {
			return c.report(found, *asJSON)
		}
		if !confirm(env, env.tr().S("cleanup will delete %d object(s) stsdeck wrote in oss://%s (%s) with your LIVE credentials %s. Proceed?",
			len(found.Removed), *bucket, strings.Join(prefixes, ", "), cr.AccessKeyID)) {
			env.tr().Ln(env.Stderr, "stsdeck cleanup: not confirmed; nothing deleted (pass --yes to skip the question, --dry-run to list)")
			return ExitDenied
		}
	}
	rep, err := flow.Cleanup(ctx, oc, *bucket, prefixes, *dryRun)
	if err != nil {
		if len(rep.Removed) > 0 {
			env.tr().F(env.Stderr, "stsdeck cleanup: removed before the error: %s\n", strings.Join(itemKeys(rep.Removed), ", "))
		}
		return c.fail(err)
	}
	return c.report(rep, *asJSON)
}

func (c *cmdFlags) report(rep flow.CleanupReport, asJSON bool) int {
	w := c.env.Stdout
	if asJSON {
		writeJSON(w, rep)
	} else {
		tr := c.env.tr()
		verb := tr.S("removed")
		if rep.DryRun {
			verb = tr.S("would remove")
		}
		for _, it := range rep.Removed {
			tr.F(w, "%s  oss://%s/%s  (%s, %s)\n", verb, rep.Bucket, it.Key, tr.S(it.Kind), model.HumanBytes(float64(it.Size)))
		}
		failed := padCells(tr.S("FAILED"), colWidth(0, tr.S("would remove"))+2)
		for _, it := range rep.Failed {
			tr.F(w, "%soss://%s/%s  (%s): %s\n", failed, rep.Bucket, it.Key, tr.S(it.Kind), it.Error)
		}
		switch {
		case len(rep.Removed) == 0 && len(rep.Failed) == 0:
			tr.F(w, "nothing to clean up under %s in oss://%s; %d other object(s) left alone\n", strings.Join(rep.Prefixes, ", "), rep.Bucket, rep.Kept)
		case rep.DryRun:
			tr.F(w, "would remove %d object(s), %d failed; %d other object(s) left alone\n", len(rep.Removed), len(rep.Failed), rep.Kept)
		default:
			tr.F(w, "removed %d object(s), %d failed; %d other object(s) left alone\n", len(rep.Removed), len(rep.Failed), rep.Kept)
		}
	}
	for _, it := range rep.Failed {
		if it.RequestID != "" {
			c.serverTrace(&model.APIError{Service: "oss", Code: strings.SplitN(it.Error, ":", 2)[0], RequestID: it.RequestID})
		}
	}
	if len(rep.Failed) > 0 {
		return ExitDenied
	}
	return ExitOK
}

func itemKeys(items []flow.CleanupItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

// prefixList is a repeatable --prefix.
type prefixList []string

func (p *prefixList) String() string { return strings.Join(*p, ",") }

func (p *prefixList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return msg.Errf("empty prefix: the whole bucket is never cleaned")
	}
	*p = append(*p, v)
	return nil
}

var _ flag.Value = (*prefixList)(nil)
