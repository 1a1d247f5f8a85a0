package rbac

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"nexo/tenant/tenanttest"
)

// redisBackends yields a client factory for miniredis and, when
// NEXO_TEST_REDIS_URL is set, for the real Redis.
func redisBackends(t *testing.T) map[string]func(t *testing.T) redis.UniversalClient {
	out := map[string]func(t *testing.T) redis.UniversalClient{
		"miniredis": func(t *testing.T) redis.UniversalClient {
			mr := miniredis.RunT(t)
			return client(t, &redis.Options{Addr: mr.Addr()})
		},
	}
	if url := os.Getenv("NEXO_TEST_REDIS_URL"); url != "" {
		out["redis"] = func(t *testing.T) redis.UniversalClient {
			opt, err := redis.ParseURL(url)
			if err != nil {
				t.Fatal(err)
			}
			return client(t, opt)
		}
	}
	return out
}

func client(t *testing.T, opt *redis.Options) redis.UniversalClient {
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func newWatcher(t *testing.T, c redis.UniversalClient) *Watcher {
	t.Helper()
	w, err := NewWatcher(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	w.SetLogger(quiet)
	t.Cleanup(w.Close)
	return w
}

// recorder collects watcher callbacks.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) add(s string) { r.mu.Lock(); r.got = append(r.got, s); r.mu.Unlock() }

func (r *recorder) has(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.got, s)
}

// instance is one app instance: its own enforcer and watcher on shared stores.
func instance(t *testing.T, d *bun.DB, c redis.UniversalClient) *Enforcer {
	return newEnforcer(t, d, Options{Watcher: newWatcher(t, c)})
}

// TestWatcherPropagates is R4/A3: a change on one instance reaches another
// within 5s through Redis alone (periodic reload off).
func TestWatcherPropagates(t *testing.T) {
	for name, newClient := range redisBackends(t) {
		t.Run(name, func(t *testing.T) {
			d := tenanttest.DB(t)
			c := newClient(t)
			one, two := instance(t, d, c), instance(t, d, c)
			tid := newTenant()
			u := subject()
			role := NewCustomRoleKey()

			// Both subscribed? Keep announcing a no-op until two reloads.
			setRoles(t, one, d, tid, u, RoleWarehouse)
			eventually(t, "grant reaches instance two", func() bool {
				if two.Enforce(tid, u, "stock:adjust") {
					return true
				}
				_ = one.watcher.UpdateDomain(tid.String())
				return false
			})
			putRole(t, one, d, tid, role, "costs:read")
			setRoles(t, one, d, tid, u, role)
			eventually(t, "custom role reaches instance two", func() bool {
				return two.Enforce(tid, u, "costs:read") && !two.Enforce(tid, u, "stock:adjust")
			})
			mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error { return two.RemoveSubject(ctx, tx, tid, u) })
			eventually(t, "revocation reaches instance one", func() bool { return !one.Enforce(tid, u, "costs:read") })
		})
	}
}

func TestWatcherMessages(t *testing.T) {
	for name, newClient := range redisBackends(t) {
		t.Run(name, func(t *testing.T) {
			c := newClient(t)
			w1, w2 := newWatcher(t, c), newWatcher(t, c)
			var r1, r2 recorder
			_ = w1.SetUpdateCallback(r1.add)
			_ = w2.SetUpdateCallback(r2.add)
			// Redis pub/sub keeps nothing for a subscriber that is not
			// listening yet, so make sure both are before counting messages.
			eventually(t, "w2 subscribed", func() bool {
				_ = w1.UpdateDomain("ping")
				return r2.has("ping")
			})
			eventually(t, "w1 subscribed", func() bool {
				_ = w2.UpdateDomain("pong")
				return r1.has("pong")
			})
			// w1's own message is ignored; w2's, published after it, arrives.
			if err := w1.UpdateDomain("mine"); err != nil {
				t.Fatal(err)
			}
			if err := w2.Update(); err != nil {
				t.Fatal(err)
			}
			eventually(t, "full reload request reaches w1", func() bool { return r1.has("") })
			if r1.has("mine") || r1.has("ping") {
				t.Errorf("w1 called back for its own message: %v", r1.got)
			}
			if !r2.has("mine") {
				eventually(t, "w1's message reaches w2", func() bool { return r2.has("mine") })
			}
			if err := c.Publish(context.Background(), Channel, "not json").Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWatcherRedisDown: announcing fails fast while Redis is away, the
// watcher re-subscribes when it returns and asks for a full reload then.
func TestWatcherRedisDown(t *testing.T) {
	mr := miniredis.RunT(t)
	c := client(t, &redis.Options{Addr: mr.Addr()}) // default retries, as in production
	other := client(t, &redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	w := newWatcher(t, c)
	var r recorder
	_ = w.SetUpdateCallback(r.add)
	eventually(t, "subscribed", func() bool {
		_ = other.Publish(context.Background(), Channel, `{"i":"x","d":"first"}`).Err()
		return r.has("first")
	})

	mr.Close()
	start := time.Now()
	if err := w.UpdateDomain("lost"); err == nil {
		t.Error("UpdateDomain succeeded with Redis down")
	}
	t.Logf("UpdateDomain failed after %v", time.Since(start))
	if time.Since(start) > 2*time.Second {
		t.Errorf("UpdateDomain took %v with Redis down", time.Since(start))
	}
	time.Sleep(300 * time.Millisecond) // let the receive loop notice and back off

	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "full reload after re-subscribing", func() bool { return r.has("") })
	eventually(t, "messages flow again", func() bool {
		_ = other.Publish(context.Background(), Channel, `{"i":"x","d":"again"}`).Err()
		return r.has("again")
	})
}

// TestWatcherStartsWithRedisDown: NewWatcher does not fail without Redis and
// subscribes once it appears.
func TestWatcherStartsWithRedisDown(t *testing.T) {
	mr := miniredis.RunT(t)
	addr := mr.Addr()
	mr.Close()
	c := client(t, &redis.Options{Addr: addr, MaxRetries: -1})
	w := newWatcher(t, c)
	var r recorder
	_ = w.SetUpdateCallback(r.add)
	time.Sleep(200 * time.Millisecond)
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "subscribed after Redis appeared", func() bool {
		_ = c.Publish(context.Background(), Channel, `{"i":"x","d":"hello"}`).Err()
		return r.has("hello")
	})
}

// TestEnforcerWithoutRedis: with the watcher's Redis gone, writes still
// commit and apply locally.
func TestEnforcerWithoutRedis(t *testing.T) {
	d := tenanttest.DB(t)
	mr := miniredis.RunT(t)
	c := client(t, &redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	e := instance(t, d, c)
	mr.Close()
	tid := newTenant()
	u := subject()
	setRoles(t, e, d, tid, u, RoleAdmin)
	if !e.Enforce(tid, u, "users:manage") {
		t.Error("local change not applied with Redis down")
	}
}
