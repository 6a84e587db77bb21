// Package ui is stsdeck's console: one root model (App) over five screens.
//
// How screens are constructed: newApp builds each screen once, in ScreenID order, with
//
//	NewRolesScreen(svc *Services, st Styles, now func() time.Time) *RolesScreen
//	NewPolicyScreen(svc *Services, st Styles, now func() time.Time) *PolicyScreen
//	NewIssueScreen, NewTestScreen, NewHistoryScreen — same three arguments
//
// (svc may have nil services in tests; st is built once by NewStyles; now is the injectable
// wall clock). A screen never reads another screen: it emits the messages in screen.go as
// tea.Cmd results and the app forwards every non-key message to every screen. The app owns the
// header, the tabs, the status line (the one place errors are rendered: return ErrorMsg), the
// one-second TickMsg, help (each screen's KeyMap), quitting (a screen with `Busy() bool`
// returning true makes quit ask first) and the sandbox clock key. Besides the messages of
// screen.go, screens may receive callerKnownMsg (who the console acts as, once Whoami answers).
//
// Keys: a screen whose InputFocused() is true gets every key except ctrl+c, tab, shift+tab and
// alt+1…5; otherwise the app first handles 1…5 (unless the screen's OwnsDigits), q, ?, ctrl+t
// (sandbox) and esc (dismissing an error), and the rest goes to the active screen. Runes typed fast arrive one message per rune.
package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// busy is implemented by screens that run something quitting would interrupt (an upload).
type busy interface{ Busy() bool }

// clockStepper is implemented by the Issue screen: how far ctrl+t moves the sandbox clock so a
// demo sees each expiry state in turn (false: no live token, the plain AdvanceStep).
type clockStepper interface{ ClockStep() (time.Duration, bool) }

// digitOwner is implemented by screens whose current mode uses the digit keys (the Policy
// screen's template menu picks by number); bare 1…5 then go to the screen, not to the tabs.
type digitOwner interface{ OwnsDigits() bool }

func ownsDigits(s Screen) bool {
	o, ok := s.(digitOwner)
	return ok && o.OwnsDigits()
}

// App is the console's root model.
type App struct {
	svc     *Services
	st      Styles
	keys    GlobalKeys
	help    help.Model
	now     func() time.Time
	screens [screenCount]Screen
	active  ScreenID

	width, height int
	bodyHeight    int
	fullHelp      bool

	status    string
	statusErr bool
	statusAt  time.Time
	// statusShort is the error's short form, shown when the whole does not fit; details is
	// the view D opens with the whole text and the connection (status_details.go).
	statusShort string
	details     statusDetails

	caller      *model.Caller
	callerErr   bool
	confirmQuit bool
	quitting    bool

	clockOffset    time.Duration
	advancing      bool          // an Advance request is in flight
	advancePending time.Duration // presses made meanwhile

	// Connecting after the first frame (Options.Connect): the header shows a spinner until
	// connectedMsg arrives; the screens' Init runs then.
	connect    Connector
	connecting bool
	spin       spinner.Model
	ctx        context.Context // cancelled when the console quits (aborts a connection in flight)
	cancel     context.CancelFunc
	closer     func() // closes what the connection started (the embedded sandbox)
	connectErr error

	paste    pastePanel // the paste target over every screen (paste.go)
	quitWarn string     // why quitting asks (a served token still fetched); "" = an upload
}

// Connector resolves the console's services (credential chain, maybe the ECS metadata probe or
// starting the embedded sandbox). The console calls it inside a command, after its first frame;
// closer (may be nil) is called when the console ends.
type Connector func(ctx context.Context) (svc *Services, closer func(), err error)

// connectedMsg answers the Connector.
type connectedMsg struct {
	svc    *Services
	closer func()
	err    error
}

// callerMsg answers the app's Whoami.
type callerMsg struct {
	caller model.Caller
	err    error
}

// callerKnownMsg tells the screens who the console acts as (sent once Whoami answers).
type callerKnownMsg struct{ caller model.Caller }

// advancedMsg answers a sandbox clock advance.
type advancedMsg struct {
	offset time.Duration
	err    error
}

