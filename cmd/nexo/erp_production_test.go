package main

import (
	"slices"
	"strings"
	"testing"
)

// The production side of the ERP journey (F1) on the real modules through
// HTTP: a sales shortfall planned into a production order, released,
// started and completed, filling the sales order.

type erpComponent struct {
	ComponentID string `json:"component_id"`
	Required    int64  `json:"required_qty"`
	Reserved    int64  `json:"reserved_qty"`
	Consumed    int64  `json:"consumed_qty"`
}

type erpProduction struct {
	ID         string         `json:"id"`
	Number     string         `json:"number"`
	ProductID  string         `json:"product_id"`
	Quantity   int64          `json:"quantity"`
	Status     string         `json:"status"`
	LotID      *string        `json:"lot_id"`
	Components []erpComponent `json:"components"`
	Demands    []struct {
		OrderLineID string `json:"order_line_id"`
		Quantity    int64  `json:"quantity"`
	} `json:"demands"`
}

type erpPlan struct {
	Created []erpProduction  `json:"created"`
	Skipped []map[string]any `json:"skipped"`
}

func (ta *testApp) erpProductionAction(t *testing.T, c *client, id, action string) erpProduction {
	t.Helper()
	r := ta.do(c, "POST", "/api/v1/production-orders/"+id+"/"+action, nil)
	if r.Status != 200 {
		t.Fatalf("%s production order: %d %s", action, r.Status, r.Body)
	}
	var o erpProduction
	r.json(t, &o)
	return o
}

// erpLotID receives qty units of product into a new lot and returns its id.
func (ta *testApp) erpLotID(t *testing.T, c *client, product, warehouse string, qty int, code string) string {
	t.Helper()
	r := ta.do(c, "POST", "/api/v1/stock-moves", receiptBody(product, warehouse, qty, code))
	if r.Status != 201 {
		t.Fatalf("receipt of %s: %d %s", code, r.Status, r.Body)
	}
	var mv struct {
		LotID string `json:"lot_id"`
	}
	r.json(t, &mv)
	return mv.LotID
}

func lotProduct(sku, typ string) map[string]any {
	return map[string]any{"sku": sku, "name": sku, "type": typ, "list_price_minor": 100, "currency": "EUR", "lot_tracked": true}
}

