package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/service"
)

// Fakes with known secrets, to prove where they do and do not go.

const (
	fakeSecret = "SECRET-never-shown-9f2"
	fakeToken  = "CAIStoken-never-shown-0123456789abcdef"
)

type fakeIssuer struct{ got model.IssueRequest }

func (f *fakeIssuer) AssumeRole(_ context.Context, r model.IssueRequest) (model.Credentials, error) {
	f.got = r
	return model.Credentials{AccessKeyID: "STS.fake", AccessKeySecret: fakeSecret, SecurityToken: fakeToken,
		Expiration: time.Now().Add(time.Hour).UTC().Truncate(time.Second), RoleARN: r.RoleARN, Region: "cn-hangzhou", RequestID: "REQ"}, nil
}

type fakeIdentity struct{}

func (fakeIdentity) Whoami(context.Context) (model.Caller, error) {
	return model.Caller{AccountID: "1234567890123456", ARN: "acs:ram::1234567890123456:user/u", IdentityType: "RAMUser"}, nil
}

type deniedRoles struct{}

func (deniedRoles) ListRoles(context.Context) ([]model.Role, error) {
	return nil, &model.APIError{Service: "ram", Operation: "ListRoles", StatusCode: 403, Code: "NoPermission", Message: "You are not authorized", Hint: "needs ram:ListRoles"}
}
func (deniedRoles) GetRole(context.Context, string) (model.Role, error) {
	return model.Role{}, &model.APIError{Service: "ram", Operation: "GetRole", StatusCode: 403, Code: "NoPermission"}
}

func fakeWorld(t *testing.T) (*world, *fakeIssuer) {
	w := newWorld(t)
	iss := &fakeIssuer{}
	audit := auditlog.Open(w.state)
	connectFake := func(context.Context, Global, *Env) (*service.Services, func(), error) {
		return &service.Services{Mode: "live", Region: "cn-hangzhou", Identity: fakeIdentity{}, Roles: deniedRoles{}, Issuer: iss, Audit: audit}, nil, nil
	}
	w.connect = connectFake
	return w, iss
}

func TestSecretsOnlyWhereAsked(t *testing.T) {
	w, iss := fakeWorld(t)
	t.Run("card", func(t *testing.T) {
		r := w.must("issue", "--role", "RamOssTest", "--session-name", "s1")
		if strings.Contains(r.stdout+r.stderr, fakeSecret) || strings.Contains(r.stdout+r.stderr, fakeToken) {
			t.Fatalf("card leaks:\n%s", r.stdout)
		}
		if !strings.Contains(r.stdout, "[LIVE]") || iss.got.RoleARN != "acs:ram::1234567890123456:role/RamOssTest" || iss.got.SessionName != "s1" {
			t.Errorf("card %s request %+v", r.stdout, iss.got)
		}
	})
	t.Run("env holds exactly the exports", func(t *testing.T) {
		r := w.must("issue", "--role", "RamOssTest", "--format", "env")
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != 7 || !strings.HasPrefix(lines[6], "# expires ") || !strings.Contains(r.stdout, "export ALIBABA_CLOUD_ACCESS_KEY_SECRET='"+fakeSecret+"'") || strings.Contains(r.stderr, fakeSecret) {
			t.Fatalf("env output %q stderr %q", r.stdout, r.stderr)
		}
	})
	t.Run("audit records hold no secret", func(t *testing.T) {
		recs, _, err := auditlog.Open(w.state).List()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%d records %v", len(recs), err)
		}
		b, _ := json.Marshal(recs)
		if strings.Contains(string(b), fakeSecret) || strings.Contains(string(b), fakeToken) || recs[0].Caller != "acs:ram::1234567890123456:user/u" || recs[0].DurationSeconds != 3600 {
			t.Errorf("records %s", b)
		}
	})
	t.Run("roles denied falls back to recent roles and exits 1", func(t *testing.T) {
		r := w.run("", "roles")
		if r.code != ExitDenied || !strings.Contains(r.stderr, "hint: needs ram:ListRoles") || !strings.Contains(r.stdout, "acs:ram::1234567890123456:role/RamOssTest") {
			t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})
}

// world is a temporary HOME and state dir with an environment that finds no credentials.
type world struct {
	t       *testing.T
	home    string
	state   string
	vars    map[string]string
	connect func(context.Context, Global, *Env) (*service.Services, func(), error) // required: the commands that connect use it
}

func newWorld(t *testing.T) *world {
	root := t.TempDir()
	w := &world{t: t, home: filepath.Join(root, "home"), state: filepath.Join(root, "state")}
	os.MkdirAll(w.home, 0o700)
	w.vars = map[string]string{"HOME": w.home, "STSDECK_STATE_DIR": w.state, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
	return w
}

type result struct {
	code           int
	stdout, stderr string
}

func (w *world) run(stdin string, args ...string) result {
	w.t.Helper()
	var out, errb bytes.Buffer
	conn := w.connect
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return w.vars[k] },
		Deps: Deps{Connect: conn}}
	code := Main(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func (w *world) must(args ...string) result {
	w.t.Helper()
	r := w.run("", args...)
	if r.code != 0 {
		w.t.Fatalf("stsdeck %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}
