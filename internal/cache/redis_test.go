package cache

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

func TestNewRedisBadURL(t *testing.T) {
	if _, err := NewRedis(context.Background(), "not-a-url://x"); err == nil {
		t.Fatal("malformed URL accepted")
	}
}

// A dead Redis (connection refused) answers with an error quickly instead of
// hanging requests; construction itself does not fail.
func TestDeadRedisFailsFast(t *testing.T) {
	r, err := NewRedis(context.Background(), "redis://127.0.0.1:1")
	if err != nil {
		t.Fatalf("NewRedis must tolerate an unreachable server: %v", err)
	}
	defer r.Close()
	assertFailsFast(t, r)
}

// A hung Redis (accepts connections, never answers) is cut off by the read
// timeout rather than holding the request.
func TestHungRedisFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	r, err := NewRedis(context.Background(), "redis://"+ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	assertFailsFast(t, r)
}

// assertFailsFast checks that calls error out within a generous bound; the
// design target is a few hundred milliseconds, the bound only catches hangs.
func assertFailsFast(t *testing.T, r *Redis) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	if _, _, err := r.Get(ctx, "g:x"); err == nil {
		t.Fatal("Get succeeded")
	}
	if _, err := r.Incr(ctx, "g:x", time.Second); err == nil {
		t.Fatal("Incr succeeded")
	}
	if err := r.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded")
	}
	d := time.Since(start)
	t.Logf("three failed calls took %v", d)
	if d > 2*time.Second {
		t.Fatalf("three failed calls took %v", d)
	}
}
