package invoicing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// clock is the injected "now" of every test: 2026-03-02 15:04 UTC.
var clock = time.Date(2026, 3, 2, 15, 4, 0, 0, time.UTC)

func day(offset int) time.Time { return dateOf(clock).AddDate(0, 0, offset) }

// env is the invoicing service over a migrated database (SQLite in memory,
// or the package's PostgreSQL database as the app role). Test files may not
// import sales (archtest), so testOrders stands in for it over the real
// order rows; cmd/nexo's ERP tests run the real modules together.
type env struct {
	db     *tenant.DB
	orders *testOrders
	now    atomic.Pointer[time.Time]
	svc    *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	e := &env{db: d, orders: &testOrders{db: d}}
	e.setNow(clock)
	numbers := tenant.NewService(d, nil, nil, nil, tenant.Options{})
	e.svc = NewService(d, e.orders, numbers, company{}, Options{Now: func() time.Time { return *e.now.Load() }})
	return e
}

func (e *env) setNow(t time.Time) { e.now.Store(&t) }

type company struct{}

func (company) CompanyName(context.Context) (string, error) { return "Muebles Ñandú S.L.", nil }

// newTenant creates a tenant and returns a context authenticated as one of
// its staff.
func (e *env) newTenant(t testing.TB) context.Context {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	slug := "s-" + id.String()[24:]
	n := time.Now().UTC()
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewRaw(`INSERT INTO tenants (id, slug, name, trial_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, slug, "Co "+slug, n.AddDate(0, 0, 14), n, n).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	uid := uuid.Must(uuid.NewV7())
	return tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: id, Kind: tenant.KindUser, ID: uid,
		Subject: tenant.UserSubject(uid), Name: "Finance"})
}

func (e *env) exec(t testing.TB, ctx context.Context, query string, args ...any) {
	t.Helper()
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewRaw(query, args...).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// fixture is one tenant's customer (payment terms 30 days) and two
// products: a chair at 10.00 with 21 % tax and a bolt at 0.05 with 21 %
// tax and 10 % discount on its order lines.
type fixture struct {
	ctx         context.Context
	tenant      uuid.UUID
	account     uuid.UUID
	chair, bolt uuid.UUID
}

func newFixture(t testing.TB, e *env) fixture {
	t.Helper()
	ctx := e.newTenant(t)
	tid, _ := tenant.FromContext(ctx)
	fx := fixture{ctx: ctx, tenant: tid, account: id(), chair: id(), bolt: id()}
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO accounts (tenant_id, id, name, currency, payment_terms_days, active, created_at, updated_at)
		VALUES (?, ?, 'Acmé Hogar', 'EUR', 30, ?, ?, ?)`, tid, fx.account, true, n, n)
	for i, p := range []uuid.UUID{fx.chair, fx.bolt} {
		e.exec(t, ctx, `INSERT INTO products (tenant_id, id, sku, name, type, unit, list_price_minor, currency,
			active, created_at, updated_at) VALUES (?, ?, ?, ?, 'stocked', 'unit', 100, 'EUR', ?, ?, ?)`,
			tid, p, fmt.Sprintf("SKU-%d", i), []string{"Chair", "Bolt"}[i], true, n, n)
	}
	return fx
}

// order inserts an order of 10 chairs and 3 bolts with shipped quantities
// (rows as sales writes them) and returns it with its two line ids.
func (e *env) order(t testing.TB, fx fixture, chairsShipped, boltsShipped int64) (order, chairs, bolts uuid.UUID) {
	t.Helper()
	order, chairs, bolts = id(), id(), id()
	n := time.Now().UTC()
	status := "partially_shipped"
	if chairsShipped == 10 && boltsShipped == 3 {
		status = "shipped"
	}
	e.exec(t, fx.ctx, `INSERT INTO orders (tenant_id, id, number, account_id, status, currency, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'EUR', ?, ?)`, fx.tenant, order, "SO-"+order.String()[24:], fx.account, status, n, n)
	for i, l := range []struct {
		id, product         uuid.UUID
		qty, price, shipped int64
		discount            int
	}{{chairs, fx.chair, 10, 1000, chairsShipped, 0}, {bolts, fx.bolt, 3, 5, boltsShipped, 1000}} {
		net, tax, _ := lineAmounts(l.qty, l.price, l.discount, 2100)
		e.exec(t, fx.ctx, `INSERT INTO order_lines (tenant_id, id, order_id, position, product_id, quantity, unit_price_minor,
			discount_bp, tax_rate_bp, net_minor, tax_minor, total_minor, reserved_qty, shipped_qty)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2100, ?, ?, ?, ?, ?)`,
			fx.tenant, l.id, order, i, l.product, l.qty, l.price, l.discount, net, tax, net+tax, l.qty, l.shipped)
	}
	return order, chairs, bolts
}

