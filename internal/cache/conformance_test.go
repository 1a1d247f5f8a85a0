package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	advance func(time.Duration) // fake clock, FastForward, or a real sleep
	prefix  string              // keeps runs on a shared real Redis apart
}

// runConformance is the one suite both implementations must pass. Every
// subtest gets a fresh backend, so they run in parallel: on a real Redis the
// TTL cases sleep, and this keeps the suite at a few seconds.
func runConformance(t *testing.T, newBackend func(t *testing.T) backend) {
	cases := []struct {
		name string
		run  func(*testing.T, backend)
	}{
		{"get set del", testGetSetDel},
		{"versioned get", testVersioned},
		{"ttl expiry", testTTL},
		{"ttl must be positive", testTTLPositive},
		{"incr fixed window", testIncrWindow},
		{"incr values", testIncrValues},
		{"sets", testSets},
		{"set expiry", testSetExpiry},
		{"wrong type", testWrongType},
		{"key prefixes", testKeyPrefixes},
		{"concurrent incr", testConcurrentIncr},
		{"concurrent mixed", testConcurrentMixed},
		{"ping", func(t *testing.T, b backend) {
			if err := b.c.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newBackend(t))
		})
	}
}

func testGetSetDel(t *testing.T, b backend) {
	ctx, k := context.Background(), b.prefix+"a"
	if v, ok, err := b.c.Get(ctx, k); ok || err != nil || v != nil {
		t.Fatalf("miss: %q ok=%v err=%v", v, ok, err)
	}
	for _, want := range []string{"v1", "v2"} { // the second overwrites
		if err := b.c.Set(ctx, k, []byte(want), time.Minute); err != nil {
			t.Fatal(err)
		}
		v, ok, err := b.c.Get(ctx, k)
		if !ok || err != nil || string(v) != want {
			t.Fatalf("hit: %q %v %v, want %q", v, ok, err, want)
		}
	}
	if err := b.c.Set(ctx, b.prefix+"empty", []byte{}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := b.c.Get(ctx, b.prefix+"empty"); !ok || err != nil || len(v) != 0 {
		t.Fatalf("empty value: %q %v %v", v, ok, err)
	}
	if err := b.c.Del(ctx, k, b.prefix+"never-set"); err != nil {
		t.Fatal(err)
	}
	if err := b.c.Del(ctx); err != nil {
		t.Fatalf("Del of no keys: %v", err)
	}
	if _, ok, _ := b.c.Get(ctx, k); ok {
		t.Fatal("deleted key still there")
	}
}

// GetVersioned reads a generation token and the entry it names together;
// SetVersion replaces the token.
func testVersioned(t *testing.T, b backend) {
	ctx, gk, pre := context.Background(), b.prefix+"gen", b.prefix+"e:"
	check := func(wantVer, wantVal string, wantHit bool) {
		t.Helper()
		ver, v, hit, err := b.c.GetVersioned(ctx, gk, pre, ":q")
		if err != nil || ver != wantVer || hit != wantHit || string(v) != wantVal {
			t.Fatalf("GetVersioned: %q %q %v %v, want %q %q %v", ver, v, hit, err, wantVer, wantVal, wantHit)
		}
	}
	check("", "", false) // no generation yet
	_ = b.c.Set(ctx, pre+":q", []byte("no generation"), time.Minute)
	_ = b.c.SetVersion(ctx, gk, []byte{}, time.Minute)
	check("", "", false) // an empty token is none
	_ = b.c.SetVersion(ctx, gk, []byte("g1"), time.Minute)
	check("g1", "", false) // a generation, no entry under it
	_ = b.c.Set(ctx, pre+"g1:q", []byte("page \x00 one"), time.Minute)
	_ = b.c.Set(ctx, pre+"g1:other", []byte("another entry"), time.Minute)
	check("g1", "page \x00 one", true)
	_ = b.c.SetVersion(ctx, gk, []byte("g2"), time.Minute) // invalidation
	check("g2", "", false)
	_ = b.c.Set(ctx, pre+"g2:q", []byte{}, time.Minute)
	check("g2", "", true) // an empty entry is still a hit
	b.advance(1100 * time.Millisecond)
	_ = b.c.SetVersion(ctx, gk, []byte("g3"), time.Second)
	_ = b.c.Set(ctx, pre+"g3:q", []byte("short"), time.Second)
	check("g3", "short", true)
	b.advance(1100 * time.Millisecond)
	check("", "", false) // both expired
	_ = b.c.SAdd(ctx, gk, time.Minute, "a")
	if _, _, _, err := b.c.GetVersioned(ctx, gk, pre, ":q"); err == nil {
		t.Error("GetVersioned of a set as the generation succeeded")
	}
}

func testTTL(t *testing.T, b backend) {
	ctx, k := context.Background(), b.prefix+"ttl"
	if err := b.c.Set(ctx, k, []byte("x"), time.Second); err != nil {
		t.Fatal(err)
	}
	b.advance(500 * time.Millisecond)
	if _, ok, _ := b.c.Get(ctx, k); !ok {
		t.Fatal("key gone before its ttl")
	}
	b.advance(600 * time.Millisecond)
	if _, ok, _ := b.c.Get(ctx, k); ok {
		t.Fatal("expired key still there")
	}
}

func testTTLPositive(t *testing.T, b backend) {
	ctx, k := context.Background(), b.prefix+"nottl"
	if err := b.c.Set(ctx, k, []byte("x"), 0); err == nil {
		t.Error("Set with ttl 0 accepted")
	}
	if _, err := b.c.Incr(ctx, k, -time.Second); err == nil {
		t.Error("Incr with negative ttl accepted")
	}
	if err := b.c.SAdd(ctx, k, 0, "a"); err == nil {
		t.Error("SAdd with ttl 0 accepted")
	}
	if err := b.c.SetVersion(ctx, k, []byte("v"), 0); err == nil {
		t.Error("SetVersion with ttl 0 accepted")
	}
}

// The window starts at the first increment and does not slide with later ones.
func testIncrWindow(t *testing.T, b backend) {
	ctx, k := context.Background(), b.prefix+"n"
	for want := int64(1); want <= 3; want++ {
		n, err := b.c.Incr(ctx, k, time.Second)
		if err != nil || n != want {
			t.Fatalf("incr: %d %v, want %d", n, err, want)
		}
	}
	if v, ok, _ := b.c.Get(ctx, k); !ok || string(v) != "3" {
		t.Fatalf("Get of a counter: %q %v", v, ok)
	}
	b.advance(600 * time.Millisecond)
	if n, _ := b.c.Incr(ctx, k, time.Second); n != 4 {
		t.Fatalf("same window: %d, want 4", n)
	}
	b.advance(600 * time.Millisecond)
	if n, _ := b.c.Incr(ctx, k, time.Second); n != 1 {
		t.Fatalf("window slid: new window starts at %d, want 1", n)
	}
}

func testIncrValues(t *testing.T, b backend) {
	ctx := context.Background()
	_ = b.c.Set(ctx, b.prefix+"num", []byte("41"), time.Minute)
	if n, err := b.c.Incr(ctx, b.prefix+"num", time.Minute); n != 42 || err != nil {
		t.Fatalf("Incr of a stored number: %d %v", n, err)
	}
	_ = b.c.Set(ctx, b.prefix+"word", []byte("abc"), time.Minute)
	if _, err := b.c.Incr(ctx, b.prefix+"word", time.Minute); err == nil {
		t.Fatal("Incr of a non-number succeeded")
	}
}

func testSets(t *testing.T, b backend) {
	ctx, k := context.Background(), b.prefix+"set"
	if err := b.c.SAdd(ctx, k, time.Minute, "a", "b", "c", "a"); err != nil {
		t.Fatal(err)
	}
	if err := b.c.SRem(ctx, k, "b", "not-there"); err != nil {
		t.Fatal(err)
	}
	if err := b.c.SRem(ctx, k); err != nil {
		t.Fatalf("SRem of no members: %v", err)
	}
	got, err := b.c.SMembers(ctx, k)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("members: %v %v", got, err)
	}
	_ = b.c.SRem(ctx, k, "a", "c")
	if got, err := b.c.SMembers(ctx, k); len(got) != 0 || err != nil {
		t.Fatalf("emptied set: %v %v", got, err)
	}
	if got, err := b.c.SMembers(ctx, b.prefix+"missing"); len(got) != 0 || err != nil {
		t.Fatalf("missing set: %v %v", got, err)
	}
	if err := b.c.SRem(ctx, b.prefix+"missing", "x"); err != nil {
		t.Fatalf("SRem on a missing set: %v", err)
	}
}

