package cli

import "fmt"

// notYet answers for a command that is not built yet.
func notYet(env *Env, name string) int {
	fmt.Fprintf(env.Stderr, "stsdeck %s: not built yet\n", name)
	return ExitBadInput
}
