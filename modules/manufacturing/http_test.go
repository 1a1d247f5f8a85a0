package manufacturing

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

var allPerms = []string{PermRead, PermWrite}

type permsKey struct{}

// testAuthz grants the permissions the caller carries, standing in for
// rbac; route rules are tested by cmd/nexo's permission matrix.
type testAuthz struct{}

func (testAuthz) Authorize(ctx context.Context, a web.Access) error {
	perms, _ := ctx.Value(permsKey{}).([]string)
	if a.Perm != "" && !slices.Contains(perms, a.Perm) {
		return errs.E(errs.Forbidden, "you need the %s permission", a.Perm)
	}
	return nil
}

// app serves the routes; each request runs as the caller registered under
// its X-Test-Caller header.
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

// do sends one request as ctx with perms (all when nil).
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

// sameProblem compares two problem bodies but for their request ids.
func sameProblem(a, b reply) bool {
	ja, jb := a.json(), b.json()
	delete(ja, "request_id")
	delete(jb, "request_id")
	x, _ := json.Marshal(ja)
	y, _ := json.Marshal(jb)
	return len(ja) > 0 && string(x) == string(y) && a.ctype == b.ctype
}

func sub(s string, kv ...string) string { return strings.NewReplacer(kv...).Replace(s) }

func TestHTTPJourney(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	a := e.newApp(t)
	ids := []string{"WIDGET", fx.widget.ID.String(), "WH", fx.wh.String()}
	r := a.do(ctx, nil, "POST", "/api/v1/production-orders", sub(`{"product_id":"WIDGET","quantity":250,"warehouse_id":"WH","planned_start":"2026-03-10","notes":"rush"}`, ids...))
	if r.status != 201 || r.json()["status"] != "planned" || r.json()["due_date"] != "2026-03-13" || r.json()["planned_start"] != "2026-03-10" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if comps, _ := r.json()["components"].([]any); len(comps) != 2 {
		t.Fatalf("components: %s", r.body)
	}
	id := r.json()["id"].(string)
	for _, step := range []struct{ action, status string }{{"release", "released"}, {"start", "in_progress"}, {"complete", "completed"}} {
		if r = a.do(ctx, nil, "POST", "/api/v1/production-orders/"+id+"/"+step.action, ""); r.status != 200 || r.json()["status"] != step.status {
			t.Fatalf("%s: %d %s", step.action, r.status, r.body)
		}
	}
	if r.json()["lot_id"] == nil {
		t.Fatalf("no lot: %s", r.body)
	}
	if r = a.do(ctx, nil, "GET", "/api/v1/production-orders/"+id, ""); r.status != 200 || r.json()["number"] == "" {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "GET", "/api/v1/production-orders/"+id+"/history", ""); r.status != 200 || len(r.json()["items"].([]any)) != 4 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "GET", "/api/v1/production-orders?status=completed&product_id="+fx.widget.ID.String(), ""); r.status != 200 ||
		len(r.json()["items"].([]any)) != 1 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	e.salesOrder(t, ctx, fx.widget.ID, 0, 40)
	if r = a.do(ctx, nil, "POST", "/api/v1/production-orders/plan", ""); r.status != 200 || len(r.json()["created"].([]any)) != 1 {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "POST", "/api/v1/production-orders/plan", sub(`{"warehouse_id":"WH"}`, ids...)); r.status != 200 || len(r.json()["created"].([]any)) != 0 {
		t.Fatalf("plan again: %d %s", r.status, r.body)
	}
}

