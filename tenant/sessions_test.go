package tenant

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/cache"
	"nexo/internal/errs"
	"nexo/tenant/tenanttest"
)

// fakeClock is a settable clock for the session store.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type sessionEnv struct {
	d     *DB
	cache *tenanttest.DownCache
	clock *fakeClock
	s     *Sessions
}

// sessionBackends runs f on the in-process cache and, when
// NEXO_TEST_REDIS_URL is set, on real Redis; each wrapped so the test can
// take it down.
func sessionBackends(t *testing.T, opt SessionOptions, f func(t *testing.T, e sessionEnv)) {
	backends := map[string]func(t *testing.T) cache.Cache{"memory": func(*testing.T) cache.Cache { return cache.NewMemory() }}
	if url := os.Getenv("NEXO_TEST_REDIS_URL"); url != "" {
		backends["redis"] = func(t *testing.T) cache.Cache {
			r, err := cache.NewRedis(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = r.Close() })
			return r
		}
	}
	for name, newCache := range backends {
		t.Run(name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			opt := opt
			opt.Now = clock.now
			opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // outage warnings are expected here
			d := NewDB(tenanttest.DB(t))
			c := tenanttest.NewDownCache(newCache(t))
			f(t, sessionEnv{d: d, cache: c, clock: clock, s: NewSessions(d, c, opt)})
		})
	}
}

func (e sessionEnv) create(t *testing.T, tid, uid uuid.UUID) string {
	t.Helper()
	raw, _, err := e.s.Create(context.Background(), tid, uid, KindUser)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return raw
}

// live reports whether raw is a live session now, failing on anything but
// a session or "not logged in".
func (e sessionEnv) live(t *testing.T, raw string) bool {
	t.Helper()
	_, err := e.s.Get(context.Background(), raw)
	if err != nil && !errs.Is(err, errs.Unauthenticated) {
		t.Fatalf("get: %v", err)
	}
	return err == nil
}

// row reads a session's row straight from the table (ok=false: none).
func (e sessionEnv) row(t *testing.T, tid uuid.UUID, raw string) (sessionRow, bool) {
	t.Helper()
	_, hash, _ := parseSessionID(raw)
	var r sessionRow
	err := e.d.Run(WithTenant(context.Background(), tid), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&r).Where("sess.id_hash = ?", hash).Scan(ctx)
	})
	if errs.Is(err, errs.NotFound) {
		return r, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return r, true
}

func TestSessionIDFormat(t *testing.T) {
	tid := uuid.New()
	raw, hash := newSessionID(tid)
	gotTID, gotHash, ok := parseSessionID(raw)
	if !ok || gotTID != tid || gotHash != hash || hash != HashToken(raw) {
		t.Fatalf("round trip of %q: %v %v %v", raw, gotTID, gotHash, ok)
	}
	if len(raw) != 36+1+sessionRandomLen || strings.Contains(raw, "=") {
		t.Fatalf("cookie value %q", raw)
	}
	if other, _ := newSessionID(tid); other == raw {
		t.Fatal("two sessions got the same id")
	}
	// The tenant part is covered by the hash: moving the random part to
	// another tenant names another (nonexistent) session.
	_, random, _ := strings.Cut(raw, ".")
	if _, h, ok := parseSessionID(uuid.NewString() + "." + random); !ok || h == hash {
		t.Fatalf("swapped tenant: ok=%v same hash=%v", ok, h == hash)
	}
	oldStyle, _ := NewToken() // the cookie format before sessions carried their tenant
	for _, bad := range []string{"", oldStyle, "." + random, tid.String() + ".", tid.String() + "." + random + "x",
		uuid.Nil.String() + "." + random, "not-a-uuid-but-thirty-six-characters." + random,
		tid.String() + "." + strings.Repeat("*", sessionRandomLen), tid.String() + "|" + random} {
		if _, _, ok := parseSessionID(bad); ok {
			t.Errorf("parsed %q as a session id", bad)
		}
	}
}

