package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
)

func cleanupWorld(t *testing.T, mode string) (*world, *fakeObjects) {
	w := newWorld(t)
	objs := newFakeObjects()
	w.connect = func(context.Context, Global, *Env) (*service.Services, func(), error) {
		return &service.Services{Mode: mode, Region: "cn-hangzhou", Objects: objs, Temporary: true,
			Current: func(context.Context) (model.Credentials, error) {
				return model.Credentials{AccessKeyID: "STS.exported-token"}, nil
			},
			Operator: func(context.Context) (model.Credentials, error) {
				return model.Credentials{AccessKeyID: "LTAI-operator", AccessKeySecret: fakeSecret}, nil
			}}, nil, nil
	}
	return w, objs
}

func TestCleanupCommand(t *testing.T) {
	w, objs := cleanupWorld(t, "sandbox")
	objs.put("examplebucket", "src/.stsdeck-probe-0123456789abcdef", "src/stsdeck-test-20260301-100000.txt", "src/partner-report.csv",
		"src/sub/.stsdeck-probe-aaaaaaaaaaaaaaaa", "dst/.stsdeck-probe-bbbbbbbbbbbbbbbb")
	r := w.must("cleanup", "--bucket", "examplebucket", "--prefix", "src/", "--dry-run")
	if !strings.Contains(r.stdout, "would remove  oss://examplebucket/src/.stsdeck-probe-0123456789abcdef  (probe") || len(objs.deleted) != 0 {
		t.Errorf("dry run:\n%s", r.stdout)
	}
	r = w.must("cleanup", "--bucket", "examplebucket", "--prefix", "src/", "--prefix", "dst/")
	for _, want := range []string{"removed  oss://examplebucket/src/.stsdeck-probe-0123456789abcdef  (probe", "removed  oss://examplebucket/src/stsdeck-test-20260301-100000.txt  (test upload",
		"removed  oss://examplebucket/dst/.stsdeck-probe-bbbbbbbbbbbbbbbb", "removed 3 object(s), 0 failed; 2 other object(s) left alone"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("cleanup lacks %q:\n%s", want, r.stdout)
		}
	}
	// With the operator's own key, not the exported token.
	for _, d := range objs.deleted {
		if !strings.HasPrefix(d, "LTAI-operator ") {
			t.Errorf("deleted with %s", d)
		}
	}
	if got := strings.Join(objs.keys("examplebucket"), ","); got != "src/partner-report.csv,src/sub/.stsdeck-probe-aaaaaaaaaaaaaaaa" {
		t.Errorf("left %s", got)
	}
	r = w.must("cleanup", "--bucket", "examplebucket", "--prefix", "src/", "--json")
	var rep struct {
		Removed []any
		Kept    int
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Removed) != 0 || rep.Kept != 2 {
		t.Errorf("%v %+v\n%s", err, rep, r.stdout)
	}
	if r := w.run("", "cleanup", "--bucket", "examplebucket", "--prefix", ""); r.code != ExitBadInput {
		t.Errorf("empty prefix: exit %d", r.code)
	}
}

func TestCleanupLiveAsksAndReportsFailures(t *testing.T) {
	w, objs := cleanupWorld(t, "live")
	objs.put("examplebucket", "src/.stsdeck-probe-0123456789abcdef", "src/stsdeck-test.txt")
	objs.denyDel["src/stsdeck-test.txt"] = true
	r := w.run("n\n", "cleanup", "--bucket", "examplebucket", "--prefix", "src/")
	if r.code != ExitDenied || !strings.Contains(r.stderr, "delete 2 object(s)") || !strings.Contains(r.stderr, "LIVE") || len(objs.deleted) != 0 {
		t.Fatalf("unconfirmed: exit %d\n%s", r.code, r.stderr)
	}
	r = w.run("y\n", "cleanup", "--bucket", "examplebucket", "--prefix", "src/")
	if r.code != ExitDenied || !strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, "AccessDenied") || len(objs.deleted) != 1 {
		t.Errorf("confirmed: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
