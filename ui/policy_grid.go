package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// policyGrid renders the effective-permission preview: the grid of test operations × the chosen
// bucket/prefix (each cell Allow/Deny with the deciding layer), what the preview knows about
// the bucket policy, what it assumes about the request and, where there is room, why each cell
// is what it is. The preview itself is computed by the screen (ComputePreview).
type policyGrid struct {
	st    Styles
	width int

	preview    Preview
	bucket     string         // "" = none chosen: no grid
	role       string         // role name; "" = none chosen
	bucketLine bucketNote     // what the preview knows about the bucket policy
	pctx       PreviewContext // what the preview assumes about the request
	broken     bool           // the draft has errors: every cell is unknown, and the grid says why
}

// SetBroken says whether the session policy draft has errors (the cells are then all unknown).
func (m *policyGrid) SetBroken(b bool) { m.broken = b }

func newPolicyGrid(st Styles) policyGrid { return policyGrid{st: st} }

// SetSize sets the grid's width; it takes the rows it needs.
func (m *policyGrid) SetSize(w, _ int) { m.width = w }

// Update has nothing to handle: what the grid shows is set by the screen.
func (m policyGrid) Update(tea.Msg) (policyGrid, tea.Cmd) { return m, nil }

// View is the preview's title, the grid (or why there is none), the bucket-policy line and the
// context line.
func (m policyGrid) View() string {
	st, tr := m.st, m.st.tr()
	role := tr.S("no role chosen")
	if m.role != "" {
		role = tr.S("role %s", m.role)
	}
	var b strings.Builder
	if m.bucket == "" {
		// No grid: every cell would describe a bucket nobody chose.
		head := st.Title.Render(tr.S("Preview")) + st.Muted.Render(" "+role)
		b.WriteString(truncateLine(head, m.width) + "\n" + st.Unknown.Render(GlyphUnknown+" "+tr.S("set a bucket (b) to see what the token may do in it")))
	} else {
		head := st.Title.Render(tr.S("Preview")) + st.Muted.Render(" "+m.bucket+" · "+role)
		b.WriteString(truncateLine(head, m.width) + "\n" + m.preview.Render(st, m.width))
		if m.broken {
			b.WriteString("\n" + truncateLine(st.Unknown.Render(GlyphUnknown+" "+tr.S("unknown: the draft has errors (n steps to them)")), m.width))
		}
	}
	b.WriteString("\n")
	if note := m.bucketLine.text(tr); note != "" {
		b.WriteString(truncateLine(st.Muted.Render(tr.S("bucket policy: %s", note)), m.width) + "\n")
	}
	b.WriteString(truncateLine(st.Muted.Render(m.contextLine()), m.width))
	return b.String()
}

// WhyView says why each cell is what it is, when room lines (counting a blank line and the
// title) hold it all; else "".
func (m policyGrid) WhyView(room int) string {
	reasons := m.preview.Reasons(m.st.tr())
	if room < len(reasons)+2 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\n" + m.st.Title.Render(m.st.tr().S("Why")))
	for _, r := range reasons {
		b.WriteString("\n" + truncateLine(r, m.width))
	}
	return b.String()
}

func (m policyGrid) contextLine() string {
	v := func(x string) string {
		if x == "" {
			return GlyphUnknown
		}
		return x
	}
	tr := m.st.tr()
	https := map[string]string{"true": tr.S("yes"), "false": tr.S("no")}[m.pctx.HTTPS]
	return tr.S("assumes source IP %s · https %s · time %s  (c)", v(m.pctx.SourceIP), v(https), v(m.pctx.Time))
}

// SetPreview sets the grid shown.
func (m *policyGrid) SetPreview(p Preview) { m.preview = p }

// SetInfo sets what the lines around the grid say: the bucket ("" = none chosen: no grid), the
// role's name ("" = none chosen), the bucket-policy line and the request context assumed.
func (m *policyGrid) SetInfo(bucket, role string, bucketLine bucketNote, pctx PreviewContext) {
	m.bucket, m.role, m.bucketLine, m.pctx = bucket, role, bucketLine, pctx
}
