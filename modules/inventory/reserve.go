package inventory

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// ReserveRequest asks to hold Quantity units of a product for a document
// line, in one warehouse or (WarehouseID nil) in any.
type ReserveRequest struct {
	Ref         Ref
	ProductID   uuid.UUID
	WarehouseID *uuid.UUID
	Quantity    int64
}

// Reserved is what a Reserve got: Quantity may be less than requested (down
// to 0), so the caller sees the shortfall and can plan production or a
// purchase for it.
type Reserved struct {
	Requested   int64
	Quantity    int64
	Allocations []Allocation
}

// Shortfall is what could not be reserved.
func (r Reserved) Shortfall() int64 { return r.Requested - r.Quantity }

// ReleaseRequest gives back a document's reservations: of one product (or
// every product when ProductID is uuid.Nil), Quantity units (0: all).
type ReleaseRequest struct {
	Ref       Ref
	ProductID uuid.UUID
	Quantity  int64
	Reason    string
}

// ShipRequest takes reserved units of a document line out of stock to a
// customer. The moves carry Shipment (or, when zero, Ref) and AccountID, so
// a lot traces forward to the customers who received it.
type ShipRequest struct {
	Ref       Ref
	ProductID uuid.UUID
	Quantity  int64
	AccountID *uuid.UUID
	Shipment  Ref
}

// ConsumeRequest takes reserved components of a production order out of stock.
type ConsumeRequest struct {
	Ref       Ref
	ProductID uuid.UUID
	Quantity  int64
}

// Reserve holds up to in.Quantity available units, first-expiry-first-out
// by lot, skipping held and expired lots, and returns what it got. The
// levels are locked in FEFO order, re-checked under the lock by PostgreSQL,
// so concurrent reservations never take the same unit (M1).
func (s *Service) Reserve(ctx context.Context, in ReserveRequest) (Reserved, error) {
	f := errs.Fields{}
	checkRef(f, "ref", in.Ref)
	quantity(f, "quantity", in.Quantity, false)
	if err := f.Err(); err != nil {
		return Reserved{}, err
	}
	out := Reserved{Requested: in.Quantity}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		out = Reserved{Requested: in.Quantity}
		if _, err := s.stockProduct(ctx, "product_id", in.ProductID, true); err != nil {
			return err
		}
		if in.WarehouseID != nil {
			if err := warehouseOK(ctx, tx, "warehouse_id", *in.WarehouseID, false); err != nil {
				return err
			}
		}
		levels, err := reservableLevels(ctx, tx, in.ProductID, in.WarehouseID)
		if err != nil {
			return err
		}
		for i := range levels {
			if out.Quantity == in.Quantity {
				break
			}
			q := min(levels[i].domain().Available(), in.Quantity-out.Quantity)
			if err := s.reserveAt(ctx, tx, &levels[i], in.Ref, q); err != nil {
				return err
			}
			out.Quantity += q
			out.Allocations = append(out.Allocations, Allocation{WarehouseID: levels[i].WarehouseID, LotID: levels[i].LotID, Quantity: q})
		}
		if out.Quantity == 0 {
			return nil // nothing changed, nothing to audit
		}
		return audit(ctx, tx, "stock.reserved", "reservations", in.Ref.ID, nil, map[string]any{"ref_type": in.Ref.Type, "product_id": in.ProductID, "reserved": out})
	})
	return out, err
}

// reservableLevels locks the product's levels with available stock, in FEFO
// order. The WHERE is re-evaluated on the newest row version after a lock
// wait (PostgreSQL, READ COMMITTED), so a level emptied or held meanwhile
// drops out.
func reservableLevels(ctx context.Context, tx bun.IDB, product uuid.UUID, warehouse *uuid.UUID) ([]levelRow, error) {
	var levels []levelRow
	q := tx.NewSelect().Model(&levels).Apply(fefo).
		Where("sl.product_id = ?", product).
		Where("NOT sl.on_hold").
		Where("sl.on_hand - sl.reserved - sl.quarantined > 0").
		Where("(l.expires_on IS NULL OR l.expires_on >= ?)", today())
	if warehouse != nil {
		q.Where("sl.warehouse_id = ?", *warehouse)
	}
	return levels, q.Apply(forUpdate).Scan(ctx)
}

