package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/service"
)

// presignWorld issues 1 h tokens (fakeIssuer) and signs with fakeObjects; exported, when set,
// is an STS token from the environment.
func presignWorld(t *testing.T, exported *model.Credentials) (*world, *fakeIssuer, *fakeObjects) {
	w := newWorld(t)
	iss, objs := &fakeIssuer{}, newFakeObjects()
	audit := auditlog.Open(w.state)
	w.connect = func(context.Context, Global, *Env) (*service.Services, func(), error) {
		s := &service.Services{Mode: "live", Region: "cn-hangzhou", Identity: fakeIdentity{}, Roles: deniedRoles{}, Issuer: iss, Audit: audit, Objects: objs}
		if exported != nil {
			s.Temporary = true
			s.Current = func(context.Context) (model.Credentials, error) { return *exported, nil }
		}
		return s, nil, nil
	}
	return w, iss, objs
}

func TestPresignNeverBeyondTheToken(t *testing.T) {
	t.Run("an explicit --expires beyond a fresh token is refused before issuing", func(t *testing.T) {
		w, iss, objs := presignWorld(t, nil)
		r := w.run("", "presign", "--role", "RamOssTest", "--expires", "2h", "oss://examplebucket/src/x")
		if r.code != ExitBadInput || !strings.Contains(r.stderr, "beyond the token's lifetime of 1h0m0s") || iss.got.RoleARN != "" || len(objs.presigns) != 0 || r.stdout != "" {
			t.Fatalf("exit %d issued %v signed %v\n%s", r.code, iss.got.RoleARN != "", objs.presigns, r.stderr)
		}
		// --duration makes room for it.
		w.must("presign", "--role", "RamOssTest", "--duration", "2h", "--expires", "30m", "oss://examplebucket/src/x")
	})
	t.Run("beyond an exported token: refused, or clamped with --clamp", func(t *testing.T) {
		exp := &model.Credentials{AccessKeyID: "STS.exported", AccessKeySecret: fakeSecret, SecurityToken: fakeToken, Expiration: time.Now().Add(20 * time.Minute)}
		w, _, objs := presignWorld(t, exp)
		r := w.run("", "presign", "--expires", "1h", "oss://examplebucket/src/x")
		if r.code != ExitBadInput || !strings.Contains(r.stderr, "nothing signed") || len(objs.presigns) != 0 {
			t.Fatalf("exit %d %v\n%s", r.code, objs.presigns, r.stderr)
		}
		r = w.must("presign", "--expires", "1h", "--clamp", "--json", "oss://examplebucket/src/x")
		var m map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		got := objs.presigns[0].expires
		if got > 20*time.Minute || got < 19*time.Minute || m["clamped"] != true || m["expires_in_seconds"] != float64(got/time.Second) || !strings.Contains(r.stderr, "clamped") {
			t.Errorf("signed for %s, json %v\n%s", got, m, r.stderr)
		}
		// The default 1h is not the operator's ask: it is shortened without --clamp.
		r = w.must("presign", "oss://examplebucket/src/y")
		if got := objs.presigns[1].expires; got > 20*time.Minute || !strings.Contains(r.stderr, "clamped") {
			t.Errorf("default signed for %s\n%s", got, r.stderr)
		}
	})
	t.Run("an expired token signs nothing", func(t *testing.T) {
		exp := &model.Credentials{AccessKeyID: "STS.old", Expiration: time.Now().Add(-time.Minute)}
		w, _, objs := presignWorld(t, exp)
		if r := w.run("", "presign", "--clamp", "oss://examplebucket/src/x"); r.code != ExitBadInput || !strings.Contains(r.stderr, "expired") || len(objs.presigns) != 0 {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
}

func TestPresignJSON(t *testing.T) {
	w, _, objs := presignWorld(t, nil)
	r := w.must("presign", "--role", "RamOssTest", "--method", "put", "--expires", "30m", "--json", "oss://examplebucket/src/a b.txt")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if m["method"] != "PUT" || m["bucket"] != "examplebucket" || m["key"] != "src/a b.txt" || m["expires_in_seconds"] != float64(1800) || m["clamped"] != false ||
		!strings.HasPrefix(m["url"].(string), "https://examplebucket.oss.example/") || m["token_expiration"] == nil || len(objs.presigns) != 1 {
		t.Errorf("json %v", m)
	}
	if strings.Contains(r.stdout+r.stderr, fakeSecret) {
		t.Error("the secret is printed")
	}
	var errb strings.Builder
	Main(context.Background(), []string{"presign", "-h"}, &Env{Stdout: &errb, Stderr: &errb, Getenv: func(string) string { return "" }})
	if !strings.Contains(errb.String(), "refused") || !strings.Contains(errb.String(), "--clamp") {
		t.Errorf("presign -h does not say what happens beyond the token:\n%s", errb.String())
	}
}
