package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

type polLintOut struct {
	File     string `json:"file"`
	Kind     string `json:"kind"`
	Size     int    `json:"size"`
	Limit    int    `json:"limit"`
	Unit     string `json:"unit"`
	Valid    bool   `json:"valid"`
	Findings []struct {
		File     string `json:"file"`
		Severity string `json:"severity"`
		Path     string `json:"path"`
		Line     int    `json:"line"`
		Col      int    `json:"col"`
		Message  string `json:"message"`
		Fix      string `json:"fix"`
		Code     string `json:"code"`
	} `json:"findings"`
	Error *struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Col     int    `json:"col"`
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"error"`
}

// polSizedSession returns a valid session policy of exactly n bytes (n ≥ 120), padded with
// spaces so that minifying it fits any limit.
func polSizedSession(n int) string {
	base := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`
	return base[:1] + strings.Repeat(" ", n-len(base)) + base[1:]
}

func TestLint(t *testing.T) {
	files := map[string]string{
		"ok.json":      polRole,
		"typo.json":    `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObjct","Resource":"acs:oss:*:*:examplebucket/src*"}]}`,
		"version.json": `{"Version":"2","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}]}`,
		"2048.json":    polSizedSession(2048),
		"2049.json":    polSizedSession(2049),
		"trust.json":   `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::1234567890123456:root"}}]}`,
	}
	type want struct {
		sev, path, contains, fix string
	}
	cases := []struct {
		name  string
		args  []string
		code  int
		valid bool
		want  []want
	}{
		{"clean", []string{"ok.json"}, 0, true, nil},
		{"did you mean and prefix", []string{"typo.json"}, 0, true, []want{
			{"warning", "Statement[0].Action", `unknown action "oss:PutObjct" (did you mean "oss:PutObject"?)`, "oss:PutObject"},
			{"suggestion", "Statement[0].Resource", `no trailing "/"`, "acs:oss:*:*:examplebucket/src/*"},
		}},
		{"version", []string{"version.json"}, 2, false, []want{{"error", "Version", `want "1", got "2"`, "1"}}},
		{"session 2048 accepted", []string{"--kind", "session", "2048.json"}, 0, true, nil},
		{"session 2049 refused", []string{"--kind", "session", "2049.json"}, 2, false, []want{
			{"error", "", "2049 characters", ""},
			{"suggestion", "", "minified", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`},
		}},
		{"trust without resource", []string{"--kind", "trust", "trust.json"}, 0, true, nil},
		{"trust as identity", []string{"--kind", "identity", "trust.json"}, 2, false, []want{{"error", "Statement[0].Principal", "not allowed in an identity policy", ""}}},
		{"flags after file", []string{"typo.json", "--kind", "session"}, 0, true, nil},
		{"stdin", []string{"-"}, 0, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"lint", "--json"}, c.args...)
			code, stdout, stderr := polRun(t, files, polRole, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, c.code, stdout, stderr)
			}
			var o polLintOut
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&o); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if o.Valid != c.valid || (code == 2) != (o.Error != nil) {
				t.Fatalf("valid=%v error=%v\n%s", o.Valid, o.Error, stdout)
			}
			for _, w := range c.want {
				found := false
				for _, f := range o.Findings {
					if f.Severity == w.sev && f.Path == w.path && strings.Contains(f.Message, w.contains) && f.Fix == w.fix {
						found = true
					}
				}
				if !found {
					t.Errorf("missing finding %+v in\n%s", w, stdout)
				}
			}
		})
	}
}

func TestLintBadInput(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		contains string
	}{
		{"no file", []string{}, "exactly one policy file"},
		{"two files", []string{"a.json", "b.json"}, "exactly one policy file"},
		{"bad kind", []string{"--kind", "role", "a.json"}, "--kind"},
		{"missing", []string{"missing.json"}, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := polRun(t, map[string]string{"a.json": polRole, "b.json": polRole}, "", append([]string{"lint", "--json"}, c.args...)...)
			if code != 2 {
				t.Fatalf("exit %d", code)
			}
			var o struct {
				Error struct{ Message string } `json:"error"`
			}
			if err := json.Unmarshal([]byte(stdout), &o); err != nil || o.Error.Message == "" {
				t.Fatalf("stdout %q: %v", stdout, err)
			}
			if !strings.Contains(stderr, c.contains) {
				t.Fatalf("stderr %q, want %q", stderr, c.contains)
			}
		})
	}
}

func TestLintText(t *testing.T) {
	code, stdout, _ := polRun(t, map[string]string{"typo.json": `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObjct","Resource":"*"}]}`}, "", "lint", "typo.json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout, `typo.json:1:56: warning: Statement[0].Action: unknown action "oss:PutObjct"`) || !strings.Contains(stdout, "accepted identity policy") {
		t.Fatalf("%s", stdout)
	}
}

// TestLintBadInputJSONEnglish: with --lang zh, lint's bad-input error is Chinese on stderr and
// English in --json (the machine output does not change with the language).
func TestLintBadInputJSONEnglish(t *testing.T) {
	for _, c := range []struct {
		args   []string
		en, zh string
	}{
		{[]string{"a.json", "b.json"}, "want exactly one policy file, got 2", "需要且只需要一个策略文件"},
		{[]string{"--kind", "role", "a.json"}, "want session, identity, bucket or trust", "应为 session"},
	} {
		_, enOut, _ := polRun(t, map[string]string{"a.json": polRole, "b.json": polRole}, "", append([]string{"lint", "--json", "--lang", "en"}, c.args...)...)
		code, zhOut, zhErr := polRun(t, map[string]string{"a.json": polRole, "b.json": polRole}, "", append([]string{"lint", "--json", "--lang", "zh"}, c.args...)...)
		if code != ExitBadInput {
			t.Errorf("%v: exit %d", c.args, code)
		}
		if zhOut != enOut || !strings.Contains(zhOut, c.en) {
			t.Errorf("%v: --json in zh %q, en %q (want %q)", c.args, zhOut, enOut, c.en)
		}
		if !strings.Contains(zhErr, c.zh) || strings.Contains(zhErr, "want ") {
			t.Errorf("%v: stderr %q, want Chinese with %q", c.args, zhErr, c.zh)
		}
	}
}
