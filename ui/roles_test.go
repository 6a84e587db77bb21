package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
)

// rolesOnly drives the Roles screen inside the app (so cross-screen messages flow).
func rolesOnly(t *testing.T, roles *cRolesFake, audit []model.AuditRecord) (*consoleDriver, *RolesScreen) {
	t.Helper()
	svc := cDemoServices(roles)
	svc.Audit = &cAuditFake{recs: audit}
	d := newTestApp(t, svc)
	return d, d.app().Screen(ScreenRoles).(*RolesScreen)
}

func TestRolesLoadingState(t *testing.T) {
	t.Parallel()
	s := NewRolesScreen(cDemoServices(cDemoRoles()), NewStyles(true), cClock)
	s.SetSize(80, 20)
	s.Init()
	if !s.Loading() || !strings.Contains(cPlain(s.View()), "Loading roles…") {
		t.Fatalf("no loading state:\n%s", s.View())
	}
}

func TestRolesListAndDetail(t *testing.T) {
	t.Parallel()
	d, s := rolesOnly(t, cDemoRoles(), nil)
	v := d.view()
	// Assumable first: RamOssTest (trusted by the account) is preselected, EcsRunner (trusted by
	// ECS only) is listed after it and marked refused.
	for _, want := range []string{"Roles · 2", "> ", "EcsRunner", "✗ refused", "RamOssTest"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Index(v, "RamOssTest") > strings.Index(v, "EcsRunner") {
		t.Errorf("the assumable role is not first:\n%s", v)
	}
	for _, want := range []string{"acs:ram::1234567890123456:role/ramosstest", "any RAM identity of account 1234567890123456",
		"RamTestPolicy (custom)", "Max session   1h (3600 s)", "p shows the policy documents"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, `"Statement": [`) {
		t.Error("policy document shown before expanding")
	}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 21}) // short: the documents need scrolling
	d.keys("p")
	if v := d.view(); !strings.Contains(v, `"Statement": [`) || strings.Contains(v, `"oss:PutObject"`) {
		t.Errorf("p did not expand the documents (the action is further down):\n%s", v)
	}
	d.keys("J") // scroll the detail pane
	if v := d.view(); !strings.Contains(v, `"oss:PutObject"`) {
		t.Errorf("J did not scroll the documents:\n%s", v)
	}
	d.keys("esc")
	if strings.Contains(d.view(), `"Statement": [`) {
		t.Error("esc did not collapse the documents")
	}
	// esc also scrolls the pane back: name and ARN show again.
	d.keys("J", "J")
	d.keys("esc")
	if v := d.view(); s.detail.vp.YOffset != 0 || !strings.Contains(v, "ARN           acs:ram::1234567890123456:role/ramosstest") {
		t.Errorf("esc left the detail pane scrolled (offset %d):\n%s", s.detail.vp.YOffset, v)
	}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.keys("down")
	v = d.view()
	for _, want := range []string{"the ECS service", "Max session   12h (43200 s)"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestRolesDetailsLoadedOncePerRole(t *testing.T) {
	t.Parallel()
	roles := cDemoRoles()
	d, _ := rolesOnly(t, roles, nil)
	d.keys("down", "up", "down", "up")
	calls := roles.getCalls()
	if len(calls) != 2 {
		t.Fatalf("GetRole calls = %v, want one per role", calls)
	}
}

func TestRolesStaleDetailDropped(t *testing.T) {
	t.Parallel()
	s := NewRolesScreen(cDemoServices(cDemoRoles()), NewStyles(true), cClock)
	s.SetSize(80, 20)
	s.Init()
	s.Update(rolesLoadedMsg{req: s.listReq, roles: cDemoRoles().roles})
	old := s.detailReq
	s.detailReq++ // the cursor moved on
	_, cmd := s.Update(roleDetailMsg{req: old, key: "acs:ram::1234567890123456:role/ecsrunner",
		role: model.Role{Name: "EcsRunner", ARN: "acs:ram::1234567890123456:role/ecsrunner", Description: "STALE"}})
	if cmd != nil {
		t.Error("a stale answer produced a command")
	}
	if strings.Contains(s.View(), "STALE") {
		t.Error("a stale answer was shown")
	}
	// A stale listing is dropped too.
	s.Update(rolesLoadedMsg{req: s.listReq - 1, roles: nil})
	if len(s.list.Items()) != 2 {
		t.Error("a stale listing replaced the roles")
	}
}

func TestRolesChooseEmitsRoleSelectedAndSwitches(t *testing.T) {
	t.Parallel()
	d, s := rolesOnly(t, cDemoRoles(), nil)
	d.keys("enter") // RamOssTest: assumable, preselected
	var sel *RoleSelectedMsg
	for _, m := range d.msgs {
		if r, ok := m.(RoleSelectedMsg); ok {
			sel = &r
		}
	}
	if sel == nil {
		t.Fatal("no RoleSelectedMsg")
	}
	if sel.Role.Name != "RamOssTest" || len(sel.Role.Policies) != 1 || sel.Role.Policies[0].Document == "" {
		t.Errorf("selected role lacks its details: %+v", sel.Role)
	}
	if d.app().Active() != ScreenPolicy {
		t.Error("choosing a role did not open the Policy screen")
	}
	if s.Chosen() != sel.Role.ARN {
		t.Error("the Roles screen does not mark the chosen role")
	}
	d.keys("alt+1")
	if v := d.view(); !strings.Contains(v, "✓ RamOssTest") || !strings.Contains(v, "✓ in use") {
		t.Errorf("chosen role not marked:\n%s", v)
	}
}

func TestRolesFilter(t *testing.T) {
	t.Parallel()
	d, s := rolesOnly(t, cDemoRoles(), nil)
	d.keys("/")
	if !s.InputFocused() {
		t.Fatal("filtering should count as a focused field")
	}
	d.typeText("ramo")
	d.keys("enter")
	v := d.view()
	if strings.Contains(v, "EcsRunner") || !strings.Contains(v, "RamOssTest") {
		t.Errorf("filter ramo:\n%s", v)
	}
	if d.quit {
		t.Fatal("typing q-less filter quit")
	}
	d.keys("esc") // clears the filter, does not quit (bubbles list binds esc to quit by default)
	if d.quit {
		t.Fatal("esc quit from the list")
	}
	if v := d.view(); !strings.Contains(v, "EcsRunner") {
		t.Errorf("esc did not clear the filter:\n%s", v)
	}
}

func TestRolesListDenied(t *testing.T) {
	t.Parallel()
	denied := &model.APIError{Service: "ram", Operation: "ListRoles", StatusCode: 403, Code: "NoPermission",
		Message: "You are not authorized to do this action. Resource: acs:ram:*:1234567890123456:role/* Action: ram:ListRoles"}
	tests := []struct {
		name   string
		audit  []model.AuditRecord
		want   []string
		listed bool
	}{
		{"nothing known", nil, []string{"✗ RAM refused to list the roles.", "Press a to type a role ARN", "NoPermission"}, false},
		{"recent roles from the audit log", []model.AuditRecord{
			{RoleARN: "acs:ram::1234567890123456:role/ramosstest", Time: cNow.Add(-time.Hour)},
			{RoleARN: "acs:ram::1234567890123456:role/ramosstest", Time: cNow.Add(-time.Minute)},
		}, []string{"! RAM refused the listing", "RamOssTest (recent)", "NoPermission"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			roles := cDemoRoles()
			roles.listErr = denied
			d, s := rolesOnly(t, roles, tt.audit)
			v := d.view()
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("view lacks %q:\n%s", w, v)
				}
			}
			if got := len(s.list.Items()) > 0; got != tt.listed {
				t.Errorf("listed = %v", got)
			}
		})
	}
}

func TestRolesTypeARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		getErr   error
		arn      string
		wantErr  string
		wantRole string
		unknown  bool // policies could not be read
	}{
		{"valid and readable", nil, "acs:ram::1234567890123456:role/ramosstest", "", "RamOssTest", false},
		{"valid but GetRole denied", &model.APIError{Service: "ram", Operation: "GetRole", StatusCode: 403, Code: "NoPermission", Message: "denied"},
			"acs:ram::1234567890123456:role/partner", "NoPermission", "partner", true},
		{"not an ARN", nil, "arn:aws:iam::1:role/x", "is not a role ARN", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			roles := cDemoRoles()
			roles.listErr = &model.APIError{Service: "ram", StatusCode: 403, Code: "NoPermission", Message: "denied"}
			roles.getErr = tt.getErr
			d, s := rolesOnly(t, roles, nil)
			d.keys("a")
			// The field starts with the account's ARN prefix; replace it.
			d.keys("ctrl+u")
			d.typeText(tt.arn)
			d.keys("enter")
			v := d.view()
			if tt.wantErr != "" && !strings.Contains(v, tt.wantErr) {
				t.Errorf("view lacks %q:\n%s", tt.wantErr, v)
			}
			var sel *RoleSelectedMsg
			for _, m := range d.msgs {
				if r, ok := m.(RoleSelectedMsg); ok {
					sel = &r
				}
			}
			if tt.wantRole == "" {
				if sel != nil {
					t.Fatalf("a bad ARN selected %+v", sel.Role)
				}
				if !s.InputFocused() {
					t.Error("a bad ARN closed the field")
				}
				return
			}
			if sel == nil || sel.Role.Name != tt.wantRole || sel.Role.ARN != tt.arn {
				t.Fatalf("selected %+v, want %s", sel, tt.wantRole)
			}
			if (sel.Role.Policies == nil) != tt.unknown {
				t.Errorf("policies = %v, unknown want %v", sel.Role.Policies, tt.unknown)
			}
		})
	}
}

