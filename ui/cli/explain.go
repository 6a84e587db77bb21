package cli

import "context"

// runExplain is a placeholder until the command is built.
func runExplain(_ context.Context, env *Env) int { return notYet(env, "explain") }
