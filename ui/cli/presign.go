package cli

import "context"

// runPresign is a placeholder until the command is built.
func runPresign(_ context.Context, env *Env) int { return notYet(env, "presign") }
