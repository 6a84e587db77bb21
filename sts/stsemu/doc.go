// Package stsemu is the STS + RAM half of stsdeck's embedded sandbox: one HTTP endpoint serving
// the POP RPC API (STS 2015-04-01 AssumeRole and GetCallerIdentity; RAM 2015-05-01 ListRoles,
// GetRole, ListPoliciesForRole, GetPolicy, GetPolicyVersion, ListPoliciesForUser), dispatched on
// Action + Version, plus a loopback control API under /-/ (GET/POST /-/clock, GET /-/trace/<id>).
//
// Requests are authenticated as the cloud does it — RPC HMAC-SHA1 with parameters in the query,
// a form body or both, and ACS3-HMAC-SHA256 — by pure verifier functions (sign.go) ending in a
// constant-time compare, then checked in the cloud's order: required parameters, access key,
// security token, signature, timestamp window (±15 min, wall clock), nonce reuse, parameter
// format and size, root refusal, role existence, identity ∧ trust policy (model/policy), and the
// role's max session. Errors carry the gateway's status, Code, Message, RequestId, HostId and
// Recommend (errors.go has the one table).
//
// The account (Authority) comes from a seed file (seed.go; the built-in one is
// default_seed.yaml, whose header documents the format). Security tokens are sealed with
// AES-256-GCM under a key kept 0600 in the data dir, so the OSS half learns role, session,
// session policy, expiry and temporary secret from the token alone (Authority.Credential), and a
// restarted sandbox still accepts the tokens it issued. Token expiry and acs:CurrentTime follow
// the authorization clock (wall clock + an offset the control API advances). That clock is a
// *model.OffsetClock the composition root (main.go) shares with the OSS half: moving it here
// moves it for both, without this package knowing the other emulator.
//
// Start (start.go) runs the emulator on its own listener; LoadSeed reads the account, which
// Seed.Account hands to the OSS half as a model.SandboxAccount. This package imports no stsdeck
// package outside model/….
package stsemu
