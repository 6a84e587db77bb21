package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Explain is the Test screen's panel for a failure: what OSS answered, what its EC means, which
// layer and statement the local engine blames, and (sandbox) the server's own decision trace.

// layerPhrase says a DeniedBy layer in the console's words.
func layerPhrase(tr *i18n.T, l string) string {
	switch l {
	case "session":
		return tr.S("session (the session policy given to AssumeRole)")
	case "identity", "role":
		return tr.S("role (an explicit Deny in the role's RAM policies)")
	case "bucket":
		return tr.S("bucket (the bucket policy)")
	case "acl":
		return tr.S("acl (no policy allows it and the ACL is private)")
	case "credentials":
		return tr.S("credentials (access key, token, signature or clock)")
	case "endpoint":
		return tr.S("endpoint (the bucket lives in another region)")
	case "trust":
		return tr.S("trust (the role's trust policy does not name the caller)")
	}
	return tr.Domain(l)
}

// explainState is the Explain panel (a component: Update, View, KeyMap, SetSize); open says
// whether it is shown.
type explainState struct {
	open   bool
	title  string
	apiErr *model.APIError // what the service answered (synthesized from a probe row when needed)
	err    error           // a non-API failure
	// Local engine verdict (nil when not evaluated).
	verdict *PreviewCell
	engine  string // why there is no verdict
	// Server trace (sandbox only).
	sandbox      bool
	traceSeq     int
	traceLoading bool
	trace        *model.Trace
	traceErr     error
	expired      bool
	scroll       int
	hideLeak     bool // no token involved (a refused AssumeRole)
	// diag is a pasted error's diagnosis (the paste target): shown instead of the answer,
	// engine and trace sections.
	diag *flow.Diagnosis

	// The component's styles and size (View); issue.go draws with view(st, w, h) instead.
	st            Styles
	width, height int
}

// traceMsg answers traceCmd.
type traceMsg struct {
	id    int
	trace *model.Trace
	err   error
}

// traceCmd fetches the sandbox's decision trace for a request id.
func traceCmd(sb SandboxControl, service, requestID string, id int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		t, err := sb.Trace(ctx, service, requestID)
		return traceMsg{id: id, trace: t, err: err}
	}
}

// reissueRequestMsg asks the Issue screen to re-issue with the same inputs (from Explain).
type reissueRequestMsg struct{}

// explainKeys are the panel's bindings.
type explainKeys struct {
	ScrollUp, ScrollDown, Close, Reissue key.Binding
}

func newExplainKeys() explainKeys {
	return explainKeys{
		ScrollUp:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j")),
		Close:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Reissue:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-issue token")),
	}
}

// SetSize sets the panel's size (View draws width × height cells).
func (x *explainState) SetSize(w, h int) { x.width, x.height = w, h }

// KeyMap is what help shows while the panel is open: r only for an expired token.
func (x explainState) KeyMap() help.KeyMap {
	k := newExplainKeys()
	b := []key.Binding{k.ScrollUp, k.Close}
	if x.expired {
		b = append(b, k.Reissue)
	}
	return bindings{short: b}
}

// Update takes the server's trace (a stale one is dropped) and, while open, the panel's keys:
// esc closes, ↑/↓ scroll, r (expired token only) closes and asks Issue to re-issue.
func (x explainState) Update(msg tea.Msg) (explainState, tea.Cmd) {
	switch msg := msg.(type) {
	case traceMsg:
		if msg.id == x.traceSeq && x.open {
			x.traceLoading = false
			x.trace, x.traceErr = msg.trace, msg.err
		}
	case tea.KeyMsg:
		if !x.open {
			return x, nil
		}
		k := newExplainKeys()
		switch {
		case key.Matches(msg, k.Close):
			x.open = false
		case key.Matches(msg, k.ScrollUp):
			x.scroll = max(0, x.scroll-1)
		case key.Matches(msg, k.ScrollDown):
			x.scroll++
		case x.expired && key.Matches(msg, k.Reissue):
			x.open = false
			return x, tea.Batch(func() tea.Msg { return reissueRequestMsg{} },
				func() tea.Msg { return SwitchScreenMsg{To: ScreenIssue} })
		}
	}
	return x, nil
}

