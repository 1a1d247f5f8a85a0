package sales

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// ReservationLost brings an order line in line with inventory after stock
// reserved for it was taken back (its lot put on quality hold). open is what
// inventory still holds for the line, not yet shipped. The units lost become
// the line's shortfall, for production or purchasing like any other, and a
// ready order goes back to confirmed so Replenish fills it again. The line
// is recomputed from inventory's figure rather than decremented, so a
// redelivered event changes nothing. It joins the caller's transaction.
func (s *Service) ReservationLost(ctx context.Context, lineID uuid.UUID, open int64) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var orderID uuid.UUID
		err := tx.NewSelect().Model((*lineRow)(nil)).Apply(tenant.ScopeSelect(ctx)).Column("l.order_id").
			Where("l.id = ?", lineID).Scan(ctx, &orderID)
		if err != nil {
			return err
		}
		o, err := loadOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		switch o.Status {
		case StatusConfirmed, StatusInProduction, StatusReady, StatusPartiallyShipped:
		default:
			return nil // nothing waits on stock any more
		}
		before := snapshot(o)
		changed, err := s.shrinkLine(ctx, &o, lineID, open)
		if err != nil || !changed {
			return err
		}
		if err := saveLines(ctx, tx, &o); err != nil {
			return err
		}
		if o.Status == StatusReady {
			if err := s.history(ctx, tx, o.ID, o.Status, StatusConfirmed, "reserved stock put on quality hold"); err != nil {
				return err
			}
			o.Status = StatusConfirmed
		}
		o.UpdatedAt = s.stamp()
		return s.save(ctx, tx, &before, &o, "order.reservation_lost", "")
	})
}

// shrinkLine lowers the line's reservation to shipped + open, moving the
// difference to its shortfall; false when nothing was lost.
func (s *Service) shrinkLine(ctx context.Context, o *Order, lineID uuid.UUID, open int64) (bool, error) {
	for i := range o.Lines {
		l := &o.Lines[i]
		if l.ID != lineID {
			continue
		}
		lost := l.ReservedQty - (l.ShippedQty + max(open, 0))
		if lost <= 0 {
			return false, nil
		}
		p, err := s.products.Product(ctx, l.ProductID)
		if err != nil {
			return false, err
		}
		l.ReservedQty -= lost
		l.ShortfallQty += lost
		l.ShortfallAction = shortfallAction(p, l.ShortfallQty)
		return true, nil
	}
	return false, nil
}
