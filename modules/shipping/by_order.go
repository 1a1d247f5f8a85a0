package shipping

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// LineShipped is one order line's units on shipments that left the
// warehouse (shipped, in transit or delivered) and, of those, the units
// delivered.
type LineShipped struct {
	Shipped   int64
	Delivered int64
}

// ShippedByLine sums an order's shipped and delivered units per order
// line; returns ask it what a customer may send back.
func (s *Service) ShippedByLine(ctx context.Context, orderID uuid.UUID) (map[uuid.UUID]LineShipped, error) {
	var rows []struct {
		OrderLineID uuid.UUID `bun:"order_line_id"`
		Shipped     int64     `bun:"shipped"`
		Delivered   int64     `bun:"delivered"`
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model((*lineRow)(nil)).Apply(tenant.ScopeSelect(ctx)).
			ColumnExpr("l.order_line_id, SUM(l.quantity) AS shipped").
			ColumnExpr("SUM(CASE WHEN s.status = ? THEN l.quantity ELSE 0 END) AS delivered", string(StatusDelivered)).
			Join("JOIN shipments AS s ON s.tenant_id = l.tenant_id AND s.id = l.shipment_id").
			Where("s.order_id = ?", orderID).
			Where("s.status IN (?)", bun.In([]string{string(StatusShipped), string(StatusInTransit), string(StatusDelivered)})).
			Group("l.order_line_id").Scan(ctx, &rows)
	})
	out := make(map[uuid.UUID]LineShipped, len(rows))
	for _, r := range rows {
		out[r.OrderLineID] = LineShipped{Shipped: r.Shipped, Delivered: r.Delivered}
	}
	return out, err
}