// reserveAt reserves q units of a locked level for ref.
func (s *Service) reserveAt(ctx context.Context, tx bun.IDB, lvl *levelRow, ref Ref, q int64) error {
	t := now()
	r := &reservationRow{ID: newID(), RefType: ref.Type, RefID: ref.ID, LevelID: lvl.ID, ProductID: lvl.ProductID,
		WarehouseID: lvl.WarehouseID, LotID: lvl.LotID, Quantity: q, Status: "open", CreatedAt: t, UpdatedAt: t}
	m := refMove(KindReserve, ref, "")
	m.ReservedDelta = q
	_, err := s.apply(ctx, tx, lvl, m, r)
	return err
}

// Release gives back reserved units (an order line cancelled or reduced, a
// production order cancelled) and returns how many were released. Later
// expiring lots are released first, so what stays reserved is the oldest.
func (s *Service) Release(ctx context.Context, in ReleaseRequest) (int64, error) {
	f := errs.Fields{}
	checkRef(f, "ref", in.Ref)
	if in.Quantity < 0 || in.Quantity > maxQuantity {
		f.Add("quantity", "must be 0 (everything) or a positive integer")
	}
	in.Reason = reason(f, in.Reason, false)
	if err := f.Err(); err != nil {
		return 0, err
	}
	var released int64
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		released = 0
		held, err := lockReserved(ctx, tx, in.Ref, in.ProductID)
		if err != nil {
			return err
		}
		for i := len(held) - 1; i >= 0; i-- {
			want := held[i].r.open()
			if in.Quantity > 0 {
				want = min(want, in.Quantity-released)
			}
			if want == 0 {
				continue
			}
			if err := s.releaseAt(ctx, tx, held[i], want, in.Reason); err != nil {
				return err
			}
			released += want
		}
		if released == 0 {
			return nil
		}
		return audit(ctx, tx, "stock.released", "reservations", in.Ref.ID, nil, map[string]any{"ref_type": in.Ref.Type, "product_id": in.ProductID, "released": released})
	})
	return released, err
}

// releaseAt releases q units of one reservation at its locked level.
func (s *Service) releaseAt(ctx context.Context, tx bun.IDB, h heldReservation, q int64, why string) error {
	if err := settle(ctx, tx, h.r, 0, q); err != nil {
		return err
	}
	m := refMove(KindRelease, Ref{Type: h.r.RefType, ID: h.r.RefID}, why)
	m.ReservedDelta = -q
	_, err := s.apply(ctx, tx, h.lvl, m)
	return err
}

// Ship takes reserved units out of stock for a customer and returns the lots
// shipped. Shipping more than is reserved for the line is refused (422) and
// changes nothing.
func (s *Service) Ship(ctx context.Context, in ShipRequest) ([]Allocation, error) {
	doc := in.Shipment
	if doc.IsZero() {
		doc = in.Ref
	}
	return s.takeReserved(ctx, KindShipment, in.Ref, in.ProductID, in.Quantity, doc, in.AccountID)
}

// Consume takes reserved components of a production order out of stock and
// returns the lots consumed (pass them to Produce to link the finished lot).
func (s *Service) Consume(ctx context.Context, in ConsumeRequest) ([]Allocation, error) {
	return s.takeReserved(ctx, KindConsume, in.Ref, in.ProductID, in.Quantity, in.Ref, nil)
}

