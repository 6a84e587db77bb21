package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The effective-permission preview is computed in model/flow (shared with the probe and the
// commands); these names keep the Policy screen's code short, and this file draws the grid.
type (
	PreviewContext     = flow.PreviewContext
	BucketPolicyReader = flow.BucketPolicyReader
	IdentityLayer      = flow.IdentityLayer
	PreviewInput       = flow.PreviewInput
	PreviewCell        = flow.PreviewCell
)

// Verdicts of a cell.
const (
	VerdictAllow   = flow.VerdictAllow
	VerdictDeny    = flow.VerdictDeny
	VerdictUnknown = flow.VerdictUnknown
)

// ProbeObjectName is the object name the preview asks about under each prefix.
const ProbeObjectName = flow.ProbeObjectName

// PreviewOps are the test operations, in grid order, with the OSS action each needs.
var PreviewOps = flow.PreviewOps

// PreviewScopes are the grid's columns.
var PreviewScopes = flow.PreviewScopes

// ParsePreviewContext checks typed values and normalizes them (flow.ParsePreviewContext).
func ParsePreviewContext(ip, https, tm string, now time.Time) (PreviewContext, error) {
	return flow.ParsePreviewContext(ip, https, tm, now)
}

// CompileIdentity compiles a role's attached policy documents (flow.CompileIdentity).
func CompileIdentity(role *model.Role) IdentityLayer { return flow.CompileIdentity(role) }

// LayerWord names a policy layer the way the console shows it (flow.LayerWord).
func LayerWord(l policy.Layer) string { return flow.LayerWord(l) }

// Preview is the computed grid (flow.Preview) with the console's rendering.
type Preview struct{ flow.Preview }

// ComputePreview evaluates every cell with the local engine (flow.ComputePreview).
func ComputePreview(in PreviewInput) Preview { return Preview{flow.ComputePreview(in)} }

// Reasons lists each cell's reason, one line per cell: "put inside   Allow  allowed by …",
// in tr's language (columns padded in cells).
func (pv Preview) Reasons(tr *i18n.T) []string {
	var out []string
	for _, row := range pv.Cells {
		for _, c := range row {
			v := verdictWord(tr, c.Verdict)
			if c.Verdict == VerdictUnknown {
				v = GlyphUnknown
			}
			out = append(out, padRight(c.Op, 6)+" "+padRight(scopeWord(tr, c.Scope), 7)+" "+padRight(v, 5)+" "+tr.Domain(c.Reason))
		}
	}
	return out
}

// verdictWord is a cell's verdict (Allow, Deny, unknown) in tr's language.
func verdictWord(tr *i18n.T, v string) string {
	switch v {
	case VerdictAllow:
		return tr.S("Allow")
	case VerdictDeny:
		return tr.S("Deny")
	}
	return tr.S(v)
}

// scopeWord is a grid column's name (inside, outside) in tr's language.
func scopeWord(tr *i18n.T, scope string) string {
	switch scope {
	case "inside":
		return tr.S("inside")
	case "outside":
		return tr.S("outside")
	}
	return scope
}

// layerWord is a deciding layer's word (LayerWord: role, session, bucket, trust) in tr's language.
func layerWord(tr *i18n.T, layer string) string {
	switch layer {
	case "role":
		return tr.S("role")
	case "session":
		return tr.S("session")
	case "bucket":
		return tr.S("bucket")
	case "trust":
		return tr.S("trust")
	}
	return layer
}

// Render draws the grid: "op  inside <prefix>  outside <prefix>" rows with glyphs.
func (pv Preview) Render(st Styles, width int) string {
	if len(pv.Cells) == 0 {
		return ""
	}
	colW := (width - 8) / 2
	if colW > 26 {
		colW = 26
	}
	if colW < 12 {
		colW = 12
	}
	// Without a prefix every key is inside: an "outside" column would contradict it.
	cols := len(PreviewScopes)
	var b strings.Builder
	tr := st.tr()
	op := padRight(tr.S("op"), 7)
	if pv.Inside == "" {
		cols = 1
		fmt.Fprintf(&b, "%s %s\n", op, padRight(tr.S("whole bucket (no prefix)"), colW))
	} else {
		fmt.Fprintf(&b, "%s %s %s\n", op, padRight(tr.S("inside %s", pv.Inside), colW), tr.S("outside %s", pv.Outside))
	}
	for _, row := range pv.Cells {
		fmt.Fprintf(&b, "%-7s", row[0].Op)
		for i, c := range row {
			switch {
			case i == cols-1:
				b.WriteString(" " + cellShort(st, c)) // the last column unpadded: no trailing blanks to cut
			case i < cols:
				b.WriteString(" " + padRight(cellShort(st, c), colW))
			}
		}
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// cellShort is a cell as the grid shows it: glyph, verdict, deciding layer.
func cellShort(st Styles, c PreviewCell) string {
	tr := st.tr()
	layer := layerWord(tr, c.Layer)
	switch c.Verdict {
	case VerdictAllow:
		return st.Mark("ok", tr.S("Allow %s", layer))
	case VerdictDeny:
		return st.Mark("deny", tr.S("Deny  %s", layer))
	}
	return st.Mark("unknown", tr.S("unknown %s", layer))
}

func padRight(s string, w int) string {
	n := cellWidth(s)
	if n >= w {
		return truncateLine(s, w)
	}
	return s + strings.Repeat(" ", w-n)
}
