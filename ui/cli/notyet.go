package cli

import (
	"context"
	"fmt"
)

// notYet answers for a command that is not built yet.
func notYet(env *Env, name string) int {
	fmt.Fprintf(env.Stderr, "stsdeck %s: not built yet\n", name)
	return ExitBadInput
}

// runConsole runs the bare console (placeholder until the console is wired: prints usage).
func runConsole(_ context.Context, env *Env) int {
	usage(env.Stdout)
	return ExitOK
}
