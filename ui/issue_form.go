package ui

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model/issuereq"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// The Issue screen's form: session name, duration and external id, checked as you type by the
// rules in model/issuereq (the ones the commands and the sts adapter apply).

const (
	fieldSession = iota
	fieldDuration
	fieldExternal
	fieldCount
)

// durationPresets are offered with ←/→ in the duration field (those above the role's max are skipped).
var durationPresets = []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
	4 * time.Hour, 6 * time.Hour, 12 * time.Hour}

// issueFormKeys are the form's bindings, for matching and for help. Issue (enter) is the
// screen's to act on: the form only shows it.
type issueFormKeys struct {
	Issue, Up, Down, Preset, Blur key.Binding
}

func newIssueFormKeys() issueFormKeys {
	return issueFormKeys{
		Issue:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "issue")),
		Up:     key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "field")),
		Down:   key.NewBinding(key.WithKeys("down")),
		Preset: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "duration preset")),
		Blur:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave field")),
	}
}

// issueForm is the AssumeRole inputs with their problems under them.
type issueForm struct {
	st      Styles
	keys    issueFormKeys
	inputs  [fieldCount]textinput.Model
	focus   int           // -1 = no field focused
	roleMax time.Duration // the role's MaxSessionDuration, 0 = unknown
	width   int
}

// newIssueForm builds the form with a session name stamped from now, the STS default
// duration, and the session name field focused.
func newIssueForm(st Styles, now time.Time) issueForm {
	f := issueForm{st: st, keys: newIssueFormKeys(), focus: -1}
	for i := range f.inputs {
		f.inputs[i] = st.Input("", "", 128)
	}
	f.inputs[fieldExternal].CharLimit = 1224
	f.inputs[fieldSession].SetValue(issuereq.DefaultSessionName(now)) // the commands' default: unique within a second
	f.inputs[fieldDuration].SetValue("1h")
	f.label()
	f.Focus(fieldSession)
	return f
}

// label sets the fields' prompts and placeholders in the current language (View calls it, so
// the form follows a language switch).
func (f *issueForm) label() {
	tr := f.st.tr()
	for i, l := range [fieldCount]string{tr.S("session name"), tr.S("duration"), tr.S("external id")} {
		f.inputs[i].Prompt = formLabel(l)
	}
	f.inputs[fieldDuration].Placeholder = tr.S("1h (e.g. 45m, 2h, 3600)")
	f.inputs[fieldExternal].Placeholder = tr.S("optional")
}

// SetSize sets the width the inputs and their problems are drawn in.
func (f *issueForm) SetSize(w, _ int) {
	f.width = w
	for i := range f.inputs {
		f.inputs[i].Width = max(10, min(40, w-34))
	}
	f.inputs[fieldDuration].Width = 12
}

// SetRoleMax sets the chosen role's MaxSessionDuration (0 = unknown: STS's 12h ceiling applies).
func (f *issueForm) SetRoleMax(d time.Duration) { f.roleMax = d }

// SetValues replaces the inputs (a clone from History); duration "" keeps the current one.
func (f *issueForm) SetValues(session, duration, external string) {
	f.inputs[fieldSession].SetValue(session)
	if duration != "" {
		f.inputs[fieldDuration].SetValue(duration)
	}
	f.inputs[fieldExternal].SetValue(external)
}

// Value is one field's text.
func (f issueForm) Value(field int) string { return f.inputs[field].Value() }

// Focused reports whether a field has focus (the form then gets the keys first).
func (f issueForm) Focused() bool { return f.focus >= 0 }

// Focus moves the focus to a field (-1: none) and returns the cursor's command.
func (f *issueForm) Focus(field int) tea.Cmd { return focusTo(f.inputs[:], &f.focus, field) }

// KeyMap is the form's help while a field has focus.
func (f issueForm) KeyMap() help.KeyMap {
	b := []key.Binding{f.keys.Issue, f.keys.Up}
	if f.focus == fieldDuration {
		b = append(b, f.keys.Preset)
	}
	return bindings{short: append(b, f.keys.Blur)}
}

// typing reports whether a key goes into the focused field (not a move, preset or blur).
func (f issueForm) typing(msg tea.KeyMsg) bool {
	k := f.keys
	return !key.Matches(msg, k.Blur, k.Up, k.Down) && !(f.focus == fieldDuration && key.Matches(msg, k.Preset))
}