// SAdd (re)sets the expiry, even with no members to add.
func testSetExpiry(t *testing.T, b backend) {
	ctx, k := context.Background(), b.prefix+"sx"
	if err := b.c.SAdd(ctx, k, time.Second, "a"); err != nil {
		t.Fatal(err)
	}
	b.advance(600 * time.Millisecond)
	if err := b.c.SAdd(ctx, k, time.Second); err != nil {
		t.Fatalf("SAdd of no members: %v", err)
	}
	b.advance(600 * time.Millisecond)
	if got, _ := b.c.SMembers(ctx, k); len(got) != 1 {
		t.Fatalf("refreshed set expired: %v", got)
	}
	b.advance(500 * time.Millisecond)
	if got, _ := b.c.SMembers(ctx, k); len(got) != 0 {
		t.Fatalf("expired set still there: %v", got)
	}
	_ = b.c.SAdd(ctx, b.prefix+"never", time.Minute)
	if got, _ := b.c.SMembers(ctx, b.prefix+"never"); len(got) != 0 {
		t.Fatalf("SAdd of no members created a set: %v", got)
	}
}

// Both backends refuse the same misuse instead of silently differing.
func testWrongType(t *testing.T, b backend) {
	ctx := context.Background()
	_ = b.c.Set(ctx, b.prefix+"str", []byte("x"), time.Minute)
	if err := b.c.SAdd(ctx, b.prefix+"str", time.Minute, "a"); err == nil {
		t.Error("SAdd on a string succeeded")
	}
	_ = b.c.SAdd(ctx, b.prefix+"set", time.Minute, "a")
	if _, ok, err := b.c.Get(ctx, b.prefix+"set"); err == nil || ok {
		t.Errorf("Get of a set: ok=%v err=%v", ok, err)
	}
	if _, err := b.c.Incr(ctx, b.prefix+"set", time.Minute); err == nil {
		t.Error("Incr of a set succeeded")
	}
}

