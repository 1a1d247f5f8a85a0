package main

import (
	"slices"
	"strings"
	"testing"
)

// The shipping end of the ERP journey on the real modules through HTTP: an
// order made ready by production ships in two parts, is delivered, and the
// lots trace forward to the customer.

type erpShipment struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	AccountID   string  `json:"account_id"`
	DeliveredAt *string `json:"delivered_at"`
	Lines       []struct {
		OrderLineID  string `json:"order_line_id"`
		Quantity     int64  `json:"quantity"`
		DeliveredQty int64  `json:"delivered_qty"`
		Lots         []struct {
			LotID    *string `json:"lot_id"`
			Quantity int64   `json:"quantity"`
		} `json:"lots"`
	} `json:"lines"`
}

type erpTrace struct {
	UsedIn []struct {
		Lot struct {
			ID string `json:"id"`
		} `json:"lot"`
	} `json:"used_in"`
	Shipments []struct {
		RefID       string  `json:"ref_id"`
		AccountID   *string `json:"account_id"`
		Quantity    int64   `json:"quantity"`
		Number      string  `json:"number"`
		AccountName string  `json:"account_name"`
	} `json:"shipments"`
	Customers []string `json:"customers"`
}

func (ta *testApp) erpShipmentStep(t *testing.T, c *client, id, step string) erpShipment {
	t.Helper()
	r := ta.do(c, "POST", "/api/v1/shipments/"+id+"/"+step, nil)
	if r.Status != 200 {
		t.Fatalf("%s shipment: %d %s", step, r.Status, r.Body)
	}
	var s erpShipment
	r.json(t, &s)
	return s
}

func (ta *testApp) erpTrace(t *testing.T, c *client, lot string) erpTrace {
	t.Helper()
	r := ta.do(c, "GET", "/api/v1/lots/"+lot+"/trace", nil)
	if r.Status != 200 {
		t.Fatalf("trace: %d %s", r.Status, r.Body)
	}
	var tr erpTrace
	r.json(t, &tr)
	return tr
}

