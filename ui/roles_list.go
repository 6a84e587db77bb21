package ui

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/stsdeck/stsdeck/model"
)

// RoleListKeys are the role list's bindings. The cursor, page and filter ones are handed to the
// bubbles list as its own KeyMap, so the bindings help shows are the ones that match.
type RoleListKeys struct {
	Up, Down           key.Binding
	PrevPage, NextPage key.Binding
	Filter             key.Binding
	ClearFilter        key.Binding // esc with a filter applied
	ApplyFilter        key.Binding // enter while filtering
	CancelFilter       key.Binding // esc while filtering
	TypeARN            key.Binding
	Accept             key.Binding // enter while typing an ARN
	Cancel             key.Binding // esc while typing an ARN
}

func newRoleListKeys() RoleListKeys {
	d := list.DefaultKeyMap()
	return RoleListKeys{
		Up:   d.CursorUp,
		Down: d.CursorDown,
		// pgup/pgdown scroll the detail pane; the list pages with ←/→.
		PrevPage:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "prev page")),
		NextPage:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next page")),
		Filter:       d.Filter,
		ClearFilter:  d.ClearFilter,
		ApplyFilter:  d.AcceptWhileFiltering,
		CancelFilter: d.CancelWhileFiltering,
		TypeARN:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "type role ARN")),
		Accept:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "look up ARN")),
		Cancel:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// roleList is the filterable list of roles, with the ARN entry field and the "RAM refused"
// line above it. It merges the listing with typed and recent roles and marks the role in use;
// the screen decides what a choice or a typed ARN leads to.
type roleList struct {
	st   Styles
	keys RoleListKeys
	spin *spinner.Model // the screen's spinner (the title shows it while reloading)

	list list.Model
	arn  textinput.Model

	width, height int // the whole block: the field and the refused line included

	typing  bool
	loading bool
	loaded  bool
	loadErr error
	denied  bool   // RAM refused to list roles
	chosen  string // ARN of the role in use
	notice  string // shown instead of the list (the connection's state), "" = none
	// rank orders the roles (flow.AssumeRank: assumable first); nil = by name only.
	rank  func(model.Role) int
	moved bool // the operator moved the cursor: ranking no longer moves it
}

// SetRank orders the list by rank, then name, and (until the operator moves the cursor) puts
// the cursor on the role in use, else the first role that is not refused.
func (l *roleList) SetRank(rank func(model.Role) int) tea.Cmd {
	l.rank = rank
	old := l.list.Items()
	items := append([]list.Item(nil), old...)
	l.sortItems(items)
	arn := l.SelectedARN()
	cmd := l.setItems(items)
	l.placeCursor(arn)
	return cmd
}

func (l *roleList) rankOf(r model.Role) int {
	if l.rank == nil {
		return 0
	}
	return l.rank(r)
}

