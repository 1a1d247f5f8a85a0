package quotes

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// FindByAccount lists an account's quotes the caller may see (without
// lines) newest first by creation time, id breaking ties; a non-zero before
// keeps those strictly older than (before, beforeID), for the account
// timeline's merge (quotes_account serves it).
func (s *Service) FindByAccount(ctx context.Context, sc Scope, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Quote, error) {
	if limit <= 0 {
		limit = 50
	}
	var rows []quoteRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(scoped(ctx, sc)).Where("q.account_id = ?", accountID).
			OrderExpr("q.created_at DESC, q.id DESC").Limit(int64(limit))
		if !before.IsZero() {
			q.Where("(q.created_at, q.id) < (?, ?)", before.UTC(), beforeID)
		}
		return q.Scan(ctx)
	})
	out := make([]Quote, len(rows))
	for i := range rows {
		out[i] = rows[i].quote()
	}
	return out, err
}
