package model

import (
	"sync"
	"time"
)

// Clock tells the time. The sandbox uses two: the wall clock (signatures, skew, Date headers)
// and the authorization clock (token issue and expiry, acs:CurrentTime).
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now implements Clock.
func (f ClockFunc) Now() time.Time { return f() }

// WallClock is the system clock.
var WallClock Clock = ClockFunc(time.Now)

// OffsetClock is a Clock that runs at a base clock's pace plus an offset that can be advanced
// (the sandbox's authorization clock). Safe for concurrent use.
type OffsetClock struct {
	base   Clock
	mu     sync.RWMutex
	offset time.Duration
}

// NewOffsetClock returns a clock reading base plus offset.
func NewOffsetClock(base Clock, offset time.Duration) *OffsetClock {
	if base == nil {
		base = WallClock
	}
	return &OffsetClock{base: base, offset: offset}
}

// Now implements Clock.
func (c *OffsetClock) Now() time.Time {
	c.mu.RLock()
	off := c.offset
	c.mu.RUnlock()
	return c.base.Now().Add(off)
}

// Offset returns the current offset from the base clock.
func (c *OffsetClock) Offset() time.Duration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.offset
}

// Advance moves the clock forward by d (d may be negative) and returns the new offset.
func (c *OffsetClock) Advance(d time.Duration) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	return c.offset
}
