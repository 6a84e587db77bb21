package cli

import (
	"context"
	"fmt"
)

// runConsole runs the bare console: `stsdeck [--sandbox] [--profile NAME] [--region R] [--mouse] [--lang zh|en]`.
// With no credentials anywhere it falls back to the embedded sandbox (Global.Console).
func runConsole(ctx context.Context, env *Env) int {
	tr := env.tr()
	c := newCmd(env, "console", "")
	c.Usage = func() {
		tr.F(env.Stderr, "Usage: stsdeck [--sandbox] [--profile NAME] [--region R] [--mouse] [--lang zh|en]\n\nFlags:\n")
		printFlags(env.Stderr, c.FlagSet, tr)
	}
	c.BoolVar(&c.g.Mouse, "mouse", false, "capture the mouse (off by default, so text such as an AccessKeyId can be selected)")
	pos, code := c.parse(env.Args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		tr.F(env.Stderr, "stsdeck: unknown command %q\n\n", pos[0])
		usage(env.Stderr, tr)
		return ExitBadInput
	}
	if p := regionFlagProblem(c.g.Region); p != "" {
		return c.bad("--region: %s", tr.Domain(p))
	}
	if env.Deps.Console == nil {
		tr.Ln(env.Stderr, "stsdeck: this build has no console")
		return ExitBadInput
	}
	c.g.Console = true
	if err := env.Deps.Console(ctx, c.g, env); err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck: %s\n", errText(tr, err)) // i18n:ok
		if !c.g.Sandbox {
			tr.Ln(env.Stderr, "  (stsdeck --sandbox runs against the embedded sandbox)")
		}
		return ExitDenied
	}
	return ExitOK
}
