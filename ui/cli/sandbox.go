package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/stsdeck/stsdeck/model"
)

// sandbox: run the embedded STS + RAM + OSS sandbox in the foreground.
//
//	stsdeck sandbox [--data DIR] [--seed FILE] [--sts-addr 127.0.0.1:PORT] [--oss-addr 127.0.0.1:PORT]
//	                [--tls] [--sts-rate N] [--journal FILE] [--ready-file FILE] [--print env|json]
//
// Runs until SIGINT/SIGTERM (ctx), then shuts down gracefully. Exit 0 after a clean stop,
// 1 when the sandbox fails (data dir in use, bad seed, port taken), 2 for bad flags.

// SandboxOptions are the flags of `stsdeck sandbox`.
type SandboxOptions struct {
	DataDir   string
	SeedFile  string
	STSAddr   string
	OSSAddr   string
	TLS       bool
	ReadyFile string
	// STSRate is how many tokens per second the account may obtain before AssumeRole answers
	// Throttling.User, as the cloud limits it (default 100); 0 = no limit.
	STSRate float64
	// Journal is the decision journal file (one JSON line per authorized request, 0600,
	// rotated at 16 MiB keeping 3); "" = none.
	Journal string
}

// DefaultSTSRate is the cloud's AssumeRole quota per account and second, which the sandbox
// enforces unless told otherwise.
const DefaultSTSRate = 100

func runSandbox(ctx context.Context, env *Env) int {
	if len(env.Args) > 0 && env.Args[0] == "clock" {
		env.Args = env.Args[1:]
		return runSandboxClock(ctx, env)
	}
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	langFlag(fs)
	var o SandboxOptions
	var print string
	fs.StringVar(&o.DataDir, "data", "", "data `DIR` (default: the state dir's sandbox/)")
	fs.StringVar(&o.SeedFile, "seed", "", "seed `FILE` (YAML or JSON) describing the account (default: the built-in account)")
	fs.StringVar(&o.STSAddr, "sts-addr", "127.0.0.1:0", "STS + RAM listen `ADDR` (port 0 = a free port)")
	fs.StringVar(&o.OSSAddr, "oss-addr", "127.0.0.1:0", "OSS listen `ADDR` for the home region (other regions get free ports)")
	fs.BoolVar(&o.TLS, "tls", false, "serve https with a self-signed certificate for 127.0.0.1 (written to the data dir)")
	fs.Float64Var(&o.STSRate, "sts-rate", DefaultSTSRate, "`N` AssumeRole calls per second the account may make, as the cloud limits them (0 = no limit)") // i18n:ok (Float64Var: its usage is translated by printFlags)
	fs.StringVar(&o.Journal, "journal", "", "append each authorized request's decision to `FILE` (JSON lines, 0600; rotated at 16 MiB, 3 kept); stsdeck policy from-journal reads it")
	fs.StringVar(&o.ReadyFile, "ready-file", "", "write the endpoints and keys as JSON (0600) to `FILE` once listening")
	fs.StringVar(&print, "print", "", "print the ready information to stdout: `env` (export lines for sts-issuer) or json")
	fs.Usage = func() {
		tr := env.tr()
		tr.Ln(env.Stderr, "Usage: stsdeck sandbox [--data DIR] [--seed FILE] [--sts-addr 127.0.0.1:PORT] [--oss-addr 127.0.0.1:PORT]")
		tr.Ln(env.Stderr, "                       [--tls] [--sts-rate N] [--journal FILE] [--ready-file FILE] [--print env|json]")
		tr.Ln(env.Stderr, "       stsdeck sandbox clock [--show] [--advance D] [--json]   read or move a running sandbox's authorization clock")
		tr.Ln(env.Stderr, "Runs the embedded STS + RAM + OSS sandbox until interrupted. Its keys are fake.")
		tr.Ln(env.Stderr, "It publishes <data>/ready.json while it runs, so commands run with --sandbox meanwhile use it.")
		fmt.Fprintln(env.Stderr)
		tr.Ln(env.Stderr, "--print env writes sh export lines for another shell:")
		tr.Ln(env.Stderr, "  ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET  the RAM user sts-issuer's (fake) keys")
		tr.Ln(env.Stderr, "  ALIBABA_CLOUD_REGION_ID                                       the sandbox's home region")
		tr.Ln(env.Stderr, "  STSDECK_STS_ENDPOINT, STSDECK_RAM_ENDPOINT, STSDECK_OSS_ENDPOINT  read by every stsdeck command")
		tr.Ln(env.Stderr, "                                  as the defaults of --sts-endpoint, --ram-endpoint, --oss-endpoint")
		tr.Ln(env.Stderr, "  SSL_CERT_FILE                   with --tls, the sandbox's CA")
		tr.Ln(env.Stderr, "and unset any exported security token. Then, without --sandbox:")
		tr.Ln(env.Stderr, "  stsdeck sandbox --print env > /tmp/sandbox.env &   # (wait for the file)")
		tr.Ln(env.Stderr, "  eval \"$(cat /tmp/sandbox.env)\"; stsdeck whoami")
		fmt.Fprintln(env.Stderr)
		printFlags(env.Stderr, fs, tr)
	}
	if err := fs.Parse(env.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitBadInput
	}
	c := &cmdFlags{env: env, name: "sandbox"} // for c.bad: "stsdeck sandbox: ..." in the operator's language
	if fs.NArg() > 0 {
		return c.bad("unexpected argument %q", fs.Arg(0))
	}
	if o.STSRate < 0 {
		return c.bad("--sts-rate %g: want a number of AssumeRole calls per second, or 0 for no limit", o.STSRate)
	}
	if print != "" && print != "env" && print != "json" {
		return c.bad("--print %q: want env or json", print)
	}
	for _, a := range []struct{ flag, v string }{{"--sts-addr", o.STSAddr}, {"--oss-addr", o.OSSAddr}} {
		if _, port, err := net.SplitHostPort(a.v); err != nil || port == "" {
			return c.bad("%s %q: want HOST:PORT, e.g. 127.0.0.1:0", a.flag, a.v)
		}
	}
	if o.DataDir == "" {
		st, err := StateDir(env.Getenv)
		if err != nil {
			return c.bad("%v", err)
		}
		o.DataDir = filepath.Join(st, "sandbox")
	}
	if env.Deps.RunSandbox == nil {
		env.tr().Ln(env.Stderr, "stsdeck sandbox: the sandbox is not available in this build")
		return ExitDenied
	}
	ready := func(info model.SandboxInfo) {
		switch print {
		case "json":
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			enc.Encode(info)
		case "env":
			fmt.Fprint(env.Stdout, SandboxEnvLines(info))
		}
		tr := env.tr()
		tr.F(env.Stderr, "stsdeck sandbox: account %s, region %s (data %s)\n", info.AccountID, info.Region, o.DataDir)
		labels := []string{tr.S("bucket"), tr.S("CA file"), tr.S("ready file"), tr.S("journal")}
		w := colWidth(len("STS + RAM"), labels...) + 1
		row := func(label, value string) {
			fmt.Fprintf(env.Stderr, "  %s%s\n", padCells(label, w), value) // i18n:ok
		}
		row("STS + RAM", info.STSEndpoint)
		row("OSS", info.OSSEndpoint)
		for _, b := range info.Buckets {
			row(labels[0], tr.S("%s (%s) at %s", b.Name, b.Region, b.Endpoint))
		}
		if info.CAFile != "" {
			row(labels[1], info.CAFile)
		}
		if o.ReadyFile != "" {
			row(labels[2], o.ReadyFile)
		}
		if o.Journal != "" {
			row(labels[3], o.Journal)
		}
		tr.Ln(env.Stderr, "Sandbox keys are fake and open only this sandbox. Press Ctrl+C to stop.")
	}
	if err := env.Deps.RunSandbox(ctx, o, ready); err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck sandbox: %s\n", errText(env.tr(), err)) // i18n:ok
		var bad interface{ BadInput() bool }
		if errors.As(err, &bad) && bad.BadInput() {
			return ExitBadInput // e.g. a seed file with an error: nothing started
		}
		return ExitDenied
	}
	env.tr().Ln(env.Stderr, "stsdeck sandbox: stopped")
	return ExitOK
}

