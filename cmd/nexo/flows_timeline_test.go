package main

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/tenant"
)

type timelineItem struct {
	Kind        string    `json:"kind"`
	At          time.Time `json:"at"`
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Status      string    `json:"status"`
	Subtype     string    `json:"subtype"`
	AmountMinor *int64    `json:"amount_minor"`
	Currency    string    `json:"currency"`
	OrderID     string    `json:"order_id"`
	InvoiceID   string    `json:"invoice_id"`
	Summary     string    `json:"summary"`
}

type timelinePage struct {
	Credit struct {
		AccountID      string `json:"account_id"`
		LimitMinor     int64  `json:"limit_minor"`
		InvoicesMinor  int64  `json:"open_invoices_minor"`
		AvailableMinor int64  `json:"available_minor"`
	} `json:"credit"`
	Items      []timelineItem `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// timeline reads one page of an account's timeline, failing unless 200.
func (ta *testApp) timeline(t *testing.T, c *client, account string, limit int, cursor string) timelinePage {
	t.Helper()
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	r := ta.do(c, "GET", "/api/v1/accounts/"+account+"/timeline?"+q.Encode(), nil)
	if r.Status != 200 {
		t.Fatalf("timeline: %d %s", r.Status, r.Body)
	}
	var p timelinePage
	r.json(t, &p)
	return p
}

// timelineUser adds a staff user with one role (custom roles included).
func (ta *testApp) timelineUser(t *testing.T, owner *client, email, role string) *client {
	t.Helper()
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	uid := uuid.MustParse(me.User.ID)
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: uuid.MustParse(me.Tenant.ID),
		Kind: tenant.KindUser, ID: uid, Subject: tenant.UserSubject(uid), Name: "Owner"})
	if _, err := ta.identity.AddUser(octx, email, "Desk", testPassword, []string{role}); err != nil {
		t.Fatal(err)
	}
	slug := email[strings.Index(email, "@")+1 : strings.Index(email, ".")]
	return ta.sessionFrom(login(ta, email, testPassword, slug))
}

func kindsOf(items []timelineItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Kind
	}
	return out
}

// TestFlowTimeline is the account's 360° view (issue 5) through the API: a
// customer with a call, an order half from stock and half waiting for
// production, its shipment, invoice, a payment, a credit note and a closing
// note appear newest first with the credit position on top; pages of any
// size walk the same list without repeats or gaps; each kind needs its own
// read permission and activities keep their record rule; another tenant
// sees nothing.
func TestFlowTimeline(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("flow-timeline")
	rep := ta.erpStaff(t, owner, "flow-timeline", "sales")
	finance := ta.erpStaff(t, owner, "flow-timeline", "finance")
	support := ta.erpStaff(t, owner, "flow-timeline", "support")
	warehouse := ta.erpStaff(t, owner, "flow-timeline", "warehouse")

	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	leg := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "LEG", "name": "Leg", "list_price_minor": 100, "currency": "EUR"})
	tableBody := map[string]any{"sku": "TABLE", "name": "Table", "type": "manufactured", "list_price_minor": 10_000,
		"currency": "EUR", "lead_time_days": 2, "daily_capacity": 10}
	table := ta.erpCreate(t, owner, "/api/v1/products", tableBody)
	if r := ta.do(owner, "PUT", "/api/v1/boms/"+table, bomBody(leg, 4)); r.Status != 200 {
		t.Fatalf("BOM: %d %s", r.Status, r.Body)
	}
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(table, wh, 5, ""))
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(leg, wh, 20, ""))
	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Acme Dining", "currency": "EUR",
		"credit_limit_minor": 1_000_000})

	// The story, oldest first.
	call := ta.erpCreate(t, rep, "/api/v1/activities", map[string]any{"account_id": acme, "kind": "call",
		"subject": "Discovery call", "body": "Wants 8 tables\nfor the new restaurant"})
	order := ta.erpCreate(t, rep, "/api/v1/orders", orderBody(acme, table, 8))
	so := ta.erpOrderAction(t, rep, order, "confirm", nil)
	if so.Status != "in_production" {
		t.Fatalf("confirmed order: %+v", so)
	}
	var plan erpPlan
	ta.do(owner, "POST", "/api/v1/production-orders/plan", nil).json(t, &plan)
	if len(plan.Created) != 1 {
		t.Fatalf("plan: %+v", plan)
	}
	production := plan.Created[0].ID
	ta.erpProductionAction(t, owner, production, "release")
	ta.erpProductionAction(t, owner, production, "start")
	shipment := ta.erpCreate(t, owner, "/api/v1/shipments", map[string]any{"order_id": order, "carrier": "DHL", "tracking_number": "JD0001"})
	ta.erpShipmentStep(t, owner, shipment, "pack")
	ta.erpShipmentStep(t, owner, shipment, "ship")
	invoice := ta.erpCreate(t, finance, "/api/v1/invoices", map[string]any{"order_id": order})
	inv := ta.erpInvoice(t, finance, invoice)
	payment := ta.erpCreate(t, finance, "/api/v1/payments", map[string]any{"invoice_id": invoice, "amount_minor": 20_000,
		"method": "transfer", "reference": "SEPA-1"})
	credit := ta.erpCreate(t, finance, "/api/v1/credit-notes", map[string]any{"invoice_id": invoice, "reason": "One table scratched",
		"lines": []map[string]any{{"invoice_line_id": inv.Lines[0].ID, "quantity": 1}}})
	note := ta.erpCreate(t, owner, "/api/v1/activities", map[string]any{"account_id": acme, "kind": "note", "subject": "Happy customer"})

	// Another tenant's customer with an order of its own.
	other := ta.signup("flow-timeline-b")
	bwh := ta.erpCreate(t, other, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	bprod := ta.erpCreate(t, other, "/api/v1/products", map[string]any{"sku": "TABLE", "name": "Table", "list_price_minor": 100, "currency": "EUR"})
	ta.erpCreate(t, other, "/api/v1/stock-moves", receiptBody(bprod, bwh, 5, ""))
	bacme := ta.erpCreate(t, other, "/api/v1/accounts", map[string]any{"name": "Acme Dining", "currency": "EUR"})
	border := ta.erpCreate(t, other, "/api/v1/orders", orderBody(bacme, bprod, 1))
	bnote := ta.erpCreate(t, other, "/api/v1/activities", map[string]any{"account_id": bacme, "kind": "note", "subject": "B"})

	// The owner sees everything, newest first, credit on top.
	full := ta.timeline(t, owner, acme, 0, "")
	wantKinds := []string{"activity", "credit_note", "payment", "invoice", "shipment", "production", "order", "activity"}
	wantIDs := []string{note, credit, payment, invoice, shipment, production, order, call}
	if got := kindsOf(full.Items); !slices.Equal(got, wantKinds) {
		t.Fatalf("kinds: %v, want %v", got, wantKinds)
	}
	for i, it := range full.Items {
		if it.ID != wantIDs[i] {
			t.Errorf("item %d: %s %s, want id %s", i, it.Kind, it.ID, wantIDs[i])
		}
		if i > 0 && it.At.After(full.Items[i-1].At) {
			t.Errorf("item %d (%s) is newer than the one before it", i, it.Kind)
		}
	}
	if full.NextCursor != "" {
		t.Errorf("a complete page has a next cursor %q", full.NextCursor)
	}
	var pos timelinePage
	ta.do(owner, "GET", "/api/v1/accounts/"+acme+"/credit", nil).json(t, &pos.Credit)
	if c := full.Credit; c != pos.Credit || c.AccountID != acme || c.LimitMinor != 1_000_000 || c.InvoicesMinor <= 0 || c.InvoicesMinor >= inv.TotalMinor {
		t.Errorf("credit: %+v, /credit says %+v", c, pos.Credit)
	}
	byKind := map[string]timelineItem{}
	for _, it := range full.Items {
		byKind[it.Kind] = it
	}
	if it := byKind["order"]; it.Status != "partially_shipped" || it.AmountMinor == nil || *it.AmountMinor != so.TotalMinor ||
		it.Currency != "EUR" || it.OrderID != order || it.Title != so.Number {
		t.Errorf("order item: %+v", it)
	}
	if it := byKind["production"]; it.Status != "in_progress" || it.Title != plan.Created[0].Number {
		t.Errorf("production item: %+v", it)
	}
	if it := byKind["shipment"]; it.Status != "shipped" || it.OrderID != order || it.Summary != "DHL JD0001" {
		t.Errorf("shipment item: %+v", it)
	}
	if it := byKind["invoice"]; it.Status != "partially_paid" || it.OrderID != order || it.InvoiceID != invoice ||
		it.AmountMinor == nil || *it.AmountMinor != inv.TotalMinor || it.Title != inv.Number {
		t.Errorf("invoice item: %+v", it)
	}
	if it := byKind["payment"]; it.InvoiceID != invoice || it.Subtype != "transfer" || it.Title != "SEPA-1" ||
		it.AmountMinor == nil || *it.AmountMinor != 20_000 {
		t.Errorf("payment item: %+v", it)
	}
	if it := byKind["credit_note"]; it.InvoiceID != invoice || it.Summary != "One table scratched" || it.AmountMinor == nil {
		t.Errorf("credit note item: %+v", it)
	}
	if it := full.Items[len(full.Items)-1]; it.Title != "Discovery call" || it.Subtype != "call" || it.Summary != "Wants 8 tables" || it.Status != "" {
		t.Errorf("call item: %+v", it)
	}

	// Pages of every size walk the same list: no repeats, no gaps.
	for _, size := range []int{1, 2, 3, 7} {
		var ids []string
		cursor := ""
		for range 20 {
			p := ta.timeline(t, owner, acme, size, cursor)
			if len(p.Items) > size {
				t.Fatalf("limit %d gave %d items", size, len(p.Items))
			}
			if p.Credit.AccountID != acme {
				t.Errorf("page without the credit: %+v", p.Credit)
			}
			for _, it := range p.Items {
				ids = append(ids, it.ID)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(ids, wantIDs) {
			t.Errorf("pages of %d: %v, want %v", size, ids, wantIDs)
		}
	}

	// Each kind needs its own read permission; activities keep their record
	// rule. The rep (no production:read, no activities:read:all) sees no
	// production order and only their own call; support has no
	// payments:read; finance has no activities; the warehouse cannot read
	// accounts at all.
	seen := func(c *client) []string { return kindsOf(ta.timeline(t, c, acme, 0, "").Items) }
	if got := seen(rep); !slices.Equal(got, []string{"credit_note", "payment", "invoice", "shipment", "order", "activity"}) {
		t.Errorf("rep sees %v", got)
	}
	if got := seen(support); !slices.Equal(got, []string{"activity", "credit_note", "invoice", "shipment", "production", "order", "activity"}) {
		t.Errorf("support sees %v", got)
	}
	if got := seen(finance); !slices.Equal(got, []string{"credit_note", "payment", "invoice", "shipment", "order"}) {
		t.Errorf("finance sees %v", got)
	}
	if r := ta.do(warehouse, "GET", "/api/v1/accounts/"+acme+"/timeline", nil); r.Status != 403 {
		t.Errorf("warehouse: %d %s", r.Status, r.Body)
	}
	// A custom role with accounts and orders but no invoices:read sees
	// neither invoices nor credit notes (nor payments).
	var role struct {
		Key string `json:"key"`
	}
	if r := ta.do(owner, "POST", "/api/v1/roles", map[string]any{"name": "Order desk",
		"permissions": []string{"accounts:read", "orders:read", "shipments:read"}}); r.Status != 201 {
		t.Fatalf("role: %d %s", r.Status, r.Body)
	} else {
		r.json(t, &role)
	}
	desk := ta.timelineUser(t, owner, "desk@flow-timeline.example.com", role.Key)
	if got := seen(desk); !slices.Equal(got, []string{"shipment", "order"}) {
		t.Errorf("order desk sees %v", got)
	}

	// Tenant isolation: B cannot read A's account, and neither timeline
	// holds the other's records.
	if r := ta.do(other, "GET", "/api/v1/accounts/"+acme+"/timeline", nil); r.Status != 404 {
		t.Errorf("tenant B reads A's timeline: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "GET", "/api/v1/accounts/"+bacme+"/timeline", nil); r.Status != 404 {
		t.Errorf("tenant A reads B's timeline: %d %s", r.Status, r.Body)
	}
	bt := ta.timeline(t, other, bacme, 0, "")
	if got := kindsOf(bt.Items); !slices.Equal(got, []string{"activity", "order"}) || bt.Items[0].ID != bnote || bt.Items[1].ID != border {
		t.Errorf("B's timeline: %+v", bt.Items)
	}
	for _, it := range full.Items {
		if it.ID == bnote || it.ID == border {
			t.Errorf("A's timeline holds B's %s", it.Kind)
		}
	}
	// A cursor is only a position: A's replayed by B pages B's own
	// account, older than A's newest record, which is nothing.
	first := ta.timeline(t, owner, acme, 1, "")
	if p := ta.timeline(t, other, bacme, 0, first.NextCursor); len(p.Items) != 0 {
		t.Errorf("B with A's cursor: %+v", p.Items)
	}

	// Bad input is a 400 naming the parameter; an unknown account is 404.
	for _, q := range []struct{ query, field string }{
		{"cursor=not-a-cursor!", "cursor"}, {"cursor=" + url.QueryEscape("bm90IGEgY3Vyc29y"), "cursor"},
		{"cursor=MjAyNS0wMS0wMVQwMDowMDowMFp8bm90LWEtdXVpZA", "cursor"}, {"limit=0", "limit"}, {"limit=201", "limit"}, {"limit=x", "limit"},
	} {
		r := ta.do(owner, "GET", "/api/v1/accounts/"+acme+"/timeline?"+q.query, nil)
		if r.Status != 400 || r.problemField(q.field) == "" {
			t.Errorf("%s: %d %s", q.query, r.Status, r.Body)
		}
	}
	if p := ta.timeline(t, owner, acme, 200, ""); len(p.Items) != len(wantIDs) {
		t.Errorf("limit 200: %d items", len(p.Items))
	}
	for _, id := range []string{"00000000-0000-7000-8000-000000000000", "nope"} {
		if r := ta.do(owner, "GET", "/api/v1/accounts/"+id+"/timeline", nil); r.Status != 404 {
			t.Errorf("unknown account %s: %d %s", id, r.Status, r.Body)
		}
	}
}
