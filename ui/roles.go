package ui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
)

// The Roles screen wires three components: the role list (roles_list.go: filter, ARN field,
// "RAM refused" line), the detail pane (roles_detail.go) and, inside it, the trust summary
// (roles_trust.go). It owns the role details cache and routes keys and async results.

// RolesKeys are the Roles screen's own bindings (the list's and the detail pane's are theirs).
type RolesKeys struct {
	Choose key.Binding
	Reload key.Binding
}

func newRolesKeys() RolesKeys {
	return RolesKeys{
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use role")),
		Reload: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
	}
}

// RolesScreen lists roles and describes the one under the cursor.
type RolesScreen struct {
	svc  *Services
	st   Styles
	now  func() time.Time
	keys RolesKeys

	spin   spinner.Model
	list   *roleList
	detail *roleDetail

	width, height int

	listReq int

	details    map[string]model.Role // by ARN, from GetRole
	detailErr  map[string]error
	detailReq  int
	loadingARN string // details in flight
	chooseARN  string // choose this role once its details arrive

	caller *model.Caller   // who the console acts as (nil until Whoami answers)
	batch  map[string]bool // ARNs whose details the ranking read is fetching

	// The readiness checklist (roles_ready.go): the caller's own policies (nil = not read;
	// callerPolsWhy says why, "" = still reading) and the scope the Policy screen chose.
	callerPols     []model.AttachedPolicy
	callerPolsWhy  string
	bucket, prefix string
}

// allDetailsMsg answers the details of every listed role (read after the listing, so the list
// can put the roles the caller may assume first); errs are quiet: the cursor's role asks again.
type allDetailsMsg struct {
	req   int
	roles []model.Role
}

// maxRankedRoles bounds the GetRole calls made to rank a listing.
const maxRankedRoles = 100

func loadAllDetails(src RoleSource, req int, arns []string) tea.Cmd {
	if src == nil || len(arns) == 0 {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		msg := allDetailsMsg{req: req}
		for _, arn := range arns {
			if r, err := src.GetRole(ctx, arn); err == nil {
				if r.ARN == "" {
					r.ARN = arn
				}
				msg.roles = append(msg.roles, r)
			}
		}
		return msg
	}
}

// rerankMoved reranks and loads the details of a role the cursor moved to.
func (s *RolesScreen) rerankMoved() tea.Cmd {
	cmd := s.rerank()
	return tea.Batch(cmd, s.cursorMoved())
}

