package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// newNear puts a Near with a settable clock over the Redis at url and waits
// until its subscription is confirmed (before that it only passes through,
// which would make every test below pass vacuously).
func newNear(t *testing.T, url string, opt NearOptions) (*Near, *fakeClock) {
	t.Helper()
	r, err := NewRedis(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	if opt.Now == nil {
		opt.Now = clock.Now
	}
	n := NewNear(r, opt)
	t.Cleanup(func() { _ = n.Close() })
	waitFor(t, "the subscription", func() bool { return n.isLive() })
	return n, clock
}

func (n *Near) isLive() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.live
}

// waitFor polls cond for up to 5 s: messages between instances arrive
// asynchronously, and this waits for them rather than for a fixed time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestNearConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) backend {
		mr := miniredis.RunT(t)
		n, clock := newNear(t, "redis://"+mr.Addr(), NearOptions{})
		return backend{c: n, prefix: "g:test:", advance: func(d time.Duration) { mr.FastForward(d); clock.Advance(d) }}
	})
}

// TestRedisNearConformance runs the suite through Near on a real server
// (NEXO_TEST_REDIS_URL), with real time.
func TestRedisNearConformance(t *testing.T) {
	url := testRedisURL(t)
	runConformance(t, func(t *testing.T) backend {
		n, _ := newNear(t, url, NearOptions{Now: time.Now})
		prefix := randomPrefix()
		t.Cleanup(func() { cleanRedis(t, n.Redis, prefix) })
		return realTime(n, prefix)
	})
}

func testRedisURL(t *testing.T) string {
	url := os.Getenv("NEXO_TEST_REDIS_URL")
	if url == "" {
		t.Skip("set NEXO_TEST_REDIS_URL to run against a real Redis")
	}
	return url
}

func randomPrefix() string {
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	return "g:test:" + hex.EncodeToString(buf) + ":"
}

// nearRedisURL is a real Redis when one is configured, else a miniredis:
// the instance-to-instance tests run on both paths.
func nearRedisURL(t *testing.T) (url, prefix string) {
	if url := os.Getenv("NEXO_TEST_REDIS_URL"); url != "" {
		return url, randomPrefix()
	}
	return "redis://" + miniredis.RunT(t).Addr(), "g:test:"
}

