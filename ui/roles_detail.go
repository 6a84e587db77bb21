package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// RoleDetailKeys are the detail pane's bindings.
type RoleDetailKeys struct {
	Expand     key.Binding
	ScrollDown key.Binding
	ScrollUp   key.Binding
	Back       key.Binding // esc: collapsed, scrolled back to name and ARN
}

func newRoleDetailKeys() RoleDetailKeys {
	return RoleDetailKeys{
		Expand:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "show policies")),
		ScrollDown: key.NewBinding(key.WithKeys("pgdown", "J"), key.WithHelp("pgdn/J", "scroll details")),
		ScrollUp:   key.NewBinding(key.WithKeys("pgup", "K"), key.WithHelp("pgup/K", "scroll details up")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "collapse details")),
	}
}

// roleShown is what the detail pane describes: a role and what is known about it.
type roleShown struct {
	role    model.Role
	have    bool   // its details (GetRole) arrived
	errText string // why they did not, in a few words
	chosen  string // ARN of the role in use
	loading bool   // its details are in flight
	ready   []flow.ReadinessCheck
}

// roleDetail is the detail pane: ARN, max session, source, the trust summary and the attached
// policies (their documents once expanded), in a scrolling viewport.
type roleDetail struct {
	st   Styles
	keys RoleDetailKeys
	spin *spinner.Model // the screen's spinner (shown while the details load)

	vp       viewport.Model
	trust    roleTrust
	shown    *roleShown // nil = no role
	expanded bool
	forARN   string // ARN the content was rendered for
	rendered string // cache key of the rendered content
}

func newRoleDetail(st Styles, spin *spinner.Model) *roleDetail {
	d := &roleDetail{st: st, keys: newRoleDetailKeys(), spin: spin, vp: viewport.New(40, 10), trust: newRoleTrust(st)}
	d.trust.SetSize(d.vp.Width, d.vp.Height)
	return d
}

// SetSize sizes the pane; the content is rendered again at the new width.
func (d *roleDetail) SetSize(w, h int) {
	d.vp.Width, d.vp.Height = w, h
	d.trust.SetSize(w, h)
	d.rendered = ""
	d.refresh()
}

// Width and Height are the pane's size.
func (d *roleDetail) Width() int  { return d.vp.Width }
func (d *roleDetail) Height() int { return d.vp.Height }

// SetCaller is told who the console acts as. The trust summary does not show its "You" line:
// the readiness checklist's step 1.3 says it, beside the other steps.
func (d *roleDetail) SetCaller(model.Caller) {
	d.rendered = ""
	d.refresh()
}

// Show describes a role (nil: none); the content is rendered again only when it changed.
func (d *roleDetail) Show(r *roleShown) {
	d.shown = r
	d.refresh()
}

// Expanded reports whether the policy documents are shown.
func (d *roleDetail) Expanded() bool { return d.expanded }

// Wants reports whether a key is the pane's (esc only when there is something to back out of).
func (d *roleDetail) Wants(msg tea.KeyMsg) bool {
	k := d.keys
	return key.Matches(msg, k.Expand) || key.Matches(msg, k.ScrollDown) || key.Matches(msg, k.ScrollUp) ||
		key.Matches(msg, k.Back) && (d.expanded || d.vp.YOffset > 0)
}

// Update handles the pane's keys and the mouse wheel.
func (d *roleDetail) Update(msg tea.Msg) (*roleDetail, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		k := d.keys
		switch {
		case key.Matches(msg, k.Expand):
			d.expanded = !d.expanded
			d.refresh()
		case key.Matches(msg, k.ScrollDown):
			d.vp.HalfPageDown()
		case key.Matches(msg, k.ScrollUp):
			d.vp.HalfPageUp()
		case key.Matches(msg, k.Back) && (d.expanded || d.vp.YOffset > 0):
			d.expanded = false
			d.vp.GotoTop()
			d.refresh()
		}
		return d, nil
	case tea.MouseMsg:
		var cmd tea.Cmd
		d.vp, cmd = d.vp.Update(msg)
		return d, cmd
	}
	return d, nil
}

// helpKeys returns the bindings as help should show them now (p needs a role to describe).
func (d *roleDetail) helpKeys(hasRole bool) RoleDetailKeys {
	k := d.keys
	k.Expand.SetEnabled(hasRole)
	if d.expanded {
		k.Expand.SetHelp("p", "hide policies") // i18n:ok key help is translated where help is rendered (tr.Key)
	}
	return k
}

// KeyMap reflects what is enabled now.
func (d *roleDetail) KeyMap() help.KeyMap {
	k := d.helpKeys(d.shown != nil)
	return bindings{short: []key.Binding{k.Expand}, full: [][]key.Binding{{k.Expand, k.ScrollDown, k.ScrollUp}}}
}