func TestERPProductionJourney(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-production")

	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main warehouse"})
	bolt := ta.erpCreate(t, owner, "/api/v1/products", lotProduct("BOLT-8", "stocked"))
	seat := ta.erpCreate(t, owner, "/api/v1/products", lotProduct("SEAT", "stocked"))
	chairBody := lotProduct("CHAIR", "manufactured")
	chairBody["lead_time_days"], chairBody["daily_capacity"] = 2, 100
	chair := ta.erpCreate(t, owner, "/api/v1/products", chairBody)
	bom := map[string]any{"lines": []map[string]any{{"component_id": bolt, "quantity": 8}, {"component_id": seat, "quantity": 1}}}
	if r := ta.do(owner, "PUT", "/api/v1/boms/"+chair, bom); r.Status != 200 {
		t.Fatalf("BOM: %d %s", r.Status, r.Body)
	}
	ta.erpLotID(t, owner, chair, wh, 500, "CHAIR-STOCK")
	boltLots := []string{ta.erpLotID(t, owner, bolt, wh, 3000, "B-1"), ta.erpLotID(t, owner, bolt, wh, 1500, "B-2")}
	seatLot := ta.erpLotID(t, owner, seat, wh, 600, "S-1")
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme Furniture", "currency": "EUR"})

	// 1,000 ordered, 500 in stock: half reserved, half short to production.
	so := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, chair, 1000))
	o := ta.erpOrderAction(t, owner, so, "confirm", nil)
	if l := o.Lines[0]; o.Status != "in_production" || l.ReservedQty != 500 || l.ShortfallQty != 500 || l.ShortfallAction != "production" {
		t.Fatalf("confirmed order: %+v", o)
	}

	// Planning makes one order of 500 covering the line; planning again
	// makes nothing.
	var plan erpPlan
	if r := ta.do(owner, "POST", "/api/v1/production-orders/plan", nil); r.Status != 200 {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	} else {
		r.json(t, &plan)
	}
	if len(plan.Created) != 1 || len(plan.Skipped) != 0 {
		t.Fatalf("plan: %+v", plan)
	}
	mo := plan.Created[0]
	if mo.ProductID != chair || mo.Quantity != 500 || mo.Status != "planned" || len(mo.Demands) != 1 || mo.Demands[0].Quantity != 500 {
		t.Errorf("planned order: %+v", mo)
	}
	ta.do(owner, "POST", "/api/v1/production-orders/plan", map[string]any{"warehouse_id": wh}).json(t, &plan)
	if len(plan.Created) != 0 {
		t.Errorf("second plan created %+v", plan.Created)
	}

	// Release reserves every component; start; complete consumes them and
	// makes a lot of 500 chairs.
	mo = ta.erpProductionAction(t, owner, mo.ID, "release")
	want := map[string]int64{bolt: 4000, seat: 500}
	if len(mo.Components) != len(want) {
		t.Errorf("released components: %+v", mo.Components)
	}
	for _, c := range mo.Components {
		if c.Required != want[c.ComponentID] || c.Reserved != c.Required {
			t.Errorf("released component: %+v", c)
		}
	}
	if s := ta.erpStock(t, owner, bolt); s != (erpLevel{OnHand: 4500, Reserved: 4000, Available: 500}) {
		t.Errorf("bolts after release: %+v", s)
	}
	ta.erpProductionAction(t, owner, mo.ID, "start")
	mo = ta.erpProductionAction(t, owner, mo.ID, "complete")
	if mo.Status != "completed" || mo.LotID == nil {
		t.Fatalf("completed order: %+v", mo)
	}
	for _, c := range mo.Components {
		if c.Consumed != want[c.ComponentID] || c.Reserved != 0 {
			t.Errorf("consumed component: %+v", c)
		}
	}

	// The sales order is filled: 1,000 reserved, nothing short, ready.
	ta.do(owner, "GET", "/api/v1/orders/"+so, nil).json(t, &o)
	if l := o.Lines[0]; o.Status != "ready" || l.ReservedQty != 1000 || l.ShortfallQty != 0 {
		t.Errorf("sales order after production: %+v", o)
	}

	// Stock: components consumed, chairs made and all reserved.
	for product, lvl := range map[string]erpLevel{bolt: {OnHand: 500, Available: 500}, seat: {OnHand: 100, Available: 100},
		chair: {OnHand: 1000, Reserved: 1000}} {
		if s := ta.erpStock(t, owner, product); s != lvl {
			t.Errorf("stock of %s after production: %+v, want %+v", product, s, lvl)
		}
	}

	// The finished lot traces back to every component lot consumed.
	var trace struct {
		Lot struct {
			Code string `json:"code"`
		} `json:"lot"`
		Components []struct {
			Lot struct {
				ID string `json:"id"`
			} `json:"lot"`
			Quantity int64 `json:"quantity"`
		} `json:"components"`
	}
	if r := ta.do(owner, "GET", "/api/v1/lots/"+*mo.LotID+"/trace", nil); r.Status != 200 {
		t.Fatalf("trace: %d %s", r.Status, r.Body)
	} else {
		r.json(t, &trace)
	}
	var traced []string
	for _, c := range trace.Components {
		traced = append(traced, c.Lot.ID)
	}
	for _, id := range append(boltLots, seatLot) {
		if !slices.Contains(traced, id) {
			t.Errorf("lot %s missing from the trace of %s: %v", id, trace.Lot.Code, traced)
		}
	}
	if trace.Lot.Code != mo.Number {
		t.Errorf("finished lot code %q, want the order number %q", trace.Lot.Code, mo.Number)
	}

	var hist struct {
		Items []struct {
			From *string `json:"from"`
			To   string  `json:"to"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/production-orders/"+mo.ID+"/history", nil).json(t, &hist)
	var steps []string
	for _, h := range hist.Items {
		steps = append(steps, deref(h.From)+"→"+h.To)
	}
	if got := strings.Join(steps, " "); got != "→planned planned→released released→in_progress in_progress→completed" {
		t.Errorf("history: %s", got)
	}
}

// A component short on release: 422 naming it, nothing reserved, the order
// still planned.
func TestERPProductionShortComponent(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-production-short")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	leg := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "LEG", "name": "Leg", "list_price_minor": 100, "currency": "EUR"})
	top := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "TOP", "name": "Top", "list_price_minor": 100, "currency": "EUR"})
	table := ta.erpCreate(t, owner, "/api/v1/products", productBody("TABLE", "manufactured"))
	bom := map[string]any{"lines": []map[string]any{{"component_id": top, "quantity": 1}, {"component_id": leg, "quantity": 4}}}
	if r := ta.do(owner, "PUT", "/api/v1/boms/"+table, bom); r.Status != 200 {
		t.Fatalf("BOM: %d %s", r.Status, r.Body)
	}
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(leg, wh, 10, ""))
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(top, wh, 5, ""))

	var mo erpProduction
	r := ta.do(owner, "POST", "/api/v1/production-orders", map[string]any{"product_id": table, "quantity": 5})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	r.json(t, &mo)
	r = ta.do(owner, "POST", "/api/v1/production-orders/"+mo.ID+"/release", nil)
	var p struct {
		Errors map[string]string `json:"errors"`
	}
	r.json(t, &p)
	if r.Status != 422 || len(p.Errors) != 1 {
		t.Fatalf("short release: %d %s", r.Status, r.Body)
	}
	for field, why := range p.Errors {
		if !strings.HasPrefix(field, "components[") || !strings.Contains(why, "LEG") || !strings.Contains(why, "needs 20") {
			t.Errorf("short release names %s: %s", field, why)
		}
	}
	for _, product := range []string{leg, top} {
		if s := ta.erpStock(t, owner, product); s.Reserved != 0 {
			t.Errorf("stock of %s after a refused release: %+v", product, s)
		}
	}
	ta.do(owner, "GET", "/api/v1/production-orders/"+mo.ID, nil).json(t, &mo)
	if mo.Status != "planned" || len(mo.Components) != 2 {
		t.Errorf("order after a refused release: %+v", mo)
	}
	for _, c := range mo.Components {
		if c.Reserved != 0 {
			t.Errorf("component reserved after a refused release: %+v", c)
		}
	}
}
