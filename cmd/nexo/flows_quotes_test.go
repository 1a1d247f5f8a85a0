package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// The quote flows through the HTTP API (C4, F1, F4, F5): seed flow 1 from
// the opportunity to the paid invoice, the credit check of seed flow 4 on a
// quote, ATP against reservations, and the refusals. Dates come from an
// injected clock, so every promised, valid-until and due date is exact.

type quoteAvail struct {
	Now       int64   `json:"now"`
	Later     int64   `json:"later"`
	LaterDate *string `json:"later_date"`
	Date      string  `json:"date"`
}

type quoteBody struct {
	ID            string  `json:"id"`
	Number        string  `json:"number"`
	Revision      int     `json:"revision"`
	Status        string  `json:"status"`
	AccountName   string  `json:"account_name"`
	OpportunityID *string `json:"opportunity_id"`
	ValidUntil    string  `json:"valid_until"`
	PromisedDate  *string `json:"promised_date"`
	TotalMinor    int64   `json:"total_minor"`
	SentTo        string  `json:"sent_to"`
	OrderID       *string `json:"order_id"`
	SupersededBy  *string `json:"superseded_by"`
	Lines         []struct {
		ProductID      string      `json:"product_id"`
		Description    string      `json:"description"`
		Quantity       int64       `json:"quantity"`
		UnitPriceMinor int64       `json:"unit_price_minor"`
		NetMinor       int64       `json:"net_minor"`
		Availability   *quoteAvail `json:"availability"`
	} `json:"lines"`
	Credit *struct {
		Limited        bool  `json:"limited"`
		LimitMinor     int64 `json:"limit_minor"`
		InvoicesMinor  int64 `json:"open_invoices_minor"`
		OrdersMinor    int64 `json:"open_orders_minor"`
		AvailableMinor int64 `json:"available_minor"`
		QuoteMinor     int64 `json:"quote_minor"`
		ExceedsByMinor int64 `json:"exceeds_by_minor"`
	} `json:"credit"`
}

type acceptBody struct {
	Quote quoteBody `json:"quote"`
	Order struct {
		ID     string `json:"id"`
		Number string `json:"number"`
		Status string `json:"status"`
	} `json:"order"`
	Production []string `json:"production_orders"`
	PlanNote   string   `json:"plan_note"`
}

// testClock is a settable clock for the business modules.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newClockedApp is a test app whose modules read the date from clock.
func newClockedApp(t *testing.T, start time.Time) (*testApp, *testClock) {
	clock := &testClock{t: start}
	return newTestAppWith(t, func(c *Config) { c.Clock = clock.Now }), clock
}

func (ta *testApp) quote(t *testing.T, c *client, id string) quoteBody {
	t.Helper()
	var q quoteBody
	r := ta.do(c, "GET", "/api/v1/quotes/"+id, nil)
	if r.Status != 200 {
		t.Fatalf("quote: %d %s", r.Status, r.Body)
	}
	r.json(t, &q)
	return q
}

func (ta *testApp) order(t *testing.T, c *client, id string) erpOrder {
	t.Helper()
	var o erpOrder
	r := ta.do(c, "GET", "/api/v1/orders/"+id, nil)
	if r.Status != 200 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	r.json(t, &o)
	return o
}

func (ta *testApp) quoteAction(t *testing.T, c *client, id, action string, body any, want int) []byte {
	t.Helper()
	r := ta.do(c, "POST", "/api/v1/quotes/"+id+"/"+action, body)
	if r.Status != want {
		t.Fatalf("%s quote: %d %s", action, r.Status, r.Body)
	}
	return r.Body
}

// chairWorks is seed flow 1's catalog: a chair made at 100 a day after a
// 2-day lead time from 8 bolts and a seat, 500 chairs in stock and the
// components for 500 more, in one warehouse.
func (ta *testApp) chairWorks(t *testing.T, owner *client) (chair, wh string) {
	t.Helper()
	wh = ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	bolt := ta.erpCreate(t, owner, "/api/v1/products", lotProduct("BOLT-8", "stocked"))
	seat := ta.erpCreate(t, owner, "/api/v1/products", lotProduct("SEAT", "stocked"))
	body := lotProduct("CHAIR", "manufactured")
	body["lead_time_days"], body["daily_capacity"], body["list_price_minor"] = 2, 100, 12_000
	chair = ta.erpCreate(t, owner, "/api/v1/products", body)
	bom := map[string]any{"lines": []map[string]any{{"component_id": bolt, "quantity": 8}, {"component_id": seat, "quantity": 1}}}
	if r := ta.do(owner, "PUT", "/api/v1/boms/"+chair, bom); r.Status != 200 {
		t.Fatalf("BOM: %d %s", r.Status, r.Body)
	}
	ta.erpLotID(t, owner, chair, wh, 500, "CHAIR-STOCK")
	ta.erpLotID(t, owner, bolt, wh, 4000, "B-1")
	ta.erpLotID(t, owner, seat, wh, 500, "S-1")
	return chair, wh
}

