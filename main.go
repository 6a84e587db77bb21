// Command stsdeck is a terminal console for Alibaba Cloud temporary credentials.
// main.go is the composition root: it picks the subcommand and wires the adapters, the
// embedded sandbox and the console into ui/cli.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/stsdeck/stsdeck/sts/sandbox"
	"github.com/stsdeck/stsdeck/ui/cli"
)

func main() {
	if code := run(); code != 0 {
		os.Exit(code)
	}
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Deps:   deps(),
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "stsdeck: internal error: %v\n", r)
			os.Exit(3)
		}
	}()
	return cli.Main(ctx, os.Args[1:], env)
}

// deps wires the outside world into the commands.
func deps() cli.Deps {
	return cli.Deps{
		RunSandbox: func(ctx context.Context, o cli.SandboxOptions, ready func(cli.SandboxInfo)) error {
			so := sandbox.Options{DataDir: o.DataDir, SeedFile: o.SeedFile, STSAddr: o.STSAddr, OSSAddr: o.OSSAddr, TLS: o.TLS}
			return sandbox.Run(ctx, so, o.ReadyFile, func(i sandbox.Info) {
				var ci cli.SandboxInfo // same JSON shape (the ready file's)
				b, _ := json.Marshal(i)
				json.Unmarshal(b, &ci)
				ready(ci)
			})
		},
	}
}
