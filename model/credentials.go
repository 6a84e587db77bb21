package model

import (
	"fmt"
	"time"
)

// Credentials are temporary credentials issued by STS AssumeRole.
// String and GoString never print the secret or the token: use the fields explicitly.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Expiration      time.Time // as the server said, UTC
	IssuedAt        time.Time // local clock when the response arrived
	// ServerClockOffset is server time minus local time, from the response Date header;
	// add it to the local clock to count down correctly on a skewed machine.
	ServerClockOffset time.Duration
	RoleARN           string
	AssumedRoleARN    string // AssumedRoleUser.Arn
	AssumedRoleID     string // AssumedRoleUser.AssumedRoleId
	Region            string
	RequestID         string
}

// Remaining is the time left before expiry at local time now, corrected by the server offset.
func (c Credentials) Remaining(now time.Time) time.Duration {
	return c.Expiration.Sub(now.Add(c.ServerClockOffset))
}

// String prints the credentials with secrets masked.
func (c Credentials) String() string {
	return fmt.Sprintf("Credentials{AccessKeyId: %s, AccessKeySecret: %s, SecurityToken: %s, Expiration: %s}",
		c.AccessKeyID, MaskSecret(c.AccessKeySecret), AbbrevToken(c.SecurityToken), c.Expiration.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v does not leak secrets either.
func (c Credentials) GoString() string { return c.String() }

// MaskSecret hides a secret entirely but for its length class.
func MaskSecret(s string) string {
	if s == "" {
		return ""
	}
	return "••••••••"
}

// AbbrevToken shows the first 6 and last 4 characters of a security token.
func AbbrevToken(s string) string {
	if len(s) <= 12 {
		return MaskSecret(s)
	}
	return s[:6] + "…" + s[len(s)-4:] + fmt.Sprintf(" (%d chars)", len(s))
}
