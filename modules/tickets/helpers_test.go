package tickets

import (
	"context"
	"errors"
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

// clock is the injected "now": tests move it to cross SLA due times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is the ticket service over a migrated database (SQLite in memory, or
// PostgreSQL as the app role). Test files may not import the modules the
// links point into (archtest): rowLinks reads their rows directly, and
// cmd/nexo's tests run the real adapters.
type env struct {
	db    *tenant.DB
	clock *clock
	svc   *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	e := &env{db: d, clock: &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	numbers := tenant.NewService(d, nil, nil, nil, tenant.Options{})
	e.svc = NewService(d, rowLinks{d}, numbers, Options{Now: e.clock.now})
	return e
}

// fixture is one tenant: a staff user, two customer accounts (A and B),
// each with an order, a contact of A, a product and a lot; staff is a
// context of the staff user, custA and custB of a portal customer of each
// account.
type fixture struct {
	tenant             uuid.UUID
	staff, custA       context.Context
	custB              context.Context
	user               uuid.UUID
	accA, accB         uuid.UUID
	orderA, orderB     uuid.UUID
	contactA, product  uuid.UUID
	lot, inactiveUser  uuid.UUID
	inactiveAccount    uuid.UUID
	customerA, custBID uuid.UUID
}

func newFixture(t testing.TB, e *env) fixture {
	t.Helper()
	tid := id()
	slug := "t-" + tid.String()[24:]
	n := time.Now().UTC()
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewRaw(`INSERT INTO tenants (id, slug, name, trial_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			tid, slug, "Co "+slug, n.AddDate(0, 0, 14), n, n).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture{tenant: tid, user: id(), accA: id(), accB: id(), orderA: id(), orderB: id(), contactA: id(), product: id(),
		lot: id(), inactiveUser: id(), inactiveAccount: id(), customerA: id(), custBID: id()}
	fx.staff = tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: tid, Kind: tenant.KindUser, ID: fx.user,
		Subject: tenant.UserSubject(fx.user), Name: "Sam Support"})
	fx.custA = tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: tid, Kind: tenant.KindCustomer,
		ID: fx.customerA, Subject: tenant.CustomerSubject(fx.customerA), Name: "Ana Buyer", AccountID: &fx.accA})
	fx.custB = tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: tid, Kind: tenant.KindCustomer,
		ID: fx.custBID, Subject: tenant.CustomerSubject(fx.custBID), Name: "Bea Buyer", AccountID: &fx.accB})
	ctx := fx.staff
	for _, u := range []struct {
		id     uuid.UUID
		status string
	}{{fx.user, "active"}, {fx.inactiveUser, "disabled"}} {
		e.exec(t, ctx, `INSERT INTO users (tenant_id, id, email, name, status, created_at, updated_at) VALUES (?, ?, ?, 'User', ?, ?, ?)`,
			tid, u.id, u.id.String()+"@example.com", u.status, n, n)
	}
	for _, a := range []struct {
		id     uuid.UUID
		name   string
		active bool
	}{{fx.accA, "Acme", true}, {fx.accB, "Bolt", true}, {fx.inactiveAccount, "Gone", false}} {
		e.exec(t, ctx, `INSERT INTO accounts (tenant_id, id, name, currency, active, created_at, updated_at) VALUES (?, ?, ?, 'EUR', ?, ?, ?)`,
			tid, a.id, a.name, a.active, n, n)
	}
	e.exec(t, ctx, `INSERT INTO contacts (tenant_id, id, account_id, first_name, last_name, created_at, updated_at)
		VALUES (?, ?, ?, 'Ana', 'Buyer', ?, ?)`, tid, fx.contactA, fx.accA, n, n)
	for acc, order := range map[uuid.UUID]uuid.UUID{fx.accA: fx.orderA, fx.accB: fx.orderB} {
		e.exec(t, ctx, `INSERT INTO orders (tenant_id, id, number, account_id, status, currency, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'confirmed', 'EUR', ?, ?)`, tid, order, "SO-"+order.String()[24:], acc, n, n)
	}
	e.exec(t, ctx, `INSERT INTO products (tenant_id, id, sku, name, type, unit, list_price_minor, currency, lot_tracked,
		active, created_at, updated_at) VALUES (?, ?, 'CHAIR', 'Chair', 'stocked', 'unit', 100, 'EUR', ?, ?, ?, ?)`,
		tid, fx.product, true, true, n, n)
	e.exec(t, ctx, `INSERT INTO lots (tenant_id, id, product_id, code, created_at) VALUES (?, ?, ?, 'L-1', ?)`, tid, fx.lot, fx.product, n)
	return fx
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

// outboxCount counts the tenant's outbox events of topic.
func (e *env) outboxCount(t testing.TB, tid uuid.UUID, topic string) int {
	t.Helper()
	var n int
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT count(*) FROM outbox_events WHERE tenant_id = ? AND topic = ?`, tid, topic).Scan(ctx, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// rowLinks is Links over the rows the owning modules write, in the
// caller's transaction: what the cmd/nexo adapters ask of crm, sales,
// catalog, inventory and tenant.
type rowLinks struct{ db *tenant.DB }

func (l rowLinks) one(ctx context.Context, what, query string, args ...any) (string, error) {
	tid, _ := tenant.FromContext(ctx)
	var out string
	err := l.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(query, append([]any{tid}, args...)...).Scan(ctx, &out)
	})
	if errs.Is(db.Translate(err), errs.NotFound) {
		return "", errs.E(errs.NotFound, "%s not found", what)
	}
	return out, err
}

func (l rowLinks) Account(ctx context.Context, id uuid.UUID) error {
	_, err := l.one(ctx, "account", `SELECT id FROM accounts WHERE tenant_id = ? AND id = ? AND active`, id)
	return err
}

func (l rowLinks) ContactAccount(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	s, err := l.one(ctx, "contact", `SELECT account_id FROM contacts WHERE tenant_id = ? AND id = ?`, id)
	if err != nil {
		return uuid.Nil, err
	}
	return uuid.Parse(s)
}

func (l rowLinks) OrderAccount(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	s, err := l.one(ctx, "order", `SELECT account_id FROM orders WHERE tenant_id = ? AND id = ?`, id)
	if err != nil {
		return uuid.Nil, err
	}
	return uuid.Parse(s)
}

func (l rowLinks) Product(ctx context.Context, id uuid.UUID) error {
	_, err := l.one(ctx, "product", `SELECT id FROM products WHERE tenant_id = ? AND id = ?`, id)
	return err
}

func (l rowLinks) Lot(ctx context.Context, id uuid.UUID) error {
	_, err := l.one(ctx, "lot", `SELECT id FROM lots WHERE tenant_id = ? AND id = ?`, id)
	return err
}

// Assignees lists every active user: the permission check is cmd/nexo's
// adapter's (the rbac policy), tested there.
func (l rowLinks) Assignees(ctx context.Context) ([]Assignee, error) {
	tid, _ := tenant.FromContext(ctx)
	var out []Assignee
	err := l.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT id, name, email FROM users WHERE tenant_id = ? AND status = 'active' ORDER BY name`, tid).Scan(ctx, &out)
	})
	return out, err
}

func (l rowLinks) StaffUser(ctx context.Context, id uuid.UUID) error {
	_, err := l.one(ctx, "user", `SELECT id FROM users WHERE tenant_id = ? AND id = ? AND status = 'active'`, id)
	return err
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

func id() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func ref(u uuid.UUID) *uuid.UUID { return &u }
