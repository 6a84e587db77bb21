package cli

import "context"

// runProbe is a placeholder until the command is built.
func runProbe(_ context.Context, env *Env) int { return notYet(env, "probe") }