// TestFlowQuoteToCash is seed flow 1 (F1, F5): 1,000 chairs wanted, 500 in
// stock. The quote says 500 now and 500 more by today + 2 days lead + 5
// days at 100 a day; accepting it makes the order (500 reserved), the
// production order for the other 500 and wins the opportunity; production
// completes, the order is ready, ships, is invoiced and paid, and the
// opportunity's order shows each step.
func TestFlowQuoteToCash(t *testing.T) {
	ta, clock := newClockedApp(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	owner := ta.signup("flow-quote")
	rep := ta.erpStaff(t, owner, "flow-quote", "sales")
	planner := ta.erpStaff(t, owner, "flow-quote", "production")
	clerk := ta.erpStaff(t, owner, "flow-quote", "warehouse")
	finance := ta.erpStaff(t, owner, "flow-quote", "finance")
	chair, _ := ta.chairWorks(t, owner)
	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Acme Furniture", "currency": "EUR",
		"email": "buyer@acme.example.com"})
	opp := ta.erpCreate(t, rep, "/api/v1/opportunities", map[string]any{"account_id": acme, "name": "1,000 chairs",
		"lines": []map[string]any{{"product_id": chair, "quantity": 1000}}})

	// The quote from the opportunity: its line, the catalog price, ATP.
	id := ta.erpCreate(t, rep, "/api/v1/quotes", map[string]any{"opportunity_id": opp})
	q := ta.quote(t, rep, id)
	if q.Status != "draft" || q.Revision != 1 || q.ValidUntil != "2026-12-31" || len(q.Lines) != 1 ||
		q.Lines[0].UnitPriceMinor != 12_000 || q.Lines[0].NetMinor != 12_000_000 || q.AccountName != "Acme Furniture" {
		t.Fatalf("new quote: %+v", q)
	}
	if a := q.Lines[0].Availability; a == nil || a.Now != 500 || a.Later != 500 || deref(a.LaterDate) != "2026-12-08" || a.Date != "2026-12-08" {
		t.Fatalf("availability: %+v", a)
	}
	if q.Credit == nil || q.Credit.Limited {
		t.Errorf("credit without a limit: %+v", q.Credit)
	}

	// PDF and send: the email goes to the account through the outbox.
	r := ta.do(rep, "GET", "/api/v1/quotes/"+id+"/pdf", nil)
	if r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF-")) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	ta.quoteAction(t, rep, id, "send", map[string]any{"message": "As agreed on the phone."}, 200)
	q = ta.quote(t, rep, id)
	if q.Status != "sent" || deref(q.PromisedDate) != "2026-12-08" || q.SentTo != "buyer@acme.example.com" {
		t.Errorf("sent quote: %+v", q)
	}
	if m := ta.mailTo("buyer@acme.example.com"); !strings.Contains(m, q.Number) || !strings.Contains(m, "Delivery from: 2026-12-08") ||
		!strings.Contains(m, "As agreed on the phone.") {
		t.Errorf("quote mail: %s", m)
	}
	ta.quoteAction(t, rep, id, "send", nil, 409)

	// Accepted two days later: order, reservation, production, won deal.
	clock.add(48 * time.Hour)
	var acc acceptBody
	if err := json.Unmarshal(ta.quoteAction(t, rep, id, "accept", nil, 200), &acc); err != nil {
		t.Fatal(err)
	}
	if acc.Quote.Status != "accepted" || acc.Order.Status != "in_production" || len(acc.Production) != 1 || acc.PlanNote != "" {
		t.Fatalf("accepted: %+v", acc)
	}
	ta.quoteAction(t, rep, id, "accept", nil, 409)
	o := ta.order(t, rep, acc.Order.ID)
	if l := o.Lines[0]; l.ReservedQty != 500 || l.ShortfallQty != 500 || deref(o.PromisedDate) != "2026-12-10" {
		t.Errorf("order from the quote: %+v", o)
	}
	var oppBody struct {
		Status string `json:"status"`
	}
	ta.do(rep, "GET", "/api/v1/opportunities/"+opp, nil).json(t, &oppBody)
	if oppBody.Status != "won" {
		t.Errorf("opportunity after acceptance: %+v", oppBody)
	}
	if r := ta.do(rep, "POST", "/api/v1/opportunities/"+opp+"/win", nil); r.Status < 400 || r.Status >= 500 {
		t.Errorf("winning twice: %d %s", r.Status, r.Body)
	}

	// Production completes: the order is ready with all 1,000 reserved.
	var list struct {
		Items []erpProduction `json:"items"`
	}
	ta.do(planner, "GET", "/api/v1/production-orders?status=planned", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Quantity != 500 || list.Items[0].Number != acc.Production[0] {
		t.Fatalf("planned production: %+v", list.Items)
	}
	for _, step := range []string{"release", "start", "complete"} {
		ta.erpProductionAction(t, planner, list.Items[0].ID, step)
	}
	if o = ta.order(t, rep, acc.Order.ID); o.Status != "ready" || o.Lines[0].ReservedQty != 1000 {
		t.Fatalf("order after production: %+v", o)
	}

	// Shipped, invoiced, paid; the opportunity's order shows each step.
	ta.erpShipAll(t, clerk, acc.Order.ID, nil)
	var inv erpInvoice
	r = ta.do(finance, "POST", "/api/v1/invoices", map[string]any{"order_id": acc.Order.ID})
	if r.Status != 201 {
		t.Fatalf("invoice: %d %s", r.Status, r.Body)
	}
	r.json(t, &inv)
	if inv.TotalMinor != q.TotalMinor {
		t.Errorf("invoice total %d, quote total %d", inv.TotalMinor, q.TotalMinor)
	}
	if r := ta.do(finance, "POST", "/api/v1/payments", map[string]any{"invoice_id": inv.ID, "amount_minor": inv.TotalMinor,
		"method": "transfer", "reference": "SEPA"}); r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Body)
	}
	var orders struct {
		Items []erpOrder `json:"items"`
	}
	ta.do(rep, "GET", "/api/v1/orders?opportunity_id="+opp, nil).json(t, &orders)
	if len(orders.Items) != 1 || orders.Items[0].ID != acc.Order.ID || orders.Items[0].Status != "invoiced" {
		t.Errorf("the opportunity's orders: %+v", orders.Items)
	}
	if inv = ta.erpInvoice(t, rep, inv.ID); inv.Status != "paid" {
		t.Errorf("invoice after payment: %+v", inv)
	}

	// The account's timeline tells the whole story, the quote included.
	var tl struct {
		Items []struct {
			Kind   string `json:"kind"`
			Status string `json:"status"`
		} `json:"items"`
	}
	ta.do(rep, "GET", "/api/v1/accounts/"+acme+"/timeline", nil).json(t, &tl)
	seen := map[string]string{}
	for _, it := range tl.Items {
		seen[it.Kind] = it.Status
	}
	for kind, status := range map[string]string{"quote": "accepted", "order": "invoiced", "shipment": "shipped",
		"invoice": "paid", "payment": ""} {
		if got, ok := seen[kind]; !ok || (status != "" && got != status) {
			t.Errorf("timeline %s: %q (present %v) in %+v", kind, got, ok, tl.Items)
		}
	}
}