// F1: with the cache failing every call, sessions are created, read and
// revoked through the database; a revocation made during the outage holds
// once the cache is back, at the latest CacheTTL after the stale copy was
// last confirmed.
func TestSessionsSurviveCacheOutage(t *testing.T) {
	sessionBackends(t, SessionOptions{Idle: time.Hour, Absolute: 24 * time.Hour, CacheTTL: time.Minute}, func(t *testing.T, e sessionEnv) {
		ctx := context.Background()
		_, tid := newTenant(t, e.d)
		alice, bob := newID(), newID()
		aliceUp := e.create(t, tid, alice) // cached while the cache works
		bobUp := e.create(t, tid, bob)
		if !e.live(t, aliceUp) || !e.live(t, bobUp) {
			t.Fatal("fresh sessions not live")
		}

		e.cache.SetDown(true)
		aliceDown := e.create(t, tid, alice)
		if !e.live(t, aliceDown) || !e.live(t, aliceUp) || !e.live(t, bobUp) {
			t.Fatal("sessions not readable while the cache is down")
		}
		sess, err := e.s.Get(ctx, aliceDown)
		if err != nil || sess.TenantID != tid || sess.UserID != alice || sess.Kind != KindUser || sess.CSRF == "" {
			t.Fatalf("session read from the database: %+v %v", sess, err)
		}
		if e.cache.Refused() == 0 {
			t.Fatal("the store never tried the cache")
		}
		// Revocations while the cache is down: the database says no at once.
		if err := e.s.Delete(ctx, bobUp); err != nil {
			t.Fatalf("logout while the cache is down: %v", err)
		}
		if err := e.s.DeleteUser(ctx, tid, alice); err != nil {
			t.Fatalf("DeleteUser while the cache is down: %v", err)
		}
		for _, raw := range []string{aliceUp, aliceDown, bobUp} {
			if e.live(t, raw) {
				t.Fatalf("revoked session %s live while the cache is down", raw[37:41])
			}
		}

		// The cache comes back still holding the copies made before the
		// outage: they may be honoured for at most CacheTTL, then never.
		e.cache.SetDown(false)
		e.clock.add(time.Minute + time.Second)
		for _, raw := range []string{aliceUp, aliceDown, bobUp} {
			if e.live(t, raw) {
				t.Errorf("revoked session %s live %s after the cache came back", raw[37:41], time.Minute+time.Second)
			}
		}
	})
}

// With a working cache a revocation is immediate: the copy goes with the row.
func TestSessionRevocationEvictsTheCopy(t *testing.T) {
	sessionBackends(t, SessionOptions{}, func(t *testing.T, e sessionEnv) {
		ctx := context.Background()
		_, tid := newTenant(t, e.d)
		u := newID()
		a, b, c := e.create(t, tid, u), e.create(t, tid, u), e.create(t, tid, newID())
		for _, raw := range []string{a, b, c} {
			if !e.live(t, raw) {
				t.Fatal("fresh session not live")
			}
		}
		if err := e.s.Delete(ctx, a); err != nil {
			t.Fatal(err)
		}
		if e.live(t, a) || !e.live(t, b) {
			t.Fatal("logout did not end exactly its session")
		}
		if err := e.s.DeleteUser(ctx, tid, u); err != nil {
			t.Fatal(err)
		}
		if e.live(t, b) || !e.live(t, c) {
			t.Fatal("DeleteUser did not end exactly the user's sessions")
		}
		// Deleting what is not a session is not an error.
		if err := e.s.Delete(ctx, "stale-cookie-value"); err != nil {
			t.Fatal(err)
		}
	})
}

