package model

import "time"

// Role is a RAM role as the console shows it.
type Role struct {
	Name               string
	ARN                string
	RoleID             string
	Description        string
	MaxSessionDuration time.Duration // 0 = unknown
	TrustPolicy        string        // AssumeRolePolicyDocument, JSON
	CreateDate         time.Time
	Policies           []AttachedPolicy // nil = not loaded
	// Source says where the role came from: "ram" (ListRoles), "typed" (entered by ARN), "recent" (audit log).
	Source string
}

// AttachedPolicy is a policy attached to a role or user.
type AttachedPolicy struct {
	Name           string
	Type           string // "System" or "Custom"
	Description    string
	DefaultVersion string
	Document       string // JSON; "" when not loaded or not readable
}

// IssueRequest is what the operator asks STS for.
type IssueRequest struct {
	RoleARN     string
	SessionName string
	Duration    time.Duration // 0 = server default (3600 s)
	ExternalID  string
	Policy      string // session policy JSON as sent; "" = none
}

// Caller is who the current credentials belong to (GetCallerIdentity).
type Caller struct {
	AccountID    string
	UserID       string
	ARN          string
	IdentityType string // "Account", "RAMUser", "AssumedRoleUser"
	PrincipalID  string
	RoleID       string
}