// statusTTL is how long a non-error status stays on the status line.
const statusTTL = 8 * time.Second

func newApp(svc *Services, opts Options) *App {
	if svc == nil {
		svc = &Services{}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	st := NewStyles(opts.NoColor)
	st.T = i18n.New(opts.Lang)
	tr := st.T
	a := &App{
		svc:  svc,
		st:   st,
		keys: NewGlobalKeys(svc.Sandbox != nil),
		help: help.New(),
		now:  now,
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	if opts.Connect != nil {
		// Services arrive later: the screens share this (empty) value, which connectedMsg
		// fills in on the event loop before any service is used.
		a.connect, a.connecting = opts.Connect, true
		svc.Connecting = true
		a.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
		if !opts.NoColor {
			a.spin.Style = st.Warn
		}
	}
	if opts.NoColor {
		a.help.Styles = help.Styles{}
	}
	a.screens = [screenCount]Screen{
		ScreenRoles:   NewRolesScreen(svc, st, now),
		ScreenPolicy:  NewPolicyScreen(svc, st, now),
		ScreenIssue:   NewIssueScreen(svc, st, now),
		ScreenTest:    NewTestScreen(svc, st, now),
		ScreenHistory: NewHistoryScreen(svc, st, now),
	}
	if a.connecting {
		a.status, a.statusAt = tr.S("connecting: resolving credentials (environment, aliyun CLI config, credentials file, ECS metadata…)"), now()
	} else if svc.Where != "" {
		a.status, a.statusAt = tr.S("credentials: %s", tr.Domain(svc.Where)), now()
	}
	a.paste = newPastePanel(st)
	a.setupServe(opts.ServeDir) // serve_app.go
	a.width, a.height = 80, 24
	a.layout(true)
	return a
}

// Init starts the clock tick and either the connection (Options.Connect: the screens start
// once it answers) or every screen and the caller lookup.
func (a *App) Init() tea.Cmd {
	if a.connecting {
		return tea.Batch(tick(a.now), a.spin.Tick, connectCmd(a.ctx, a.connect))
	}
	return tea.Batch(tick(a.now), a.start())
}

// start runs the screens' Init and the caller lookup (once services are there).
func (a *App) start() tea.Cmd {
	cmds := []tea.Cmd{whoami(a.svc.Identity)}
	for _, s := range a.screens {
		cmds = append(cmds, s.Init())
	}
	return tea.Batch(cmds...)
}

func connectCmd(ctx context.Context, connect Connector) tea.Cmd {
	return func() tea.Msg {
		svc, closer, err := connect(ctx)
		if ctx.Err() != nil {
			// The console ended meanwhile: nobody will receive this.
			if closer != nil {
				closer()
			}
			return nil
		}
		return connectedMsg{svc: svc, closer: closer, err: err}
	}
}

// connected installs the services (or the failure) and starts the screens.
func (a *App) connected(msg connectedMsg) tea.Cmd {
	a.connecting = false
	a.closer = msg.closer
	if msg.err == nil && msg.svc == nil {
		msg.err = errors.New(a.st.tr().S("the connection returned no services"))
	}
	if msg.err != nil {
		// The screens stay unstarted (they would only add "not configured" errors).
		a.connectErr = msg.err
		*a.svc = Services{Unavailable: msg.err}
		a.setError(ErrorMsg{Context: a.st.tr().S("connecting"), Err: msg.err})
		a.layout(true)
		return nil
	} else {
		*a.svc = *msg.svc // the screens hold this pointer
		a.svc.Connecting = false
		a.keys = NewGlobalKeys(a.svc.Sandbox != nil)
		if a.svc.Where != "" {
			a.setStatus(a.st.tr().S("credentials: %s", a.st.tr().Domain(a.svc.Where)))
		}
	}
	a.layout(true)
	return a.start()
}

func tick(now func() time.Time) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return TickMsg{Now: now()} })
}

func whoami(id Identity) tea.Cmd {
	if id == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, err := id.Whoami(ctx)
		return callerMsg{caller: c, err: err}
	}
}

func (a *App) startAdvance(d time.Duration) tea.Cmd {
	a.advancing = true
	return advance(a.svc.Sandbox, d)
}