// View draws the panel at its size with its styles.
func (x explainState) View() string { return x.view(x.st, x.width, x.height) }

// explainLines is the panel's text under construction, width cells wide.
type explainLines struct {
	st    Styles
	width int
	out   []string
}

func (e *explainLines) add(s string) { e.out = append(e.out, s) }

// field adds "  label  value"; long values wrap under themselves rather than being cut: ARNs
// and messages matter here.
func (e *explainLines) field(label, v string) {
	if v == "" {
		return
	}
	for i, l := range wrapHard(v, e.width-17) {
		if i == 0 {
			e.add("  " + padRight(label, 14) + " " + l)
		} else {
			e.add(strings.Repeat(" ", 17) + l)
		}
	}
}

// lines renders the panel as lines (the caller scrolls and clips).
func (x *explainState) lines(st Styles, width int) []string {
	e := &explainLines{st: st, width: width}
	tr := st.tr()
	x.titleLines(e)
	switch {
	case x.diag != nil: // a pasted error's diagnosis (paste_explain.go)
		x.diagnosisLines(e)
	case x.apiErr != nil:
		x.answerLines(e)
	case x.err != nil:
		e.add(st.Title.Render(tr.S("What went wrong")))
		for _, l := range wrapWords(tr.Domain(flatLine(x.err.Error())), width-2) {
			e.add("  " + l)
		}
	}
	if x.diag == nil {
		x.engineLines(e)
		x.serverLines(e)
	}
	if !x.hideLeak {
		e.add(st.Title.Render(tr.S("If this token may have leaked")))
		for _, l := range wrapWords(tr.S("Tokens cannot be revoked. What works: attach an explicit Deny to the role (it stops every session of the role at once, e.g. with an acs:CurrentTime condition), issue shorter durations and narrower session policies; the token dies at its expiry anyway."), min(width-2, 96)) {
			e.add("  " + l)
		}
	}
	for i := range e.out {
		e.out[i] = cutLine(e.out[i], width)
	}
	return e.out
}

// titleLines: the title, esc's hint, and the expiry warning.
func (x *explainState) titleLines(e *explainLines) {
	st, width, tr := e.st, e.width, e.st.tr()
	title, closes := tr.S("Explain: %s", x.title), tr.S("(esc closes)")
	if cellWidth(title+"  "+closes) <= width {
		e.add(st.Title.Render(title) + "  " + st.Muted.Render(closes))
	} else {
		for _, l := range wrapHard(title, width) {
			e.add(st.Title.Render(l))
		}
		e.add(st.Muted.Render(closes))
	}
	if x.expired {
		e.add(st.Error.Render(GlyphDeny + " " + tr.S("The token has EXPIRED. Press r to re-issue it with the same inputs.")))
	}
}

// answerLines: what the service answered and what it means (flow.Meaning).
func (x *explainState) answerLines(e *explainLines) {
	st, a, tr := e.st, x.apiErr, e.st.tr()
	e.add(st.Title.Render(tr.S("What the service answered")))
	e.field(tr.S("HTTP status"), fmt.Sprint(a.StatusCode))
	e.field("Code", a.Code)
	e.field("EC", a.EC)
	e.field("Message", a.Message)
	e.field("RequestId", a.RequestID)
	e.field("Operation", a.Operation)
	if d := a.AccessDeniedDetail; d != nil {
		e.field("PolicyType", d.PolicyType)
		e.field("NoPermission", d.NoPermissionType)
		e.field("AuthAction", d.AuthAction)
		e.field("Principal", strings.TrimSpace(d.AuthPrincipalType+" "+d.AuthPrincipalDisplayName))
	}
	e.field("RecommendDoc", a.RecommendDoc)
	if a.Hint != "" {
		e.field(tr.S("Hint"), tr.Domain(a.Hint))
	}
	e.add(st.Title.Render(tr.S("What it means")))
	m, layer := flow.Meaning(a)
	if m == "" {
		e.add("  " + st.Muted.Render(tr.S("no explanation on file for this code")))
		return
	}
	if layer != "" {
		for _, l := range wrapWords(tr.S("layer: %s", layerPhrase(tr, layer)), e.width-2) {
			e.add("  " + l) // wrapped, never cut
		}
	}
	for _, l := range wrapWords(tr.Domain(m), e.width-2) {
		e.add("  " + l)
	}
}

