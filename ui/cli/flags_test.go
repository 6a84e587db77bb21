package cli

import (
	"testing"

	"github.com/stsdeck/stsdeck/model"
)

func TestDeniedDetailText(t *testing.T) {
	tests := []struct {
		name string
		d    model.AccessDeniedDetail
		want string
	}{
		{"trust, RAM user", model.AccessDeniedDetail{AuthAction: "sts:AssumeRole", NoPermissionType: "ImplicitDeny", PolicyType: "AssumeRolePolicy", AuthPrincipalType: "SubUser", AuthPrincipalDisplayName: "2001", AuthPrincipalOwnerID: "1234"},
			"sts:AssumeRole, implicitly denied (no statement allows it) by AssumeRolePolicy (the role's trust policy); principal: RAM user id 2001 in account 1234"},
		{"session, assumed role", model.AccessDeniedDetail{AuthAction: "oss:PutObject", NoPermissionType: "ExplicitDeny", PolicyType: "SessionPolicy", AuthPrincipalType: "AssumedRoleUser", AuthPrincipalDisplayName: "3001:pb"},
			"oss:PutObject, explicitly denied (a Deny statement matched) by SessionPolicy (the token's session policy); principal: assumed role (role id:session) 3001:pb"},
		{"unknown words kept", model.AccessDeniedDetail{AuthAction: "oss:GetObject", NoPermissionType: "Other", PolicyType: "NewPolicyKind"},
			"oss:GetObject, Other by NewPolicyKind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := deniedDetailText(nil, &tc.d); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
