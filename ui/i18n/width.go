package i18n

import "github.com/mattn/go-runewidth"

// AgreeOnWidths makes go-runewidth count East Asian ambiguous characters (─ … ✓ ×) as one
// cell, as charmbracelet/x/ansi (lipgloss) does and as terminals draw them by default. Without
// it, under LANG=zh_CN.UTF-8 runewidth (used by bubbles' textarea and textinput) counts them as
// two cells while lipgloss counts one, and the two disagree about every border and ellipsis.
// The console calls it once at start-up, before drawing.
func AgreeOnWidths() {
	// Nothing in stsdeck or its libraries builds runewidth's lookup table (CreateLUT), so the
	// condition's flag is all there is to change.
	runewidth.EastAsianWidth = false
	runewidth.DefaultCondition.EastAsianWidth = false
}
