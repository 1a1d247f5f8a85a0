package tenant

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Names adds to names the value of column col of the bound tenant's rows of
// table whose ids are in ids and not in names yet. Exports and documents use
// it to show another module's names (an account's name, a product's SKU)
// beside the ids they store: a read of two columns, never a write. table
// and col are constants of the caller, never input.
func Names(ctx context.Context, tx bun.IDB, table, col string, ids []uuid.UUID, names map[uuid.UUID]string) error {
	tid, ok := FromContext(ctx)
	if !ok {
		return ErrNoTenant
	}
	var missing []uuid.UUID
	for _, id := range ids {
		if _, ok := names[id]; !ok && id != uuid.Nil {
			names[id] = ""
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var rows []struct {
		ID   uuid.UUID `bun:"id"`
		Name string    `bun:"name"`
	}
	// SECURITY: the tenant predicate is explicit because no Scoped model
	// hook runs on a table expression (RLS adds it again on PostgreSQL).
	err := tx.NewSelect().TableExpr("?", bun.Ident(table)).ColumnExpr("id, ? AS name", bun.Ident(col)).
		Where("tenant_id = ?", tid).Where("id IN (?)", bun.In(missing)).Scan(ctx, &rows)
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return err
}
