package cli

import (
	"context"
	"fmt"
)

// Placeholders: each command moves to its own file as it is built, and leaves this file.

// SandboxOptions are the flags of `stsdeck sandbox`.
type SandboxOptions struct {
	DataDir   string
	SeedFile  string
	STSAddr   string
	OSSAddr   string
	TLS       bool
	ReadyFile string
}

// SandboxInfo describes a running sandbox (the ready file's content).
type SandboxInfo struct{}

func notYet(env *Env, name string) int {
	fmt.Fprintf(env.Stderr, "stsdeck %s: not built yet\n", name)
	return ExitBadInput
}

func runExplain(_ context.Context, env *Env) int { return notYet(env, "explain") }
func runLint(_ context.Context, env *Env) int    { return notYet(env, "lint") }
func runSandbox(_ context.Context, env *Env) int { return notYet(env, "sandbox") }
func runWhoami(_ context.Context, env *Env) int  { return notYet(env, "whoami") }
func runRoles(_ context.Context, env *Env) int   { return notYet(env, "roles") }
func runIssue(_ context.Context, env *Env) int   { return notYet(env, "issue") }
func runPresign(_ context.Context, env *Env) int { return notYet(env, "presign") }
func runProbe(_ context.Context, env *Env) int   { return notYet(env, "probe") }
func runUpload(_ context.Context, env *Env) int  { return notYet(env, "upload") }
func runHistory(_ context.Context, env *Env) int { return notYet(env, "history") }
func runConsole(_ context.Context, env *Env) int {
	usage(env.Stdout)
	return ExitOK
}