func advance(sb SandboxControl, d time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		off, err := sb.Advance(ctx, d)
		return advancedMsg{offset: off, err: err}
	}
}

// Update routes messages: keys to the active screen (after the global bindings), everything
// else to every screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.help.Width = msg.Width
		a.layout(true)
		return a, nil
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			// Fast typing arrives as one message; split it so that a key which changes focus
			// (such as / starting a filter) takes effect before the next rune.
			cmds := make([]tea.Cmd, 0, len(msg.Runes))
			for _, r := range msg.Runes {
				cmds = append(cmds, a.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return a, tea.Batch(cmds...)
		}
		return a, a.handleKey(msg)
	case tea.MouseMsg:
		return a, a.updateActive(msg)
	case TickMsg:
		if a.status != "" && !a.statusErr && msg.Now.Sub(a.statusAt) > statusTTL {
			a.status = ""
			a.layout(false)
		}
		return a, tea.Batch(tick(a.now), a.broadcast(msg))
	case connectedMsg:
		return a, a.connected(msg)
	case spinner.TickMsg:
		if a.connecting && msg.ID == a.spin.ID() {
			var cmd tea.Cmd
			a.spin, cmd = a.spin.Update(msg)
			return a, cmd
		}
		if a.connect != nil && msg.ID == a.spin.ID() {
			return a, nil // connected: the header's spinner stops
		}
	case callerMsg:
		if msg.err != nil {
			a.callerErr = true
			a.setError(ErrorMsg{Context: a.st.tr().S("asking who the credentials belong to"), Err: msg.err})
			return a, nil
		}
		c := msg.caller
		a.caller = &c
		if a.svc.AccountID == "" {
			a.svc.AccountID = c.AccountID
		}
		return a, a.broadcast(callerKnownMsg{caller: c})
	case advancedMsg:
		a.advancing = false
		var next tea.Cmd
		if a.advancePending > 0 && a.svc.Sandbox != nil {
			next = a.startAdvance(a.advancePending)
			a.advancePending = 0
		}
		if msg.err != nil {
			a.setError(ErrorMsg{Context: a.st.tr().S("advancing the sandbox clock"), Err: msg.err})
			return a, next
		}
		// Each answer carries the sandbox's offset after that request; the clock only moves
		// forward here, so an answer no larger than the one shown adds nothing.
		if msg.offset <= a.clockOffset {
			return a, next
		}
		a.clockOffset = msg.offset
		return a, tea.Batch(next, func() tea.Msg { return ClockAdvancedMsg{Offset: msg.offset} })
	case ClockAdvancedMsg:
		a.clockOffset = msg.Offset
		a.setStatus(a.st.tr().S("sandbox authorization clock is now %s ahead of the wall clock", fmtOffset(msg.Offset)))
		return a, a.broadcast(msg)
	case SwitchScreenMsg:
		a.switchTo(msg.To)
		return a, nil
	case diagnosedMsg:
		var cmd tea.Cmd
		a.paste, cmd = a.paste.Update(msg, a.svc, a.now())
		a.layout(false)
		return a, cmd
	case fixReissueMsg:
		return a, a.applyFix(msg) // paste_app.go
	case ErrorMsg:
		a.setError(msg)
		return a, nil
	case StatusMsg:
		a.setStatus(msg.Text)
		return a, nil
	}
	return a, a.broadcast(msg)
}

