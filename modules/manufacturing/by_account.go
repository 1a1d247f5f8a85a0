package manufacturing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// FindByAccount lists the production orders that serve an account's sales
// orders (a demand names one of their lines), without components or
// demands, newest first by creation time, id breaking ties. A non-zero
// before keeps only those strictly older than (before, beforeID), so a
// reader merging several kinds of documents by time can page through them
// without gaps.
//
// The account lives on sales' orders table: like planning, which reads
// order_lines, this reads the sales tables through the composite keys the
// demands already reference, rather than asking sales for every line id of
// a customer that may have thousands. The subquery starts from the
// account's orders (orders_account) so the cost follows the account's size,
// not the tenant's.
func (s *Service) FindByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Order, error) {
	if limit <= 0 {
		limit = 50
	}
	var rows []orderRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		tid, _ := tenant.FromContext(ctx)
		q := tx.NewSelect().Model(&rows).
			Where(`po.id IN (SELECT pd.production_order_id FROM orders AS so
				JOIN order_lines AS ol ON ol.tenant_id = so.tenant_id AND ol.order_id = so.id
				JOIN production_order_demands AS pd ON pd.tenant_id = ol.tenant_id AND pd.order_line_id = ol.id
				WHERE so.tenant_id = ? AND so.account_id = ?)`, tid, accountID).
			OrderExpr("po.created_at DESC, po.id DESC").Limit(int64(limit))
		if !before.IsZero() {
			q.Where("(po.created_at, po.id) < (?, ?)", before.UTC(), beforeID)
		}
		return q.Scan(ctx)
	})
	out := make([]Order, len(rows))
	for i := range rows {
		out[i] = rows[i].order()
	}
	return out, err
}
