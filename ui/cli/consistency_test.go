package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model/issuereq"
)

// lint and issue count a policy file's bytes the same way: as sent (one trailing newline off).
func TestLintAndIssueCountTheSameBytes(t *testing.T) {
	w := newWorld(t)
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"acs:oss:*:*:examplebucket/src/*"}]}`
	for _, tc := range []struct {
		name, suffix string
		want         int
	}{
		{"no newline", "", len(doc)},
		{"newline", "\n", len(doc)},
		{"crlf", "\r\n", len(doc)},
		{"two newlines", "\n\n", len(doc) + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "p.json")
			if err := os.WriteFile(file, []byte(doc+tc.suffix), 0o600); err != nil {
				t.Fatal(err)
			}
			var lint struct{ Size int }
			if err := json.Unmarshal([]byte(w.must("lint", "--kind", "session", "--json", file).stdout), &lint); err != nil {
				t.Fatal(err)
			}
			card := w.must("issue", "--sandbox", "--role", "OssReadOnly", "--policy", file).stdout
			m := regexp.MustCompile(`Session policy\s+(\d+) bytes`).FindStringSubmatch(card)
			if m == nil {
				t.Fatalf("card:\n%s", card)
			}
			if lint.Size != tc.want || m[1] != strconv.Itoa(tc.want) {
				t.Errorf("lint %d, issue %s, want both %d", lint.Size, m[1], tc.want)
			}
		})
	}
}

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

// The default session name has the console's form.
func TestDefaultSessionNameMatchesConsole(t *testing.T) {
	w := newWorld(t)
	card := w.must("issue", "--sandbox", "--role", "OssReadOnly").stdout
	if !regexp.MustCompile(`Session\s+stsdeck-\d{8}-\d{6}\n`).MatchString(card) {
		t.Errorf("card:\n%s", card)
	}
}

// presign warns only when the token ends clearly before the URL.
func TestPresignExpiryWarning(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		args []string
		warn bool
	}{
		{"1h URL, fresh 1h token", nil, false},
		{"30m URL, 1h token", []string{"--expires", "30m"}, false},
		{"2h URL, 1h token", []string{"--expires", "2h"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.must(append([]string{"presign", "--sandbox", "--role", "OssReadOnly", "oss://examplebucket/src/x"}, tc.args...)...)
			if got := strings.Contains(r.stderr, "but the token expires"); got != tc.warn {
				t.Errorf("warned %v, want %v:\n%s", got, tc.warn, r.stderr)
			}
		})
	}
}
