package ui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The status line never shows a text both cut and wrapped. A note takes one line; an error
// up to statusMaxLines, wrapped whole. When the whole text does not fit, the line shows a
// short form (an error's context and code) that says which key shows everything: D opens the
// status details over the screen — the status text whole, wrapped, and the connection (where
// the credentials came from and every place the credential chain looked, one per line).

// statusMaxLines bounds the lines an error may take on the status line.
const statusMaxLines = 3

// statusDetails is the view D opens: a scrolling page over the screen's body.
type statusDetails struct {
	open bool
	vp   viewport.Model
}

// statusShort is an error's short form for the status line: what was being done and, for a
// service's answer, who answered with which code (the message, RequestId and hint are in the
// details view).
func statusShort(tr *i18n.T, e ErrorMsg) string {
	if e.Err == nil {
		return e.Context
	}
	var ae *model.APIError
	if errors.As(e.Err, &ae) {
		who := strings.ToUpper(ae.Service)
		if who == "" {
			who = "API"
		}
		if ae.Operation != "" {
			who += " " + ae.Operation
		}
		code := fmt.Sprintf("%s: %d %s", who, ae.StatusCode, ae.Code)
		if e.Context == "" {
			return code
		}
		return tr.S("%s: %s", e.Context, code)
	}
	if e.Context != "" {
		return e.Context
	}
	return e.Err.Error()
}

// statusLines lays the status line out: the whole text when it fits (an error wrapped within
// statusMaxLines), else the short form with the details key, never cut inside a wrapped text.
func (a *App) statusLines() []string {
	t := a.statusText()
	w := a.width
	if cellWidth(t) <= w {
		return []string{t}
	}
	tr := a.st.tr()
	hint := " · " + tr.S("D shows it all")
	if a.statusErr && !a.confirmQuit {
		if lines := wrapHard(t, w); len(lines) <= statusMaxLines {
			return lines
		}
		short := GlyphDeny + " " + a.statusShort + hint
		if lines := wrapHard(short, w); len(lines) <= statusMaxLines {
			return lines
		}
	}
	// A note (or a short form still too long): one line, cut, ending in the key.
	return []string{truncateLine(t, w-cellWidth(hint)) + hint}
}

// detailsContent is the details view's text, w cells wide.
func (a *App) detailsContent(w int) string {
	st, tr := a.st, a.st.tr()
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	para := func(s string, indent string) {
		for _, l := range wrapLong(s, max(w-cellWidth(indent), 20)) {
			line(indent + l)
		}
	}
	// The credentials note is the Connection section below, with the places one a line.
	if t := a.statusText(); t != "" && a.status != tr.S("credentials: %s", tr.Domain(a.svc.Where)) {
		line(st.Title.Render(tr.S("Status line in full")))
		para(t, "")
		line("")
	}
	line(st.Title.Render(tr.S("Connection")))
	mode := a.svc.Mode
	if mode == "" {
		mode = "?"
	}
	para(tr.S("mode: %s · region: %s", mode, a.svc.Region), "")
	where := a.svc.Where
	if i := strings.Index(where, "; looked in: "); i >= 0 && len(a.svc.Looked) > 0 {
		where = where[:i] // the list follows, one place a line
	}
	if where != "" {
		para(tr.S("credentials: %s", tr.Domain(where)), "")
	}
	if len(a.svc.Looked) > 0 {
		line("")
		line(st.Title.Render(tr.S("Where stsdeck looked for credentials, in order")))
		for i, l := range a.svc.Looked {
			lines := wrapLong(tr.Domain(l), max(w-5, 20))
			for j, s := range lines {
				if j == 0 {
					line(fmt.Sprintf("%3d. %s", i+1, s))
				} else {
					line("     " + s)
				}
			}
		}
	}
	if a.svc.Unavailable != nil {
		line("")
		para(GlyphDeny+" "+describeError(tr, ErrorMsg{Context: tr.S("connecting"), Err: a.svc.Unavailable}), "")
	}
	return strings.TrimRight(b.String(), "\n")
}

// wrapLong wraps at spaces, and a word wider than w (a list of environment variables, a
// path) after its '/' or ':'.
func wrapLong(s string, w int) []string {
	var out []string
	for _, l := range wrapWords(s, w) {
		if cellWidth(l) > w {
			out = append(out, wrapPath(l, w)...)
			continue
		}
		out = append(out, l)
	}
	return out
}

// toggleDetails opens or closes the details view.
func (a *App) toggleDetails() {
	a.details.open = !a.details.open
	if a.details.open {
		a.details.vp = viewport.New(a.width, a.bodyHeight)
		a.details.vp.SetContent(a.detailsContent(a.width))
	}
}

// detailsView renders the open details view at the body's size (its content follows the
// status line as it changes).
func (a *App) detailsView() string {
	vp := &a.details.vp
	vp.Width, vp.Height = a.width, a.bodyHeight
	vp.SetContent(a.detailsContent(a.width))
	return vp.View()
}

// detailsKeyMap is the help line's bindings while the details view is open.
func (a *App) detailsKeyMap() bindings {
	scroll := key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓ pgup/pgdn", "scroll"))
	closeKey := key.NewBinding(key.WithKeys("D", "esc"), key.WithHelp("D/esc", "close the details"))
	return bindings{short: []key.Binding{scroll, closeKey}}
}

// updateDetails handles a key while the details view is open: scrolling, esc/D close; the
// global keys (tab, quit, help…) still work.
func (a *App) updateDetails(msg tea.KeyMsg) (handled bool) {
	k := a.keys
	switch {
	case keyIs(msg, k.Details), keyIs(msg, k.Back):
		a.details.open = false
		return true
	case key.Matches(msg, a.details.vp.KeyMap.Up, a.details.vp.KeyMap.Down, a.details.vp.KeyMap.PageUp,
		a.details.vp.KeyMap.PageDown, a.details.vp.KeyMap.HalfPageUp, a.details.vp.KeyMap.HalfPageDown):
		a.details.vp, _ = a.details.vp.Update(msg)
		return true
	}
	return false
}
