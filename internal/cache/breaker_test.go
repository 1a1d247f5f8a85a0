package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// countingCache counts the calls that reach it and fails them with err
// while err is set.
type countingCache struct {
	Cache
	calls atomic.Int64
	mu    sync.Mutex
	err   error
}

func (c *countingCache) fail(err error) { c.mu.Lock(); c.err = err; c.mu.Unlock() }

func (c *countingCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	c.calls.Add(1)
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err != nil {
		return nil, false, err
	}
	return c.Cache.Get(ctx, key)
}

func (c *countingCache) GetVersioned(ctx context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	c.calls.Add(1)
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err != nil {
		return "", nil, false, err
	}
	return c.Cache.GetVersioned(ctx, verKey, prefix, suffix)
}

// The portal's one-round-trip read is guarded like any other call: its
// outage opens the breaker, and it is bypassed while open.
func TestBreakerGuardsVersionedReads(t *testing.T) {
	ctx := context.Background()
	inner := &countingCache{Cache: NewMemory()}
	var clock atomic.Int64
	b := newBreaker(inner, time.Second, func() time.Time { return time.Unix(0, clock.Load()) })
	down := errors.New("dial tcp: connection refused")
	inner.fail(down)
	if _, _, _, err := b.GetVersioned(ctx, "g:gen", "g:e:", ""); !errors.Is(err, down) {
		t.Fatalf("the failing call: %v", err)
	}
	if _, _, _, err := b.GetVersioned(ctx, "g:gen", "g:e:", ""); !errors.Is(err, ErrBypassed) {
		t.Fatalf("open breaker: %v", err)
	}
	if _, _, err := b.Get(ctx, "g:k"); !errors.Is(err, ErrBypassed) {
		t.Fatalf("open breaker, Get: %v", err)
	}
	if n := inner.calls.Load(); n != 1 {
		t.Fatalf("backend asked %d times, want 1", n)
	}
	inner.fail(nil)
	clock.Add(int64(time.Second))
	if _, _, _, err := b.GetVersioned(ctx, "g:gen", "g:e:", ""); err != nil {
		t.Fatalf("probe after the cooldown: %v", err)
	}
	if _, _, err := b.Get(ctx, "g:k"); err != nil {
		t.Fatalf("closed again: %v", err)
	}
}

func TestBreakerBypassesAFailedBackend(t *testing.T) {
	ctx := context.Background()
	inner := &countingCache{Cache: NewMemory()}
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	b := newBreaker(inner, time.Second, func() time.Time { return time.Unix(0, clock.Load()) })
	advance := func(d time.Duration) { clock.Add(int64(d)) }

	if _, _, err := b.Get(ctx, "g:k"); err != nil || inner.calls.Load() != 1 {
		t.Fatalf("closed breaker: err %v, calls %d", err, inner.calls.Load())
	}
	down := errors.New("dial tcp: connection refused")
	inner.fail(down)
	if _, _, err := b.Get(ctx, "g:k"); !errors.Is(err, down) {
		t.Fatalf("the failing call: %v", err)
	}
	// Open: calls are answered at once, the backend is not asked.
	for i := 0; i < 5; i++ {
		if _, _, err := b.Get(ctx, "g:k"); !errors.Is(err, ErrBypassed) {
			t.Fatalf("open breaker: %v", err)
		}
		if err := b.Set(ctx, "g:k", []byte("x"), time.Minute); !errors.Is(err, ErrBypassed) {
			t.Fatalf("open breaker Set: %v", err)
		}
	}
	if n := inner.calls.Load(); n != 2 {
		t.Fatalf("backend asked %d times while open, want 2 in all", n)
	}
	// After the cooldown one probe goes through; it fails and re-opens.
	advance(time.Second)
	if _, _, err := b.Get(ctx, "g:k"); !errors.Is(err, down) || inner.calls.Load() != 3 {
		t.Fatalf("probe: %v, calls %d", err, inner.calls.Load())
	}
	if _, _, err := b.Get(ctx, "g:k"); !errors.Is(err, ErrBypassed) {
		t.Fatalf("re-opened breaker: %v", err)
	}
	// The backend is back: the next probe closes the breaker.
	inner.fail(nil)
	advance(time.Second)
	for i := 0; i < 3; i++ {
		if _, _, err := b.Get(ctx, "g:k"); err != nil {
			t.Fatalf("closed again, call %d: %v", i, err)
		}
	}
	if n := inner.calls.Load(); n != 6 {
		t.Fatalf("backend calls %d, want 6", n)
	}
}

// Misuse and Redis error replies are answers, not outages.
func TestBreakerIgnoresRefusedCalls(t *testing.T) {
	ctx := context.Background()
	mr := miniredis.RunT(t)
	r, err := NewRedis(ctx, "redis://"+mr.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	counted := &countingCache{Cache: r}
	b := WithBreaker(counted, time.Hour)
	if _, _, err := b.Get(ctx, "no-prefix"); !errors.Is(err, ErrBadKey) {
		t.Fatalf("bad key: %v", err)
	}
	if err := b.Set(ctx, "g:k", []byte("x"), 0); err == nil {
		t.Fatal("ttl 0 accepted")
	}
	_ = b.SAdd(ctx, "g:set", time.Minute, "a")
	if _, _, err := b.Get(ctx, "g:set"); err == nil || errors.Is(err, ErrBypassed) {
		t.Fatalf("WRONGTYPE: %v", err)
	}
	if err := b.Set(ctx, "g:k", []byte("x"), time.Minute); err != nil {
		t.Fatalf("breaker opened by refused calls: %v", err)
	}
	// A real outage opens it: Redis goes away.
	mr.Close()
	if _, _, err := b.Get(ctx, "g:k"); err == nil || errors.Is(err, ErrBypassed) {
		t.Fatalf("first call after Redis stopped: %v", err)
	}
	// Bypassed means Redis is not asked: counted, not timed (a 1 ms bound
	// failed whenever the test goroutine was descheduled under -race).
	before := counted.calls.Load()
	if _, _, err := b.Get(ctx, "g:k"); !errors.Is(err, ErrBypassed) {
		t.Fatalf("second call: %v", err)
	}
	if n := counted.calls.Load() - before; n != 0 {
		t.Fatalf("a bypassed call reached Redis (%d calls)", n)
	}
}
