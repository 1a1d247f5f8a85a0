package shipping

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// FindByAccount lists an account's shipments (without lines) newest first
// by creation time, id breaking ties. A non-zero before keeps only those
// strictly older than (before, beforeID), so a reader merging several kinds
// of documents by time can page through them without gaps
// (shipments_account_created serves it).
func (s *Service) FindByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Shipment, error) {
	if limit <= 0 {
		limit = 50
	}
	var rows []shipmentRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Where("s.account_id = ?", accountID).
			OrderExpr("s.created_at DESC, s.id DESC").Limit(int64(limit))
		if !before.IsZero() {
			q.Where("(s.created_at, s.id) < (?, ?)", before.UTC(), beforeID)
		}
		return q.Scan(ctx)
	})
	out := make([]Shipment, len(rows))
	for i := range rows {
		out[i] = rows[i].shipment()
	}
	return out, err
}
