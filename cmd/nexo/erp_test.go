package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/tenant"
)

// The ERP journey through the real HTTP app: catalog, CRM, inventory and
// sales wired together as in production (adapters.go), every response
// checked against openapi.json.

type erpLine struct {
	ProductID       string  `json:"product_id"`
	Quantity        int64   `json:"quantity"`
	ReservedQty     int64   `json:"reserved_qty"`
	ShortfallQty    int64   `json:"shortfall_qty"`
	ShortfallAction string  `json:"shortfall_action"`
	PromisedDate    *string `json:"promised_date"`
}

type erpOrder struct {
	ID           string    `json:"id"`
	Number       string    `json:"number"`
	Status       string    `json:"status"`
	PromisedDate *string   `json:"promised_date"`
	TotalMinor   int64     `json:"total_minor"`
	Lines        []erpLine `json:"lines"`
}

type erpLevel struct {
	OnHand    int64 `json:"on_hand"`
	Reserved  int64 `json:"reserved"`
	Available int64 `json:"available"`
}

// erpCreate POSTs body and returns the new object's id, failing unless 201.
func (ta *testApp) erpCreate(t *testing.T, c *client, path string, body any) string {
	t.Helper()
	r := ta.do(c, "POST", path, body)
	if r.Status != 201 {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	var out struct {
		ID string `json:"id"`
	}
	r.json(t, &out)
	return out.ID
}

func (ta *testApp) erpOrderAction(t *testing.T, c *client, id, action string, body any) erpOrder {
	t.Helper()
	r := ta.do(c, "POST", "/api/v1/orders/"+id+"/"+action, body)
	if r.Status != 200 {
		t.Fatalf("%s order: %d %s", action, r.Status, r.Body)
	}
	var o erpOrder
	r.json(t, &o)
	return o
}

// erpStock sums the product's stock levels.
func (ta *testApp) erpStock(t *testing.T, c *client, product string) erpLevel {
	t.Helper()
	var list struct {
		Items []erpLevel `json:"items"`
	}
	r := ta.do(c, "GET", "/api/v1/stock?product_id="+product, nil)
	if r.Status != 200 {
		t.Fatalf("stock: %d %s", r.Status, r.Body)
	}
	r.json(t, &list)
	var sum erpLevel
	for _, l := range list.Items {
		sum.OnHand += l.OnHand
		sum.Reserved += l.Reserved
		sum.Available += l.Available
	}
	return sum
}

func (ta *testApp) erpCount(t *testing.T, c *client, path string) int {
	t.Helper()
	var list struct {
		Items []map[string]any `json:"items"`
	}
	ta.do(c, "GET", path, nil).json(t, &list)
	return len(list.Items)
}

// promisedIn reports whether got is days after the UTC date at from or at
// to (a test running across midnight may see either).
func promisedIn(got *string, from, to time.Time, days int) bool {
	if got == nil {
		return false
	}
	return *got == from.UTC().AddDate(0, 0, days).Format(time.DateOnly) || *got == to.UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

func TestERPJourney(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-journey")

	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main warehouse"})
	bolt := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "BOLT-8", "name": "Bolt M8", "type": "stocked",
		"list_price_minor": 25, "currency": "EUR", "cost_minor": 10})
	chair := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "CHAIR", "name": "Chair", "type": "manufactured",
		"list_price_minor": 5000, "currency": "EUR", "cost_minor": 2100, "lead_time_days": 2, "daily_capacity": 100})
	if r := ta.do(owner, "PUT", "/api/v1/boms/"+chair, bomBody(bolt, 8)); r.Status != 200 {
		t.Fatalf("BOM: %d %s", r.Status, r.Body)
	}
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(chair, wh, 500, ""))
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme Furniture", "currency": "EUR"})

	// 1,000 chairs against 500 in stock: half reserved, half to production,
	// promised after the lead time plus 500/100 = 5 days of capacity.
	big := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, chair, 1000))
	before := time.Now()
	o := ta.erpOrderAction(t, owner, big, "confirm", nil)
	after := time.Now()
	if o.Status != "in_production" || len(o.Lines) != 1 {
		t.Fatalf("confirmed order: %+v", o)
	}
	l := o.Lines[0]
	if l.ReservedQty != 500 || l.ShortfallQty != 500 || l.ShortfallAction != "production" {
		t.Errorf("line after confirm: %+v", l)
	}
	if !promisedIn(l.PromisedDate, before, after, 2+5) || !promisedIn(o.PromisedDate, before, after, 2+5) {
		t.Errorf("promised dates: line %v, order %v; want today + 7", deref(l.PromisedDate), deref(o.PromisedDate))
	}
	if o.TotalMinor != 1000*5000 {
		t.Errorf("total %d", o.TotalMinor)
	}
	if s := ta.erpStock(t, owner, chair); s != (erpLevel{OnHand: 500, Reserved: 500, Available: 0}) {
		t.Errorf("stock after confirm: %+v", s)
	}

	// No oversell: a second order finds nothing left to reserve.
	small := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, chair, 10))
	o2 := ta.erpOrderAction(t, owner, small, "confirm", nil)
	if l := o2.Lines[0]; l.ReservedQty != 0 || l.ShortfallQty != 10 || l.ShortfallAction != "production" {
		t.Errorf("second order's line: %+v", l)
	}
	if s := ta.erpStock(t, owner, chair); s.Reserved != 500 || s.Available != 0 {
		t.Errorf("stock after the second order: %+v", s)
	}

	// Cancelling the first order releases its reservation.
	o = ta.erpOrderAction(t, owner, big, "cancel", map[string]any{"note": "customer changed plans"})
	if o.Status != "cancelled" || o.Lines[0].ReservedQty != 0 {
		t.Errorf("cancelled order: %+v", o)
	}
	if s := ta.erpStock(t, owner, chair); s != (erpLevel{OnHand: 500, Reserved: 0, Available: 500}) {
		t.Errorf("stock after cancel: %+v", s)
	}
	if r := ta.do(owner, "POST", "/api/v1/orders/"+big+"/confirm", nil); r.Status != 422 || r.problemField("status") == "" {
		t.Errorf("confirming a cancelled order: %d %s", r.Status, r.Body)
	}

	var hist struct {
		Items []struct {
			From *string `json:"from"`
			To   string  `json:"to"`
			Note string  `json:"note"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/orders/"+big+"/history", nil).json(t, &hist)
	var steps []string
	for _, h := range hist.Items {
		steps = append(steps, deref(h.From)+"→"+h.To)
	}
	if got := strings.Join(steps, " "); got != "→draft draft→confirmed confirmed→in_production in_production→cancelled" {
		t.Errorf("history: %s", got)
	}
	if n := len(hist.Items); n == 0 || hist.Items[n-1].Note != "customer changed plans" {
		t.Errorf("cancel note not kept: %+v", hist.Items)
	}
}

func TestERPBadInput(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-bad")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	p := ta.erpCreate(t, owner, "/api/v1/products", productBody("P", "stocked"))
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme"})

	// An unknown product: 400 naming the line's field, and no order (nor
	// order number) is used up.
	r := ta.do(owner, "POST", "/api/v1/orders", map[string]any{"account_id": acme,
		"lines": []map[string]any{{"product_id": p, "quantity": 1}, {"product_id": uuid.NewString(), "quantity": 1}}})
	if r.Status != 400 || r.problemField("lines[1].product_id") == "" {
		t.Errorf("unknown product: %d %s", r.Status, r.Body)
	}
	if n := ta.erpCount(t, owner, "/api/v1/orders"); n != 0 {
		t.Errorf("%d orders after a refused create", n)
	}
	first := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, p, 1))
	var o erpOrder
	ta.do(owner, "GET", "/api/v1/orders/"+first, nil).json(t, &o)
	if !strings.HasSuffix(o.Number, "-000001") {
		t.Errorf("the refused order used a number: the first order is %q", o.Number)
	}

	// Another tenant's account is unknown here.
	other := ta.signup("erp-bad-other")
	foreign := ta.erpCreate(t, other, "/api/v1/accounts", map[string]any{"name": "Theirs"})
	if r := ta.do(owner, "POST", "/api/v1/orders", orderBody(foreign, p, 1)); r.Status != 400 || r.problemField("account_id") == "" {
		t.Errorf("foreign account: %d %s", r.Status, r.Body)
	}

	// A negative receipt: 400 on quantity, no move, no stock.
	r = ta.do(owner, "POST", "/api/v1/stock-moves", receiptBody(p, wh, -5, ""))
	if r.Status != 400 || r.problemField("quantity") == "" {
		t.Errorf("negative receipt: %d %s", r.Status, r.Body)
	}
	if n := ta.erpCount(t, owner, "/api/v1/stock-moves"); n != 0 {
		t.Errorf("%d moves after a refused receipt", n)
	}
	if s := ta.erpStock(t, owner, p); s != (erpLevel{}) {
		t.Errorf("stock after a refused receipt: %+v", s)
	}
	// Fields the caller may not set are refused by name (A4).
	if r := ta.do(owner, "POST", "/api/v1/orders", map[string]any{"account_id": acme, "status": "confirmed",
		"lines": []map[string]any{{"product_id": p, "quantity": 1}}}); r.Status != 400 || r.problemField("status") == "" {
		t.Errorf("order with a status: %d %s", r.Status, r.Body)
	}
}

func TestERPSalesRole(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-roles")
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	uid := uuid.MustParse(me.User.ID)
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: uuid.MustParse(me.Tenant.ID),
		Kind: tenant.KindUser, ID: uid, Subject: tenant.UserSubject(uid), Name: "Owner"})
	if _, err := ta.identity.AddUser(octx, "rep@erp-roles.example.com", "Rep", testPassword, []string{"sales"}); err != nil {
		t.Fatal(err)
	}
	rep := ta.sessionFrom(login(ta, "rep@erp-roles.example.com", testPassword, "erp-roles"))

	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	p := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "DESK", "name": "Desk",
		"list_price_minor": 30000, "currency": "EUR", "cost_minor": 12345})
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(p, wh, 20, ""))

	// The rep sells: an account and an order, confirmed against stock.
	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Acme"})
	id := ta.erpCreate(t, rep, "/api/v1/orders", orderBody(acme, p, 3))
	if o := ta.erpOrderAction(t, rep, id, "confirm", nil); o.Lines[0].ReservedQty != 3 {
		t.Errorf("rep's confirmed order: %+v", o)
	}
	// ...but does not move stock or cancel orders.
	if r := ta.do(rep, "POST", "/api/v1/stock-moves", receiptBody(p, wh, 5, "")); r.Status != 403 {
		t.Errorf("rep's stock move: %d %s", r.Status, r.Body)
	}
	if r := ta.do(rep, "POST", "/api/v1/orders/"+id+"/cancel", nil); r.Status != 403 {
		t.Errorf("rep's cancel: %d %s", r.Status, r.Body)
	}
	if s := ta.erpStock(t, owner, p); s != (erpLevel{OnHand: 20, Reserved: 3, Available: 17}) {
		t.Errorf("stock: %+v", s)
	}

	// Cost is hidden from the rep, in the product, the list and the CSV (A4).
	var seen map[string]any
	ta.do(rep, "GET", "/api/v1/products/"+p, nil).json(t, &seen)
	if _, ok := seen["cost_minor"]; ok || seen["sku"] != "DESK" {
		t.Errorf("rep sees %v", seen)
	}
	ta.do(owner, "GET", "/api/v1/products/"+p, nil).json(t, &seen)
	if seen["cost_minor"] != float64(12345) {
		t.Errorf("owner sees cost %v", seen["cost_minor"])
	}
	if r := ta.do(rep, "GET", "/api/v1/products", nil); strings.Contains(string(r.Body), "cost_minor") {
		t.Errorf("rep's product list shows cost: %s", r.Body)
	}
	if r := ta.do(rep, "GET", "/api/v1/products.csv", nil); r.Status != 200 || strings.Contains(string(r.Body), "cost") {
		t.Errorf("rep's CSV: %d %s", r.Status, r.Body)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
