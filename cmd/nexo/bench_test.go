package main

import (
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// Benchmarks of the request path, run side by side with a bare Fiber JSON
// handler in the same process so the figures are ratios, not absolute
// timings (bench/run.sh prints them). All go through app.Test, the same
// in-memory transport, so the transport cost is common to every line.

func benchApp(b *testing.B) (*testApp, *client, string) {
	ta := newTestApp(b)
	slug := "bench-" + uuid.NewString()[:8] // benchmark functions run several times on one database
	return ta, ta.signup(slug), slug
}

func runReq(b *testing.B, app *fiber.App, method, path string, c *client, cookieName string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(method, path, nil)
		if c != nil {
			req.Header.Set("Cookie", cookieName+"="+c.cookie)
		}
		resp, err := app.Test(req, -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s %s: %v %v", method, path, err, resp)
		}
		resp.Body.Close()
	}
}

// BenchmarkBareFiber is the baseline: Fiber returning a small JSON object.
func BenchmarkBareFiber(b *testing.B) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/hello", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"hello": "world"}) })
	runReq(b, app, "GET", "/hello", nil, "")
}

// BenchmarkMe is GET /api/v1/me: session lookup, user reload, policy, tenant.
func BenchmarkMe(b *testing.B) {
	ta, owner, _ := benchApp(b)
	runReq(b, ta.app, "GET", "/api/v1/me", owner, ta.cookie().Name())
}

// BenchmarkAuthorizedRead is an authorized read of static data
// (GET /api/v1/permissions): the whole middleware chain, authentication and
// the casbin check, without a domain query.
func BenchmarkAuthorizedRead(b *testing.B) {
	ta, owner, _ := benchApp(b)
	runReq(b, ta.app, "GET", "/api/v1/permissions", owner, ta.cookie().Name())
}

// BenchmarkLogin is a full login: throttle, lookup, argon2id, session.
// argon2id (19 MiB, t=2) dominates by design.
func BenchmarkLogin(b *testing.B) {
	ta, _, slug := benchApp(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := login(ta, "owner@"+slug+".example.com", testPassword, slug); r.Status != 200 {
			b.Fatalf("login: %d %s", r.Status, r.Body)
		}
	}
}

// quoteBench is a tenant with a three-line quote of products partly in
// stock and an order of the same lines, for the quote and order reads.
func quoteBench(b *testing.B) (*testApp, *client, string, string) {
	ta, owner, _ := benchApp(b)
	create := func(path string, body any) string {
		var out struct {
			ID string `json:"id"`
		}
		if r := ta.do(owner, "POST", path, body); r.Status != 201 {
			b.Fatalf("%s: %d %s", path, r.Status, r.Body)
		} else {
			r.json(b, &out)
		}
		return out.ID
	}
	wh := create("/api/v1/warehouses", map[string]any{"code": "B", "name": "Bench"})
	acc := create("/api/v1/accounts", map[string]any{"name": "Bench customer", "credit_limit_minor": 100_000_000})
	var lines []map[string]any
	for i := 0; i < 3; i++ {
		p := productBody("QB", "manufactured")
		p["daily_capacity"], p["lead_time_days"] = 50, 2
		id := create("/api/v1/products", p)
		create("/api/v1/stock-moves", receiptBody(id, wh, 100, ""))
		lines = append(lines, map[string]any{"product_id": id, "quantity": 250})
	}
	q := create("/api/v1/quotes", map[string]any{"account_id": acc, "lines": lines})
	o := create("/api/v1/orders", map[string]any{"account_id": acc, "lines": lines})
	return ta, owner, q, o
}

// BenchmarkQuoteDetail is GET /api/v1/quotes/{id} of a three-line quote:
// each line's available-to-promise (cached stock, open production,
// capacity) and the account's credit check.
func BenchmarkQuoteDetail(b *testing.B) {
	ta, owner, q, _ := quoteBench(b)
	runReq(b, ta.app, "GET", "/api/v1/quotes/"+q, owner, ta.cookie().Name())
}

// BenchmarkOrderDetail is GET /api/v1/orders/{id} of an order with the same
// three lines: the plain document read a quote's extras are measured
// against.
func BenchmarkOrderDetail(b *testing.B) {
	ta, owner, _, o := quoteBench(b)
	runReq(b, ta.app, "GET", "/api/v1/orders/"+o, owner, ta.cookie().Name())
}
