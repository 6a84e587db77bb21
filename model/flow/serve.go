package flow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/issuereq"
)

// The serve use case: keep one role + session policy's token fresh for as long as the operator
// allows (`stsdeck serve`, `stsdeck exec`, the console's S on the token card). A Renewer hands
// out the current token and re-issues it (one issue at a time, each audited by the issue use
// case) before it gets old; every decision about age is taken on the server's clock.

// Renewal rule (stated, as the issue asks): a token is renewed once half its lifetime has
// passed (RenewFraction), and never served with less than MinServeLeft (5 minutes) left. With
// the shortest STS token (15 min) half the lifetime is 7.5 min, above MinServeLeft, so a
// served token always has at least 5 minutes to run; credentials-go's URI provider (which
// caches until 180 s before expiry on its own clock) never holds one that is about to die.
const (
	RenewFraction = 0.5
	MinServeLeft  = 5 * time.Minute
)

// DefaultServeUntil bounds a serve when the operator gives no --until.
const DefaultServeUntil = 8 * time.Hour

// ErrServeEnded is returned once the serve window (--until) is over, or when what is left of
// it is too short for both a new token (STS's 15 min minimum) and serving the current one.
var ErrServeEnded = errors.New("the serve window (--until) has ended")

// IssueFunc issues one token (the issue use case with fixed inputs; the chain use case for a
// role chain). duration is what this token may last (the request's, capped by the window).
type IssueFunc func(ctx context.Context, duration time.Duration) (IssueResult, error)

// ServerClock reads the server's clock ("now" as STS decides expiry).
type ServerClock func(ctx context.Context) (time.Time, error)

// RenewerConfig configures a Renewer.
type RenewerConfig struct {
	Issue IssueFunc
	// Clock is the server's clock; nil = the local clock corrected by the last token's
	// ServerClockOffset (live mode: the STS response's Date header).
	Clock ServerClock
	// Duration is each token's lifetime as asked (0 = STS's default, 1 h).
	Duration time.Duration
	// Until is the end of the serve window on the server's clock; zero = DefaultServeUntil
	// after the first token is asked for. No token is issued to outlive it.
	Until time.Time
	// IssueTimeout bounds one renewal (it runs on its own context, so a fetch that gives up
	// does not cancel a renewal others wait for); 0 = 30 s.
	IssueTimeout time.Duration
	// OnIssue is told about every token issued (the audit record, never the secret); may be nil.
	OnIssue func(IssueResult)
}

// Renewer keeps a token fresh. Safe for concurrent use: any number of fetches may call Get
// while one renewal runs; they are served the current token while it has MinServeLeft left,
// and otherwise wait for the renewal.
type Renewer struct {
	cfg RenewerConfig

	mu       sync.Mutex
	cur      *IssueResult
	renewing chan struct{} // non-nil while a renewal runs; closed when it ends
	lastErr  error
	renewals int // tokens issued after the first
	issued   int
	until    time.Time
	offset   time.Duration // server minus local, from the last token (live clock)
}

// NewRenewer returns a Renewer; it issues nothing until the first Get.
func NewRenewer(cfg RenewerConfig) (*Renewer, error) {
	if cfg.Issue == nil {
		return nil, errors.New("serve: no issuer")
	}
	if cfg.Duration == 0 {
		cfg.Duration = issuereq.DefaultDuration
	}
	if cfg.IssueTimeout <= 0 {
		cfg.IssueTimeout = 30 * time.Second
	}
	return &Renewer{cfg: cfg, until: cfg.Until}, nil
}

// now reads the server's clock.
func (r *Renewer) now(ctx context.Context) (time.Time, error) {
	if r.cfg.Clock != nil {
		return r.cfg.Clock(ctx)
	}
	r.mu.Lock()
	off := r.offset
	r.mu.Unlock()
	return time.Now().Add(off), nil
}

// needsRenewal: half the lifetime gone, or less than MinServeLeft left.
func needsRenewal(c model.Credentials, issuedAt, now time.Time) bool {
	left := c.Expiration.Sub(now)
	if left < MinServeLeft {
		return true
	}
	life := c.Expiration.Sub(issuedAt)
	return life > 0 && now.Sub(issuedAt) >= time.Duration(float64(life)*RenewFraction)
}

// servable: at least MinServeLeft left.
func servable(c model.Credentials, now time.Time) bool {
	return c.Expiration.Sub(now) >= MinServeLeft
}

// issuedAt is when a token was issued on the server's clock: its record's duration before its
// expiry (STS counts the lifetime from issue).
func issuedAt(res *IssueResult) time.Time {
	return res.Creds.Expiration.Add(-time.Duration(res.Record.DurationSeconds) * time.Second)
}

