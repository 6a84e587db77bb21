package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
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
		b.WriteString(m.title(role) + "\n" + st.Unknown.Render(GlyphUnknown+" "+tr.S("set a bucket (b) to see what the token may do in it")))
	} else {
		b.WriteString(m.title(m.bucket+" · "+role) + "\n" + m.preview.Render(st, m.width))
		if m.broken {
			b.WriteString("\n" + truncateLine(st.Unknown.Render(GlyphUnknown+" "+tr.S("unknown: the draft has errors (n steps to them)")), m.width))
		}
	}
	b.WriteString("\n")
	if note := m.bucketLine.text(tr); note != "" {
		b.WriteString(mutedWrapped(st, tr.S("bucket policy: %s", note), m.width) + "\n")
	}
	b.WriteString(mutedWrapped(st, m.contextLine(), m.width))
	return b.String()
}

// title is "Preview <what>", wrapped (never cut: a long role name is what it is about).
func (m policyGrid) title(what string) string {
	st, tr := m.st, m.st.tr()
	word := tr.S("Preview")
	line := word + " " + what
	if cellWidth(line) <= m.width {
		return st.Title.Render(word) + st.Muted.Render(" "+what)
	}
	lines := wrapHard(line, m.width)
	lines[0] = st.Title.Render(word) + st.Muted.Render(strings.TrimPrefix(lines[0], word))
	for i := 1; i < len(lines); i++ {
		lines[i] = st.Muted.Render(lines[i])
	}
	return strings.Join(lines, "\n")
}

// mutedWrapped is a muted note, wrapped to w cells when it does not fit.
func mutedWrapped(st Styles, s string, w int) string {
	if cellWidth(s) <= w {
		return st.Muted.Render(s)
	}
	lines := wrapHard(s, w)
	for i, l := range lines {
		lines[i] = st.Muted.Render(l)
	}
	return strings.Join(lines, "\n")
}

// WhyView says why each cell is what it is, in room lines (counting a blank line and the
// title): as many reasons as fit whole, then how many more; "" when none fits.
func (m policyGrid) WhyView(room int) string {
	// Each reason wraps under its text (op, scope and verdict stay in their columns); the
	// reasons that do not fit whole are counted, never cut.
	const indent = 6 + 1 + 7 + 1 + 5 + 1
	var blocks [][]string
	for _, r := range m.preview.Reasons(m.st.tr()) {
		if cellWidth(r) <= m.width {
			blocks = append(blocks, []string{r})
			continue
		}
		head := ansi.Truncate(r, indent, "")
		var block []string
		for i, l := range wrapHard(ansi.TruncateLeft(r, indent, ""), max(m.width-indent, 20)) {
			if i == 0 {
				block = append(block, head+l)
			} else {
				block = append(block, strings.Repeat(" ", indent)+l)
			}
		}
		blocks = append(blocks, block)
	}
	var lines []string
	shown := 0
	for i, blk := range blocks {
		more := 0
		if i < len(blocks)-1 {
			more = 1 // the "N more" line
		}
		if 2+len(lines)+len(blk)+more > room {
			break
		}
		lines = append(lines, blk...)
		shown++
	}
	if shown == 0 {
		return ""
	}
	if n := len(blocks) - shown; n > 0 {
		lines = append(lines, m.st.Muted.Render(m.st.tr().S("(%d more: a taller or wider terminal shows them)", n)))
	}
	var b strings.Builder
	b.WriteString("\n\n" + m.st.Title.Render(m.st.tr().S("Why")))
	for _, l := range lines {
		b.WriteString("\n" + l)
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
