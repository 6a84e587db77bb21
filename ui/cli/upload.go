package cli

import "context"

// runUpload is a placeholder until the command is built.
func runUpload(_ context.Context, env *Env) int { return notYet(env, "upload") }
