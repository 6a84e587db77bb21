package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/policy"
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

// Reasons lists each cell's reason, one line per cell: "put inside   Allow  allowed by …".
func (pv Preview) Reasons() []string {
	var out []string
	for _, row := range pv.Cells {
		for _, c := range row {
			v := c.Verdict
			if v == VerdictUnknown {
				v = GlyphUnknown
			}
			out = append(out, fmt.Sprintf("%-6s %-7s %-5s %s", c.Op, c.Scope, v, c.Reason))
		}
	}
	return out
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
	if pv.Inside == "" {
		cols = 1
		fmt.Fprintf(&b, "%-7s %s\n", "op", padRight("whole bucket (no prefix)", colW))
	} else {
		fmt.Fprintf(&b, "%-7s %s %s\n", "op", padRight("inside "+pv.Inside, colW), padRight("outside "+pv.Outside, colW))
	}
	for _, row := range pv.Cells {
		fmt.Fprintf(&b, "%-7s", row[0].Op)
		for i, c := range row {
			if i < cols {
				b.WriteString(" " + padRight(cellShort(st, c), colW))
			}
		}
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// cellShort is a cell as the grid shows it: glyph, verdict, deciding layer.
func cellShort(st Styles, c PreviewCell) string {
	switch c.Verdict {
	case VerdictAllow:
		return st.Mark("ok", "Allow "+c.Layer)
	case VerdictDeny:
		return st.Mark("deny", "Deny  "+c.Layer)
	}
	return st.Mark("unknown", "unknown "+c.Layer)
}

func padRight(s string, w int) string {
	n := cellWidth(s)
	if n >= w {
		return truncateLine(s, w)
	}
	return s + strings.Repeat(" ", w-n)
}
