package model

import "sort"

// DiagnosticMessage is the content of an EncodedDiagnosticMessage, as RAM's
// DecodeDiagnosticMessage (RAM 2015-05-01) returns it under DecodedDiagnosticMessage
// (github.com/alibabacloud-go/ram-20150501/v2 v2.2.0,
// DecodeDiagnosticMessageResponseBodyDecodedDiagnosticMessage). The sandbox fills it from its
// engine's decision trace and seals it like a security token, bound to the account.
type DiagnosticMessage struct {
	AuthAction      string                `json:"AuthAction,omitempty"`
	AuthResource    string                `json:"AuthResource,omitempty"`
	AuthPrincipal   *DiagnosticPrincipal  `json:"AuthPrincipal,omitempty"`
	AuthConditions  []DiagnosticCondition `json:"AuthConditions,omitempty"`
	ExplicitDeny    bool                  `json:"ExplicitDeny"`
	MatchedPolicies []DiagnosticPolicy    `json:"MatchedPolicies,omitempty"`
	// NoPermissionPolicyType is the type of policy that caused the denial:
	// AssumeRolePolicy, ControlPolicy, AccountLevelIdentityBasedPolicy (the SDK's list), and in
	// the sandbox SessionPolicy and BucketPolicy (UNCONFIRMED names for those two).
	NoPermissionPolicyType string `json:"NoPermissionPolicyType,omitempty"`
}

// DiagnosticPrincipal is who was denied: for a RAM user its id, for a role session
// RoleName:RoleSessionName (the SDK's documented form).
type DiagnosticPrincipal struct {
	AuthPrincipalDisplayName string `json:"AuthPrincipalDisplayName,omitempty"`
	AuthPrincipalOwnerID     string `json:"AuthPrincipalOwnerId,omitempty"`
	AuthPrincipalType        string `json:"AuthPrincipalType,omitempty"` // SubUser, AssumedRoleUser, Federated
}

// DiagnosticCondition is one condition key the request carried and its values.
type DiagnosticCondition struct {
	ConditionKey    string   `json:"ConditionKey"`
	ConditionValues []string `json:"ConditionValues"`
}

// DiagnosticPolicy is a policy that matched the request.
type DiagnosticPolicy struct {
	AttachedEntityType string `json:"AttachedEntityType,omitempty"` // RamUser, RamRole, RamGroup, ...
	AttachedScope      string `json:"AttachedScope,omitempty"`      // Account, Folder, ResourceGroup
	Effect             string `json:"Effect,omitempty"`             // Allow, Deny
	PolicyIdentifier   string `json:"PolicyIdentifier,omitempty"`   // the policy's name
	PolicyType         string `json:"PolicyType,omitempty"`         // Custom, System
	PolicyVersion      string `json:"PolicyVersion,omitempty"`      // custom policies only
}

// DiagnosticSeal is a DiagnosticMessage as the sandbox seals it: the message and the account
// it is bound to (only a caller of that account may decode it).
type DiagnosticSeal struct {
	AccountID string            `json:"acc"`
	Message   DiagnosticMessage `json:"msg"`
}

// NewDiagnostic builds the diagnostic message of a denial from the sandbox's decision trace
// (Action, Resource, Decision and the matched statements), who was denied, the policy type that
// denied it and the request's condition keys. PolicyType of identity policies is left for the
// authority that seals it (it knows which are System and which Custom).
func NewDiagnostic(t *Trace, who DiagnosticPrincipal, policyType string, context map[string][]string) DiagnosticMessage {
	d := DiagnosticMessage{AuthAction: t.Action, AuthResource: t.Resource, ExplicitDeny: t.Decision == "ExplicitDeny",
		NoPermissionPolicyType: policyType}
	if who != (DiagnosticPrincipal{}) {
		p := who
		d.AuthPrincipal = &p
	}
	keys := make([]string, 0, len(context))
	for k := range context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d.AuthConditions = append(d.AuthConditions, DiagnosticCondition{ConditionKey: k, ConditionValues: append([]string{}, context[k]...)})
	}
	seen := map[string]int{}
	for _, st := range t.Statements {
		key := st.Layer + "\x00" + st.Policy
		if i, ok := seen[key]; ok {
			if st.Effect == "Deny" {
				d.MatchedPolicies[i].Effect = "Deny"
			}
			continue
		}
		mp := DiagnosticPolicy{Effect: st.Effect, PolicyIdentifier: st.Policy, AttachedScope: "Account"}
		switch st.Layer {
		case "identity":
			switch who.AuthPrincipalType {
			case "AssumedRoleUser":
				mp.AttachedEntityType = "RamRole"
			case "SubUser":
				mp.AttachedEntityType = "RamUser"
			}
		case "session":
			mp.PolicyType, mp.AttachedScope = "SessionPolicy", ""
		case "bucket":
			mp.PolicyType, mp.AttachedScope = "BucketPolicy", ""
		case "trust":
			mp.PolicyType, mp.AttachedEntityType = "AssumeRolePolicy", "RamRole"
		}
		seen[key] = len(d.MatchedPolicies)
		d.MatchedPolicies = append(d.MatchedPolicies, mp)
	}
	return d
}
