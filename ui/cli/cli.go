// Package cli implements stsdeck's subcommands. Each takes its arguments, environment and
// standard streams from an Env, so tests drive them directly; the outside world (sandbox,
// adapters, console) arrives through Deps, wired by main.go.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Version is the program's version, set by the linker (-X) or left as "dev".
var Version = "dev"

// Exit codes shared by every command.
const (
	ExitOK       = 0 // allowed / succeeded
	ExitDenied   = 1 // denied, failed or disagreed
	ExitBadInput = 2 // bad input, nothing done
)

// Env is everything a command may touch.
type Env struct {
	Args   []string // after the subcommand name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	Deps   Deps
	// T is the operator's language (set by Main from --lang and the environment; nil = English).
	T *i18n.T
}

// Global holds the flags every command accepts.
type Global struct {
	Sandbox     bool   // use the embedded sandbox even if credentials exist
	Profile     string // aliyun CLI profile name
	Region      string
	STSEndpoint string // absolute URL; a bare host means https
	RAMEndpoint string
	OSSEndpoint string
	Mouse       bool // console only: capture the mouse
	// Console is true only for the bare console, the one place a missing credential falls back
	// to the embedded sandbox.
	Console bool
}

// Deps is how commands reach the world. Any field may be nil in tests that do not need it.
type Deps struct {
	// Connect resolves credentials and endpoints and returns the services; the closer stops
	// anything it started (an embedded sandbox).
	Connect func(ctx context.Context, g Global, env *Env) (*service.Services, func(), error)
	// RunSandbox runs the sandbox in the foreground until ctx is done; ready is called once
	// every listener accepts connections.
	RunSandbox func(ctx context.Context, o SandboxOptions, ready func(model.SandboxInfo)) error
	// Console runs the interactive console until the operator quits.
	Console func(ctx context.Context, g Global, env *Env) error
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env) int
}

func commands() []command {
	return []command{
		{"explain", "evaluate a request against policies and say why", runExplain},
		{"lint", "validate a policy document", runLint},
		{"policy", "make a session policy from the sandbox's decision journal, or replay it", runPolicy},
		{"sandbox", "run the embedded STS + RAM + OSS sandbox", runSandbox},
		{"whoami", "show who the current credentials belong to", runWhoami},
		{"roles", "list RAM roles or show one", runRoles},
		{"preview", "show what a token would be allowed to do, without issuing", runPreview},
		{"issue", "issue temporary credentials with AssumeRole", runIssue},
		{"serve", "serve a self-renewing token on a loopback credentials URI", runServe},
		{"exec", "run a command with self-renewing credentials in its environment", runExec},
		{"presign", "make a presigned OSS URL with temporary credentials", runPresign},
		{"probe", "test what temporary credentials may do in a bucket", runProbe},
		{"upload", "upload a file with temporary credentials", runUpload},
		{"cleanup", "remove the probe's and test uploads' leftovers under a prefix", runCleanup},
		{"history", "show the local audit log of issued tokens", runHistory},
		{"version", "print the version", runVersion},
		{"help", "show this help", nil},
	}
}

// Main runs the subcommand named by args[0] (none = the console) and returns the exit code.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if !chooseLang(args, env) {
		return ExitBadInput
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		env.Args = args
		return runConsole(ctx, env)
	}
	name := args[0]
	env.Args = args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		usage(env.Stdout, env.tr())
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return c.run(ctx, env)
		}
	}
	env.tr().F(env.Stderr, "stsdeck: unknown command %q\n\n", name)
	usage(env.Stderr, env.tr())
	return ExitBadInput
}

func usage(w io.Writer, tr *i18n.T) {
	tr.Ln(w, "stsdeck %s — a terminal console for Alibaba Cloud temporary credentials (STS)", Version)
	fmt.Fprintln(w)
	tr.Ln(w, "Usage:")
	tr.Ln(w, "  stsdeck [--sandbox] [--profile NAME] [--region R] [--mouse] [--lang zh|en]   open the console")
	tr.Ln(w, "  stsdeck <command> [flags]")
	fmt.Fprintln(w)
	tr.Ln(w, "Commands:")
	cs := commands()
	for _, c := range cs {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, tr.S(c.summary))
	}
	fmt.Fprintln(w)
	tr.Ln(w, "Global flags: --sandbox, --profile NAME, --region R, --sts-endpoint URL, --ram-endpoint URL, --oss-endpoint URL, --lang zh|en")
	tr.Ln(w, "  The endpoint flags default to $STSDECK_STS_ENDPOINT, $STSDECK_RAM_ENDPOINT, $STSDECK_OSS_ENDPOINT")
	tr.Ln(w, "  (not read with --sandbox); eval \"$(stsdeck sandbox --print env)\" sets them and the sandbox's keys.")
	tr.Ln(w, "  The language: --lang, else $STSDECK_LANG, else the aliyun CLI profile's language, else the locale (LC_ALL, LC_MESSAGES, LANG).")
	tr.Ln(w, "Run 'stsdeck <command> -h' for a command's flags.")
}

func runVersion(_ context.Context, env *Env) int {
	fmt.Fprintf(env.Stdout, "stsdeck %s\n", Version)
	return ExitOK
}

// StateDir is where stsdeck keeps its audit log and the embedded sandbox's data:
// $STSDECK_STATE_DIR, else $XDG_STATE_HOME/stsdeck, else ~/.local/state/stsdeck.
func StateDir(getenv func(string) string) (string, error) {
	if d := getenv("STSDECK_STATE_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "stsdeck"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find a state directory: set STSDECK_STATE_DIR: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "stsdeck"), nil
}
