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
	"github.com/stsdeck/stsdeck/model/journal"
)

func writeTestJournal(t *testing.T, recs ...model.DecisionRecord) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	w, err := journal.Open(path, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		w.Record(r)
	}
	w.Close()
	return path
}

func jrec(session, action, resource, decision, by string, ctx map[string][]string) model.DecisionRecord {
	return model.DecisionRecord{Time: time.Unix(1700000000, 0).UTC(), Service: "oss", RequestID: "R-" + action, Operation: strings.TrimPrefix(action, "oss:"),
		Principal: model.DecisionPrincipal{Type: "role", ARN: "acs:ram::1234567890123456:assumed-role/OssReadWrite/" + session, Session: session, AccessKeyID: "STS.k"},
		Action:    action, Resource: resource, Decision: decision, DecidedBy: by, Context: ctx}
}

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestPolicyFromJournalAndReplay(t *testing.T) {
	const b = "acs:oss:cn-hangzhou:1234567890123456:examplebucket"
	path := writeTestJournal(t,
		jrec("rec", "oss:PutObject", b+"/in/a.txt", "Allow", "identity", nil),
		jrec("rec", "oss:PutObject", b+"/in/b.txt", "Allow", "identity", nil),
		jrec("rec", "oss:ListObjects", b, "Allow", "identity", map[string][]string{"oss:Prefix": {"in/"}}),
		jrec("rec", "oss:GetObject", b+"/in/a.txt", "Allow", "identity", nil),
	)
	code, out, errOut := runCLI(t, "", "policy", "from-journal", path)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "wildcard "+b+"/in/* (oss:PutObject) covers 2 keys: \"in/a.txt\", \"in/b.txt\"") {
		t.Errorf("stderr does not say which keys led to the wildcard:\n%s", errOut)
	}
	pol := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(pol, []byte(out), 0o600)
	code, out, errOut = runCLI(t, "", "policy", "replay", path, "--session-policy", pol)
	if code != ExitOK || !strings.Contains(out, "0 would now be denied") || !strings.Contains(out, "by wildcard: also allows e.g. "+b+"/in/stsdeck-unseen") {
		t.Fatalf("replay exit %d\n%s\n%s", code, out, errOut)
	}
	// --json: the policy and, per statement, the requests that needed it.
	code, out, _ = runCLI(t, "", "policy", "from-journal", "--json", path, "--bucket", "examplebucket")
	var g struct {
		Policy     json.RawMessage
		Size       int
		Statements []struct {
			Action   []string
			Requests []struct{ Seq uint64 }
		}
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &g) != nil || len(g.Statements) != 3 || g.Size == 0 {
		t.Fatalf("json exit %d: %s", code, out)
	}
	// A narrower candidate: replay exits 1 and names the request.
	os.WriteFile(pol, []byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/in/*"}]}`), 0o600)
	code, out, _ = runCLI(t, "", "policy", "replay", path, "--session-policy", pol)
	if code != ExitDenied || !strings.Contains(out, "DENIED  #4 GetObject oss:GetObject on "+b+"/in/a.txt") {
		t.Fatalf("narrow replay exit %d\n%s", code, out)
	}
}

func TestPolicyBadInput(t *testing.T) {
	path := writeTestJournal(t, jrec("a", "oss:PutObject", "acs:oss:r:1:bkt/x", "Allow", "identity", nil), jrec("b", "oss:PutObject", "acs:oss:r:1:bkt/y", "Allow", "identity", nil))
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"policy"}, "Usage: stsdeck policy from-journal"},
		{"unknown subcommand", []string{"policy", "frob"}, `unknown subcommand "frob"`},
		{"no file", []string{"policy", "from-journal"}, "want exactly one journal file, got 0"},
		{"missing file", []string{"policy", "from-journal", "/nonexistent/j"}, "no such file"},
		{"two sessions", []string{"policy", "from-journal", path}, "pick one with --session"},
		{"unknown session", []string{"policy", "from-journal", path, "--session", "zz"}, `no request of session "zz"`},
		{"replay without policy", []string{"policy", "replay", path, "--session", "a"}, "--session-policy FILE is required"},
		{"replay with a bad policy", []string{"policy", "replay", path, "--session", "a", "--session-policy", "-"}, "-:1:29: error: Statement[0].Action"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, `{"Version":"1","Statement":[{"Effect":"allow"}]}`, tt.args...)
			if code != ExitBadInput || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant %q", code, errOut, tt.want)
			}
		})
	}
}
