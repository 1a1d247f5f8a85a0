package inventory

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/tenant/tenanttest"
)

// TestNoOversell is QUALITY M1: 10,000 concurrent reservation attempts (on
// PostgreSQL; 1,000 on SQLite, whose single writer serialises them anyway)
// on 10 products with 100 units each, through far fewer database connections
// than goroutines. Every product must end exactly sold out, never oversold,
// with on hand = Σ moves.
func TestNoOversell(t *testing.T) {
	attempts, conns := 1000, 1
	if tenanttest.Postgres() {
		attempts, conns = 10_000, 16
		pool := tenanttest.DB(t)
		pool.SetMaxOpenConns(conns)
		t.Cleanup(func() { pool.SetMaxOpenConns(40) })
	}
	if testing.Short() {
		attempts = 200
	}
	e := newEnv(t)
	ctx := e.newTenant(t)
	wh := e.warehouse(t, ctx, "M1")
	products := make([]uuid.UUID, 10)
	for i := range products {
		products[i] = e.product(t, ctx, "stocked", false)
		e.receive(t, ctx, Receipt{ProductID: products[i], WarehouseID: wh, Quantity: 100})
	}
	var accepted [10]atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := e.svc.Reserve(ctx, ReserveRequest{Ref: Ref{Type: "order_line", ID: uuid.New()}, ProductID: products[i%10], Quantity: 1})
			if err != nil {
				failed.Add(1)
				t.Errorf("reserve: %v", err)
				return
			}
			accepted[i%10].Add(got.Quantity)
		}()
	}
	wg.Wait()
	t.Logf("M1: %d reservation attempts on 10 products × 100 units through %d connection(s) in %v", attempts, conns, time.Since(start).Round(time.Millisecond))
	want := min(int64(attempts/10), 100)
	for i := range accepted {
		if n := accepted[i].Load(); n != want {
			t.Errorf("product %d: %d units accepted, want %d", i, n, want)
		}
	}
	for _, l := range e.checkInvariants(t, ctx) {
		if l.OnHand != 100 || l.Reserved != want {
			t.Errorf("level %v: on hand %d reserved %d", l.ID, l.OnHand, l.Reserved)
		}
	}
}