func (a *App) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := a.keys
	if a.confirmQuit {
		switch {
		case keyIs(msg, k.Confirm), keyIs(msg, k.Force):
			return a.quit()
		case keyIs(msg, k.Cancel):
			a.confirmQuit = false
			a.setStatus(a.st.tr().S("still running"))
		}
		return nil
	}
	if keyIs(msg, k.Force) {
		return a.requestQuit()
	}
	if keyIs(msg, k.Next) {
		a.switchTo((a.active + 1) % screenCount)
		return nil
	}
	if keyIs(msg, k.Prev) {
		a.switchTo((a.active + screenCount - 1) % screenCount)
		return nil
	}
	if a.details.open && a.updateDetails(msg) {
		a.layout(false)
		return nil // status_details.go
	}
	if a.paste.open {
		return a.updatePaste(msg) // paste_app.go (q and ? too once the field is left)
	}
	if id, ok := jumpTarget(msg); ok {
		a.switchTo(id)
		return nil
	}
	if msg.Paste && !a.screens[a.active].InputFocused() {
		return a.openPaste(string(msg.Runes)) // bracketed paste on any screen: explain it
	}
	if a.screens[a.active].InputFocused() {
		return a.updateActive(msg)
	}
	if id, ok := digitTarget(msg); ok && !ownsDigits(a.screens[a.active]) {
		a.switchTo(id)
		return nil
	}
	switch {
	case keyIs(msg, k.Quit):
		return a.requestQuit()
	case keyIs(msg, k.Lang):
		a.switchLanguage()
		return nil
	case keyIs(msg, k.Paste):
		return a.openPaste("")
	case keyIs(msg, k.Details):
		a.toggleDetails() // status_details.go
		return nil
	case keyIs(msg, k.Help):
		a.fullHelp = !a.fullHelp
		a.layout(false)
		return nil
	case keyIs(msg, k.Advance):
		if a.svc.Sandbox == nil {
			return nil
		}
		step, toNext := AdvanceStep, false
		if cs, ok := a.screens[ScreenIssue].(clockStepper); ok {
			if d, ok := cs.ClockStep(); ok {
				step, toNext = d, true
			}
		}
		if a.advancing {
			// One request at a time: presses made meanwhile go in the next one.
			a.advancePending += step
			return nil
		}
		if toNext {
			a.setStatus(a.st.tr().S("advancing the sandbox clock by %s to the token's next expiry state…", fmtOffset(step)))
		} else {
			a.setStatus(a.st.tr().S("advancing the sandbox clock by %s…", fmtOffset(step)))
		}
		return a.startAdvance(step)
	case keyIs(msg, k.Back) && a.statusErr:
		// esc first dismisses an error; the next one reaches the screen.
		a.status, a.statusErr = "", false
		a.layout(false)
		return nil
	}
	return a.updateActive(msg)
}

func (a *App) requestQuit() tea.Cmd {
	if w := a.quitWarning(); w != "" { // serve_app.go
		a.confirmQuit, a.quitWarn = true, w
		a.layout(false)
		return nil
	}
	a.quitWarn = ""
	for _, s := range a.screens {
		if b, ok := s.(busy); ok && b.Busy() {
			a.confirmQuit = true
			a.layout(false)
			return nil
		}
	}
	return a.quit()
}

func (a *App) quit() tea.Cmd {
	a.quitting = true
	a.cancel()
	return tea.Quit
}

// Close releases what the connection started (the embedded sandbox); Run calls it at the end.
func (a *App) Close() {
	a.cancel()
	a.stopServing() // serve_app.go
	if a.closer != nil {
		a.closer()
		a.closer = nil
	}
}

// ConnectErr is the Connector's error, if it failed.
func (a *App) ConnectErr() error { return a.connectErr }

func (a *App) switchTo(id ScreenID) {
	if id < 0 || id >= screenCount || id == a.active {
		return
	}
	a.active = id
	a.paste.open = false // the paste panel was over the screen left
	a.layout(false)
}

func (a *App) updateActive(msg tea.Msg) tea.Cmd {
	s, cmd := a.screens[a.active].Update(msg)
	a.screens[a.active] = s
	// A screen's key map (and so the full help's height) may change with what it shows.
	if a.fullHelp {
		a.layout(false)
	}
	return cmd
}