// rerank orders the list by whether the caller may assume each role (flow.AssumeRank).
func (s *RolesScreen) rerank() tea.Cmd {
	details, caller := s.details, s.caller
	return s.list.SetRank(func(r model.Role) int {
		if d, ok := details[r.ARN]; ok {
			r = d
		}
		return flow.AssumeRank(r, caller)
	})
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

// NewRolesScreen builds the Roles screen.
func NewRolesScreen(svc *Services, st Styles, now func() time.Time) *RolesScreen {
	if now == nil {
		now = time.Now
	}
	s := &RolesScreen{svc: svc, st: st, now: now, keys: newRolesKeys(),
		details: map[string]model.Role{}, detailErr: map[string]error{}}
	s.spin = spinner.New(spinner.WithSpinner(spinner.Line))
	s.list = newRoleList(st, &s.spin)
	s.detail = newRoleDetail(st, &s.spin)
	return s
}

// Init starts loading the roles.
func (s *RolesScreen) Init() tea.Cmd {
	if s.svc != nil && s.svc.Mode == "sandbox" && s.bucket == "" {
		s.bucket = SandboxDemoBucket // as the Policy screen preloads it
	}
	s.listReq++
	s.list.StartLoading()
	return tea.Batch(loadRoles(s.svc.Roles, s.svc.Audit, s.listReq), s.spin.Tick)
}

func loadRoles(src RoleSource, audit AuditLog, req int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		msg := rolesLoadedMsg{req: req}
		if src == nil {
			msg.err = errors.New("no RAM connection is configured") // i18n:ok an error value: describeError translates it (domain pattern)
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
			return roleDetailMsg{req: req, key: nameOrARN, err: errors.New("no RAM connection is configured")} // i18n:ok as above
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
	s.list.SetFieldWidth(w)
	s.resize(true)
}

// resize lays out the list and the detail pane for the size and for what shows above the list
// (the ARN field, the "RAM refused" line): the list gets the rows it needs (stacked: up to 3/5
// of the height), the detail pane the rest. It runs after every update, as those change.
func (s *RolesScreen) resize(force bool) {
	w, h := s.width, s.height
	above := s.list.Above()
	listW, listH, detW, detH := w, h, w, h
	if w >= 100 {
		listW = w * 2 / 5
		detW = w - listW - 3
	} else {
		want := len(s.list.Items()) + 2 + above // title, rows, a blank line
		listH = min(max(want, 5+above), max(5+above, h*3/5))
		detH = max(1, h-listH-1)
	}
	if !force && s.list.Sized(listW, listH) && detW == s.detail.Width() && detH == s.detail.Height() {
		return
	}
	s.list.SetSize(listW, listH)
	s.detail.SetSize(detW, detH) // renders again at the new width
	s.refreshDetail()
}

// Title is the tab label.
func (s *RolesScreen) Title() string { return "Roles" }

// InputFocused reports whether the ARN field or the list filter has focus.
func (s *RolesScreen) InputFocused() bool { return s.list.InputFocused() }

// Loading reports whether the listing is in flight.
func (s *RolesScreen) Loading() bool { return s.list.Loading() }

// Chosen returns the ARN of the role in use ("" = none).
func (s *RolesScreen) Chosen() string { return s.list.Chosen() }

// KeyMap reflects what is enabled now: the focused field's keys, or the screen's, the list's
// and the detail pane's together.
func (s *RolesScreen) KeyMap() help.KeyMap {
	if s.list.InputFocused() {
		return s.list.KeyMap()
	}
	k := s.keys
	_, has := s.selected()
	k.Choose.SetEnabled(has)
	lk, dk := s.list.helpKeys(), s.detail.helpKeys(has)
	short := []key.Binding{k.Choose, lk.Filter, lk.TypeARN, dk.Expand}
	full := [][]key.Binding{
		{lk.Up, lk.Down, lk.PrevPage, lk.NextPage},
		{k.Choose, lk.Filter, lk.ClearFilter, lk.TypeARN},
		{dk.Expand, dk.ScrollDown, dk.ScrollUp, k.Reload},
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
		return s, tea.Batch(s.applyDetail(msg), s.rerankMoved())
	case allDetailsMsg:
		if msg.req != s.listReq {
			return s, nil
		}
		var cmds []tea.Cmd
		s.batch = nil
		for _, r := range msg.roles {
			if _, ok := s.details[r.ARN]; ok {
				continue
			}
			if r.Source == "" {
				r.Source = s.list.SourceOf(r.ARN)
			}
			s.details[r.ARN] = r
			cmds = append(cmds, s.list.Upsert(r))
		}
		cmds = append(cmds, s.rerankMoved())
		if arn := s.chooseARN; arn != "" && s.loadingARN != arn {
			// enter was pressed while the batch read this role.
			s.chooseARN = ""
			if d, ok := s.details[arn]; ok {
				cmds = append(cmds, s.choose(d))
			} else {
				cmds = append(cmds, s.fetchDetail(arn))
				s.chooseARN = arn
			}
		}
		s.refreshDetail()
		return s, tea.Batch(cmds...)
	case spinner.TickMsg:
		if !s.list.Loading() && s.loadingARN == "" {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case RoleSelectedMsg:
		s.list.SetChosen(msg.Role.ARN)
		if msg.Role.Policies != nil {
			s.details[msg.Role.ARN] = msg.Role
		}
		s.refreshDetail()
		return s, nil
	case CloneIssueMsg:
		s.list.SetChosen(msg.Record.RoleARN)
		return s, nil
	case callerKnownMsg:
		c := msg.caller
		s.caller = &c
		s.detail.SetCaller(msg.caller)
		s.callerPols, s.callerPolsWhy = nil, ""
		load := loadCallerPolicies(s.svc.UserPolicies, c)
		if load == nil && callerUserName(c) != "" {
			s.callerPolsWhy = "this connection does not read RAM users' policies" // i18n:ok domain text inside flow.Readiness (domain pattern)
		}
		s.refreshDetail()
		return s, tea.Batch(load, s.rerankMoved())
	case callerPoliciesMsg:
		if s.caller == nil || callerUserName(*s.caller) != msg.user {
			return s, nil // for another caller
		}
		s.callerPols, s.callerPolsWhy = msg.policies, ""
		if msg.err != nil {
			s.callerPols, s.callerPolsWhy = nil, callerPoliciesWhy(msg.err)
		} else if s.callerPols == nil {
			s.callerPols = []model.AttachedPolicy{}
		}
		s.refreshDetail()
		return s, nil
	case PolicyChangedMsg:
		s.bucket, s.prefix = msg.Bucket, msg.Prefix
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
	return s, s.updateList(msg)
}

// updateList hands a message to the list and loads the details of a role the cursor moved to.
func (s *RolesScreen) updateList(msg tea.Msg) tea.Cmd {
	before := s.selectedARN()
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	if s.selectedARN() != before {
		return tea.Batch(cmd, s.cursorMoved())
	}
	return cmd
}

func (s *RolesScreen) applyRoles(msg rolesLoadedMsg) tea.Cmd {
	var cmds []tea.Cmd
	tr := s.st.tr()
	if msg.err != nil {
		err := msg.err
		cmds = append(cmds, func() tea.Msg { return ErrorMsg{Context: tr.S("listing roles"), Err: err} })
	}
	cmds = append(cmds, s.list.SetRoles(msg.roles, msg.recent, msg.err))
	var want []string
	for _, it := range s.list.Items() {
		if r := it.(roleItem).role; r.Source != "typed" && len(want) < maxRankedRoles {
			if _, ok := s.details[r.ARN]; !ok {
				want = append(want, r.ARN)
			}
		}
	}
	cmds = append(cmds, s.rerank())
	cmds = append(cmds, s.cursorMoved())
	s.batch = map[string]bool{}
	var batch []string
	for _, arn := range want {
		if arn != s.loadingARN {
			s.batch[arn] = true
			batch = append(batch, arn)
		}
	}
	cmds = append(cmds, loadAllDetails(s.svc.Roles, s.listReq, batch))
	return tea.Batch(cmds...)
}

func (s *RolesScreen) applyDetail(msg roleDetailMsg) tea.Cmd {
	if msg.req != s.detailReq {
		return nil // stale: the cursor moved on
	}
	s.loadingARN = ""
	arn, tr := msg.key, s.st.tr()
	var cmds []tea.Cmd
	if msg.err != nil {
		s.detailErr[arn] = msg.err
		if s.chooseARN != arn { // choosing reports it below
			err, name := msg.err, roleNameFromARN(arn)
			cmds = append(cmds, func() tea.Msg { return ErrorMsg{Context: tr.S("reading role %s", name), Err: err} })
		}
	} else {
		r := msg.role
		if r.ARN == "" {
			r.ARN = arn
		}
		if r.Source == "" {
			r.Source = s.list.SourceOf(arn)
		}
		delete(s.detailErr, arn)
		s.details[arn] = r
		if r.ARN != arn {
			s.details[r.ARN] = r
		}
		cmds = append(cmds, s.list.Upsert(r))
	}
	if s.chooseARN == arn {
		s.chooseARN = ""
		r, ok := s.details[arn]
		if !ok && roleMissing(msg.err) {
			// No such role: stay on Roles, drop a typed entry, say so.
			err, name := msg.err, roleNameFromARN(arn)
			cmds = append(cmds, s.dropTyped(arn), func() tea.Msg {
				return ErrorMsg{Context: tr.S("role %s does not exist", name), Err: err}
			})
			s.refreshDetail()
			return tea.Batch(cmds...)
		}
		if !ok {
			r = s.list.RoleByARN(arn)
			err := msg.err
			cmds = append(cmds, func() tea.Msg {
				return ErrorMsg{Context: tr.S("reading role %s (its policies are unknown; the preview shows ?)", r.Name), Err: err}
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

// dropTyped removes a typed role from the list and forgets why its details failed.
func (s *RolesScreen) dropTyped(arn string) tea.Cmd {
	cmd, dropped := s.list.DropTyped(arn)
	if dropped {
		delete(s.detailErr, arn)
	}
	return cmd
}

func (s *RolesScreen) choose(r model.Role) tea.Cmd {
	s.list.SetChosen(r.ARN)
	return tea.Batch(
		func() tea.Msg { return RoleSelectedMsg{Role: r} },
		func() tea.Msg { return SwitchScreenMsg{To: ScreenPolicy} },
	)
}

func (s *RolesScreen) selected() (model.Role, bool) { return s.list.Selected() }

func (s *RolesScreen) selectedARN() string { return s.list.SelectedARN() }

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
	if s.loadingARN == r.ARN || s.batch[r.ARN] {
		return nil // already asked
	}
	return s.fetchDetail(r.ARN)
}

// fetchDetail asks GetRole for a role's details (a newer request makes older answers stale).
func (s *RolesScreen) fetchDetail(arn string) tea.Cmd {
	s.detailReq++
	s.loadingARN = arn
	return tea.Batch(getRole(s.svc.Roles, s.detailReq, arn), s.spin.Tick)
}

// handleKey routes a key: to the ARN field or the filter while they have focus, else to the
// screen's, the detail pane's or the list's bindings.
func (s *RolesScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case s.list.Typing():
		if key.Matches(msg, s.list.keys.Accept) {
			return s.acceptARN()
		}
		return s.updateList(msg)
	case s.list.SettingFilter():
		return s.updateList(msg)
	}
	switch {
	case key.Matches(msg, s.list.keys.TypeARN):
		prefix := ""
		if s.svc.AccountID != "" {
			prefix = "acs:ram::" + s.svc.AccountID + ":role/"
		}
		return s.list.StartTyping(prefix)
	case key.Matches(msg, s.keys.Reload):
		s.details = map[string]model.Role{}
		s.detailErr = map[string]error{}
		return s.Init()
	case key.Matches(msg, s.keys.Choose):
		return s.chooseSelected()
	case key.Matches(msg, s.detail.keys.Back) && s.list.IsFiltered():
		// esc clears the filter before it backs out of the detail pane.
		return s.updateList(msg)
	case s.detail.Wants(msg):
		var cmd tea.Cmd
		s.detail, cmd = s.detail.Update(msg)
		return cmd
	}
	return s.updateList(msg)
}

// acceptARN takes the typed ARN: a typed entry in the list, chosen once GetRole answers.
func (s *RolesScreen) acceptARN() tea.Cmd {
	arn, tr := s.list.TypedARN(), s.st.tr()
	if s.svc.Pending() {
		return func() tea.Msg {
			return ErrorMsg{Context: tr.S("role ARN"), Err: errors.New(tr.S("still connecting: try again once the header shows SANDBOX or LIVE"))}
		}
	}
	if !roleARNPattern.MatchString(arn) {
		return func() tea.Msg {
			return ErrorMsg{Context: tr.S("role ARN"), Err: errors.New(tr.S("%q is not a role ARN: want acs:ram::<account id>:role/<role name>", arn))}
		}
	}
	s.list.FinishTyping()
	r := model.Role{Name: roleNameFromARN(arn), ARN: arn, Source: "typed"}
	upsert := s.list.Upsert(r)
	delete(s.detailErr, arn)
	s.detailReq++
	s.loadingARN = arn
	s.chooseARN = arn
	s.refreshDetail()
	return tea.Batch(upsert, getRole(s.svc.Roles, s.detailReq, arn), s.spin.Tick)
}

// chooseSelected uses the role under the cursor: at once when its details are known (or could
// not be read), else once they arrive.
func (s *RolesScreen) chooseSelected() tea.Cmd {
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
	if s.loadingARN == r.ARN || s.batch[r.ARN] {
		return nil // already asked: the answer chooses it
	}
	return s.fetchDetail(r.ARN)
}

// refreshDetail shows the role under the cursor in the detail pane, with what is known of it.
func (s *RolesScreen) refreshDetail() {
	r, ok := s.selected()
	if !ok {
		s.detail.Show(nil)
		return
	}
	d, have := s.details[r.ARN]
	if have {
		r = d
	}
	errText := ""
	if err := s.detailErr[r.ARN]; err != nil {
		errText = shortError(s.st.tr(), err)
	}
	ready := flow.Readiness(flow.ReadinessInput{Caller: s.caller, CallerPolicies: s.callerPols, CallerPoliciesWhy: s.callerPolsWhy,
		Role: r, RoleKnown: have, Bucket: s.bucket, Prefix: s.prefix, Region: s.svc.Region})
	s.detail.Show(&roleShown{role: r, have: have, errText: errText, chosen: s.list.Chosen(), loading: s.loadingARN == r.ARN || s.batch[r.ARN], ready: ready})
}

// View shows the list and the detail pane (side by side when wide, stacked when narrow).
func (s *RolesScreen) View() string {
	st, tr := s.st, s.st.tr()
	notice := ""
	switch {
	case s.svc.Pending() && len(s.list.Items()) == 0:
		notice = tr.S("Connecting… the roles load once the credentials are resolved.")
	case s.svc != nil && s.svc.Unavailable != nil:
		notice = st.Mark("deny", tr.S("Not connected (the status line says why).")) + "\n" + tr.S("q quits; stsdeck --sandbox runs against the embedded sandbox.")
	}
	s.list.SetNotice(notice)
	top := s.list.View()
	if _, ok := s.selected(); !ok {
		return top
	}
	det := s.detail.View()
	if s.width >= 100 {
		sep := strings.TrimRight(strings.Repeat("│\n", s.height), "\n")
		return lipgloss.JoinHorizontal(lipgloss.Top, padBlock(top, s.list.width), " ", st.Muted.Render(sep), " ", det)
	}
	return top + "\n" + st.Muted.Render(strings.Repeat("─", s.width)) + "\n" + det
}
