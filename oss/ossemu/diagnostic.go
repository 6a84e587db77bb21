package ossemu

import "github.com/stsdeck/stsdeck/model"

// diagnosticPrincipal is who was denied in the decoded message's terms (RAM's
// DecodeDiagnosticMessage): a role session as RoleName:RoleSessionName, a RAM user by its id.
func diagnosticPrincipal(cred *model.SandboxCredential) model.DiagnosticPrincipal {
	if cred == nil {
		return model.DiagnosticPrincipal{AuthPrincipalType: "Anonymous"}
	}
	p := model.DiagnosticPrincipal{AuthPrincipalOwnerID: cred.Principal.AccountID}
	switch cred.Principal.Type {
	case "role":
		p.AuthPrincipalType = "AssumedRoleUser"
		p.AuthPrincipalDisplayName = cred.Principal.Name + ":" + cred.Principal.SessionName
	case "user":
		p.AuthPrincipalType = "SubUser"
		p.AuthPrincipalDisplayName = cred.Principal.ID
	case "root":
		p.AuthPrincipalType = "Account"
		p.AuthPrincipalDisplayName = cred.Principal.AccountID
	default:
		p.AuthPrincipalType = cred.Principal.Type
	}
	return p
}
