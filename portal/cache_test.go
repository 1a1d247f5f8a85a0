package portal

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/cache"
	"nexo/internal/events"
	"nexo/tenant"
)

// downCache fails every call, as Redis does when it is stopped.
type downCache struct{ cache.Cache }

var errDown = errors.New("connection refused")

func (downCache) Get(context.Context, string) ([]byte, bool, error) { return nil, false, errDown }
func (downCache) GetVersioned(context.Context, string, string, string) (string, []byte, bool, error) {
	return "", nil, false, errDown
}
func (downCache) Set(context.Context, string, []byte, time.Duration) error { return errDown }
func (downCache) SetVersion(context.Context, string, []byte, time.Duration) error {
	return errDown
}
func (downCache) Incr(context.Context, string, time.Duration) (int64, error) { return 0, errDown }

// cacheApp serves GET /api/v1/orders (counting the handler's runs) and
// POST /api/v1/orders/x/accept through rc, as the principal the request's
// X-Who header names: "a1"/"a2" (customers of account A), "b" (account B)
// or "staff".
func cacheApp(rc *ReadCache, tid, accA, accB uuid.UUID, runs *int, body *string) *fiber.App {
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		ctx := tenant.WithTenant(c.Context(), tid)
		p := tenant.Principal{TenantID: tid, ID: uuid.New(), Kind: tenant.KindCustomer}
		switch c.Get("X-Who") {
		case "a1", "a2":
			p.AccountID = &accA
		case "b":
			p.AccountID = &accB
		default:
			p.Kind = tenant.KindUser
		}
		c.SetUserContext(tenant.WithPrincipal(ctx, p))
		return c.Next()
	})
	list := func(c *fiber.Ctx) error {
		*runs++
		account, _ := tenant.BoundAccount(c.UserContext())
		return c.JSON(fiber.Map{"account": account, "body": *body, "q": c.Query("q")})
	}
	app.Get("/api/v1/orders", rc.Route(fiber.MethodGet, "/api/v1/orders"), list)
	app.Get("/api/v1/orders/:id/pdf", func(c *fiber.Ctx) error { return c.Next() })
	app.Post("/api/v1/orders/:id/accept", rc.Route(fiber.MethodPost, "/api/v1/orders/:id/accept"),
		func(c *fiber.Ctx) error { *body = "accepted"; return c.SendStatus(201) })
	return app
}

func get(t *testing.T, app *fiber.App, method, path, who string) (status int, cacheState, body string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("X-Who", who)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Nexo-Cache"), string(b)
}

