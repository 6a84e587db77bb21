package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/policy"
)

// RolesKeys are the Roles screen's own bindings (the list's cursor and filter keys come from
// bubbles list, with its quit keys disabled).
type RolesKeys struct {
	Up, Down   key.Binding
	Filter     key.Binding
	Choose     key.Binding
	TypeARN    key.Binding
	Expand     key.Binding
	Reload     key.Binding
	ScrollDown key.Binding
	ScrollUp   key.Binding
	Accept     key.Binding // enter while typing
	Cancel     key.Binding // esc while typing or filtering
}

func newRolesKeys() RolesKeys {
	return RolesKeys{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Choose:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use role")),
		TypeARN:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "type role ARN")),
		Expand:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "show policies")),
		Reload:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
		ScrollDown: key.NewBinding(key.WithKeys("pgdown", "J"), key.WithHelp("pgdn/J", "scroll details")),
		ScrollUp:   key.NewBinding(key.WithKeys("pgup", "K"), key.WithHelp("pgup/K", "scroll details up")),
		Accept:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "look up ARN")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// RolesScreen lists roles and describes the one under the cursor.
type RolesScreen struct {
	svc  *Services
	st   Styles
	now  func() time.Time
	keys RolesKeys

	list     list.Model
	spin     spinner.Model
	detail   viewport.Model
	arnInput textinput.Model

	width, height int
	listW, listH  int

	loading bool
	listReq int
	loadErr error
	denied  bool // RAM refused to list roles
	loaded  bool

	typing bool

	details    map[string]model.Role // by ARN, from GetRole
	detailErr  map[string]error
	detailReq  int
	loadingARN string // details in flight
	chooseARN  string // choose this role once its details arrive
	chosen     string // ARN of the role in use
	expanded   bool
	detailFor  string // ARN the viewport content was rendered for
	detailKey  string // cache key of the rendered content
	caller     *model.Caller
}

// rolesLoadedMsg answers the role listing.
type rolesLoadedMsg struct {
	req    int
	roles  []model.Role
	recent []model.Role
	err    error
}

// roleDetailMsg answers GetRole.
type roleDetailMsg struct {
	req  int
	key  string // the ARN (or name) asked for
	role model.Role
	err  error
}

// roleItem is a list entry.
type roleItem struct{ role model.Role }

func (r roleItem) FilterValue() string { return r.role.Name }

// NewRolesScreen builds the Roles screen.
func NewRolesScreen(svc *Services, st Styles, now func() time.Time) *RolesScreen {
	if now == nil {
		now = time.Now
	}
	s := &RolesScreen{svc: svc, st: st, now: now, keys: newRolesKeys(),
		details: map[string]model.Role{}, detailErr: map[string]error{}}
	d := roleDelegate{s: s}
	s.list = list.New(nil, d, 40, 10)
	s.list.Title = "Roles"
	s.list.SetShowHelp(false)
	// No pagination dots: how much room they take depends on the page count before a resize,
	// so a list that shrank and grew again kept a row fewer. The title says "page 1/2".
	s.list.SetShowPagination(false)
	s.list.SetStatusBarItemName("role", "roles")
	s.list.DisableQuitKeybindings()
	s.list.KeyMap.ShowFullHelp.SetEnabled(false)
	s.list.KeyMap.CloseFullHelp.SetEnabled(false)
	// pgup/pgdown scroll the detail pane; the list pages with ←/→.
	s.list.KeyMap.PrevPage = key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "prev page"))
	s.list.KeyMap.NextPage = key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next page"))
	s.list.SetShowStatusBar(false) // the title carries the count and the filter
	if st.NoColor {
		s.list.Styles = plainListStyles()
	} else {
		ls := list.DefaultStyles()
		ls.TitleBar = lipgloss.NewStyle()
		ls.Title = st.Title
		ls.PaginationStyle = lipgloss.NewStyle()
		s.list.Styles = ls
	}
	s.spin = spinner.New(spinner.WithSpinner(spinner.Line))
	s.detail = viewport.New(40, 10)
	s.arnInput = st.Input("Role ARN: ", "acs:ram::<account id>:role/<role name>", 256)
	s.list.FilterInput.Cursor.SetMode(cursor.CursorStatic)
	s.loading = true
	return s
}

func plainListStyles() list.Styles {
	p := lipgloss.NewStyle()
	return list.Styles{TitleBar: p, Title: p, Spinner: p, FilterPrompt: p, FilterCursor: p,
		DefaultFilterCharacterMatch: p, StatusBar: p, StatusEmpty: p, StatusBarActiveFilter: p,
		StatusBarFilterCount: p, NoItems: p, PaginationStyle: p, HelpStyle: p,
		ActivePaginationDot: p.SetString("•"), InactivePaginationDot: p.SetString("·"),
		ArabicPagination: p, DividerDot: p.SetString(" • ")}
}

