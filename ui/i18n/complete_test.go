package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// faces are the packages whose text a person reads.
var faces = []string{"..", "../cli", "../credfmt"}

// translated lists the files whose every user-facing literal goes through the catalog: a
// literal that reads as English prose (two words) must be an argument of a translation call
// (T.S, T.F, T.Ln, T.Key, key.WithHelp's description) or carry an `i18n:ok` comment on its line
// (machine text: JSON keys, commands, flag names). Files not listed are still English; the
// list only grows.
var translated = []string{
	"../cli/lint.go",
	"../cli/lang.go",
	"../cli/i18n_text.go",
	"../cli/flags.go",
	"../cli/roles.go",
	"../cli/roles_trust.go",
	"../cli/explain.go",
	"../cli/explain_error.go",
	"../cli/explain_tool.go",
	"../cli/probe.go",
	"../cli/probe_tool.go",
	"../cli/history.go",
	"../cli/issue.go",
	"../cli/whoami.go",
	"../cli/preview.go",
	"../cli/policy.go",
	"../cli/sandbox.go",
	"../cli/clock.go",
	"../cli/presign.go",
	"../cli/presign_post.go",
	"../cli/upload.go",
	"../cli/cleanup.go",
	"../cli/serve.go",
	"../cli/exec.go",
	"../cli/fromhistory.go",
	"../cli/issue_chain.go",
	"../cli/issue_external.go",
	"../cli/console.go",
	"../keys.go",
	"../i18n_app.go",
	"../issue.go",
	"../issue_card.go",
	"../issue_countdown.go",
	"../issue_form.go",
	"../issue_reissue.go",
	"../testscreen.go",
	"../test_probe.go",
	"../test_upload.go",
	"../test_cleanup.go",
	"../explain.go",
	"../paste.go",
	"../paste_app.go",
	"../paste_explain.go",
	"../paste_fix.go",
	"../serve.go",
	"../serve_app.go",
	"../history.go",
	"../export.go",
	"../export_post.go",
	"../export_stale.go",
	"../app.go",
	"../run.go",
	"../roles.go",
	"../roles_detail.go",
	"../roles_list.go",
	"../roles_ready.go",
	"../roles_trust.go",
	"../policy.go",
	"../policy_bucket.go",
	"../policy_editor.go",
	"../policy_findings.go",
	"../policy_forms.go",
	"../policy_grid.go",
	"../policy_meter.go",
	"../policy_templates.go",
	"../preview.go",
	"../record.go",
	"../tools.go",
	"../tools_policy.go",
}

var proseRE = regexp.MustCompile(`[A-Za-z]{2,}[,:;]? [a-z]{2,}`)

type site struct {
	id  string
	pos token.Position
}

// scan returns every translation call site with a literal ID and, for the files in
// translated, every prose literal outside one.
func scan(t *testing.T) (sites []site, prose []site) {
	t.Helper()
	want := map[string]bool{}
	for _, f := range translated {
		abs, _ := filepath.Abs(f)
		want[abs] = true
	}
	fset := token.NewFileSet()
	for _, dir := range faces {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(path)
			okLines := map[int]bool{}
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					if strings.Contains(c.Text, "i18n:ok") {
						okLines[fset.Position(c.Pos()).Line] = true
					}
				}
			}
			inCall := map[*ast.BasicLit]bool{}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ImportSpec, *ast.Field:
					return false // import paths, struct tags
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					idx := -1
					switch sel.Sel.Name {
					case "S", "Key", "Domain", "Errf", "bad":
						// Errf, bad: ui/cli's translatable errors (msg.Errf) and bad-input reports (c.bad)
						idx = 0
					case "F", "Ln":
						idx = 1
					case "WithHelp":
						idx = 1
					case "WithKeys", "Getenv", "Lookup", "Bool", "String", "Int", "Duration", "BoolVar", "StringVar", "IntVar", "DurationVar", "Var", "Func":
						// key names, environment variables, flag names (their usage is translated at print time)
						for _, a := range n.Args {
							if bl, ok := a.(*ast.BasicLit); ok {
								inCall[bl] = true
							}
						}
					}
					if idx >= 0 && idx < len(n.Args) {
						if bl, ok := n.Args[idx].(*ast.BasicLit); ok && bl.Kind == token.STRING {
							inCall[bl] = true
							if sel.Sel.Name != "Domain" {
								id, _ := strconv.Unquote(bl.Value)
								sites = append(sites, site{id, fset.Position(bl.Pos())})
							}
						}
					}
				case *ast.BasicLit:
					if n.Kind != token.STRING || !want[abs] || inCall[n] {
						return true
					}
					pos := fset.Position(n.Pos())
					if okLines[pos.Line] {
						return true
					}
					s, _ := strconv.Unquote(n.Value)
					if proseRE.MatchString(s) {
						prose = append(prose, site{s, pos})
					}
				}
				return true
			})
		}
	}
	return sites, prose
}

var verbRE = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

// verbs lists a format's verbs without their argument indexes, sorted (Chinese may reorder).
func verbs(s string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(s, -1) {
		if v == "%%" {
			continue
		}
		v = regexp.MustCompile(`\[\d+\]`).ReplaceAllString(v, "")
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func TestCatalogComplete(t *testing.T) {
	sites, prose := scan(t)
	if len(sites) < 50 {
		t.Fatalf("found only %d call sites: is the scan looking in the right place?", len(sites))
	}
	missing := map[string]bool{}
	for _, s := range sites {
		if !Has(ZH, s.id) && !missing[s.id] {
			missing[s.id] = true
			t.Errorf("%s: %q has no Chinese in locales/zh.json", s.pos, s.id)
		}
	}
	for _, p := range prose {
		t.Errorf("%s: literal %q is not translated (use T.S, or mark machine text with // i18n:ok)", p.pos, p.id)
	}
	// English plural entries and Chinese entries carry the same verbs as their ID.
	for _, l := range Langs {
		for _, id := range IDs(l) {
			text, _ := Raw(l, id)
			if got, want := strings.Join(verbs(text), " "), strings.Join(verbs(id), " "); got != want {
				t.Errorf("%s %q: verbs %q, the ID has %q", l, id, got, want)
			}
		}
	}
	for _, id := range IDs(EN) {
		if !Has(ZH, id) {
			t.Errorf("en %q has no Chinese", id)
		}
	}
}

func TestTranslatedFilesExist(t *testing.T) {
	for _, f := range translated {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("translated list: %v", err)
		}
	}
}
