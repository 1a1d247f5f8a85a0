package manufacturing

import (
	"context"
	"errors"
	"slices"
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

// clock is the injected "now" of every test: 2026-03-02 15:04 UTC.
var clock = time.Date(2026, 3, 2, 15, 4, 0, 0, time.UTC)

func day(offset int) time.Time { return dateOf(clock).AddDate(0, 0, offset) }

// env is the service over a migrated database (SQLite in memory, or the
// package's PostgreSQL database as the app role). Modules may not import
// each other, tests included, so catalog, stock and sales stand behind the
// module's own seams in memory; every row a foreign key needs is real.
type env struct {
	db      *tenant.DB
	catalog *fakeCatalog
	stock   *fakeStock
	orders  *fakeOrders
	svc     *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	e := &env{db: d, catalog: &fakeCatalog{m: map[uuid.UUID]fakeProduct{}}}
	e.stock = newFakeStock(d)
	e.orders = &fakeOrders{e: e}
	numbers := tenant.NewService(d, nil, nil, nil, tenant.Options{})
	e.svc = NewService(d, e.catalog, e.stock, e.orders, numbers, Options{Now: func() time.Time { return clock }})
	return e
}

// newTenant creates a tenant and returns a context authenticated as one of
// its staff, so history and audit rows name an actor.
func (e *env) newTenant(t testing.TB) context.Context {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	slug := "m-" + id.String()[24:]
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
		Subject: tenant.UserSubject(uid), Name: "Planner"})
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

// warehouse inserts a warehouse row and returns its id.
func (e *env) warehouse(t testing.TB, ctx context.Context, active bool) uuid.UUID {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	id := uuid.Must(uuid.NewV7())
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO warehouses (tenant_id, id, code, name, active, created_at, updated_at) VALUES (?, ?, ?, 'Main', ?, ?, ?)`,
		tid, id, "W"+id.String()[24:], active, n, n)
	return id
}

// product puts p into the products table and the in-memory catalog.
func (e *env) product(t testing.TB, ctx context.Context, p Product, bom ...BOMLine) Product {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	p.ID = uuid.Must(uuid.NewV7())
	p.SKU = "SKU-" + p.ID.String()[24:]
	if p.Type == "" {
		p.Type = "stocked"
	}
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO products (tenant_id, id, sku, name, type, unit, list_price_minor, currency, lot_tracked,
		lead_time_days, daily_capacity, active, created_at, updated_at) VALUES (?, ?, ?, 'Product', ?, 'unit', 100, 'EUR', ?, ?, ?, ?, ?, ?)`,
		tid, p.ID, p.SKU, p.Type, p.LotTracked, p.LeadTimeDays, p.DailyCapacity, p.Active, n, n)
	e.catalog.put(tid, p, bom)
	return p
}

// part is a BOM line of qty units of component c.
func part(c Product, qty int64) BOMLine {
	return BOMLine{ComponentID: c.ID, SKU: c.SKU, Quantity: qty}
}

// lot inserts a lot row of product and returns its id.
func lotRow(ctx context.Context, tx bun.IDB, product uuid.UUID, code string) (uuid.UUID, error) {
	tid, _ := tenant.FromContext(ctx)
	id := uuid.Must(uuid.NewV7())
	_, err := tx.NewRaw(`INSERT INTO lots (tenant_id, id, product_id, code, production_date, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tid, id, product, code, dateOf(clock), time.Now().UTC()).Exec(ctx)
	return id, err
}

// salesOrder inserts a confirmed sales order (status in_production) of one
// customer with one line per shortfall quantity of product, and returns the
// line ids.
func (e *env) salesOrder(t testing.TB, ctx context.Context, product uuid.UUID, reserved int64, shorts ...int64) []uuid.UUID {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	acct, order := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO accounts (tenant_id, id, name, currency, active, created_at, updated_at) VALUES (?, ?, 'Customer', 'EUR', true, ?, ?)`,
		tid, acct, n, n)
	e.exec(t, ctx, `INSERT INTO orders (tenant_id, id, number, account_id, status, currency, confirmed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'in_production', 'EUR', ?, ?, ?)`, tid, order, "SO-"+order.String()[24:], acct, n, n, n)
	var ids []uuid.UUID
	for i, short := range shorts {
		id := uuid.Must(uuid.NewV7())
		e.exec(t, ctx, `INSERT INTO order_lines (tenant_id, id, order_id, position, product_id, quantity, unit_price_minor,
			net_minor, tax_minor, total_minor, reserved_qty, shortfall_qty, shortfall_action)
			VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 'production')`, tid, id, order, i, product, reserved+short, reserved, short)
		ids = append(ids, id)
	}
	return ids
}

