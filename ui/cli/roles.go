package cli

import "context"

// runRoles is a placeholder until the command is built.
func runRoles(_ context.Context, env *Env) int { return notYet(env, "roles") }
