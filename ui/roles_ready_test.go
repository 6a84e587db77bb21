package ui

import (
	"context"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/flow"
	"github.com/stsdeck/stsdeck/ui/i18n"
)

// Issue 12 item 12: the Roles screen's readiness checklist (guide steps 1.1–1.4), driven by keys
// against fakes.

type cUserPolsFake struct {
	mu    sync.Mutex
	pols  map[string][]model.AttachedPolicy
	err   error
	calls []string
}

func (f *cUserPolsFake) UserPolicies(_ context.Context, user string) ([]model.AttachedPolicy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, user)
	if f.err != nil {
		return nil, f.err
	}
	return f.pols[user], nil
}

const cAssumeAccess = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

func cIssuerPolicies() *cUserPolsFake {
	return &cUserPolsFake{pols: map[string][]model.AttachedPolicy{
		"sts-issuer":  {{Name: "AliyunSTSAssumeRoleAccess", Type: "System", Document: cAssumeAccess}},
		"no-sts-user": {},
	}}
}

// readyApp is the console on the Roles screen with the demo roles, a caller and its policies.
func readyApp(t *testing.T, caller model.Caller, pols *cUserPolsFake) *consoleDriver {
	t.Helper()
	svc := cDemoServices(cDemoRoles())
	svc.Identity = cIdentityFake{caller: caller}
	if pols != nil {
		svc.UserPolicies = pols
	}
	d := newTestApp(t, svc)
	d.send(tea.WindowSizeMsg{Width: 200, Height: 60})
	return d
}

func cUser(name string) model.Caller {
	return model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":user/" + name, IdentityType: "RAMUser"}
}

// wantLines checks the view for each text, also across the detail pane's wrapped lines.
func wantLines(t *testing.T, v string, want ...string) {
	t.Helper()
	var pane []string
	for _, l := range strings.Split(v, "\n") {
		if _, right, ok := strings.Cut(l, "│ "); ok {
			l = right
		}
		pane = append(pane, strings.TrimSpace(l))
	}
	flat := strings.Join(pane, " ")
	for _, w := range want {
		if !strings.Contains(v, w) && !strings.Contains(flat, w) {
			t.Errorf("view lacks %q:\n%s", w, v)
		}
	}
}

func TestRolesReadinessChecklist(t *testing.T) {
	t.Parallel()
	pols := cIssuerPolicies()
	d := readyApp(t, cUser("sts-issuer"), pols)
	v := d.view()
	// RamOssTest (preselected): every step passes; the sandbox's bucket is the scope.
	wantLines(t, v, "Ready?        ✓ 4 of 4 steps pass (guide 1.1–1.4)",
		"✓ 1.1 RAM user     you act as RAM user sts-issuer",
		"✓ 1.2 may assume   AliyunSTSAssumeRoleAccess allows sts:AssumeRole on this role",
		"✓ 1.3 trust        trusts user/sts-issuer",
		"✓ 1.4 role policy  allows put in examplebucket/, not get, head, list, delete")
	if strings.Contains(v, "fix:") {
		t.Errorf("a passing checklist shows a fix:\n%s", v)
	}
	if got := pols.calls; len(got) != 1 || got[0] != "sts-issuer" {
		t.Errorf("UserPolicies calls %v, want one for sts-issuer", got)
	}
	// EcsRunner: trusted by ECS only — step 1.3 fails with the fix in words.
	d.keys("down")
	v = d.view()
	wantLines(t, v, "! 2 of 4 steps pass: ✗ 1.3 trust, ? 1.4 role policy (fixes below)", "✗ 1.3 trust        does not trust user/sts-issuer: AssumeRole would be refused",
		`fix: edit role EcsRunner's trust policy (RAM console → Roles → EcsRunner → Trust Policy)`,
		"? 1.4 role policy  cannot tell for put, get, head, list, delete in examplebucket/ (unreadable:", "fix: p shows the role's policies")
	// The trust summary's "You" line is not repeated beside the checklist.
	if strings.Contains(v, "You     ") {
		t.Errorf("the trust verdict is shown twice:\n%s", v)
	}
	// The Policy screen's scope moves step 1.4: a prefix, then another bucket.
	d.keys("up")
	d.send(PolicyChangedMsg{Bucket: "examplebucket", Prefix: "src/", Valid: true})
	wantLines(t, d.view(), "✓ 1.4 role policy  allows put in examplebucket/src/, not get")
	d.send(PolicyChangedMsg{Bucket: "otherbucket", Valid: true})
	wantLines(t, d.view(), "✗ 1.4 role policy  allows none of put, get, head, list, delete in otherbucket/",
		"fix: attach a policy to role RamOssTest allowing what the partner needs, e.g. oss:PutObject on acs:oss:*:*:otherbucket/*")
}

