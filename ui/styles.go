package ui

import "github.com/charmbracelet/lipgloss"

// Styles is built once per console (no package-level mutable state). With NoColor every style is
// plain, so state must also be shown by glyphs: use the Glyph* constants beside coloured text.
type Styles struct {
	NoColor bool

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
