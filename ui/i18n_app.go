package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"

	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The console speaks the language in Styles.T (one *i18n.T shared by every screen through the
// Styles value they all hold); the app switches it live with L. Key help is written in English
// in each screen's KeyMap and translated here, at the one place help is rendered.

// translatedKeyMap shows km's bindings with their descriptions in the current language.
type translatedKeyMap struct {
	km   help.KeyMap
	tr   *i18n.T
	lang key.Binding // the language key: its help names the current language
}

func (t translatedKeyMap) binding(b key.Binding) key.Binding {
	h := b.Help()
	desc := t.tr.Key(h.Desc)
	if h.Key == t.lang.Help().Key && h.Desc == t.lang.Help().Desc {
		desc = t.tr.S("language: %s", t.tr.Lang().Name())
	}
	if desc == h.Desc {
		return b
	}
	b.SetHelp(h.Key, desc)
	return b
}

func (t translatedKeyMap) ShortHelp() []key.Binding {
	in := t.km.ShortHelp()
	out := make([]key.Binding, len(in))
	for i, b := range in {
		out[i] = t.binding(b)
	}
	return out
}

func (t translatedKeyMap) FullHelp() [][]key.Binding {
	in := t.km.FullHelp()
	out := make([][]key.Binding, len(in))
	for i, col := range in {
		out[i] = make([]key.Binding, len(col))
		for j, b := range col {
			out[i][j] = t.binding(b)
		}
	}
	return out
}

// tr is the console's translator (never nil once newApp ran; a nil one speaks English).
func (st Styles) tr() *i18n.T { return st.T }

// switchLanguage moves the console to the next language and re-lays it out (text widths change).
func (a *App) switchLanguage() {
	tr := a.st.tr()
	tr.SetLang(tr.Next())
	a.setStatus(tr.S("language: %s", tr.Lang().Name()))
	a.layout(true)
}