func TestReadCache(t *testing.T) {
	tid, accA, accB := uuid.New(), uuid.New(), uuid.New()
	rc := NewReadCache(cache.NewMemory())
	runs, data := 0, "v1"
	app := cacheApp(rc, tid, accA, accB, &runs, &data)

	_, st, first := get(t, app, "GET", "/api/v1/orders?q=1", "a1")
	if st != "miss" || runs != 1 {
		t.Fatalf("first read: %s, %d runs", st, runs)
	}
	// Another contact of the same account shares the entry.
	if _, st, again := get(t, app, "GET", "/api/v1/orders?q=1", "a2"); st != "hit" || again != first || runs != 1 {
		t.Fatalf("second read: %s %q, %d runs", st, again, runs)
	}
	// Another query, another account and staff never get A's entry.
	if _, st, _ := get(t, app, "GET", "/api/v1/orders?q=2", "a1"); st != "miss" {
		t.Errorf("other query: %s", st)
	}
	if _, st, b := get(t, app, "GET", "/api/v1/orders?q=1", "b"); st != "miss" || b == first {
		t.Errorf("account B: %s %s", st, b)
	}
	if _, st, _ := get(t, app, "GET", "/api/v1/orders?q=1", "staff"); st != "" {
		t.Errorf("staff read went through the cache: %q", st)
	}

	// An event naming account A makes its entries stale; B's stay.
	data = "v2"
	payload := []byte(`{"order_id":"` + uuid.NewString() + `","account_id":"` + accA.String() + `"}`)
	if err := rc.EventHandler()(context.Background(), events.Event{TenantID: tid, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	if _, st, b := get(t, app, "GET", "/api/v1/orders?q=1", "a1"); st != "miss" || b == first {
		t.Errorf("after the event: %s %s", st, b)
	}
	if _, st, _ := get(t, app, "GET", "/api/v1/orders?q=1", "b"); st != "hit" {
		t.Errorf("account B after A's event: %s", st)
	}
	// Another tenant's event for the same account id changes nothing.
	other := []byte(`{"account_id":"` + accB.String() + `"}`)
	if err := rc.EventHandler()(context.Background(), events.Event{TenantID: uuid.New(), Payload: other}); err != nil {
		t.Fatal(err)
	}
	if _, st, _ := get(t, app, "GET", "/api/v1/orders?q=1", "b"); st != "hit" {
		t.Errorf("account B after another tenant's event: %s", st)
	}
	if err := rc.EventHandler()(context.Background(), events.Event{TenantID: tid, Payload: []byte("{")}); !events.IsPermanent(err) {
		t.Errorf("malformed payload: %v", err)
	}

	// A customer's own write is visible to their next read at once.
	if status, _, _ := get(t, app, "POST", "/api/v1/orders/x/accept", "a1"); status != 201 {
		t.Fatalf("accept: %d", status)
	}
	if _, st, b := get(t, app, "GET", "/api/v1/orders?q=1", "a2"); st != "miss" || !strings.Contains(b, "accepted") {
		t.Errorf("read after the customer's write: %s %s", st, b)
	}
}

// callCounter counts the calls that reach the cache.
type callCounter struct {
	cache.Cache
	calls int
}

func (c *callCounter) Get(ctx context.Context, k string) ([]byte, bool, error) {
	c.calls++
	return c.Cache.Get(ctx, k)
}
func (c *callCounter) GetVersioned(ctx context.Context, k, prefix, suffix string) (string, []byte, bool, error) {
	c.calls++
	return c.Cache.GetVersioned(ctx, k, prefix, suffix)
}
func (c *callCounter) Set(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	c.calls++
	return c.Cache.Set(ctx, k, v, ttl)
}
func (c *callCounter) SetVersion(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	c.calls++
	return c.Cache.SetVersion(ctx, k, v, ttl)
}

// A hit costs one cache call (one Redis round trip): the generation and the
// entry are read together (P1).
func TestReadCacheHitIsOneCall(t *testing.T) {
	tid, accA, accB := uuid.New(), uuid.New(), uuid.New()
	cc := &callCounter{Cache: cache.NewMemory()}
	runs, data := 0, "v1"
	app := cacheApp(NewReadCache(cc), tid, accA, accB, &runs, &data)
	// The first read starts the generation and stores the entry.
	if _, st, _ := get(t, app, "GET", "/api/v1/orders", "a1"); st != "miss" || cc.calls != 3 {
		t.Fatalf("first read: %s, %d cache calls", st, cc.calls)
	}
	cc.calls = 0
	if _, st, _ := get(t, app, "GET", "/api/v1/orders", "a2"); st != "hit" || cc.calls != 1 || runs != 1 {
		t.Fatalf("hit: %s, %d cache calls, %d runs", st, cc.calls, runs)
	}
}

// TestReadCacheDown: with the cache failing on every call (Redis stopped),
// reads still answer from the handler (F1).
func TestReadCacheDown(t *testing.T) {
	tid, accA, accB := uuid.New(), uuid.New(), uuid.New()
	rc := NewReadCache(downCache{})
	runs, data := 0, "v1"
	app := cacheApp(rc, tid, accA, accB, &runs, &data)
	for i := 1; i <= 3; i++ {
		status, st, b := get(t, app, "GET", "/api/v1/orders", "a1")
		if status != 200 || st != "bypass" || runs != i || !strings.Contains(b, "v1") {
			t.Fatalf("read %d with the cache down: %d %s %q (%d runs)", i, status, st, b, runs)
		}
	}
	if status, _, _ := get(t, app, "POST", "/api/v1/orders/x/accept", "a1"); status != 201 {
		t.Fatalf("write with the cache down: %d", status)
	}
}

func TestReadCacheRoutes(t *testing.T) {
	rc := NewReadCache(cache.NewMemory())
	for _, tc := range []struct {
		method, pattern string
		cached          bool
	}{
		{"GET", "/api/v1/orders", true},
		{"GET", "/api/v1/orders/:id/history", true},
		{"GET", "/api/v1/invoices/:id", true},
		{"GET", "/api/v1/invoices/:id/pdf", false},
		{"GET", "/api/v1/me", false},
		{"GET", "/api/v1/quotes", false},
		{"GET", "/api/v1/tickets", false},
		{"GET", "/api/v1/invoices/:id/payment-options", false},
		{"GET", "/api/v1/orders/:id/returnable", false},
	} {
		if got := rc.Route(tc.method, tc.pattern) != nil; got != tc.cached {
			t.Errorf("%s %s cached = %v", tc.method, tc.pattern, got)
		}
	}
	if rc.Route("POST", "/api/v1/quotes/:id/accept") == nil {
		t.Error("a customer write does not invalidate")
	}
}
