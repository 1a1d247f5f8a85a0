package shipping

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// clock is the injected "now" of every test; each stamp advances it a
// second, so timestamps of successive steps are distinct and ordered.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// env is the shipping service over a migrated database (SQLite in memory,
// or the package's PostgreSQL database as the app role). Orders and stock
// are the module's seams: test files may not import sales or inventory
// (archtest), so small implementations stand in for them — orders over the
// real order rows, stock in memory but transactional — and cmd/nexo's ERP
// tests run the real modules together.
type env struct {
	db     *tenant.DB
	orders *testOrders
	stock  *fakeStock
	clock  *clock
	svc    *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	e := &env{db: d, orders: &testOrders{db: d}, stock: newFakeStock(d),
		clock: &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	numbers := tenant.NewService(d, nil, nil, nil, tenant.Options{})
	e.svc = NewService(d, e.orders, e.stock, numbers, Options{Now: e.clock.now})
	return e
}

// newTenant creates a tenant and returns a context authenticated as one of
// its staff (timeline, audit and created_by name the actor).
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
		Subject: tenant.UserSubject(uid), Name: "Clerk"})
}

// exec runs one raw statement in the bound tenant's transaction.
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

// fixture is one tenant's confirmed order: a customer account, a
// lot-tracked product in two lots of one warehouse (6 units expiring first,
// then 10), and an order of 10 units (line) plus 5 of a second product
// (bolts, untracked, 5 in stock) with everything reserved.
type fixture struct {
	ctx                context.Context
	tenant             uuid.UUID
	account, warehouse uuid.UUID
	product, bolt      uuid.UUID
	lotA, lotB         uuid.UUID
	order, line, bolts uuid.UUID
}

func newFixture(t testing.TB, e *env) fixture {
	t.Helper()
	ctx := e.newTenant(t)
	tid, _ := tenant.FromContext(ctx)
	fx := fixture{ctx: ctx, tenant: tid, account: id(), warehouse: id(), product: id(), bolt: id(), lotA: id(), lotB: id()}
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO accounts (tenant_id, id, name, currency, active, created_at, updated_at) VALUES (?, ?, 'Acme', 'EUR', ?, ?, ?)`,
		tid, fx.account, true, n, n)
	for i, p := range []uuid.UUID{fx.product, fx.bolt} {
		e.exec(t, ctx, `INSERT INTO products (tenant_id, id, sku, name, type, unit, list_price_minor, currency, lot_tracked,
			active, created_at, updated_at) VALUES (?, ?, ?, 'Product', 'stocked', 'unit', 100, 'EUR', ?, ?, ?, ?)`,
			tid, p, fmt.Sprintf("SKU-%d", i), i == 0, true, n, n)
	}
	e.exec(t, ctx, `INSERT INTO warehouses (tenant_id, id, code, name, created_at, updated_at) VALUES (?, ?, 'MAIN', 'Main', ?, ?)`,
		tid, fx.warehouse, n, n)
	for code, lot := range map[string]uuid.UUID{"A": fx.lotA, "B": fx.lotB} {
		e.exec(t, ctx, `INSERT INTO lots (tenant_id, id, product_id, code, created_at) VALUES (?, ?, ?, ?, ?)`, tid, lot, fx.product, code, n)
	}
	e.stock.receive(fx.product, fx.warehouse, &fx.lotA, 6)
	e.stock.receive(fx.product, fx.warehouse, &fx.lotB, 10)
	e.stock.receive(fx.bolt, fx.warehouse, nil, 5)
	fx.order, fx.line, fx.bolts = e.order(t, ctx, fx, "confirmed", 10, 5)
	e.stock.reserve(fx.line, fx.product, 10)
	e.stock.reserve(fx.bolts, fx.bolt, 5)
	return fx
}

// order inserts an order of the fixture's account with a line of the
// product and one of bolts (rows as sales writes them at confirmation).
func (e *env) order(t testing.TB, ctx context.Context, fx fixture, status string, qty, bolts int64) (order, line, boltLine uuid.UUID) {
	t.Helper()
	order, line, boltLine = id(), id(), id()
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO orders (tenant_id, id, number, account_id, status, currency, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'EUR', ?, ?)`, fx.tenant, order, "SO-"+order.String()[24:], fx.account, status, n, n)
	for i, l := range []struct {
		id, product uuid.UUID
		qty         int64
	}{{line, fx.product, qty}, {boltLine, fx.bolt, bolts}} {
		reserved := l.qty
		if status == "draft" {
			reserved = 0
		}
		e.exec(t, ctx, `INSERT INTO order_lines (tenant_id, id, order_id, position, product_id, quantity, unit_price_minor,
			net_minor, tax_minor, total_minor, reserved_qty) VALUES (?, ?, ?, ?, ?, ?, 100, ?, 0, ?, ?)`,
			fx.tenant, l.id, order, i, l.product, l.qty, 100*l.qty, 100*l.qty, reserved)
	}
	return order, line, boltLine
}

