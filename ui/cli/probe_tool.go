package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
		w, tr := c.env.Stdout, c.env.tr()
		tr.F(w, "probe as %s: %s\n", t.Name, tr.Domain(t.Description))
		if pred.Note != "" {
			fmt.Fprintf(w, "(%s)\n", tr.Domain(pred.Note)) // i18n:ok
		}
		rows := [][]string{{"#", tr.S("OP"), tr.S("TARGET"), tr.S("PREDICTED"), tr.S("ACTUAL"), tr.S("STATUS"), "CODE", tr.S("AGREE")}} // i18n:ok
		for i, s := range run.Steps {
			a := run.Actual[i]
			actual := tr.S("✗ denied")
			switch {
			case a.Code == "Skipped":
				actual = tr.S("- not sent")
			case a.Allowed:
				actual = tr.S("✓ allowed")
			}
			agree := "?"
			if g := run.Agree[i]; g != nil {
				agree = tr.S("✓ yes")
				if !*g {
					agree = tr.S("✗ NO")
				}
			}
			target := s.Key
			switch {
			case s.Op == "ListObjects":
				target = tr.S("%s prefix %s", bucket, s.ListPrefix)
			case s.Level == "bucket":
				target = bucket
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), s.Op, dash(target), s.Verdict, actual, strconv.Itoa(a.Status), dash(a.Code), agree})
		}
		writeTable(w, rows)
		if !run.Works && run.FirstFailure >= 0 {
			s := run.Steps[run.FirstFailure]
			tr.F(w, "the tool fails at call %d (%s); the smallest addition: %s\n", run.FirstFailure+1, s.Op, compactStatement(s.Suggestion))
		}
		tr.F(w, "sequence source: %s\n", strings.TrimSpace(t.Source))
	}
	if !run.AllAgree {
		return ExitDenied
	}
	return ExitOK
}
