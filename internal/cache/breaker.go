package cache

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrBypassed is returned without contacting the backend while a breaker is
// open (the backend failed moments ago). Callers treat it like any cache
// error: as a miss.
var ErrBypassed = errors.New("cache: bypassed after a recent backend failure")

// breaker stops calling a backend that just failed. A dead Redis fails each
// call quickly but not for free: go-redis dials, backs off and dials again,
// some 10-25 ms per call, which every request would pay (twice for a session
// read and refill) for as long as the outage lasts. After a failure the
// breaker answers ErrBypassed at once for cooldown; then one call at a time
// probes the backend, and the first success closes it again (F1). Ping and
// Close pass straight through: readiness must see the backend itself.
type breaker struct {
	Cache
	cooldown  time.Duration
	now       func() time.Time
	openUntil atomic.Int64 // unix nanoseconds; 0 = closed
	probing   atomic.Bool
}

// WithBreaker wraps c so that, after a call fails because the backend is
// unreachable or slow, calls are bypassed for cooldown instead of each
// paying for the failure. Misuse (bad keys, wrong types) never trips it.
func WithBreaker(c Cache, cooldown time.Duration) Cache {
	return newBreaker(c, cooldown, time.Now)
}

func newBreaker(c Cache, cooldown time.Duration, now func() time.Time) *breaker {
	return &breaker{Cache: c, cooldown: cooldown, now: now}
}

// enter reports whether a call may go to the backend, and whether it is the
// probe of an open breaker.
func (b *breaker) enter() (ok, probe bool) {
	until := b.openUntil.Load()
	if until == 0 {
		return true, false
	}
	if b.now().UnixNano() < until || !b.probing.CompareAndSwap(false, true) {
		return false, false
	}
	return true, true
}

// exit records a call's outcome: an outage opens (or re-opens) the breaker,
// a probe's success closes it.
func (b *breaker) exit(probe bool, err error) {
	switch {
	case err != nil && outage(err):
		b.openUntil.Store(b.now().Add(b.cooldown).UnixNano())
	case probe:
		b.openUntil.Store(0)
	}
	if probe {
		b.probing.Store(false)
	}
}

// outage reports whether err says the backend is unreachable or slow, as
// opposed to a refused call (bad key, ttl, a Redis error reply such as
// WRONGTYPE) or a caller that gave up.
func outage(err error) bool {
	var reply redis.Error
	switch {
	case errors.Is(err, ErrBadKey), errors.Is(err, errTTL), errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &reply):
		return false
	}
	return true
}

// Get implements Cache.
func (b *breaker) Get(ctx context.Context, key string) ([]byte, bool, error) {
	ok, probe := b.enter()
	if !ok {
		return nil, false, ErrBypassed
	}
	v, hit, err := b.Cache.Get(ctx, key)
	b.exit(probe, err)
	return v, hit, err
}

// GetVersioned implements Cache.
func (b *breaker) GetVersioned(ctx context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	ok, probe := b.enter()
	if !ok {
		return "", nil, false, ErrBypassed
	}
	ver, v, hit, err := b.Cache.GetVersioned(ctx, verKey, prefix, suffix)
	b.exit(probe, err)
	return ver, v, hit, err
}

// SetVersion implements Cache.
func (b *breaker) SetVersion(ctx context.Context, verKey string, token []byte, ttl time.Duration) error {
	ok, probe := b.enter()
	if !ok {
		return ErrBypassed
	}
	err := b.Cache.SetVersion(ctx, verKey, token, ttl)
	b.exit(probe, err)
	return err
}

// Set implements Cache.
func (b *breaker) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ok, probe := b.enter()
	if !ok {
		return ErrBypassed
	}
	err := b.Cache.Set(ctx, key, value, ttl)
	b.exit(probe, err)
	return err
}

// Del implements Cache.
func (b *breaker) Del(ctx context.Context, keys ...string) error {
	ok, probe := b.enter()
	if !ok {
		return ErrBypassed
	}
	err := b.Cache.Del(ctx, keys...)
	b.exit(probe, err)
	return err
}

// Incr implements Cache.
func (b *breaker) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	ok, probe := b.enter()
	if !ok {
		return 0, ErrBypassed
	}
	n, err := b.Cache.Incr(ctx, key, ttl)
	b.exit(probe, err)
	return n, err
}

// SAdd implements Cache.
func (b *breaker) SAdd(ctx context.Context, key string, ttl time.Duration, members ...string) error {
	ok, probe := b.enter()
	if !ok {
		return ErrBypassed
	}
	err := b.Cache.SAdd(ctx, key, ttl, members...)
	b.exit(probe, err)
	return err
}

// SMembers implements Cache.
func (b *breaker) SMembers(ctx context.Context, key string) ([]string, error) {
	ok, probe := b.enter()
	if !ok {
		return nil, ErrBypassed
	}
	m, err := b.Cache.SMembers(ctx, key)
	b.exit(probe, err)
	return m, err
}

// SRem implements Cache.
func (b *breaker) SRem(ctx context.Context, key string, members ...string) error {
	ok, probe := b.enter()
	if !ok {
		return ErrBypassed
	}
	err := b.Cache.SRem(ctx, key, members...)
	b.exit(probe, err)
	return err
}