// engineLines: the local engine's verdict on the request, or why there is none.
func (x *explainState) engineLines(e *explainLines) {
	st, width, tr := e.st, e.width, e.st.tr()
	e.add(st.Title.Render(tr.S("What the local engine says")))
	switch {
	case x.verdict != nil:
		v := x.verdict
		glyph := GlyphUnknown
		switch v.Verdict {
		case VerdictAllow:
			glyph = GlyphOK
		case VerdictDeny:
			glyph = GlyphDeny
		}
		for i, l := range wrapHard(glyph+" "+tr.S("%s %s on %s", v.Verdict, v.Action, v.Resource), width-4) {
			if i == 0 {
				e.add("  " + l)
			} else {
				e.add("    " + l)
			}
		}
		if v.Layer != "" {
			e.add("    " + tr.S("deciding layer: %s", tr.Domain(v.Layer)))
		}
		if v.Reason != "" {
			for _, l := range wrapWords(tr.Domain(v.Reason), width-4) {
				e.add("    " + l)
			}
		}
		for _, m := range v.Result.Statements {
			e.add("    " + tr.S("matched (%s layer): %s %s (line %d) %s", tr.S(LayerWord(m.Layer)), m.Policy, flow.StatementLabel(m.Index), m.Line, m.Effect))
		}
		if v.Verdict == VerdictAllow && (x.apiErr != nil || x.err != nil) {
			e.add("    " + st.Muted.Render(tr.S("the policies allow this request: the failure is not a policy denial")))
		}
	case x.engine != "":
		for _, l := range wrapWords(tr.Domain(x.engine), width-2) {
			e.add("  " + st.Muted.Render(l))
		}
	default:
		e.add("  " + st.Muted.Render(tr.S("not evaluated")))
	}
}

// serverLines: the sandbox's decision trace, or (live) where to quote the RequestId.
func (x *explainState) serverLines(e *explainLines) {
	st, a, tr := e.st, x.apiErr, e.st.tr()
	if !x.sandbox {
		if a != nil && a.RequestID != "" {
			for _, l := range wrapWords(tr.S("Live mode: the server's reasoning is not public; quote RequestId %s to Alibaba Cloud support.", a.RequestID), e.width) {
				e.add(st.Muted.Render(l))
			}
		}
		return
	}
	e.add(st.Title.Render(tr.S("What the sandbox says (server trace)")))
	switch {
	case x.traceLoading:
		e.add("  " + st.Muted.Render(tr.S("fetching the trace…")))
	case x.traceErr != nil:
		e.add("  " + st.Warn.Render(GlyphWarn+" "+tr.S("no trace: %s", flatLine(x.traceErr.Error()))))
	case x.trace != nil:
		traceLines(e, x.trace)
	default:
		e.add("  " + st.Muted.Render(tr.S("no RequestId to look up")))
	}
}

