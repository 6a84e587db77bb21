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

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
	"github.com/stsdeck/stsdeck/oss"
	"github.com/stsdeck/stsdeck/sts/connect"
	"github.com/stsdeck/stsdeck/sts/sandbox"
	"github.com/stsdeck/stsdeck/ui"
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
		Connect: connectServices,
		Console: runConsoleUI,
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

// runConsoleUI runs the console until the operator quits; the terminal is restored either way.
// The console draws its first frame at once and connects inside a command (a bare console
// falls back to the embedded sandbox), so the ECS metadata probe or a sandbox start never
// delays it.
func runConsoleUI(ctx context.Context, g cli.Global, env *cli.Env) error {
	connect := func(ctx context.Context) (*service.Services, func(), error) { return connectServices(ctx, g, env) }
	return ui.Run(ctx, nil, ui.Options{Mouse: g.Mouse, NoColor: env.Getenv("NO_COLOR") != "", Connect: connect})
}

// connectServices resolves credentials (or starts the embedded sandbox) and maps the adapters
// onto service.Services.
func connectServices(ctx context.Context, g cli.Global, env *cli.Env) (*service.Services, func(), error) {
	dir, err := cli.StateDir(env.Getenv)
	if err != nil {
		return nil, nil, err
	}
	c, err := connect.Connect(ctx, connect.Options{Sandbox: g.Sandbox, Fallback: g.Console, Profile: g.Profile, Region: g.Region,
		STSEndpoint: g.STSEndpoint, RAMEndpoint: g.RAMEndpoint, OSSEndpoint: g.OSSEndpoint, StateDir: dir, Getenv: env.Getenv})
	if err != nil {
		return nil, nil, err
	}
	s := &service.Services{Mode: c.Mode, Region: c.Region, AccountID: c.AccountID, Where: c.Where, Identity: c.STS, Roles: c.STS,
		Issuer: c.STS, Objects: objectService{c.OSS}, Audit: c.Audit, OSSEndpoint: c.OSSEndpoint, Looked: c.Looked,
		Temporary: c.Temporary, Current: c.Current}
	if c.Control != nil {
		s.Sandbox = c.Control
	}
	return s, c.Close, nil
}

// objectService adapts oss.Service (which returns *oss.Client) to service.ObjectService.
type objectService struct{ s *oss.Service }

func (o objectService) With(c model.Credentials) service.ObjectClient { return o.s.With(c) }
