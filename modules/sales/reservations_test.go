package sales

import (
	"testing"

	"github.com/google/uuid"
)

// TestReservationLost: a quality hold takes 400 of a ready order's 1,000
// reserved units; the line shows 400 short for production, the order waits
// again (ready → confirmed), and a redelivery of the same news changes
// nothing.
func TestReservationLost(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	e.stock.receive(uuid.Nil, fx.widget.ID, 500)
	if err := e.svc.Replenish(ctx, fx.widget.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Status != StatusReady {
		t.Fatalf("setup: %s", got.Status)
	}
	line := o.Lines[0].ID
	for range 2 { // the second call is a redelivered event
		if err := e.svc.ReservationLost(ctx, line, 600); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Get(ctx, o.ID)
		if l := got.Lines[0]; l.ReservedQty != 600 || l.ShortfallQty != 400 || l.ShortfallAction != ShortfallProduction || got.Status != StatusConfirmed {
			t.Fatalf("after the hold: %s %+v", got.Status, l)
		}
	}
	hist, _ := e.svc.History(ctx, o.ID)
	if last := hist[len(hist)-1]; last.From != StatusReady || last.To != StatusConfirmed {
		t.Fatalf("history %+v", hist)
	}
	// More stock than the line had is not a loss: nothing changes.
	if err := e.svc.ReservationLost(ctx, line, 5000); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Lines[0].ReservedQty != 600 {
		t.Fatalf("grew: %+v", got.Lines[0])
	}
	// Replenish fills the new shortfall like any other.
	e.stock.receive(uuid.Nil, fx.widget.ID, 400)
	if err := e.svc.Replenish(ctx, fx.widget.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Status != StatusReady || got.Lines[0].ShortfallQty != 0 {
		t.Fatalf("refilled: %s %+v", got.Status, got.Lines[0])
	}
}

// TestReservationLostIgnoresSettledOrders: a cancelled order keeps its lines.
func TestReservationLostIgnoresSettledOrders(t *testing.T) {
	e, ctx, _, o := confirmedOrder(t)
	if _, err := e.svc.Cancel(ctx, o.ID, "changed mind"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ReservationLost(ctx, o.Lines[0].ID, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Status != StatusCancelled || got.Lines[0].ShortfallQty != 0 {
		t.Fatalf("cancelled order changed: %s %+v", got.Status, got.Lines[0])
	}
}
