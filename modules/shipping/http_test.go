package shipping

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

var allPerms = []string{"shipments:read", "shipments:write"}

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

// app serves the shipment routes; each request runs as the caller
// registered under its X-Test-Caller header.
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

// do sends one request as ctx with perms (all shipment permissions when nil).
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

// TestHTTPShipments runs a partial shipment through every route.
func TestHTTPShipments(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	a := e.newApp(t)
	ids := []string{"ORDER", fx.order.String(), "LINE", fx.line.String()}
	r := a.do(fx.ctx, nil, "POST", "/api/v1/shipments", sub(`{"order_id":"ORDER","lines":[{"order_line_id":"LINE","quantity":4}],
		"carrier":"DHL","tracking_number":"JD01","tracking_url":"https://dhl.example/JD01"}`, ids...))
	if r.status != 201 || r.json()["status"] != "draft" || r.json()["account_id"] != fx.account.String() || r.json()["tracking_number"] != "JD01" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json()["id"].(string)
	if r = a.do(fx.ctx, nil, "PATCH", "/api/v1/shipments/"+id, `{"carrier":"UPS"}`); r.status != 200 || r.json()["carrier"] != "UPS" {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	for _, step := range []struct{ path, status string }{{"pack", "packed"}, {"ship", "shipped"}, {"in-transit", "in_transit"}, {"deliver", "delivered"}} {
		if r = a.do(fx.ctx, nil, "POST", "/api/v1/shipments/"+id+"/"+step.path, `{"note":"`+step.path+`"}`); r.status != 200 || r.json()["status"] != step.status {
			t.Fatalf("%s: %d %s", step.path, r.status, r.body)
		}
	}
	line := r.json()["lines"].([]any)[0].(map[string]any)
	lots := line["lots"].([]any)
	if line["delivered_qty"] != 4.0 || len(lots) != 1 || lots[0].(map[string]any)["lot_id"] != fx.lotA.String() || r.json()["delivered_at"] == nil {
		t.Fatalf("delivered: %s", r.body)
	}
	if r = a.do(fx.ctx, nil, "GET", "/api/v1/shipments/"+id+"/events", ""); r.status != 200 || len(r.json()["items"].([]any)) != 5 {
		t.Fatalf("events: %d %s", r.status, r.body)
	}
	if r = a.do(fx.ctx, nil, "GET", "/api/v1/shipments/"+id, ""); r.status != 200 || r.json()["number"] == "" {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	if r = a.do(fx.ctx, nil, "POST", "/api/v1/shipments", sub(`{"order_id":"ORDER"}`, ids...)); r.status != 201 || len(r.json()["lines"].([]any)) != 2 {
		t.Fatalf("create the rest: %d %s", r.status, r.body)
	}
	r = a.do(fx.ctx, nil, "GET", "/api/v1/shipments?limit=1&order_id="+fx.order.String()+"&account_id="+fx.account.String(), "")
	cursor, _ := r.json()["next_cursor"].(string)
	if r.status != 200 || len(r.json()["items"].([]any)) != 1 || cursor == "" {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r = a.do(fx.ctx, nil, "GET", "/api/v1/shipments?status=delivered&cursor="+cursor, ""); r.status != 200 ||
		len(r.json()["items"].([]any)) != 1 || r.json()["items"].([]any)[0].(map[string]any)["id"] != id {
		t.Fatalf("page 2: %d %s", r.status, r.body)
	}
	if st, q := e.orderState(t, fx.ctx, fx.order); st != "partially_shipped" || q[0] != 4 {
		t.Fatalf("order: %s %v", st, q)
	}
}

// TestHTTPBadInput: bad bodies and queries are 4xx problems naming the
// field, never 5xx, and change nothing; each route needs its permission.
func TestHTTPBadInput(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	a := e.newApp(t)
	_, otherLine, _ := e.order(t, fx.ctx, fx, "confirmed", 2, 1)
	ids := []string{"ORDER", fx.order.String(), "LINE", fx.line.String(), "OTHER", otherLine.String(), "NOPE", id().String()}
	for _, c := range []struct {
		body   string
		status int
		field  string
	}{
		{`{"order_id":"ORDER","lines":[{"order_line_id":"LINE","quantity":11}]}`, 422, "lines[0].quantity"},
		{`{"order_id":"ORDER","lines":[{"order_line_id":"NOPE","quantity":1}]}`, 400, "lines[0].order_line_id"},
		{`{"order_id":"ORDER","lines":[{"order_line_id":"OTHER","quantity":1}]}`, 400, "lines[0].order_line_id"},
		{`{"order_id":"ORDER","lines":[{"order_line_id":"x","quantity":1}]}`, 400, "lines[0].order_line_id"},
		{`{"order_id":"ORDER","lines":[{"order_line_id":"LINE","quantity":-1}]}`, 400, "lines[0].quantity"},
		{`{"order_id":"ORDER","lines":[{"order_line_id":"LINE","quantity":1.5}]}`, 400, "lines.quantity"},
		{`{"order_id":"ORDER","lines":[]}`, 400, "lines"},
		{`{"order_id":"ORDER","tracking_url":"http://dhl.example/1"}`, 400, "tracking_url"},
		{`{"order_id":"NOPE"}`, 400, "order_id"},
		{`{"order_id":"ORDER","status":"shipped"}`, 400, "status"},
		{`{"order_id":"ORDER","account_id":"NOPE"}`, 400, "account_id"},
		{`{"order_id":"ORDER","tenant_id":"NOPE"}`, 400, "tenant_id"},
		{`[`, 400, "body"},
	} {
		r := a.do(fx.ctx, nil, "POST", "/api/v1/shipments", sub(c.body, ids...))
		if r.status != c.status || r.field(c.field) == "" || !strings.Contains(r.ctype, "problem+json") {
			t.Errorf("%s: %d %s", c.body, r.status, r.body)
		}
	}
	for _, q := range []string{"status=lost", "limit=101", "cursor=%21", "order_id=x", "account_id=x"} {
		if r := a.do(fx.ctx, nil, "GET", "/api/v1/shipments?"+q, ""); r.status != 400 {
			t.Errorf("list %s: %d %s", q, r.status, r.body)
		}
	}
	if list, _ := e.svc.Find(fx.ctx, Filter{}); len(list) != 0 {
		t.Fatalf("bad input created %d shipments", len(list))
	}
	s, err := e.svc.Create(fx.ctx, NewShipment{OrderID: fx.order})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(fx.ctx, s.ID, ""); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/shipments/" + s.ID.String()
	if r := a.do(fx.ctx, nil, "POST", path+"/ship", ""); r.status != 422 || r.field("status") == "" {
		t.Errorf("ship cancelled: %d %s", r.status, r.body)
	}
	if r := a.do(fx.ctx, nil, "POST", path+"/pack", `{"note":"a","x":1}`); r.status != 400 || r.field("x") == "" {
		t.Errorf("unknown action field: %d %s", r.status, r.body)
	}
	if r := a.do(fx.ctx, nil, "PATCH", path, `{"tracking_url":"javascript:alert(1)"}`); r.status != 400 || r.field("tracking_url") == "" {
		t.Errorf("patch url: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ method, path, perm string }{
		{"POST", "/api/v1/shipments", "shipments:write"}, {"GET", "/api/v1/shipments", "shipments:read"},
		{"PATCH", path, "shipments:write"}, {"POST", path + "/ship", "shipments:write"}, {"GET", path + "/events", "shipments:read"},
	} {
		others := slices.DeleteFunc(slices.Clone(allPerms), func(p string) bool { return p == c.perm })
		if r := a.do(fx.ctx, others, c.method, c.path, ""); r.status != 403 {
			t.Errorf("%s %s without %s: %d", c.method, c.path, c.perm, r.status)
		}
	}
}

// TestHTTPIsolation: tenant B gets exactly the answer of a nonexistent id
// for tenant A's shipment on every :id route, and A's shipment does not
// change (T4).
func TestHTTPIsolation(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	s, err := e.svc.Create(fx.ctx, NewShipment{OrderID: fx.order})
	if err != nil {
		t.Fatal(err)
	}
	ctxB := e.newTenant(t)
	a := e.newApp(t)
	missing := id().String()
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/shipments/ID", ""},
		{"PATCH", "/api/v1/shipments/ID", `{"carrier":"x"}`},
		{"POST", "/api/v1/shipments/ID/pack", ""},
		{"POST", "/api/v1/shipments/ID/ship", ""},
		{"POST", "/api/v1/shipments/ID/in-transit", ""},
		{"POST", "/api/v1/shipments/ID/deliver", ""},
		{"POST", "/api/v1/shipments/ID/cancel", `{"note":"x"}`},
		{"GET", "/api/v1/shipments/ID/events", ""},
	} {
		foreign := a.do(ctxB, nil, c.method, sub(c.path, "ID", s.ID.String()), c.body)
		none := a.do(ctxB, nil, c.method, sub(c.path, "ID", missing), c.body)
		fj, nj := foreign.json(), none.json()
		if foreign.status != 404 || none.status != 404 || fj["detail"] != nj["detail"] || fj["code"] != nj["code"] {
			t.Errorf("%s %s: foreign %d %s, missing %d %s", c.method, c.path, foreign.status, foreign.body, none.status, none.body)
		}
	}
	if r := a.do(ctxB, nil, "POST", "/api/v1/shipments", `{"order_id":"`+fx.order.String()+`"}`); r.status != 400 || r.field("order_id") == "" {
		t.Errorf("A's order from B: %d %s", r.status, r.body)
	}
	if r := a.do(ctxB, nil, "GET", "/api/v1/shipments", ""); len(r.json()["items"].([]any)) != 0 {
		t.Errorf("tenant B lists A's shipments: %s", r.body)
	}
	got, _ := e.svc.Get(fx.ctx, s.ID)
	if got.Status != StatusDraft || got.Carrier != "" || e.auditCount(t, fx.ctx, s.ID) != 1 {
		t.Errorf("tenant B changed A's shipment: %+v", got)
	}
}

// FuzzShipmentBody (Q1): any create body decodes to a 400 naming a field or
// to an input that passed validation; never a panic or another code.
func FuzzShipmentBody(f *testing.F) {
	f.Add([]byte(`{"order_id":"0190a1b2-0000-7000-8000-000000000001","lines":[{"order_line_id":"0190a1b2-0000-7000-8000-000000000002","quantity":3}],"carrier":"DHL","tracking_number":"JD01","tracking_url":"https://dhl.example/t?n=1"}`))
	f.Add([]byte(`{"order_id":"x","lines":[{"quantity":-1}],"tracking_url":"javascript:alert(1)"}`))
	f.Add([]byte(`{"order_id":null,"lines":[],"carrier":"\u0000"}`))
	f.Add([]byte(`{"lines":[{"quantity":1e30}],"tracking_url":"HTTPS://a.example"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeNewShipment(body)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid || len(errFields(err)) == 0 {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		if in.OrderID == uuid.Nil || (in.TrackingURL != "" && !strings.HasPrefix(in.TrackingURL, "https://")) {
			t.Fatalf("%q accepted as %+v", body, in)
		}
		for _, l := range in.Lines {
			if l.Quantity <= 0 || l.OrderLineID == uuid.Nil {
				t.Fatalf("%q accepted line %+v", body, l)
			}
		}
		var up updateIn
		if web.DecodeBytes(body, &up) == nil {
			u := Update(up)
			if err := u.check(); err != nil && errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("update %q: %v", body, err)
			}
		}
	})
}

func errFields(err error) map[string]string {
	if e, ok := err.(*errs.Error); ok {
		return e.Fields
	}
	return nil
}
