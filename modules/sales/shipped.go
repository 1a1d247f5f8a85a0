package sales

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// shippable are the statuses whose reserved goods may leave: from
// confirmation (whatever is reserved) until everything has shipped.
var shippable = []Status{StatusConfirmed, StatusInProduction, StatusReady, StatusPartiallyShipped}

// LockOrder returns an order with its lines, locked until the caller's
// transaction ends (PostgreSQL; SQLite has one writer). Shipping reads the
// lines' quantities through it so two shipments being created for the same
// order queue instead of both promising the same reserved units.
func (s *Service) LockOrder(ctx context.Context, id uuid.UUID) (Order, error) {
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if o, err = loadOrder(ctx, tx, id, true); err != nil {
			return err
		}
		return checkPlaced(ctx, tx, o) // a customer's return asks for its order through here
	})
	if err != nil {
		return Order{}, err // nothing of an unplaced order leaks
	}
	return o, nil
}

// RecordShipped adds shipped units (order line id → quantity) to an order's
// lines and moves the order to shipped when every stock line is shipped in
// full, else to partially_shipped, with history and audit rows, inside the
// caller's transaction (a shipment's): the stock moves, the shipment and the
// order commit or roll back together. A line of another order, a
// non-positive quantity or more than was ordered is refused and nothing
// changes.
func (s *Service) RecordShipped(ctx context.Context, orderID uuid.UUID, shipped map[uuid.UUID]int64) error {
	if len(shipped) == 0 {
		return errs.Field("lines", "name at least one shipped line")
	}
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		o, err := loadOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if !canShip(o.Status) {
			return statusError("a " + string(o.Status) + " order cannot ship")
		}
		before := snapshot(o)
		if err := addShipped(&o, shipped); err != nil {
			return err
		}
		if err := saveShipped(ctx, tx, &o, shipped); err != nil {
			return err
		}
		to := shippedStatus(o)
		if to != o.Status {
			if !CanMove(o.Status, to) {
				return statusError("a " + string(o.Status) + " order cannot become " + string(to))
			}
			if err := s.history(ctx, tx, o.ID, o.Status, to, ""); err != nil {
				return err
			}
			o.Status = to
		}
		o.UpdatedAt = s.stamp()
		return s.save(ctx, tx, &before, &o, "order.shipment_recorded", "")
	})
}

func canShip(st Status) bool { return slices.Contains(shippable, st) }

// addShipped applies shipped to o's lines, naming every line at fault.
func addShipped(o *Order, shipped map[uuid.UUID]int64) error {
	f := errs.Fields{}
	byID := make(map[uuid.UUID]*Line, len(o.Lines))
	for i := range o.Lines {
		byID[o.Lines[i].ID] = &o.Lines[i]
	}
	for id, q := range shipped {
		field := fmt.Sprintf("lines[%s]", id)
		l, ok := byID[id]
		switch {
		case !ok:
			f.Add(field+".order_line_id", "is not a line of this order")
		case q <= 0:
			f.Add(field+".quantity", "must be a positive integer")
		case q > l.Quantity-l.ShippedQty:
			f.Add(field+".quantity", fmt.Sprintf("at most %d are still to ship", l.Quantity-l.ShippedQty))
		default:
			l.ShippedQty += q
		}
	}
	return f.Err()
}

// saveShipped writes the shipped quantities of the lines named in shipped.
func saveShipped(ctx context.Context, tx bun.IDB, o *Order, shipped map[uuid.UUID]int64) error {
	for i := range o.Lines {
		if _, ok := shipped[o.Lines[i].ID]; !ok {
			continue
		}
		_, err := tx.NewUpdate().Model(lineRowOf(o.ID, i, &o.Lines[i])).Column("shipped_qty").
			Where("l.id = ?", o.Lines[i].ID).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// shippedStatus is shipped once every stock line has shipped in full.
// Service lines (confirmation settled nothing on them: no reservation, no
// shortfall) never ship, so they do not hold the order back.
func shippedStatus(o Order) Status {
	for _, l := range o.Lines {
		stock := l.ReservedQty+l.ShortfallQty > 0
		if stock && l.ShippedQty < l.Quantity {
			return StatusPartiallyShipped
		}
	}
	return StatusShipped
}
