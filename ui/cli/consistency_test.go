package cli

import (
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model/issuereq"
)

func TestPolicyAsSent(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"\n", ""}, {"a\n", "a"}, {"a\r\n", "a"}, {"a\n\n", "a\n"}, {"a\r", "a\r"}, {"a", "a"},
	} {
		t.Run(strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(tc.in), func(t *testing.T) {
			if got := string(issuereq.PolicyAsSent([]byte(tc.in))); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A refused document's error is printed once in text mode (stdout, among the findings); with
// --json, stdout is the JSON and stderr says why.
func TestLintRefusedErrorOnce(t *testing.T) {
	bad := map[string]string{"v.json": `{"Version":"2","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}]}`}
	code, stdout, stderr := polRun(t, bad, "", "lint", "v.json")
	if code != ExitBadInput || !strings.Contains(stdout, `want "1", got "2"`) || strings.Contains(stderr, `want "1", got "2"`) {
		t.Errorf("text: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, _, stderr = polRun(t, bad, "", "lint", "--json", "v.json")
	if code != ExitBadInput || !strings.Contains(stderr, `want "1", got "2"`) {
		t.Errorf("json: exit %d stderr %s", code, stderr)
	}
}