func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.screens))
	for i, s := range a.screens {
		ns, cmd := s.Update(msg)
		a.screens[i] = ns
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

func (a *App) setError(e ErrorMsg) {
	a.status = describeError(a.st.tr(), e)
	a.statusShort = statusShort(a.st.tr(), e)
	a.statusErr = true
	a.statusAt = a.now()
	a.layout(false)
}

func (a *App) setStatus(s string) {
	a.status = s
	a.statusErr = false
	a.statusAt = a.now()
	a.layout(false)
}

// describeError is the one rendering of an error: context, the error, and an adapter's hint.
// The cloud's own error (code, Message) stays as it came; stsdeck's hint and its own errors
// are translated (tr.Domain leaves a text no pattern knows as it is).
func describeError(tr *i18n.T, e ErrorMsg) string {
	if e.Err == nil {
		return e.Context
	}
	text := e.Err.Error()
	var ae *model.APIError
	if errors.As(e.Err, &ae) {
		if ae.Hint != "" {
			text = tr.S("%s — %s", text, tr.Domain(ae.Hint))
		}
	} else {
		text = tr.Domain(text)
	}
	if e.Context == "" {
		return text
	}
	return tr.S("%s: %s", e.Context, text)
}

// layout recomputes the body height and tells every screen when it changed.
func (a *App) layout(force bool) {
	helpH := 1
	if a.fullHelp {
		helpH = lipgloss.Height(a.helpView())
	}
	body := a.height - 2 - a.statusHeight() - helpH // header, tabs, status line, help
	if body < 3 {
		body = 3
	}
	if !force && body == a.bodyHeight {
		return
	}
	a.bodyHeight = body
	for _, s := range a.screens {
		s.SetSize(a.width, body)
	}
	a.paste.SetSize(a.width, body)
}

func (a *App) helpView() string {
	km := combinedKeyMap{screen: a.screens[a.active].KeyMap(), global: a.keys, focused: a.screens[a.active].InputFocused()}
	if a.paste.open {
		km.screen, km.focused = a.paste.KeyMap(), a.paste.Focused()
	}
	if a.details.open {
		km.screen, km.focused = a.detailsKeyMap(), false
	}
	tkm := translatedKeyMap{km: km, tr: a.st.tr(), lang: a.keys.Lang}
	h := a.help
	h.Width = a.width
	if !a.fullHelp {
		// Drop the screen's last bindings until "? help • q quit" fits.
		short := tkm.ShortHelp()
		measure := h
		measure.Width = 0 // unbounded, to see what would be cut
		for len(short) > 2 && cellWidth(measure.ShortHelpView(short)) > a.width {
			short = append(short[:len(short)-3], short[len(short)-2:]...)
		}
		return h.ShortHelpView(short)
	}
	all := h.FullHelpView(tkm.FullHelp())
	if cellWidth(all) <= a.width && !strings.Contains(all, "…") {
		return all
	}
	// Narrow: the screen's keys, then the global ones, so nothing is cut off.
	var screen [][]key.Binding
	if km.screen != nil {
		screen = translatedKeyMap{km: km.screen, tr: a.st.tr(), lang: a.keys.Lang}.FullHelp()
	}
	global := translatedKeyMap{km: combinedKeyMap{global: a.keys, focused: km.focused}, tr: a.st.tr(), lang: a.keys.Lang}.FullHelp()
	return strings.TrimRight(h.FullHelpView(screen)+"\n"+h.FullHelpView(global), "\n")
}

// View renders header, tabs, the active screen, the status line and help.
func (a *App) View() string {
	if a.quitting {
		return ""
	}
	var b strings.Builder
	b.WriteString(a.headerView())
	b.WriteByte('\n')
	b.WriteString(a.tabsView())
	b.WriteByte('\n')
	body := a.screens[a.active].View()
	if a.paste.open {
		body = a.paste.View()
	}
	if a.details.open {
		body = a.detailsView()
	}
	body = fitBlock(body, a.width, a.bodyHeight)
	b.WriteString(body)
	b.WriteByte('\n')
	b.WriteString(a.statusView())
	b.WriteByte('\n')
	b.WriteString(a.st.Help.Render(a.helpView()))
	return b.String()
}

func (a *App) headerView() string {
	st := a.st
	badge := st.tr().S("LIVE")
	if a.svc.Mode == "sandbox" {
		badge = st.tr().S("SANDBOX")
	}
	if st.NoColor {
		badge = "[" + badge + "]"
	} else {
		badge = st.Badge.Render(badge)
	}
	if a.connecting {
		badge = a.spin.View() + " " + st.tr().S("connecting…")
	} else if a.connectErr != nil {
		badge = GlyphDeny + " " + st.tr().S("not connected")
	}
	acct := a.svc.AccountID
	if acct == "" {
		acct = "?"
	}
	caller := "…"
	if a.caller != nil {
		caller = shortARN(a.caller.ARN)
	} else if a.callerErr {
		caller = GlyphUnknown + " " + st.tr().S("unknown")
	}
	region := a.svc.Region
	if region == "" {
		region = "?"
	}
	clock := ""
	if a.clockOffset != 0 {
		clock = st.Warn.Render(GlyphWarn + " " + st.tr().S("clock +%s", fmtOffset(a.clockOffset)))
	}
	// One layout at every width and in every state: name, badge, the sandbox clock when moved,
	// then caller, account and region. When it does not fit, the gaps narrow first, then the
	// caller is shortened (its type prefix, then its tail), then the line's end is cut.
	who := func(caller string) string { return st.tr().S("as %s · acct %s · %s", caller, acct, region) }
	line := func(gap, caller string) string {
		parts := []string{st.Header.Render("stsdeck"), badge}
		if clock != "" {
			parts = append(parts, clock)
		}
		return strings.Join(append(parts, who(caller)), gap)
	}
	for _, gap := range []string{"  ", " "} {
		if h := line(gap, caller); cellWidth(h) <= a.width {
			return h
		}
	}
	short := caller
	if i := strings.Index(short, "/"); i >= 0 && i < len(short)-1 {
		short = short[i+1:] // "user/sts-issuer" → "sts-issuer"
	}
	if h := line(" ", short); cellWidth(h) <= a.width {
		return h
	}
	// The identity is worth more than the word "acct" (the clock badge needs the room).
	who = func(caller string) string { return st.tr().S("as %s · %s · %s", caller, acct, region) }
	if h := line(" ", short); cellWidth(h) <= a.width {
		return h
	}
	room := a.width - cellWidth(line(" ", ""))
	if room >= 4 {
		return line(" ", truncateLine(short, room))
	}
	return truncateLine(line(" ", truncateLine(short, 4)), a.width)
}

func (a *App) tabsView() string {
	var parts []string
	for i, s := range a.screens {
		label := fmt.Sprintf("%d %s", i+1, a.st.tr().S(s.Title()))
		if ScreenID(i) == a.active {
			if a.st.NoColor {
				label = "[" + label + "]"
			} else {
				label = a.st.TabActive.Render(" " + label + " ")
			}
		} else {
			if a.st.NoColor {
				label = " " + label + " "
			} else {
				label = a.st.Tab.Render(" " + label + " ")
			}
		}
		parts = append(parts, label)
	}
	return truncateLine(strings.Join(parts, " "), a.width)
}

// statusText is the status line's plain text ("" = empty line).
func (a *App) statusText() string {
	switch {
	case a.confirmQuit && a.quitWarn != "":
		return GlyphWarn + " " + a.quitWarn
	case a.confirmQuit:
		return GlyphWarn + " " + a.st.tr().S("an upload is running — quit anyway? (y/n)")
	case a.status == "":
		return ""
	case a.statusErr:
		return GlyphDeny + " " + a.status
	}
	return a.status
}

func (a *App) statusHeight() int { return len(a.statusLines()) }

func (a *App) statusView() string {
	lines := a.statusLines()
	style := a.st.Status
	switch {
	case a.confirmQuit:
		style = a.st.Warn
	case a.statusErr:
		style = a.st.Error
	}
	for i, l := range lines {
		lines[i] = style.Render(truncateLine(l, a.width))
	}
	return strings.Join(lines, "\n")
}

// Active returns the active screen's id (for tests and the smoke test's assertions).
func (a *App) Active() ScreenID { return a.active }

// Screen returns a screen by id.
func (a *App) Screen(id ScreenID) Screen { return a.screens[id] }

// shortARN keeps the part after the account of an ARN ("user/sts-issuer").
func shortARN(arn string) string {
	if i := strings.LastIndex(arn, ":"); i >= 0 && i < len(arn)-1 {
		return arn[i+1:]
	}
	return arn
}

func fmtOffset(d time.Duration) string {
	d = d.Round(time.Second)
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return d.String()
}