// TestQuoteCreditCheck is seed flow 4 on a quote: limit 40,000 €, 30,000 €
// invoiced and unpaid, a quote of 50,000 € → available 10,000 €, exceeded
// by 40,000 €, shown before sending. Accepting it makes the order, which
// waits in credit hold with nothing reserved or planned until finance
// approves.
func TestQuoteCreditCheck(t *testing.T) {
	ta, _ := newClockedApp(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	owner := ta.signup("quote-credit")
	rep := ta.erpStaff(t, owner, "quote-credit", "sales")
	finance := ta.erpStaff(t, owner, "quote-credit", "finance")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	press := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "PRESS", "name": "Press",
		"list_price_minor": 1_000_000, "currency": "EUR"})
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(press, wh, 20, ""))
	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Acme Industrial", "currency": "EUR",
		"credit_limit_minor": 4_000_000})
	first := ta.erpCreate(t, rep, "/api/v1/orders", orderBody(acme, press, 3))
	ta.erpOrderAction(t, rep, first, "confirm", nil)
	ta.erpShipAll(t, owner, first, nil)
	if r := ta.do(finance, "POST", "/api/v1/invoices", map[string]any{"order_id": first}); r.Status != 201 {
		t.Fatalf("invoice: %d %s", r.Status, r.Body)
	}

	id := ta.erpCreate(t, rep, "/api/v1/quotes", orderBody(acme, press, 5))
	q := ta.quote(t, rep, id)
	if c := q.Credit; c == nil || !c.Limited || c.LimitMinor != 4_000_000 || c.InvoicesMinor != 3_000_000 ||
		c.AvailableMinor != 1_000_000 || c.QuoteMinor != 5_000_000 || c.ExceedsByMinor != 4_000_000 {
		t.Fatalf("credit check: %+v", q.Credit)
	}
	ta.quoteAction(t, rep, id, "send", map[string]any{"to": "buyer@acme.example.com"}, 200)
	var acc acceptBody
	if err := json.Unmarshal(ta.quoteAction(t, rep, id, "accept", nil, 200), &acc); err != nil {
		t.Fatal(err)
	}
	if acc.Order.Status != "credit_hold" || len(acc.Production) != 0 {
		t.Fatalf("accepted over the limit: %+v", acc)
	}
	if s := ta.erpStock(t, owner, press); s.Reserved != 0 {
		t.Errorf("held order reserved stock: %+v", s)
	}
	if o := ta.erpOrderAction(t, finance, acc.Order.ID, "approve-credit", nil); o.Status != "confirmed" || o.Lines[0].ReservedQty != 5 {
		t.Errorf("approved: %+v", o)
	}
	// Answered: no availability or credit check any more.
	if q = ta.quote(t, rep, id); q.Credit != nil || q.Lines[0].Availability != nil || q.OrderID == nil || *q.OrderID != acc.Order.ID {
		t.Errorf("accepted quote: %+v", q)
	}
}

