package sales

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// TestReplenishFillsWaitingOrder is F1's sales side: 1,000 ordered, 500 in
// stock; production brings 300 then 200 more; the line fills and the order
// becomes ready only when nothing is short.
func TestReplenishFillsWaitingOrder(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	if err := e.svc.Replenish(ctx, fx.widget.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.auditCount(t, ctx, o.ID); n != 2 {
		t.Fatalf("replenish without stock wrote audit rows: %d", n)
	}
	e.stock.receive(uuid.Nil, fx.widget.ID, 300)
	if err := e.svc.Replenish(ctx, fx.widget.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if l := got.Lines[0]; l.ReservedQty != 800 || l.ShortfallQty != 200 || l.ShortfallAction != ShortfallProduction || got.Status != StatusInProduction {
		t.Fatalf("after 300: %s %+v", got.Status, l)
	}
	e.stock.receive(uuid.Nil, fx.widget.ID, 200)
	if err := e.svc.Replenish(ctx, fx.widget.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = e.svc.Get(ctx, o.ID)
	if l := got.Lines[0]; l.ReservedQty != 1000 || l.ShortfallQty != 0 || l.ShortfallAction != ShortfallNone || got.Status != StatusReady {
		t.Fatalf("after 500: %s %+v", got.Status, l)
	}
	if e.stock.reservedOf(fx.widget.ID) != 1000 {
		t.Fatalf("reserved %d", e.stock.reservedOf(fx.widget.ID))
	}
	hist, _ := e.svc.History(ctx, o.ID)
	if last := hist[len(hist)-1]; last.From != StatusInProduction || last.To != StatusReady || last.By == nil {
		t.Fatalf("history %+v", hist)
	}
	if n := e.auditCount(t, ctx, o.ID); n != 4 {
		t.Errorf("audit rows %d, want created, confirmed, replenished, ready", n)
	}
	if sf, _ := e.svc.ListShortfalls(ctx, ShortfallFilter{}); len(sf) != 0 {
		t.Fatalf("still short: %+v", sf)
	}
}

// TestReplenishOldestFirst: stock for one and a bit orders fills the older
// order completely and the newer one in part.
func TestReplenishOldestFirst(t *testing.T) {
	e, ctx, fx, older := confirmedOrder(t)
	newer, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.widget, 400)}})
	if err != nil {
		t.Fatal(err)
	}
	if newer, err = e.svc.Confirm(ctx, newer.ID); err != nil || newer.Lines[0].ShortfallQty != 400 {
		t.Fatalf("confirm newer: %+v %v", newer, err)
	}
	e.stock.receive(uuid.Nil, fx.widget.ID, 600)
	if err := e.svc.Replenish(ctx, fx.widget.ID); err != nil {
		t.Fatal(err)
	}
	o1, _ := e.svc.Get(ctx, older.ID)
	o2, _ := e.svc.Get(ctx, newer.ID)
	if o1.Status != StatusReady || o1.Lines[0].ShortfallQty != 0 {
		t.Fatalf("older: %s %+v", o1.Status, o1.Lines[0])
	}
	if o2.Status != StatusInProduction || o2.Lines[0].ReservedQty != 100 || o2.Lines[0].ShortfallQty != 300 {
		t.Fatalf("newer: %s %+v", o2.Status, o2.Lines[0])
	}
}

// TestReplenishJoinsCallerTransaction: a caller that fails after Replenish
// rolls the reservations and the order's new status back with it.
func TestReplenishJoinsCallerTransaction(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	e.stock.receive(uuid.Nil, fx.widget.ID, 500)
	boom := errors.New("later step failed")
	err := e.db.Run(ctx, func(ctx context.Context, _ bun.IDB) error {
		if err := e.svc.Replenish(ctx, fx.widget.ID); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("run: %v", err)
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusInProduction || got.Lines[0].ReservedQty != 500 || e.stock.reservedOf(fx.widget.ID) != 500 {
		t.Fatalf("rolled back replenish left %s %+v, reserved %d", got.Status, got.Lines[0], e.stock.reservedOf(fx.widget.ID))
	}
}

// TestReplenishStaysInTenant: another tenant's replenish of the same product
// id fills nothing here, and a nil product is refused.
func TestReplenishStaysInTenant(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	e.stock.receive(uuid.Nil, fx.widget.ID, 500)
	if err := e.svc.Replenish(e.newTenant(t), fx.widget.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Status != StatusInProduction || got.Lines[0].ReservedQty != 500 {
		t.Fatalf("another tenant filled the order: %s %+v", got.Status, got.Lines[0])
	}
	wantErr(t, "nil product", e.svc.Replenish(ctx, uuid.Nil), errs.Invalid, "product_id")
}
