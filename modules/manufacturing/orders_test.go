package manufacturing

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// fixture is a warehouse holding two lots of steel (600 + 400) and 2,000
// untracked bolts, and a lot-tracked widget made of 2 steel + 4 bolts at
// 100 a day.
type fixture struct {
	wh                   uuid.UUID
	steel, bolt, widget  Product
	steelLotA, steelLotB uuid.UUID
}

func newFixture(t *testing.T, e *env, ctx context.Context) fixture {
	t.Helper()
	fx := fixture{wh: e.warehouse(t, ctx, true)}
	fx.steel = e.product(t, ctx, Product{Type: "purchased", Active: true, LotTracked: true})
	fx.bolt = e.product(t, ctx, Product{Type: "stocked", Active: true})
	fx.widget = e.product(t, ctx, Product{Type: "manufactured", Active: true, LotTracked: true, LeadTimeDays: 3,
		DailyCapacity: 100}, part(fx.steel, 2), part(fx.bolt, 4))
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if fx.steelLotA, err = lotRow(ctx, tx, fx.steel.ID, "A"); err != nil {
			return err
		}
		fx.steelLotB, err = lotRow(ctx, tx, fx.steel.ID, "B")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.stock.receive(fx.steel.ID, fx.wh, fx.steelLotA, 600)
	e.stock.receive(fx.steel.ID, fx.wh, fx.steelLotB, 400)
	e.stock.receive(fx.bolt.ID, fx.wh, uuid.Nil, 2000)
	return fx
}

func ref(o Order) Ref { return Ref{Type: RefProductionOrder, ID: o.ID} }