func TestRolesReadinessCallers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		caller model.Caller
		pols   *cUserPolsFake
		want   []string
	}{
		{"the root key", model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":root", IdentityType: "Account"}, cIssuerPolicies(),
			[]string{"✗ 1.1 RAM user     you act as the account's root key: STS refuses AssumeRole from a root account",
				"fix: create a RAM user with an AccessKey", "✗ 1.2 may assume   a root account cannot assume roles"}},
		{"no AssumeRole permission", cUser("no-sts-user"), cIssuerPolicies(),
			[]string{"✗ 1.2 may assume   none of the policies attached to user no-sts-user allows sts:AssumeRole",
				"fix: attach AliyunSTSAssumeRoleAccess to user no-sts-user (RAM console → Users → no-sts-user → Add"}},
		{"policies not readable", cUser("sts-only"), &cUserPolsFake{err: &model.APIError{Service: "ram", Operation: "ListPoliciesForUser", StatusCode: 403, Code: "NoPermission", Message: "denied"}},
			[]string{"? 1.2 may assume   cannot tell: the policies of user sts-only could not be read (RAM ListPoliciesForUser refused: NoPermission)",
				"fix: let the user read its own policies (ram:ListPoliciesForUser, ram:GetPolicy)"}},
		{"no port wired", cUser("sts-issuer"), nil,
			[]string{"? 1.2 may assume   cannot tell: the policies of user sts-issuer could not be read (this connection does not read RAM users' policies)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := readyApp(t, tt.caller, tt.pols)
			wantLines(t, d.view(), tt.want...)
		})
	}
}

// Every text the checklist shows has Chinese (a domain pattern of its own, not a broader one),
// and the Chinese screen shows it.
func TestRolesReadinessChinese(t *testing.T) {
	t.Parallel()
	root := model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":root", IdentityType: "Account"}
	session := model.Caller{AccountID: cAccount, ARN: "acs:ram::" + cAccount + ":assumed-role/PartnerGateway/s", IdentityType: "AssumedRoleUser"}
	ext := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234567890123456:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}`
	deny := `{"Version":"1","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	roles := cDemoRoles().roles
	withExt := roles[0]
	withExt.TrustPolicy = ext
	denied := roles[0]
	denied.Policies = append(denied.Policies, model.AttachedPolicy{Name: "DenyAll", Document: deny})
	hidden := roles[1]
	unreadRole := roles[0]
	unreadRole.Policies = nil
	var inputs []flow.ReadinessInput
	for _, c := range []*model.Caller{nil, &root, &session, {ARN: "acs:ram::1:odd"}} {
		inputs = append(inputs, flow.ReadinessInput{Caller: c, Role: roles[0], RoleKnown: true, Bucket: "b"})
	}
	u := cUser("u")
	ok := []model.AttachedPolicy{{Name: "AliyunSTSAssumeRoleAccess", Document: cAssumeAccess}}
	inputs = append(inputs,
		flow.ReadinessInput{Caller: &u, Role: roles[0]},
		flow.ReadinessInput{Caller: &u, CallerPoliciesWhy: "this connection does not read RAM users' policies", Role: roles[0], RoleKnown: true, Bucket: "b", Prefix: "src/"},
		flow.ReadinessInput{Caller: &u, CallerPolicies: []model.AttachedPolicy{}, Role: roles[1], RoleKnown: true, Bucket: "examplebucket"},
		flow.ReadinessInput{Caller: &u, CallerPolicies: []model.AttachedPolicy{{Name: "Hidden"}}, Role: hidden, RoleKnown: true, Bucket: "examplebucket"},
		flow.ReadinessInput{Caller: &u, CallerPolicies: append(ok, model.AttachedPolicy{Name: "DenyAll", Document: deny}), Role: denied, RoleKnown: true, Bucket: "examplebucket"},
		flow.ReadinessInput{Caller: &u, CallerPolicies: ok, Role: withExt, RoleKnown: true, Bucket: "examplebucket"},
		flow.ReadinessInput{Caller: &u, CallerPolicies: ok, Role: unreadRole, RoleKnown: true, Bucket: "examplebucket"},
		flow.ReadinessInput{Caller: &u, CallerPolicies: ok, Role: model.Role{Name: "R", ARN: "acs:ram::1:role/r"}, RoleKnown: true},
	)
	tr := i18n.New(i18n.ZH)
	seen := map[string]bool{}
	for _, in := range inputs {
		for _, c := range flow.Readiness(in) {
			for _, text := range []string{c.Text, c.Fix} {
				if text == "" || seen[text] {
					continue
				}
				seen[text] = true
				id, known := i18n.DomainKnown(text)
				if !known || !strings.HasPrefix(id, "ready.") {
					t.Errorf("%s %q: no readiness pattern (matched %q)", c.Step, text, id)
				}
				if zh := tr.Domain(text); zh == text {
					t.Errorf("%q has no Chinese", text)
				}
			}
		}
	}
	if len(seen) < 25 {
		t.Errorf("only %d texts checked", len(seen))
	}
	d := readyApp(t, cUser("sts-issuer"), cIssuerPolicies())
	d.keys("L")
	wantLines(t, d.view(), "就绪？", "4/4 步通过", "你正以 RAM 用户 sts-issuer 的身份操作", "AliyunSTSAssumeRoleAccess 允许对该角色调用 sts:AssumeRole", "信任 user/sts-issuer")
}