// Update moves the focus, steps the duration presets and edits the focused field.
func (f issueForm) Update(msg tea.Msg) (issueForm, tea.Cmd) {
	if f.focus < 0 {
		return f, nil
	}
	if msg, ok := msg.(tea.KeyMsg); ok {
		k := f.keys
		switch {
		case key.Matches(msg, k.Blur):
			return f, f.Focus(-1)
		case key.Matches(msg, k.Up):
			return f, focusStep(f.inputs[:], &f.focus, -1, nil)
		case key.Matches(msg, k.Down):
			return f, focusStep(f.inputs[:], &f.focus, 1, nil)
		case f.focus == fieldDuration && key.Matches(msg, k.Preset):
			f.stepPreset(msg.String() == "right")
			return f, nil
		}
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return f, cmd
}

func (f *issueForm) stepPreset(up bool) {
	maxD := f.maxDuration()
	var ok []time.Duration
	for _, p := range durationPresets {
		if p <= maxD {
			ok = append(ok, p)
		}
	}
	if len(ok) == 0 {
		return
	}
	cur, err := parseIssueDuration(f.inputs[fieldDuration].Value())
	if err != nil || cur == 0 {
		cur = issuereq.DefaultDuration
	}
	idx := -1
	if up {
		idx = len(ok) - 1
		for i := len(ok) - 1; i >= 0; i-- {
			if ok[i] > cur {
				idx = i
			}
		}
	} else {
		idx = 0
		for i, p := range ok {
			if p < cur {
				idx = i
			}
		}
	}
	f.inputs[fieldDuration].SetValue(durInputText(ok[idx]))
	f.inputs[fieldDuration].CursorEnd()
}

// maxDuration is the role's MaxSessionDuration, or STS's ceiling when unknown.
func (f issueForm) maxDuration() time.Duration { return issuereq.MaxFor(f.roleMax) }

// Problems checks the fields (model/issuereq's rules, the console's wording) and returns the
// duration asked for (0 = STS's default).
func (f issueForm) Problems() (problems [fieldCount]string, d time.Duration) {
	tr := f.st.tr()
	problems[fieldSession] = tr.Domain(issuereq.SessionNameProblem(f.inputs[fieldSession].Value()))
	d, err := parseIssueDuration(f.inputs[fieldDuration].Value())
	switch {
	case err != nil:
		problems[fieldDuration] = durationProblem(tr, err)
	case d == 0:
	case d < issuereq.MinDuration:
		problems[fieldDuration] = tr.S("duration %s is below the 15m minimum", shortDur(d))
	case d > f.maxDuration():
		if f.roleMax > 0 {
			problems[fieldDuration] = tr.S("duration %s is above the role's maximum %s (MaxSessionDuration)", shortDur(d), shortDur(f.roleMax))
		} else {
			problems[fieldDuration] = tr.S("duration %s is above STS's 12h ceiling", shortDur(d))
		}
	}
	problems[fieldExternal] = tr.Domain(issuereq.ExternalIDProblem(f.inputs[fieldExternal].Value()))
	return problems, d
}

// View draws the fields, the focused one marked, each problem under its field.
func (f issueForm) View() string {
	st := f.st
	f.label()
	var b strings.Builder
	problems, _ := f.Problems()
	for i := range f.inputs {
		mark := " "
		if i == f.focus {
			mark = GlyphSelected
		}
		b.WriteString(mark + f.inputs[i].View())
		if i == fieldDuration && problems[i] == "" {
			b.WriteString(st.Muted.Render("  (15m…" + shortDur(f.maxDuration()) + ")"))
		}
		b.WriteByte('\n')
		if problems[i] != "" {
			for j, l := range wrapWords(GlyphWarn+" "+problems[i], max(20, f.width-5)) {
				ind := "   "
				if j > 0 {
					ind = "     "
				}
				b.WriteString(ind + st.Warn.Render(l) + "\n")
			}
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Compact is the inputs in one line of at most w cells (role first), shown above the card on
// small terminals: when the line would not fit, the "session" label goes first, then the
// parts wrap onto a second line (never cut: the session name is worth reading whole).
func (f issueForm) Compact(roleARN string, w int) string {
	tr := f.st.tr()
	ext := tr.S("no external id")
	if f.inputs[fieldExternal].Value() != "" {
		ext = tr.S("external id set")
	}
	sess := f.inputs[fieldSession].Value()
	dur := nonEmpty(f.inputs[fieldDuration].Value(), tr.S("default 1h"))
	edits := tr.S("(e edits)")
	parts := []string{arnRoleName(roleARN), tr.S("session %s", sess), dur, ext}
	line := strings.Join(parts, " · ") + "  " + edits
	if w > 0 && cellWidth(line) > w {
		parts[1] = sess
		line = strings.Join(parts, " · ") + "  " + edits
	}
	if w > 0 && cellWidth(line) > w {
		var lines []string
		cur := ""
		for _, p := range append(parts, edits) {
			switch {
			case cur == "":
				cur = p
			case cellWidth(cur)+3+cellWidth(p) <= w:
				cur += " · " + p
			default:
				lines = append(lines, cur)
				cur = p
			}
		}
		line = strings.Join(append(lines, cur), "\n")
	}
	return f.st.Muted.Render(line)
}

// parseIssueDuration reads "45m", "1h30m", "2h" or plain seconds ("3600"); "" = STS default.
func parseIssueDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0, durationError{durNotPositiveSeconds, v}
		}
		if n > int64(math.MaxInt64/time.Second) {
			return 0, durationError{durTooLong, v}
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, durationError{durNotDuration, v}
	}
	if d%time.Second != 0 {
		return 0, durationError{durNotWhole, v}
	}
	if d <= 0 {
		return 0, durationError{durNotPositive, v}
	}
	return d, nil
}

// durationProblem says parseIssueDuration's error in the console's language.
func durationProblem(tr *i18n.T, err error) string {
	var de durationError
	if !errors.As(err, &de) {
		return err.Error()
	}
	switch de.kind {
	case durNotPositiveSeconds:
		return tr.S("duration: %s seconds is not positive", de.v)
	case durTooLong:
		return tr.S("duration: %s seconds is far too long", de.v)
	case durNotDuration:
		return tr.S("duration: %q is not a duration (try 45m, 2h or 3600)", de.v)
	case durNotWhole:
		return tr.S("duration: %s is not whole seconds", de.v)
	}
	return tr.S("duration: %s is not positive", de.v)
}

// durationError is parseIssueDuration's error: which rule, and the text typed.
type durationError struct {
	kind int
	v    string
}

const (
	durNotPositiveSeconds = iota
	durTooLong
	durNotDuration
	durNotWhole
	durNotPositive
)

func (e durationError) Error() string { return durationProblem(nil, e) }

// durInputText writes d the way the duration field accepts it.
func durInputText(d time.Duration) string { return shortDur(d) }
