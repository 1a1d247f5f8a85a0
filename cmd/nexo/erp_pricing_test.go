package main

import "testing"

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