func testKeyPrefixes(t *testing.T, b backend) {
	ctx := context.Background()
	for _, bad := range []string{"foo", "t:notauuid:x", "t:not-a-uuid:x", "t:", "g", "", "session:1",
		"t:" + uuid.NewString(), "T:" + uuid.NewString() + ":x", "G:x"} {
		calls := map[string]error{"Set": b.c.Set(ctx, bad, []byte("x"), time.Minute), "Del": b.c.Del(ctx, b.prefix+"ok", bad),
			"SAdd": b.c.SAdd(ctx, bad, time.Minute, "a"), "SRem": b.c.SRem(ctx, bad, "a")}
		_, _, calls["Get"] = b.c.Get(ctx, bad)
		_, calls["Incr"] = b.c.Incr(ctx, bad, time.Minute)
		_, calls["SMembers"] = b.c.SMembers(ctx, bad)
		_, _, _, calls["GetVersioned key"] = b.c.GetVersioned(ctx, bad, b.prefix, "")
		_, _, _, calls["GetVersioned prefix"] = b.c.GetVersioned(ctx, b.prefix+"v", bad, "")
		calls["SetVersion"] = b.c.SetVersion(ctx, bad, []byte("v"), time.Minute)
		for op, err := range calls {
			if !errors.Is(err, ErrBadKey) {
				t.Errorf("%s(%q): %v, want ErrBadKey", op, bad, err)
			}
		}
	}
	for _, good := range []string{TenantKey(uuid.New(), "orders", "1"), b.prefix + "x"} {
		if err := b.c.Set(ctx, good, []byte("x"), time.Minute); err != nil {
			t.Errorf("Set(%q) refused: %v", good, err)
		}
		if _, ok, err := b.c.Get(ctx, good); !ok || err != nil {
			t.Errorf("Get(%q): %v %v", good, ok, err)
		}
		_ = b.c.Del(ctx, good)
	}
}

