package sales

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// RecordInvoiced adds invoiced units (order line id → quantity) to an
// order's lines, inside the caller's transaction (an invoice's): the
// invoice and the order commit or roll back together. Only deliverable
// units can be invoiced (shipped ones, or a confirmed order's service
// lines): a line of another order, a non-positive quantity or more than is
// deliverable and not yet invoiced is refused and nothing changes. An order
// whose every line is invoiced in full moves to invoiced (from shipped, or
// from confirmed for an order of services only), with history; every
// recording writes an audit row.
func (s *Service) RecordInvoiced(ctx context.Context, orderID uuid.UUID, invoiced map[uuid.UUID]int64) error {
	if len(invoiced) == 0 {
		return errs.Field("lines", "name at least one invoiced line")
	}
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		o, err := loadOrder(ctx, tx, orderID, true)
		if err != nil {
			return err
		}
		if !o.confirmed() || o.Status == StatusInvoiced || o.Status == StatusClosed {
			return statusError("a " + string(o.Status) + " order has nothing to invoice")
		}
		before := snapshot(o)
		if err := addInvoiced(&o, invoiced); err != nil {
			return err
		}
		for i := range o.Lines {
			if _, ok := invoiced[o.Lines[i].ID]; !ok {
				continue
			}
			_, err := tx.NewUpdate().Model(lineRowOf(o.ID, i, &o.Lines[i])).Column("invoiced_qty").
				Where("l.id = ?", o.Lines[i].ID).Exec(ctx)
			if err != nil {
				return err
			}
		}
		if fullyInvoiced(o) && CanMove(o.Status, StatusInvoiced) {
			if err := s.history(ctx, tx, o.ID, o.Status, StatusInvoiced, ""); err != nil {
				return err
			}
			o.Status = StatusInvoiced
		}
		o.UpdatedAt = s.stamp()
		return s.save(ctx, tx, &before, &o, "order.invoice_recorded", "")
	})
}

// addInvoiced applies invoiced to o's lines, naming every line at fault.
func addInvoiced(o *Order, invoiced map[uuid.UUID]int64) error {
	f := errs.Fields{}
	byID := make(map[uuid.UUID]*Line, len(o.Lines))
	for i := range o.Lines {
		byID[o.Lines[i].ID] = &o.Lines[i]
	}
	for id, q := range invoiced {
		field := fmt.Sprintf("lines[%s]", id)
		l, ok := byID[id]
		switch {
		case !ok:
			f.Add(field+".order_line_id", "is not a line of this order")
		case q <= 0:
			f.Add(field+".quantity", "must be a positive integer")
		case q > o.Deliverable(*l)-l.InvoicedQty:
			f.Add(field+".quantity", fmt.Sprintf("at most %d delivered units are still to invoice", o.Deliverable(*l)-l.InvoicedQty))
		default:
			l.InvoicedQty += q
		}
	}
	return f.Err()
}

// fullyInvoiced reports every line invoiced in full, services included.
func fullyInvoiced(o Order) bool {
	for _, l := range o.Lines {
		if l.InvoicedQty < l.Quantity {
			return false
		}
	}
	return true
}
