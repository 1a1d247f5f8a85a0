// Package cache is Nexo's shared fast state: hot reads, sessions, rate-limit
// counters. One interface, two implementations (Redis for production, memory
// for the embedded mode), one conformance suite run on both. Every key must
// start with "t:{tenant}:" or "g:" (T6); a key without such a prefix is
// refused, so an un-namespaced key cannot be written by mistake. The cache is
// never the source of truth: callers treat errors as misses.
package cache

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ErrBadKey is returned for a key without a tenant or global prefix.
var ErrBadKey = errors.New("cache: key must start with t:{tenant}: or g:")

// Cache is the store behind sessions, rate limits and cached reads.
type Cache interface {
	// Get returns the value and true, or nil and false on a miss.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// GetVersioned reads the version token at verKey and, when there is
	// one, the value at prefix+token+suffix, in one round trip: an entry
	// keyed by a generation that invalidation replaces (the portal read
	// cache). ver is "" when verKey holds nothing (or an empty token), and
	// then hit is false. prefix must itself be a valid key prefix. The
	// value may be shared with the backend: callers must not modify it.
	GetVersioned(ctx context.Context, verKey, prefix, suffix string) (ver string, value []byte, hit bool, err error)
	// SetVersion stores a new version token at verKey for ttl, which makes
	// every entry under the old token unreachable on every instance: a
	// backend that keeps local copies of versioned entries (Near) tells
	// every instance to drop the key's. An empty token counts as none.
	SetVersion(ctx context.Context, verKey string, token []byte, ttl time.Duration) error
	// Set stores value under key for ttl (ttl > 0 required).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Del removes keys; missing keys are not an error.
	Del(ctx context.Context, keys ...string) error
	// Incr adds 1 to the counter at key and returns the new value; the
	// counter expires ttl after its first increment (fixed window).
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
	// SAdd adds members to the set at key and (re)sets its expiry to ttl.
	SAdd(ctx context.Context, key string, ttl time.Duration, members ...string) error
	// SMembers returns the members of the set at key (empty on a miss).
	SMembers(ctx context.Context, key string) ([]string, error)
	// SRem removes members from the set at key.
	SRem(ctx context.Context, key string, members ...string) error
	// Ping checks the backend is reachable (readiness).
	Ping(ctx context.Context) error
	// Close releases resources.
	Close() error
}

// TenantKey builds a tenant-namespaced key: t:{tenant}:{parts joined by ':'}.
func TenantKey(tenantID uuid.UUID, parts ...string) string {
	return "t:" + tenantID.String() + ":" + strings.Join(parts, ":")
}

// GlobalKey builds a platform-wide key: g:{parts joined by ':'}.
func GlobalKey(parts ...string) string {
	return "g:" + strings.Join(parts, ":")
}

// CheckKey reports ErrBadKey for keys without a tenant or global prefix.
func CheckKey(key string) error {
	if strings.HasPrefix(key, "g:") {
		return nil
	}
	if strings.HasPrefix(key, "t:") && len(key) > 39 && key[38] == ':' {
		if _, err := uuid.Parse(key[2:38]); err == nil {
			return nil
		}
	}
	return ErrBadKey
}