// View shows the visible part of the pane.
func (d *roleDetail) View() string { return d.vp.View() }

// refresh renders the content again when what it shows changed.
func (d *roleDetail) refresh() {
	if d.shown == nil {
		d.vp.SetContent("")
		d.forARN, d.rendered = "", ""
		return
	}
	r := *d.shown
	keyStr := fmt.Sprintf("%s|%v|%v|%s|%s|%v|%d|%v", r.role.ARN, r.have, d.expanded, r.errText, r.chosen, r.loading, d.vp.Width, r.ready)
	if keyStr == d.rendered {
		return
	}
	if d.forARN != r.role.ARN {
		d.vp.GotoTop()
	}
	d.forARN, d.rendered = r.role.ARN, keyStr
	d.vp.SetContent(d.render(r))
}

func (d *roleDetail) render(s roleShown) string {
	st, tr := d.st, d.st.tr()
	w := d.vp.Width
	r := s.role
	var b strings.Builder
	title := st.Title.Render(r.Name)
	if r.ARN == s.chosen {
		title += "  " + st.Mark("ok", tr.S("in use"))
	}
	b.WriteString(title + "\n")
	field := func(name, val string) { roleField(&b, w, name, val) }
	field("ARN", r.ARN)
	if r.Description != "" {
		field(tr.S("Description"), r.Description)
	}
	switch {
	case r.MaxSessionDuration > 0:
		field(tr.S("Max session"), tr.S("%s (%s s)", shortDur(r.MaxSessionDuration), fmt.Sprint(int64(r.MaxSessionDuration/time.Second))))
	case s.have:
		field(tr.S("Max session"), tr.S("not stated (STS allows up to 1h by default)"))
	default:
		field(tr.S("Max session"), GlyphUnknown+" "+tr.S("not loaded"))
	}
	switch r.Source {
	case "ram":
		field(tr.S("Source"), "RAM ListRoles")
	case "typed":
		field(tr.S("Source"), tr.S("typed ARN"))
	case "recent":
		field(tr.S("Source"), tr.S("recently used (audit log)"))
	default:
		field(tr.S("Source"), "")
	}
	if s.loading {
		b.WriteString(d.spin.View() + " " + tr.S("loading details…") + "\n")
	}
	if s.errText != "" {
		b.WriteString(st.Mark("warn", tr.S("details unavailable: %s", s.errText)) + "\n")
	}
	renderReadinessSummary(&b, st, w, s.ready)
	d.trust.SetRole(r, s.have)
	b.WriteString(d.trust.View())
	switch {
	case r.Policies == nil && s.have:
		field(tr.S("Policies"), GlyphUnknown+" "+tr.S("could not be read"))
	case r.Policies == nil:
	case len(r.Policies) == 0:
		field(tr.S("Policies"), tr.S("none attached (the role can do nothing)"))
	default:
		for i, p := range r.Policies {
			name := ""
			if i == 0 {
				name = tr.S("Policies")
			}
			kind := strings.ToLower(p.Type)
			switch kind {
			case "custom":
				kind = tr.S("custom")
			case "system":
				kind = tr.S("system")
			}
			line := tr.S("%s (%s)", p.Name, kind)
			if p.Document == "" {
				line += " " + GlyphUnknown + " " + tr.S("document unreadable")
			}
			field(name, line)
			if d.expanded && p.Document != "" {
				for _, l := range strings.Split(prettyJSON(p.Document), "\n") {
					b.WriteString("    " + st.Muted.Render(l) + "\n")
				}
			}
		}
		if !d.expanded {
			b.WriteString(st.Muted.Render(tr.S("p shows the policy documents")) + "\n")
		}
	}
	renderReadiness(&b, st, w, s.ready)
	return strings.TrimRight(b.String(), "\n")
}

// roleField writes a named field of the detail pane (w columns wide), its value wrapped under itself.
func roleField(b *strings.Builder, w int, name, val string) {
	lines := strings.Split(wrapText(val, max(w-14, 10)), "\n")
	for i, l := range lines {
		if i == 0 {
			fmt.Fprintf(b, "%s  %s\n", padRight(name, 12), l) // padded in cells: a Chinese label is 2 a character
		} else {
			fmt.Fprintf(b, "%-12s  %s\n", "", l)
		}
	}
}

// shortError names an error in a few words for a pane (the status line has it in full).
func shortError(tr *i18n.T, err error) string {
	var ae *model.APIError
	if errors.As(err, &ae) {
		return tr.S("%s %s refused: %s (details on the status line)", strings.ToUpper(ae.Service), ae.Operation, ae.Code)
	}
	return tr.S("see the status line")
}

// prettyJSON indents a JSON document (returned unchanged when it does not parse).
func prettyJSON(doc string) string {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return doc
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return doc
	}
	return string(out)
}
