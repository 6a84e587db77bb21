package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model/auditlog"
)

func TestIssueFromHistory(t *testing.T) {
	w, iss := fakeWorld(t)
	w.must("issue", "--role", "RamOssTest", "--template", "upload-only", "--bucket", "examplebucket", "--prefix", "src/", "--duration", "30m", "--region", "cn-beijing")
	first := iss.got
	recs, _, _ := auditlog.Open(w.state).List()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	id := recs[0].ID
	iss.got.RoleARN, iss.got.Policy = "", ""
	r := w.must("issue", "--from-history", id[:6])
	if iss.got.RoleARN != first.RoleARN || iss.got.Policy != first.Policy || iss.got.Duration != 30*time.Minute || iss.got.SessionName == first.SessionName {
		t.Errorf("clone sent %+v, the original %+v", iss.got, first)
	}
	if !strings.Contains(r.stderr, "issuing again as record "+id) || !strings.Contains(r.stderr, "duration 30m0s") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if recs, _, _ = auditlog.Open(w.state).List(); len(recs) != 2 || recs[1].Region != "cn-beijing" && recs[1].Region != "cn-hangzhou" {
		t.Errorf("records %+v", recs)
	}
	// A flag given wins over the record.
	w.must("issue", "--from-history", id, "--duration", "45m")
	if iss.got.Duration != 45*time.Minute || iss.got.Policy != first.Policy {
		t.Errorf("--duration did not win: %+v", iss.got)
	}
	// An external id is not in the log: it must be given again.
	w.must("issue", "--role", "PartnerWithExternalId", "--external-id", "partner-b")
	recs, _, _ = auditlog.Open(w.state).List()
	ext := recs[len(recs)-1].ID
	iss.got.RoleARN = ""
	if r := w.run("", "issue", "--from-history", ext); r.code != ExitBadInput || !strings.Contains(r.stderr, "pass --external-id") || iss.got.RoleARN != "" {
		t.Errorf("external id: exit %d\n%s", r.code, r.stderr)
	}
	w.must("issue", "--from-history", ext, "--external-id", "partner-b")
	if iss.got.ExternalID != "partner-b" || !strings.HasSuffix(iss.got.RoleARN, "role/PartnerWithExternalId") {
		t.Errorf("sent %+v", iss.got)
	}
	for _, bad := range []string{"nope-nope", "ab"} {
		if r := w.run("", "issue", "--from-history", bad); r.code != ExitBadInput || !strings.Contains(r.stderr, "--from-history") {
			t.Errorf("--from-history %q: exit %d\n%s", bad, r.code, r.stderr)
		}
	}
}
