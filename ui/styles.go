package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Styles is built once per console (no package-level mutable state). With NoColor every style is
// plain, so state must also be shown by glyphs: use the Glyph* constants beside coloured text.
type Styles struct {
	NoColor bool
	// T is the console's language (shared by every copy of Styles; the app switches it live).
	T *i18n.T

	App       lipgloss.Style
	Header    lipgloss.Style
	Badge     lipgloss.Style // SANDBOX / LIVE
	TabActive lipgloss.Style
	Tab       lipgloss.Style
	Title     lipgloss.Style
	Selected  lipgloss.Style
	Muted     lipgloss.Style
	Allow     lipgloss.Style
	Deny      lipgloss.Style
	Unknown   lipgloss.Style
	Warn      lipgloss.Style
	Error     lipgloss.Style
	Pane      lipgloss.Style
	Status    lipgloss.Style
	Help      lipgloss.Style
}

// Glyphs that carry state without colour.
const (
	GlyphSelected = ">"
	GlyphOK       = "✓"
	GlyphDeny     = "✗"
	GlyphWarn     = "!"
	GlyphUnknown  = "?"
)

// NewStyles builds the console's styles; noColor (NO_COLOR set) removes all styling.
func NewStyles(noColor bool) Styles {
	if noColor {
		p := lipgloss.NewStyle()
		return Styles{NoColor: true, App: p, Header: p, Badge: p, TabActive: p.Underline(false), Tab: p, Title: p,
			Selected: p, Muted: p, Allow: p, Deny: p, Unknown: p, Warn: p, Error: p, Pane: p, Status: p, Help: p}
	}
	return Styles{
		App:       lipgloss.NewStyle(),
		Header:    lipgloss.NewStyle().Bold(true),
		Badge:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11")).Padding(0, 1),
		TabActive: lipgloss.NewStyle().Bold(true).Underline(true).Foreground(lipgloss.Color("12")),
		Tab:       lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Title:     lipgloss.NewStyle().Bold(true),
		Selected:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12")),
		Muted:     lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Allow:     lipgloss.NewStyle().Foreground(lipgloss.Color("10")),
		Deny:      lipgloss.NewStyle().Foreground(lipgloss.Color("9")),
		Unknown:   lipgloss.NewStyle().Foreground(lipgloss.Color("11")),
		Warn:      lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11")),
		Error:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9")),
		Pane:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("8")).Padding(0, 1),
		Status:    lipgloss.NewStyle().Foreground(lipgloss.Color("7")),
		Help:      lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
	}
}

// Layout helpers shared by the screens (ANSI-aware).

// truncateLine cuts s to width w display cells, ending with "…" when cut.
func truncateLine(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// fitBlock makes s exactly h lines of at most w cells: long lines are cut, missing lines are
// blank, extra lines are dropped.
func fitBlock(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = truncateLine(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// wrapText soft-wraps plain text to width w (words kept whole where possible).
func wrapText(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Wrap(s, w, " ")
}

// Mark renders a state glyph with its text in the matching style: ok, deny, warn or unknown.
func (s Styles) Mark(kind, text string) string {
	switch kind {
	case "ok":
		return s.Allow.Render(GlyphOK + " " + text)
	case "deny":
		return s.Deny.Render(GlyphDeny + " " + text)
	case "warn":
		return s.Warn.Render(GlyphWarn + " " + text)
	}
	return s.Unknown.Render(GlyphUnknown + " " + text)
}

// kindStyle is Mark's style for a kind (for a marked text's continuation lines).
func (s Styles) kindStyle(kind string) lipgloss.Style {
	switch kind {
	case "ok":
		return s.Allow
	case "deny":
		return s.Deny
	case "warn":
		return s.Warn
	}
	return s.Unknown
}

// cellWidth is the display width of s (ANSI sequences take none).
func cellWidth(s string) int { return ansi.StringWidth(s) }

// padBlock pads every line of s with spaces to w cells, so blocks joined side by side line up.
func padBlock(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if n := ansi.StringWidth(l); n < w {
			lines[i] = l + strings.Repeat(" ", w-n)
		}
	}
	return strings.Join(lines, "\n")
}

// Input makes a one-line text field in the console's look: a static cursor (no blink timer),
// and with NoColor no styling at all (the placeholder stays readable as plain text).
func (s Styles) Input(prompt, placeholder string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.CharLimit = limit
	in.Cursor.SetMode(cursor.CursorStatic)
	if s.NoColor {
		p := lipgloss.NewStyle()
		in.PlaceholderStyle, in.CompletionStyle, in.PromptStyle, in.TextStyle = p, p, p, p
		in.Cursor.Style, in.Cursor.TextStyle = p.Reverse(true), p
	}
	return in
}