// sortItems sorts by rank, then name (case-insensitively).
func (l *roleList) sortItems(items []list.Item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].(roleItem).role, items[j].(roleItem).role
		if ra, rb := l.rankOf(a), l.rankOf(b); ra != rb {
			return ra < rb
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

// placeCursor puts the cursor on the role in use, else (until the operator moved it) on the
// first role not refused, else keeps it on keep.
func (l *roleList) placeCursor(keep string) {
	vis := l.list.VisibleItems()
	find := func(ok func(model.Role) bool) int {
		for i, it := range vis {
			if ok(it.(roleItem).role) {
				return i
			}
		}
		return -1
	}
	if l.chosen != "" {
		if i := find(func(r model.Role) bool { return r.ARN == l.chosen }); i >= 0 {
			l.list.Select(i)
			return
		}
	}
	if !l.moved {
		if i := find(func(r model.Role) bool { return l.rankOf(r) < 3 }); i >= 0 {
			l.list.Select(i)
			return
		}
	}
	if i := find(func(r model.Role) bool { return r.ARN == keep }); i >= 0 {
		l.list.Select(i)
	}
}

// roleItem is a list entry.
type roleItem struct{ role model.Role }

func (r roleItem) FilterValue() string { return r.role.Name }

func newRoleList(st Styles, spin *spinner.Model) *roleList {
	l := &roleList{st: st, keys: newRoleListKeys(), spin: spin, loading: true}
	l.list = list.New(nil, roleDelegate{l: l}, 40, 10)
	l.list.Title = st.tr().S("Roles")
	l.list.SetShowHelp(false)
	// No pagination dots: how much room they take depends on the page count before a resize,
	// so a list that shrank and grew again kept a row fewer. The title says "page 1/2".
	l.list.SetShowPagination(false)
	l.list.SetStatusBarItemName("role", "roles") // i18n:ok the status bar is hidden (the title carries the count)
	l.list.DisableQuitKeybindings()
	l.list.KeyMap.ShowFullHelp.SetEnabled(false)
	l.list.KeyMap.CloseFullHelp.SetEnabled(false)
	// The list matches on our bindings (those help shows); it keeps enabling them as it goes.
	k, km := l.keys, &l.list.KeyMap
	adopt := func(dst *key.Binding, b key.Binding) { b.SetEnabled(dst.Enabled()); *dst = b }
	adopt(&km.CursorUp, k.Up)
	adopt(&km.CursorDown, k.Down)
	adopt(&km.Filter, k.Filter)
	adopt(&km.ClearFilter, k.ClearFilter)
	adopt(&km.AcceptWhileFiltering, k.ApplyFilter)
	adopt(&km.CancelWhileFiltering, k.CancelFilter)
	km.PrevPage, km.NextPage = k.PrevPage, k.NextPage
	l.list.SetShowStatusBar(false) // the title carries the count and the filter
	if st.NoColor {
		l.list.Styles = plainListStyles()
	} else {
		ls := list.DefaultStyles()
		ls.TitleBar = lipgloss.NewStyle()
		ls.Title = st.Title
		ls.PaginationStyle = lipgloss.NewStyle()
		l.list.Styles = ls
	}
	l.arn = st.Input(st.tr().S("Role ARN: "), "acs:ram::<account id>:role/<role name>", 256) // i18n:ok the placeholder is the ARN's syntax
	l.list.FilterInput.Cursor.SetMode(cursor.CursorStatic)
	return l
}

func plainListStyles() list.Styles {
	p := lipgloss.NewStyle()
	return list.Styles{TitleBar: p, Title: p, Spinner: p, FilterPrompt: p, FilterCursor: p,
		DefaultFilterCharacterMatch: p, StatusBar: p, StatusEmpty: p, StatusBarActiveFilter: p,
		StatusBarFilterCount: p, NoItems: p, PaginationStyle: p, HelpStyle: p,
		ActivePaginationDot: p.SetString("•"), InactivePaginationDot: p.SetString("·"),
		ArabicPagination: p, DividerDot: p.SetString(" • ")}
}

// SetSize sizes the block; the list gets what the lines above it leave (at least 3 rows).
func (l *roleList) SetSize(w, h int) {
	l.width, l.height = w, h
	l.list.SetSize(w, l.innerHeight(h))
}

// SetFieldWidth sizes the ARN field: it spans the screen, not the list's column.
func (l *roleList) SetFieldWidth(w int) { l.arn.Width = w - len(l.arn.Prompt) - 2 }

// Above is the number of lines drawn above the list (the ARN field, the "RAM refused" line).
func (l *roleList) Above() int {
	n := 0
	if l.typing {
		n++
	}
	if l.denied && len(l.list.Items()) > 0 {
		n++
	}
	return n
}

func (l *roleList) innerHeight(h int) int { return max(3, h-l.Above()) }

// Sized reports whether the block already has this size (with the lines above it as they are now).
func (l *roleList) Sized(w, h int) bool {
	return w == l.width && h == l.height && l.innerHeight(h) == l.list.Height()
}

// SetNotice replaces the list by a notice (the connection's state); "" shows the list again.
func (l *roleList) SetNotice(s string) { l.notice = s }

// Update handles the field's and the filter's keys while they have focus, and gives the list
// everything else (its cursor keys, its filter results).
func (l *roleList) Update(msg tea.Msg) (*roleList, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case l.typing:
			return l, l.updateField(k)
		case l.list.SettingFilter():
			return l, l.updateFilter(k)
		}
	}
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, l.keys.Up, l.keys.Down, l.keys.PrevPage, l.keys.NextPage) {
		l.moved = true
	}
	var cmd tea.Cmd
	l.list, cmd = l.list.Update(msg)
	return l, cmd
}