func testConcurrentIncr(t *testing.T, b backend) {
	ctx, k := context.Background(), b.prefix+"race"
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 20 {
		wg.Go(func() {
			for range 25 {
				if _, err := b.c.Incr(ctx, k, time.Minute); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	// Every increment that succeeded counts, none counts twice. A starved
	// machine (CI under -race) can time out a few calls; a timed-out INCR
	// may or may not have been applied, so only those are uncertain.
	n, _ := b.c.Incr(ctx, k, time.Minute)
	ok := int64(500) - failed.Load()
	if n-1 < ok || n-1 > 500 || failed.Load() > 50 {
		t.Fatalf("after 500 concurrent increments: %d (failures %d)", n, failed.Load())
	}
}

// Every operation at once on overlapping keys, for the race detector.
func testConcurrentMixed(t *testing.T, b backend) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				k, s := fmt.Sprintf("%sm%d", b.prefix, i%4), fmt.Sprintf("%sms%d", b.prefix, i%4)
				_ = b.c.Set(ctx, k, []byte{byte(g)}, time.Minute)
				_, _, _ = b.c.Get(ctx, k)
				_ = b.c.SAdd(ctx, s, time.Minute, fmt.Sprint(g))
				_, _ = b.c.SMembers(ctx, s)
				_ = b.c.SRem(ctx, s, fmt.Sprint(g-1))
				_ = b.c.Del(ctx, k)
			}
		})
	}
	wg.Wait()
}

func TestMemoryConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) backend {
		clock := newFakeClock()
		return backend{c: NewMemory(WithClock(clock.Now)), prefix: "g:test:", advance: clock.Advance}
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

// TestRedisConformance runs the suite on a real server, e.g.
// NEXO_TEST_REDIS_URL=redis://127.0.0.1:6379/15, under a random key prefix
// that is deleted afterwards. Expiry is real there, so advance sleeps.
func TestRedisConformance(t *testing.T) {
	url := testRedisURL(t)
	runConformance(t, func(t *testing.T) backend {
		r, err := NewRedis(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Ping(context.Background()); err != nil {
			t.Fatalf("NEXO_TEST_REDIS_URL is set but Redis is unreachable: %v", err)
		}
		prefix := randomPrefix()
		t.Cleanup(func() { _ = r.Close() })
		// Registered after Close so it runs before it (last in, first out).
		t.Cleanup(func() { cleanRedis(t, r, prefix) })
		return realTime(r, prefix)
	})
}

// realTimeStretch multiplies the suite's TTLs and waits on a real clock.
// The "not expired yet" checks have 400-500 ms to spare at the fake
// clocks' scale, which a stalled test goroutine (-race on two busy cores)
// can use up; three times that is still a few seconds of suite.
const realTimeStretch = 3

// realTime is a backend on real expiry: every ttl given to c and every
// wait is realTimeStretch times longer, so the cases keep their proportions.
func realTime(c Cache, prefix string) backend {
	return backend{c: stretched{c}, prefix: prefix, advance: func(d time.Duration) { time.Sleep(d * realTimeStretch) }}
}

type stretched struct{ Cache }

func (s stretched) SetVersion(ctx context.Context, k string, token []byte, ttl time.Duration) error {
	return s.Cache.SetVersion(ctx, k, token, ttl*realTimeStretch)
}

func (s stretched) Set(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	return s.Cache.Set(ctx, k, v, ttl*realTimeStretch)
}

func (s stretched) Incr(ctx context.Context, k string, ttl time.Duration) (int64, error) {
	return s.Cache.Incr(ctx, k, ttl*realTimeStretch)
}

func (s stretched) SAdd(ctx context.Context, k string, ttl time.Duration, members ...string) error {
	return s.Cache.SAdd(ctx, k, ttl*realTimeStretch, members...)
}

// cleanRedis deletes every key under prefix, so test runs leave nothing behind.
func cleanRedis(t *testing.T, r *Redis, prefix string) {
	ctx := context.Background()
	keys, err := r.Client().Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Logf("cleanup of %s*: %v", prefix, err)
		return
	}
	if len(keys) > 0 {
		_ = r.Client().Del(ctx, keys...).Err()
	}
}

// fakeClock is a settable clock for Memory, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
