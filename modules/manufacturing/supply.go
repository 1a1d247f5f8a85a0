package manufacturing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Supply is what one open production order will make that no sales order
// line has claimed yet: the units a new promise may count on, by DueDate.
type Supply struct {
	OrderID uuid.UUID
	Number  string
	DueDate time.Time
	Free    int64
}

// OpenSupply lists the unclaimed output of a product's planned, released
// and in-progress production orders, earliest due first (available-to-
// promise counts on it before asking for new capacity).
func (s *Service) OpenSupply(ctx context.Context, productID uuid.UUID) ([]Supply, error) {
	var rows []struct {
		ID      uuid.UUID `bun:"id,type:uuid"`
		Number  string    `bun:"number"`
		DueDate time.Time `bun:"due_date"`
		Free    int64     `bun:"free"`
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		claimed := tx.NewSelect().Model((*demandRow)(nil)).ColumnExpr("coalesce(sum(pd.quantity), 0)").
			Where("pd.production_order_id = po.id")
		return tx.NewSelect().Model((*orderRow)(nil)).Column("po.id", "po.number", "po.due_date").
			ColumnExpr("po.quantity - (?) AS free", claimed).
			Where("po.product_id = ?", productID).Where("po.status IN (?)", bun.In(openStatuses)).
			OrderExpr("po.due_date, po.id").Limit(200).Scan(ctx, &rows)
	})
	out := make([]Supply, 0, len(rows))
	for _, r := range rows {
		if r.Free > 0 {
			out = append(out, Supply{OrderID: r.ID, Number: r.Number, DueDate: dateOf(r.DueDate), Free: r.Free})
		}
	}
	return out, err
}
