package sales

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// FindByAccount lists an account's orders (without lines) newest first by
// creation time, id breaking ties. A non-zero before keeps only those
// strictly older than (before, beforeID), so a reader merging several kinds
// of documents by time can page through them without gaps
// (orders_account_created serves it).
func (s *Service) FindByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Order, error) {
	if limit <= 0 {
		limit = 50
	}
	var rows []orderRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(placedOnly(ctx)).Where("o.account_id = ?", accountID).
			OrderExpr("o.created_at DESC, o.id DESC").Limit(int64(limit))
		if !before.IsZero() {
			q.Where("(o.created_at, o.id) < (?, ?)", before.UTC(), beforeID)
		}
		return q.Scan(ctx)
	})
	out := make([]Order, len(rows))
	for i := range rows {
		out[i] = rows[i].order()
	}
	return out, err
}
