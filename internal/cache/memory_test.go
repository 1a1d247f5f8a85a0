package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestCheckKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"g:x": true, "g:": true, TenantKey(uuid.New(), "a"): true, GlobalKey("a", "b"): true,
		"foo": false, "t:notauuid:x": false, "t:" + uuid.NewString(): false, "": false, "G:x": false,
	} {
		if err := CheckKey(key); (err == nil) != ok {
			t.Errorf("CheckKey(%q) = %v, want ok=%v", key, err, ok)
		}
	}
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

// When full, expired entries go first, then those expiring soonest; live
// long-lived entries survive.
func TestMemoryEvictionOrder(t *testing.T) {
	ctx, clock := context.Background(), newFakeClock()
	m := NewMemory(WithClock(clock.Now), WithMaxEntries(10))
	for i := range 5 {
		_ = m.Set(ctx, fmt.Sprintf("g:short%d", i), []byte("x"), time.Second)
		_ = m.Set(ctx, fmt.Sprintf("g:long%d", i), []byte("x"), time.Hour)
	}
	clock.Advance(2 * time.Second)
	_ = m.Set(ctx, "g:new", []byte("x"), time.Hour)
	if m.Len() != 6 {
		t.Fatalf("expired entries not dropped first: %d entries, want 6", m.Len())
	}
	for i := range 4 {
		_ = m.Set(ctx, fmt.Sprintf("g:soon%d", i), []byte("x"), time.Duration(i+1)*time.Minute)
	}
	_ = m.Set(ctx, "g:last", []byte("x"), time.Hour) // full, nothing expired
	if _, ok, _ := m.Get(ctx, "g:soon0"); ok {
		t.Error("the entry expiring soonest survived eviction")
	}
	for _, k := range []string{"g:soon1", "g:long0", "g:long4", "g:new", "g:last"} {
		if _, ok, _ := m.Get(ctx, k); !ok {
			t.Errorf("%s evicted before entries expiring sooner", k)
		}
	}
}

// Expired keys nobody reads again are still reclaimed, by the timed sweep.
func TestMemorySweepsExpired(t *testing.T) {
	ctx, clock := context.Background(), newFakeClock()
	m := NewMemory(WithClock(clock.Now))
	for i := range 50 {
		_ = m.Set(ctx, fmt.Sprintf("g:k%d", i), []byte("x"), time.Second)
	}
	clock.Advance(sweepEvery)
	_ = m.Set(ctx, "g:trigger", []byte("x"), time.Hour)
	if m.Len() != 1 {
		t.Fatalf("%d entries after a sweep, want 1", m.Len())
	}
}

// Callers may modify what they passed in or got back without touching the cache.
func TestMemoryCopiesValues(t *testing.T) {
	ctx, m := context.Background(), NewMemory()
	in := []byte("abc")
	_ = m.Set(ctx, "g:k", in, time.Minute)
	in[0] = 'X'
	out, _, _ := m.Get(ctx, "g:k")
	out[1] = 'Y'
	if again, _, _ := m.Get(ctx, "g:k"); string(again) != "abc" {
		t.Fatalf("stored value changed through a caller's slice: %q", again)
	}
}
