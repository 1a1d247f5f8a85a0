package sales

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

var allPerms = []string{"orders:read", "orders:write", "orders:confirm", "orders:cancel"}

type permsKey struct{}

// testAuthz grants the permissions the request's caller carries, standing
// in for rbac; route rules are tested by cmd/nexo's permission matrix.
type testAuthz struct{}

func (testAuthz) Authorize(ctx context.Context, a web.Access) error {
	perms, _ := ctx.Value(permsKey{}).([]string)
	if a.Perm != "" && !slices.Contains(perms, a.Perm) {
		return errs.E(errs.Forbidden, "you need the %s permission", a.Perm)
	}
	return nil
}

// app serves the order routes; each request runs as the caller registered
// under its X-Test-Caller header.
type app struct {
	t       testing.TB
	app     *fiber.App
	mu      sync.Mutex
	callers map[string]context.Context
}

func (e *env) newApp(t testing.TB) *app {
	a := &app{t: t, callers: map[string]context.Context{}}
	a.app = web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a.app.Use(func(c *fiber.Ctx) error {
		a.mu.Lock()
		ctx, ok := a.callers[c.Get("X-Test-Caller")]
		a.mu.Unlock()
		if ok {
			c.SetUserContext(ctx)
		}
		return c.Next()
	})
	NewHandler(e.svc).Routes(web.NewRouter(a.app.Group("/api/v1"), "/api/v1", testAuthz{}, web.NewRegistry()))
	return a
}

type reply struct {
	status int
	ctype  string
	body   []byte
}

func (r reply) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	return m
}

func (r reply) field(name string) string {
	fields, _ := r.json()["errors"].(map[string]any)
	s, _ := fields[name].(string)
	return s
}

// do sends one request as ctx with perms (all order permissions when nil).
func (a *app) do(ctx context.Context, perms []string, method, path, body string) reply {
	a.t.Helper()
	if perms == nil {
		perms = allPerms
	}
	key := uuid.NewString()
	a.mu.Lock()
	a.callers[key] = context.WithValue(ctx, permsKey{}, perms)
	a.mu.Unlock()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Test-Caller", key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := a.app.Test(req, -1)
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b}
}

func sub(s string, kv ...string) string { return strings.NewReplacer(kv...).Replace(s) }

