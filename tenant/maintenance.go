package tenant

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// EachTenant runs fn once per tenant, in a transaction of its own bound to
// that tenant, stopping at the first error. It is for platform maintenance
// over tenant tables (purging old rows): on PostgreSQL row-level security
// lets a transaction see one tenant's rows only, so a cross-tenant sweep is
// one bound transaction per tenant rather than one unbound statement. Every
// tenant is visited, whatever its status: a suspended tenant's rows age
// too. Not for request paths, which are bound to their caller's tenant.
func (d *DB) EachTenant(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error {
	var ids []uuid.UUID
	err := d.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model((*tenantRow)(nil)).Column("t.id").OrderExpr("t.id").Scan(ctx, &ids)
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.Run(WithTenant(ctx, id), fn); err != nil {
			return err
		}
	}
	return nil
}
