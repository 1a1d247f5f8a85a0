package inventory

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// A lot-tracked product through its life: receipts into three lots, FEFO
// reservation, a partial shipment, a hold that releases the order's units,
// a return to quarantine, and the invariants after each step.
func TestLotLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	p := e.product(t, ctx, "stocked", true)
	wh := e.warehouse(t, ctx, "MAIN")
	late := e.receive(t, ctx, Receipt{ProductID: p, WarehouseID: wh, Quantity: 10, LotCode: "L-LATE", ExpiresOn: date("2099-12-31")})
	early := e.receive(t, ctx, Receipt{ProductID: p, WarehouseID: wh, Quantity: 5, LotCode: "L-EARLY", ProductionDate: date("2026-01-01"), ExpiresOn: date("2098-01-01")})
	e.receive(t, ctx, Receipt{ProductID: p, WarehouseID: wh, Quantity: 7, LotCode: "L-OLD", ExpiresOn: date("2001-01-01")}) // expired
	e.receive(t, ctx, Receipt{ProductID: p, WarehouseID: wh, Quantity: 3, LotCode: "L-LATE"})                               // same lot again
	e.checkInvariants(t, ctx)

	line := Ref{Type: "order_line", ID: uuid.New()}
	got, err := e.svc.Reserve(ctx, ReserveRequest{Ref: line, ProductID: p, Quantity: 8})
	if err != nil || got.Quantity != 8 || len(got.Allocations) != 2 {
		t.Fatalf("reserve: %+v %v", got, err)
	}
	if *got.Allocations[0].LotID != *early.LotID || got.Allocations[0].Quantity != 5 || *got.Allocations[1].LotID != *late.LotID {
		t.Fatalf("not FEFO: %+v", got.Allocations)
	}
	e.checkInvariants(t, ctx)

	// More than available: a partial reservation shows the shortfall (the
	// expired lot is never offered).
	other := Ref{Type: "order_line", ID: uuid.New()}
	if got, err := e.svc.Reserve(ctx, ReserveRequest{Ref: other, ProductID: p, WarehouseID: &wh, Quantity: 100}); err != nil || got.Quantity != 10 || got.Shortfall() != 90 {
		t.Fatalf("partial reserve: %+v %v", got, err)
	}

	_, err = e.svc.Ship(ctx, ShipRequest{Ref: line, ProductID: p, Quantity: 9})
	wantErr(t, "ship more than reserved", err, errs.FailedPrecondition, "quantity")
	acct := uuid.New()
	shipped, err := e.svc.Ship(ctx, ShipRequest{Ref: line, ProductID: p, Quantity: 6, AccountID: &acct, Shipment: Ref{Type: "shipment", ID: uuid.New()}})
	if err != nil || len(shipped) != 2 || shipped[0].Quantity != 5 || shipped[1].Quantity != 1 {
		t.Fatalf("ship: %+v %v", shipped, err)
	}
	e.checkInvariants(t, ctx)

	// Hold the late lot: the two open reservations on it are released.
	lot, released, err := e.svc.Hold(ctx, *late.LotID, "customer complaint")
	if err != nil || !lot.OnHold || len(released) != 2 {
		t.Fatalf("hold: %+v %+v %v", lot, released, err)
	}
	if r, err := e.svc.Reserve(ctx, ReserveRequest{Ref: other, ProductID: p, Quantity: 1}); err != nil || r.Quantity != 0 {
		t.Fatalf("reserve with only held stock: %+v %v", r, err)
	}
	if a, err := e.svc.Availability(ctx, p); err != nil || a.Available != 0 || a.OnHand != 25-6 {
		t.Fatalf("availability: %+v %v", a, err)
	}
	_, err = e.svc.Ship(ctx, ShipRequest{Ref: line, ProductID: p, Quantity: 1})
	wantErr(t, "ship a held lot", err, errs.FailedPrecondition, "quantity")
	e.checkInvariants(t, ctx)

	if _, err := e.svc.ReleaseHold(ctx, *late.LotID); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.svc.Availability(ctx, p); a.Available != 12 {
		t.Fatalf("available after release (cache invalidated?): %+v", a)
	}
	if _, err := e.svc.Return(ctx, Return{ProductID: p, WarehouseID: wh, LotID: early.LotID, Quantity: 2, Disposition: Quarantine, AccountID: &acct}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Adjust(ctx, Adjustment{ProductID: p, WarehouseID: wh, LotID: early.LotID, Quantity: -1, Reason: "count"})
	wantErr(t, "adjust quarantined stock away", err, errs.FailedPrecondition, "quantity")
	if _, err := e.svc.ClearQuarantine(ctx, QuarantineClear{ProductID: p, WarehouseID: wh, LotID: early.LotID, Quantity: 2, Scrap: true, Reason: "damaged"}); err != nil {
		t.Fatal(err)
	}
	e.checkInvariants(t, ctx)
	if n := auditCount(t, e, ctx, "lot.held"); n != 1 {
		t.Errorf("lot.held audit rows: %d", n)
	}
}

