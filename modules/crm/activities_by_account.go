package crm

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ActivitiesByAccount lists the account's activities the caller may see
// (the record rule, as FindActivities) newest first by creation time, id
// breaking ties. A non-zero before keeps only those strictly older than
// (before, beforeID), so a reader merging several kinds of records by time
// can page through them without gaps (activities_account_created serves it).
func (s *Service) ActivitiesByAccount(ctx context.Context, sc Scope, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Activity, error) {
	if limit <= 0 {
		limit = 50
	}
	var rows []activityRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(scopeActivities(ctx, sc)).Where("av.account_id = ?", accountID).
			OrderExpr("av.created_at DESC, av.id DESC").Limit(int64(limit))
		if !before.IsZero() {
			q.Where("(av.created_at, av.id) < (?, ?)", before.UTC(), beforeID)
		}
		return q.Scan(ctx)
	})
	out := make([]Activity, len(rows))
	for i := range rows {
		out[i] = rows[i].activity()
	}
	return out, err
}