func TestRolesEmpty(t *testing.T) {
	t.Parallel()
	d, _ := rolesOnly(t, &cRolesFake{}, nil)
	if v := d.view(); !strings.Contains(v, "No roles in this account.") {
		t.Errorf("no empty state:\n%s", v)
	}
}

func TestRolesLayout(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		d, _ := rolesOnly(t, cDemoRoles(), nil)
		d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		v := d.view()
		lines := strings.Split(v, "\n")
		wide := size[0] >= 100
		sideBySide := strings.Contains(lines[3], "│")
		if wide != sideBySide {
			t.Errorf("%dx%d: side by side = %v:\n%s", size[0], size[1], sideBySide, v)
		}
		// Both panes' essentials are visible.
		for _, want := range []string{"EcsRunner", "RamOssTest", "ARN", "Trusted", "Policies"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d lacks %q", size[0], size[1], want)
			}
		}
	}
}

// Typing a filter fast shows the matches of the whole query at once (the list's own filtering
// runs asynchronously per keystroke, and an older answer could arrive last).
func TestRolesFilterIsCurrent(t *testing.T) {
	t.Parallel()
	s := NewRolesScreen(cDemoServices(benchRoles(30)), NewStyles(true), cClock)
	s.SetSize(80, 20)
	s.Init()
	s.Update(rolesLoadedMsg{req: s.listReq, roles: benchRoles(30).roles})
	s.Update(cKey("/"))
	var pending []tea.Cmd
	for _, r := range "RamOss" {
		_, cmd := s.Update(cKey(string(r)))
		pending = append(pending, cmd)
	}
	// Whatever the commands answer, in whatever order, no filter result may come of them.
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		if c == nil {
			continue
		}
		switch m := c().(type) {
		case tea.BatchMsg:
			pending = append(pending, m...)
		case list.FilterMatchesMsg:
			t.Fatal("typing left an asynchronous filter command")
		}
	}
	if got := len(s.list.VisibleItems()); got != 1 {
		t.Fatalf("%d roles match RamOss, want 1", got)
	}
	s.Update(cKey("enter"))
	if r, _ := s.selected(); r.Name != "RamOssTest" {
		t.Fatalf("selected %q", r.Name)
	}
}

