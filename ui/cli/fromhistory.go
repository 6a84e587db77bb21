package cli

import (
	"strconv"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/auditlog"
	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// cloneRecord fills the token flags from an audit record (issue --from-history ID, the twin of
// the console's History "issue again"): the role, the session policy as it was sent, the
// duration and the region; a flag given on the command line wins. The session name is a fresh
// default (one name per token). The external id is not in the audit log: a record issued with
// one needs --external-id again. code >= 0 means: stop with that exit code.
func (c *cmdFlags) cloneRecord(t *tokenFlags, id string) int {
	dir, err := StateDir(c.env.Getenv)
	if err != nil {
		return c.bad("%v", err)
	}
	recs, warns, err := auditlog.Open(dir).List()
	for _, w := range warns {
		c.env.tr().F(c.env.Stderr, "stsdeck %s: warning: %s\n", c.name, c.env.tr().Domain(w))
	}
	if err != nil {
		return c.bad("--from-history: reading the audit log: %v", err)
	}
	rec, problem := findRecord(recs, id)
	if problem != nil {
		return c.bad("--from-history %s: %v (stsdeck history --json lists the ids)", id, problem)
	}
	if rec.PolicyDigest != auditlog.Digest(rec.SessionPolicy) {
		return c.bad("--from-history %s: the record's session policy does not match its digest %s (the log was edited?); nothing issued", id, rec.PolicyDigest)
	}
	if rec.ExternalIDUsed && t.externalID == "" {
		return c.bad("--from-history %s: that token was issued with an external id, which the audit log does not keep: pass --external-id", id)
	}
	if t.role == "" {
		t.role = rec.RoleARN
	}
	if t.policyFile == "" && t.template == "" {
		t.policyDoc = rec.SessionPolicy
	}
	if t.duration == "" && rec.DurationSeconds > 0 {
		t.duration = strconv.FormatInt(rec.DurationSeconds, 10)
	}
	if c.g.Region == "" && rec.Region != "" && issuereq.RegionProblem(rec.Region) == "" {
		c.g.Region = rec.Region
	}
	tr := c.env.tr()
	pol := tr.S("no session policy")
	if rec.SessionPolicy != "" {
		pol = tr.S("session policy %s", rec.PolicyDigest)
	}
	if t.policyFile != "" || t.template != "" {
		pol = tr.S("the session policy of the flags")
	}
	tr.F(c.env.Stderr, "stsdeck %s: issuing again as record %s (%s, issued %s in %s mode): role %s, %s, duration %s\n", c.name, rec.ID, rec.SessionName,
		rec.Time.UTC().Format("2006-01-02 15:04:05 UTC"), rec.Mode, t.role, pol, durationWords(tr, t.duration))
	return -1
}

// findRecord finds an audit record by id or by a unique prefix of at least 4 characters.
func findRecord(recs []model.AuditRecord, id string) (model.AuditRecord, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return model.AuditRecord{}, msg.Errf("empty id")
	}
	var found []model.AuditRecord
	for _, r := range recs {
		if r.ID == id {
			return r, nil
		}
		if len(id) >= 4 && strings.HasPrefix(r.ID, id) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return model.AuditRecord{}, msg.Errf("no such record")
	case 1:
		return found[0], nil
	}
	return model.AuditRecord{}, msg.Errf("%d records start with it; give more of the id", len(found))
}

func durationWords(tr *i18n.T, s string) string {
	if s == "" {
		return tr.S("the role's default")
	}
	if d, err := parseDuration(s); err == nil {
		return d.Round(time.Second).String()
	}
	return s
}
