package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
)

// sandbox clock: read or advance the sandbox's authorization clock (token expiry and
// acs:CurrentTime for both halves; signatures keep the wall clock), the twin of the console's
// ctrl+t.
//
//	stsdeck sandbox clock [--show] [--advance D] [--json]
//
// It reaches the sandbox as every command does: --sandbox (the one serving the state dir), or
// endpoints from the flags or the environment that lead to a sandbox.
func runSandboxClock(ctx context.Context, env *Env) int {
	c := newCmd(env, "sandbox clock", "[--show] [--advance D] [--json]") // i18n:ok
	c.Bool("show", false, "print the wall clock, the authorization clock and the offset between them (the default)")
	advance := c.String("advance", "", "move the authorization clock forward by `D` (e.g. 45m, 1h; negative goes back); tokens expire by it")
	asJSON := c.Bool("json", false, "print JSON")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return c.bad("unexpected argument %q", pos[0])
	}
	var d time.Duration
	if *advance != "" {
		var err error
		if d, err = time.ParseDuration(strings.TrimSpace(*advance)); err != nil {
			return c.bad("--advance %q: want a duration such as 30m, 1h or -5m", *advance)
		}
		if d == 0 {
			return c.bad("--advance %s: 0 moves nothing; use --show to read the clock", *advance)
		}
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	if svc.Mode != "sandbox" || svc.Sandbox == nil {
		return c.bad("not connected to a sandbox (%s): only a sandbox's clock can be moved; use --sandbox or the endpoints of `stsdeck sandbox --print env`", svc.Where)
	}
	if e, ok := svc.Sandbox.(ephemeralSandbox); ok && e.Ephemeral() {
		env.tr().Ln(env.Stderr, "stsdeck sandbox clock: warning: no `stsdeck sandbox` serves the state dir: this throw-away sandbox (and its clock) stops when the command ends; start `stsdeck sandbox` in another terminal")
	}
	if d != 0 {
		if _, err := svc.Sandbox.Advance(ctx, d); err != nil {
			return c.fail(err)
		}
	}
	rd, ok := svc.Sandbox.(service.SandboxClock)
	if !ok {
		if d != 0 {
			env.tr().F(env.Stdout, "advanced by %s\n", d)
			return ExitOK
		}
		return c.bad("this sandbox connection cannot read the clock")
	}
	clk, err := rd.ReadClock(ctx)
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		writeJSON(env.Stdout, clockJSON(clk, d))
		return ExitOK
	}
	if d != 0 {
		env.tr().F(env.Stdout, "advanced the authorization clock by %s\n", d)
	}
	printClock(env, clk)
	return ExitOK
}

func clockJSON(clk model.SandboxClock, advanced time.Duration) map[string]any {
	m := map[string]any{
		"offset": clk.Offset.String(), "offset_seconds": clk.Offset.Seconds(),
		"wall": clk.Wall.UTC().Format(time.RFC3339), "auth": clk.Auth.UTC().Format(time.RFC3339),
	}
	if advanced != 0 {
		m["advanced"] = advanced.String()
	}
	return m
}

func printClock(env *Env, clk model.SandboxClock) {
	tr := env.tr()
	labels := []string{tr.S("wall clock"), tr.S("authorization clock"), tr.S("offset")}
	w := colWidth(0, labels...) + 2
	fmt.Fprintf(env.Stdout, "%s%s\n", padCells(labels[0], w), tr.S("%s UTC  (signatures, Date headers, clock skew)", clk.Wall.UTC().Format("2006-01-02 15:04:05"))) // i18n:ok
	fmt.Fprintf(env.Stdout, "%s%s\n", padCells(labels[1], w), tr.S("%s UTC  (token expiry, acs:CurrentTime)", clk.Auth.UTC().Format("2006-01-02 15:04:05")))        // i18n:ok
	fmt.Fprintf(env.Stdout, "%s%s\n", padCells(labels[2], w), clk.Offset)                                                                                           // i18n:ok
}
