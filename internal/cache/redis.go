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
	// once runs commands that must not be retried: INCR is not idempotent,
	// and go-redis retries a command whose reply timed out, which can apply
	// it twice (a counter that over-counts under load).
	once *redis.Client
}

// NewRedis connects to a redis:// URL. It does not fail when Redis is down:
// readiness reports that, and every call fails fast until it is back. Only a
// malformed URL is an error.
func NewRedis(ctx context.Context, url string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("NEXO_REDIS_URL: %w", err)
	}
	opt.DialTimeout = 200 * time.Millisecond
	opt.ReadTimeout = 200 * time.Millisecond
	opt.WriteTimeout = 200 * time.Millisecond
	opt.PoolTimeout = 300 * time.Millisecond
	// One dial attempt per command: go-redis otherwise dials 5 times with
	// 100ms pauses, which made a refused connection cost ~0.8s per call.
	opt.DialerRetries = 1
	// One retry (for a pooled connection the server dropped), with a short
	// pause; note that 0 would mean go-redis's default of 3.
	opt.MaxRetries = 1
	opt.MinRetryBackoff = 5 * time.Millisecond
	opt.MaxRetryBackoff = 20 * time.Millisecond
	// Honour callers' deadlines too, so a request never waits longer than
	// it has left.
	opt.ContextTimeoutEnabled = true
	noRetry := *opt
	noRetry.MaxRetries = -1 // go-redis: -1 disables retries
	noRetry.PoolSize = 4
	return &Redis{c: redis.NewClient(opt), once: redis.NewClient(&noRetry)}, nil
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

// versionedScript reads the version token and then the entry it names in
// one round trip. The entry's key is built inside the script, so it is not
// declared in KEYS: fine on the single Redis Nexo uses, not on a cluster
// (both keys would need one hash slot). An empty token counts as none.
var versionedScript = redis.NewScript(`local v = redis.call('GET', KEYS[1])
if not v or v == '' then return false end
return {v, redis.call('GET', ARGV[1] .. v .. ARGV[2])}`)

// GetVersioned implements Cache.
func (r *Redis) GetVersioned(ctx context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	if err := CheckKey(verKey); err != nil {
		return "", nil, false, err
	}
	if err := CheckKey(prefix); err != nil {
		return "", nil, false, err
	}
	res, err := versionedScript.Run(ctx, r.c, []string{verKey}, prefix, suffix).Slice()
	if errors.Is(err, redis.Nil) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	if len(res) != 2 {
		return "", nil, false, fmt.Errorf("cache: versioned read: %d values, want 2", len(res))
	}
	ver, ok := res[0].(string)
	if !ok {
		return "", nil, false, fmt.Errorf("cache: versioned read: version of type %T", res[0])
	}
	switch v := res[1].(type) {
	case nil:
		return ver, nil, false, nil
	case string:
		return ver, []byte(v), true, nil
	default:
		return "", nil, false, fmt.Errorf("cache: versioned read: value of type %T", res[1])
	}
}

// VersionChannel is the pub/sub channel SetVersion announces a replaced
// version on, with the version key as the message; Near listens to it.
const VersionChannel = "g:cache:versions"

// setVersionScript replaces the token and announces it in one atomic step:
// an instance can never see the new token without the message being sent.
var setVersionScript = redis.NewScript(`redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], KEYS[1])
return 1`)

// SetVersion implements Cache.
func (r *Redis) SetVersion(ctx context.Context, verKey string, token []byte, ttl time.Duration) error {
	if err := CheckKey(verKey); err != nil {
		return err
	}
	if ttl <= 0 {
		return errTTL
	}
	return setVersionScript.Run(ctx, r.c, []string{verKey}, token, max(ttl.Milliseconds(), 1), VersionChannel).Err()
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

// incrScript increments and starts the window in one atomic round trip. The
// expiry is set only when the key has none (PTTL -1), i.e. on the first
// increment, so the window is fixed; checking PTTL rather than n == 1 also
// repairs a counter that somehow lost its expiry instead of keeping it forever.
var incrScript = redis.NewScript(`local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// Incr implements Cache.
func (r *Redis) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, errTTL
	}
	// At least 1ms: PEXPIRE 0 would delete the counter it just created.
	return incrScript.Run(ctx, r.once, []string{key}, max(ttl.Milliseconds(), 1)).Int64()
}

// SAdd implements Cache. Add and expiry go in one MULTI so a set is never
// left without an expiry. With no members it only refreshes the expiry, as
// SADD refuses an empty member list.
func (r *Redis) SAdd(ctx context.Context, key string, ttl time.Duration, members ...string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errTTL
	}
	if len(members) == 0 {
		return r.c.PExpire(ctx, key, ttl).Err()
	}
	_, err := r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, key, anys(members)...)
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
	if len(members) == 0 {
		return nil // SREM refuses an empty member list; nothing to do
	}
	return r.c.SRem(ctx, key, anys(members)...).Err()
}

// Ping implements Cache.
func (r *Redis) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }

// Close implements Cache.
func (r *Redis) Close() error { return errors.Join(r.c.Close(), r.once.Close()) }

// anys converts members to the variadic form go-redis takes.
func anys(members []string) []any {
	out := make([]any, len(members))
	for i, m := range members {
		out[i] = m
	}
	return out
}
