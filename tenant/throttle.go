package tenant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"nexo/internal/cache"
	"nexo/internal/errs"
)

// ThrottleOptions sets the login limits (U2).
type ThrottleOptions struct {
	PerAccount int           // failures per account per window (default 10)
	PerIP      int           // attempts per IP per window (default 50)
	Window     time.Duration // default 15 minutes
	Now        func() time.Time
}

// Throttle limits login and reset attempts per account and per IP. Counters
// live in the shared cache (every instance sees them); a local copy is kept
// alongside and used when the cache fails, so a dead Redis still throttles
// (per instance) instead of opening the door.
type Throttle struct {
	c   cache.Cache
	opt ThrottleOptions

	mu    sync.Mutex
	local map[string]*window
}

type window struct {
	n     int64
	start time.Time
}

// NewThrottle returns a throttle over c.
func NewThrottle(c cache.Cache, opt ThrottleOptions) *Throttle {
	if opt.PerAccount == 0 {
		opt.PerAccount = 10
	}
	if opt.PerIP == 0 {
		opt.PerIP = 50
	}
	if opt.Window == 0 {
		opt.Window = 15 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Throttle{c: c, opt: opt, local: map[string]*window{}}
}

// keys hashes the account so no raw email sits in Redis.
func (t *Throttle) keys(scope, account, ip string) (acct, addr string) {
	sum := sha256.Sum256([]byte(account))
	return cache.GlobalKey("throttle", scope, "acct", hex.EncodeToString(sum[:16])),
		cache.GlobalKey("throttle", scope, "ip", ip)
}

// Allow refuses an attempt when the account or the IP is over its limit.
// The IP counter counts every attempt; the account counter counts failures.
func (t *Throttle) Allow(ctx context.Context, scope, account, ip string) error {
	acct, addr := t.keys(scope, account, ip)
	if t.incr(ctx, addr) > int64(t.opt.PerIP) || t.peek(ctx, acct) >= int64(t.opt.PerAccount) {
		return errs.E(errs.RateLimited, "too many attempts; try again later")
	}
	return nil
}

// Fail records a failed attempt for the account.
func (t *Throttle) Fail(ctx context.Context, scope, account, ip string) {
	acct, _ := t.keys(scope, account, ip)
	t.incr(ctx, acct)
}

// Reset clears the account's failures after a success.
func (t *Throttle) Reset(ctx context.Context, scope, account string) {
	acct, _ := t.keys(scope, account, "")
	_ = t.c.Del(ctx, acct)
	t.mu.Lock()
	delete(t.local, acct)
	t.mu.Unlock()
}

// incr bumps the shared and the local counter and returns the shared value,
// or the local one when the cache fails.
func (t *Throttle) incr(ctx context.Context, key string) int64 {
	local := t.localIncr(key, 1)
	n, err := t.c.Incr(ctx, key, t.opt.Window)
	if err != nil {
		return local
	}
	return n
}

// peek reads a counter without counting (an Incr by zero in effect).
func (t *Throttle) peek(ctx context.Context, key string) int64 {
	local := t.localIncr(key, 0)
	b, ok, err := t.c.Get(ctx, key)
	if err != nil {
		return local
	}
	if !ok {
		return 0
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return local
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func (t *Throttle) localIncr(key string, by int64) int64 {
	now := t.opt.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.local[key]
	if w == nil || now.Sub(w.start) >= t.opt.Window {
		if by == 0 {
			return 0
		}
		if len(t.local) > 100_000 {
			t.prune(now)
		}
		w = &window{start: now}
		t.local[key] = w
	}
	w.n += by
	return w.n
}

// prune drops expired local windows so memory stays bounded.
func (t *Throttle) prune(now time.Time) {
	for k, w := range t.local {
		if now.Sub(w.start) >= t.opt.Window {
			delete(t.local, k)
		}
	}
}
