package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

func fakeSandboxInfo() model.SandboxInfo {
	return model.SandboxInfo{Region: "cn-hangzhou", AccountID: "1234567890123456",
		STSEndpoint: "http://127.0.0.1:40123", RAMEndpoint: "http://127.0.0.1:40123", OSSEndpoint: "http://127.0.0.1:40124",
		Users:   []model.SandboxUser{{Name: "sts-issuer", Kind: "user", AccessKeyID: "LTAI5tIssuer", AccessKeySecret: "it's-fake"}},
		Roles:   []model.SandboxRole{{Name: "RamOssTest", ARN: "acs:ram::1234567890123456:role/ramosstest", MaxSessionDuration: 3600}},
		Buckets: []model.SandboxBucket{{Name: "examplebucket", Region: "cn-hangzhou", Endpoint: "http://127.0.0.1:40124"}}}
}

func TestSandboxCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		runErr   error
		code     int
		stdout   []string // substrings
		stderr   []string
		wantOpts *SandboxOptions
	}{
		{name: "defaults", args: nil, code: ExitOK, stderr: []string{"STS + RAM  http://127.0.0.1:40123", "fake"},
			wantOpts: &SandboxOptions{DataDir: "/state/sandbox", STSAddr: "127.0.0.1:0", OSSAddr: "127.0.0.1:0", STSRate: 100}},
		{name: "all flags", args: []string{"--data", "/d", "--seed", "s.yaml", "--sts-addr", "127.0.0.1:9000", "--oss-addr", "127.0.0.1:9001", "--tls", "--ready-file", "/r.json", "--sts-rate", "7.5"},
			code: ExitOK, wantOpts: &SandboxOptions{DataDir: "/d", SeedFile: "s.yaml", STSAddr: "127.0.0.1:9000", OSSAddr: "127.0.0.1:9001", TLS: true, ReadyFile: "/r.json", STSRate: 7.5}},
		{name: "no rate limit", args: []string{"--sts-rate", "0"}, code: ExitOK, wantOpts: &SandboxOptions{DataDir: "/state/sandbox", STSAddr: "127.0.0.1:0", OSSAddr: "127.0.0.1:0"}},
		{name: "negative rate", args: []string{"--sts-rate", "-1"}, code: ExitBadInput, stderr: []string{"--sts-rate -1: want a number of AssumeRole calls per second, or 0 for no limit"}},
		{name: "print json", args: []string{"--print", "json"}, code: ExitOK, stdout: []string{`"sts_endpoint": "http://127.0.0.1:40123"`, `"access_key_secret": "it's-fake"`}},
		{name: "print env", args: []string{"--print", "env"}, code: ExitOK,
			stdout: []string{"# stsdeck sandbox: these keys are fake", "export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tIssuer\n", `export ALIBABA_CLOUD_ACCESS_KEY_SECRET='it'\''s-fake'`, "export STSDECK_OSS_ENDPOINT=http://127.0.0.1:40124\n"}},
		{name: "bad print", args: []string{"--print", "yaml"}, code: ExitBadInput, stderr: []string{`--print "yaml": want env or json`}},
		{name: "bad addr", args: []string{"--sts-addr", "40123"}, code: ExitBadInput, stderr: []string{`--sts-addr "40123": want HOST:PORT`}},
		{name: "extra argument", args: []string{"now"}, code: ExitBadInput, stderr: []string{`unexpected argument "now"`}},
		{name: "bad seed", runErr: badInputErr{errors.New("sandbox: bad seed: s.yaml: line 4, col 27: roles[0].max_session_duration: want 3600 to 43200 seconds, got 60")},
			code: ExitBadInput, stderr: []string{"s.yaml: line 4, col 27"}},
		{name: "sandbox fails", runErr: errors.New("sandbox data dir is in use: held by process 42"), code: ExitDenied, stderr: []string{"held by process 42"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			var got *SandboxOptions
			env := &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
				if k == "STSDECK_STATE_DIR" {
					return "/state"
				}
				return ""
			}}
			env.Deps.RunSandbox = func(ctx context.Context, o SandboxOptions, ready func(model.SandboxInfo)) error {
				got = &o
				if tt.runErr != nil {
					return tt.runErr
				}
				ready(fakeSandboxInfo())
				return nil
			}
			code := Main(context.Background(), append([]string{"sandbox"}, tt.args...), env)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errb.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(errb.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, errb.String())
				}
			}
			if tt.wantOpts != nil && (got == nil || *got != *tt.wantOpts) {
				t.Errorf("options %+v, want %+v", got, tt.wantOpts)
			}
			if len(tt.args) == 2 && tt.args[1] == "json" {
				var info model.SandboxInfo
				if err := json.Unmarshal(out.Bytes(), &info); err != nil || info.Users[0].AccessKeyID != "LTAI5tIssuer" {
					t.Errorf("stdout is not the ready JSON: %v", err)
				}
			}
		})
	}
}

// badInputErr is an error marked as the input's fault, as stsemu.LoadSeed marks a bad seed.
type badInputErr struct{ error }

func (badInputErr) BadInput() bool { return true }
