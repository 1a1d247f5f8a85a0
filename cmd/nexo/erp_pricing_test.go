package main

import (
	"strings"
	"testing"
)

// TestERPPriceListOrder prices orders from a real price list through the
// API: the quantity break applies from its minimum, a line with its own
// price keeps it, each line carries the product as sold, and a list of
// another tenant is no list at all.
func TestERPPriceListOrder(t *testing.T) {
	ta := newTestApp(t)
	owner, other := ta.signup("erp-prices"), ta.signup("erp-prices-b")
	valve := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "VAL-1", "name": "Brass valve",
		"list_price_minor": 1250, "currency": "EUR"})
	list := ta.erpCreate(t, owner, "/api/v1/price-lists", map[string]any{"name": "Wholesale", "currency": "EUR"})
	if r := ta.do(owner, "PUT", "/api/v1/price-lists/"+list+"/items", map[string]any{"items": []map[string]any{{"product_id": valve, "min_quantity": 100, "price_minor": 1100}}}); r.Status != 200 {
		t.Fatalf("items: %d %s", r.Status, r.Body)
	}
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme"})

	var o struct {
		PriceListID *string `json:"price_list_id"`
		TotalMinor  int64   `json:"total_minor"`
		Lines       []struct {
			Description    string `json:"description"`
			UnitPriceMinor int64  `json:"unit_price_minor"`
		} `json:"lines"`
	}
	body := map[string]any{"account_id": acme, "price_list_id": list, "lines": []map[string]any{
		{"product_id": valve, "quantity": 99}, {"product_id": valve, "quantity": 100},
		{"product_id": valve, "quantity": 1, "unit_price_minor": 999}}}
	r := ta.do(owner, "POST", "/api/v1/orders", body)
	if r.Status != 201 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	r.json(t, &o)
	if o.PriceListID == nil || *o.PriceListID != list || len(o.Lines) != 3 || o.Lines[0].UnitPriceMinor != 1250 ||
		o.Lines[1].UnitPriceMinor != 1100 || o.Lines[2].UnitPriceMinor != 999 || o.Lines[0].Description != "VAL-1 — Brass valve" {
		t.Fatalf("priced order: %s", r.Body)
	}

	theirs := ta.erpCreate(t, other, "/api/v1/price-lists", map[string]any{"name": "Theirs", "currency": "EUR"})
	for name, b := range map[string]map[string]any{
		"foreign list": {"account_id": acme, "price_list_id": theirs, "lines": []map[string]any{{"product_id": valve, "quantity": 1}}},
		"malformed":    {"account_id": acme, "price_list_id": "x", "lines": []map[string]any{{"product_id": valve, "quantity": 1}}},
	} {
		if r := ta.do(owner, "POST", "/api/v1/orders", b); r.Status != 400 || r.problemField("price_list_id") == "" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

// TestERPServiceOrderInvoiced bills services: an order of a service and a
// stocked product invoices the service as soon as it is confirmed (it never
// ships), then the product once shipped; an order of services only goes
// from confirmed to invoiced; a draft has nothing to invoice.
func TestERPServiceOrderInvoiced(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-services")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	install := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "INSTALL", "name": "Installation",
		"type": "service", "list_price_minor": 20000, "currency": "EUR"})
	boiler := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "BOILER", "name": "Boiler",
		"list_price_minor": 100000, "currency": "EUR"})
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(boiler, wh, 5, ""))
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme"})

	var inv struct {
		ID         string `json:"id"`
		TotalMinor int64  `json:"total_minor"`
		Lines      []struct {
			Description string `json:"description"`
		} `json:"lines"`
	}
	issue := func(order string, want int) {
		t.Helper()
		r := ta.do(owner, "POST", "/api/v1/invoices", map[string]any{"order_id": order})
		if r.Status != want {
			t.Fatalf("invoice %s: %d %s", order, r.Status, r.Body)
		}
		if want == 201 {
			r.json(t, &inv)
		}
	}
	draft := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, install, 1))
	issue(draft, 422)

	mixed := ta.erpCreate(t, owner, "/api/v1/orders", map[string]any{"account_id": acme, "lines": []map[string]any{
		{"product_id": boiler, "quantity": 1}, {"product_id": install, "quantity": 1}}})
	ta.erpOrderAction(t, owner, mixed, "confirm", nil)
	issue(mixed, 201)
	if inv.TotalMinor != 20000 || len(inv.Lines) != 1 || !strings.Contains(inv.Lines[0].Description, "INSTALL") {
		t.Fatalf("service invoice: %+v", inv)
	}
	issue(mixed, 422) // the boiler has not shipped
	sh := ta.erpCreate(t, owner, "/api/v1/shipments", map[string]any{"order_id": mixed})
	for _, step := range []string{"pack", "ship"} {
		ta.erpShipmentStep(t, owner, sh, step)
	}
	issue(mixed, 201)
	if inv.TotalMinor != 100000 {
		t.Fatalf("boiler invoice: %+v", inv)
	}
	var o erpOrder
	ta.do(owner, "GET", "/api/v1/orders/"+mixed, nil).json(t, &o)
	if o.Status != "invoiced" {
		t.Errorf("mixed order: %s", o.Status)
	}

	services := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, install, 2))
	ta.erpOrderAction(t, owner, services, "confirm", nil)
	issue(services, 201)
	ta.do(owner, "GET", "/api/v1/orders/"+services, nil).json(t, &o)
	if o.Status != "invoiced" || inv.TotalMinor != 40000 {
		t.Errorf("services-only order: %s, invoice %+v", o.Status, inv)
	}
}
