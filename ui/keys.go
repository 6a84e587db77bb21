package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// GlobalKeys are the bindings the app handles itself, whichever screen is active.
type GlobalKeys struct {
	Next    key.Binding // tab
	Prev    key.Binding // shift+tab
	Jump    key.Binding // 1…5 when no text field has focus (help only; matched by jumpTarget)
	JumpAlt key.Binding // alt+1…5, also while a field has focus (help only; matched by jumpTarget)
	Help    key.Binding // ?
	Back    key.Binding // esc
	Quit    key.Binding // q (when no field is focused)
	Force   key.Binding // ctrl+c
	Advance key.Binding // sandbox only: advance the authorization clock
	Confirm key.Binding // y (in the quit prompt)
	Cancel  key.Binding // n / esc (in the quit prompt)
	Lang    key.Binding // L: switch the console's language
	Paste   key.Binding // E: explain a pasted error (a bracketed paste does it too)
	Details key.Binding // D: the status line in full and where the credentials came from
}

// NewGlobalKeys returns the app's bindings; sandbox enables the clock key.
func NewGlobalKeys(sandbox bool) GlobalKeys {
	k := GlobalKeys{
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev screen")),
		Jump:    key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1…5", "go to screen")),
		JumpAlt: key.NewBinding(key.WithKeys("alt+1", "alt+2", "alt+3", "alt+4", "alt+5"), key.WithHelp("alt+1…5", "go to screen")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:    key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Force:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Advance: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "sandbox clock → next expiry state")),
		Confirm: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "quit anyway")),
		Cancel:  key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "keep running")),
		Lang:    key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "switch language")),
		Paste:   key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "explain a pasted error")),
		Details: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "status line in full, credentials")),
	}
	k.Advance.SetEnabled(sandbox)
	return k
}

// AdvanceStep is how far one press of the sandbox clock key moves the authorization clock when
// there is no live token (with one, it moves to the token's next expiry state).
const AdvanceStep = 15 * time.Minute

// jumpTarget returns the screen an alt+digit key names.
func jumpTarget(msg tea.KeyMsg) (ScreenID, bool) {
	if !msg.Alt {
		return 0, false
	}
	return digitTarget(msg)
}

// digitTarget returns the screen a digit key names (1 = Roles … 5 = History), alt or not.
func digitTarget(msg tea.KeyMsg) (ScreenID, bool) {
	if msg.Type != tea.KeyRunes || len(msg.Runes) != 1 {
		return 0, false
	}
	r := msg.Runes[0]
	if r < '1' || r >= '1'+rune(screenCount) {
		return 0, false
	}
	return ScreenID(r - '1'), true
}

// combinedKeyMap shows a screen's bindings followed by the global ones.
// While a field has focus (focused), only ctrl+c, tab/shift+tab and alt+1…5 are global, and
// help says so; otherwise bare 1…5 switch screens too.
type combinedKeyMap struct {
	screen  help.KeyMap
	global  GlobalKeys
	focused bool
}

func (c combinedKeyMap) ShortHelp() []key.Binding {
	var out []key.Binding
	if c.screen != nil {
		out = append(out, c.screen.ShortHelp()...)
	}
	if c.focused {
		return append(out, c.global.Force)
	}
	return append(out, c.global.Help, c.global.Quit)
}

func (c combinedKeyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	if c.screen != nil {
		out = append(out, c.screen.FullHelp()...)
	}
	g := c.global
	if c.focused {
		return append(out, []key.Binding{g.Next, g.Prev, g.JumpAlt}, []key.Binding{g.Force})
	}
	return append(out,
		[]key.Binding{g.Next, g.Prev, g.Jump, g.JumpAlt},
		[]key.Binding{g.Back, g.Help, g.Quit, g.Force, g.Advance, g.Lang, g.Paste, g.Details})
}

// bindings is a help.KeyMap built from plain lists (screens use it for their KeyMap()).
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding { return b.short }
func (b bindings) FullHelp() [][]key.Binding {
	if b.full == nil {
		return [][]key.Binding{b.short}
	}
	return b.full
}

// keyIs reports whether msg matches b (a nil-safe key.Matches for enabled bindings).
func keyIs(msg tea.KeyMsg, b key.Binding) bool { return key.Matches(msg, b) }
