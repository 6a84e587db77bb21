package cli

import (
	"context"
	"fmt"
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
		return c.bad("%s", err)
	}
	recs, warns, err := auditlog.Open(dir).List()
	for _, w := range warns {
		env.tr().F(env.Stderr, "stsdeck history: warning: %s\n", env.tr().Domain(w))
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck history: %s\n", errText(env.tr(), err)) // i18n:ok
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
		env.tr().F(env.Stdout, "no tokens issued yet (log: %s)\n", auditlog.Open(dir).Path())
		return ExitOK
	}
	tr := env.tr()
	rows := [][]string{{tr.S("ISSUED (UTC)"), tr.S("MODE"), tr.S("ROLE"), tr.S("SESSION"), tr.S("DURATION"), tr.S("EXPIRES (UTC)"), tr.S("STATE"), "ACCESS KEY", tr.S("POLICY"), tr.S("PROBE")}} // i18n:ok
	for _, r := range recs {
		state := tr.S("✓ live %s", r.Expiration.Sub(now).Round(time.Second).String())
		if !r.Expiration.After(now) {
			state = tr.S("✗ expired")
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
			probe = tr.S("%d/%d agree", agree, known)
		}
		rows = append(rows, []string{r.Time.UTC().Format("2006-01-02 15:04:05"), r.Mode, r.RoleARN, r.SessionName,
			(time.Duration(r.DurationSeconds) * time.Second).String(), r.Expiration.UTC().Format("2006-01-02 15:04:05"), state, r.AccessKeyID, pol, probe})
	}
	writeTable(env.Stdout, rows)
	return ExitOK
}
