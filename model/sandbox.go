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