type fakeProduct struct {
	tenant uuid.UUID
	p      Product
	bom    []BOMLine
}

// fakeCatalog is the catalog seam in memory; another tenant's product is not
// found, as the real catalog's scoped read answers.
type fakeCatalog struct {
	mu sync.Mutex
	m  map[uuid.UUID]fakeProduct
}

func (f *fakeCatalog) put(tid uuid.UUID, p Product, bom []BOMLine) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[p.ID] = fakeProduct{tid, p, bom}
}

func (f *fakeCatalog) get(ctx context.Context, id uuid.UUID) (fakeProduct, error) {
	tid, _ := tenant.FromContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	fp, ok := f.m[id]
	if !ok || fp.tenant != tid {
		return fakeProduct{}, errs.E(errs.NotFound, "product not found")
	}
	return fp, nil
}

func (f *fakeCatalog) Product(ctx context.Context, id uuid.UUID) (Product, error) {
	fp, err := f.get(ctx, id)
	return fp.p, err
}

func (f *fakeCatalog) BOM(ctx context.Context, id uuid.UUID) ([]BOMLine, error) {
	fp, err := f.get(ctx, id)
	return slices.Clone(fp.bom), err
}

// fakeOrders is the sales seam over the real order_lines rows: shortfalls
// are read from them and Replenish reserves through the fake stock, writes
// the lines and readies orders with nothing short, like sales does.
type fakeOrders struct {
	e          *env
	replenish  []uuid.UUID // products Replenish was called for (committed or not)
	failOnFill bool
}

func (f *fakeOrders) ProductionShortfalls(ctx context.Context) ([]Shortfall, error) {
	var out []Shortfall
	err := f.e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		tid, _ := tenant.FromContext(ctx)
		return tx.NewRaw(`SELECT o.id AS order_id, o.number AS order_number, l.id AS line_id, l.product_id, l.shortfall_qty AS quantity
			FROM order_lines AS l JOIN orders AS o ON o.tenant_id = l.tenant_id AND o.id = l.order_id
			WHERE l.tenant_id = ? AND l.shortfall_qty > 0 AND l.shortfall_action = 'production'
			AND o.status IN ('confirmed', 'in_production') ORDER BY l.id`, tid).Scan(ctx, &out)
	})
	return out, err
}

func (f *fakeOrders) Replenish(ctx context.Context, product uuid.UUID) error {
	f.replenish = append(f.replenish, product)
	if f.failOnFill {
		return errors.New("sales: simulated failure")
	}
	short, err := f.ProductionShortfalls(ctx)
	if err != nil {
		return err
	}
	return f.e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		for _, s := range short {
			if s.ProductID != product {
				continue
			}
			got, err := f.e.stock.Reserve(ctx, Ref{Type: "order_line", ID: s.LineID}, product, uuid.Nil, s.Quantity)
			if err != nil {
				return err
			}
			if _, err := tx.NewRaw(`UPDATE order_lines SET reserved_qty = reserved_qty + ?, shortfall_qty = shortfall_qty - ?,
				shortfall_action = CASE WHEN shortfall_qty = ? THEN 'none' ELSE shortfall_action END WHERE id = ?`,
				got, got, got, s.LineID).Exec(ctx); err != nil {
				return err
			}
			if _, err := tx.NewRaw(`UPDATE orders SET status = 'ready' WHERE id = ? AND NOT EXISTS
				(SELECT 1 FROM order_lines WHERE order_id = ? AND shortfall_qty > 0)`, s.OrderID, s.OrderID).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

func ptr[T any](v T) *T { return &v }

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

// count counts the tenant's rows of a query returning one number.
func (e *env) count(t testing.TB, ctx context.Context, query string, args ...any) int {
	t.Helper()
	var n int
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(query, args...).Scan(ctx, &n)
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

// auditCount counts the audit rows of one production order.
func (e *env) auditCount(t testing.TB, ctx context.Context, id uuid.UUID) int {
	t.Helper()
	evs, err := e.db.FindAudit(ctx, tenant.AuditFilter{Resource: "production_orders", ResourceID: id.String(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}
