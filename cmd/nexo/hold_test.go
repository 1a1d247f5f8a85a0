package main

import (
	"context"
	"testing"
)

// TestQualityHoldReachesOrders (E9): a lot put on hold gives back the stock
// an order had reserved from it; once the outbox event is handled the order
// line shows the shortfall, and nothing else can reserve the held units.
func TestQualityHoldReachesOrders(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("hold-orders")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "W", "name": "Main"})
	valve := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "VALVE", "name": "Valve", "type": "stocked",
		"list_price_minor": 900, "currency": "EUR", "lot_tracked": true})
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(valve, wh, 100, "L-BAD"))
	acc := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Buyer"})
	id := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acc, valve, 60))
	if o := ta.erpOrderAction(t, owner, id, "confirm", nil); o.Lines[0].ReservedQty != 60 {
		t.Fatalf("confirmed: %+v", o)
	}
	var lots struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/lots?product_id="+valve, nil).json(t, &lots)
	if len(lots.Items) != 1 {
		t.Fatalf("lots: %+v", lots)
	}
	if r := ta.do(owner, "POST", "/api/v1/lots/"+lots.Items[0].ID+"/hold", map[string]string{"reason": "porosity"}); r.Status != 200 {
		t.Fatalf("hold: %d %s", r.Status, r.Body)
	}
	for range 2 { // the second pass finds nothing new: handled once in effect
		if _, err := ta.relay.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var o erpOrder
	ta.do(owner, "GET", "/api/v1/orders/"+id, nil).json(t, &o)
	if l := o.Lines[0]; l.ReservedQty != 0 || l.ShortfallQty != 60 || l.ShortfallAction != "purchase" || o.Status != "confirmed" {
		t.Fatalf("order after the hold: %s %+v", o.Status, l)
	}
	if s := ta.erpStock(t, owner, valve); s != (erpLevel{OnHand: 100, Reserved: 0, Available: 0}) {
		t.Errorf("held stock: %+v", s)
	}
}