// TestQuoteATP checks that availability-to-promise reads the numbers
// reservations are made from: a confirmed order's reservation is never
// promised again, a receipt shows at once (the per-product cache moves on),
// open production's unclaimed output is promised by its due date, and
// under concurrent orders and quote reads the promise always equals what
// is left unreserved once they settle.
func TestQuoteATP(t *testing.T) {
	ta, _ := newClockedApp(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	owner := ta.signup("quote-atp")
	chair, wh := ta.chairWorks(t, owner)
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme", "currency": "EUR"})
	id := ta.erpCreate(t, owner, "/api/v1/quotes", orderBody(acme, chair, 600))
	avail := func() quoteAvail {
		t.Helper()
		return *ta.quote(t, owner, id).Lines[0].Availability
	}
	if a := avail(); a.Now != 500 || a.Later != 100 || a.Date != "2026-12-04" {
		t.Fatalf("before any order: %+v", a)
	}
	held := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, chair, 200))
	ta.erpOrderAction(t, owner, held, "confirm", nil)
	if a := avail(); a.Now != 300 || a.Later != 300 || a.Date != "2026-12-06" {
		t.Errorf("after an order holds 200: %+v", a)
	}
	ta.erpLotID(t, owner, chair, wh, 50, "CHAIR-MORE")
	if a := avail(); a.Now != 350 || a.Later != 250 {
		t.Errorf("after a receipt of 50: %+v", a)
	}
	// A production order of 400 nobody claimed, due in 4 days at 100 a day.
	ta.erpCreate(t, owner, "/api/v1/production-orders", productionBody(chair, wh, 400))
	if a := avail(); a.Now != 350 || a.Later != 250 || a.Date != "2026-12-05" {
		t.Errorf("with open production: %+v", a)
	}

	// Eight orders of 40 race eight quote reads: once settled, the promise
	// is exactly what is left.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			o := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, chair, 40))
			ta.erpOrderAction(t, owner, o, "confirm", nil)
		}()
		go func() {
			defer wg.Done()
			if a := avail(); a.Now < 30 || a.Now > 350 {
				t.Errorf("during the race: %+v", a)
			}
		}()
	}
	wg.Wait()
	s := ta.erpStock(t, owner, chair)
	if a := avail(); a.Now != s.Available || s.Available != 30 {
		t.Errorf("after the race: promise %+v, stock %+v", a, s)
	}
}

