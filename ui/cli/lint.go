package cli

import "context"

// runLint is a placeholder until the command is built.
func runLint(_ context.Context, env *Env) int { return notYet(env, "lint") }
