package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/ui/i18n"
)

// englishRE finds English prose: three lowercase words in a row.
var englishRE = regexp.MustCompile(`\b[a-z]{2,}[,;]? [a-z]{2,}[,;]? [a-z]{2,}\b`)

// untranslated are the commands whose text is still English (the list only shrinks).
var untranslated = map[string]bool{}

var commandNames = strings.NewReplacer("stsdeck policy from-journal", "stsdeck", "stsdeck policy replay", "stsdeck", "stsdeck sandbox clock", "stsdeck", "stsdeck presign oss://", "stsdeck ")

// TestFlagUsageChinese: every command's -h in Chinese has no English sentence left (a flag's
// usage built at run time, such as --template's, has its catalog ID spelled out, so a change
// of the template names shows here).
func TestFlagUsageChinese(t *testing.T) {
	for _, c := range commands() {
		if c.run == nil || c.name == "version" || untranslated[c.name] {
			continue
		}
		args := [][]string{{"-h"}}
		if c.name == "explain" {
			args = append(args, []string{"--tool", "x", "-h"}, []string{"--error", "x", "-h"})
		}
		switch c.name {
		case "policy":
			args = [][]string{{"from-journal", "-h"}, {"replay", "-h"}}
		case "sandbox":
			args = append(args, []string{"clock", "-h"})
		}
		for _, a := range args {
			var out, errb bytes.Buffer
			env := &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, T: i18n.New(i18n.ZH)}
			Main(context.Background(), append([]string{c.name}, a...), env)
			for _, line := range strings.Split(out.String()+errb.String(), "\n") {
				line = commandNames.Replace(line) // a subcommand's name is not English prose
				if m := englishRE.FindString(line); m != "" && !strings.Contains(line, "$(") {
					t.Errorf("%s %v: English left (%q) in %q", c.name, a, m, line)
				}
			}
		}
	}
}