// Production: consume reserved component lots, produce a finished lot, and
// trace it both ways, with the customer a shipment reached.
func TestProduceAndTrace(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	flour := e.product(t, ctx, "purchased", true)
	bread := e.product(t, ctx, "manufactured", true)
	wh := e.warehouse(t, ctx, "W1")
	fl := e.receive(t, ctx, Receipt{ProductID: flour, WarehouseID: wh, Quantity: 50, LotCode: "FL-1"})
	mo := Ref{Type: "production_order", ID: uuid.New()}
	if r, err := e.svc.Reserve(ctx, ReserveRequest{Ref: mo, ProductID: flour, Quantity: 20}); err != nil || r.Quantity != 20 {
		t.Fatalf("reserve components: %+v %v", r, err)
	}
	used, err := e.svc.Consume(ctx, ConsumeRequest{Ref: mo, ProductID: flour, Quantity: 20})
	if err != nil {
		t.Fatal(err)
	}
	made, err := e.svc.Produce(ctx, ProduceRequest{Ref: mo, ProductID: bread, WarehouseID: wh, Quantity: 10, LotCode: "BR-1", ProductionDate: date("2026-03-01"), Components: used})
	if err != nil {
		t.Fatal(err)
	}
	line := Ref{Type: "order_line", ID: uuid.New()}
	if _, err := e.svc.Reserve(ctx, ReserveRequest{Ref: line, ProductID: bread, Quantity: 4}); err != nil {
		t.Fatal(err)
	}
	acct := uuid.New()
	if _, err := e.svc.Ship(ctx, ShipRequest{Ref: line, ProductID: bread, Quantity: 4, AccountID: &acct}); err != nil {
		t.Fatal(err)
	}
	back, err := e.svc.TraceLot(ctx, *made.LotID)
	if err != nil || len(back.Components) != 1 || back.Components[0].Lot.ID != *fl.LotID || back.Components[0].Quantity != 20 {
		t.Fatalf("backward: %+v %v", back, err)
	}
	fwd, err := e.svc.TraceLot(ctx, *fl.LotID)
	if err != nil || len(fwd.UsedIn) != 1 || fwd.UsedIn[0].Lot.Code != "BR-1" || len(fwd.Customers) != 1 || fwd.Customers[0] != acct {
		t.Fatalf("forward: %+v %v", fwd, err)
	}
	e.checkInvariants(t, ctx)
}

