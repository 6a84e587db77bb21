package cli

import "context"

// runHistory is a placeholder until the command is built.
func runHistory(_ context.Context, env *Env) int { return notYet(env, "history") }
