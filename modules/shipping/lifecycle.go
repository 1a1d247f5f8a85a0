package shipping

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// Pack marks a draft shipment packed.
func (s *Service) Pack(ctx context.Context, id uuid.UUID, note string) (Shipment, error) {
	return s.move(ctx, id, StatusPacked, note, func(_ context.Context, _ bun.IDB, sh *Shipment, t time.Time) error {
		sh.PackedAt = &t
		return nil
	})
}

// Ship sends a packed shipment: every line's units leave stock from the
// order line's reservation (the lots are recorded), and the order learns
// what shipped, all in this one transaction: a line that no longer has its
// units reserved (released by a quality hold or a cancelled order) is a 422
// naming lines[i].quantity, and nothing moves.
func (s *Service) Ship(ctx context.Context, id uuid.UUID, note string) (Shipment, error) {
	return s.move(ctx, id, StatusShipped, note, s.ship)
}

// MarkInTransit records the carrier's first scan of a shipped shipment.
func (s *Service) MarkInTransit(ctx context.Context, id uuid.UUID, note string) (Shipment, error) {
	return s.move(ctx, id, StatusInTransit, note, func(_ context.Context, _ bun.IDB, sh *Shipment, t time.Time) error {
		sh.InTransitAt = &t
		return nil
	})
}

// MarkDelivered records delivery: every line's delivered quantity becomes
// its shipped quantity (returns are how a customer gives units back).
func (s *Service) MarkDelivered(ctx context.Context, id uuid.UUID, note string) (Shipment, error) {
	return s.move(ctx, id, StatusDelivered, note, func(ctx context.Context, tx bun.IDB, sh *Shipment, t time.Time) error {
		sh.DeliveredAt = &t
		for i := range sh.Lines {
			sh.Lines[i].DeliveredQty = sh.Lines[i].Quantity
		}
		_, err := tx.NewUpdate().Model((*lineRow)(nil)).Set("delivered_qty = quantity").Where("l.shipment_id = ?", sh.ID).Exec(ctx)
		return err
	})
}

// Cancel cancels a shipment that has not shipped. Nothing moves in stock:
// the units stay reserved for their order lines, free for another shipment.
func (s *Service) Cancel(ctx context.Context, id uuid.UUID, note string) (Shipment, error) {
	return s.move(ctx, id, StatusCancelled, note, func(_ context.Context, _ bun.IDB, sh *Shipment, t time.Time) error {
		sh.CancelledAt = &t
		return nil
	})
}

// step applies a status change's own effects to a locked shipment at t.
type step func(ctx context.Context, tx bun.IDB, sh *Shipment, t time.Time) error

// move runs one status change in one transaction: lock the shipment, check
// the machine, apply the step, then write the row, timeline event, audit row
// and outbox event.
func (s *Service) move(ctx context.Context, id uuid.UUID, to Status, note string, apply step) (Shipment, error) {
	f := errs.Fields{}
	if checkNote(f, &note); len(f) > 0 {
		return Shipment{}, f.Err()
	}
	var sh Shipment
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if sh, err = loadShipment(ctx, tx, id, true); err != nil {
			return err
		}
		if !CanMove(sh.Status, to) {
			return precondition("status", fmt.Sprintf("a %s shipment cannot become %s", sh.Status, to))
		}
		before := sh
		before.Lines = slices.Clone(sh.Lines)
		t := s.stamp()
		if err := apply(ctx, tx, &sh, t); err != nil {
			return err
		}
		sh.Status, sh.UpdatedAt = to, t
		return s.record(ctx, tx, &before, &sh, "shipment."+string(to), note)
	})
	return sh, err
}

// ship takes each line's units out of stock and records them on the order.
// Lines go in product order, the order inventory asks callers touching
// several products to lock in, so two shipments never deadlock on levels.
func (s *Service) ship(ctx context.Context, tx bun.IDB, sh *Shipment, t time.Time) error {
	o, err := s.orders.Order(ctx, sh.OrderID) // locks the order before any stock level
	if err != nil {
		return err
	}
	if !slices.Contains(orderShippable, o.Status) {
		return precondition("status", "the order is "+o.Status+" and cannot ship")
	}
	idx := make([]int, len(sh.Lines))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return bytes.Compare(sh.Lines[a].ProductID[:], sh.Lines[b].ProductID[:]) })
	shipped := make(map[uuid.UUID]int64, len(sh.Lines))
	for _, i := range idx {
		l := &sh.Lines[i]
		lots, err := s.stock.Ship(ctx, ShipRequest{OrderLineID: l.OrderLineID, ProductID: l.ProductID, Quantity: l.Quantity,
			AccountID: sh.AccountID, ShipmentID: sh.ID})
		if errs.Is(err, errs.FailedPrecondition) {
			return precondition(fmt.Sprintf("lines[%d].quantity", i), "not enough units are reserved for this line: "+errs.FieldReason(err, "quantity"))
		}
		if err != nil {
			return err
		}
		if total(lots) != l.Quantity {
			return errs.E(errs.Internal, "stock shipped %d of %d units", total(lots), l.Quantity)
		}
		if err := insertLots(ctx, tx, l.ID, lots); err != nil {
			return err
		}
		l.Lots, shipped[l.OrderLineID] = lots, l.Quantity
	}
	if err := s.orders.RecordShipped(ctx, sh.OrderID, shipped); err != nil {
		return err
	}
	sh.ShippedAt = &t
	return nil
}

func total(lots []LotQty) int64 {
	var n int64
	for _, l := range lots {
		n += l.Quantity
	}
	return n
}