// Bad input is a 4xx naming the field, and changes nothing.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	plain := e.product(t, ctx, "stocked", false)
	tracked := e.product(t, ctx, "stocked", true)
	service := e.product(t, ctx, "service", false)
	wh := e.warehouse(t, ctx, "W")
	e.receive(t, ctx, Receipt{ProductID: plain, WarehouseID: wh, Quantity: 5})
	if _, err := e.svc.Reserve(ctx, ReserveRequest{Ref: Ref{"order_line", uuid.New()}, ProductID: plain, Quantity: 3}); err != nil {
		t.Fatal(err)
	}
	other := e.newTenant(t)
	foreignWH := e.warehouse(t, other, "W")
	foreignP := e.product(t, other, "stocked", true)
	foreignLot := e.receive(t, other, Receipt{ProductID: foreignP, WarehouseID: foreignWH, Quantity: 1, LotCode: "X"}).LotID
	for _, c := range []struct {
		name  string
		err   error
		code  errs.Code
		field string
	}{
		{"unknown product", errOf(e.svc.Receive(ctx, Receipt{ProductID: uuid.New(), WarehouseID: wh, Quantity: 1})), errs.Invalid, "product_id"},
		{"foreign product", errOf(e.svc.Receive(ctx, Receipt{ProductID: foreignP, WarehouseID: wh, Quantity: 1, LotCode: "A"})), errs.Invalid, "product_id"},
		{"foreign warehouse", errOf(e.svc.Receive(ctx, Receipt{ProductID: plain, WarehouseID: foreignWH, Quantity: 1})), errs.Invalid, "warehouse_id"},
		{"zero quantity", errOf(e.svc.Receive(ctx, Receipt{ProductID: plain, WarehouseID: wh})), errs.Invalid, "quantity"},
		{"negative receipt", errOf(e.svc.Receive(ctx, Receipt{ProductID: plain, WarehouseID: wh, Quantity: -1})), errs.Invalid, "quantity"},
		{"missing lot", errOf(e.svc.Receive(ctx, Receipt{ProductID: tracked, WarehouseID: wh, Quantity: 1})), errs.Invalid, "lot_code"},
		{"lot on untracked", errOf(e.svc.Receive(ctx, Receipt{ProductID: plain, WarehouseID: wh, Quantity: 1, LotCode: "A"})), errs.Invalid, "lot_code"},
		{"service product", errOf(e.svc.Receive(ctx, Receipt{ProductID: service, WarehouseID: wh, Quantity: 1})), errs.Invalid, "product_id"},
		{"expiry before production", errOf(e.svc.Receive(ctx, Receipt{ProductID: tracked, WarehouseID: wh, Quantity: 1, LotCode: "A", ProductionDate: date("2026-02-01"), ExpiresOn: date("2026-01-01")})), errs.Invalid, "expires_on"},
		{"adjust below reserved", errOf(e.svc.Adjust(ctx, Adjustment{ProductID: plain, WarehouseID: wh, Quantity: -3, Reason: "count"})), errs.FailedPrecondition, "quantity"},
		{"adjust without reason", errOf(e.svc.Adjust(ctx, Adjustment{ProductID: plain, WarehouseID: wh, Quantity: 1})), errs.Invalid, "reason"},
		{"adjust foreign lot", errOf(e.svc.Adjust(ctx, Adjustment{ProductID: tracked, WarehouseID: wh, LotID: foreignLot, Quantity: 1, Reason: "x"})), errs.Invalid, "lot_id"},
		{"reserve no ref", errOf(e.svc.Reserve(ctx, ReserveRequest{ProductID: plain, Quantity: 1})), errs.Invalid, "ref"},
		{"hold foreign lot", errOf3(e.svc.Hold(ctx, *foreignLot, "x")), errs.NotFound, ""},
		{"trace foreign lot", errOf(e.svc.TraceLot(ctx, *foreignLot)), errs.NotFound, ""},
		{"huge quantity", errOf(e.svc.Receive(ctx, Receipt{ProductID: plain, WarehouseID: wh, Quantity: 1 << 62})), errs.Invalid, "quantity"},
		{"duplicate warehouse", errOf(e.svc.CreateWarehouse(ctx, NewWarehouse{Code: "W", Name: "again"})), errs.Conflict, "code"},
	} {
		wantErr(t, c.name, c.err, c.code, c.field)
	}
	levels := e.checkInvariants(t, ctx)
	if len(levels) != 1 || levels[0].OnHand != 5 || levels[0].Reserved != 3 {
		t.Fatalf("bad input changed stock: %+v", levels)
	}
}

// The ledger is append-only in the database itself, not only in the code.
func TestMovesAppendOnly(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	p := e.product(t, ctx, "stocked", false)
	wh := e.warehouse(t, ctx, "W")
	m := e.receive(t, ctx, Receipt{ProductID: p, WarehouseID: wh, Quantity: 5})
	for _, q := range []string{"UPDATE stock_moves SET on_hand_delta = 500 WHERE id = ?", "DELETE FROM stock_moves WHERE id = ?"} {
		err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
			_, err := tx.NewRaw(q, m.ID).Exec(ctx)
			return err
		})
		if err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	e.checkInvariants(t, ctx)
}

func errOf[T any](_ T, err error) error          { return err }
func errOf3[A, B any](_ A, _ B, err error) error { return err }

func auditCount(t testing.TB, e *env, ctx context.Context, action string) int {
	t.Helper()
	evs, err := e.db.FindAudit(ctx, tenant.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}
