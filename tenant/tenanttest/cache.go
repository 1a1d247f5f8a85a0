package tenanttest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"nexo/internal/cache"
)

// ErrCacheDown is what a DownCache answers while it is down.
var ErrCacheDown = errors.New("tenanttest: cache is down")

// DownCache wraps a cache and, while down, fails every call the way a
// stopped Redis does (an error, after no wait), without touching the
// wrapped cache: whatever it held before the outage is still there when it
// comes back, as with a Redis that was unreachable rather than wiped.
type DownCache struct {
	cache.Cache
	down  atomic.Bool
	calls atomic.Int64 // calls refused while down
}

// NewDownCache wraps c; it starts up.
func NewDownCache(c cache.Cache) *DownCache { return &DownCache{Cache: c} }

// SetDown starts (true) or ends (false) the outage.
func (d *DownCache) SetDown(down bool) { d.down.Store(down) }

// Refused reports how many calls failed because the cache was down, so a
// test can show the code under test did try the cache.
func (d *DownCache) Refused() int64 { return d.calls.Load() }

func (d *DownCache) fail() error {
	if d.down.Load() {
		d.calls.Add(1)
		return ErrCacheDown
	}
	return nil
}

// Get implements cache.Cache.
func (d *DownCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := d.fail(); err != nil {
		return nil, false, err
	}
	return d.Cache.Get(ctx, key)
}

// GetVersioned implements cache.Cache.
func (d *DownCache) GetVersioned(ctx context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	if err := d.fail(); err != nil {
		return "", nil, false, err
	}
	return d.Cache.GetVersioned(ctx, verKey, prefix, suffix)
}

// SetVersion implements cache.Cache.
func (d *DownCache) SetVersion(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := d.fail(); err != nil {
		return err
	}
	return d.Cache.SetVersion(ctx, key, value, ttl)
}

// Set implements cache.Cache.
func (d *DownCache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := d.fail(); err != nil {
		return err
	}
	return d.Cache.Set(ctx, key, value, ttl)
}

// Del implements cache.Cache.
func (d *DownCache) Del(ctx context.Context, keys ...string) error {
	if err := d.fail(); err != nil {
		return err
	}
	return d.Cache.Del(ctx, keys...)
}

// Incr implements cache.Cache.
func (d *DownCache) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	if err := d.fail(); err != nil {
		return 0, err
	}
	return d.Cache.Incr(ctx, key, ttl)
}

// SAdd implements cache.Cache.
func (d *DownCache) SAdd(ctx context.Context, key string, ttl time.Duration, members ...string) error {
	if err := d.fail(); err != nil {
		return err
	}
	return d.Cache.SAdd(ctx, key, ttl, members...)
}

// SMembers implements cache.Cache.
func (d *DownCache) SMembers(ctx context.Context, key string) ([]string, error) {
	if err := d.fail(); err != nil {
		return nil, err
	}
	return d.Cache.SMembers(ctx, key)
}

// SRem implements cache.Cache.
func (d *DownCache) SRem(ctx context.Context, key string, members ...string) error {
	if err := d.fail(); err != nil {
		return err
	}
	return d.Cache.SRem(ctx, key, members...)
}

// Ping implements cache.Cache.
func (d *DownCache) Ping(ctx context.Context) error {
	if err := d.fail(); err != nil {
		return err
	}
	return d.Cache.Ping(ctx)
}
