package inventory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/cache"
	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// env is inventory over a migrated database (SQLite in memory, or the
// package's PostgreSQL database as the app role) and a cache (Redis when
// NEXO_TEST_REDIS_URL is set, else memory).
type env struct {
	db    *tenant.DB
	cache cache.Cache
	svc   *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	var c cache.Cache = cache.NewMemory()
	if url := os.Getenv("NEXO_TEST_REDIS_URL"); url != "" {
		r, err := cache.NewRedis(context.Background(), url)
		if err != nil {
			t.Fatalf("NEXO_TEST_REDIS_URL is set but Redis is unreachable: %v", err)
		}
		t.Cleanup(func() { _ = r.Close() })
		c = r
	}
	return &env{db: d, cache: c, svc: NewService(d, dbProducts{d}, Options{Cache: c})}
}

// dbProducts stands in for the catalog: it reads the products table the
// catalog owns, inside the caller's transaction.
type dbProducts struct{ db *tenant.DB }

func (p dbProducts) Product(ctx context.Context, id uuid.UUID) (ProductInfo, error) {
	var row struct {
		Type       string `bun:"type"`
		LotTracked bool   `bun:"lot_tracked"`
		Active     bool   `bun:"active"`
	}
	err := p.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		tid, _ := tenant.FromContext(ctx)
		return tx.NewRaw("SELECT type, lot_tracked, active FROM products WHERE tenant_id = ? AND id = ?", tid, id).Scan(ctx, &row)
	})
	return ProductInfo{ID: id, Type: row.Type, LotTracked: row.LotTracked, Active: row.Active}, db.Translate(err)
}

// newTenant creates a tenant and returns a context authenticated as one of
// its staff (audit rows need an actor).
func (e *env) newTenant(t testing.TB) context.Context {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	slug := "i-" + id.String()[24:]
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

// product inserts a catalog product row (the catalog module owns the table).
func (e *env) product(t testing.TB, ctx context.Context, typ string, lotTracked bool) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	n := time.Now().UTC()
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		tid, _ := tenant.FromContext(ctx)
		_, err := tx.NewRaw(`INSERT INTO products (tenant_id, id, sku, name, type, unit, list_price_minor, currency, lot_tracked, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'pc', 1000, 'EUR', ?, true, ?, ?)`, tid, id, "SKU-"+id.String()[24:], "P "+id.String()[24:], typ, lotTracked, n, n).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) warehouse(t testing.TB, ctx context.Context, code string) uuid.UUID {
	t.Helper()
	w, err := e.svc.CreateWarehouse(ctx, NewWarehouse{Code: code, Name: "Warehouse " + code})
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

func (e *env) receive(t testing.TB, ctx context.Context, in Receipt) Move {
	t.Helper()
	m, err := e.svc.Receive(ctx, in)
	if err != nil {
		t.Fatalf("receive %+v: %v", in, err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

func date(s string) *time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &d
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

// checkInvariants verifies, for the tenant bound to ctx, that every level
// equals the sums of its moves, reserved equals its open reservations, and
// the bounds hold; it returns the levels.
func (e *env) checkInvariants(t testing.TB, ctx context.Context) []levelRow {
	t.Helper()
	var levels []levelRow
	var moves []moveRow
	var res []reservationRow
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&levels).Scan(ctx); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&moves).Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&res).Where("r.status = 'open'").Scan(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	type sums struct{ onHand, reserved, quarantined, open int64 }
	key := func(p, w uuid.UUID, l *uuid.UUID) string { return fmt.Sprint(p, w, l != nil && true, deref(l)) }
	got := map[string]*sums{}
	at := func(k string) *sums {
		if got[k] == nil {
			got[k] = &sums{}
		}
		return got[k]
	}
	for _, m := range moves {
		s := at(key(m.ProductID, m.WarehouseID, m.LotID))
		s.onHand += m.OnHandDelta
		s.reserved += m.ReservedDelta
		s.quarantined += m.QuarantinedDelta
	}
	for _, r := range res {
		at(key(r.ProductID, r.WarehouseID, r.LotID)).open += r.open()
	}
	for _, l := range levels {
		s := at(key(l.ProductID, l.WarehouseID, l.LotID))
		if s.onHand != l.OnHand || s.reserved != l.Reserved || s.quarantined != l.Quarantined || s.open != l.Reserved {
			t.Fatalf("level %v: on_hand %d reserved %d quarantined %d; moves say %d/%d/%d, open reservations %d",
				l.ID, l.OnHand, l.Reserved, l.Quarantined, s.onHand, s.reserved, s.quarantined, s.open)
		}
		if l.Reserved < 0 || l.Quarantined < 0 || l.Reserved+l.Quarantined > l.OnHand {
			t.Fatalf("level %v out of bounds: %+v", l.ID, l)
		}
		delete(got, key(l.ProductID, l.WarehouseID, l.LotID))
	}
	for k, s := range got {
		if *s != (sums{}) {
			t.Fatalf("moves or reservations without a level: %s %+v", k, *s)
		}
	}
	return levels
}
