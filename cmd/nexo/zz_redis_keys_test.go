package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// T6: after the suite has used Redis for sessions and throttling, every key
// in the test database carries a tenant (t:{id}:) or global (g:) prefix.
// Go runs a package's tests in file order, so this file's name puts it last.
func TestRedisKeysAreNamespaced(t *testing.T) {
	url := os.Getenv("NEXO_TEST_REDIS_URL")
	if url == "" {
		t.Skip("set NEXO_TEST_REDIS_URL")
	}
	ta := newTestApp(t)
	ta.signup("keys-ns") // at least one session and index written here
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	n := 0
	iter := c.Scan(context.Background(), 0, "*", 1000).Iterator()
	for iter.Next(context.Background()) {
		k := iter.Val()
		n++
		if !strings.HasPrefix(k, "g:") && !strings.HasPrefix(k, "t:") {
			t.Errorf("Redis key without a tenant or global prefix: %q", k)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no keys found: did the suite use Redis?")
	}
}