func id() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// testOrders is the sales seam over the real order rows, inside the
// caller's transaction: what sales.LockOrder and sales.RecordShipped do,
// minus history and audit (sales' own tests cover those).
type testOrders struct{ db *tenant.DB }

func (o *testOrders) Order(ctx context.Context, orderID uuid.UUID) (Order, error) {
	tid, _ := tenant.FromContext(ctx)
	out := Order{ID: orderID}
	err := o.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		err := tx.NewRaw(`SELECT account_id, status FROM orders WHERE tenant_id = ? AND id = ?`, tid, orderID).
			Scan(ctx, &out.AccountID, &out.Status)
		if errs.Is(db.Translate(err), errs.NotFound) {
			return errs.E(errs.NotFound, "order not found")
		}
		if err != nil {
			return err
		}
		return tx.NewRaw(`SELECT id, product_id, quantity, shipped_qty FROM order_lines WHERE tenant_id = ? AND order_id = ?
			ORDER BY position`, tid, orderID).Scan(ctx, &out.Lines)
	})
	return out, err
}

func (o *testOrders) RecordShipped(ctx context.Context, orderID uuid.UUID, shipped map[uuid.UUID]int64) error {
	tid, _ := tenant.FromContext(ctx)
	return o.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		for line, q := range shipped {
			res, err := tx.NewRaw(`UPDATE order_lines SET shipped_qty = shipped_qty + ? WHERE tenant_id = ? AND order_id = ? AND id = ?`,
				q, tid, orderID, line).Exec(ctx)
			if n, _ := res.RowsAffected(); err == nil && n != 1 {
				err = errs.Field("order_line_id", "not a line of the order")
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.NewRaw(`UPDATE orders SET status = CASE WHEN EXISTS (SELECT 1 FROM order_lines l WHERE l.tenant_id = orders.tenant_id
			AND l.order_id = orders.id AND l.shipped_qty < l.quantity) THEN 'partially_shipped' ELSE 'shipped' END
			WHERE tenant_id = ? AND id = ?`, tid, orderID).Exec(ctx)
		return err
	})
}

// orderState reads an order's status and its lines' shipped quantities.
func (e *env) orderState(t testing.TB, ctx context.Context, orderID uuid.UUID) (string, []int64) {
	t.Helper()
	o, err := e.orders.Order(ctx, orderID)
	if err != nil {
		t.Fatal(err)
	}
	var shipped []int64
	for _, l := range o.Lines {
		shipped = append(shipped, l.ShippedQty)
	}
	return o.Status, shipped
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

// auditCount counts the tenant's audit rows for shipment id.
func (e *env) auditCount(t testing.TB, ctx context.Context, id uuid.UUID) int {
	t.Helper()
	evs, err := e.db.FindAudit(ctx, tenant.AuditFilter{Resource: "shipments", ResourceID: id.String(), Limit: 100})
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
