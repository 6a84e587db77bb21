package flow

import (
	"time"

	"github.com/stsdeck/stsdeck/model"
)

// The expiry use case: how close a token is to its end, in states both faces show by text and
// symbol (never colour alone), and how far a demo's clock must move to reach the next state.

// ExpiryLevel is a token's state on its way to expiry.
type ExpiryLevel int

const (
	ExpiryLive    ExpiryLevel = iota // more than WarnFraction of its life and WarnBefore left
	ExpiryWarn                       // ≤ WarnFraction of its life, or ≤ WarnBefore, left
	ExpiryUrgent                     // ≤ UrgentBefore left
	ExpiryExpired                    // nothing left
)

// The thresholds (the console's help lists them).
const (
	WarnFraction = 0.25
	WarnBefore   = 5 * time.Minute
	UrgentBefore = time.Minute
)

// ExpiryThresholdsText lists the thresholds for help.
const ExpiryThresholdsText = "warn at ≤25% or ≤5m left, urgent at ≤1m, expired at 0"

// warnAt is the time left at which a token of this lifetime starts warning.
func warnAt(life time.Duration) time.Duration {
	return max(WarnBefore, time.Duration(float64(life)*WarnFraction))
}

// Expiry is a token's state with rem left of a life-long validity.
func Expiry(rem, life time.Duration) ExpiryLevel {
	switch {
	case rem <= 0:
		return ExpiryExpired
	case rem <= UrgentBefore:
		return ExpiryUrgent
	case rem <= warnAt(life):
		return ExpiryWarn
	}
	return ExpiryLive
}

// NextExpiryStep is how far the clock must move for the token to reach its next state (live →
// warn → urgent → expired); 0 once expired.
func NextExpiryStep(rem, life time.Duration) time.Duration {
	switch Expiry(rem, life) {
	case ExpiryLive:
		return rem - warnAt(life)
	case ExpiryWarn:
		return rem - UrgentBefore
	case ExpiryUrgent:
		return rem
	}
	return 0
}

// ServerIssueTime is when a recorded token was issued by the server's clock (in the sandbox, its
// authorization clock): its expiry minus the duration asked for, so issue time, duration and
// expiry read on one clock. The record's Time is the local clock and differs by the server's
// (or the sandbox's) offset.
func ServerIssueTime(r model.AuditRecord) time.Time {
	if r.DurationSeconds <= 0 || r.Expiration.IsZero() {
		return r.Time
	}
	return r.Expiration.Add(-time.Duration(r.DurationSeconds) * time.Second)
}
