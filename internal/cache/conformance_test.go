package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/uuid"
)

// backend is one Cache under test plus a way to move its clock.
type backend struct {
	c       Cache
	advance func(time.Duration)
	prefix  string // keeps runs on a shared real Redis apart
}

// runConformance is the one suite both implementations must pass.
func runConformance(t *testing.T, newBackend func(t *testing.T) backend) {
	ctx := context.Background()
	t.Run("get set del", func(t *testing.T) {
		b := newBackend(t)
		k := b.prefix + "a"
		if _, ok, err := b.c.Get(ctx, k); ok || err != nil {
			t.Fatalf("miss: ok=%v err=%v", ok, err)
		}
		if err := b.c.Set(ctx, k, []byte("v1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		v, ok, err := b.c.Get(ctx, k)
		if !ok || err != nil || string(v) != "v1" {
			t.Fatalf("hit: %q %v %v", v, ok, err)
		}
		if err := b.c.Del(ctx, k, b.prefix+"never-set"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := b.c.Get(ctx, k); ok {
			t.Fatal("deleted key still there")
		}
	})
	t.Run("ttl expiry", func(t *testing.T) {
		b := newBackend(t)
		k := b.prefix + "ttl"
		_ = b.c.Set(ctx, k, []byte("x"), time.Second)
		b.advance(1100 * time.Millisecond)
		if _, ok, _ := b.c.Get(ctx, k); ok {
			t.Fatal("expired key still there")
		}
	})
	t.Run("incr fixed window", func(t *testing.T) {
		b := newBackend(t)
		k := b.prefix + "n"
		for want := int64(1); want <= 3; want++ {
			n, err := b.c.Incr(ctx, k, time.Second)
			if err != nil || n != want {
				t.Fatalf("incr: %d %v, want %d", n, err, want)
			}
		}
		if v, ok, _ := b.c.Get(ctx, k); !ok || string(v) != "3" {
			t.Fatalf("Get of a counter: %q %v", v, ok)
		}
		b.advance(1100 * time.Millisecond)
		if n, _ := b.c.Incr(ctx, k, time.Second); n != 1 {
			t.Fatalf("new window starts at %d", n)
		}
	})
	t.Run("sets", func(t *testing.T) {
		b := newBackend(t)
		k := b.prefix + "set"
		if err := b.c.SAdd(ctx, k, time.Minute, "a", "b", "c"); err != nil {
			t.Fatal(err)
		}
		_ = b.c.SRem(ctx, k, "b")
		got, err := b.c.SMembers(ctx, k)
		sort.Strings(got)
		if err != nil || len(got) != 2 || got[0] != "a" || got[1] != "c" {
			t.Fatalf("members: %v %v", got, err)
		}
		if got, _ := b.c.SMembers(ctx, b.prefix+"empty"); len(got) != 0 {
			t.Fatalf("missing set: %v", got)
		}
	})
	t.Run("key prefixes", func(t *testing.T) {
		b := newBackend(t)
		for _, bad := range []string{"foo", "t:not-a-uuid:x", "t:", "session:1"} {
			if err := b.c.Set(ctx, bad, []byte("x"), time.Minute); !errors.Is(err, ErrBadKey) {
				t.Errorf("Set(%q): %v, want ErrBadKey", bad, err)
			}
			if _, _, err := b.c.Get(ctx, bad); !errors.Is(err, ErrBadKey) {
				t.Errorf("Get(%q): %v", bad, err)
			}
		}
		good := TenantKey(uuid.New(), "orders", "1")
		if err := b.c.Set(ctx, good, []byte("x"), time.Minute); err != nil {
			t.Errorf("tenant key refused: %v", err)
		}
		_ = b.c.Del(ctx, good)
	})
	t.Run("concurrent incr", func(t *testing.T) {
		b := newBackend(t)
		k := b.prefix + "race"
		var wg sync.WaitGroup
		var failed atomic.Int64
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 25; j++ {
					if _, err := b.c.Incr(ctx, k, time.Minute); err != nil {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if n, _ := b.c.Incr(ctx, k, time.Minute); n != 501 || failed.Load() != 0 {
			t.Fatalf("after 500 concurrent increments: %d (failures %d)", n, failed.Load())
		}
	})
	t.Run("ping", func(t *testing.T) {
		if err := newBackend(t).c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMemoryConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) backend {
		var mu sync.Mutex
		clock := time.Unix(1_700_000_000, 0)
		m := NewMemory(WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }))
		return backend{c: m, prefix: "g:test:", advance: func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }}
	})
}

func TestMiniredisConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) backend {
		mr := miniredis.RunT(t)
		r, err := NewRedis(context.Background(), "redis://"+mr.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		return backend{c: r, prefix: "g:test:", advance: mr.FastForward}
	})
}

func TestRedisConformance(t *testing.T) {
	url := os.Getenv("NEXO_TEST_REDIS_URL")
	if url == "" {
		t.Skip("set NEXO_TEST_REDIS_URL to run against a real Redis")
	}
	runConformance(t, func(t *testing.T) backend {
		r, err := NewRedis(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		buf := make([]byte, 6)
		_, _ = rand.Read(buf)
		return backend{c: r, prefix: "g:test:" + hex.EncodeToString(buf) + ":", advance: time.Sleep}
	})
}

func TestMemoryIsBounded(t *testing.T) {
	m := NewMemory(WithMaxEntries(10))
	for i := 0; i < 100; i++ {
		_ = m.Set(context.Background(), GlobalKey("k", uuid.NewString()), []byte("x"), time.Minute)
	}
	if m.Len() > 10 {
		t.Fatalf("%d entries, bound 10", m.Len())
	}
}

// A dead Redis answers with an error quickly instead of hanging requests.
func TestDeadRedisFailsFast(t *testing.T) {
	r, err := NewRedis(context.Background(), "redis://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Now()
	if _, _, err := r.Get(context.Background(), "g:x"); err == nil {
		t.Fatal("Get on a dead Redis succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("dead Redis took %v", d)
	}
}
