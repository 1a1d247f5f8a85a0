package tenant

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"nexo/tenant/tenanttest"
)

// TestCountAndExistsAreScoped: bun runs model hooks for Scan but not for
// Count or Exists, so those queries must be scoped explicitly (scopeSelect);
// on SQLite there is no row-level security behind them.
func TestCountAndExistsAreScoped(t *testing.T) {
	d := NewDB(tenanttest.DB(t))
	ctxA, _ := newTenant(t, d)
	ctxB, _ := newTenant(t, d)
	addUser(t, d, ctxA, "only-in-a@example.com")
	addUser(t, d, ctxA, "also-in-a@example.com")
	addUser(t, d, ctxB, "b@example.com")

	err := d.Run(ctxB, func(ctx context.Context, tx bun.IDB) error {
		exists, err := tx.NewSelect().Model((*userRow)(nil)).Apply(scopeSelect(ctx)).Where("u.email = ?", "only-in-a@example.com").Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			t.Error("tenant B's Exists sees tenant A's user")
		}
		n, err := countSeats(ctx, tx)
		if n != 1 {
			t.Errorf("tenant B's seats: %d, want 1", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// No tenant bound: the scoped count fails closed.
	_, err = NewDB(tenanttest.DB(t)).Bun().NewSelect().Model((*userRow)(nil)).Apply(scopeSelect(context.Background())).Count(context.Background())
	if err == nil {
		t.Error("an unbound scoped count succeeded")
	}
}
