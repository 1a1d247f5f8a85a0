package billing

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexo/internal/errs"
	"nexo/internal/web"
)

func TestWritable(t *testing.T) {
	e := newEnv(t, nil)
	tid, ctx := e.newTenant(t)
	ago := func(d time.Duration) *time.Time { x := time.Now().UTC().Add(-d).Truncate(time.Millisecond); return &x }
	for _, c := range []struct {
		state   string
		since   *time.Time
		allowed bool
	}{
		{"trialing", nil, true},
		{"active", nil, true},
		{"past_due", ago(3 * 24 * time.Hour), true},
		{"past_due", ago(8 * 24 * time.Hour), false},
		{"canceled", nil, false},
	} {
		e.setAccount(t, tid, func(a *accountRow) { a.BillingState, a.PastDueSince = c.state, c.since })
		err := e.svc.Writable(ctx, tid)
		if c.allowed != (err == nil) || (err != nil && !errs.Is(err, errs.PaymentRequired)) {
			t.Errorf("%s since %v: %v", c.state, c.since, err)
		}
		st, err := e.svc.Status(ctx)
		if err != nil || st.ReadOnly == c.allowed {
			t.Errorf("%s: status %+v %v", c.state, st, err)
		}
		if c.state == "past_due" && (st.GraceEndsAt == nil || !st.GraceEndsAt.Equal(c.since.Add(7*24*time.Hour))) {
			t.Errorf("grace ends at %v", st.GraceEndsAt)
		}
	}
	// The grace period is configurable.
	short := New(e.svc.cat, e.ident, Options{DB: e.db, Grace: time.Hour})
	e.setAccount(t, tid, func(a *accountRow) { a.BillingState, a.PastDueSince = "past_due", ago(2*time.Hour) })
	if err := short.Writable(ctx, tid); !errs.Is(err, errs.PaymentRequired) {
		t.Fatalf("one-hour grace after two hours: %v", err)
	}
}

// TestGuard: a read-only tenant reads, pays and logs out, and gets 402
// problem+json on any other write; anonymous requests pass.
func TestGuard(t *testing.T) {
	e := newEnv(t, nil)
	tid, ctx := e.newTenant(t)
	e.setAccount(t, tid, func(a *accountRow) { a.BillingState = "canceled" })
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	app.Use(func(c *fiber.Ctx) error {
		if c.Get("X-Test-Anon") == "" {
			c.SetUserContext(ctx)
		}
		return c.Next()
	})
	app.Use("/api/v1", e.svc.Guard())
	app.All("/*", func(c *fiber.Ctx) error { return c.SendStatus(200) })
	for _, c := range []struct {
		method, path string
		anon         bool
		want         int
	}{
		{"GET", "/api/v1/contacts", false, 200},
		{"HEAD", "/api/v1/contacts", false, 200},
		{"POST", "/api/v1/contacts", false, 402},
		{"PATCH", "/api/v1/contacts/1", false, 402},
		{"DELETE", "/api/v1/contacts/1", false, 402},
		{"POST", "/api/v1/billing/checkout", false, 200},
		{"POST", "/api/v1/billing/portal", false, 200},
		{"POST", "/api/v1/billing/seats", false, 402},
		{"POST", "/api/v1/auth/logout", false, 200},
		{"POST", "/api/v1/auth/login", true, 200},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if c.anon {
			req.Header.Set("X-Test-Anon", "1")
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != c.want {
			t.Errorf("%s %s: %d %s", c.method, c.path, res.StatusCode, body)
		}
		if c.want == 402 && (!strings.Contains(res.Header.Get("Content-Type"), "problem+json") || !strings.Contains(string(body), "read-only")) {
			t.Errorf("%s %s: %s %s", c.method, c.path, res.Header.Get("Content-Type"), body)
		}
	}
}

// allowAll stands in for rbac's authorizer: access rules are tested in
// cmd/nexo's permission matrix.
type allowAll struct{}

func (allowAll) Authorize(context.Context, web.Access) error { return nil }

func TestHTTP(t *testing.T) {
	e := newEnv(t, nil) // no Stripe keys
	tid, ctx := e.newTenant(t)
	app := web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	app.Use(func(c *fiber.Ctx) error { c.SetUserContext(ctx); return c.Next() })
	NewHandler(e.svc).Routes(web.NewRouter(app.Group("/api/v1"), "/api/v1", allowAll{}, web.NewRegistry()))
	do := func(method, path, body string) (int, map[string]any) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	for _, c := range []struct {
		path, body, field string
	}{
		{"/api/v1/billing/checkout", `{}`, "plan"},
		{"/api/v1/billing/checkout", `{"plan":5}`, "plan"},
		{"/api/v1/billing/checkout", `{"plan":"growth","tenant_id":"x"}`, "tenant_id"},
		{"/api/v1/billing/seats", `{}`, "seats"},
		{"/api/v1/billing/seats", `{"seats":"3"}`, "seats"},
		{"/api/v1/billing/seats", `{"seats":2.5}`, "seats"},
	} {
		status, out := do("POST", c.path, c.body)
		fields, _ := out["errors"].(map[string]any)
		if status != 400 || fields[c.field] == nil {
			t.Errorf("%s %s: %d %v", c.path, c.body, status, out)
		}
	}
	// Without Stripe keys: a clear 422, never a 500.
	for path, body := range map[string]string{"/api/v1/billing/checkout": `{"plan":"growth"}`,
		"/api/v1/billing/portal": ``, "/api/v1/billing/seats": `{"seats":2}`} {
		if status, out := do("POST", path, body); status != 422 || out["code"] != "failed_precondition" {
			t.Errorf("%s unconfigured: %d %v", path, status, out)
		}
	}
	since := time.Now().UTC().Add(-10 * 24 * time.Hour).Truncate(time.Second)
	e.setAccount(t, tid, func(a *accountRow) { a.BillingState, a.PastDueSince, a.CancelAtPeriodEnd = "past_due", &since, true })
	status, out := do("GET", "/api/v1/billing", "")
	if status != 200 || out["state"] != "past_due" || out["read_only"] != true || out["cancel_at_period_end"] != true ||
		out["past_due_since"] == nil || out["grace_ends_at"] == nil || out["stripe_configured"] != false {
		t.Fatalf("GET /billing: %d %v", status, out)
	}
	for _, k := range []string{"current_period_end", "read_only_reason", "seats_billed", "seats_purchased", "subscribed"} {
		if _, ok := out[k]; !ok {
			t.Errorf("GET /billing lacks %s", k)
		}
	}
}
