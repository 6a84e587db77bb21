package model

import (
	"errors"
	"time"

	"github.com/stsdeck/stsdeck/model/policy"
)

// SandboxCredential is what the sandbox's account authority (sts/stsemu) tells the OSS half
// (oss/ossemu) about an access key: who it is, the secret to check signatures with, and the
// policies that apply. The OSS half declares the interface; main.go wires the authority into it.
type SandboxCredential struct {
	AccessKeyID string
	Secret      string // the secret to verify signatures with
	Principal   policy.Principal
	ARN         string // e.g. acs:ram::1234567890123456:user/sts-issuer or the assumed-role ARN
	DisplayName string
	Identity    []*policy.Policy // the user's or role's policies, compiled
	Session     *policy.Policy   // the session policy of an STS token; nil if none
	Expiration  time.Time        // zero for long-lived keys
}

// Errors an authority returns; the OSS half maps them to OSS codes.
var (
	ErrUnknownAccessKey = errors.New("access key id not found")           // InvalidAccessKeyId
	ErrTokenMissing     = errors.New("security token required")           // InvalidSecurityToken / MissingSecurityToken
	ErrTokenInvalid     = errors.New("security token invalid")            // InvalidSecurityToken (forged, truncated)
	ErrTokenMismatch    = errors.New("security token does not match key") // AccessKeyIdAndSecurityTokenNotMatch
	ErrTokenExpired     = errors.New("security token expired")            // SecurityTokenExpired
)

// SandboxInfo describes a running sandbox: the content of its ready file
// (<data>/ready.json, `stsdeck sandbox --ready-file`), which holds the fake keys (0600).
type SandboxInfo struct {
	Region      string          `json:"region"`
	AccountID   string          `json:"account_id"`
	STSEndpoint string          `json:"sts_endpoint"`
	RAMEndpoint string          `json:"ram_endpoint"`
	OSSEndpoint string          `json:"oss_endpoint"`
	CAFile      string          `json:"ca_file,omitempty"`
	Users       []SandboxUser   `json:"users"`
	Roles       []SandboxRole   `json:"roles"`
	Buckets     []SandboxBucket `json:"buckets"`
}

// SandboxUser is a seeded user with its (fake, sandbox-only) keys.
type SandboxUser struct {
	Name            string `json:"name"`
	Kind            string `json:"kind"` // "root" or "user"
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
}

// SandboxRole is a seeded role.
type SandboxRole struct {
	Name               string `json:"name"`
	ARN                string `json:"arn"`
	MaxSessionDuration int    `json:"max_session_duration"` // seconds
}

// SandboxBucket is a seeded bucket with the endpoint of its region.
type SandboxBucket struct {
	Name     string `json:"name"`
	Region   string `json:"region"`
	Endpoint string `json:"endpoint"`
}

// User returns the named user.
func (i SandboxInfo) User(name string) (SandboxUser, bool) {
	for _, u := range i.Users {
		if u.Name == name {
			return u, true
		}
	}
	return SandboxUser{}, false
}

// SandboxAccount is what both emulators of one sandbox serve (the STS half reads it from the
// seed; main.go hands it to the OSS half): the account id, its home region and its buckets.
type SandboxAccount struct {
	ID      string
	Region  string
	Buckets []SandboxAccountBucket
}

// SandboxAccountBucket is a seeded bucket: its region and its initial bucket policy ("" = none).
type SandboxAccountBucket struct{ Name, Region, Policy string }
