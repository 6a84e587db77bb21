package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/service"
)

// probe --as NAME: replay a partner tool's call sequence (model/flow.Tools) with the token and
// compare the engine's prediction of each call with OSS's answer. Exit 0 when every known
// prediction agrees, 1 otherwise.
func (c *cmdFlags) probeAs(ctx context.Context, svc *service.Services, tok *issued, pred *flow.TokenKnowledge, name, bucket, prefix string, asJSON bool) int {
	t, _ := flow.LookupTool(name)
	in := flow.ToolInput{Tool: t, Bucket: bucket, Prefix: prefix, AccountID: pred.Account, Region: pred.Region, Session: pred.Session}
	if pred.IdentityKnown {
		in.Identity = pred.Identity
	}
	run, err := flow.RunToolProbe(ctx, svc.Objects.With(tok.creds), in)
	if err != nil {
		return c.fail(err)
	}
	if asJSON {
		writeJSON(c.env.Stdout, run)
	} else {
		w := c.env.Stdout
		fmt.Fprintf(w, "probe as %s: %s\n", t.Name, t.Description)
		if pred.Note != "" {
			fmt.Fprintf(w, "(%s)\n", pred.Note)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tOP\tTARGET\tPREDICTED\tACTUAL\tSTATUS\tCODE\tAGREE")
		for i, s := range run.Steps {
			a := run.Actual[i]
			actual := "✗ denied"
			switch {
			case a.Code == "Skipped":
				actual = "- not sent"
			case a.Allowed:
				actual = "✓ allowed"
			}
			agree := "?"
			if g := run.Agree[i]; g != nil {
				agree = "✓ yes"
				if !*g {
					agree = "✗ NO"
				}
			}
			target := s.Key
			switch {
			case s.Op == "ListObjects":
				target = bucket + " prefix " + s.ListPrefix
			case s.Level == "bucket":
				target = bucket
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", i+1, s.Op, dash(target), s.Verdict, actual, a.Status, dash(a.Code), agree)
		}
		tw.Flush()
		if !run.Works && run.FirstFailure >= 0 {
			s := run.Steps[run.FirstFailure]
			fmt.Fprintf(w, "the tool fails at call %d (%s); the smallest addition: %s\n", run.FirstFailure+1, s.Op, compactStatement(s.Suggestion))
		}
		fmt.Fprintf(w, "sequence source: %s\n", strings.TrimSpace(t.Source))
	}
	if !run.AllAgree {
		return ExitDenied
	}
	return ExitOK
}