// Get returns a token with at least MinServeLeft to run, renewing when due. After the window
// it returns ErrServeEnded.
func (r *Renewer) Get(ctx context.Context) (IssueResult, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 3 {
			return IssueResult{}, errors.New("serve: no token after renewing (the server clock moves faster than tokens last?)")
		}
		now, err := r.now(ctx)
		if err != nil {
			return IssueResult{}, fmt.Errorf("reading the server clock: %w", err)
		}
		r.mu.Lock()
		if r.until.IsZero() {
			r.until = now.Add(DefaultServeUntil)
		}
		if !now.Before(r.until) {
			r.mu.Unlock()
			return IssueResult{}, ErrServeEnded
		}
		cur := r.cur
		if cur != nil && !needsRenewal(cur.Creds, issuedAt(cur), now) {
			r.mu.Unlock()
			return *cur, nil
		}
		left := r.until.Sub(now)
		canIssue := left >= issuereq.MinDuration
		if r.renewing == nil && canIssue && (attempt == 0 || r.lastErr == nil) {
			d := min(r.cfg.Duration, left.Truncate(time.Second))
			r.renewing = make(chan struct{})
			go r.renew(d, r.renewing)
		}
		ch := r.renewing
		lastErr := r.lastErr
		r.mu.Unlock()
		if cur != nil && servable(cur.Creds, now) {
			return *cur, nil // the renewal runs meanwhile
		}
		if ch == nil {
			if !canIssue {
				return IssueResult{}, fmt.Errorf("%w: %s left, too short for a new token (STS's minimum is %s) and the current one has under %s", ErrServeEnded, left.Round(time.Second), issuereq.MinDuration, MinServeLeft)
			}
			if lastErr != nil {
				return IssueResult{}, lastErr
			}
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return IssueResult{}, ctx.Err()
		}
		if attempt >= 1 {
			r.mu.Lock()
			err := r.lastErr
			cur := r.cur
			r.mu.Unlock()
			if err != nil {
				return IssueResult{}, err
			}
			if cur != nil {
				return *cur, nil
			}
		}
	}
}

// renew issues one token and installs it.
func (r *Renewer) renew(d time.Duration, done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.IssueTimeout)
	defer cancel()
	res, err := r.cfg.Issue(ctx, d)
	r.mu.Lock()
	if err != nil {
		r.lastErr = err
	} else {
		r.lastErr = nil
		r.cur = &res
		r.issued++
		if r.issued > 1 {
			r.renewals++
		}
		r.offset = res.Creds.ServerClockOffset
	}
	r.renewing = nil
	close(done)
	r.mu.Unlock()
	if err == nil && r.cfg.OnIssue != nil {
		r.cfg.OnIssue(res)
	}
}

// ServeStatus is what a face shows about a serve: never the secret.
type ServeStatus struct {
	AccessKeyID string
	Expiration  time.Time
	NextRenewal time.Time // on the server's clock; zero before the first token
	Until       time.Time
	Issued      int // tokens issued
	Renewals    int // tokens issued after the first
	LastError   error
}

// Status reports the current token and the renewal schedule.
func (r *Renewer) Status() ServeStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := ServeStatus{Until: r.until, Issued: r.issued, Renewals: r.renewals, LastError: r.lastErr}
	if r.cur != nil {
		st.AccessKeyID = r.cur.Creds.AccessKeyID
		st.Expiration = r.cur.Creds.Expiration
		at := issuedAt(r.cur)
		life := r.cur.Creds.Expiration.Sub(at)
		next := at.Add(time.Duration(float64(life) * RenewFraction))
		if late := r.cur.Creds.Expiration.Add(-MinServeLeft); late.Before(next) {
			next = late
		}
		st.NextRenewal = next
	}
	return st
}

// Until returns the end of the serve window (zero before the first Get without a configured one).
func (r *Renewer) Until() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.until
}

// CachedClock reads a server clock at most once per interval and extrapolates in between with
// the local monotonic clock (the sandbox's control API: `GET /-/clock`, re-read on a fetch at
// most once a second). Safe for concurrent use.
type CachedClock struct {
	read     ServerClock
	interval time.Duration
	local    func() time.Time

	mu       sync.Mutex
	readAt   time.Time // local, monotonic
	server   time.Time
	hasValue bool
}

// NewCachedClock wraps read; interval 0 = 1 s; local nil = time.Now.
func NewCachedClock(read ServerClock, interval time.Duration, local func() time.Time) *CachedClock {
	if interval <= 0 {
		interval = time.Second
	}
	if local == nil {
		local = time.Now
	}
	return &CachedClock{read: read, interval: interval, local: local}
}

// Now implements ServerClock.
func (c *CachedClock) Now(ctx context.Context) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.local()
	if c.hasValue && l.Sub(c.readAt) < c.interval {
		return c.server.Add(l.Sub(c.readAt)), nil
	}
	t, err := c.read(ctx)
	if err != nil {
		return time.Time{}, err
	}
	c.readAt, c.server, c.hasValue = c.local(), t, true
	return t, nil
}
