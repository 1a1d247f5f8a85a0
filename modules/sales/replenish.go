package sales

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// waitingStatuses are the order statuses whose shortfalls can still be
// filled: confirmed, not yet ready to ship.
var waitingStatuses = []string{string(StatusConfirmed), string(StatusInProduction)}

// Replenish reserves newly available stock of a product (a production order
// completed, a purchase received) for the order lines waiting for it:
// oldest confirmed order first, each line's shortfall reserved through Stock
// as far as stock goes. An order whose every line is then fully reserved
// moves to ready, with its history and audit rows. It joins the caller's
// transaction (tenant.DB.Run), so the goods produced and the orders they
// fill commit together.
func (s *Service) Replenish(ctx context.Context, productID uuid.UUID) error {
	if productID == uuid.Nil {
		return errs.Field("product_id", "is required")
	}
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var ids []uuid.UUID
		err := tx.NewSelect().Model((*orderRow)(nil)).Apply(tenant.ScopeSelect(ctx)).Column("o.id").
			Where("o.status IN (?)", bun.In(waitingStatuses)).
			Where(`EXISTS (SELECT 1 FROM order_lines AS l WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id
				AND l.product_id = ? AND l.shortfall_qty > 0)`, productID).
			OrderExpr("o.confirmed_at, o.id").Scan(ctx, &ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			more, err := s.replenishOrder(ctx, tx, id, productID)
			if err != nil || !more {
				return err
			}
		}
		return nil
	})
}

// replenishOrder fills one order's lines of product; more is false once
// stock ran out (a line stayed short), so later orders need not be tried.
func (s *Service) replenishOrder(ctx context.Context, tx bun.IDB, id, product uuid.UUID) (more bool, err error) {
	o, err := loadOrder(ctx, tx, id, true)
	if err != nil {
		return false, err
	}
	if o.Status != StatusConfirmed && o.Status != StatusInProduction {
		return true, nil // moved on since the list was read
	}
	before := snapshot(o)
	changed, short := false, false
	for i := range o.Lines {
		l := &o.Lines[i]
		if l.ProductID != product || l.ShortfallQty == 0 {
			continue
		}
		got, err := s.stock.Reserve(ctx, Ref{Type: RefOrderLine, ID: l.ID}, product, l.ShortfallQty)
		if err != nil {
			return false, err
		}
		if got < 0 || got > l.ShortfallQty {
			return false, errs.E(errs.Internal, "stock reserved %d of %d units", got, l.ShortfallQty)
		}
		l.ReservedQty, l.ShortfallQty = l.ReservedQty+got, l.ShortfallQty-got
		if l.ShortfallQty == 0 {
			l.ShortfallAction = ShortfallNone
		}
		changed = changed || got > 0
		if short = l.ShortfallQty > 0; short {
			break
		}
	}
	if !changed {
		return false, nil
	}
	return !short, s.settleReplenished(ctx, tx, &before, &o)
}

// settleReplenished saves the lines and the order, moving it to ready when
// nothing is short any more.
func (s *Service) settleReplenished(ctx context.Context, tx bun.IDB, before, o *Order) error {
	if err := saveLines(ctx, tx, o); err != nil {
		return err
	}
	action := "order.replenished"
	if fullyReserved(*o) && CanMove(o.Status, StatusReady) {
		if err := s.history(ctx, tx, o.ID, o.Status, StatusReady, "all lines reserved"); err != nil {
			return err
		}
		o.Status, action = StatusReady, "order.ready"
	}
	o.UpdatedAt = s.stamp()
	return s.save(ctx, tx, before, o, action, "")
}

func fullyReserved(o Order) bool {
	for _, l := range o.Lines {
		if l.ShortfallQty > 0 {
			return false
		}
	}
	return true
}