// traceLines: one server trace, field by field.
func traceLines(e *explainLines, t *model.Trace) {
	tr := e.st.tr()
	e.field(tr.S("Check failed"), t.Check)
	e.field(tr.S("Detail"), tr.Domain(t.Detail))
	e.field(tr.S("Decision"), t.Decision)
	e.field(tr.S("Decided by"), t.DecidedBy)
	e.field("Action", t.Action)
	e.field("Resource", t.Resource)
	if len(t.Layers) > 0 {
		keys := make([]string, 0, len(t.Layers))
		for k := range t.Layers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+t.Layers[k])
		}
		e.field(tr.S("Layers"), strings.Join(parts, " "))
	}
	for _, s := range t.Statements {
		e.add("    " + tr.S("matched: %s %s %s (line %d) %s", s.Layer, s.Policy, flow.StatementLabel(s.Index), s.Line, s.Effect))
	}
	if len(t.Indeterminate) > 0 {
		e.field(tr.S("Unknown keys"), strings.Join(t.Indeterminate, ", "))
	}
}

// view renders the panel in height rows from the scroll position.
func (x *explainState) view(st Styles, width, height int) string {
	ls := x.lines(st, width)
	if height < 3 {
		height = 3
	}
	scroll := min(x.scroll, max(0, len(ls)-height))
	end := min(len(ls), scroll+height)
	return strings.Join(ls[scroll:end], "\n")
}

// apiErrorOf returns the *model.APIError in err's chain, nil if none.
func apiErrorOf(err error) *model.APIError {
	var a *model.APIError
	if errors.As(err, &a) {
		return a
	}
	return nil
}

// wrapWords breaks text into lines of at most w display cells at spaces (w is at least 20);
// runs of spaces collapse and a word longer than w stays whole on its own line. (x/ansi's
// Wordwrap would also break at every hyphen, which ARNs, ECs and probe keys are full of.)
// Chinese has no spaces: a line may also break before or after a double-width character
// (never inside one, never before closing punctuation such as ，。）), so a Chinese sentence
// wraps where English would be left whole.
func wrapWords(text string, w int) []string {
	if w < 20 {
		w = 20
	}
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		for i, seg := range cjkSegments(word) {
			sep := " "
			if i > 0 {
				sep = "" // a break inside a word: no space
			}
			switch {
			case line == "":
				line = seg
			case ansi.StringWidth(line)+len(sep)+ansi.StringWidth(seg) <= w:
				line += sep + seg
			default:
				out = append(out, line)
				line = seg
			}
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// cjkSegments splits a word at the places a line may break inside it: before and after each
// double-width character, keeping closing punctuation with what precedes it and opening
// punctuation with what follows. A word without wide characters (or with escape sequences)
// is one segment.
func cjkSegments(word string) []string {
	wide := false
	for _, r := range word {
		if r >= 0x1100 && runeCells(r) == 2 {
			wide = true
			break
		}
	}
	if !wide || strings.ContainsRune(word, '\x1b') {
		return []string{word}
	}
	var segs []string
	cur := ""
	prevWide := false
	for _, r := range word {
		isWide := r >= 0x1100 && runeCells(r) == 2
		switch {
		case cur == "":
			cur = string(r)
		case strings.ContainsRune(cjkNoBreakBefore, r):
			cur += string(r)
		case strings.ContainsRune(cjkNoBreakAfter, lastRune(cur)):
			cur += string(r)
		case isWide || prevWide:
			segs = append(segs, cur)
			cur = string(r)
		default:
			cur += string(r)
		}
		prevWide = isWide
	}
	return append(segs, cur)
}

// Punctuation a line must not start with (closing) or end with (opening).
const (
	cjkNoBreakBefore = "，。、；：！？）》」』】〕…·,.;:!?)]}%"
	cjkNoBreakAfter  = "（《「『【〔([{"
)

func runeCells(r rune) int { return ansi.StringWidth(string(r)) }

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}

// wrapHard is wrapWords that also breaks words longer than w (ARNs, URLs), by display cells.
func wrapHard(text string, w int) []string {
	if w < 20 {
		w = 20
	}
	var out []string
	for _, l := range wrapWords(text, w) {
		out = append(out, strings.Split(ansi.Hardwrap(l, w, false), "\n")...)
	}
	return out
}
