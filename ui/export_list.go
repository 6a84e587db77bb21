package ui

import (
	"strings"
)

// The export list's rows: each format's name and its description, wrapped under itself (never
// cut), in a window of whole items around the cursor when they do not all fit.

// exportItemLines is one format's row: the mark, the name padded to nameW and the description
// wrapped at w, continuation lines under the description.
func (e *exportState) exportItemLines(st Styles, k string, selected bool, nameW, w int) []string {
	mark, name := "  ", padRight(k, nameW)
	if selected {
		mark, name = GlyphSelected+" ", st.Selected.Render(name)
	}
	col := 2 + nameW + 1
	desc := wrapHard(exportLabel(st, k), max(w-col, 20))
	out := []string{mark + name + " " + st.Muted.Render(desc[0])}
	for _, l := range desc[1:] {
		out = append(out, strings.Repeat(" ", col)+st.Muted.Render(l))
	}
	return out
}

// listWindow renders the list in at most budget lines (-1: no bound): the item under the
// cursor, then the ones around it while whole items fit, with "↑/↓ N more" lines for the rest.
func (e *exportState) listWindow(st Styles, w, budget int) string {
	tr := st.tr()
	kinds := exportKinds()
	nameW := 0
	for _, k := range kinds {
		nameW = max(nameW, cellWidth(k))
	}
	nameW = min(nameW, max(12, w/4))
	items := make([][]string, len(kinds))
	total := 0
	for i, k := range kinds {
		items[i] = e.exportItemLines(st, k, i == e.cursor, nameW, w)
		total += len(items[i])
	}
	var b strings.Builder
	if budget < 0 || total <= budget {
		for _, it := range items {
			b.WriteString(strings.Join(it, "\n") + "\n")
		}
		return b.String()
	}
	cur := min(max(e.cursor, 0), len(kinds)-1)
	lo, hi := cur, cur+1 // items[lo:hi] are shown
	used := len(items[cur])
	more := func(lo, hi int) int { // the "more" lines the window needs
		n := 0
		if lo > 0 {
			n++
		}
		if hi < len(items) {
			n++
		}
		return n
	}
	for grew := true; grew; {
		grew = false
		if hi < len(items) && used+len(items[hi])+more(lo, hi+1) <= budget {
			used += len(items[hi])
			hi++
			grew = true
		}
		if lo > 0 && used+len(items[lo-1])+more(lo-1, hi) <= budget {
			lo--
			used += len(items[lo])
			grew = true
		}
	}
	if lo > 0 {
		b.WriteString(st.Muted.Render("  "+tr.S("↑ %d more", lo)) + "\n")
	}
	for _, it := range items[lo:hi] {
		b.WriteString(strings.Join(it, "\n") + "\n")
	}
	if hi < len(items) {
		b.WriteString(st.Muted.Render("  "+tr.S("↓ %d more", len(items)-hi)) + "\n")
	}
	return b.String()
}