// A hit comes from the local copy: a change written to Redis behind Near's
// back (not through SetVersion) is not seen until the copy's TTL ends.
func TestNearServesLocalCopy(t *testing.T) {
	url, pre := nearRedisURL(t)
	n, clock := newNear(t, url, NearOptions{TTL: time.Second})
	ctx, gk := context.Background(), pre+"gen"
	t.Cleanup(func() { cleanRedis(t, n.Redis, pre) })
	// The version is written without announcing it: Near hears its own
	// announcements too, and one arriving after the first read dropped the
	// copy this test is about (one run in 200 on miniredis, 1 in 40 on
	// Redis).
	if err := n.Redis.Set(ctx, gk, []byte("g1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	_ = n.Set(ctx, pre+"e:g1:q", []byte("one"), time.Minute)
	read := func() string {
		t.Helper()
		ver, v, hit, err := n.GetVersioned(ctx, gk, pre+"e:", ":q")
		if err != nil || !hit || ver != "g1" {
			t.Fatalf("GetVersioned: %q %q %v %v", ver, v, hit, err)
		}
		return string(v)
	}
	// A read is not kept when any announcement (on a shared Redis, other
	// processes' too) arrives while it is in flight: read until one is.
	waitFor(t, "a local copy", func() bool {
		if got := read(); got != "one" {
			t.Fatalf("first read %q", got)
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.m[gk] != nil && len(n.m[gk].vals) == 1
	})
	_ = n.Redis.Set(ctx, pre+"e:g1:q", []byte("two"), time.Minute)
	clock.Advance(999 * time.Millisecond)
	local, redis := testutil.ToFloat64(n.fromLocal), testutil.ToFloat64(n.fromRedis)
	if got := read(); got != "one" {
		t.Fatalf("within the TTL the local copy should answer, got %q", got)
	}
	if testutil.ToFloat64(n.fromLocal) != local+1 || testutil.ToFloat64(n.fromRedis) != redis {
		t.Error("a local answer was not counted as local")
	}
	clock.Advance(time.Millisecond)
	if got := read(); got != "two" {
		t.Fatalf("after the TTL Redis should answer, got %q", got)
	}
	if testutil.ToFloat64(n.fromRedis) != redis+1 {
		t.Error("an answer from Redis was not counted as redis")
	}
}

// SetVersion on one instance drops the copies of every instance: here, at
// once, and on the other when the announcement arrives.
func TestNearDropsOnEveryInstance(t *testing.T) {
	url, pre := nearRedisURL(t)
	a, _ := newNear(t, url, NearOptions{})
	b, _ := newNear(t, url, NearOptions{})
	ctx, gk, ep := context.Background(), pre+"gen", pre+"e:"
	t.Cleanup(func() { cleanRedis(t, a.Redis, pre) })
	_ = a.SetVersion(ctx, gk, []byte("g1"), time.Minute)
	_ = a.Set(ctx, ep+"g1:q", []byte("old"), time.Minute)
	_ = a.Set(ctx, ep+"g2:q", []byte("new"), time.Minute)
	for _, n := range []*Near{a, b} {
		if _, v, _, _ := n.GetVersioned(ctx, gk, ep, ":q"); string(v) != "old" {
			t.Fatalf("first read %q", v)
		}
	}
	if err := b.SetVersion(ctx, gk, []byte("g2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if ver, v, _, _ := b.GetVersioned(ctx, gk, ep, ":q"); ver != "g2" || string(v) != "new" {
		t.Fatalf("the instance that replaced the version read %q %q", ver, v)
	}
	waitFor(t, "the other instance to drop its copy", func() bool {
		_, v, _, _ := a.GetVersioned(ctx, gk, ep, ":q")
		return string(v) == "new"
	})
	if _, v, _, _ := a.GetVersioned(ctx, gk, ep, ":q"); string(v) != "new" {
		t.Fatalf("the old copy came back: %q", v)
	}
}

// While announcements cannot be heard, no copy is used; when they are back,
// the copies from before are gone (what was announced meanwhile was lost).
func TestNearWithoutAnnouncements(t *testing.T) {
	mr := miniredis.RunT(t)
	n, _ := newNear(t, "redis://"+mr.Addr(), NearOptions{})
	ctx, gk, ep := context.Background(), "g:test:gen", "g:test:e:"
	_ = n.SetVersion(ctx, gk, []byte("g1"), time.Minute)
	_ = n.Set(ctx, ep+"g1:q", []byte("before"), time.Minute)
	if _, v, _, _ := n.GetVersioned(ctx, gk, ep, ":q"); string(v) != "before" {
		t.Fatalf("first read %q", v)
	}
	mr.Close()
	waitFor(t, "the lost subscription", func() bool { return !n.isLive() })
	if _, _, hit, err := n.GetVersioned(ctx, gk, ep, ":q"); hit || err == nil {
		t.Fatalf("with Redis down a local copy answered (hit %v, err %v)", hit, err)
	}
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	// The restarted server kept its data; a change made while this
	// instance could not hear it is read once the subscription is back.
	_ = mr.Set(ep+"g1:q", "during")
	waitFor(t, "the restored subscription", func() bool { return n.isLive() })
	if _, v, _, err := n.GetVersioned(ctx, gk, ep, ":q"); string(v) != "during" {
		t.Fatalf("after the outage: %q %v, want the value written meanwhile", v, err)
	}
}

// The copies stay within MaxBytes.
func TestNearBounded(t *testing.T) {
	mr := miniredis.RunT(t)
	n, _ := newNear(t, "redis://"+mr.Addr(), NearOptions{MaxBytes: 2000})
	ctx := context.Background()
	big := strings.Repeat("x", 300)
	for i := range 40 {
		gk := "g:test:" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ":gen"
		_ = n.SetVersion(ctx, gk, []byte("v"), time.Minute)
		_ = n.Set(ctx, gk+":v:q", []byte(big), time.Minute)
		if _, v, hit, err := n.GetVersioned(ctx, gk, gk+":", ":q"); !hit || err != nil || string(v) != big {
			t.Fatalf("read %d: %v %v", i, hit, err)
		}
		n.mu.Lock()
		size := n.size
		n.mu.Unlock()
		if size > 2000 {
			t.Fatalf("after %d entries the copies hold %d bytes, bound 2000", i+1, size)
		}
	}
}

// A Redis read in flight while its key is dropped is not kept (it may hold
// the version the drop replaced); a drop of another key does not matter,
// and a reset (subscription lost or restored) fails every read in flight.
func TestNearInFlightReads(t *testing.T) {
	mr := miniredis.RunT(t)
	n, clock := newNear(t, "redis://"+mr.Addr(), NearOptions{})
	now := clock.Now()
	kept := func(verKey string) bool {
		_, _, ok := n.local(verKey, "e\x00q", now)
		return ok
	}
	_, e := n.begin()
	n.drop("g:test:a:gen")
	n.keep("g:test:a:gen", "e\x00q", "v1", []byte("x"), e, now)
	if kept("g:test:a:gen") {
		t.Error("a read in flight during a drop of its key was kept")
	}
	_, e = n.begin()
	n.drop("g:test:other:gen")
	n.keep("g:test:a:gen", "e\x00q", "v1", []byte("x"), e, now)
	if !kept("g:test:a:gen") {
		t.Error("a drop of another key stopped a read from being kept")
	}
	_, e = n.begin()
	n.reset(true)
	n.keep("g:test:b:gen", "e\x00q", "v1", []byte("x"), e, now)
	if kept("g:test:b:gen") {
		t.Error("a read in flight during a reset was kept")
	}
}