// Init starts loading the roles.
func (s *RolesScreen) Init() tea.Cmd {
	s.listReq++
	s.loading = true
	return tea.Batch(loadRoles(s.svc.Roles, s.svc.Audit, s.listReq), s.spin.Tick)
}

func loadRoles(src RoleSource, audit AuditLog, req int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		msg := rolesLoadedMsg{req: req}
		if src == nil {
			msg.err = errors.New("no RAM connection is configured")
		} else {
			msg.roles, msg.err = src.ListRoles(ctx)
		}
		if audit != nil {
			recs, _, err := audit.List()
			if err == nil {
				msg.recent = recentRoles(recs)
			}
		}
		return msg
	}
}

// recentRoles returns the roles of the audit log, newest first, once each.
func recentRoles(recs []model.AuditRecord) []model.Role {
	seen := map[string]bool{}
	var out []model.Role
	for i := len(recs) - 1; i >= 0; i-- {
		arn := recs[i].RoleARN
		if arn == "" || seen[arn] {
			continue
		}
		seen[arn] = true
		out = append(out, model.Role{Name: roleNameFromARN(arn), ARN: arn, Source: "recent"})
	}
	return out
}

func getRole(src RoleSource, req int, nameOrARN string) tea.Cmd {
	return func() tea.Msg {
		if src == nil {
			return roleDetailMsg{req: req, key: nameOrARN, err: errors.New("no RAM connection is configured")}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r, err := src.GetRole(ctx, nameOrARN)
		return roleDetailMsg{req: req, key: nameOrARN, role: r, err: err}
	}
}

var roleARNPattern = regexp.MustCompile(`^acs:ram::([0-9]+):role/([A-Za-z0-9._-]{1,64})$`)

// roleNameFromARN returns the role name of "acs:ram::<acct>:role/<name>" (the ARN itself otherwise).
func roleNameFromARN(arn string) string {
	if m := roleARNPattern.FindStringSubmatch(arn); m != nil {
		return m[2]
	}
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// SetSize lays the screen out: side by side from 100 columns, stacked below.
func (s *RolesScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.arnInput.Width = w - len(s.arnInput.Prompt) - 2
	s.resize(true)
}

// resize lays out the list and the detail pane for the size and for what shows above the list
// (the ARN field, the "RAM refused" line): the list gets the rows it needs (stacked: up to 3/5
// of the height), the detail pane the rest. It runs after every update, as those change.
func (s *RolesScreen) resize(force bool) {
	w, h := s.width, s.height
	above := 0 // lines drawn above the list
	if s.typing {
		above++
	}
	if s.denied && len(s.list.Items()) > 0 {
		above++
	}
	listW, listH, detW, detH := w, h, w, h
	if w >= 100 {
		listW = w * 2 / 5
		detW = w - listW - 3
	} else {
		want := len(s.list.Items()) + 2 + above // title, rows, a blank line
		listH = min(max(want, 5+above), max(5+above, h*3/5))
		detH = max(1, h-listH-1)
	}
	innerH := max(3, listH-above)
	if !force && listW == s.listW && listH == s.listH && innerH == s.list.Height() && detW == s.detail.Width && detH == s.detail.Height {
		return
	}
	s.listW, s.listH = listW, listH
	s.detail.Width, s.detail.Height = detW, detH
	s.list.SetSize(listW, innerH)
	s.detailKey = "" // re-render at the new width
	s.refreshDetail()
}

// Title is the tab label.
func (s *RolesScreen) Title() string { return "Roles" }

// InputFocused reports whether the ARN field or the list filter has focus.
func (s *RolesScreen) InputFocused() bool { return s.typing || s.list.SettingFilter() }

// Loading reports whether the listing is in flight.
func (s *RolesScreen) Loading() bool { return s.loading }

// Chosen returns the ARN of the role in use ("" = none).
func (s *RolesScreen) Chosen() string { return s.chosen }

// KeyMap reflects what is enabled now.
func (s *RolesScreen) KeyMap() help.KeyMap {
	k := s.keys
	if s.typing {
		return bindings{short: []key.Binding{k.Accept, k.Cancel}}
	}
	if s.list.SettingFilter() {
		acc := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter"))
		return bindings{short: []key.Binding{acc, k.Cancel}}
	}
	has := len(s.list.Items()) > 0
	k.Up.SetEnabled(has)
	k.Down.SetEnabled(has)
	k.Filter.SetEnabled(has)
	k.Choose.SetEnabled(s.list.SelectedItem() != nil)
	k.Expand.SetEnabled(s.list.SelectedItem() != nil)
	if s.expanded {
		k.Expand.SetHelp("p", "hide policies")
	}
	clear := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"))
	clear.SetEnabled(s.list.IsFiltered())
	short := []key.Binding{k.Choose, k.Filter, k.TypeARN, k.Expand}
	full := [][]key.Binding{
		{k.Up, k.Down, s.list.KeyMap.PrevPage, s.list.KeyMap.NextPage},
		{k.Choose, k.Filter, clear, k.TypeARN},
		{k.Expand, k.ScrollDown, k.ScrollUp, k.Reload},
	}
	return bindings{short: short, full: full}
}

// Update handles keys (when active) and the screen's async results.
func (s *RolesScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	defer s.resize(false)
	switch msg := msg.(type) {
	case rolesLoadedMsg:
		if msg.req != s.listReq {
			return s, nil
		}
		return s, s.applyRoles(msg)
	case roleDetailMsg:
		return s, s.applyDetail(msg)
	case spinner.TickMsg:
		if !s.loading && s.loadingARN == "" {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case RoleSelectedMsg:
		s.chosen = msg.Role.ARN
		if msg.Role.Policies != nil {
			s.details[msg.Role.ARN] = msg.Role
		}
		s.refreshDetail()
		return s, nil
	case CloneIssueMsg:
		s.chosen = msg.Record.RoleARN
		return s, nil
	case callerKnownMsg:
		c := msg.caller
		s.caller = &c
		s.detailKey = ""
		s.refreshDetail()
		return s, nil
	case tea.KeyMsg:
		return s, s.handleKey(msg)
	case tea.MouseMsg:
		var cmd tea.Cmd
		s.detail, cmd = s.detail.Update(msg)
		return s, cmd
	}
	// Filter results and the like go to the list; they may move the cursor.
	before := s.selectedARN()
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	if s.selectedARN() != before {
		return s, tea.Batch(cmd, s.cursorMoved())
	}
	return s, cmd
}

func (s *RolesScreen) applyRoles(msg rolesLoadedMsg) tea.Cmd {
	s.loading = false
	s.loaded = true
	s.loadErr = msg.err
	s.denied = false
	var cmds []tea.Cmd
	if msg.err != nil {
		var ae *model.APIError
		if errors.As(msg.err, &ae) && (ae.StatusCode == 403 || strings.Contains(ae.Code, "NoPermission") ||
			strings.Contains(ae.Code, "Forbidden") || strings.Contains(ae.Code, "AccessDenied")) {
			s.denied = true
		}
		err := msg.err
		cmds = append(cmds, func() tea.Msg { return ErrorMsg{Context: "listing roles", Err: err} })
	}
	roles := append([]model.Role(nil), msg.roles...)
	sort.SliceStable(roles, func(i, j int) bool { return strings.ToLower(roles[i].Name) < strings.ToLower(roles[j].Name) })
	have := map[string]bool{}
	for _, r := range roles {
		have[r.ARN] = true
	}
	// Typed roles survive a reload; recent ones fill in what the listing lacks.
	var items []list.Item
	for _, it := range s.list.Items() {
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
	for _, r := range msg.recent {
		if !have[r.ARN] {
			have[r.ARN] = true
			items = append(items, roleItem{r})
		}
	}
	cmds = append(cmds, s.setItems(items))
	if s.chosen != "" {
		for i, it := range items {
			if it.(roleItem).role.ARN == s.chosen {
				s.list.Select(i)
			}
		}
	}
	cmds = append(cmds, s.cursorMoved())
	return tea.Batch(cmds...)
}

func (s *RolesScreen) applyDetail(msg roleDetailMsg) tea.Cmd {
	if msg.req != s.detailReq {
		return nil // stale: the cursor moved on
	}
	s.loadingARN = ""
	arn := msg.key
	var cmds []tea.Cmd
	if msg.err != nil {
		s.detailErr[arn] = msg.err
		if s.chooseARN != arn { // choosing reports it below
			err, name := msg.err, roleNameFromARN(arn)
			cmds = append(cmds, func() tea.Msg { return ErrorMsg{Context: "reading role " + name, Err: err} })
		}
	} else {
		r := msg.role
		if r.ARN == "" {
			r.ARN = arn
		}
		if r.Source == "" {
			r.Source = s.sourceOf(arn)
		}
		delete(s.detailErr, arn)
		s.details[arn] = r
		if r.ARN != arn {
			s.details[r.ARN] = r
		}
		cmds = append(cmds, s.upsertItem(r))
	}
	if s.chooseARN == arn {
		s.chooseARN = ""
		r, ok := s.details[arn]
		if !ok && roleMissing(msg.err) {
			// No such role: stay on Roles, drop a typed entry, say so.
			err, name := msg.err, roleNameFromARN(arn)
			cmds = append(cmds, s.dropTyped(arn), func() tea.Msg {
				return ErrorMsg{Context: "role " + name + " does not exist", Err: err}
			})
			s.refreshDetail()
			return tea.Batch(cmds...)
		}
		if !ok {
			r = s.roleByARN(arn)
			err := msg.err
			cmds = append(cmds, func() tea.Msg {
				return ErrorMsg{Context: "reading role " + r.Name + " (its policies are unknown; the preview shows ?)", Err: err}
			})
		}
		cmds = append(cmds, s.choose(r))
	}
	s.refreshDetail()
	return tea.Batch(cmds...)
}

// roleMissing reports whether GetRole's error says the role does not exist (as opposed to not
// being readable, where the console still lets the operator use the ARN).
func roleMissing(err error) bool {
	var ae *model.APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.StatusCode == 404 || strings.Contains(ae.Code, "NotExist") || strings.Contains(ae.Code, "NotFound")
}

// dropTyped removes a typed role from the list (a fresh slice: a running filter reads the old).
func (s *RolesScreen) dropTyped(arn string) tea.Cmd {
	old := s.list.Items()
	items := make([]list.Item, 0, len(old))
	for _, it := range old {
		if r := it.(roleItem).role; r.ARN == arn && r.Source == "typed" {
			continue
		}
		items = append(items, it)
	}
	if len(items) == len(old) {
		return nil
	}
	delete(s.detailErr, arn)
	return s.setItems(items)
}

func (s *RolesScreen) sourceOf(arn string) string {
	if r := s.roleByARN(arn); r.Source != "" {
		return r.Source
	}
	return "typed"
}

func (s *RolesScreen) roleByARN(arn string) model.Role {
	for _, it := range s.list.Items() {
		if r := it.(roleItem).role; r.ARN == arn {
			return r
		}
	}
	return model.Role{Name: roleNameFromARN(arn), ARN: arn, Source: "typed"}
}

// upsertItem updates a role's list entry (keeping its source) or adds it at the top. It hands
// the list a fresh slice rather than editing the current one in place: a filter command of the
// list may still be reading the old slice on another goroutine.
func (s *RolesScreen) upsertItem(r model.Role) tea.Cmd {
	old := s.list.Items()
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
		return s.setItems(items)
	}
	cmd := s.setItems(append([]list.Item{roleItem{r}}, items...))
	s.list.Select(0)
	return cmd
}

// setItems gives the list a fresh slice of items. With a filter on, it filters again at once:
// SetItems alone empties the filtered view until its asynchronous filter answers, and an enter
// pressed meanwhile (a role's details arriving just after the filter was accepted) found no
// role to choose. The cursor stays on the same role.
func (s *RolesScreen) setItems(items []list.Item) tea.Cmd {
	state := s.list.FilterState()
	if state == list.Unfiltered {
		return s.list.SetItems(items)
	}
	arn := s.selectedARN()
	_ = s.list.SetItems(items) // its asynchronous filter is not needed: filtered below
	s.list.SetFilterText(s.list.FilterValue())
	if state == list.Filtering {
		s.list.SetFilterState(list.Filtering)
	}
	for i, it := range s.list.VisibleItems() {
		if it.(roleItem).role.ARN == arn {
			s.list.Select(i)
			break
		}
	}
	return nil
}

func (s *RolesScreen) choose(r model.Role) tea.Cmd {
	s.chosen = r.ARN
	return tea.Batch(
		func() tea.Msg { return RoleSelectedMsg{Role: r} },
		func() tea.Msg { return SwitchScreenMsg{To: ScreenPolicy} },
	)
}

func (s *RolesScreen) selected() (model.Role, bool) {
	it := s.list.SelectedItem()
	if it == nil {
		return model.Role{}, false
	}
	return it.(roleItem).role, true
}

// cursorMoved loads the details of the role under the cursor when they are not known yet.
func (s *RolesScreen) cursorMoved() tea.Cmd {
	defer s.refreshDetail()
	r, ok := s.selected()
	if !ok {
		return nil
	}
	if s.chooseARN != r.ARN {
		s.chooseARN = "" // enter was for another role; moving on cancels it
	}
	if _, ok := s.details[r.ARN]; ok {
		return nil
	}
	if _, failed := s.detailErr[r.ARN]; failed {
		return nil
	}
	if s.loadingARN == r.ARN {
		return nil
	}
	s.detailReq++
	s.loadingARN = r.ARN
	return tea.Batch(getRole(s.svc.Roles, s.detailReq, r.ARN), s.spin.Tick)
}

func (s *RolesScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.typing {
		switch {
		case keyIs(msg, k.Cancel):
			s.typing = false
			s.arnInput.Blur()
			return nil
		case keyIs(msg, k.Accept):
			arn := strings.TrimSpace(s.arnInput.Value())
			if s.svc.Pending() {
				return func() tea.Msg {
					return ErrorMsg{Context: "role ARN", Err: errors.New("still connecting: try again once the header shows SANDBOX or LIVE")}
				}
			}
			if !roleARNPattern.MatchString(arn) {
				return func() tea.Msg {
					return ErrorMsg{Context: "role ARN", Err: fmt.Errorf("%q is not a role ARN: want acs:ram::<account id>:role/<role name>", arn)}
				}
			}
			s.typing = false
			s.arnInput.Blur()
			s.arnInput.SetValue("")
			r := model.Role{Name: roleNameFromARN(arn), ARN: arn, Source: "typed"}
			upsert := s.upsertItem(r)
			delete(s.detailErr, arn)
			s.detailReq++
			s.loadingARN = arn
			s.chooseARN = arn
			s.refreshDetail()
			return tea.Batch(upsert, getRole(s.svc.Roles, s.detailReq, arn), s.spin.Tick)
		}
		var cmd tea.Cmd
		s.arnInput, cmd = s.arnInput.Update(msg)
		return cmd
	}
	if s.list.SettingFilter() {
		before := s.selectedARN()
		prev := s.list.FilterValue()
		var cmd tea.Cmd
		s.list, cmd = s.list.Update(msg)
		if s.list.SettingFilter() && s.list.FilterValue() != prev {
			// Filter at once: the list's own asynchronous results carry no query, so with
			// fast typing an older query's answer can arrive last and win.
			s.list.SetFilterText(s.list.FilterValue())
			s.list.SetFilterState(list.Filtering)
			cmd = nil
		}
		if s.selectedARN() != before {
			return tea.Batch(cmd, s.cursorMoved())
		}
		return cmd
	}
	switch {
	case keyIs(msg, k.TypeARN):
		s.typing = true
		if s.arnInput.Value() == "" && s.svc.AccountID != "" {
			s.arnInput.SetValue("acs:ram::" + s.svc.AccountID + ":role/")
			s.arnInput.CursorEnd()
		}
		return s.arnInput.Focus()
	case keyIs(msg, k.Reload):
		s.details = map[string]model.Role{}
		s.detailErr = map[string]error{}
		return s.Init()
	case keyIs(msg, k.Expand):
		s.expanded = !s.expanded
		s.refreshDetail()
		return nil
	case keyIs(msg, k.ScrollDown):
		s.detail.HalfPageDown()
		return nil
	case keyIs(msg, k.ScrollUp):
		s.detail.HalfPageUp()
		return nil
	case keyIs(msg, k.Choose):
		r, ok := s.selected()
		if !ok {
			return nil
		}
		if d, ok := s.details[r.ARN]; ok {
			return s.choose(d)
		}
		if _, failed := s.detailErr[r.ARN]; failed {
			return s.choose(r)
		}
		s.chooseARN = r.ARN
		if s.loadingARN == r.ARN {
			return nil // already asked: the answer chooses it
		}
		s.detailReq++
		s.loadingARN = r.ARN
		return tea.Batch(getRole(s.svc.Roles, s.detailReq, r.ARN), s.spin.Tick)
	case keyIs(msg, k.Cancel) && (s.expanded || s.detail.YOffset > 0) && !s.list.IsFiltered():
		// esc backs out of the detail pane: collapsed, scrolled back to name and ARN.
		s.expanded = false
		s.detail.GotoTop()
		s.refreshDetail()
		return nil
	}
	before := s.selectedARN()
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	if s.selectedARN() != before {
		return tea.Batch(cmd, s.cursorMoved())
	}
	return cmd
}

func (s *RolesScreen) selectedARN() string {
	r, _ := s.selected()
	return r.ARN
}

// refreshDetail re-renders the detail pane when what it shows changed.
func (s *RolesScreen) refreshDetail() {
	r, ok := s.selected()
	if !ok {
		s.detail.SetContent("")
		s.detailFor, s.detailKey = "", ""
		return
	}
	d, have := s.details[r.ARN]
	if have {
		r = d
	}
	errText := ""
	if err := s.detailErr[r.ARN]; err != nil {
		errText = shortError(err)
	}
	keyStr := fmt.Sprintf("%s|%v|%v|%s|%s|%v|%d", r.ARN, have, s.expanded, errText, s.chosen, s.loadingARN == r.ARN, s.detail.Width)
	if keyStr == s.detailKey {
		return
	}
	if s.detailFor != r.ARN {
		s.detail.GotoTop()
	}
	s.detailFor, s.detailKey = r.ARN, keyStr
	s.detail.SetContent(s.renderDetail(r, have, errText))
}

func (s *RolesScreen) renderDetail(r model.Role, have bool, errText string) string {
	st := s.st
	w := s.detail.Width
	var b strings.Builder
	title := st.Title.Render(r.Name)
	if r.ARN == s.chosen {
		title += "  " + st.Mark("ok", "in use")
	}
	b.WriteString(title + "\n")
	field := func(name, val string) {
		lines := strings.Split(wrapText(val, max(w-14, 10)), "\n")
		for i, l := range lines {
			if i == 0 {
				fmt.Fprintf(&b, "%-12s  %s\n", name, l)
			} else {
				fmt.Fprintf(&b, "%-12s  %s\n", "", l)
			}
		}
	}
	field("ARN", r.ARN)
	if r.Description != "" {
		field("Description", r.Description)
	}
	switch {
	case r.MaxSessionDuration > 0:
		field("Max session", fmt.Sprintf("%s (%d s)", humanDuration(r.MaxSessionDuration), int64(r.MaxSessionDuration/time.Second)))
	case have:
		field("Max session", "not stated (STS allows up to 1h by default)")
	default:
		field("Max session", GlyphUnknown+" not loaded")
	}
	field("Source", map[string]string{"ram": "RAM ListRoles", "typed": "typed ARN", "recent": "recently used (audit log)"}[r.Source])
	if s.loadingARN == r.ARN {
		b.WriteString(s.spin.View() + " loading details…\n")
	}
	if errText != "" {
		b.WriteString(st.Mark("warn", "details unavailable: "+errText) + "\n")
	}
	switch {
	case r.TrustPolicy != "":
		ws, err := TrustPrincipals(r.TrustPolicy)
		if err != nil {
			field("Trusted", GlyphUnknown+" "+err.Error())
		}
		for i, p := range ws {
			name := ""
			if i == 0 {
				name = "Trusted"
			}
			field(name, p)
		}
	case have:
		field("Trusted", GlyphUnknown+" trust policy not returned")
	}
	if r.TrustPolicy != "" && s.caller != nil {
		kind, text := TrustsCaller(r.TrustPolicy, r.ARN, *s.caller)
		field("You", st.Mark(kind, text))
	}
	switch {
	case r.Policies == nil && have:
		field("Policies", GlyphUnknown+" could not be read")
	case r.Policies == nil:
	case len(r.Policies) == 0:
		field("Policies", "none attached (the role can do nothing)")
	default:
		for i, p := range r.Policies {
			name := ""
			if i == 0 {
				name = "Policies"
			}
			line := p.Name + " (" + strings.ToLower(p.Type) + ")"
			if p.Document == "" {
				line += " " + GlyphUnknown + " document unreadable"
			}
			field(name, line)
			if s.expanded && p.Document != "" {
				for _, l := range strings.Split(prettyJSON(p.Document), "\n") {
					b.WriteString("    " + st.Muted.Render(l) + "\n")
				}
			}
		}
		if !s.expanded {
			b.WriteString(st.Muted.Render("p shows the policy documents") + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// View shows the list and the detail pane (side by side when wide, stacked when narrow).
func (s *RolesScreen) View() string {
	st := s.st
	var top string
	switch {
	case s.svc.Pending() && len(s.list.Items()) == 0:
		top = "Connecting… the roles load once the credentials are resolved."
	case s.svc != nil && s.svc.Unavailable != nil:
		top = st.Mark("deny", "Not connected (the status line says why).") + "\nq quits; stsdeck --sandbox runs against the embedded sandbox."
	case s.loading && len(s.list.Items()) == 0:
		top = s.spin.View() + " Loading roles…"
	case len(s.list.Items()) == 0 && s.denied:
		top = st.Mark("deny", "RAM refused to list the roles.") + "\n" +
			"Press a to type a role ARN (acs:ram::<account>:role/<name>)."
	case len(s.list.Items()) == 0 && s.loadErr != nil:
		top = st.Mark("deny", "Could not list the roles.") + "\nPress r to retry or a to type a role ARN."
	case len(s.list.Items()) == 0 && s.loaded:
		top = "No roles in this account.\nPress a to type a role ARN, r to reload."
	default:
		s.list.Title = s.listTitle()
		top = s.list.View()
		if s.denied {
			top = st.Mark("warn", "RAM refused the listing: recent and typed roles only") + "\n" + top
		}
	}
	if s.typing {
		top = s.arnInput.View() + "\n" + top
	}
	top = fitBlock(top, s.listW, s.listH)
	if _, ok := s.selected(); !ok {
		return top
	}
	det := s.detail.View()
	if s.width >= 100 {
		sep := strings.TrimRight(strings.Repeat("│\n", s.height), "\n")
		return lipgloss.JoinHorizontal(lipgloss.Top, padBlock(top, s.listW), " ", st.Muted.Render(sep), " ", det)
	}
	return top + "\n" + st.Muted.Render(strings.Repeat("─", s.width)) + "\n" + det
}

// listTitle is "Roles · 6", or with a filter "Roles · “ram” 1 of 6".
func (s *RolesScreen) listTitle() string {
	n := len(s.list.Items())
	if s.loading {
		return fmt.Sprintf("Roles · %d · %s reloading", n, s.spin.View())
	}
	page := ""
	if p := s.list.Paginator; p.TotalPages > 1 {
		page = fmt.Sprintf(" · page %d/%d (←/→)", p.Page+1, p.TotalPages)
	}
	if s.list.IsFiltered() {
		return fmt.Sprintf("Roles · “%s” %d of %d (esc clears)%s", s.list.FilterValue(), len(s.list.VisibleItems()), n, page)
	}
	return fmt.Sprintf("Roles · %d%s", n, page)
}

// roleDelegate renders one role per line: cursor glyph, name, source tag, description.
type roleDelegate struct{ s *RolesScreen }

func (d roleDelegate) Height() int                         { return 1 }
func (d roleDelegate) Spacing() int                        { return 0 }
func (d roleDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }
func (d roleDelegate) Render(w io.Writer, m list.Model, index int, it list.Item) {
	r := it.(roleItem).role
	st := d.s.st
	cursor := "  "
	if index == m.Index() {
		cursor = GlyphSelected + " "
	}
	mark := " "
	if r.ARN == d.s.chosen {
		mark = GlyphOK
	}
	tag := ""
	switch r.Source {
	case "typed":
		tag = " (typed)"
	case "recent":
		tag = " (recent)"
	}
	line := cursor + mark + " " + r.Name + tag
	if m.Width() >= 60 {
		// Room for columns: name, longest session, description.
		maxs := GlyphUnknown
		if r.MaxSessionDuration > 0 {
			maxs = humanDuration(r.MaxSessionDuration)
		}
		line = cursor + mark + " " + padRight(r.Name+tag, 26) + " " + padRight(maxs, 4)
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

// shortError names an error in a few words for a pane (the status line has it in full).
func shortError(err error) string {
	var ae *model.APIError
	if errors.As(err, &ae) {
		return strings.ToUpper(ae.Service) + " " + ae.Operation + " refused: " + ae.Code + " (details on the status line)"
	}
	return "see the status line"
}

// TrustsCaller says whether a role's trust policy lets the console's caller assume it, as a
// Styles.Mark kind and a sentence. It judges the trust policy only: the caller's own policies
// must also allow sts:AssumeRole, and the console cannot always read them.
func TrustsCaller(trustDoc, roleARN string, c model.Caller) (kind, text string) {
	who := shortARN(c.ARN)
	p := callerPrincipal(c)
	trust, err := policy.Parse("trust policy", []byte(trustDoc), policy.KindTrust)
	if err != nil {
		return "unknown", "cannot tell: the trust policy does not parse (" + err.Error() + ")"
	}
	r := policy.EvaluateAssumeRole(p, roleARN, nil, trust, nil)
	if r.Reason == "root-refused" {
		return "deny", "STS refuses the account's root key: act as a RAM user"
	}
	switch {
	case r.Trust.Decision == policy.DecisionAllow:
		return "ok", "trusts " + who + " (your own policies must allow sts:AssumeRole too)"
	case r.Trust.Decision == policy.DecisionExplicitDeny:
		return "deny", "the trust policy denies " + who
	case slices.Contains(r.Trust.Indeterminate, policy.KeyExternalID):
		return "warn", "trusts " + who + " only with the right external id"
	case len(r.Trust.Indeterminate) > 0:
		return "unknown", "trusts " + who + " only when " + strings.Join(r.Trust.Indeterminate, ", ") + " match"
	}
	return "deny", "does not trust " + who + ": AssumeRole would be refused"
}

// callerPrincipal reads a caller's ARN: acs:ram::<acct>:root, :user/<name>,
// :assumed-role/<role>/<session>.
func callerPrincipal(c model.Caller) policy.Principal {
	p := policy.Principal{AccountID: c.AccountID, ID: c.UserID}
	rest := c.ARN
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		rest = rest[i+1:]
	}
	switch {
	case rest == "root":
		p.Type = "root"
	case strings.HasPrefix(rest, "user/"):
		p.Type, p.Name = "user", strings.TrimPrefix(rest, "user/")
	case strings.HasPrefix(rest, "assumed-role/"):
		parts := strings.SplitN(strings.TrimPrefix(rest, "assumed-role/"), "/", 2)
		p.Type, p.Name = "role", parts[0]
		if len(parts) == 2 {
			p.SessionName = parts[1]
		}
		p.ID = c.RoleID
	default:
		p.Type = "user"
		p.Name = rest
	}
	if p.AccountID == "" {
		if m := regexp.MustCompile(`^acs:ram::([0-9]+):`).FindStringSubmatch(c.ARN); m != nil {
			p.AccountID = m[1]
		}
	}
	return p
}

// TrustPrincipals says in words who a trust policy lets assume the role, one line per principal.
func TrustPrincipals(doc string) ([]string, error) {
	var p struct {
		Statement []struct {
			Effect    string
			Action    json.RawMessage
			Principal json.RawMessage
			Condition map[string]map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("trust policy is not valid JSON: %w", err)
	}
	var out []string
	for _, s := range p.Statement {
		var who []string
		var any string
		if json.Unmarshal(s.Principal, &any) == nil && any == "*" {
			who = append(who, "anyone, in any account")
		} else {
			var blk map[string]json.RawMessage
			_ = json.Unmarshal(s.Principal, &blk)
			kinds := make([]string, 0, len(blk))
			for k := range blk {
				kinds = append(kinds, k)
			}
			sort.Strings(kinds)
			for _, kind := range kinds {
				for _, v := range stringOrList(blk[kind]) {
					who = append(who, principalWords(kind, v))
				}
			}
		}
		var cond []string
		for op, kv := range s.Condition {
			for k, v := range kv {
				vals := strings.Join(stringOrList(v), ", ")
				if strings.EqualFold(k, "sts:ExternalId") {
					cond = append(cond, "external id "+vals)
				} else {
					cond = append(cond, fmt.Sprintf("%s %s %s", k, op, vals))
				}
			}
		}
		sort.Strings(cond)
		for _, w := range who {
			if strings.EqualFold(s.Effect, "Deny") {
				w = "never: " + w
			}
			if len(cond) > 0 {
				w += " (when " + strings.Join(cond, "; ") + ")"
			}
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = append(out, "nobody (no principal in the trust policy)")
	}
	return out, nil
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

var ramARNPattern = regexp.MustCompile(`^acs:ram::([0-9*]+):(root|user/.+|role/.+|saml-provider/.+|oidc-provider/.+)$`)

func principalWords(kind, v string) string {
	if strings.TrimSpace(v) == "" {
		return "an empty " + kind + " principal (matches nobody)"
	}
	switch strings.ToUpper(kind) {
	case "SERVICE":
		name := strings.TrimSuffix(v, ".aliyuncs.com")
		if name == v {
			return "the service " + v
		}
		return "the " + strings.ToUpper(name) + " service"
	case "RAM", "FEDERATED":
		if v == "*" {
			return "any RAM identity of any account"
		}
		if isDigits(v) {
			return "any RAM identity of account " + v
		}
		m := ramARNPattern.FindStringSubmatch(v)
		if m == nil {
			return v
		}
		acct, what := m[1], m[2]
		switch {
		case what == "root":
			return "any RAM identity of account " + acct
		case strings.HasPrefix(what, "user/"):
			return "RAM user " + strings.TrimPrefix(what, "user/") + " of account " + acct
		case strings.HasPrefix(what, "role/"):
			return "role " + strings.TrimPrefix(what, "role/") + " of account " + acct
		case strings.HasPrefix(what, "saml-provider/"):
			return "users of SAML provider " + strings.TrimPrefix(what, "saml-provider/") + " (account " + acct + ")"
		default:
			return "users of OIDC provider " + strings.TrimPrefix(what, "oidc-provider/") + " (account " + acct + ")"
		}
	}
	return kind + " " + v
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
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

// humanDuration prints 1h, 12h, 1h30m, 15m.
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	sec := (d % time.Minute) / time.Second
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	return b.String()
}
