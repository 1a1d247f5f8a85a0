package sales

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// TestRecordShipped: shipping part of an in-production order makes it
// partially_shipped; shipping the rest of every stock line (the service line
// never ships) makes it shipped, each change with history and audit rows.
func TestRecordShipped(t *testing.T) {
	e, ctx, _, o := confirmedOrder(t)
	widget, gear, bolt := o.Lines[0].ID, o.Lines[1].ID, o.Lines[2].ID
	if err := e.svc.RecordShipped(ctx, o.ID, map[uuid.UUID]int64{widget: 400, gear: 3}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusPartiallyShipped || got.Lines[0].ShippedQty != 400 || got.Lines[1].ShippedQty != 3 || got.Lines[2].ShippedQty != 0 {
		t.Fatalf("after the first shipment: %s %+v", got.Status, got.Lines)
	}
	if err := e.svc.RecordShipped(ctx, o.ID, map[uuid.UUID]int64{widget: 100}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.svc.Get(ctx, o.ID); got.Status != StatusPartiallyShipped || got.Lines[0].ShippedQty != 500 {
		t.Fatalf("after the second shipment: %s %+v", got.Status, got.Lines[0])
	}
	if err := e.svc.RecordShipped(ctx, o.ID, map[uuid.UUID]int64{widget: 500, bolt: 1}); err != nil {
		t.Fatal(err)
	}
	if got, _ = e.svc.Get(ctx, o.ID); got.Status != StatusShipped || got.Lines[3].ShippedQty != 0 {
		t.Fatalf("after the last shipment: %s %+v", got.Status, got.Lines)
	}
	// created, confirmed, in_production, partially_shipped, shipped; audit
	// rows for create, confirm and each of the three recordings.
	if h, _ := e.svc.History(ctx, o.ID); len(h) != 5 || h[3].To != StatusPartiallyShipped || h[4].To != StatusShipped {
		t.Fatalf("history %+v", h)
	}
	if n := e.auditCount(t, ctx, o.ID); n != 5 {
		t.Fatalf("%d audit rows", n)
	}
	wantErr(t, "ship a shipped order", e.svc.RecordShipped(ctx, o.ID, map[uuid.UUID]int64{bolt: 1}), errs.FailedPrecondition, "status")
}

// TestRecordShippedRefuses: bad lines and quantities are refused naming the
// line, and nothing of the order changes.
func TestRecordShippedRefuses(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	widget, gear := o.Lines[0].ID, o.Lines[1].ID
	other, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.bolt, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what    string
		shipped map[uuid.UUID]int64
		field   string
	}{
		{"nothing", nil, "lines"},
		{"more than ordered", map[uuid.UUID]int64{gear: 1, widget: 1001}, "lines[" + widget.String() + "].quantity"},
		{"zero", map[uuid.UUID]int64{gear: 0}, "lines[" + gear.String() + "].quantity"},
		{"a line of another order", map[uuid.UUID]int64{gear: 1, other.Lines[0].ID: 1}, "lines[" + other.Lines[0].ID.String() + "].order_line_id"},
	} {
		wantErr(t, c.what, e.svc.RecordShipped(ctx, o.ID, c.shipped), errs.Invalid, c.field)
	}
	wantErr(t, "a draft order", e.svc.RecordShipped(ctx, other.ID, map[uuid.UUID]int64{other.Lines[0].ID: 1}), errs.FailedPrecondition, "status")
	wantErr(t, "another tenant's order", e.svc.RecordShipped(e.newTenant(t), o.ID, map[uuid.UUID]int64{gear: 1}), errs.NotFound, "")
	// A failure later in the caller's transaction takes the recording back.
	boom := errors.New("boom")
	err = e.db.Run(ctx, func(ctx context.Context, _ bun.IDB) error {
		if err := e.svc.RecordShipped(ctx, o.ID, map[uuid.UUID]int64{gear: 3}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rollback: %v", err)
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusInProduction || got.Lines[0].ShippedQty != 0 || got.Lines[1].ShippedQty != 0 || e.auditCount(t, ctx, o.ID) != 2 {
		t.Fatalf("refused recordings changed the order: %s %+v", got.Status, got.Lines)
	}
}

// TestLockOrder reads the order like Get, and another tenant's like none.
func TestLockOrder(t *testing.T) {
	e, ctx, _, o := confirmedOrder(t)
	got, err := e.svc.LockOrder(ctx, o.ID)
	if err != nil || got.ID != o.ID || len(got.Lines) != 4 || got.Lines[0].ReservedQty != 500 {
		t.Fatalf("lock: %+v %v", got, err)
	}
	_, err = e.svc.LockOrder(e.newTenant(t), o.ID)
	wantErr(t, "another tenant's order", err, errs.NotFound, "")
}
