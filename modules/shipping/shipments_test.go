package shipping

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// TestStatusMachine checks every (from, to) pair against the allowed list
// written out here independently of the transitions table.
func TestStatusMachine(t *testing.T) {
	allowed := map[string]bool{}
	for _, p := range strings.Fields(`draft>packed draft>cancelled packed>shipped packed>cancelled
		shipped>in_transit shipped>delivered in_transit>delivered`) {
		allowed[p] = true
	}
	n := 0
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			want := allowed[string(from)+">"+string(to)]
			if got := CanMove(from, to); got != want {
				t.Errorf("%s → %s: allowed %v, want %v", from, to, got, want)
			}
			if want {
				n++
			}
		}
	}
	if n != len(allowed) || len(Statuses()) != len(transitions) {
		t.Errorf("the list names %d transitions, the statuses cover %d", len(allowed), n)
	}
}

// TestShipmentFlow: an order with 10 reserved ships 4 (the order is
// partially shipped, stock and reservations drop by 4, the lots are
// recorded), then 6 (shipped), and the shipment goes in transit and is
// delivered, each step stamped, on the timeline, audited and published.
func TestShipmentFlow(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	ctx := fx.ctx
	first, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: []NewLine{{OrderLineID: fx.line, Quantity: 4}},
		Carrier: " DHL ", TrackingURL: "HTTPS://track.example/1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.Number, "SH2026-") || first.Status != StatusDraft || first.AccountID != fx.account ||
		first.Carrier != "DHL" || first.TrackingURL != "https://track.example/1" || len(first.Lines) != 1 {
		t.Fatalf("created %+v", first)
	}
	if _, err := e.svc.Pack(ctx, first.ID, "box 1 of 1"); err != nil {
		t.Fatal(err)
	}
	shipped, err := e.svc.Ship(ctx, first.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if shipped.Status != StatusShipped || shipped.ShippedAt == nil || !shipped.ShippedAt.After(*shipped.PackedAt) {
		t.Fatalf("shipped %+v", shipped)
	}
	if st, q := e.orderState(t, ctx, fx.order); st != "partially_shipped" || q[0] != 4 {
		t.Fatalf("order after 4: %s %v", st, q)
	}
	if onHand, reserved := e.stock.totals(fx.product); onHand != 12 || reserved != 6 {
		t.Fatalf("stock after 4: on hand %d, reserved %d", onHand, reserved)
	}
	got, _ := e.svc.Get(ctx, first.ID)
	if lots := got.Lines[0].Lots; len(lots) != 1 || *lots[0].LotID != fx.lotA || lots[0].Quantity != 4 || lots[0].WarehouseID != fx.warehouse {
		t.Fatalf("lots of the first shipment: %+v", lots)
	}

	// Without lines, a shipment takes what is left: 6 units and the bolts.
	rest, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: []NewLine{}})
	if err != nil || len(rest.Lines) != 2 || rest.Lines[0].Quantity != 6 || rest.Lines[1].Quantity != 5 {
		t.Fatalf("rest: %+v %v", rest, err)
	}
	for _, step := range []func() error{
		func() error { return second(e.svc.Pack(ctx, rest.ID, "")) },
		func() error { return second(e.svc.Ship(ctx, rest.ID, "")) },
		func() error { return second(e.svc.MarkInTransit(ctx, rest.ID, "picked up")) },
		func() error { return second(e.svc.MarkDelivered(ctx, rest.ID, "")) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if st, q := e.orderState(t, ctx, fx.order); st != "shipped" || q[0] != 10 || q[1] != 5 {
		t.Fatalf("order after all: %s %v", st, q)
	}
	if onHand, reserved := e.stock.totals(fx.product); onHand != 6 || reserved != 0 {
		t.Fatalf("stock after all: on hand %d, reserved %d", onHand, reserved)
	}
	checkDelivered(t, e, rest.ID, fx)
	if evs, _ := e.svc.Events(ctx, rest.ID); len(evs) != 5 || evs[3].Status != StatusInTransit || evs[3].Note != "picked up" || evs[4].By == nil {
		t.Fatalf("timeline %+v", evs)
	}
	if n := e.auditCount(t, ctx, rest.ID); n != 5 {
		t.Fatalf("%d audit rows", n)
	}
	if n := e.outboxCount(t, ctx, TopicStatusChanged); n != 3+5 {
		t.Fatalf("%d status events", n)
	}
	_, err = e.svc.Create(ctx, NewShipment{OrderID: fx.order})
	wantErr(t, "ship a shipped order", err, errs.FailedPrecondition, "order_id")
}

// checkDelivered: delivered quantities equal shipped ones, every status has
// its stamp in order, and the lots are 2 from A, then 4 from B (FEFO).
func checkDelivered(t *testing.T, e *env, id uuid.UUID, fx fixture) {
	t.Helper()
	s, err := e.svc.Get(fx.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != StatusDelivered || s.DeliveredAt == nil || s.InTransitAt == nil || !s.DeliveredAt.After(*s.InTransitAt) ||
		!s.InTransitAt.After(*s.ShippedAt) || !s.ShippedAt.After(*s.PackedAt) || s.CancelledAt != nil {
		t.Fatalf("delivered %+v", s)
	}
	for _, l := range s.Lines {
		if l.DeliveredQty != l.Quantity {
			t.Errorf("line %s delivered %d of %d", l.OrderLineID, l.DeliveredQty, l.Quantity)
		}
	}
	lots := s.Lines[0].Lots
	if len(lots) != 2 || *lots[0].LotID != fx.lotA || lots[0].Quantity != 2 || *lots[1].LotID != fx.lotB || lots[1].Quantity != 4 {
		t.Fatalf("lots %+v", lots)
	}
	if bolts := s.Lines[1].Lots; len(bolts) != 1 || bolts[0].LotID != nil || bolts[0].Quantity != 5 {
		t.Fatalf("untracked lots %+v", bolts)
	}
	for _, m := range e.stock.shipped() {
		if m.account != fx.account {
			t.Errorf("move for account %s", m.account)
		}
	}
}

// TestCreateRefuses: more than reserved (counting what pending shipments
// claim), unknown or foreign lines, unknown or unshippable orders are
// refused naming the field, and nothing is created.
func TestCreateRefuses(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	ctx := fx.ctx
	draft, draftLine, _ := e.order(t, ctx, fx, "draft", 3, 1)
	_, otherLine, _ := e.order(t, ctx, fx, "confirmed", 3, 1)
	line := func(id uuid.UUID, q int64) []NewLine { return []NewLine{{OrderLineID: id, Quantity: q}} }
	for _, c := range []struct {
		what  string
		in    NewShipment
		code  errs.Code
		field string
	}{
		{"beyond reserved", NewShipment{OrderID: fx.order, Lines: line(fx.line, 11)}, errs.FailedPrecondition, "lines[0].quantity"},
		{"unknown line", NewShipment{OrderID: fx.order, Lines: line(id(), 1)}, errs.Invalid, "lines[0].order_line_id"},
		{"another order's line", NewShipment{OrderID: fx.order, Lines: line(otherLine, 1)}, errs.Invalid, "lines[0].order_line_id"},
		{"same line twice", NewShipment{OrderID: fx.order, Lines: append(line(fx.line, 1), line(fx.line, 1)...)}, errs.Invalid, "lines[1].order_line_id"},
		{"zero", NewShipment{OrderID: fx.order, Lines: line(fx.line, 0)}, errs.Invalid, "lines[0].quantity"},
		{"no order", NewShipment{}, errs.Invalid, "order_id"},
		{"unknown order", NewShipment{OrderID: id()}, errs.Invalid, "order_id"},
		{"draft order", NewShipment{OrderID: draft, Lines: line(draftLine, 1)}, errs.FailedPrecondition, "order_id"},
		{"http tracking", NewShipment{OrderID: fx.order, TrackingURL: "http://track.example/1"}, errs.Invalid, "tracking_url"},
		{"script tracking", NewShipment{OrderID: fx.order, TrackingURL: "javascript:alert(1)"}, errs.Invalid, "tracking_url"},
		{"control carrier", NewShipment{OrderID: fx.order, Carrier: "a\x00b"}, errs.Invalid, "carrier"},
	} {
		wantErr(t, c.what, second(e.svc.Create(ctx, c.in)), c.code, c.field)
	}
	if list, _ := e.svc.Find(ctx, Filter{}); len(list) != 0 {
		t.Fatalf("refused creates left %d shipments", len(list))
	}
	// A pending shipment claims its units: 7 more of 10 is too many, 3 fits.
	if _, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: line(fx.line, 7)}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "claimed by a pending shipment", second(e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: line(fx.line, 4)})),
		errs.FailedPrecondition, "lines[0].quantity")
	if _, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: line(fx.line, 3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: line(fx.bolts, 5)}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "nothing left", second(e.svc.Create(ctx, NewShipment{OrderID: fx.order})), errs.FailedPrecondition, "lines")
	if onHand, reserved := e.stock.totals(fx.product); onHand != 16 || reserved != 10 {
		t.Fatalf("creating shipments moved stock: %d / %d", onHand, reserved)
	}
}
