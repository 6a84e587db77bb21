package model

import "time"

// SandboxClock is what a sandbox's control API says about its two clocks: the wall clock
// (signatures, Date headers, skew) and the authorization clock (token expiry,
// acs:CurrentTime), which runs Offset ahead of it.
type SandboxClock struct {
	Offset time.Duration
	Wall   time.Time
	Auth   time.Time
}