// U3 timeouts come from the row; last_seen is written at most once a minute.
func TestSessionTimeoutsAndTouch(t *testing.T) {
	sessionBackends(t, SessionOptions{Idle: 10 * time.Minute, Absolute: 30 * time.Minute}, func(t *testing.T, e sessionEnv) {
		_, tid := newTenant(t, e.d)
		raw := e.create(t, tid, newID())
		start := e.clock.now()

		e.clock.add(30 * time.Second)
		if !e.live(t, raw) {
			t.Fatal("session lapsed after 30 s")
		}
		if r, _ := e.row(t, tid, raw); !r.LastSeen.Equal(start) {
			t.Fatalf("last_seen written within the minute: %v", r.LastSeen)
		}
		e.cache.SetDown(true) // the database path obeys the same minute
		if !e.live(t, raw) {
			t.Fatal("session lapsed after 30 s (cache down)")
		}
		if r, _ := e.row(t, tid, raw); !r.LastSeen.Equal(start) {
			t.Fatalf("last_seen written within the minute (cache down): %v", r.LastSeen)
		}
		e.cache.SetDown(false)

		// Activity every 5 minutes slides the idle timeout...
		for i := 0; i < 5; i++ {
			e.clock.add(5 * time.Minute)
			if !e.live(t, raw) {
				t.Fatalf("active session lapsed at step %d", i)
			}
			r, _ := e.row(t, tid, raw)
			if !r.LastSeen.Equal(e.clock.now()) || !r.ExpiresAt.Equal(e.clock.now().Add(10*time.Minute)) && !r.ExpiresAt.Equal(start.Add(30*time.Minute)) {
				t.Fatalf("step %d: last_seen %v expires_at %v", i, r.LastSeen, r.ExpiresAt)
			}
		}
		// ... but not past the absolute timeout (30 min after login).
		e.clock.add(5*time.Minute + time.Second)
		if e.live(t, raw) {
			t.Fatal("session outlived its absolute timeout")
		}
		if _, ok := e.row(t, tid, raw); ok {
			t.Fatal("lapsed session's row kept")
		}

		idle := e.create(t, tid, newID())
		e.clock.add(10*time.Minute + time.Second)
		if e.live(t, idle) {
			t.Fatal("session outlived its idle timeout")
		}
	})
}

// Lapsed rows are swept when the tenant's next session is created; other
// tenants' rows wait for their own tenant's next login.
func TestSessionSweep(t *testing.T) {
	sessionBackends(t, SessionOptions{Idle: 10 * time.Minute}, func(t *testing.T, e sessionEnv) {
		_, tidA := newTenant(t, e.d)
		_, tidB := newTenant(t, e.d)
		oldA, oldB := e.create(t, tidA, newID()), e.create(t, tidB, newID())
		e.clock.add(11 * time.Minute)
		liveA := e.create(t, tidA, newID())
		if _, ok := e.row(t, tidA, oldA); ok {
			t.Error("tenant A's lapsed session was not swept")
		}
		if _, ok := e.row(t, tidA, liveA); !ok {
			t.Error("the new session is missing")
		}
		if _, ok := e.row(t, tidB, oldB); !ok {
			t.Error("tenant B's row was swept by tenant A's login")
		}
	})
}

// A session is only ever found inside its own tenant: a cookie naming
// another tenant, a lookup bound to another tenant, or a revocation from
// another tenant finds nothing.
func TestSessionTenantIsolation(t *testing.T) {
	sessionBackends(t, SessionOptions{}, func(t *testing.T, e sessionEnv) {
		ctx := context.Background()
		_, tidA := newTenant(t, e.d)
		_, tidB := newTenant(t, e.d)
		u := newID()
		raw := e.create(t, tidA, u)
		_, random, _ := strings.Cut(raw, ".")
		forged := tidB.String() + "." + random
		for _, down := range []bool{false, true} {
			e.cache.SetDown(down)
			if e.live(t, forged) {
				t.Fatalf("cookie with tenant B's id authenticated (cache down=%v)", down)
			}
		}
		e.cache.SetDown(true) // straight to the table
		_, hash, _ := parseSessionID(raw)
		if _, err := e.s.load(ctx, tidB, hash, e.clock.now()); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("tenant B's lookup of tenant A's session: %v", err)
		}
		if err := e.s.Delete(ctx, forged); err != nil {
			t.Fatal(err)
		}
		if err := e.s.DeleteUser(ctx, tidB, u); err != nil {
			t.Fatal(err)
		}
		if !e.live(t, raw) {
			t.Fatal("tenant B's revocations ended tenant A's session")
		}
	})
}