// takeReserved moves q reserved units of ref's product out of stock, FEFO.
func (s *Service) takeReserved(ctx context.Context, kind string, ref Ref, product uuid.UUID, q int64, doc Ref, account *uuid.UUID) ([]Allocation, error) {
	f := errs.Fields{}
	checkRef(f, "ref", ref)
	quantity(f, "quantity", q, false)
	if product == uuid.Nil {
		f.Add("product_id", "is required")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []Allocation
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		out = nil
		held, err := lockReserved(ctx, tx, ref, product)
		if err != nil {
			return err
		}
		var open int64
		for _, h := range held {
			open += h.r.open()
		}
		if q > open {
			return &errs.Error{Code: errs.FailedPrecondition, Message: "cannot take more than is reserved",
				Fields: map[string]string{"quantity": fmt.Sprintf("at most %d reserved", open)}}
		}
		if out, err = s.takeFrom(ctx, tx, held, kind, q, doc, account); err != nil {
			return err
		}
		return audit(ctx, tx, "stock."+kind, "stock_moves", doc.ID, nil, map[string]any{"ref_type": ref.Type, "ref_id": ref.ID, "product_id": product, "taken": out})
	})
	return out, err
}

// takeFrom consumes q units from the held reservations in FEFO order.
func (s *Service) takeFrom(ctx context.Context, tx bun.IDB, held []heldReservation, kind string, q int64, doc Ref, account *uuid.UUID) ([]Allocation, error) {
	var out []Allocation
	for _, h := range held {
		n := min(h.r.open(), q)
		if n == 0 {
			continue
		}
		if err := settle(ctx, tx, h.r, n, 0); err != nil {
			return nil, err
		}
		m := refMove(kind, doc, "")
		m.OnHandDelta, m.ReservedDelta, m.AccountID = -n, -n, account
		if _, err := s.apply(ctx, tx, h.lvl, m); err != nil {
			return nil, err
		}
		out = append(out, Allocation{WarehouseID: h.lvl.WarehouseID, LotID: h.lvl.LotID, Quantity: n})
		q -= n
	}
	return out, nil
}

// heldReservation is an open reservation with its level locked.
type heldReservation struct {
	r   *reservationRow
	lvl *levelRow
}

// lockReserved locks the levels of ref's open reservations (of product, or
// all when uuid.Nil) in FEFO order, the same order Reserve locks them in,
// then reads the reservations: a reservation only changes under its level's
// lock, so they are stable from here on.
func lockReserved(ctx context.Context, tx bun.IDB, ref Ref, product uuid.UUID) ([]heldReservation, error) {
	scope := func(q *bun.SelectQuery) *bun.SelectQuery {
		q.Where("r.ref_type = ? AND r.ref_id = ? AND r.status = 'open'", ref.Type, ref.ID)
		if product != uuid.Nil {
			q.Where("r.product_id = ?", product)
		}
		return q
	}
	var ids []uuid.UUID
	if err := tx.NewSelect().Model((*reservationRow)(nil)).Column("level_id").Apply(scope).Scan(ctx, &ids); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var levels []levelRow
	if err := tx.NewSelect().Model(&levels).Apply(fefo).Where("sl.id IN (?)", bun.In(ids)).Apply(forUpdate).Scan(ctx); err != nil {
		return nil, err
	}
	var rs []reservationRow
	if err := tx.NewSelect().Model(&rs).Apply(scope).Order("r.id").Scan(ctx); err != nil {
		return nil, err
	}
	var out []heldReservation
	for i := range levels {
		for j := range rs {
			if rs[j].LevelID == levels[i].ID {
				out = append(out, heldReservation{r: &rs[j], lvl: &levels[i]})
			}
		}
	}
	return out, nil
}

// settle records shipped and released units on a reservation; it is
// fulfilled or released once nothing is open.
func settle(ctx context.Context, tx bun.IDB, r *reservationRow, shipped, released int64) error {
	r.Shipped += shipped
	r.Released += released
	if r.open() == 0 {
		r.Status = "fulfilled"
		if r.Shipped == 0 {
			r.Status = "released"
		}
	}
	r.UpdatedAt = now()
	_, err := tx.NewUpdate().Model(r).Column("shipped", "released", "status", "updated_at").Where("r.id = ?", r.ID).Exec(ctx)
	return err
}
