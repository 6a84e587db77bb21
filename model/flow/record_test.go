package flow

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/journal"
	"github.com/stsdeck/stsdeck/model/policy"
)

func TestGeneralizeKeys(t *testing.T) {
	tests := []struct {
		name     string
		keys     []string
		want     string
		wildcard bool
	}{
		{"one key stays exact", []string{"src/a.txt"}, "src/a.txt", false},
		{"the same key twice", []string{"src/a.txt", "src/a.txt"}, "src/a.txt", false},
		{"siblings", []string{"src/a.txt", "src/b.txt"}, "src/*", true},
		{"siblings sharing more than the folder", []string{"src/report-1.csv", "src/report-2.csv"}, "src/report-*", true},
		{"deep tree", []string{"src/2024/01/a", "src/2024/02/b/c", "src/2024/01/z/y/x"}, "src/2024/0*", true},
		{"a folder and a key under it", []string{"src/", "src/a"}, "src/*", true},
		{"no common prefix: the bucket, never wider", []string{"a", "b"}, "*", true},
		{"none", nil, "*", true},
		{"a key with * is written with ?", []string{"src/a*b"}, "src/a?b", true},
		{"a key with ? is written with ?", []string{"src/what?"}, "src/what?", true},
		{"wildcards in the common prefix", []string{"in*/1", "in*/2"}, "in?/*", true},
		{"unicode keys cut on a character boundary", []string{"文档/报告一", "文档/报告二"}, "文档/报告*", true},
		{"unicode differing inside a rune", []string{"é1", "è1"}, "*", true},
		{"emoji siblings", []string{"x/😀", "x/😃"}, "x/*", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := GeneralizeKeys(tt.keys)
			if got.Pattern != tt.want || got.Wildcard != tt.wildcard {
				t.Fatalf("GeneralizeKeys(%q) = %q (wildcard %v), want %q (%v)", tt.keys, got.Pattern, got.Wildcard, tt.want, tt.wildcard)
			}
			// The pattern covers every key (checked with the engine).
			p := mustSession(t, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:b/`+jsonEsc(got.Pattern)+`"}]}`)
			for _, k := range tt.keys {
				r := policy.Evaluate(&policy.Request{Action: "oss:GetObject", Resource: "acs:oss:cn-hangzhou:1:b/" + k}, policy.Layers{Session: p})
				if r.Session != policy.OutcomeAllow {
					t.Errorf("pattern %q does not cover key %q", got.Pattern, k)
				}
			}
			if r := policy.Evaluate(&policy.Request{Action: "oss:GetObject", Resource: "acs:oss:cn-hangzhou:1:other/x"}, policy.Layers{Session: p}); r.Session == policy.OutcomeAllow {
				t.Errorf("pattern %q reaches another bucket", got.Pattern)
			}
		})
	}
}

func jsonEsc(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) }

func mustSession(t testing.TB, src string) *policy.Policy {
	t.Helper()
	p, fs := policy.Validate("t", []byte(src), policy.KindSession)
	if p == nil || policy.HasErrors(fs) {
		t.Fatalf("policy %s: %v", src, fs)
	}
	return p
}

const arnBase = "acs:oss:cn-hangzhou:1234567890123456:examplebucket"

func journalOf(session string, reqs ...[3]string) []model.DecisionRecord {
	var out []model.DecisionRecord
	for i, r := range reqs {
		dec, by := "Allow", "identity"
		if r[2] != "" {
			dec, by = "ImplicitDeny", r[2]
		}
		rec := model.DecisionRecord{Seq: uint64(i + 1), Time: time.Unix(1700000000, 0), Service: "oss", RequestID: fmt.Sprintf("R%d", i+1),
			Principal: model.DecisionPrincipal{Type: "role", ARN: "acs:ram::1234567890123456:assumed-role/OssReadWrite/" + session, Session: session, AccessKeyID: "STS.x"},
			Action:    r[0], Resource: r[1], Decision: dec, DecidedBy: by, Context: map[string][]string{"acs:SourceIp": {"127.0.0.1"}}}
		if strings.HasPrefix(r[0], "oss:ListObjects") {
			p, _ := strings.CutPrefix(r[0], "oss:ListObjects")
			rec.Action = "oss:ListObjects"
			rec.Context["oss:Prefix"] = []string{strings.TrimPrefix(p, "?")}
		}
		out = append(out, rec)
	}
	return out
}

