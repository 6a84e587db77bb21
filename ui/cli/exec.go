package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
)

// exec: run a command with credentials in its environment. ALIBABA_CLOUD_CREDENTIALS_URI points
// at an in-process serve (SDKs that refresh keep working past the first token's expiry);
// ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN and OSS_ACCESS_KEY_ID/_SECRET/
// _SESSION_TOKEN hold the first token for tools that read keys once. The exit status is the
// command's (128+N when a signal N ended it); SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on.
//
//	stsdeck exec (--role NAME|ARN [issue flags] | --from-history ID) [--via ROLE] [--until 8h] -- CMD ARGS…
func runExec(ctx context.Context, env *Env) int {
	c := newCmd(env, "exec", "(--role NAME|ARN [--policy FILE | --template NAME --bucket B --prefix P] | --from-history ID) [--via ROLE] [--until 8h] -- CMD ARGS…")
	var o serveFlags
	o.register(c)
	// The command's own flags are not ours: flags stop at "--" (or the first argument).
	if err := c.Parse(env.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitBadInput
	}
	pos := c.Args()
	if len(pos) > 0 && pos[0] == "--" {
		pos = pos[1:]
	}
	if len(pos) == 0 {
		return c.bad("no command: stsdeck exec [flags] -- CMD ARGS…")
	}
	if code := o.check(c); code >= 0 {
		return code
	}
	svc, closer, code := c.connect(ctx)
	if code >= 0 {
		return code
	}
	defer closer()
	s, code := c.startServe(ctx, svc, &o)
	if code >= 0 {
		return code
	}
	defer s.Close()
	cr := s.First.Creds
	vars := map[string]string{
		"ALIBABA_CLOUD_CREDENTIALS_URI":   s.URL,
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     cr.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": cr.AccessKeySecret,
		"ALIBABA_CLOUD_SECURITY_TOKEN":    cr.SecurityToken,
		"OSS_ACCESS_KEY_ID":               cr.AccessKeyID,
		"OSS_ACCESS_KEY_SECRET":           cr.AccessKeySecret,
		"OSS_SESSION_TOKEN":               cr.SecurityToken,
	}
	if cr.Region != "" {
		vars["ALIBABA_CLOUD_REGION_ID"] = cr.Region
		vars["OSS_REGION"] = cr.Region
	}
	return runChild(env, pos, childEnv(os.Environ(), vars))
}

// childEnv is base with vars set (replacing any earlier value of the same name).
func childEnv(base []string, vars map[string]string) []string {
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := vars[k]; ok {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// runChild runs argv with env, passing signals on, and returns its exit status.
func runChild(env *Env, argv, vars []string) int {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck exec: %s: %v\n", argv[0], err) // i18n:ok (the OS's error)
		return 127
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = vars
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.Stdin, env.Stdout, env.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(env.Stderr, "stsdeck exec: %s: %v\n", argv[0], err) // i18n:ok (the OS's error)
		return 126
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case sig := <-sigs:
			cmd.Process.Signal(sig)
		case err := <-done:
			return exitStatus(env, argv[0], err)
		}
	}
}

func exitStatus(env *Env, name string, err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	fmt.Fprintf(env.Stderr, "stsdeck exec: %s: %v\n", name, err) // i18n:ok (the OS's error)
	return 126
}
