package inventory

import (
	"context"
	"encoding/json"
	"fmt"
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

var allPerms = []string{PermRead, PermAdjust, PermWarehouses}

// app serves the inventory routes; each request runs as the caller its
// X-Test-Caller header names.
type app struct {
	t       testing.TB
	app     *fiber.App
	mu      sync.Mutex
	callers map[string]caller
}

type caller struct {
	ctx   context.Context
	perms []string
}

func (e *env) newApp(t testing.TB) *app {
	a := &app{t: t, callers: map[string]caller{}}
	a.app = web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a.app.Use(func(c *fiber.Ctx) error {
		a.mu.Lock()
		who, ok := a.callers[c.Get("X-Test-Caller")]
		a.mu.Unlock()
		if ok {
			c.SetUserContext(context.WithValue(who.ctx, permsKey{}, who.perms))
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

// problem is the reply without its request id, to compare two answers.
func (r reply) problem() string {
	m := r.json()
	delete(m, "request_id")
	b, _ := json.Marshal(m)
	return fmt.Sprint(r.status, " ", string(b))
}

func (a *app) do(who caller, method, path, body string) reply {
	a.t.Helper()
	if who.perms == nil {
		who.perms = allPerms
	}
	key := uuid.NewString()
	a.mu.Lock()
	a.callers[key] = who
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
	r := reply{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b}
	if r.status >= 500 || strings.Contains(string(b), "SQLSTATE") || strings.Contains(string(b), "violates") {
		a.t.Errorf("%s %s %s: %d %s", method, path, body, r.status, b)
	}
	return r
}

func TestHTTP(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(t)
	me := caller{ctx: e.newTenant(t)}
	plain := e.product(t, me.ctx, "stocked", false)
	tracked := e.product(t, me.ctx, "stocked", true)

	r := a.do(me, "POST", "/api/v1/warehouses", `{"code":"MAD","name":"Madrid"}`)
	if r.status != 201 {
		t.Fatalf("create warehouse: %d %s", r.status, r.body)
	}
	wh := r.json()["id"].(string)
	if r := a.do(me, "POST", "/api/v1/warehouses", `{"code":"MAD","name":"Again"}`); r.status != 409 || r.field("code") == "" {
		t.Errorf("duplicate code: %d %s", r.status, r.body)
	}
	if r := a.do(me, "PATCH", "/api/v1/warehouses/"+wh, `{"name":"Madrid Norte"}`); r.status != 200 || r.json()["name"] != "Madrid Norte" {
		t.Errorf("patch: %d %s", r.status, r.body)
	}
	if r := a.do(me, "GET", "/api/v1/warehouses?limit=1", ""); r.status != 200 || len(r.json()["items"].([]any)) != 1 || r.json()["next_cursor"] == nil {
		t.Errorf("list warehouses: %d %s", r.status, r.body)
	}
	receipt := fmt.Sprintf(`{"kind":"receipt","product_id":"%s","warehouse_id":"%s","quantity":12,"lot_code":"A1","production_date":"2026-01-10","expires_on":"2027-01-10"}`, tracked, wh)
	r = a.do(me, "POST", "/api/v1/stock-moves", receipt)
	if r.status != 201 || r.json()["on_hand_delta"] != 12.0 || r.json()["lot_id"] == nil {
		t.Fatalf("receipt: %d %s", r.status, r.body)
	}
	lot := r.json()["lot_id"].(string)
	a.do(me, "POST", "/api/v1/stock-moves", fmt.Sprintf(`{"kind":"receipt","product_id":"%s","warehouse_id":"%s","quantity":5}`, plain, wh))
	if _, err := e.svc.Reserve(me.ctx, ReserveRequest{Ref: Ref{"order_line", uuid.New()}, ProductID: plain, Quantity: 4}); err != nil {
		t.Fatal(err)
	}
	bad := []struct{ body, field string }{
		{`{"kind":"shipment","product_id":"` + plain.String() + `","warehouse_id":"` + wh + `","quantity":1}`, "kind"},
		{`{"kind":"receipt","product_id":"` + uuid.NewString() + `","warehouse_id":"` + wh + `","quantity":1}`, "product_id"},
		{`{"kind":"receipt","product_id":"` + plain.String() + `","warehouse_id":"` + uuid.NewString() + `","quantity":1}`, "warehouse_id"},
		{`{"kind":"receipt","product_id":"` + plain.String() + `","warehouse_id":"` + wh + `","quantity":0}`, "quantity"},
		{`{"kind":"receipt","product_id":"` + plain.String() + `","warehouse_id":"` + wh + `","quantity":-3}`, "quantity"},
		{`{"kind":"receipt","product_id":"` + plain.String() + `","warehouse_id":"` + wh + `","quantity":1.5}`, "quantity"},
		{`{"kind":"receipt","product_id":"` + tracked.String() + `","warehouse_id":"` + wh + `","quantity":1}`, "lot_code"},
		{`{"kind":"receipt","product_id":"` + tracked.String() + `","warehouse_id":"` + wh + `","quantity":1,"lot_code":"B","expires_on":"31/12/2026"}`, "expires_on"},
		{`{"kind":"adjustment","product_id":"` + tracked.String() + `","warehouse_id":"` + wh + `","quantity":1,"reason":"x"}`, "lot_id"},
		{`{"kind":"adjustment","product_id":"` + plain.String() + `","warehouse_id":"` + wh + `","quantity":-2,"reason":"x"}`, "quantity"},
		{`{"kind":"adjustment","product_id":"` + plain.String() + `","warehouse_id":"` + wh + `","quantity":1}`, "reason"},
		{`{"kind":"receipt","tenant_id":"x"}`, "tenant_id"},
		{`{"kind":"receipt","product_id":"nope"}`, "product_id"},
	}
	for _, c := range bad {
		if r := a.do(me, "POST", "/api/v1/stock-moves", c.body); r.status/100 != 4 || r.field(c.field) == "" || !strings.HasPrefix(r.ctype, "application/problem+json") {
			t.Errorf("%s: %d %s, want 4xx naming %s", c.body, r.status, r.body, c.field)
		}
	}
	if r := a.do(me, "POST", "/api/v1/stock-moves", fmt.Sprintf(`{"kind":"adjustment","product_id":"%s","warehouse_id":"%s","lot_id":"%s","quantity":-2,"reason":"broken"}`, tracked, wh, lot)); r.status != 201 {
		t.Errorf("adjustment: %d %s", r.status, r.body)
	}
	r = a.do(me, "GET", "/api/v1/stock?product_id="+plain.String(), "")
	if items := r.json()["items"].([]any); len(items) != 1 || items[0].(map[string]any)["available"] != 1.0 {
		t.Errorf("stock: %s", r.body)
	}
	if r := a.do(me, "GET", "/api/v1/stock-moves?kind=adjustment&lot_id="+lot, ""); len(r.json()["items"].([]any)) != 1 {
		t.Errorf("moves filter: %s", r.body)
	}
	for _, q := range []string{"/api/v1/stock?product_id=x", "/api/v1/stock-moves?kind=teleport", "/api/v1/lots?on_hold=maybe", "/api/v1/stock?limit=1000", "/api/v1/stock-moves?cursor=%%%"} {
		if r := a.do(me, "GET", q, ""); r.status != 400 {
			t.Errorf("%s: %d", q, r.status)
		}
	}
	if r := a.do(me, "POST", "/api/v1/lots/"+lot+"/hold", `{}`); r.status != 400 || r.field("reason") == "" {
		t.Errorf("hold without reason: %d %s", r.status, r.body)
	}
	if r := a.do(me, "POST", "/api/v1/lots/"+lot+"/hold", `{"reason":"mould"}`); r.status != 200 || r.json()["on_hold"] != true {
		t.Errorf("hold: %d %s", r.status, r.body)
	}
	if r := a.do(me, "GET", "/api/v1/lots?on_hold=true", ""); len(r.json()["items"].([]any)) != 1 {
		t.Errorf("held lots: %s", r.body)
	}
	if r := a.do(me, "GET", "/api/v1/lots/"+lot+"/trace", ""); r.status != 200 || r.json()["lot"] == nil {
		t.Errorf("trace: %d %s", r.status, r.body)
	}
	if r := a.do(me, "POST", "/api/v1/lots/"+lot+"/release", ""); r.status != 200 || r.json()["on_hold"] != false {
		t.Errorf("release: %d %s", r.status, r.body)
	}
	reader := caller{ctx: me.ctx, perms: []string{PermRead}}
	for _, c := range [][2]string{{"POST", "/api/v1/warehouses"}, {"POST", "/api/v1/stock-moves"}, {"POST", "/api/v1/lots/" + lot + "/hold"}} {
		if r := a.do(reader, c[0], c[1], `{}`); r.status != 403 {
			t.Errorf("%v as reader: %d", c, r.status)
		}
	}
	e.checkInvariants(t, me.ctx)
}

// TestIsolation: tenant B asking for tenant A's warehouse and lot gets
// exactly the answer of an id that does not exist, and A is unchanged.
func TestIsolation(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(t)
	alice, bob := caller{ctx: e.newTenant(t)}, caller{ctx: e.newTenant(t)}
	p := e.product(t, alice.ctx, "stocked", true)
	wh := e.warehouse(t, alice.ctx, "A")
	lot := e.receive(t, alice.ctx, Receipt{ProductID: p, WarehouseID: wh, Quantity: 3, LotCode: "L"}).LotID
	ghost := uuid.NewString()
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/warehouses/%s", ""},
		{"PATCH", "/api/v1/warehouses/%s", `{"name":"mine"}`},
		{"GET", "/api/v1/lots/%s", ""},
		{"GET", "/api/v1/lots/%s/trace", ""},
		{"POST", "/api/v1/lots/%s/hold", `{"reason":"x"}`},
		{"POST", "/api/v1/lots/%s/release", ""},
	} {
		for _, id := range []string{wh.String(), lot.String()} {
			foreign := a.do(bob, c.method, fmt.Sprintf(c.path, id), c.body).problem()
			missing := a.do(bob, c.method, fmt.Sprintf(c.path, ghost), c.body).problem()
			if foreign != missing || !strings.HasPrefix(foreign, "404") {
				t.Errorf("%s %s: foreign %s, missing %s", c.method, c.path, foreign, missing)
			}
		}
	}
	r := a.do(bob, "POST", "/api/v1/stock-moves", fmt.Sprintf(`{"kind":"adjustment","product_id":"%s","warehouse_id":"%s","lot_id":"%s","quantity":-1,"reason":"x"}`, p, wh, lot))
	if r.status != 400 || r.field("product_id") == "" {
		t.Errorf("adjust another tenant's stock: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/api/v1/warehouses", "/api/v1/stock", "/api/v1/stock-moves", "/api/v1/lots"} {
		if r := a.do(bob, "GET", path, ""); len(r.json()["items"].([]any)) != 0 {
			t.Errorf("%s shows another tenant's rows: %s", path, r.body)
		}
	}
	if l, err := e.svc.GetLot(alice.ctx, *lot); err != nil || l.OnHold {
		t.Errorf("alice's lot changed: %+v %v", l, err)
	}
	if w, err := e.svc.GetWarehouse(alice.ctx, wh); err != nil || w.Name != "Warehouse A" {
		t.Errorf("alice's warehouse changed: %+v %v", w, err)
	}
	e.checkInvariants(t, alice.ctx)
}