func TestHTTPPaging(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	a := e.newApp(t)
	for range 3 {
		if _, err := e.svc.Create(ctx, NewOrder{ProductID: fx.widget.ID, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	path := "/api/v1/production-orders?limit=2"
	for path != "" {
		r := a.do(ctx, nil, "GET", path, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		for _, it := range r.json()["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		path = ""
		if c, _ := r.json()["next_cursor"].(string); c != "" {
			path = "/api/v1/production-orders?limit=2&cursor=" + c
		}
	}
	if len(seen) != 3 {
		t.Fatalf("paged through %d orders", len(seen))
	}
}

// TestHTTPBadInput: every bad input is a 4xx problem naming the field, and
// nothing is created.
func TestHTTPBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	stocked := e.product(t, ctx, Product{Type: "stocked", Active: true})
	bare := e.product(t, ctx, Product{Type: "manufactured", Active: true})
	a := e.newApp(t)
	w := fx.widget.ID.String()
	cases := []struct {
		body   string
		status int
		field  string
	}{
		{`{"quantity":5}`, 400, "product_id"},
		{`{"product_id":"nope","quantity":5}`, 400, "product_id"},
		{`{"product_id":"` + uuid.NewString() + `","quantity":5}`, 400, "product_id"},
		{`{"product_id":"` + stocked.ID.String() + `","quantity":5}`, 400, "product_id"},
		{`{"product_id":"` + bare.ID.String() + `","quantity":5}`, 400, "product_id"},
		{`{"product_id":"` + w + `","quantity":0}`, 400, "quantity"},
		{`{"product_id":"` + w + `","quantity":-3}`, 400, "quantity"},
		{`{"product_id":"` + w + `","quantity":1.5}`, 400, "quantity"},
		{`{"product_id":"` + w + `","quantity":"5"}`, 400, "quantity"},
		{`{"product_id":"` + w + `","quantity":10000000000}`, 400, "quantity"},
		{`{"product_id":"` + w + `","quantity":5,"warehouse_id":"` + uuid.NewString() + `"}`, 400, "warehouse_id"},
		{`{"product_id":"` + w + `","quantity":5,"planned_start":"2026-02-30"}`, 400, "planned_start"},
		{`{"product_id":"` + w + `","quantity":5,"planned_start":"1900-01-01"}`, 400, "planned_start"},
		{`{"product_id":"` + w + `","quantity":5,"notes":"a\u0000b"}`, 400, "notes"},
		{`{"product_id":"` + w + `","quantity":5,"status":"completed"}`, 400, "status"},
		{`{"product_id":"` + w + `","quantity":5,"tenant_id":"x"}`, 400, "tenant_id"},
		{`{"product_id":`, 400, "body"},
		{`[]`, 400, "body"},
	}
	for _, c := range cases {
		r := a.do(ctx, nil, "POST", "/api/v1/production-orders", c.body)
		if r.status != c.status || !strings.HasPrefix(r.ctype, "application/problem+json") || r.field(c.field) == "" {
			t.Errorf("%s: %d %s", c.body, r.status, r.body)
		}
	}
	e.warehouse(t, ctx, true) // two warehouses: the default is ambiguous
	if r := a.do(ctx, nil, "POST", "/api/v1/production-orders", `{"product_id":"`+w+`","quantity":5}`); r.status != 400 || r.field("warehouse_id") == "" {
		t.Errorf("ambiguous warehouse: %d %s", r.status, r.body)
	}
	for _, q := range []string{"status=done", "product_id=x", "limit=0", "limit=101", "cursor=!!"} {
		if r := a.do(ctx, nil, "GET", "/api/v1/production-orders?"+q, ""); r.status != 400 {
			t.Errorf("list ?%s: %d %s", q, r.status, r.body)
		}
	}
	if r := a.do(ctx, nil, "POST", "/api/v1/production-orders/plan", `{"warehouse_id":"x"}`); r.status != 400 || r.field("warehouse_id") == "" {
		t.Errorf("plan bad warehouse: %d %s", r.status, r.body)
	}
	if list, _ := e.svc.Find(ctx, Filter{}); len(list) != 0 {
		t.Fatalf("bad input created %d orders", len(list))
	}
}

func TestHTTPPermissions(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	o, err := e.svc.Create(ctx, NewOrder{ProductID: fx.widget.ID, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := e.newApp(t)
	read := []string{PermRead}
	if r := a.do(ctx, read, "GET", "/api/v1/production-orders/"+o.ID.String(), ""); r.status != 200 {
		t.Fatalf("read: %d", r.status)
	}
	for _, p := range []string{"", "/release", "/start", "/complete", "/cancel"} {
		path := "/api/v1/production-orders" + p
		if p != "" {
			path = "/api/v1/production-orders/" + o.ID.String() + p
		}
		if r := a.do(ctx, read, "POST", path, `{}`); r.status != 403 {
			t.Errorf("POST %s as reader: %d", path, r.status)
		}
	}
	if r := a.do(ctx, []string{}, "GET", "/api/v1/production-orders", ""); r.status != 403 {
		t.Errorf("list without permission: %d", r.status)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Status != StatusPlanned {
		t.Fatal("a refused request changed the order")
	}
}

// TestHTTPIsolation: another tenant's order id gets exactly the answer of a
// nonexistent one on every :id route, and nothing changes.
func TestHTTPIsolation(t *testing.T) {
	e := newEnv(t)
	ctxA, ctxB := e.newTenant(t), e.newTenant(t)
	fx := newFixture(t, e, ctxA)
	newFixture(t, e, ctxB)
	e.salesOrder(t, ctxA, fx.widget.ID, 0, 10)
	o, err := e.svc.Create(ctxA, NewOrder{ProductID: fx.widget.ID, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := e.newApp(t)
	routes := []struct{ method, suffix string }{{"GET", ""}, {"GET", "/history"}, {"POST", "/release"},
		{"POST", "/start"}, {"POST", "/complete"}, {"POST", "/cancel"}}
	for _, rt := range routes {
		foreign := a.do(ctxB, nil, rt.method, "/api/v1/production-orders/"+o.ID.String()+rt.suffix, "")
		missing := a.do(ctxB, nil, rt.method, "/api/v1/production-orders/"+uuid.NewString()+rt.suffix, "")
		if foreign.status != 404 || foreign.status != missing.status || !sameProblem(foreign, missing) {
			t.Errorf("%s %s: foreign %d %s, missing %d %s", rt.method, rt.suffix, foreign.status, foreign.body, missing.status, missing.body)
		}
	}
	if r := a.do(ctxB, nil, "GET", "/api/v1/production-orders", ""); len(r.json()["items"].([]any)) != 0 {
		t.Fatalf("B lists A's orders: %s", r.body)
	}
	if r := a.do(ctxB, nil, "POST", "/api/v1/production-orders", `{"product_id":"`+fx.widget.ID.String()+`","quantity":1}`); r.status != 400 || r.field("product_id") == "" {
		t.Errorf("B creates from A's product: %d %s", r.status, r.body)
	}
	if r := a.do(ctxB, nil, "POST", "/api/v1/production-orders/plan", ""); r.status != 200 || len(r.json()["created"].([]any)) != 0 {
		t.Fatalf("B planned A's shortfall: %s", r.body)
	}
	if got, _ := e.svc.Get(ctxA, o.ID); got.Status != StatusPlanned || e.auditCount(t, ctxA, o.ID) != 1 {
		t.Fatal("B changed A's order")
	}
}
