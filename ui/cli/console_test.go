package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestConsoleFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		consoleEr error
		nilDeps   bool
		wantCode  int
		wantCall  bool
		want      Global
		wantErr   string
	}{
		{"bare", nil, nil, false, ExitOK, true, Global{Console: true}, ""},
		{"sandbox and mouse", []string{"--sandbox", "--mouse"}, nil, false, ExitOK, true, Global{Console: true, Sandbox: true, Mouse: true}, ""},
		{"profile and region", []string{"--profile", "work", "--region", "cn-shanghai"}, nil, false, ExitOK, true,
			Global{Console: true, Profile: "work", Region: "cn-shanghai"}, ""},
		{"endpoints", []string{"--sts-endpoint", "http://127.0.0.1:1", "--oss-endpoint", "http://127.0.0.1:2"}, nil, false, ExitOK, true,
			Global{Console: true, STSEndpoint: "http://127.0.0.1:1", OSSEndpoint: "http://127.0.0.1:2"}, ""},
		{"unknown flag", []string{"--colour"}, nil, false, ExitBadInput, false, Global{}, "flag provided but not defined: -colour"},
		{"help after a flag", []string{"--mouse", "-h"}, nil, false, ExitOK, false, Global{}, "Usage: stsdeck [--sandbox]"},
		{"console fails", nil, errors.New("no terminal"), false, ExitDenied, true, Global{Console: true}, "stsdeck: no terminal"},
		{"no console wired", nil, nil, true, ExitBadInput, false, Global{}, "this build has no console"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			var got *Global
			env := &Env{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }}
			if !tt.nilDeps {
				env.Deps.Console = func(ctx context.Context, g Global, env *Env) error {
					got = &g
					return tt.consoleEr
				}
			}
			code := Main(context.Background(), tt.args, env)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if (got != nil) != tt.wantCall {
				t.Fatalf("console called = %v", got != nil)
			}
			if got != nil && *got != tt.want {
				t.Errorf("global = %+v, want %+v", *got, tt.want)
			}
			if tt.wantErr != "" && !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.wantErr)
			}
		})
	}
}
