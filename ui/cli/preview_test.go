package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
)

// fakeRoles knows the seed's roles: an upload role, a read-write one, one trusted only by ECS.
type fakeRoles struct{ roles []model.Role }

func newFakeRoles() *fakeRoles {
	acct := "1234567890123456"
	trustAcct := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + acct + `:root"]}}]}`
	trustECS := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}`
	trustExt := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + acct + `:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"partner-b"}}}]}`
	put := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`
	rw := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`
	mk := func(name, desc, trust, doc string) model.Role {
		return model.Role{Name: name, ARN: "acs:ram::" + acct + ":role/" + strings.ToLower(name), Description: desc, MaxSessionDuration: 3600 * 1e9,
			TrustPolicy: trust, Policies: []model.AttachedPolicy{{Name: name + "Policy", Type: "Custom", Document: doc}}, Source: "ram"}
	}
	return &fakeRoles{roles: []model.Role{
		mk("EcsOnly", "Trusted only by the ECS service", trustECS, rw),
		mk("OssReadWrite", "Read and write examplebucket", trustAcct, rw),
		mk("PartnerWithExternalId", "For partner B", trustExt, rw),
		mk("RamOssTest", "Upload-only role of the classic STS tutorial", trustAcct, put),
	}}
}

func (f *fakeRoles) ListRoles(context.Context) ([]model.Role, error) {
	out := make([]model.Role, len(f.roles))
	for i, r := range f.roles {
		r.TrustPolicy, r.Policies = "", nil // ListRoles carries neither
		out[i] = r
	}
	return out, nil
}

func (f *fakeRoles) GetRole(_ context.Context, nameOrARN string) (model.Role, error) {
	for _, r := range f.roles {
		if strings.EqualFold(r.Name, nameOrARN) || strings.EqualFold(r.ARN, nameOrARN) {
			return r, nil
		}
	}
	return model.Role{}, &model.APIError{Service: "ram", Operation: "GetRole", StatusCode: 404, Code: "EntityNotExist.Role", Message: "The role does not exist."}
}

func rolesWorld(t *testing.T) (*world, *fakeIssuer, *fakeObjects) {
	w := newWorld(t)
	iss, objs, roles := &fakeIssuer{}, newFakeObjects(), newFakeRoles()
	w.connect = func(context.Context, Global, *Env) (*service.Services, func(), error) {
		return &service.Services{Mode: "sandbox", Region: "cn-hangzhou", AccountID: "1234567890123456", Identity: fakeIdentity{}, Roles: roles, Issuer: iss, Objects: objs,
			Current: func(context.Context) (model.Credentials, error) {
				return model.Credentials{AccessKeyID: "LTAI-operator", AccessKeySecret: fakeSecret}, nil
			}}, nil, nil
	}
	return w, iss, objs
}

func TestPreviewCommand(t *testing.T) {
	w, iss, objs := rolesWorld(t)
	objs.policies["examplebucket"] = `{"Version":"1","Statement":[{"Effect":"Deny","Principal":["*"],"Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/dst/*"}]}`
	r := w.must("preview", "--role", "OssReadWrite", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/")
	for _, want := range []string{
		"OP      ACTION            INSIDE src/       OUTSIDE dst/",
		"put     oss:PutObject     ✓ Allow (role)    ✗ Deny (session)",
		"get     oss:GetObject     ✗ Deny (session)  ✗ Deny (bucket)",
		"bucket policy: read (1 statement), in the preview",
		"nothing issued",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("preview lacks %q:\n%s", want, r.stdout)
		}
	}
	if iss.got.RoleARN != "" {
		t.Error("preview issued a token")
	}
	// JSON: every cell, and the same verdicts.
	r = w.must("preview", "--role", "OssReadWrite", "--bucket", "examplebucket", "--prefix", "src/", "--json")
	var m struct {
		Role  string
		Cells []struct{ Op, Scope, Verdict, Layer, Reason string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || len(m.Cells) != 10 || m.Role != "OssReadWrite" {
		t.Fatalf("%v %+v\n%s", err, m, r.stdout)
	}
	for _, c := range m.Cells {
		want := "Allow"
		if c.Op == "get" || c.Op == "head" {
			if c.Scope == "outside" {
				want = "Deny" // the bucket policy's Deny on dst/
			}
		}
		if c.Verdict != want {
			t.Errorf("%s %s: %s (%s), want %s", c.Scope, c.Op, c.Verdict, c.Reason, want)
		}
	}
}

func TestPreviewBrokenPolicyAndUnknownRole(t *testing.T) {
	w, _, _ := rolesWorld(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"Version":"1","Statement":[{"Effect":"allow","Action":"oss:PutObject","Resource":"*"}]}`), 0o600)
	r := w.run("", "preview", "--role", "RamOssTest", "--policy", bad, "--bucket", "examplebucket", "--prefix", "src/")
	if r.code != ExitBadInput || !strings.Contains(r.stdout, "has errors (STS would refuse it)") || !strings.Contains(r.stdout, "? unknown") || !strings.Contains(r.stderr, "line 1") {
		t.Errorf("broken policy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = w.must("preview", "--role", "NoSuchRole", "--bucket", "examplebucket", "--prefix", "src/")
	if !strings.Contains(r.stdout, "the role could not be read (EntityNotExist.Role)") || strings.Contains(r.stdout, "✓") {
		t.Errorf("unknown role:\n%s", r.stdout)
	}
	for _, args := range [][]string{{"--bucket", "b"}, {"--prefix", "p/"}, {"--bucket", "b", "--prefix", "p/", "--https", "maybe"}} {
		if r := w.run("", append([]string{"preview"}, args...)...); r.code != ExitBadInput {
			t.Errorf("%v: exit %d", args, r.code)
		}
	}
}
