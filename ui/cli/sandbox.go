package cli

import "context"

// runSandbox is a placeholder until the command is built.
func runSandbox(_ context.Context, env *Env) int { return notYet(env, "sandbox") }

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
