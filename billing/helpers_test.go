package billing

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/cache"
	"nexo/tenant"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(runAndStop{m}) }

// runAndStop stops the shared stripe-mock after the tests.
type runAndStop struct{ m *testing.M }

func (r runAndStop) Run() int {
	code := r.m.Run()
	stopStripeMock()
	return code
}

const testPlans = `{"trial_plan":"growth","plans":[
 {"id":"starter","name":"Starter","price_minor":4900,"currency":"EUR","interval":"month","stripe_price_id":"price_starter","seats":5,"portal_customers":50,"api_rate_per_minute":60,"modules":["crm"]},
 {"id":"growth","name":"Growth","price_minor":14900,"currency":"EUR","interval":"month","stripe_price_id":"price_growth","seats":20,"portal_customers":500,"api_rate_per_minute":300,"modules":["crm"]}]}`

type env struct {
	bun   *bun.DB
	db    *tenant.DB
	ident *tenant.Service
	svc   *Service
}

// newEnv wires billing over a migrated database (SQLite in memory, or the
// package's PostgreSQL database as the app role) with gateway gw.
func newEnv(t *testing.T, gw Gateway) *env {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(p, []byte(testPlans), 0o600); err != nil {
		t.Fatal(err)
	}
	cat, err := LoadCatalog(p)
	if err != nil {
		t.Fatal(err)
	}
	b := tenanttest.DB(t)
	d := tenant.NewDB(b)
	c := cache.NewMemory()
	ident := tenant.NewService(d, tenant.NewSessions(d, c, tenant.SessionOptions{Idle: time.Hour, Absolute: 24 * time.Hour}), tenant.NewThrottle(c, tenant.ThrottleOptions{}), nopPolicy{}, tenant.Options{})
	svc := New(cat, ident, Options{DB: d, Gateway: gw, BaseURL: "https://nexo.example.com"})
	return &env{bun: b, db: d, ident: ident, svc: svc}
}

// newTenant creates a trialing tenant with a unique slug and returns a
// context authenticated as one of its staff.
func (e *env) newTenant(t *testing.T) (uuid.UUID, context.Context) {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	slug := "b-" + id.String()[24:]
	n := now()
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewRaw(`INSERT INTO tenants (id, slug, name, trial_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, slug, "Co "+slug, n.AddDate(0, 0, 14), n, n).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	uid := uuid.Must(uuid.NewV7())
	ctx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: id, Kind: tenant.KindUser, ID: uid,
		Subject: tenant.UserSubject(uid), Email: "owner@" + slug + ".example.com"})
	return id, ctx
}

// account reads the tenant's billing columns.
func (e *env) account(t *testing.T, id uuid.UUID) *accountRow {
	t.Helper()
	a, err := e.svc.account(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// setAccount overwrites billing columns directly (test setup).
func (e *env) setAccount(t *testing.T, id uuid.UUID, f func(a *accountRow)) {
	t.Helper()
	a := e.account(t, id)
	f(a)
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model(a).Column(append(mirrorColumns, "seats_min")...).WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.forget(id)
}

// nopPolicy stands in for rbac (billing may not import it); these tests
// create no users through identity.
type nopPolicy struct{}

func (nopPolicy) SetRoles(context.Context, bun.IDB, uuid.UUID, string, []string) error { return nil }
func (nopPolicy) RemoveSubject(context.Context, bun.IDB, uuid.UUID, string) error      { return nil }
func (nopPolicy) Roles(uuid.UUID, string) []string                                     { return nil }
func (nopPolicy) Permissions(uuid.UUID, string) []string                               { return nil }
func (nopPolicy) RolePermissions(uuid.UUID, string) []string                           { return nil }
