package main

import "testing"

type creditBody struct {
	Limited        bool  `json:"limited"`
	LimitMinor     int64 `json:"limit_minor"`
	InvoicesMinor  int64 `json:"open_invoices_minor"`
	OrdersMinor    int64 `json:"open_orders_minor"`
	AvailableMinor int64 `json:"available_minor"`
}

// TestFlowCreditHold is seed flow 4 (F4) through the API: a customer with a
// 40,000 € limit owes 30,000 € on an open invoice, so 10,000 € is available;
// a 50,000 € order exceeds it by 40,000 € and waits in credit_hold with
// nothing reserved; the rep cannot approve it, finance can, and the
// approval confirms it (stock reserved) and is audited. A customer without
// a limit is never held.
func TestFlowCreditHold(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("flow-credit")
	rep := ta.erpStaff(t, owner, "flow-credit", "sales")
	finance := ta.erpStaff(t, owner, "flow-credit", "finance")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	press := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "PRESS", "name": "Press",
		"list_price_minor": 1_000_000, "currency": "EUR"})
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(press, wh, 20, ""))
	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Acme Industrial", "currency": "EUR",
		"credit_limit_minor": 4_000_000})
	credit := func() creditBody {
		t.Helper()
		var c creditBody
		if r := ta.do(rep, "GET", "/api/v1/accounts/"+acme+"/credit", nil); r.Status != 200 {
			t.Fatalf("credit: %d %s", r.Status, r.Body)
		} else {
			r.json(t, &c)
		}
		return c
	}

	// 30,000 € shipped and invoiced, not paid.
	first := ta.erpCreate(t, rep, "/api/v1/orders", orderBody(acme, press, 3))
	if o := ta.erpOrderAction(t, rep, first, "confirm", nil); o.Status != "confirmed" {
		t.Fatalf("first order within the limit: %+v", o)
	}
	if c := credit(); c.OrdersMinor != 3_000_000 || c.AvailableMinor != 1_000_000 {
		t.Errorf("with the first order open: %+v", c)
	}
	ta.erpShipAll(t, owner, first, nil)
	if r := ta.do(finance, "POST", "/api/v1/invoices", map[string]any{"order_id": first}); r.Status != 201 {
		t.Fatalf("invoice: %d %s", r.Status, r.Body)
	}
	if c := credit(); c != (creditBody{Limited: true, LimitMinor: 4_000_000, InvoicesMinor: 3_000_000, AvailableMinor: 1_000_000}) {
		t.Errorf("after the invoice: %+v", c)
	}

	// 50,000 €: over the 10,000 € available by 40,000 €.
	big := ta.erpCreate(t, rep, "/api/v1/orders", orderBody(acme, press, 5))
	o := ta.erpOrderAction(t, rep, big, "confirm", nil)
	if o.Status != "credit_hold" || o.Lines[0].ReservedQty != 0 {
		t.Fatalf("over the limit: %+v", o)
	}
	var hist struct {
		Items []struct {
			To   string `json:"to"`
			Note string `json:"note"`
		} `json:"items"`
	}
	ta.do(rep, "GET", "/api/v1/orders/"+big+"/history", nil).json(t, &hist)
	if last := hist.Items[len(hist.Items)-1]; last.To != "credit_hold" || last.Note != "over the available credit (1000000) by 4000000 minor units of EUR" {
		t.Errorf("history: %+v", hist)
	}
	if s := ta.erpStock(t, owner, press); s.Reserved != 0 {
		t.Errorf("held order reserved stock: %+v", s)
	}
	if r := ta.do(rep, "POST", "/api/v1/orders/"+big+"/confirm", nil); r.Status != 422 {
		t.Errorf("confirming a held order again: %d %s", r.Status, r.Body)
	}
	if r := ta.do(rep, "POST", "/api/v1/orders/"+big+"/approve-credit", nil); r.Status != 403 {
		t.Errorf("rep approves: %d %s", r.Status, r.Body)
	}
	o = ta.erpOrderAction(t, finance, big, "approve-credit", map[string]any{"note": "paid on delivery"})
	if o.Status != "confirmed" || o.Lines[0].ReservedQty != 5 {
		t.Fatalf("approved: %+v", o)
	}
	if r := ta.do(finance, "POST", "/api/v1/orders/"+big+"/approve-credit", nil); r.Status != 422 {
		t.Errorf("approving twice: %d %s", r.Status, r.Body)
	}
	var audit struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/audit-events?resource_id="+big, nil).json(t, &audit)
	found := false
	for _, a := range audit.Items {
		found = found || a.Action == "order.credit_approved"
	}
	if !found {
		t.Errorf("no audited approval: %+v", audit)
	}

	// No limit set: never held.
	free := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Free Trade Ltd", "currency": "EUR"})
	if c := func() creditBody {
		var c creditBody
		ta.do(rep, "GET", "/api/v1/accounts/"+free+"/credit", nil).json(t, &c)
		return c
	}(); c.Limited {
		t.Errorf("no limit: %+v", c)
	}
	if o := ta.erpOrderAction(t, rep, ta.erpCreate(t, rep, "/api/v1/orders", orderBody(free, press, 10)), "confirm", nil); o.Status != "confirmed" {
		t.Errorf("no limit, big order: %+v", o)
	}
}

// TestFlowCreditConcurrent confirms two orders of one customer at once,
// each within the available credit but not both: the account lock makes
// them queue, so exactly one is confirmed and the other waits for approval.
func TestFlowCreditConcurrent(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("flow-credit-race")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	p := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "P", "name": "P", "list_price_minor": 800_000, "currency": "EUR"})
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(p, wh, 10, ""))
	acc := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Tight Credit", "currency": "EUR", "credit_limit_minor": 1_000_000})
	ids := []string{ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acc, p, 1)), ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acc, p, 1))}
	statuses := make(chan string, 2)
	for _, id := range ids {
		go func() {
			var o erpOrder
			r := ta.do(owner, "POST", "/api/v1/orders/"+id+"/confirm", nil)
			r.json(t, &o)
			statuses <- o.Status
		}()
	}
	got := map[string]int{}
	for range ids {
		got[<-statuses]++
	}
	if got["confirmed"] != 1 || got["credit_hold"] != 1 {
		t.Errorf("two orders over the credit together: %v", got)
	}
}
