package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// revealFor is how long the card shows the secret before masking it again.
const revealFor = 30 * time.Second

// credCardKeys are the token card's bindings, for matching and for help. The card acts on
// Reveal itself; Edit, Reissue, Export and GoTest are the screen's to act on.
type credCardKeys struct {
	Edit, Reissue, Reveal, Export, GoTest key.Binding
	Serve, ShowURI                        key.Binding // serve.go
}

func newCredCardKeys() credCardKeys {
	return credCardKeys{
		Edit:    key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e", "edit inputs")),
		Reissue: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-issue")),
		Reveal:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show/hide secret")),
		Export:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		GoTest:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test upload")),
		Serve:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "serve/stop credentials URI")),
		ShowURI: key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "show/hide served URI")),
	}
}

// credCard is the token card: AccessKeyId, the secret masked until revealed (for 30 s), the
// token abbreviated, expiry in UTC and local time, the countdown, and after a re-issue the
// previous token beside the new one.
type credCard struct {
	st    Styles
	keys  credCardKeys
	loc   *time.Location // local time zone for the expiry (tests fix it)
	width int

	creds    *model.Credentials // nil before the first issue
	prev     *model.Credentials
	revealed bool
	revealAt time.Time
	clock    countdown
}

func newCredCard(st Styles, now time.Time) credCard {
	return credCard{st: st, keys: newCredCardKeys(), loc: time.Local, clock: newCountdown(st, now)}
}

// SetSize sets the width rows wrap at.
func (c *credCard) SetSize(w, h int) {
	c.width = w
	c.clock.SetSize(w, h)
}

// SetToken shows a new token (prev: the one it replaces, nil for none), issued for a duration
// asked (0 = STS's default); the secret is masked again.
func (c *credCard) SetToken(creds, prev *model.Credentials, asked time.Duration) {
	c.creds, c.prev = creds, prev
	c.revealed = false
	c.clock.Start(*creds, asked)
}

// Remaining is a token's time left by the card's clocks.
func (c credCard) Remaining(cr model.Credentials) time.Duration { return c.clock.Remaining(cr) }

// KeyMap is the card's help while no field has focus.
func (c credCard) KeyMap() help.KeyMap {
	k := c.keys
	re, rv, ex, gt := k.Reissue, k.Reveal, k.Export, k.GoTest
	has := c.creds != nil
	re.SetEnabled(has)
	rv.SetEnabled(has)
	ex.SetEnabled(has)
	gt.SetEnabled(has)
	// The countdown's states, for help: the thresholds it warns at (text and symbol).
	states := key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp(c.st.tr().S("expiry"), "! ≤25%/≤5m left · !! ≤1m · ✗ 0"))
	states.SetEnabled(has)
	sv, su := k.Serve, k.ShowURI
	sv.SetEnabled(has)
	su.SetEnabled(has)
	return bindings{short: []key.Binding{k.Edit, re, rv, ex, gt, sv},
		full: [][]key.Binding{{k.Edit, re, rv}, {ex, gt, states}, {sv, su}}}
}

// Update follows the clocks (masking the secret again when its time is up) and toggles the
// secret.
func (c credCard) Update(msg tea.Msg) (credCard, tea.Cmd) {
	switch msg := msg.(type) {
	case TickMsg:
		c.clock, _ = c.clock.Update(msg)
		if c.revealed && !msg.Now.Before(c.revealAt.Add(revealFor)) {
			c.revealed = false
		}
	case ClockAdvancedMsg:
		c.clock, _ = c.clock.Update(msg)
	case tea.KeyMsg:
		if c.creds != nil && key.Matches(msg, c.keys.Reveal) {
			c.revealed = !c.revealed
			c.revealAt = c.clock.Now()
		}
	}
	return c, nil
}

// View draws the card ("" before the first issue).
func (c credCard) View() string {
	if c.creds == nil {
		return ""
	}
	st, tr := c.st, c.st.tr()
	cr := *c.creds
	w := cardRows{width: c.width}
	w.b.WriteString(st.Title.Render(tr.S("Token")) + "  " + c.clock.Badge() + "\n")
	w.row("AccessKeyId", cr.AccessKeyID)
	if c.revealed {
		left := c.revealAt.Add(revealFor).Sub(c.clock.Now()).Round(time.Second)
		w.rowNote(st, "AccessKeySecret", cr.AccessKeySecret, tr.S("(masks again in %ds)", int(left/time.Second)))
	} else {
		w.rowNote(st, "AccessKeySecret", model.MaskSecret(cr.AccessKeySecret), tr.S("(s shows it for 30s)"))
	}
	w.row("SecurityToken", model.AbbrevToken(cr.SecurityToken))
	if cr.AssumedRoleARN != "" {
		w.rowPath(tr.S("Assumed role"), cr.AssumedRoleARN) // broken after a '/', never inside the session name
	}
	w.row(tr.S("Expires (UTC)"), cr.Expiration.UTC().Format("2006-01-02 15:04:05 UTC"))
	w.row(tr.S("Expires (local)"), cr.Expiration.In(c.loc).Format("2006-01-02 15:04:05 MST"))
	w.b.WriteString(c.clock.View() + "\n")
	if c.prev != nil {
		p := *c.prev
		expired := c.clock.Remaining(p) <= 0
		at := p.Expiration.UTC().Format("15:04:05 UTC")
		prevTxt := tr.S("%s expires %s", p.AccessKeyID, at)
		if expired {
			prevTxt = tr.S("%s expired %s", p.AccessKeyID, at)
		}
		w.row(tr.S("Previous token"), prevTxt)
		w.row(tr.S("New token"), tr.S("expires %s", cr.Expiration.UTC().Format("15:04:05 UTC")))
		if !expired {
			w.b.WriteString(st.Muted.Render(cardIndent+tr.S("the previous token stays valid until it expires (tokens cannot be revoked)")) + "\n")
		}
	}
	return w.String()
}

// cardIndent lines continuation rows up under the values (16-cell labels and a space).
const cardIndent = "                 "

// cardRows writes label/value rows; long values wrap under themselves (an ARN, a revealed
// secret): nothing is cut.
type cardRows struct {
	b     strings.Builder
	width int
}

func (w *cardRows) row(label, val string) {
	for i, l := range wrapHard(val, max(20, w.width-17)) {
		if i == 0 {
			w.b.WriteString(padRight(label, 16) + " " + l + "\n")
		} else {
			w.b.WriteString(cardIndent + l + "\n")
		}
	}
}

// rowPath is a row whose value is an ARN or a path, wrapped after its separators.
func (w *cardRows) rowPath(label, val string) {
	for i, l := range wrapPath(val, max(20, w.width-17)) {
		if i == 0 {
			w.b.WriteString(padRight(label, 16) + " " + l + "\n")
		} else {
			w.b.WriteString(cardIndent + l + "\n")
		}
	}
}

// rowNote puts a muted note after the value, or under it when the line would not fit.
func (w *cardRows) rowNote(st Styles, label, val, note string) {
	if 17+cellWidth(val)+2+cellWidth(note) <= w.width {
		w.row(label, val+"  "+st.Muted.Render(note))
		return
	}
	w.row(label, val)
	w.b.WriteString(cardIndent + st.Muted.Render(note) + "\n")
}

// String is the rows without the last newline.
func (w *cardRows) String() string { return strings.TrimRight(w.b.String(), "\n") }
