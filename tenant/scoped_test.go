package tenant

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// newTenant inserts a bare tenant row and returns a context bound to it.
func newTenant(t testing.TB, d *DB) (context.Context, uuid.UUID) {
	t.Helper()
	id := newID()
	row := &tenantRow{ID: id, Slug: "t" + id.String()[24:], Name: "T", Status: "active", Plan: "trial",
		BillingState: "trialing", TrialEndsAt: now(), BaseCurrency: "EUR", Locale: "en", Timezone: "UTC", CreatedAt: now(), UpdatedAt: now()}
	err := d.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(row).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return WithTenant(context.Background(), id), id
}

func addUser(t testing.TB, d *DB, ctx context.Context, email string) uuid.UUID {
	t.Helper()
	u := &userRow{ID: newID(), Email: email, Name: email, Status: "active", CreatedAt: now(), UpdatedAt: now()}
	if err := d.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(u).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestScopedQueriesSeeOnlyTheBoundTenant(t *testing.T) {
	d := NewDB(tenanttest.DB(t))
	ctxA, _ := newTenant(t, d)
	ctxB, tidB := newTenant(t, d)
	addUser(t, d, ctxA, "a@example.com")
	bUser := addUser(t, d, ctxB, "b@example.com")

	var rows []userRow
	if err := d.Run(ctxA, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&rows).Scan(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Email != "a@example.com" {
		t.Fatalf("tenant A sees %d rows: %+v", len(rows), rows)
	}

	// Update, delete and select of B's row from A affect nothing.
	err := d.Run(ctxA, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).Set("name = 'pwned'").Where("u.id = ?", bUser).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 0 {
			return fmt.Errorf("update touched %d foreign rows", n)
		}
		res, err = tx.NewDelete().Model((*userRow)(nil)).Where("u.id = ?", bUser).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 0 {
			return fmt.Errorf("delete touched %d foreign rows", n)
		}
		var u userRow
		if err := tx.NewSelect().Model(&u).Where("u.id = ?", bUser).Scan(ctx); !errs.Is(db.Translate(err), errs.NotFound) {
			return fmt.Errorf("select of a foreign row: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Inserting a row that names tenant B while bound to A is refused.
	err = d.Run(ctxA, func(ctx context.Context, tx bun.IDB) error {
		u := &userRow{Scoped: Scoped{TenantID: tidB}, ID: newID(), Email: "x@example.com", Name: "x", Status: "active", CreatedAt: now(), UpdatedAt: now()}
		_, err := tx.NewInsert().Model(u).Exec(ctx)
		return err
	})
	if !errs.Is(err, errs.NotFound) {
		t.Fatalf("cross-tenant insert: %v, want not_found", err)
	}
}

func TestNoTenantFailsClosed(t *testing.T) {
	d := NewDB(tenanttest.DB(t))
	ctxA, _ := newTenant(t, d)
	addUser(t, d, ctxA, "a@example.com")
	if err := d.Run(context.Background(), func(context.Context, bun.IDB) error { return nil }); err != ErrNoTenant {
		t.Fatalf("Run without tenant: %v", err)
	}
	// A platform transaction can run, but scoped models refuse to query.
	err := d.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		var rows []userRow
		return tx.NewSelect().Model(&rows).Scan(ctx)
	})
	if err == nil {
		t.Fatal("scoped select without a tenant succeeded")
	}
	// Second wall: on PostgreSQL a raw query without app.tenant_id sees no rows.
	if tenanttest.Postgres() {
		n, err := d.Bun().NewSelect().TableExpr("users").Count(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("raw count without tenant: n=%d err=%v, want 0 rows from RLS", n, err)
		}
		n, err = d.Bun().NewSelect().TableExpr("audit_events").Count(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("raw audit count without tenant: n=%d err=%v", n, err)
		}
	}
}

// T5: many concurrent requests over many tenants through a pool smaller
// than the request count never see another tenant's rows.
func TestConcurrentTenantsNeverMix(t *testing.T) {
	d := NewDB(tenanttest.DB(t))
	const tenants, requests = 50, 10000
	ctxs := make([]context.Context, tenants)
	ids := make([]uuid.UUID, tenants)
	for i := range ctxs {
		ctxs[i], ids[i] = newTenant(t, d)
		addUser(t, d, ctxs[i], fmt.Sprintf("u%d@example.com", i))
	}
	var mixed, failed atomic.Int64
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				k := i % tenants
				var rows []userRow
				err := d.Run(ctxs[k], func(ctx context.Context, tx bun.IDB) error {
					return tx.NewSelect().Model(&rows).Scan(ctx)
				})
				if err != nil {
					failed.Add(1)
					continue
				}
				for _, r := range rows {
					if r.TenantID != ids[k] {
						mixed.Add(1)
					}
				}
				if len(rows) != 1 {
					mixed.Add(1)
				}
			}
		}()
	}
	for i := 0; i < requests; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if mixed.Load() != 0 || failed.Load() != 0 {
		t.Fatalf("%d mixed-tenant answers, %d failures over %d requests", mixed.Load(), failed.Load(), requests)
	}
}
