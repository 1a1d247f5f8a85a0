package shipping

import (
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// TestCancel: a draft or packed shipment can be cancelled, which moves no
// stock and frees its units for another shipment; a cancelled or shipped
// one cannot move back.
func TestCancel(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	ctx := fx.ctx
	s, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: []NewLine{{OrderLineID: fx.line, Quantity: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pack(ctx, s.ID, ""); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Cancel(ctx, s.ID, "customer called")
	if err != nil || c.Status != StatusCancelled || c.CancelledAt == nil {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	wantErr(t, "ship a cancelled shipment", second(e.svc.Ship(ctx, s.ID, "")), errs.FailedPrecondition, "status")
	wantErr(t, "pack a cancelled shipment", second(e.svc.Pack(ctx, s.ID, "")), errs.FailedPrecondition, "status")
	wantErr(t, "track a cancelled shipment", second(e.svc.Update(ctx, s.ID, Update{Carrier: ptr("UPS")})), errs.FailedPrecondition, "status")
	if onHand, reserved := e.stock.totals(fx.product); onHand != 16 || reserved != 10 || len(e.stock.shipped()) != 0 {
		t.Fatalf("cancel moved stock: %d / %d", onHand, reserved)
	}
	if st, q := e.orderState(t, ctx, fx.order); st != "confirmed" || q[0] != 0 {
		t.Fatalf("cancel changed the order: %s %v", st, q)
	}
	// The cancelled shipment's units are free again.
	again, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: []NewLine{{OrderLineID: fx.line, Quantity: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pack(ctx, again.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Ship(ctx, again.ID, ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "cancel a shipped shipment", second(e.svc.Cancel(ctx, again.ID, "")), errs.FailedPrecondition, "status")
	wantErr(t, "ship twice", second(e.svc.Ship(ctx, again.ID, "")), errs.FailedPrecondition, "status")
	wantErr(t, "deliver a draft", second(e.svc.MarkDelivered(ctx, s.ID, "")), errs.FailedPrecondition, "status")
	wantErr(t, "long note", second(e.svc.MarkDelivered(ctx, again.ID, string(make([]byte, 600)))), errs.Invalid, "note")
	if evs, _ := e.svc.Events(ctx, s.ID); len(evs) != 3 || evs[2].Status != StatusCancelled || evs[2].Note != "customer called" {
		t.Fatalf("timeline %+v", evs)
	}
}

// TestShipRefusedChangesNothing: when a line's units are no longer reserved
// (a quality hold released them), shipping is a 422 naming the line, and
// the line shipped before it in the same transaction is rolled back too.
func TestShipRefusedChangesNothing(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	ctx := fx.ctx
	s, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pack(ctx, s.ID, ""); err != nil {
		t.Fatal(err)
	}
	e.stock.release(fx.bolts)
	wantErr(t, "ship released units", second(e.svc.Ship(ctx, s.ID, "")), errs.FailedPrecondition, "lines[1].quantity")
	got, _ := e.svc.Get(ctx, s.ID)
	if got.Status != StatusPacked || got.ShippedAt != nil || len(got.Lines[0].Lots) != 0 {
		t.Fatalf("refused ship changed the shipment: %+v", got)
	}
	if onHand, reserved := e.stock.totals(fx.product); onHand != 16 || reserved != 10 || len(e.stock.shipped()) != 0 {
		t.Fatalf("refused ship moved stock: %d / %d", onHand, reserved)
	}
	if st, q := e.orderState(t, ctx, fx.order); st != "confirmed" || q[0] != 0 {
		t.Fatalf("refused ship changed the order: %s %v", st, q)
	}
	if n := e.auditCount(t, ctx, s.ID); n != 2 {
		t.Fatalf("%d audit rows", n)
	}
}

// TestUpdate sets and clears carrier and tracking, refusing non-https URLs.
func TestUpdate(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	ctx := fx.ctx
	s, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order})
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.Update(ctx, s.ID, Update{Carrier: ptr("SEUR"), TrackingNumber: ptr("ES123"), TrackingURL: ptr("https://seur.example/t?n=ES123")})
	if err != nil || u.Carrier != "SEUR" || u.TrackingNumber != "ES123" || u.TrackingURL != "https://seur.example/t?n=ES123" {
		t.Fatalf("update: %+v %v", u, err)
	}
	for _, bad := range []string{"http://seur.example", "https://", "https://user:pw@seur.example", "ftp://x", "https://a b.example", "//seur.example"} {
		wantErr(t, bad, second(e.svc.Update(ctx, s.ID, Update{TrackingURL: ptr(bad)})), errs.Invalid, "tracking_url")
	}
	if u, err = e.svc.Update(ctx, s.ID, Update{TrackingURL: ptr("")}); err != nil || u.TrackingURL != "" || u.Carrier != "SEUR" {
		t.Fatalf("clear: %+v %v", u, err)
	}
	if n := e.auditCount(t, ctx, s.ID); n != 3 {
		t.Fatalf("%d audit rows", n)
	}
}

// TestIsolation: another tenant's shipment is not found on every method,
// its order is no order, and nothing of tenant A changes (T4).
func TestIsolation(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	s, err := e.svc.Create(fx.ctx, NewShipment{OrderID: fx.order})
	if err != nil {
		t.Fatal(err)
	}
	ctxB := e.newTenant(t)
	wantErr(t, "get", second(e.svc.Get(ctxB, s.ID)), errs.NotFound, "")
	wantErr(t, "events", second(e.svc.Events(ctxB, s.ID)), errs.NotFound, "")
	wantErr(t, "update", second(e.svc.Update(ctxB, s.ID, Update{Carrier: ptr("x")})), errs.NotFound, "")
	for _, do := range []func() error{
		func() error { return second(e.svc.Pack(ctxB, s.ID, "")) },
		func() error { return second(e.svc.Ship(ctxB, s.ID, "")) },
		func() error { return second(e.svc.MarkInTransit(ctxB, s.ID, "")) },
		func() error { return second(e.svc.MarkDelivered(ctxB, s.ID, "")) },
		func() error { return second(e.svc.Cancel(ctxB, s.ID, "")) },
	} {
		wantErr(t, "status step", do(), errs.NotFound, "")
	}
	wantErr(t, "A's order", second(e.svc.Create(ctxB, NewShipment{OrderID: fx.order})), errs.Invalid, "order_id")
	if list, _ := e.svc.Find(ctxB, Filter{OrderID: &fx.order}); len(list) != 0 {
		t.Fatalf("B lists A's shipments: %d", len(list))
	}
	got, _ := e.svc.Get(fx.ctx, s.ID)
	if got.Status != StatusDraft || got.Carrier != "" || e.auditCount(t, fx.ctx, s.ID) != 1 {
		t.Fatalf("tenant B changed A's shipment: %+v", got)
	}
}

// TestFind filters by order, account and status and pages newest first.
func TestFind(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	ctx := fx.ctx
	var ids []uuid.UUID
	for range 3 {
		s, err := e.svc.Create(ctx, NewShipment{OrderID: fx.order, Lines: []NewLine{{OrderLineID: fx.line, Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	if _, err := e.svc.Pack(ctx, ids[1], ""); err != nil {
		t.Fatal(err)
	}
	page, err := e.svc.Find(ctx, Filter{OrderID: &fx.order, AccountID: &fx.account, Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] {
		t.Fatalf("first page: %v %v", page, err)
	}
	if next, _ := e.svc.Find(ctx, Filter{After: &page[1].ID}); len(next) != 1 || next[0].ID != ids[0] {
		t.Fatalf("second page: %v", next)
	}
	if packed, _ := e.svc.Find(ctx, Filter{Status: StatusPacked}); len(packed) != 1 || packed[0].ID != ids[1] {
		t.Fatalf("packed: %v", packed)
	}
	wantErr(t, "bad status", second(e.svc.Find(ctx, Filter{Status: "lost"})), errs.Invalid, "status")
}

func ptr[T any](v T) *T { return &v }