func TestHTTPOrders(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	a := e.newApp(t)
	ids := []string{"ACCT", fx.account.String(), "WIDGET", fx.widget.ID.String(), "BOLT", fx.bolt.ID.String()}
	r := a.do(ctx, nil, "POST", "/api/v1/orders", sub(`{"account_id":"ACCT","requested_date":"2026-03-20",
		"lines":[{"product_id":"WIDGET","quantity":600},{"product_id":"BOLT","quantity":2,"discount_bp":500}]}`, ids...))
	if r.status != 201 || !firstNumber(r.json()["number"].(string)) || r.json()["status"] != "draft" || r.json()["requested_date"] != "2026-03-20" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json()["id"].(string)
	if r = a.do(ctx, nil, "PATCH", "/api/v1/orders/"+id, `{"notes":"gate 4","requested_date":null}`); r.status != 200 ||
		r.json()["notes"] != "gate 4" || r.json()["requested_date"] != nil {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "POST", "/api/v1/orders/"+id+"/confirm", ""); r.status != 200 || r.json()["status"] != "in_production" ||
		r.json()["promised_date"] != "2026-03-06" {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	lines := r.json()["lines"].([]any)
	if l := lines[0].(map[string]any); l["reserved_qty"] != 500.0 || l["shortfall_qty"] != 100.0 || l["shortfall_action"] != "production" {
		t.Fatalf("line: %v", l)
	}
	if r = a.do(ctx, nil, "GET", "/api/v1/orders?status=in_production&q=000001&limit=1", ""); r.status != 200 ||
		len(r.json()["items"].([]any)) != 1 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "POST", "/api/v1/orders/"+id+"/cancel", `{"note":"no longer needed"}`); r.status != 200 || r.json()["status"] != "cancelled" {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	r = a.do(ctx, nil, "GET", "/api/v1/orders/"+id+"/history", "")
	items, _ := r.json()["items"].([]any)
	if r.status != 200 || len(items) != 4 || items[0].(map[string]any)["from"] != nil || items[3].(map[string]any)["note"] != "no longer needed" {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "POST", "/api/v1/orders/"+id+"/confirm", ""); r.status != 422 || r.field("status") == "" {
		t.Fatalf("confirm cancelled: %d %s", r.status, r.body)
	}
}

func TestHTTPBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	a := e.newApp(t)
	ids := []string{"ACCT", fx.account.String(), "BOLT", fx.bolt.ID.String(), "NOPE", uuid.Must(uuid.NewV7()).String()}
	for _, c := range []struct{ body, field string }{
		{`{"lines":[{"product_id":"BOLT","quantity":1}]}`, "account_id"},
		{`{"account_id":"x","lines":[{"product_id":"BOLT","quantity":1}]}`, "account_id"},
		{`{"account_id":"NOPE","lines":[{"product_id":"BOLT","quantity":1}]}`, "account_id"},
		{`{"account_id":"ACCT","lines":[{"product_id":"NOPE","quantity":1}]}`, "lines[0].product_id"},
		{`{"account_id":"ACCT","lines":[{"product_id":"zz","quantity":1}]}`, "lines[0].product_id"},
		{`{"account_id":"ACCT","lines":[{"product_id":"BOLT","quantity":0}]}`, "lines[0].quantity"},
		{`{"account_id":"ACCT","lines":[{"product_id":"BOLT","quantity":1.5}]}`, "lines.quantity"},
		{`{"account_id":"ACCT","lines":[{"product_id":"BOLT","quantity":1,"discount_bp":-5}]}`, "lines[0].discount_bp"},
		{`{"account_id":"ACCT","lines":[]}`, "lines"},
		{`{"account_id":"ACCT","requested_date":"tomorrow","lines":[{"product_id":"BOLT","quantity":1}]}`, "requested_date"},
		{`{"account_id":"ACCT","status":"confirmed","lines":[{"product_id":"BOLT","quantity":1}]}`, "status"},
		{`{"account_id":"ACCT","tenant_id":"x","lines":[{"product_id":"BOLT","quantity":1}]}`, "tenant_id"},
		{`{"account_id":"ACCT","total_minor":1,"lines":[{"product_id":"BOLT","quantity":1}]}`, "total_minor"},
		{`[`, "body"},
	} {
		r := a.do(ctx, nil, "POST", "/api/v1/orders", sub(c.body, ids...))
		if r.status != 400 || r.field(c.field) == "" || !strings.Contains(r.ctype, "problem+json") {
			t.Errorf("%s: %d %s", c.body, r.status, r.body)
		}
	}
	for _, q := range []string{"status=lost", "limit=101", "cursor=%21", "account_id=x"} {
		if r := a.do(ctx, nil, "GET", "/api/v1/orders?"+q, ""); r.status != 400 {
			t.Errorf("list %s: %d %s", q, r.status, r.body)
		}
	}
	if list, _ := e.svc.Find(ctx, Filter{}); len(list) != 0 {
		t.Fatalf("bad input created %d orders", len(list))
	}
	for _, c := range []struct{ method, path, perm string }{
		{"POST", "/api/v1/orders", "orders:write"}, {"GET", "/api/v1/orders", "orders:read"},
		{"POST", "/api/v1/orders/x/confirm", "orders:confirm"}, {"POST", "/api/v1/orders/x/cancel", "orders:cancel"},
	} {
		others := slices.DeleteFunc(slices.Clone(allPerms), func(p string) bool { return p == c.perm })
		if r := a.do(ctx, others, c.method, c.path, ""); r.status != 403 {
			t.Errorf("%s %s without %s: %d", c.method, c.path, c.perm, r.status)
		}
	}
}

