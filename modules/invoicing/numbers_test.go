package invoicing

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant/tenanttest"
)

// TestNumbersGapFree is M4: many concurrent issues in one tenant, some of
// them rolled back after taking their number, commit invoices numbered
// exactly 1..N (N = the issues that committed), with no gap and no repeat,
// and the series' next number is N+1. Each issue invoices its own order,
// so every transaction reaches the series row and queues on its lock.
// PostgreSQL runs 1,000 issues; SQLite (one writer) 100.
func TestNumbersGapFree(t *testing.T) {
	n := 100
	if tenanttest.Postgres() {
		n = 1000
	}
	e := newEnv(t)
	fx := newFixture(t, e)
	orders := e.bulkOrders(t, fx, n)
	failed := 0
	for i := 7; i < n; i += 10 { // every tenth issue fails after its number is taken
		e.orders.fail.Store(orders[i], true)
		failed++
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, o := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.IssueForOrder(fx.ctx, o)
		}()
	}
	wg.Wait()
	t.Logf("M4: %d concurrent issues (%d rolled back) in %v", n, failed, time.Since(start))
	for i, err := range errs {
		if _, bad := e.orders.fail.Load(orders[i]); bad != (err != nil) {
			t.Fatalf("issue %d: %v", i, err)
		}
	}
	got := e.numbers(t, fx)
	want := make([]int, n-failed)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(got, want) {
		t.Fatalf("numbers are not 1..%d: %d numbers, first %v", n-failed, len(got), got[:min(len(got), 20)])
	}
	e.orders.fail.Delete(orders[7])
	if next := e.issue(t, fx, orders[7]); !strings.HasSuffix(next.Number, fmt.Sprintf("-%06d", n-failed+1)) {
		t.Fatalf("next number %s, want %d", next.Number, n-failed+1)
	}
}

// TestOneOrderInvoicedOnce: concurrent issues of one order invoice its
// shipped units once; the others find nothing left (422).
func TestOneOrderInvoicedOnce(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	order, chairs, _ := e.order(t, fx, 5, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.svc.IssueForOrder(fx.ctx, order); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 || e.invoicedQty(t, fx, chairs) != 5 || len(e.numbers(t, fx)) != 1 {
		t.Fatalf("%d issues succeeded, %d invoiced", ok, e.invoicedQty(t, fx, chairs))
	}
}

// bulkOrders inserts n orders of one shipped chair each, in one transaction.
func (e *env) bulkOrders(t testing.TB, fx fixture, n int) []uuid.UUID {
	t.Helper()
	ids := make([]uuid.UUID, n)
	now := time.Now().UTC()
	err := e.db.Run(fx.ctx, func(ctx context.Context, tx bun.IDB) error {
		for i := range ids {
			ids[i] = id()
			if _, err := tx.NewRaw(`INSERT INTO orders (tenant_id, id, number, account_id, status, currency, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'shipped', 'EUR', ?, ?)`, fx.tenant, ids[i], fmt.Sprintf("SO-%d", i), fx.account, now, now).Exec(ctx); err != nil {
				return err
			}
			if _, err := tx.NewRaw(`INSERT INTO order_lines (tenant_id, id, order_id, position, product_id, quantity, unit_price_minor,
				tax_rate_bp, net_minor, tax_minor, total_minor, reserved_qty, shipped_qty) VALUES (?, ?, ?, 0, ?, 1, 1000, 2100, 1000, 210, 1210, 1, 1)`,
				fx.tenant, id(), ids[i], fx.chair).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// numbers reads the sequence numbers of the tenant's invoices, sorted.
func (e *env) numbers(t testing.TB, fx fixture) []int {
	t.Helper()
	var all []string
	err := e.db.Run(fx.ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model((*invoiceRow)(nil)).Column("number").Scan(ctx, &all)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int, len(all))
	for i, s := range all {
		k, err := strconv.Atoi(s[strings.LastIndexByte(s, '-')+1:])
		if err != nil {
			t.Fatalf("number %q", s)
		}
		out[i] = k
	}
	slices.Sort(out)
	return out
}