// TestSaleToProduction is F1's production side: 1,000 ordered, 500 in stock
// and reserved, 500 short → plan → release → start → complete → a finished
// lot made of the component lots, the waiting line fully reserved and its
// order ready.
func TestSaleToProduction(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	line := e.salesOrder(t, ctx, fx.widget.ID, 500, 500)[0]
	e.stock.receive(fx.widget.ID, fx.wh, uuid.Nil, 500)
	if got, err := e.stock.Reserve(ctx, Ref{Type: "order_line", ID: line}, fx.widget.ID, uuid.Nil, 500); err != nil || got != 500 {
		t.Fatalf("reserve the 500 in stock: %d %v", got, err)
	}

	plan, err := e.svc.PlanFromShortfalls(ctx, nil)
	if err != nil || len(plan.Created) != 1 || len(plan.Skipped) != 0 {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	o := plan.Created[0]
	if o.Quantity != 500 || o.Status != StatusPlanned || o.WarehouseID != fx.wh || !strings.HasPrefix(o.Number, "MO2026-") ||
		!o.DueDate.Equal(day(5)) || len(o.Demands) != 1 || o.Demands[0] != (Demand{line, 500}) || len(o.Components) != 2 {
		t.Fatalf("planned %+v", o)
	}
	if again, err := e.svc.PlanFromShortfalls(ctx, nil); err != nil || len(again.Created) != 0 {
		t.Fatalf("second plan created %+v %v", again, err)
	}

	if o, err = e.svc.Release(ctx, o.ID); err != nil || o.Status != StatusReleased || o.ReleasedAt == nil {
		t.Fatalf("release: %+v %v", o, err)
	}
	if e.stock.reservedFor(ref(o)) != 1000+2000 {
		t.Fatalf("components reserved %d", e.stock.reservedFor(ref(o)))
	}
	for _, c := range o.Components {
		if c.Reserved != c.Required || c.Required != c.QuantityPerUnit*500 {
			t.Errorf("component %+v", c)
		}
	}
	if o, err = e.svc.Start(ctx, o.ID); err != nil || o.Status != StatusInProgress || o.StartedAt == nil || !o.DueDate.Equal(day(5)) {
		t.Fatalf("start: %+v %v", o, err)
	}
	if o, err = e.svc.Complete(ctx, o.ID); err != nil || o.Status != StatusCompleted || o.LotID == nil || o.CompletedAt == nil {
		t.Fatalf("complete: %+v %v", o, err)
	}
	checkCompleted(t, e, ctx, fx, o, line)
}

// checkCompleted checks what completing the F1 order left behind.
func checkCompleted(t *testing.T, e *env, ctx context.Context, fx fixture, o Order, line uuid.UUID) {
	t.Helper()
	out := e.stock.producedOutputs()
	if len(out) != 1 || out[0].LotCode != o.Number || out[0].Quantity != 500 || out[0].WarehouseID != fx.wh ||
		!out[0].ProductionDate.Equal(day(0)) {
		t.Fatalf("produced %+v", out)
	}
	lots := map[uuid.UUID]int64{}
	for _, a := range out[0].Components {
		if a.LotID != nil {
			lots[*a.LotID] += a.Quantity
		}
	}
	if lots[fx.steelLotA] != 600 || lots[fx.steelLotB] != 400 {
		t.Fatalf("component lots %v", lots)
	}
	if e.stock.onHandOf(fx.steel.ID) != 0 || e.stock.onHandOf(fx.bolt.ID) != 0 || e.stock.reservedFor(ref(o)) != 0 {
		t.Fatal("components not consumed")
	}
	if n := e.count(t, ctx, `SELECT count(*) FROM lots WHERE id = ? AND code = ?`, *o.LotID, o.Number); n != 1 {
		t.Fatal("no finished lot row")
	}
	if n := e.count(t, ctx, `SELECT count(*) FROM order_lines WHERE id = ? AND reserved_qty = 1000 AND shortfall_qty = 0`, line); n != 1 {
		t.Fatal("waiting line not filled")
	}
	if n := e.count(t, ctx, `SELECT count(*) FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.id = ? AND o.status = 'ready'`, line); n != 1 {
		t.Fatal("sales order not ready")
	}
	hist, err := e.svc.History(ctx, o.ID)
	if err != nil || len(hist) != 4 || hist[0].From != "" || hist[3].From != StatusInProgress || hist[3].To != StatusCompleted || hist[3].By == nil {
		t.Fatalf("history %+v %v", hist, err)
	}
	if n := e.auditCount(t, ctx, o.ID); n != 4 {
		t.Errorf("audit rows %d, want created, released, started, completed", n)
	}
	if e.outboxCount(t, ctx, TopicCompleted) != 1 {
		t.Error("no completed event")
	}
	if p, _ := e.svc.PlanFromShortfalls(ctx, nil); len(p.Created) != 0 {
		t.Fatalf("planned again after completion: %+v", p)
	}
}

// TestReleaseAllOrNothing: a short component refuses the release with a 422
// naming it, and nothing stays reserved.
func TestReleaseAllOrNothing(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	o, err := e.svc.Create(ctx, NewOrder{ProductID: fx.widget.ID, Quantity: 501})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Release(ctx, o.ID)
	wantErr(t, "release short", err, errs.FailedPrecondition, "")
	if r := errs.FieldReason(err, shortField(o, fx.steel.ID)); !strings.Contains(r, fx.steel.SKU) || !strings.Contains(r, "needs 1002") {
		t.Fatalf("steel not named: %v", err)
	}
	if e.stock.reservedFor(ref(o)) != 0 {
		t.Fatal("a refused release left stock reserved")
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusPlanned || got.Components[0].Reserved != 0 || got.Components[1].Reserved != 0 {
		t.Fatalf("after refusal %+v", got)
	}
	if h, _ := e.svc.History(ctx, o.ID); len(h) != 1 {
		t.Fatalf("history %+v", h)
	}
}

func shortField(o Order, component uuid.UUID) string {
	for i, c := range o.Components {
		if c.ComponentID == component {
			return fmt.Sprintf("components[%d].component_id", i)
		}
	}
	return ""
}

// TestCancelReleasesComponents: a released order cancelled gives its
// components back, and its shortfall is planned again.
func TestCancelReleasesComponents(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	e.salesOrder(t, ctx, fx.widget.ID, 0, 300)
	plan, err := e.svc.PlanFromShortfalls(ctx, &fx.wh)
	if err != nil || len(plan.Created) != 1 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	o, err := e.svc.Release(ctx, plan.Created[0].ID)
	if err != nil || e.stock.reservedFor(ref(o)) != 600+1200 {
		t.Fatalf("release %v", err)
	}
	if o, err = e.svc.Cancel(ctx, o.ID, "  line stopped  "); err != nil || o.Status != StatusCancelled || o.CancelledAt == nil {
		t.Fatalf("cancel %+v %v", o, err)
	}
	if e.stock.reservedFor(ref(o)) != 0 || o.Components[0].Reserved != 0 {
		t.Fatal("components still reserved")
	}
	if h, _ := e.svc.History(ctx, o.ID); h[len(h)-1].Note != "line stopped" {
		t.Fatalf("history %+v", h)
	}
	for _, fn := range []func(context.Context, uuid.UUID) (Order, error){e.svc.Release, e.svc.Start, e.svc.Complete} {
		wantErr(t, "after cancel", second(fn(ctx, o.ID)), errs.FailedPrecondition, "status")
	}
	wantErr(t, "cancel twice", second(e.svc.Cancel(ctx, o.ID, "")), errs.FailedPrecondition, "status")
	if again, err := e.svc.PlanFromShortfalls(ctx, nil); err != nil || len(again.Created) != 1 || again.Created[0].Quantity != 300 {
		t.Fatalf("replan after cancel: %+v %v", again, err)
	}
}

// TestCompleteRollsBack: when filling the waiting orders fails, nothing of
// the completion stays: components reserved, nothing produced, no event.
func TestCompleteRollsBack(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	o, err := e.svc.Create(ctx, NewOrder{ProductID: fx.widget.ID, Quantity: 100, WarehouseID: &fx.wh})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(context.Context, uuid.UUID) (Order, error){e.svc.Release, e.svc.Start} {
		if o, err = step(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.orders.failOnFill = true
	if _, err := e.svc.Complete(ctx, o.ID); err == nil {
		t.Fatal("complete succeeded")
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusInProgress || got.LotID != nil || got.Components[0].Consumed != 0 {
		t.Fatalf("after failed complete %+v", got)
	}
	if e.stock.reservedFor(ref(o)) != 200+400 || len(e.stock.producedOutputs()) != 0 || e.outboxCount(t, ctx, TopicCompleted) != 0 {
		t.Fatal("a failed completion left changes")
	}
	if n := e.count(t, ctx, `SELECT count(*) FROM lots WHERE code = ?`, o.Number); n != 0 {
		t.Fatal("a failed completion left its lot")
	}
	e.orders.failOnFill = false
	if o, err = e.svc.Complete(ctx, o.ID); err != nil || o.Status != StatusCompleted {
		t.Fatalf("retry: %+v %v", o, err)
	}
}

// TestConcurrentPlans: plans racing over the same shortfall create one order
// between them (PostgreSQL row locks; SQLite's single writer).
func TestConcurrentPlans(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	e.salesOrder(t, ctx, fx.widget.ID, 0, 10, 20)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := e.svc.PlanFromShortfalls(ctx, nil)
			if err != nil && !errs.Is(err, errs.Conflict) {
				t.Error(err)
			}
			mu.Lock()
			created += len(p.Created)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if created != 1 {
		t.Fatalf("created %d orders", created)
	}
	list, _ := e.svc.Find(ctx, Filter{})
	if len(list) != 1 || list[0].Quantity != 30 {
		t.Fatalf("orders %+v", list)
	}
}