// TestHTTPIsolation: tenant B gets exactly the answer of a nonexistent id
// for tenant A's order on every :id route, and A's order does not change (T4).
func TestHTTPIsolation(t *testing.T) {
	e := newEnv(t)
	ctxA, ctxB := e.newTenant(t), e.newTenant(t)
	fxA, fxB := newFixture(t, e, ctxA), newFixture(t, e, ctxB)
	o, err := e.svc.Create(ctxA, NewOrder{AccountID: fxA.account, Lines: []NewLine{lineOf(fxA.bolt, 5)}})
	if err != nil {
		t.Fatal(err)
	}
	a := e.newApp(t)
	missing := uuid.Must(uuid.NewV7()).String()
	patch := sub(`{"notes":"x","lines":[{"product_id":"BOLT","quantity":1}]}`, "BOLT", fxB.bolt.ID.String())
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/orders/ID", ""},
		{"PATCH", "/api/v1/orders/ID", patch},
		{"POST", "/api/v1/orders/ID/confirm", ""},
		{"POST", "/api/v1/orders/ID/cancel", ""},
		{"GET", "/api/v1/orders/ID/history", ""},
	} {
		foreign := a.do(ctxB, nil, c.method, sub(c.path, "ID", o.ID.String()), c.body)
		none := a.do(ctxB, nil, c.method, sub(c.path, "ID", missing), c.body)
		fj, nj := foreign.json(), none.json()
		if foreign.status != 404 || none.status != 404 || fj["detail"] != nj["detail"] || fj["code"] != nj["code"] {
			t.Errorf("%s %s: foreign %d %s, missing %d %s", c.method, c.path, foreign.status, foreign.body, none.status, none.body)
		}
	}
	// A's account and products are no account or product in B.
	body := sub(`{"account_id":"ACCT","lines":[{"product_id":"BOLT","quantity":1}]}`, "ACCT", fxA.account.String(), "BOLT", fxB.bolt.ID.String())
	if r := a.do(ctxB, nil, "POST", "/api/v1/orders", body); r.status != 400 || r.field("account_id") == "" {
		t.Errorf("foreign account: %d %s", r.status, r.body)
	}
	if r := a.do(ctxB, nil, "GET", "/api/v1/orders", ""); len(r.json()["items"].([]any)) != 0 {
		t.Errorf("tenant B lists A's orders: %s", r.body)
	}
	got, _ := e.svc.Get(ctxA, o.ID)
	if got.Status != StatusDraft || got.Notes != "" || got.Lines[0].Quantity != 5 || e.stock.reservedOf(fxA.bolt.ID) != 0 {
		t.Errorf("tenant B changed A's order: %+v", got)
	}
	if h, _ := e.svc.History(ctxA, o.ID); len(h) != 1 {
		t.Errorf("history of A's order: %d rows", len(h))
	}
}

// FuzzOrderBody (Q1): any create body decodes to a 400 naming a field or to
// an input whose validation answers 400; never a panic or another code.
func FuzzOrderBody(f *testing.F) {
	f.Add([]byte(`{"account_id":"0190a1b2-0000-7000-8000-000000000001","requested_date":"2026-03-20","lines":[{"product_id":"0190a1b2-0000-7000-8000-000000000002","quantity":3,"discount_bp":500,"unit_price_minor":1999}]}`))
	f.Add([]byte(`{"lines":[{"quantity":-1}],"currency":"eur"}`))
	f.Add([]byte(`{"account_id":null,"notes":"\u0000","requested_date":null}`))
	f.Add([]byte(`{"lines":[{"quantity":1e30}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeNewOrder(body)
		if err == nil {
			err = in.check()
		}
		if err != nil && (errs.CodeOf(err) != errs.Invalid || len(errFields(err)) == 0) {
			t.Fatalf("%q: %v", body, err)
		}
		up, err := decodeUpdate(body)
		if err == nil {
			err = up.check()
		}
		if err != nil && errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("update %q: %v", body, err)
		}
	})
}

func errFields(err error) map[string]string {
	if e, ok := err.(*errs.Error); ok {
		return e.Fields
	}
	return nil
}
