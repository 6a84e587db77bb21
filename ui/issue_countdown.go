package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/model/issuereq"
)

// countdown is the token card's time left: a countdown with a progress bar over the token's
// lifetime, following TickMsg (the screen clock) and ClockAdvancedMsg (the sandbox's
// authorization clock), corrected for the server's clock offset.
type countdown struct {
	st    Styles
	width int
	now   time.Time // last TickMsg (or construction) time
	// sandboxOff is the sandbox's authorization-clock offset now, offsetAtIssue when the token arrived.
	sandboxOff, offsetAtIssue time.Duration
	creds                     model.Credentials
	asked                     time.Duration // the duration requested (0 = STS's default)
}

func newCountdown(st Styles, now time.Time) countdown { return countdown{st: st, now: now} }

// SetSize sets the width the bar is sized from.
func (c *countdown) SetSize(w, _ int) { c.width = w }

// Start counts down a new token issued for a duration asked (0 = STS's default).
func (c *countdown) Start(creds model.Credentials, asked time.Duration) {
	c.creds, c.asked = creds, asked
	c.offsetAtIssue = c.sandboxOff
}

// Now is the screen clock the countdown shows.
func (c countdown) Now() time.Time { return c.now }

// KeyMap: the countdown has no keys of its own.
func (c countdown) KeyMap() help.KeyMap { return bindings{} }

// Update follows the clocks.
func (c countdown) Update(msg tea.Msg) (countdown, tea.Cmd) {
	switch msg := msg.(type) {
	case TickMsg:
		c.now = msg.Now
	case ClockAdvancedMsg:
		c.sandboxOff = msg.Offset
	}
	return c, nil
}

// Remaining is a token's time left at the screen's clock, corrected by the server clock offset
// and (sandbox) the authorization clock's offset.
func (c countdown) Remaining(cr model.Credentials) time.Duration {
	return cr.Remaining(c.now.Add(c.sandboxOff))
}

// lifetime is the token's whole validity, for the progress bar.
func (c countdown) lifetime() time.Duration {
	cr := c.creds
	if !cr.IssuedAt.IsZero() {
		if d := cr.Expiration.Sub(cr.IssuedAt.Add(cr.ServerClockOffset).Add(c.offsetAtIssue)); d > 0 {
			return d
		}
	}
	if c.asked > 0 {
		return c.asked
	}
	return issuereq.DefaultDuration
}

// Badge is the token's state for the card's title: live, expiring soon, expired.
func (c countdown) Badge() string {
	st, tr := c.st, c.st.tr()
	rem := c.Remaining(c.creds)
	switch flow.Expiry(rem, c.lifetime()) {
	case flow.ExpiryExpired:
		return st.Error.Render(GlyphDeny + " " + tr.S("EXPIRED — the token no longer works; press r to re-issue"))
	case flow.ExpiryUrgent:
		return st.Error.Render(GlyphWarn + GlyphWarn + " " + tr.S("EXPIRES IN UNDER A MINUTE — press r to re-issue"))
	case flow.ExpiryWarn:
		return st.Warn.Render(GlyphWarn + " " + tr.S("expiring soon (%s left) — press r to re-issue", countdownText(rem)))
	}
	return st.Allow.Render(GlyphOK + " " + tr.S("live"))
}

// NextStep is how far the sandbox clock must move for the token to reach its next expiry state.
func (c countdown) NextStep() time.Duration {
	return flow.NextExpiryStep(c.Remaining(c.creds), c.lifetime())
}

// View draws the Remaining row, the bar and, when a clock is off, what it was corrected for.
func (c countdown) View() string {
	st, tr := c.st, c.st.tr()
	rem := c.Remaining(c.creds)
	life := c.lifetime()
	frac := 0.0
	if life > 0 && rem > 0 {
		frac = min(1, float64(rem)/float64(life))
	}
	barW := max(10, min(40, c.width-40))
	var remTxt string
	barStyle := st.Allow
	switch flow.Expiry(rem, life) {
	case flow.ExpiryExpired:
		remTxt = st.Error.Render(GlyphDeny + " " + tr.S("expired %s ago", countdownText(-rem)))
		barStyle = st.Error
	case flow.ExpiryUrgent:
		remTxt = st.Error.Render(GlyphWarn + GlyphWarn + " " + tr.S("%s left", countdownText(rem)))
		barStyle = st.Error
	case flow.ExpiryWarn:
		remTxt = st.Warn.Render(GlyphWarn + " " + tr.S("%s left", countdownText(rem)))
		barStyle = st.Warn
	default:
		remTxt = tr.S("%s left", countdownText(rem))
	}
	w := cardRows{width: c.width}
	w.row(tr.S("Remaining"), remTxt)
	w.b.WriteString(cardIndent + meterBar(barW, frac, barStyle, st.Muted) + fmt.Sprintf(" %3.0f%%", frac*100) + "\n")
	if off := c.creds.ServerClockOffset; off != 0 || c.sandboxOff != 0 {
		var parts []string
		if off != 0 {
			parts = append(parts, tr.S("server clock offset %s", plusMinusDur(off)))
		}
		if c.sandboxOff != 0 {
			parts = append(parts, tr.S("sandbox clock %s", plusMinusDur(c.sandboxOff)))
		}
		w.b.WriteString(st.Muted.Render(cardIndent+tr.S("corrected for %s", strings.Join(parts, tr.S(", ")))) + "\n")
	}
	return w.String()
}
