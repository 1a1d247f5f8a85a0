package sales

import (
	"context"
	"database/sql"
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

// clock is the injected "now" of every test: 2026-03-02 15:04 UTC.
var clock = time.Date(2026, 3, 2, 15, 4, 0, 0, time.UTC)

func day(offset int) time.Time { return dateOf(clock).AddDate(0, 0, offset) }

// env is the sales service over a migrated database (SQLite in memory, or
// the package's PostgreSQL database as the app role), with in-memory
// catalog and stock behind the module's own seams.
type env struct {
	db       *tenant.DB
	products *fakeProducts
	stock    *fakeStock
	svc      *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	e := &env{db: d, products: &fakeProducts{m: map[uuid.UUID]fakeProduct{}, lists: map[uuid.UUID]fakeList{}}, stock: newFakeStock(d)}
	numbers := tenant.NewService(d, nil, nil, nil, tenant.Options{})
	e.svc = NewService(d, e.products, e.stock, numbers, Options{Now: func() time.Time { return clock }})
	return e
}

// newTenant creates a tenant and returns a context authenticated as one of
// its staff (audit and history rows name the actor).
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
		Subject: tenant.UserSubject(uid), Name: "Staff"})
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

// account inserts a customer account row (crm owns the table; sales only
// refers to it) and returns its id.
func (e *env) account(t testing.TB, ctx context.Context, active bool) uuid.UUID {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	id := uuid.Must(uuid.NewV7())
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO accounts (tenant_id, id, name, currency, active, created_at, updated_at) VALUES (?, ?, ?, 'EUR', ?, ?, ?)`,
		tid, id, "Customer "+id.String()[24:], active, n, n)
	return id
}

// product puts p into the products table (so foreign keys hold) and into
// the in-memory catalog, with onHand units in stock.
func (e *env) product(t testing.TB, ctx context.Context, p Product, onHand int64) Product {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	p.ID = uuid.Must(uuid.NewV7())
	p.SKU, p.Name = "SKU-"+p.ID.String()[24:], "Product"
	if p.Currency == "" {
		p.Currency = "EUR"
	}
	if p.Type == "" {
		p.Type = ProductStocked
	}
	n := time.Now().UTC()
	e.exec(t, ctx, `INSERT INTO products (tenant_id, id, sku, name, type, unit, list_price_minor, currency, lead_time_days,
		daily_capacity, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'unit', ?, ?, ?, ?, ?, ?, ?)`,
		tid, p.ID, p.SKU, p.Name, string(p.Type), p.ListPriceMinor, p.Currency, p.LeadTimeDays,
		p.DailyCapacity, p.Active, n, n)
	e.products.put(tid, p)
	e.stock.receive(tid, p.ID, onHand)
	return p
}

type fakeProduct struct {
	tenant uuid.UUID
	p      Product
}

// fakeProducts is the catalog seam in memory; a product of another tenant
// is not found, as the real catalog's scoped read answers.
type fakeProducts struct {
	mu    sync.Mutex
	m     map[uuid.UUID]fakeProduct
	lists map[uuid.UUID]fakeList
}

// fakeList is a price list: one unit price per product, no breaks.
type fakeList struct {
	tenant   uuid.UUID
	currency string
	prices   map[uuid.UUID]int64
}

func (f *fakeProducts) ListPrice(ctx context.Context, productID, listID uuid.UUID, qty int64) (int64, string, error) {
	tid, _ := tenant.FromContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.lists[listID]
	if !ok || l.tenant != tid {
		return 0, "", errs.E(errs.NotFound, "price list not found")
	}
	price, ok := l.prices[productID]
	if !ok {
		return 0, "", errs.E(errs.FailedPrecondition, "the list has no price for the product")
	}
	return price, l.currency, nil
}

func (f *fakeProducts) put(tid uuid.UUID, p Product) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[p.ID] = fakeProduct{tid, p}
}

func (f *fakeProducts) Product(ctx context.Context, id uuid.UUID) (Product, error) {
	tid, _ := tenant.FromContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	fp, ok := f.m[id]
	if !ok || fp.tenant != tid {
		return Product{}, errs.E(errs.NotFound, "product not found")
	}
	return fp.p, nil
}

// fakeStock is the inventory seam in memory, transactional like the real
// one: changes made inside a transaction are staged under it and applied
// only when it commits (tenant.AfterCommit), so a rolled-back confirmation
// leaves nothing reserved. failOn makes the n-th Reserve call fail.
type fakeStock struct {
	db       *tenant.DB
	mu       sync.Mutex
	onHand   map[uuid.UUID]int64 // product → units
	reserved map[Ref]reservation // committed reservations
	staged   map[*sql.Tx]map[Ref]reservation
	calls    int
	failOn   int
}

type reservation struct {
	product uuid.UUID
	qty     int64 // 0: released
}

func newFakeStock(d *tenant.DB) *fakeStock {
	return &fakeStock{db: d, onHand: map[uuid.UUID]int64{}, reserved: map[Ref]reservation{},
		staged: map[*sql.Tx]map[Ref]reservation{}}
}

func (s *fakeStock) receive(_ uuid.UUID, product uuid.UUID, qty int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onHand[product] += qty
}

// view returns the reservations as the transaction in ctx sees them.
func (s *fakeStock) view(key *sql.Tx) map[Ref]reservation {
	out := map[Ref]reservation{}
	for r, v := range s.reserved {
		out[r] = v
	}
	for r, v := range s.staged[key] {
		out[r] = v
	}
	return out
}

func (s *fakeStock) Reserve(ctx context.Context, ref Ref, product uuid.UUID, qty int64) (int64, error) {
	var got int64
	err := s.inTx(ctx, func(key *sql.Tx) error {
		if s.calls++; s.calls == s.failOn {
			return errors.New("stock: simulated failure")
		}
		avail := s.onHand[product]
		for _, r := range s.view(key) {
			if r.product == product {
				avail -= r.qty
			}
		}
		got = max(0, min(qty, avail))
		if got > 0 {
			// Like inventory, a second reservation for a ref adds to the first.
			s.staged[key][ref] = reservation{product, s.view(key)[ref].qty + got}
		}
		return nil
	})
	return got, err
}

func (s *fakeStock) Release(ctx context.Context, ref Ref) error {
	return s.inTx(ctx, func(key *sql.Tx) error {
		if r, ok := s.view(key)[ref]; ok {
			s.staged[key][ref] = reservation{r.product, 0}
		}
		return nil
	})
}

// inTx runs fn under the lock with the staging area of ctx's transaction,
// merged into the committed state once that transaction commits.
func (s *fakeStock) inTx(ctx context.Context, fn func(key *sql.Tx) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		key := tx.(bun.Tx).Tx
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.staged[key]; !ok {
			s.staged[key] = map[Ref]reservation{}
			tenant.AfterCommit(ctx, func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				for r, v := range s.staged[key] {
					s.reserved[r] = v
				}
				delete(s.staged, key)
			})
		}
		return fn(key)
	})
}

// reservedOf is the committed quantity reserved of product.
func (s *fakeStock) reservedOf(product uuid.UUID) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, r := range s.reserved {
		if r.product == product {
			n += r.qty
		}
	}
	return n
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
func (e *env) auditCount(t testing.TB, ctx context.Context, id uuid.UUID) int {
	t.Helper()
	evs, err := e.db.FindAudit(ctx, tenant.AuditFilter{Resource: "orders", ResourceID: id.String(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func lineOf(p Product, qty int64) NewLine { return NewLine{ProductID: p.ID, Quantity: qty} }

func label(format string, args ...any) string { return fmt.Sprintf(format, args...) }
