package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

var errTTL = errors.New("cache: ttl must be positive")

// Redis is the production Cache. Timeouts are short on purpose: the cache is
// an optimisation, so a dead Redis must cost milliseconds, not seconds (F1).
type Redis struct {
	c *redis.Client
}

// NewRedis connects to a redis:// URL. It does not fail when Redis is down:
// readiness reports that, and every call fails fast until it is back.
func NewRedis(ctx context.Context, url string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("NEXO_REDIS_URL: %w", err)
	}
	opt.DialTimeout = 250 * time.Millisecond
	opt.ReadTimeout = 250 * time.Millisecond
	opt.WriteTimeout = 250 * time.Millisecond
	opt.PoolTimeout = 300 * time.Millisecond
	opt.MaxRetries = 1
	opt.ContextTimeoutEnabled = true
	return &Redis{c: redis.NewClient(opt)}, nil
}

// Client exposes the client for pub/sub (the policy watcher).
func (r *Redis) Client() redis.UniversalClient { return r.c }

// Get implements Cache.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := CheckKey(key); err != nil {
		return nil, false, err
	}
	b, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Set implements Cache.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errTTL
	}
	return r.c.Set(ctx, key, value, ttl).Err()
}

// Del implements Cache.
func (r *Redis) Del(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := CheckKey(k); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return r.c.Del(ctx, keys...).Err()
}

// incrScript increments and sets the expiry only on the first increment, in
// one round trip and atomically (a fixed window).
var incrScript = redis.NewScript(`local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// Incr implements Cache.
func (r *Redis) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, errTTL
	}
	return incrScript.Run(ctx, r.c, []string{key}, ttl.Milliseconds()).Int64()
}

// SAdd implements Cache.
func (r *Redis) SAdd(ctx context.Context, key string, ttl time.Duration, members ...string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errTTL
	}
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	_, err := r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, key, args...)
		p.PExpire(ctx, key, ttl)
		return nil
	})
	return err
}

// SMembers implements Cache.
func (r *Redis) SMembers(ctx context.Context, key string) ([]string, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	return r.c.SMembers(ctx, key).Result()
}

// SRem implements Cache.
func (r *Redis) SRem(ctx context.Context, key string, members ...string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	return r.c.SRem(ctx, key, args...).Err()
}

// Ping implements Cache.
func (r *Redis) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }

// Close implements Cache.
func (r *Redis) Close() error { return r.c.Close() }