func TestERPShippingJourney(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-shipping")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main warehouse"})
	leg := ta.erpCreate(t, owner, "/api/v1/products", lotProduct("LEG", "stocked"))
	stool := ta.erpCreate(t, owner, "/api/v1/products", lotProduct("STOOL", "manufactured"))
	if r := ta.do(owner, "PUT", "/api/v1/boms/"+stool, bomBody(leg, 3)); r.Status != 200 {
		t.Fatalf("BOM: %d %s", r.Status, r.Body)
	}
	legLot := ta.erpLotID(t, owner, leg, wh, 30, "L-1")
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme Furniture", "currency": "EUR"})

	// Ten stools ordered, none in stock: produced, the order becomes ready.
	so := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, stool, 10))
	ta.erpOrderAction(t, owner, so, "confirm", nil)
	var plan erpPlan
	ta.do(owner, "POST", "/api/v1/production-orders/plan", nil).json(t, &plan)
	if len(plan.Created) != 1 {
		t.Fatalf("plan: %+v", plan)
	}
	for _, step := range []string{"release", "start", "complete"} {
		ta.erpProductionAction(t, owner, plan.Created[0].ID, step)
	}
	var o erpOrder
	ta.do(owner, "GET", "/api/v1/orders/"+so, nil).json(t, &o)
	if o.Status != "ready" || o.Lines[0].ReservedQty != 10 {
		t.Fatalf("order before shipping: %+v", o)
	}
	var lineID struct {
		Lines []struct {
			ID string `json:"id"`
		} `json:"lines"`
	}
	ta.do(owner, "GET", "/api/v1/orders/"+so, nil).json(t, &lineID)
	line := lineID.Lines[0].ID

	// Ship 4: the order is partially shipped, 6 left on hand and reserved.
	first := ta.erpCreate(t, owner, "/api/v1/shipments", map[string]any{"order_id": so, "carrier": "DHL",
		"lines": []map[string]any{{"order_line_id": line, "quantity": 4}}})
	ta.erpShipmentStep(t, owner, first, "pack")
	sh := ta.erpShipmentStep(t, owner, first, "ship")
	if sh.Status != "shipped" || sh.AccountID != acme || len(sh.Lines) != 1 || len(sh.Lines[0].Lots) != 1 || sh.Lines[0].Lots[0].Quantity != 4 {
		t.Errorf("first shipment: %+v", sh)
	}
	ta.do(owner, "GET", "/api/v1/orders/"+so, nil).json(t, &o)
	if o.Status != "partially_shipped" {
		t.Errorf("order after shipping 4: %s", o.Status)
	}
	if s := ta.erpStock(t, owner, stool); s != (erpLevel{OnHand: 6, Reserved: 6}) {
		t.Errorf("stools after shipping 4: %+v", s)
	}

	// Ship the rest (no lines: everything reserved): shipped, none on hand.
	second := ta.erpCreate(t, owner, "/api/v1/shipments", map[string]any{"order_id": so})
	ta.erpShipmentStep(t, owner, second, "pack")
	if sh = ta.erpShipmentStep(t, owner, second, "ship"); len(sh.Lines) != 1 || sh.Lines[0].Quantity != 6 {
		t.Errorf("second shipment: %+v", sh)
	}
	ta.do(owner, "GET", "/api/v1/orders/"+so, nil).json(t, &o)
	if o.Status != "shipped" {
		t.Errorf("order after shipping 10: %s", o.Status)
	}
	if s := ta.erpStock(t, owner, stool); s != (erpLevel{}) {
		t.Errorf("stools after shipping 10: %+v", s)
	}
	if r := ta.do(owner, "POST", "/api/v1/shipments", map[string]any{"order_id": so}); r.Status < 400 {
		t.Errorf("a third shipment of a shipped order: %d %s", r.Status, r.Body)
	}

	// In transit, then delivered; the first goes straight to delivered.
	if sh = ta.erpShipmentStep(t, owner, second, "in-transit"); sh.Status != "in_transit" {
		t.Errorf("in transit: %+v", sh)
	}
	sh = ta.erpShipmentStep(t, owner, second, "deliver")
	if sh.Status != "delivered" || sh.DeliveredAt == nil || sh.Lines[0].DeliveredQty != 6 {
		t.Errorf("delivered: %+v", sh)
	}
	ta.erpShipmentStep(t, owner, first, "deliver")
	var events struct {
		Items []struct {
			Status string `json:"status"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/shipments/"+second+"/events", nil).json(t, &events)
	var steps []string
	for _, e := range events.Items {
		steps = append(steps, e.Status)
	}
	if got := strings.Join(steps, " "); got != "draft packed shipped in_transit delivered" {
		t.Errorf("timeline: %s", got)
	}
	if n := ta.erpCount(t, owner, "/api/v1/shipments?order_id="+so); n != 2 {
		t.Errorf("%d shipments of the order", n)
	}

	// The finished lot traces forward to both shipments and the customer,
	// and so does the component lot it was made from.
	stoolLot := *sh.Lines[0].Lots[0].LotID
	tr := ta.erpTrace(t, owner, stoolLot)
	var shipped int64
	for _, s := range tr.Shipments {
		shipped += s.Quantity
		// A recall list names the shipment and the customer.
		if s.AccountName != "Acme Furniture" || !strings.HasPrefix(s.Number, "S") {
			t.Errorf("trace shipment without names: %+v", s)
		}
	}
	if shipped != 10 || len(tr.Shipments) != 2 || !slices.Equal(tr.Customers, []string{acme}) {
		t.Errorf("stool lot trace: %+v", tr)
	}
	tr = ta.erpTrace(t, owner, legLot)
	if len(tr.UsedIn) != 1 || tr.UsedIn[0].Lot.ID != stoolLot || !slices.Equal(tr.Customers, []string{acme}) {
		t.Errorf("leg lot trace: %+v", tr)
	}
}
