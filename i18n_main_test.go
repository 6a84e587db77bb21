package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestMachineOutputSameInEveryLanguage runs the commands a script parses with --lang en, with
// --lang zh and under a Chinese locale: --json output is byte-identical, exit codes equal, and
// the human text on stderr is what changes.
func TestMachineOutputSameInEveryLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sandbox")
	}
	w := newWorld(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"Version": "1", "Statement": [{"Effect": "allow", "Action": "oss:PutObjekt", "Resource": "acs:oss:*:*:examplebucket/src"}]}`), 0o600)
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:PutObject", "Resource": "acs:oss:*:*:examplebucket/src/*"}]}`), 0o600)

	journal := filepath.Join(dir, "journal.jsonl")
	os.WriteFile(journal, nil, 0o600)

	errFile := filepath.Join(dir, "err.xml")
	os.WriteFile(errFile, []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>You have no right to access this object because of bucket acl.</Message><RequestId>5F0000000000000000000001</RequestId><HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId><EC>0003-00000001</EC></Error>"), 0o600)

	// An issued token first, so history has a record to print.
	w.must("issue", "--sandbox", "--role", "RamOssTest", "--session-name", "i18n-probe", "--json")

	cmds := [][]string{
		{"lint", "--json", bad},
		{"lint", "--json", "--kind", "session", good},
		{"explain", "--json", "--action", "oss:PutObject", "--resource", "acs:oss:*:*:examplebucket/src/a.txt", "--identity-policy", good},
		{"explain", "--json", "--action", "oss:GetObject", "--resource", "acs:oss:*:*:examplebucket/src/a.txt", "--identity-policy", good},
		{"whoami", "--sandbox", "--json"},
		{"roles", "--sandbox", "--json"},
		{"preview", "--sandbox", "--json", "--bucket", "examplebucket", "--prefix", "src/", "--role", "RamOssTest"},
		{"history", "--sandbox", "--json"},
		{"issue", "--sandbox", "--role", "RamOssTest", "--duration", "1s", "--json"},
		// explain's bad input ({"error": ...} in English), --error and --tool
		{"explain", "--json", "--action", "oss:GetObject", "--resource", "x", "--identity-policy", good},
		{"explain", "--json", "--error", errFile, "--sandbox"},
		{"explain", "--json", "--tool", "ossutil-cp", "--session-policy", good, "--identity-policy", good, "--bucket", "examplebucket", "--prefix", "src/"},
		{"roles", "--sandbox", "--json", "--role", "NoSuchRole"},
		{"issue", "--sandbox", "--json", "--role", "acs:ram::x"},
		// policy, sandbox, presign, serve, exec, upload, cleanup, issue --from-history: bad input
		// ({"error": ...} in English where --json has one) and cleanup's dry run
		{"policy", "from-journal", "--json", journal, journal},
		{"policy", "replay", "--json", journal},
		{"sandbox", "--print", "yaml"},
		{"sandbox", "clock", "--sandbox", "--json", "--advance", "soon"},
		{"presign", "--sandbox", "--json", "--method", "DELETE", "oss://examplebucket/src/a.txt"},
		{"presign", "--sandbox", "--json", "--post", "--max-size", "0", "oss://examplebucket/src/"},
		{"serve", "--sandbox", "--json"},
		{"exec", "--sandbox", "--role", "RamOssTest"},
		{"upload", "--sandbox", "--json"},
		{"cleanup", "--sandbox", "--json", "--bucket", "examplebucket", "--prefix", "src/", "--dry-run"},
		{"issue", "--sandbox", "--json", "--from-history", "zzzzzz"},
	}
	type variant struct {
		name string
		args []string
		env  map[string]string
	}
	variants := []variant{
		{"en", []string{"--lang", "en"}, nil},
		{"zh", []string{"--lang", "zh"}, nil},
		{"zh locale", nil, map[string]string{"LANG": "zh_CN.UTF-8"}},
	}
	for _, c := range cmds {
		t.Run(strings.Join(c[:2], " "), func(t *testing.T) {
			var first result
			var stderrs []string
			for i, v := range variants {
				saved := map[string]string{}
				for k, val := range v.env {
					saved[k] = w.vars[k]
					w.vars[k] = val
				}
				r := w.run("", append(append([]string{}, c...), v.args...)...)
				for k := range v.env {
					w.vars[k] = saved[k]
				}
				stderrs = append(stderrs, r.stderr)
				if i == 0 {
					first = r
					if strings.TrimSpace(r.stdout) != "" && !json.Valid([]byte(r.stdout)) {
						t.Fatalf("%s: stdout is not JSON:\n%s", v.name, r.stdout)
					}
					continue
				}
				if r.code != first.code {
					t.Errorf("%s: exit %d, en exit %d", v.name, r.code, first.code)
				}
				if r.stdout != first.stdout {
					t.Errorf("%s: --json differs from en:\n%s\nen:\n%s", v.name, r.stdout, first.stdout)
				}
			}
			if first.code != 0 && stderrs[0] != "" && stderrs[0] == stderrs[1] {
				t.Errorf("the human message on stderr did not change language:\n%s", stderrs[1])
			}
		})
	}
	// issue --json: fresh keys every time, so the same field set and exit code.
	keys := func(lang string) []string {
		r := w.must("issue", "--sandbox", "--role", "RamOssTest", "--json", "--lang", lang)
		var m map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("issue --json --lang %s: %v\n%s", lang, err, r.stdout)
		}
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	if en, zh := keys("en"), keys("zh"); strings.Join(en, ",") != strings.Join(zh, ",") {
		t.Errorf("issue --json keys: en %v, zh %v", en, zh)
	}
}

// TestLintChinese: stsdeck lint --lang zh gives Chinese findings with line:col.
func TestLintChinese(t *testing.T) {
	w := newWorld(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{\n  \"Version\": \"1\",\n  \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"oss:PutObjekt\", \"Resource\": \"acs:oss:*:*:examplebucket/*\"}]\n}\n"), 0o600)
	r := w.run("", "lint", "--lang", "zh", bad)
	for _, want := range []string{bad + ":3:28: 错误: Statement[0].Effect: 应为 \"Allow\" 或 \"Deny\"，实际为 \"allow\"", "未知操作 \"oss:PutObjekt\"（是否应为 \"oss:PutObject\"？）", "拒绝（权限策略", "1 个错误"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("missing %q in:\n%s", want, r.stdout)
		}
	}
	if r.code != 2 {
		t.Errorf("exit %d", r.code)
	}
}
