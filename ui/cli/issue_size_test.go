package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The card's session-policy size is in the unit STS counts (characters), the console meter's
// words: "N / 2048 characters" — a non-ASCII policy shows the difference from bytes.
func TestIssueCardCountsPolicyCharacters(t *testing.T) {
	w, _ := fakeWorld(t)
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:examplebucket","Condition":{"StringLike":{"oss:Prefix":"报告/*"}}}]}`
	file := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	card := w.must("issue", "--role", "RamOssTest", "--policy", file).stdout
	want := "Session policy   " + strconv.Itoa(utf8.RuneCountInString(doc)) + " / 2048 characters,"
	if !strings.Contains(card, want) || strings.Contains(card, " bytes") {
		t.Errorf("card lacks %q (characters, not %d bytes):\n%s", want, len(doc), card)
	}
}