func TestRolesDetailError(t *testing.T) {
	t.Parallel()
	roles := cDemoRoles()
	roles.getErr = &model.APIError{Service: "ram", Operation: "GetRole", StatusCode: 403, Code: "NoPermission", Message: "You are not authorized to do this action."}
	d, _ := rolesOnly(t, roles, nil)
	v := d.view()
	for _, want := range []string{"! details unavailable: RAM GetRole refused: NoPermission", "✗ reading role ecsrunner: RAM GetRole: 403 NoPermission"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	// Choosing the role anyway goes on with what the listing said (policies unknown).
	d.keys("enter")
	if d.app().Active() != ScreenPolicy {
		t.Fatal("a role whose details failed cannot be chosen")
	}
}

func TestRolesReload(t *testing.T) {
	t.Parallel()
	roles := cDemoRoles()
	s := NewRolesScreen(cDemoServices(roles), NewStyles(true), cClock)
	s.SetSize(80, 20)
	s.Update(s.Init()().(tea.BatchMsg)[0]())
	if !strings.Contains(cPlain(s.View()), "Roles · 2") {
		t.Fatalf("not loaded:\n%s", s.View())
	}
	roles.roles = append(roles.roles, model.Role{Name: "Added", ARN: "acs:ram::" + cAccount + ":role/added"})
	_, cmd := s.Update(cKey("r"))
	if v := cPlain(s.View()); !strings.Contains(v, "reloading") || !strings.Contains(v, "EcsRunner") {
		t.Errorf("reload hides the list or does not say it reloads:\n%s", v)
	}
	s.Update(cmd().(tea.BatchMsg)[0]())
	if v := cPlain(s.View()); !strings.Contains(v, "Roles · 3") || !strings.Contains(v, "Added") {
		t.Errorf("reload did not show the new role:\n%s", v)
	}
}

// sixRoles is the sandbox seed's count of roles: enough to need all of the list's rows at 80×24.
func sixRoles() *cRolesFake {
	f := cDemoRoles()
	for _, n := range []string{"OssNoDelete", "OssReadOnly", "OssReadWrite", "PartnerWithExternalId"} {
		f.roles = append(f.roles, model.Role{Name: n, ARN: "acs:ram::" + cAccount + ":role/" + strings.ToLower(n), MaxSessionDuration: time.Hour})
	}
	return f
}

func TestRolesListKeepsItsRows(t *testing.T) {
	t.Parallel()
	all := func(t *testing.T, d *consoleDriver, when string) {
		t.Helper()
		v := d.view()
		for _, n := range []string{"EcsRunner", "OssNoDelete", "OssReadOnly", "OssReadWrite", "PartnerWithExternalId", "RamOssTest"} {
			if !strings.Contains(v, n) {
				t.Errorf("%s: role %s not shown:\n%s", when, n, v)
			}
		}
		if strings.Contains(v, "page 1/") {
			t.Errorf("%s: the list pages at 80×24:\n%s", when, v)
		}
	}
	t.Run("help toggled twice", func(t *testing.T) {
		d, _ := rolesOnly(t, sixRoles(), nil)
		all(t, d, "before ?")
		d.keys("?", "?")
		all(t, d, "after ? ?")
	})
	t.Run("bad typed ARN", func(t *testing.T) {
		d, _ := rolesOnly(t, sixRoles(), nil)
		d.keys("a", "ctrl+u")
		d.typeText("acs:ram::1:role/")
		d.keys("enter")
		if v := d.view(); !strings.Contains(v, "is not a role ARN") {
			t.Fatalf("no error:\n%s", v)
		}
		all(t, d, "after a bad ARN")
	})
}

func TestRolesTypedRoleThatDoesNotExist(t *testing.T) {
	t.Parallel()
	d, s := rolesOnly(t, sixRoles(), nil)
	d.keys("a")
	d.typeText("foo") // after the prefilled acs:ram::<account>:role/
	d.keys("enter")
	if a := d.app().Active(); a != ScreenRoles {
		t.Fatalf("a role that does not exist was chosen: on screen %d", a)
	}
	v := d.view()
	if !strings.Contains(v, "role foo does not exist") || !strings.Contains(v, "EntityNotExist.Role") {
		t.Errorf("no error for the missing role:\n%s", v)
	}
	if s.Chosen() != "" {
		t.Errorf("chosen = %q", s.Chosen())
	}
	for _, it := range s.list.Items() {
		if it.(roleItem).role.Name == "foo" {
			t.Error("the missing role stays in the list")
		}
	}
}

// A role's details arriving just after a filter was accepted must not leave the filtered list
// empty until the list's asynchronous filter answers: an enter pressed then chooses the role.
func TestRolesChooseRightAfterDetailsUnderFilter(t *testing.T) {
	t.Parallel()
	roles := sixRoles()
	d, s := rolesOnly(t, roles, nil)
	d.keys("/")
	d.typeText("RamOss")
	d.keys("enter")
	if !s.list.IsFiltered() {
		t.Fatalf("filter not applied:\n%s", d.view())
	}
	// The details answer is delivered, but its commands (the list's own re-filter) not yet.
	ram := roles.roles[0]
	s.Update(roleDetailMsg{req: s.detailReq, key: ram.ARN, role: ram})
	if _, ok := s.selected(); !ok {
		t.Fatal("no role under the cursor right after the details arrived")
	}
	d.keys("enter")
	if a := d.app().Active(); a != ScreenPolicy {
		t.Fatalf("enter did not choose RamOssTest (screen %d):\n%s", a, d.view())
	}
}
