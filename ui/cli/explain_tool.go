package cli

import "context"

func runExplainTool(ctx context.Context, env *Env) int {
	c := newCmd(env, "explain", "--tool NAME ...")
	return c.bad("--tool: not built yet")
}
