package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus parses every accepted form in testdata/corpus (file name prefix = kind) and pins
// the parsed statements and findings in a .golden file beside it; the printed form must parse
// back to the same statements.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	kinds := map[string]Kind{"identity": KindIdentity, "session": KindSession, "bucket": KindBucket, "trust": KindTrust}
	for _, file := range files {
		base := filepath.Base(file)
		t.Run(base, func(t *testing.T) {
			kind, ok := kinds[strings.SplitN(base, "-", 2)[0]]
			if !ok {
				t.Fatalf("corpus file %s: name must start with the kind", base)
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, fs := Validate(base, src, kind)
			if p == nil {
				t.Fatalf("refused: %+v", fs)
			}
			var b strings.Builder
			b.Write(p.JSON())
			for _, st := range p.Statement {
				fmt.Fprintf(&b, "# Statement[%d] at line %d, col %d\n", st.Index, st.Line, st.Col)
			}
			for _, f := range fs {
				fmt.Fprintf(&b, "# %s %d:%d %s: %s (fix %q)\n", f.Severity, f.Line, f.Col, f.Path, f.Message, f.Fix)
			}
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if b.String() != string(want) {
				t.Fatalf("parse of %s changed:\n%s\nwant:\n%s", base, b.String(), want)
			}
			q, err := Parse(base, p.JSON(), kind)
			if err != nil {
				t.Fatalf("printed form does not parse: %v\n%s", err, p.JSON())
			}
			if !sameStatements(p, q) {
				t.Fatalf("round trip differs")
			}
		})
	}
}
