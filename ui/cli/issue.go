package cli

import "context"

// runIssue is a placeholder until the command is built.
func runIssue(_ context.Context, env *Env) int { return notYet(env, "issue") }
