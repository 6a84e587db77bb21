package connect

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/sts/creds"
	"github.com/stsdeck/stsdeck/sts/sandbox"
)

func opts(t *testing.T, env map[string]string) Options {
	home := t.TempDir()
	m := map[string]string{"HOME": home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	for k, v := range env {
		m[k] = v
	}
	return Options{StateDir: filepath.Join(home, "state"), Getenv: func(k string) string { return m[k] }}
}

func TestConnect(t *testing.T) {
	ctx := context.Background()
	t.Run("no credentials: commands get where-I-looked", func(t *testing.T) {
		_, err := Connect(ctx, opts(t, nil))
		var nf *creds.NotFoundError
		if !errors.As(err, &nf) || len(nf.Looked) < 5 {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("no credentials: the console falls back to the sandbox", func(t *testing.T) {
		o := opts(t, nil)
		o.Fallback = true
		c, err := Connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		who, err := c.STS.Whoami(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Mode != "sandbox" || c.Control == nil || !strings.Contains(c.Where, "no credentials found") || !strings.Contains(c.Where, "looked in") ||
			len(c.Looked) == 0 || !strings.HasSuffix(who.ARN, ":user/"+SandboxUser) {
			t.Errorf("conn %+v who %+v", c, who)
		}
	})
	t.Run("an explicit --profile never falls back", func(t *testing.T) {
		o := opts(t, nil)
		o.Fallback, o.Profile = true, "missing"
		if _, err := Connect(ctx, o); err == nil {
			t.Fatal("want an error")
		}
	})
	t.Run("sandbox in another region uses that region's OSS listener", func(t *testing.T) {
		o := opts(t, nil)
		o.Sandbox, o.Region = true, "cn-beijing"
		c, err := Connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		want := ""
		for _, b := range c.Sandbox.Info.Buckets {
			if b.Region == "cn-beijing" {
				want = b.Endpoint
			}
		}
		if want == "" || c.OSSEndpoint != want || c.Region != "cn-beijing" {
			t.Errorf("OSS endpoint %q region %q, want %q", c.OSSEndpoint, c.Region, want)
		}
	})
	t.Run("live: region from the environment, endpoints split", func(t *testing.T) {
		o := opts(t, map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "ALIBABA_CLOUD_REGION_ID": "cn-shanghai"})
		o.OSSEndpoint = "http://127.0.0.1:9"
		c, err := Connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if c.Mode != "live" || c.Region != "cn-shanghai" || c.OSSEndpoint != "http://127.0.0.1:9" || c.Temporary || c.Sandbox != nil {
			t.Errorf("conn %+v", c)
		}
		cur, err := c.Current(ctx)
		if err != nil || cur.AccessKeyID != "LTAIx" {
			t.Errorf("Current %v %v", cur, err)
		}
	})
	t.Run("endpoint variables default the flags; flags win; --sandbox ignores them", func(t *testing.T) {
		o := opts(t, map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
			EnvSTSEndpoint: "http://127.0.0.1:7", EnvOSSEndpoint: "http://127.0.0.1:8"})
		c, err := Connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if c.OSSEndpoint != "http://127.0.0.1:8" || c.Mode != "live" {
			t.Errorf("OSS endpoint %q", c.OSSEndpoint)
		}
		o.OSSEndpoint = "http://127.0.0.1:9"
		if c, err = Connect(ctx, o); err != nil || c.OSSEndpoint != "http://127.0.0.1:9" {
			t.Errorf("flag: %q %v", c.OSSEndpoint, err)
		}
		o.OSSEndpoint, o.Sandbox = "", true
		c, err = Connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.OSSEndpoint == "http://127.0.0.1:8" || c.OSSEndpoint != c.Sandbox.Info.OSSEndpoint {
			t.Errorf("--sandbox used %q, want its own %q", c.OSSEndpoint, c.Sandbox.Info.OSSEndpoint)
		}
		bad := opts(t, map[string]string{EnvRAMEndpoint: "ftp://h"})
		if _, err := Connect(ctx, bad); err == nil || !strings.Contains(err.Error(), EnvRAMEndpoint) {
			t.Errorf("bad variable: %v", err)
		}
	})
	t.Run("sandbox mode: exported temporary credentials serve the OSS commands", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			env  map[string]string
			temp bool
			id   string
		}{
			{"none", nil, false, ""},
			{"key without token", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}, false, ""},
			{"ALIBABA_CLOUD_*", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.a", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s", "ALIBABA_CLOUD_SECURITY_TOKEN": "t"}, true, "STS.a"},
			{"OSS_*", map[string]string{"OSS_ACCESS_KEY_ID": "STS.b", "OSS_ACCESS_KEY_SECRET": "s", "OSS_SESSION_TOKEN": "t"}, true, "STS.b"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := opts(t, tc.env)
				o.Sandbox = true
				c, err := Connect(ctx, o)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				cur, err := c.Current(ctx)
				if err != nil || c.Temporary != tc.temp || (tc.temp && (cur.AccessKeyID != tc.id || cur.SecurityToken != "t" || cur.Region == "")) {
					t.Errorf("temporary %v current %+v %v", c.Temporary, cur.AccessKeyID, err)
				}
				if !c.Ephemeral || !c.Control.Ephemeral() {
					t.Errorf("a sandbox started for the command is not marked ephemeral")
				}
				// STS and RAM still act as sts-issuer.
				if who, err := c.STS.Whoami(ctx); err != nil || !strings.HasSuffix(who.ARN, ":user/"+SandboxUser) {
					t.Errorf("whoami %+v %v", who, err)
				}
			})
		}
	})
	t.Run("bad endpoint flag", func(t *testing.T) {
		o := opts(t, nil)
		o.RAMEndpoint = "http://h/path"
		if _, err := Connect(ctx, o); err == nil || !strings.Contains(err.Error(), "--ram-endpoint") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestConnectUsesRunningSandbox(t *testing.T) {
	ctx := context.Background()
	o := opts(t, nil)
	o.Sandbox = true
	dir := filepath.Join(o.StateDir, "sandbox")
	run, err := sandbox.Start(ctx, sandbox.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	// Without a ready file the lock error is reported.
	if _, err := Connect(ctx, o); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("err %v", err)
	}
	if err := sandbox.WriteReadyFile(filepath.Join(dir, ReadyFileName), run.Info); err != nil {
		t.Fatal(err)
	}
	c, err := Connect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Mode != "sandbox" || !strings.Contains(c.Where, "already running") || c.Control == nil || c.Ephemeral || c.Control.Ephemeral() {
		t.Errorf("conn %+v", c)
	}
	if _, err := c.STS.Whoami(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestConnectAsync(t *testing.T) {
	o := opts(t, map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIx", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"})
	r := <-ConnectAsync(context.Background(), o)
	if r.Err != nil || r.Conn.Mode != "live" || r.Conn.Where != "environment variables" {
		t.Fatalf("%+v", r)
	}
}

func TestConnectRunningTLSSandbox(t *testing.T) {
	ctx := context.Background()
	o := opts(t, nil)
	o.Sandbox = true
	dir := filepath.Join(o.StateDir, "sandbox")
	run, err := sandbox.Start(ctx, sandbox.Options{DataDir: dir, TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if !strings.HasPrefix(run.Info.STSEndpoint, "https://") || run.Info.CAFile == "" {
		t.Fatalf("not a TLS sandbox: %+v", run.Info)
	}
	if err := sandbox.WriteReadyFile(filepath.Join(dir, ReadyFileName), run.Info); err != nil {
		t.Fatal(err)
	}
	c, err := Connect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cr, err := c.STS.AssumeRole(ctx, model.IssueRequest{RoleARN: "acs:ram::" + run.Info.AccountID + ":role/OssReadWrite", SessionName: "tls-test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OSS.With(cr).Put(ctx, "examplebucket", "src/tls.txt", strings.NewReader("over https"), 10, nil); err != nil {
		t.Fatal(err)
	}
}
