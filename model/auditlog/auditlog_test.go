package auditlog

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

func rec(ak, role string) model.AuditRecord {
	return model.AuditRecord{
		Time: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC), Caller: "acs:ram::1:user/u", RoleARN: role,
		SessionName: "s", DurationSeconds: 900, Expiration: time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC),
		AccessKeyID: ak, SessionPolicy: `{"Version":"1"}`, Mode: "sandbox",
	}
}

func TestAppendList(t *testing.T) {
	tests := []struct {
		name      string
		prepare   func(t *testing.T, l *Log)
		wantAKs   []string
		wantWarns []string
	}{
		{name: "missing file is empty", prepare: func(*testing.T, *Log) {}},
		{name: "two records in order", prepare: func(t *testing.T, l *Log) {
			must(t, l.Append(rec("STS.a", "acs:ram::1:role/r1")))
			must(t, l.Append(rec("STS.b", "acs:ram::1:role/r2")))
		}, wantAKs: []string{"STS.a", "STS.b"}},
		{name: "torn last line skipped with warning", prepare: func(t *testing.T, l *Log) {
			must(t, l.Append(rec("STS.a", "r")))
			appendRaw(t, l.Path(), `{"id":"x","access_key_id":"STS.to`)
		}, wantAKs: []string{"STS.a"}, wantWarns: []string{"line 2: torn last line"}},
		{name: "append after torn line stays readable", prepare: func(t *testing.T, l *Log) {
			must(t, l.Append(rec("STS.a", "r")))
			appendRaw(t, l.Path(), `{"id":"x","acc`)
			must(t, l.Append(rec("STS.c", "r")))
		}, wantAKs: []string{"STS.a", "STS.c"}, wantWarns: []string{"line 2: not a record"}},
		{name: "same id re-appended replaces in place", prepare: func(t *testing.T, l *Log) {
			r := rec("STS.a", "r")
			r.ID = "fixed"
			must(t, l.Append(r))
			must(t, l.Append(rec("STS.b", "r")))
			r.Probe = []model.ProbeResult{{Op: "put", Scope: "inside", Predicted: "Allow"}}
			r.AccessKeyID = "STS.a2"
			must(t, l.Append(r))
		}, wantAKs: []string{"STS.a2", "STS.b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := Open(filepath.Join(t.TempDir(), "state"))
			tc.prepare(t, l)
			recs, warns, err := l.List()
			if err != nil {
				t.Fatal(err)
			}
			var aks []string
			for _, r := range recs {
				aks = append(aks, r.AccessKeyID)
				if r.ID == "" || !strings.HasPrefix(r.PolicyDigest, "sha256:") {
					t.Errorf("record %+v lacks id or digest", r)
				}
			}
			if strings.Join(aks, ",") != strings.Join(tc.wantAKs, ",") {
				t.Errorf("records %v, want %v", aks, tc.wantAKs)
			}
			if len(warns) != len(tc.wantWarns) {
				t.Fatalf("warnings %q, want %q", warns, tc.wantWarns)
			}
			for i, w := range tc.wantWarns {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %q lacks %q", warns[i], w)
				}
			}
			if fi, err := os.Stat(l.Path()); err == nil && fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

func TestAppendTightensMode(t *testing.T) {
	l := Open(t.TempDir())
	appendRaw(t, l.Path(), "")
	must(t, os.Chmod(l.Path(), 0o644))
	must(t, l.Append(rec("STS.a", "r")))
	fi, err := os.Stat(l.Path())
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestConcurrentAppends(t *testing.T) {
	l := Open(t.TempDir())
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); must(t, l.Append(rec("STS.c", "r"))) }()
	}
	wg.Wait()
	recs, warns, err := l.List()
	must(t, err)
	if len(recs) != 50 || len(warns) != 0 {
		t.Fatalf("%d records, warnings %v", len(recs), warns)
	}
}

func TestHelpers(t *testing.T) {
	recs := []model.AuditRecord{rec("STS.a", "acs:ram::1:role/A"), rec("STS.b", "acs:ram::1:role/B"), rec("STS.c", "acs:ram::1:role/a")}
	if got := RecentRoles(recs, 5); strings.Join(got, ",") != "acs:ram::1:role/a,acs:ram::1:role/B" {
		t.Errorf("RecentRoles = %v", got)
	}
	if r, ok := FindByAccessKey(recs, "STS.b"); !ok || r.RoleARN != "acs:ram::1:role/B" {
		t.Errorf("FindByAccessKey = %+v %v", r, ok)
	}
	if _, ok := FindByAccessKey(recs, "STS.z"); ok {
		t.Error("found a key that is not there")
	}
	if Digest("") != "" || Digest("x") != "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" {
		t.Errorf("Digest wrong: %q", Digest("x"))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func appendRaw(t *testing.T, path, s string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	must(t, err)
	_, err = f.WriteString(s)
	must(t, err)
	must(t, f.Close())
}