func (l *roleList) updateField(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, l.keys.Cancel) {
		l.typing = false
		l.arn.Blur()
		return nil
	}
	var cmd tea.Cmd
	l.arn, cmd = l.arn.Update(msg)
	return cmd
}

func (l *roleList) updateFilter(msg tea.KeyMsg) tea.Cmd {
	prev := l.list.FilterValue()
	var cmd tea.Cmd
	l.list, cmd = l.list.Update(msg)
	if l.list.SettingFilter() && l.list.FilterValue() != prev {
		// Filter at once: the list's own asynchronous results carry no query, so with
		// fast typing an older query's answer can arrive last and win.
		l.list.SetFilterText(l.list.FilterValue())
		l.list.SetFilterState(list.Filtering)
		cmd = nil
	}
	return cmd
}

// StartTyping opens the ARN field, prefilled with prefix when it is empty.
func (l *roleList) StartTyping(prefix string) tea.Cmd {
	l.typing = true
	if l.arn.Value() == "" && prefix != "" {
		l.arn.SetValue(prefix)
		l.arn.CursorEnd()
	}
	return l.arn.Focus()
}

// Typing reports whether the ARN field has focus.
func (l *roleList) Typing() bool { return l.typing }

// TypedARN is what the ARN field holds, trimmed.
func (l *roleList) TypedARN() string { return strings.TrimSpace(l.arn.Value()) }

// FinishTyping closes the ARN field and empties it (the ARN was taken).
func (l *roleList) FinishTyping() {
	l.typing = false
	l.arn.Blur()
	l.arn.SetValue("")
}

// InputFocused reports whether the ARN field or the filter has focus.
func (l *roleList) InputFocused() bool { return l.typing || l.list.SettingFilter() }

func (l *roleList) SettingFilter() bool       { return l.list.SettingFilter() }
func (l *roleList) IsFiltered() bool          { return l.list.IsFiltered() }
func (l *roleList) Items() []list.Item        { return l.list.Items() }
func (l *roleList) VisibleItems() []list.Item { return l.list.VisibleItems() }

// Loading reports whether the listing is in flight.
func (l *roleList) Loading() bool { return l.loading }

// StartLoading marks the listing as in flight (the roles shown stay until it answers).
func (l *roleList) StartLoading() { l.loading = true }

// Chosen returns the ARN of the role in use ("" = none).
func (l *roleList) Chosen() string { return l.chosen }

// SetChosen marks the role in use.
func (l *roleList) SetChosen(arn string) { l.chosen = arn }

// Selected returns the role under the cursor.
func (l *roleList) Selected() (model.Role, bool) {
	it := l.list.SelectedItem()
	if it == nil {
		return model.Role{}, false
	}
	return it.(roleItem).role, true
}

// SelectedARN returns the ARN of the role under the cursor ("" = none).
func (l *roleList) SelectedARN() string {
	r, _ := l.Selected()
	return r.ARN
}

// SetRoles takes the listing's answer: sorted RAM roles, after the typed ones (which survive a
// reload) and before the recent ones the listing lacks. The cursor goes to the role in use.
func (l *roleList) SetRoles(listed, recent []model.Role, err error) tea.Cmd {
	l.loading = false
	l.loaded = true
	l.loadErr = err
	l.denied = listingRefused(err)
	roles := append([]model.Role(nil), listed...)
	have := map[string]bool{}
	for _, r := range roles {
		have[r.ARN] = true
	}
	// Typed roles survive a reload; recent ones fill in what the listing lacks.
	var items []list.Item
	for _, it := range l.list.Items() {
		if r := it.(roleItem).role; r.Source == "typed" && !have[r.ARN] {
			items = append(items, it)
			have[r.ARN] = true
		}
	}
	for _, r := range roles {
		if r.Source == "" {
			r.Source = "ram"
		}
		items = append(items, roleItem{r})
	}
	for _, r := range recent {
		if !have[r.ARN] {
			have[r.ARN] = true
			items = append(items, roleItem{r})
		}
	}
	l.sortItems(items)
	keep := l.SelectedARN()
	cmd := l.setItems(items)
	l.placeCursor(keep)
	return cmd
}