// TestQuoteRules covers the refusals: unknown and inactive products, a
// negative discount, a past valid-until date, editing a sent quote, and
// accepting an expired, superseded or declined quote: each a clear 4xx with
// nothing changed. Revising keeps the number and bumps the revision.
func TestQuoteRules(t *testing.T) {
	ta, clock := newClockedApp(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	owner := ta.signup("quote-rules")
	rep := ta.erpStaff(t, owner, "quote-rules", "sales")
	chair, _ := ta.chairWorks(t, owner)
	old := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "OLD", "name": "Old", "list_price_minor": 100, "currency": "EUR"})
	if r := ta.do(owner, "PATCH", "/api/v1/products/"+old, map[string]any{"active": false}); r.Status != 200 {
		t.Fatalf("deactivate: %d %s", r.Status, r.Body)
	}
	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Acme", "currency": "EUR", "email": "a@acme.example.com"})
	line := func(product string, extra map[string]any) map[string]any {
		l := map[string]any{"product_id": product, "quantity": 10}
		for k, v := range extra {
			l[k] = v
		}
		return map[string]any{"account_id": acme, "lines": []map[string]any{l}}
	}
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown product", line("01900000-0000-7000-8000-000000000000", nil), "lines[0].product_id"},
		{"inactive product", line(old, nil), "lines[0].product_id"},
		{"negative discount", line(chair, map[string]any{"discount_bp": -5}), "lines[0].discount_bp"},
		{"zero quantity", map[string]any{"account_id": acme, "lines": []map[string]any{{"product_id": chair, "quantity": 0}}}, "lines[0].quantity"},
		{"past validity", map[string]any{"account_id": acme, "valid_until": "2026-11-30", "lines": []map[string]any{{"product_id": chair, "quantity": 1}}}, "valid_until"},
		{"no lines", map[string]any{"account_id": acme}, "lines"},
		{"no account", map[string]any{"lines": []map[string]any{{"product_id": chair, "quantity": 1}}}, "account_id"},
	} {
		r := ta.do(rep, "POST", "/api/v1/quotes", c.body)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if n := ta.erpCount(t, owner, "/api/v1/quotes"); n != 0 {
		t.Fatalf("refused quotes stored: %d", n)
	}

	// Expired: sent, then past its validity; accepting is refused, revising
	// makes revision 2 and supersedes the first, which cannot be accepted.
	id := ta.erpCreate(t, rep, "/api/v1/quotes", map[string]any{"account_id": acme, "valid_until": "2026-12-05",
		"lines": []map[string]any{{"product_id": chair, "quantity": 10}}})
	ta.quoteAction(t, rep, id, "send", nil, 200)
	if r := ta.do(rep, "PATCH", "/api/v1/quotes/"+id, map[string]any{"notes": "late"}); r.Status != 409 {
		t.Errorf("editing a sent quote: %d %s", r.Status, r.Body)
	}
	clock.add(5 * 24 * time.Hour)
	if q := ta.quote(t, rep, id); q.Status != "expired" {
		t.Errorf("past validity: %+v", q)
	}
	ta.quoteAction(t, rep, id, "accept", nil, 409)
	var next quoteBody
	if err := json.Unmarshal(ta.quoteAction(t, rep, id, "revise", nil, 201), &next); err != nil {
		t.Fatal(err)
	}
	first := ta.quote(t, rep, id)
	if next.Revision != 2 || next.Number != first.Number || next.Status != "draft" || first.Status != "superseded" ||
		first.SupersededBy == nil || *first.SupersededBy != next.ID {
		t.Errorf("revision: %+v, first %+v", next, first)
	}
	ta.quoteAction(t, rep, id, "accept", nil, 409)
	ta.quoteAction(t, rep, id, "revise", nil, 409)
	ta.quoteAction(t, rep, next.ID, "accept", nil, 409) // a draft is sent first

	// Declined: needs a reason, then cannot be accepted.
	ta.quoteAction(t, rep, next.ID, "send", nil, 200)
	ta.quoteAction(t, rep, next.ID, "decline", map[string]any{"reason": ""}, 400)
	ta.quoteAction(t, rep, next.ID, "decline", map[string]any{"reason": "price"}, 200)
	ta.quoteAction(t, rep, next.ID, "accept", nil, 409)
	// A declined quote can be revised; its answer stays on record.
	var third quoteBody
	if err := json.Unmarshal(ta.quoteAction(t, rep, next.ID, "revise", nil, 201), &third); err != nil {
		t.Fatal(err)
	}
	if declined := ta.quote(t, rep, next.ID); third.Revision != 3 || declined.Status != "superseded" {
		t.Errorf("revising a declined quote: %+v, then %+v", declined, third)
	}
	if n := ta.erpCount(t, owner, "/api/v1/orders"); n != 0 {
		t.Errorf("refused acceptances made orders: %d", n)
	}

	// Record rule (R3): another rep does not see this rep's quotes.
	other := ta.staffUser(t, owner, "quote-rules", "rep2@quote-rules.example.com", "sales")
	if r := ta.do(other, "GET", "/api/v1/quotes/"+id, nil); r.Status != 404 {
		t.Errorf("another rep reads the quote: %d", r.Status)
	}
	if n := ta.erpCount(t, other, "/api/v1/quotes"); n != 0 {
		t.Errorf("another rep lists %d quotes", n)
	}
}