// ship adds shipped units to an order line.
func (e *env) ship(t testing.TB, fx fixture, line uuid.UUID, qty int64) {
	t.Helper()
	e.exec(t, fx.ctx, `UPDATE order_lines SET shipped_qty = shipped_qty + ? WHERE tenant_id = ? AND id = ?`, qty, fx.tenant, line)
}

func id() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// testOrders is the sales seam over the real order rows, inside the
// caller's transaction: what sales.LockOrder and sales.RecordInvoiced do,
// minus history and audit (sales' own tests cover those). RecordInvoiced
// fails for the orders in fail after it has written, like a failure late in
// the issuing transaction.
type testOrders struct {
	db   *tenant.DB
	fail sync.Map // order id → true
}

func (o *testOrders) Order(ctx context.Context, orderID uuid.UUID) (Order, error) {
	tid, _ := tenant.FromContext(ctx)
	out := Order{ID: orderID}
	err := o.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		lock := ""
		if tx.Dialect().Name() == dialect.PG {
			lock = " FOR UPDATE"
		}
		err := tx.NewRaw(`SELECT number, account_id, currency, status FROM orders WHERE tenant_id = ? AND id = ?`+lock, tid, orderID).
			Scan(ctx, &out.Number, &out.AccountID, &out.Currency, &out.Status)
		if errs.Is(db.Translate(err), errs.NotFound) {
			return errs.E(errs.NotFound, "order not found")
		}
		if err != nil {
			return err
		}
		return tx.NewRaw(`SELECT id, product_id, quantity, unit_price_minor, discount_bp, tax_rate_bp, shipped_qty, invoiced_qty
			FROM order_lines WHERE tenant_id = ? AND order_id = ? ORDER BY position`, tid, orderID).Scan(ctx, &out.Lines)
	})
	return out, err
}

var errBoom = errors.New("boom")

func (o *testOrders) RecordInvoiced(ctx context.Context, orderID uuid.UUID, invoiced map[uuid.UUID]int64) error {
	tid, _ := tenant.FromContext(ctx)
	return o.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		for line, q := range invoiced {
			_, err := tx.NewRaw(`UPDATE order_lines SET invoiced_qty = invoiced_qty + ? WHERE tenant_id = ? AND order_id = ? AND id = ?`,
				q, tid, orderID, line).Exec(ctx)
			if err != nil {
				return err
			}
		}
		if _, ok := o.fail.Load(orderID); ok {
			return errBoom
		}
		return nil
	})
}

// invoicedQty reads an order line's invoiced quantity.
func (e *env) invoicedQty(t testing.TB, fx fixture, line uuid.UUID) int64 {
	t.Helper()
	var n int64
	err := e.db.Run(fx.ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT invoiced_qty FROM order_lines WHERE tenant_id = ? AND id = ?`, fx.tenant, line).Scan(ctx, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// outboxCount counts the tenant's outbox events of topic.
func (e *env) outboxCount(t testing.TB, ctx context.Context, topic string) int {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	var n int
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT count(*) FROM outbox_events WHERE tenant_id = ? AND topic = ?`, tid, topic).Scan(ctx, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// auditCount counts the tenant's audit rows for resource id.
func (e *env) auditCount(t testing.TB, ctx context.Context, resource string, id uuid.UUID) int {
	t.Helper()
	evs, err := e.db.FindAudit(ctx, tenant.AuditFilter{Resource: resource, ResourceID: id.String(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// wantErr fails unless err has code and, when field is set, names it.
func wantErr(t testing.TB, what string, err error, code errs.Code, field string) {
	t.Helper()
	if !errs.Is(db.Translate(err), code) {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	var e *errs.Error
	if field != "" && (!errors.As(err, &e) || e.Fields[field] == "") {
		t.Errorf("%s: %v does not name %q", what, err, field)
	}
}

func second[T any](_ T, err error) error { return err }