// listingRefused reports whether RAM refused the listing (as opposed to failing otherwise).
func listingRefused(err error) bool {
	var ae *model.APIError
	return err != nil && errors.As(err, &ae) && (ae.StatusCode == 403 || strings.Contains(ae.Code, "NoPermission") ||
		strings.Contains(ae.Code, "Forbidden") || strings.Contains(ae.Code, "AccessDenied"))
}

// DropTyped removes a typed role from the list (a fresh slice: a running filter reads the old);
// dropped says whether there was one.
func (l *roleList) DropTyped(arn string) (cmd tea.Cmd, dropped bool) {
	old := l.list.Items()
	items := make([]list.Item, 0, len(old))
	for _, it := range old {
		if r := it.(roleItem).role; r.ARN == arn && r.Source == "typed" {
			continue
		}
		items = append(items, it)
	}
	if len(items) == len(old) {
		return nil, false
	}
	return l.setItems(items), true
}

// SourceOf returns where the role with this ARN came from ("typed" when it is not listed).
func (l *roleList) SourceOf(arn string) string {
	if r := l.RoleByARN(arn); r.Source != "" {
		return r.Source
	}
	return "typed"
}

// RoleByARN returns the listed role with this ARN, or a typed one made from the ARN.
func (l *roleList) RoleByARN(arn string) model.Role {
	for _, it := range l.list.Items() {
		if r := it.(roleItem).role; r.ARN == arn {
			return r
		}
	}
	return model.Role{Name: roleNameFromARN(arn), ARN: arn, Source: "typed"}
}

// Upsert updates a role's list entry (keeping its source) or adds it at the top. It hands
// the list a fresh slice rather than editing the current one in place: a filter command of the
// list may still be reading the old slice on another goroutine.
func (l *roleList) Upsert(r model.Role) tea.Cmd {
	old := l.list.Items()
	items := make([]list.Item, 0, len(old)+1)
	found := false
	for _, it := range old {
		if o := it.(roleItem).role; o.ARN == r.ARN {
			r.Source, found = o.Source, true
			it = roleItem{r}
		}
		items = append(items, it)
	}
	if found {
		return l.setItems(items)
	}
	cmd := l.setItems(append([]list.Item{roleItem{r}}, items...))
	l.list.Select(0)
	return cmd
}

// setItems gives the list a fresh slice of items. With a filter on, it filters again at once:
// SetItems alone empties the filtered view until its asynchronous filter answers, and an enter
// pressed meanwhile (a role's details arriving just after the filter was accepted) found no
// role to choose. The cursor stays on the same role.
func (l *roleList) setItems(items []list.Item) tea.Cmd {
	state := l.list.FilterState()
	if state == list.Unfiltered {
		return l.list.SetItems(items)
	}
	arn := l.SelectedARN()
	_ = l.list.SetItems(items) // its asynchronous filter is not needed: filtered below
	l.list.SetFilterText(l.list.FilterValue())
	if state == list.Filtering {
		l.list.SetFilterState(list.Filtering)
	}
	for i, it := range l.list.VisibleItems() {
		if it.(roleItem).role.ARN == arn {
			l.list.Select(i)
			break
		}
	}
	return nil
}

// helpKeys returns the bindings as help should show them now.
func (l *roleList) helpKeys() RoleListKeys {
	k := l.keys
	has := len(l.list.Items()) > 0
	k.Up.SetEnabled(has)
	k.Down.SetEnabled(has)
	k.Filter.SetEnabled(has)
	k.PrevPage.SetEnabled(l.list.KeyMap.PrevPage.Enabled())
	k.NextPage.SetEnabled(l.list.KeyMap.NextPage.Enabled())
	k.ClearFilter.SetEnabled(l.list.IsFiltered())
	k.ApplyFilter.SetEnabled(true)
	k.CancelFilter.SetEnabled(true)
	return k
}

// KeyMap reflects what is enabled now: the field's keys, the filter's, or the list's.
func (l *roleList) KeyMap() help.KeyMap {
	k := l.helpKeys()
	switch {
	case l.typing:
		return bindings{short: []key.Binding{k.Accept, k.Cancel}}
	case l.list.SettingFilter():
		return bindings{short: []key.Binding{k.ApplyFilter, k.CancelFilter}}
	}
	return bindings{short: []key.Binding{k.Filter, k.TypeARN},
		full: [][]key.Binding{{k.Up, k.Down, k.PrevPage, k.NextPage}, {k.Filter, k.ClearFilter, k.TypeARN}}}
}

