package cli

import "context"

// runWhoami is a placeholder until the command is built.
func runWhoami(_ context.Context, env *Env) int { return notYet(env, "whoami") }
