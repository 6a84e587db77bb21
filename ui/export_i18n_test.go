package ui

import (
	"testing"

	"github.com/stsdeck/stsdeck/ui/credfmt"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The export menu shows credfmt's English descriptions through the catalog (their IDs are not
// literals at the call site, so TestCatalogComplete cannot see them): each has Chinese.
func TestExportLabelsTranslated(t *testing.T) {
	for _, k := range exportKinds() {
		var id string
		switch {
		case credfmt.IsSnippet(k):
			id = credfmt.DescribeSnippet(k)
		case isPostKind(k), k == presignGET, k == presignPUT:
			continue // literal IDs in export.go / export_post.go
		default:
			id = credfmt.Describe(k)
		}
		if id == "" || !i18n.Has(i18n.ZH, id) {
			t.Errorf("export kind %s: label %q has no Chinese", k, id)
		}
	}
}