func TestFromJournalWorkload(t *testing.T) {
	recs := journalOf("rec",
		[3]string{"oss:PutObject", arnBase + "/partner/in/big.bin", ""},
		[3]string{"oss:PutObject", arnBase + "/partner/in/big.bin", ""},
		[3]string{"oss:PutObject", arnBase + "/partner/in/small.txt", ""},
		[3]string{"oss:ListObjects?partner/in/", arnBase, ""},
		[3]string{"oss:GetObject", arnBase + "/partner/in/big.bin", ""},
		[3]string{"oss:GetObject", arnBase + "/partner/in/small.txt", ""},
		[3]string{"oss:DeleteObject", arnBase + "/partner/in/small.txt", "session"},
	)
	// Another session's requests are left out.
	recs = append(recs, journalOf("other", [3]string{"oss:PutObject", arnBase + "/zzz", ""})...)
	g, err := FromJournal(recs, RecordFilter{Session: "rec"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"1","Statement":[` +
		`{"Effect":"Allow","Action":["oss:ListObjects"],"Resource":["` + arnBase + `"],"Condition":{"StringEquals":{"oss:Prefix":["partner/in/"]}}},` +
		`{"Effect":"Allow","Action":["oss:DeleteObject"],"Resource":["` + arnBase + `/partner/in/small.txt"]},` +
		`{"Effect":"Allow","Action":["oss:GetObject","oss:PutObject"],"Resource":["` + arnBase + `/partner/in/*"]}]}`
	if g.Document != want {
		t.Fatalf("document\n got %s\nwant %s", g.Document, want)
	}
	if policy.HasErrors(g.Findings) || len(g.Findings) != 0 {
		t.Errorf("findings %+v", g.Findings)
	}
	if len(g.Generalized) != 1 || g.Generalized[0].Resource != arnBase+"/partner/in/*" || len(g.Generalized[0].Keys) != 2 {
		t.Errorf("generalized %+v", g.Generalized)
	}
	if g.Requests != 7 || g.Session != "rec" || len(g.Merged) != 0 {
		t.Errorf("requests %d session %q merged %q", g.Requests, g.Session, g.Merged)
	}
	if n := len(g.Statements[2].Requests); n != 5 {
		t.Errorf("statement 2 needed by %d requests, want 5", n)
	}
	rep, err := Replay(recs, RecordFilter{Session: "rec"}, mustSession(t, g.Document))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Denied) != 0 || len(rep.NowAllowed) != 1 {
		t.Errorf("replay denied %+v now allowed %+v", rep.Denied, rep.NowAllowed)
	}
	if len(rep.OverBreadth) != 1 || rep.OverBreadth[0].Unseen != arnBase+"/partner/in/stsdeck-unseen" || rep.OverBreadth[0].Seen != 6 {
		t.Errorf("over-breadth %+v", rep.OverBreadth)
	}
	// A narrower candidate is caught.
	narrow := mustSession(t, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/partner/*"}]}`)
	rep, _ = Replay(recs, RecordFilter{Session: "rec"}, narrow)
	if len(rep.Denied) != 3 { // list + two gets
		t.Errorf("narrow candidate: denied %+v", rep.Denied)
	}
	// A broad one is reported by wildcard, with the actions it allows and nobody used.
	broad := mustSession(t, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"acs:oss:*:*:examplebucket/*"}]}`)
	rep, _ = Replay(recs, RecordFilter{Session: "rec"}, broad)
	if len(rep.OverBreadth) != 1 || !contains(rep.OverBreadth[0].Actions, "oss:AbortMultipartUpload") || contains(rep.OverBreadth[0].Actions, "oss:GetObject") {
		t.Errorf("broad candidate over-breadth %+v", rep.OverBreadth)
	}
}

func TestFromJournalNeedsOneSession(t *testing.T) {
	recs := append(journalOf("a", [3]string{"oss:PutObject", arnBase + "/x", ""}), journalOf("b", [3]string{"oss:PutObject", arnBase + "/y", ""})...)
	if _, err := FromJournal(recs, RecordFilter{}); err == nil || !strings.Contains(err.Error(), "--session") {
		t.Fatalf("err %v", err)
	}
	if _, err := FromJournal(recs, RecordFilter{Session: "a", Bucket: "nobucket"}); err == nil {
		t.Fatal("want an error for a bucket with no requests")
	}
	g, err := FromJournal(recs, RecordFilter{Session: "acs:ram::1234567890123456:assumed-role/OssReadWrite/b"})
	if err != nil || !strings.Contains(g.Document, "examplebucket/y") {
		t.Fatal(err, g)
	}
}

func TestFromJournalMinifiesToFit(t *testing.T) {
	var reqs [][3]string
	actions := []string{"oss:PutObject", "oss:GetObject", "oss:DeleteObject", "oss:AbortMultipartUpload", "oss:ListParts", "oss:GetObjectAcl"}
	for i := range 60 {
		// Each action's keys share a long prefix of their own: six long patterns do not fit.
		reqs = append(reqs, [3]string{actions[i%len(actions)], fmt.Sprintf("%s/data/set-%d/%s/%d", arnBase, i%len(actions), strings.Repeat("k", 400), i), ""})
	}
	g, err := FromJournal(journalOf("rec", reqs...), RecordFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Size > policy.MaxSessionPolicyBytes || len(g.Merged) == 0 {
		t.Fatalf("size %d, merged %q", g.Size, g.Merged)
	}
	if policy.HasErrors(g.Findings) {
		t.Fatalf("findings %+v", g.Findings)
	}
	if !strings.Contains(g.Document, "examplebucket/data/set-*") {
		t.Errorf("document %s", g.Document)
	}
	rep, _ := Replay(journalOf("rec", reqs...), RecordFilter{}, mustSession(t, g.Document))
	if len(rep.Denied) != 0 {
		t.Errorf("minified policy denies %d journaled requests", len(rep.Denied))
	}
}

// BenchmarkFromJournal100k: stsdeck policy from-journal's work on a 100,000-line journal:
// reading the file (model/journal) and making the policy. Reported per run and per line.
func BenchmarkFromJournal100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "journal.jsonl")
	w, err := journal.Open(path, journal.Options{MaxBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	ops := []string{"oss:PutObject", "oss:GetObject", "oss:ListObjects?in/", "oss:DeleteObject"}
	const lines = 100_000
	for i := range lines {
		res := fmt.Sprintf("%s/in/%d/%d.bin", arnBase, i%97, i)
		if strings.HasPrefix(ops[i%4], "oss:List") {
			res = arnBase
		}
		w.Record(journalOf("rec", [3]string{ops[i%4], res, ""})[0])
	}
	w.Close()
	b.ResetTimer()
	for b.Loop() {
		recs, warns, err := journal.ReadFile(path)
		if err != nil || len(warns) > 0 || len(recs) != lines {
			b.Fatal(err, warns, len(recs))
		}
		g, err := FromJournal(recs, RecordFilter{})
		if err != nil || g.Size > policy.MaxSessionPolicyBytes {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/lines, "ns/line")
}