// View shows the field (while typing) above the list, or above what stands in for it: the
// notice, or what the listing came to when it gave no role.
func (l *roleList) View() string {
	st, tr := l.st, l.st.tr()
	l.arn.Prompt = tr.S("Role ARN: ") // the language may have changed since the field was made
	empty := len(l.list.Items()) == 0
	var top string
	switch {
	case l.notice != "":
		top = l.notice
	case l.loading && empty:
		top = l.spin.View() + " " + tr.S("Loading roles…")
	case empty && l.denied:
		top = st.Mark("deny", tr.S("RAM refused to list the roles.")) + "\n" +
			tr.S("Press a to type a role ARN (acs:ram::<account>:role/<name>).")
	case empty && l.loadErr != nil:
		top = st.Mark("deny", tr.S("Could not list the roles.")) + "\n" + tr.S("Press r to retry or a to type a role ARN.")
	case empty && l.loaded:
		top = tr.S("No roles in this account.") + "\n" + tr.S("Press a to type a role ARN, r to reload.")
	default:
		l.list.Title = l.title()
		top = l.list.View()
		if l.denied {
			top = st.Mark("warn", tr.S("RAM refused the listing: recent and typed roles only")) + "\n" + top
		}
	}
	if l.typing {
		top = l.arn.View() + "\n" + top
	}
	return fitBlock(top, l.width, l.height)
}

// title is "Roles · 6", or with a filter "Roles · “ram” 1 of 6".
func (l *roleList) title() string {
	n, tr := len(l.list.Items()), l.st.tr()
	if l.loading {
		return tr.S("Roles · %d · %s reloading", n, l.spin.View())
	}
	page := ""
	if p := l.list.Paginator; p.TotalPages > 1 {
		page = tr.S(" · page %d/%d (←/→)", p.Page+1, p.TotalPages)
	}
	if l.list.IsFiltered() {
		return tr.S("Roles · “%s” %d of %d (esc clears)%s", l.list.FilterValue(), len(l.list.VisibleItems()), n, page)
	}
	return tr.S("Roles · %d%s", n, page)
}

// roleDelegate renders one role per line: cursor glyph, name, source tag, description.
type roleDelegate struct{ l *roleList }

func (d roleDelegate) Height() int                         { return 1 }
func (d roleDelegate) Spacing() int                        { return 0 }
func (d roleDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }
func (d roleDelegate) Render(w io.Writer, m list.Model, index int, it list.Item) {
	r := it.(roleItem).role
	st, tr := d.l.st, d.l.st.tr()
	cursor := "  "
	if index == m.Index() {
		cursor = GlyphSelected + " "
	}
	mark := " "
	if r.ARN == d.l.chosen {
		mark = GlyphOK
	}
	tag := ""
	switch r.Source {
	case "typed":
		tag = tr.S(" (typed)")
	case "recent":
		tag = tr.S(" (recent)")
	}
	status := ""
	switch d.l.rankOf(r) {
	case 1:
		status = GlyphWarn + " " + tr.S("ext id")
	case 3:
		status = GlyphDeny + " " + tr.S("refused")
	}
	line := cursor + mark + " " + r.Name + tag
	if status != "" {
		line += " " + status
	}
	if w := m.Width(); w >= 40 {
		// Room for columns: name, can-assume mark, longest session, description.
		maxs := GlyphUnknown
		if r.MaxSessionDuration > 0 {
			maxs = shortDur(r.MaxSessionDuration)
		}
		nameW := min(26, w-4-1-9-1-4)
		name := r.Name + tag
		if cellWidth(name) > nameW {
			name = truncateLine(name, nameW)
		}
		line = cursor + mark + " " + padRight(name, nameW) + " " + padRight(status, 9) + " " + padRight(maxs, 4)
	}
	if r.Description != "" {
		line += st.Muted.Render("  " + r.Description)
	}
	line = truncateLine(line, m.Width())
	if index == m.Index() {
		line = st.Selected.Render(line)
	}
	fmt.Fprint(w, line)
}
