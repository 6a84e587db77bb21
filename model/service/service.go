// Package service declares the ports both faces (the console in ui, the commands in ui/cli)
// use to reach the world: sts.Client, oss.Client, the audit log and the sandbox control client
// satisfy them implicitly, and main.go wires them into a Services value.
package service

import (
	"context"
	"io"
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// Errors returned by services are *model.APIError when the service answered, plain errors
// otherwise.

// Identity answers who the console's own credentials belong to.
type Identity interface {
	Whoami(ctx context.Context) (model.Caller, error)
}

// RoleSource lists and describes RAM roles.
type RoleSource interface {
	// ListRoles lists every role (all pages). When RAM denies the listing it returns an
	// *model.APIError (Code "NoPermission" or similar); the console then offers typed ARNs.
	ListRoles(ctx context.Context) ([]model.Role, error)
	// GetRole returns one role by name or ARN with its trust policy and attached policies
	// (documents loaded where readable).
	GetRole(ctx context.Context, nameOrARN string) (model.Role, error)
}

// TokenIssuer calls STS AssumeRole.
type TokenIssuer interface {
	AssumeRole(ctx context.Context, req model.IssueRequest) (model.Credentials, error)
}

// ObjectService makes OSS clients that act with given temporary credentials.
type ObjectService interface {
	With(creds model.Credentials) ObjectClient
}

// ObjectClient is OSS seen through one set of credentials.
type ObjectClient interface {
	// Put uploads size bytes from body (multipart with parallel parts above a threshold),
	// reporting progress; cancelled by ctx.
	Put(ctx context.Context, bucket, key string, body io.ReaderAt, size int64, progress func(model.Progress)) (model.ObjectInfo, error)
	Head(ctx context.Context, bucket, key string) (model.ObjectInfo, error)
	Delete(ctx context.Context, bucket, key string) error
	// Probe runs put/head/get/list/delete inside and outside the prefix on its own keys.
	// Predictions are filled in by the caller; Probe fills Actual.
	Probe(ctx context.Context, spec model.ProbeSpec) (model.ProbeReport, error)
	Presign(ctx context.Context, method, bucket, key string, expires time.Duration) (string, error)
}

// AuditLog is the local record of issued tokens (never secrets).
type AuditLog interface {
	Append(rec model.AuditRecord) error
	// List returns records oldest first; warnings describe skipped (torn) lines.
	List() (records []model.AuditRecord, warnings []string, err error)
}

// SandboxControl is the embedded sandbox's control API (nil in live mode).
type SandboxControl interface {
	// Advance moves the sandbox's authorization clock forward and returns the new offset.
	Advance(ctx context.Context, d time.Duration) (time.Duration, error)
	// Trace fetches the server's decision trace for a request id ("sts" or "oss" half).
	Trace(ctx context.Context, service, requestID string) (*model.Trace, error)
}

// SandboxClock reads the sandbox's clocks (stsdeck sandbox clock --show); the sandbox's
// control client implements it beside SandboxControl.
type SandboxClock interface {
	ReadClock(ctx context.Context) (model.SandboxClock, error)
}

// DiagnosticDecoder calls RAM DecodeDiagnosticMessage: what an AccessDeniedDetail's
// EncodedDiagnosticMessage says. Refusals (no ram:DecodeDiagnosticMessage, another account's
// message) are *model.APIError.
type DiagnosticDecoder interface {
	DecodeDiagnosticMessage(ctx context.Context, encoded string) (model.DiagnosticMessage, error)
}

// Services is everything the console and the commands use.
type Services struct {
	Mode      string // "sandbox" or "live"
	Region    string
	AccountID string // may be "" until Whoami answers
	// Where explains where credentials came from (or where the console looked), for the header/status line.
	Where    string
	Identity Identity
	Roles    RoleSource
	Issuer   TokenIssuer
	Objects  ObjectService
	Audit    AuditLog
	Sandbox  SandboxControl // nil when live
	// Diagnostics decodes EncodedDiagnosticMessage through the connection's RAM endpoint
	// (stsdeck explain --error); nil = not wired.
	Diagnostics DiagnosticDecoder

	// Added for the scriptable commands (issue 6):
	// OSSEndpoint is the OSS endpoint URL in use (for the ossutil export), "" = the region's default.
	OSSEndpoint string
	// Looked lists every place the credential chain tried, in order, with what it found.
	Looked []string
	// Temporary is true when the services' own credentials carry a security token.
	Temporary bool
	// Current returns the credentials the services act with, for OSS commands run with an
	// already-issued STS token. It holds secrets: never log or print it. nil = not available.
	Current func(ctx context.Context) (model.Credentials, error)
	// Operator returns the operator's own credentials (the ones STS and RAM are called with),
	// never an exported token that Current may prefer: the clean-up deletes leftovers with
	// them. It holds secrets. nil = not available (Current is used).
	Operator func(ctx context.Context) (model.Credentials, error)

	// Connecting is true while the console is still connecting (its Options.Connect runs):
	// screens say "connecting…" rather than "not configured".
	Connecting bool
	// Unavailable is the connection's failure (the console stays up to say so).
	Unavailable error

	// IssuerWith returns an issuer that signs with the given temporary credentials against the
	// same STS endpoint (role chains: each hop assumes the next role with the previous token).
	// nil = role chains are not available.
	IssuerWith func(model.Credentials) TokenIssuer

	// UserPolicies reads a RAM user's own policies (the readiness checklist's step 1.2);
	// nil = not wired (the step says it cannot tell).
	UserPolicies UserPolicySource
}

// Pending reports whether the console is still connecting.
func (s *Services) Pending() bool { return s != nil && s.Connecting }
