package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
)

// history: the local audit log of issued tokens (never secrets). Needs no credentials.
//
//	stsdeck history [--json]
func runHistory(_ context.Context, env *Env) int {
	c := newCmd(env, "history", "[--json]")
	asJSON := c.Bool("json", false, "print JSON")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	dir, err := StateDir(env.Getenv)
	if err != nil {
		return c.bad("%v", err)
	}
	recs, warns, err := auditlog.Open(dir).List()
	for _, w := range warns {
		fmt.Fprintf(env.Stderr, "stsdeck history: warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck history: %v\n", err)
		return ExitDenied
	}
	now := env.Now()
	if *asJSON {
		type row struct {
			model.AuditRecord
			Live bool `json:"live"`
		}
		out := make([]row, 0, len(recs))
		for _, r := range recs {
			out = append(out, row{r, r.Expiration.After(now)})
		}
		writeJSON(env.Stdout, out)
		return ExitOK
	}
	if len(recs) == 0 {
		fmt.Fprintf(env.Stdout, "no tokens issued yet (log: %s)\n", auditlog.Open(dir).Path())
		return ExitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ISSUED (UTC)\tMODE\tROLE\tSESSION\tDURATION\tEXPIRES (UTC)\tSTATE\tACCESS KEY\tPOLICY\tPROBE")
	for _, r := range recs {
		state := "✓ live " + r.Expiration.Sub(now).Round(time.Second).String()
		if !r.Expiration.After(now) {
			state = "✗ expired"
		}
		pol := "-"
		if len(r.PolicyDigest) > 15 {
			pol = r.PolicyDigest[:15] + "…"
		}
		probe := "-"
		if len(r.Probe) > 0 {
			agree, known := 0, 0
			for _, p := range r.Probe {
				if p.Agree != nil {
					known++
					if *p.Agree {
						agree++
					}
				}
			}
			probe = fmt.Sprintf("%d/%d agree", agree, known)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Time.UTC().Format("2006-01-02 15:04:05"), r.Mode, r.RoleARN, r.SessionName,
			(time.Duration(r.DurationSeconds) * time.Second).String(), r.Expiration.UTC().Format("2006-01-02 15:04:05"), state, r.AccessKeyID, pol, probe)
	}
	tw.Flush()
	return ExitOK
}
