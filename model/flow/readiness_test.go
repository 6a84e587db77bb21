package flow

import (
	"strings"
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

const (
	rdAcct        = "1234567890123456"
	rdAssumeAll   = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	rdAssumeOther = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"acs:ram:*:1234567890123456:role/partnerupload"}]}`
	rdDenyAssume  = `{"Version":"1","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`
	rdTrustAcct   = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}]}`
	rdTrustECS    = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}`
	rdTrustExtID  = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234567890123456:root"]},"Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}`
	rdPut         = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:PutObject","Resource":"acs:oss:*:*:examplebucket/*"}]}`
	rdAll         = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:examplebucket","acs:oss:*:*:examplebucket/*"]}]}`
	rdDenyAll     = `{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Resource":"*"}]}`
)

func rdUser(name string) *model.Caller {
	return &model.Caller{AccountID: rdAcct, ARN: "acs:ram::" + rdAcct + ":user/" + name, IdentityType: "RAMUser"}
}

func rdRole(name, trust string, docs ...string) model.Role {
	r := model.Role{Name: name, ARN: "acs:ram::" + rdAcct + ":role/" + strings.ToLower(name), TrustPolicy: trust, Policies: []model.AttachedPolicy{}}
	for i, d := range docs {
		r.Policies = append(r.Policies, model.AttachedPolicy{Name: name + "Policy" + string(rune('A'+i)), Type: "Custom", Document: d})
	}
	return r
}

func rdIssuer() []model.AttachedPolicy {
	return []model.AttachedPolicy{{Name: "AliyunSTSAssumeRoleAccess", Type: "System", Document: rdAssumeAll}}
}

func TestReadiness(t *testing.T) {
	root := &model.Caller{AccountID: rdAcct, ARN: "acs:ram::" + rdAcct + ":root", IdentityType: "Account"}
	session := &model.Caller{AccountID: rdAcct, ARN: "acs:ram::" + rdAcct + ":assumed-role/PartnerGateway/s1", IdentityType: "AssumedRoleUser"}
	ramOss := rdRole("RamOssTest", rdTrustAcct, rdPut)
	cases := []struct {
		name  string
		in    ReadinessInput
		kinds string   // 1.1 1.2 1.3 1.4
		text  []string // each in the matching check's Text (in step order; "" skips)
		fix   []string // each in the matching check's Fix
	}{
		{"the classic scenario: all pass", ReadinessInput{Caller: rdUser("sts-issuer"), CallerPolicies: rdIssuer(), Role: ramOss, RoleKnown: true, Bucket: "examplebucket", Prefix: "src/"},
			"ok ok ok ok", []string{"RAM user sts-issuer", "AliyunSTSAssumeRoleAccess allows sts:AssumeRole", "trusts user/sts-issuer", "allows put in examplebucket/src/, not get, head, list, delete"}, nil},
		{"everything allowed", ReadinessInput{Caller: rdUser("u"), CallerPolicies: rdIssuer(), Role: rdRole("RW", rdTrustAcct, rdAll), RoleKnown: true, Bucket: "examplebucket"},
			"ok ok ok ok", []string{"", "", "", "allows put, get, head, list, delete in examplebucket/"}, nil},
		{"a role trusted only by ECS", ReadinessInput{Caller: rdUser("sts-issuer"), CallerPolicies: rdIssuer(), Role: rdRole("EcsOnly", rdTrustECS, rdPut), RoleKnown: true, Bucket: "examplebucket"},
			"ok ok deny ok", []string{"", "", "does not trust user/sts-issuer"}, []string{"", "", `"acs:ram::1234567890123456:root"`}},
		{"the root key", ReadinessInput{Caller: root, Role: ramOss, RoleKnown: true, Bucket: "examplebucket"},
			"deny deny deny ok", []string{"root key", "root account cannot assume roles", "root key"}, []string{"create a RAM user", "create a RAM user", "create a RAM user"}},
		{"a user without policies", ReadinessInput{Caller: rdUser("no-sts-user"), CallerPolicies: []model.AttachedPolicy{}, Role: ramOss, RoleKnown: true, Bucket: "examplebucket"},
			"ok deny ok ok", []string{"", "none of the policies attached to user no-sts-user"}, []string{"", "attach AliyunSTSAssumeRoleAccess to user no-sts-user"}},
		{"a policy for another role", ReadinessInput{Caller: rdUser("u"), CallerPolicies: []model.AttachedPolicy{{Name: "P", Document: rdAssumeOther}}, Role: ramOss, RoleKnown: true, Bucket: "b"},
			"ok deny ok deny", []string{"", "", "", "allows none of put, get, head, list, delete in b/"}, []string{"", "sts:AssumeRole on acs:ram::1234567890123456:role/ramosstest", "", "oss:PutObject on acs:oss:*:*:b/*"}},
		{"an explicit deny", ReadinessInput{Caller: rdUser("u"), CallerPolicies: append(rdIssuer(), model.AttachedPolicy{Name: "NoAssume", Document: rdDenyAssume}), Role: rdRole("R", rdTrustAcct, rdAll, rdDenyAll), RoleKnown: true, Bucket: "examplebucket"},
			"ok deny ok deny", []string{"", "NoAssume denies", "", "(RPolicyB denies)"}, []string{"", "NoAssume", "", "remove or narrow the Deny in RPolicyB"}},
		{"the caller's policies unreadable", ReadinessInput{Caller: rdUser("u"), CallerPoliciesWhy: "RAM ListPoliciesForUser refused: NoPermission", Role: ramOss, RoleKnown: true, Bucket: "examplebucket"},
			"ok unknown ok ok", []string{"", "could not be read (RAM ListPoliciesForUser refused: NoPermission)"}, []string{"", "ram:ListPoliciesForUser"}},
		{"a document unreadable", ReadinessInput{Caller: rdUser("u"), CallerPolicies: []model.AttachedPolicy{{Name: "Hidden"}}, Role: ramOss, RoleKnown: true, Bucket: "examplebucket"},
			"ok unknown ok ok", []string{"", "unreadable: Hidden"}, nil},
		{"still reading", ReadinessInput{Caller: rdUser("u"), Role: model.Role{Name: "X", ARN: "acs:ram::" + rdAcct + ":role/x"}},
			"ok unknown unknown unknown", []string{"", "reading the policies", "not loaded yet", "no bucket chosen"}, nil},
		{"caller unknown", ReadinessInput{Role: ramOss, RoleKnown: true, Bucket: "examplebucket"},
			"unknown unknown unknown ok", []string{"not known yet", "not known yet", "not known yet"}, nil},
		{"a role session", ReadinessInput{Caller: session, Role: rdRole("PartnerUpload", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::1234567890123456:role/PartnerGateway"]}}]}`, rdAll), RoleKnown: true, Bucket: "examplebucket"},
			"ok unknown ok ok", []string{"session of role PartnerGateway", "not read here"}, nil},
		{"an external id", ReadinessInput{Caller: rdUser("u"), CallerPolicies: rdIssuer(), Role: rdRole("P", rdTrustExtID, rdAll), RoleKnown: true, Bucket: "examplebucket"},
			"ok ok warn ok", []string{"", "", "external id"}, []string{"", "", "Issue form"}},
		{"role policies unreadable", ReadinessInput{Caller: rdUser("u"), CallerPolicies: rdIssuer(), Role: model.Role{Name: "R", ARN: "acs:ram::" + rdAcct + ":role/r", TrustPolicy: rdTrustAcct}, RoleKnown: true, Bucket: "examplebucket"},
			"ok ok ok unknown", []string{"", "", "", "could not be read"}, nil},
		{"a role document unreadable", ReadinessInput{Caller: rdUser("u"), CallerPolicies: rdIssuer(), Role: model.Role{Name: "R", ARN: "acs:ram::" + rdAcct + ":role/r", TrustPolicy: rdTrustAcct, Policies: []model.AttachedPolicy{{Name: "Sys"}}}, RoleKnown: true, Bucket: "examplebucket"},
			"ok ok ok unknown", []string{"", "", "", "cannot tell for put, get, head, list, delete in examplebucket/ (unreadable: Sys)"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs := Readiness(tc.in)
			var kinds []string
			for i, c := range cs {
				kinds = append(kinds, c.Kind)
				if want := []string{StepRAMUser, StepAssumeRole, StepTrust, StepRolePolicy}[i]; c.Step != want {
					t.Errorf("check %d is step %s, want %s", i, c.Step, want)
				}
				if c.Kind == "ok" && c.Fix != "" {
					t.Errorf("%s passes but has a fix %q", c.Step, c.Fix)
				}
				if c.Kind != "ok" && c.Fix == "" {
					t.Errorf("%s (%s) has no fix: %q", c.Step, c.Kind, c.Text)
				}
				if i < len(tc.text) && !strings.Contains(c.Text, tc.text[i]) {
					t.Errorf("%s text %q lacks %q", c.Step, c.Text, tc.text[i])
				}
				if i < len(tc.fix) && !strings.Contains(c.Fix, tc.fix[i]) {
					t.Errorf("%s fix %q lacks %q", c.Step, c.Fix, tc.fix[i])
				}
			}
			if got := strings.Join(kinds, " "); got != tc.kinds {
				t.Errorf("kinds %q, want %q: %+v", got, tc.kinds, cs)
			}
		})
	}
}

func TestReadinessSummary(t *testing.T) {
	cs := Readiness(ReadinessInput{Caller: rdUser("sts-issuer"), CallerPolicies: rdIssuer(), Role: rdRole("EcsOnly", rdTrustECS, rdPut), RoleKnown: true, Bucket: "examplebucket"})
	if ok, n := ReadinessSummary(cs); ok != 3 || n != 4 {
		t.Errorf("summary %d/%d, want 3/4", ok, n)
	}
}