// SandboxEnvLines are POSIX `export` lines for the sts-issuer user and the endpoints.
func SandboxEnvLines(info model.SandboxInfo) string {
	var b strings.Builder
	b.WriteString("# stsdeck sandbox: these keys are fake and open only this sandbox.\n") // i18n:ok (an export format: the same in every language)
	// A security token left from an earlier `stsdeck issue --format env` would be sent with
	// sts-issuer's key and refused.
	b.WriteString("unset ALIBABA_CLOUD_SECURITY_TOKEN OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET OSS_SESSION_TOKEN\n")
	for _, u := range info.Users {
		if u.Name == "sts-issuer" {
			b.WriteString("# RAM user sts-issuer (fake sandbox keys):\n") // i18n:ok
			fmt.Fprintf(&b, "export ALIBABA_CLOUD_ACCESS_KEY_ID=%s\n", shellQuote(u.AccessKeyID))
			fmt.Fprintf(&b, "export ALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n", shellQuote(u.AccessKeySecret))
		}
	}
	fmt.Fprintf(&b, "export ALIBABA_CLOUD_REGION_ID=%s\n", shellQuote(info.Region))
	b.WriteString("# read by stsdeck as the defaults of --sts-endpoint, --ram-endpoint, --oss-endpoint:\n") // i18n:ok
	fmt.Fprintf(&b, "export STSDECK_STS_ENDPOINT=%s\n", shellQuote(info.STSEndpoint))
	fmt.Fprintf(&b, "export STSDECK_RAM_ENDPOINT=%s\n", shellQuote(info.RAMEndpoint))
	fmt.Fprintf(&b, "export STSDECK_OSS_ENDPOINT=%s\n", shellQuote(info.OSSEndpoint))
	if info.CAFile != "" {
		fmt.Fprintf(&b, "export SSL_CERT_FILE=%s\n", shellQuote(info.CAFile))
	}
	return b.String()
}

func shellQuote(s string) string {
	safe := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:@=+,", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
