package inventory

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// ProduceRequest records a production order's output: a receipt of the
// finished product (into LotCode when it is lot-tracked) linked to the
// component lots consumed for it (the Allocations Consume returned).
type ProduceRequest struct {
	Ref                       Ref
	ProductID, WarehouseID    uuid.UUID
	Quantity                  int64
	LotCode                   string
	ProductionDate, ExpiresOn *time.Time
	Components                []Allocation
}

// LotFilter narrows FindLots; After is the last id of the previous page.
type LotFilter struct {
	ProductID *uuid.UUID
	OnHold    *bool
	Code      string
	Limit     int
	After     *uuid.UUID
}

// HeldRelease is a reservation a hold released: the document that lost it.
type HeldRelease struct {
	Ref      Ref
	Quantity int64
}

// Produce receives the finished product of a production order. Component
// links are recorded only when the finished product is lot-tracked: without
// a lot there is nothing to trace back from.
func (s *Service) Produce(ctx context.Context, in ProduceRequest) (Move, error) {
	f := errs.Fields{}
	checkRef(f, "ref", in.Ref)
	if len(in.Components) > 1000 {
		f.Add("components", "at most 1000")
	}
	if err := f.Err(); err != nil {
		return Move{}, err
	}
	var mv *moveRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		lvl, err := s.receiptLevel(ctx, tx, Receipt{ProductID: in.ProductID, WarehouseID: in.WarehouseID, Quantity: in.Quantity,
			LotCode: in.LotCode, ProductionDate: in.ProductionDate, ExpiresOn: in.ExpiresOn, Ref: in.Ref})
		if err != nil {
			return err
		}
		m := refMove(KindProduce, in.Ref, "")
		m.OnHandDelta = in.Quantity
		if mv, err = s.apply(ctx, tx, lvl, m); err != nil {
			return err
		}
		if lvl.LotID != nil {
			if err := linkComponents(ctx, tx, *lvl.LotID, in.Components); err != nil {
				return err
			}
		}
		return audit(ctx, tx, "stock.produced", "stock_moves", mv.ID, nil, map[string]any{"move": mv.domain(), "components": in.Components})
	})
	if err != nil {
		return Move{}, err
	}
	return mv.domain(), nil
}

// linkComponents records that lot was made from the component lots.
func linkComponents(ctx context.Context, tx bun.IDB, lot uuid.UUID, comps []Allocation) error {
	for _, c := range comps {
		if c.LotID == nil || c.Quantity <= 0 {
			continue // untracked components leave no trace
		}
		if *c.LotID == lot {
			return errs.Field("components", "a lot cannot be its own component")
		}
		if _, err := lotOf(ctx, tx, "components", *c.LotID, uuid.Nil); err != nil {
			return err
		}
		row := &lotComponentRow{LotID: lot, ComponentLotID: *c.LotID, Quantity: c.Quantity}
		_, err := tx.NewInsert().Model(row).On("CONFLICT (tenant_id, lot_id, component_lot_id) DO UPDATE").
			Set("quantity = lc.quantity + EXCLUDED.quantity").Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// GetLot returns one lot; another tenant's id is not found.
func (s *Service) GetLot(ctx context.Context, id uuid.UUID) (Lot, error) {
	var row lotRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("l.id = ?", id).Scan(ctx)
	})
	return row.domain(), err
}

// FindLots lists lots newest first.
func (s *Service) FindLots(ctx context.Context, f LotFilter) ([]Lot, error) {
	var rows []lotRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("l.id DESC").Limit(limit(f.Limit))
		if f.ProductID != nil {
			q.Where("l.product_id = ?", *f.ProductID)
		}
		if f.OnHold != nil {
			q.Where("l.on_hold = ?", *f.OnHold)
		}
		if f.Code != "" {
			q.Where("l.code = ?", f.Code)
		}
		if f.After != nil {
			q.Where("l.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Lot, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, err
}

// Hold puts a lot on quality hold (E9): its stock stays on hand but can no
// longer be reserved or shipped. Open reservations on the lot are released,
// with moves, rather than kept frozen: the orders that held them see the
// shortfall at once and can re-reserve from other lots, instead of waiting
// on stock that may never be released. The documents that lost units are
// returned and carried by the inventory.lot.held event. Holding a held lot
// changes nothing.
func (s *Service) Hold(ctx context.Context, id uuid.UUID, why string) (Lot, []HeldRelease, error) {
	f := errs.Fields{}
	why = reason(f, why, true)
	if err := f.Err(); err != nil {
		return Lot{}, nil, err
	}
	var lot *lotRow
	var released []HeldRelease
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		released = nil
		if lot, err = lotOf(ctx, tx, "", id, uuid.Nil); err != nil || lot.OnHold {
			return err
		}
		before := lot.domain()
		p, ok := tenant.PrincipalFrom(ctx)
		t := now()
		lot.OnHold, lot.HoldReason, lot.HeldAt, lot.HeldBy = true, why, &t, actorID(p, ok)
		if err := setHold(ctx, tx, lot); err != nil {
			return err
		}
		s.cache.invalidate(ctx, lot.ProductID)
		if released, err = s.releaseLot(ctx, tx, lot.ID, "lot on hold: "+why); err != nil {
			return err
		}
		tid, _ := tenant.FromContext(ctx)
		if err := events.Publish(ctx, tx, tid, TopicLotHeld, map[string]any{"lot_id": lot.ID, "product_id": lot.ProductID,
			"code": lot.Code, "reason": why, "released": released}); err != nil {
			return err
		}
		return audit(ctx, tx, "lot.held", "lots", lot.ID, before, lot.domain())
	})
	if err != nil {
		return Lot{}, nil, err
	}
	return lot.domain(), released, nil
}

// ReleaseHold lifts a hold: the lot's stock is available again. Reservations
// the hold released are not restored; their documents re-reserve.
func (s *Service) ReleaseHold(ctx context.Context, id uuid.UUID) (Lot, error) {
	var lot *lotRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if lot, err = lotOf(ctx, tx, "", id, uuid.Nil); err != nil || !lot.OnHold {
			return err
		}
		before := lot.domain()
		lot.OnHold, lot.HoldReason, lot.HeldAt, lot.HeldBy = false, "", nil, nil
		if err := setHold(ctx, tx, lot); err != nil {
			return err
		}
		s.cache.invalidate(ctx, lot.ProductID)
		tid, _ := tenant.FromContext(ctx)
		if err := events.Publish(ctx, tx, tid, TopicLotReleased, map[string]any{"lot_id": lot.ID, "product_id": lot.ProductID, "code": lot.Code}); err != nil {
			return err
		}
		return audit(ctx, tx, "lot.released", "lots", lot.ID, before, lot.domain())
	})
	if err != nil {
		return Lot{}, err
	}
	return lot.domain(), nil
}

// setHold writes the lot's hold and mirrors it onto its levels, which it
// locks first in FEFO order (the order every stock change locks them in).
func setHold(ctx context.Context, tx bun.IDB, lot *lotRow) error {
	if _, err := tx.NewUpdate().Model(lot).Column("on_hold", "hold_reason", "held_at", "held_by").Where("l.id = ?", lot.ID).Exec(ctx); err != nil {
		return err
	}
	var ids []uuid.UUID
	if err := tx.NewSelect().Model((*levelRow)(nil)).Column("sl.id").Apply(fefo).Where("sl.lot_id = ?", lot.ID).Apply(forUpdate).Scan(ctx, &ids); err != nil {
		return err
	}
	_, err := tx.NewUpdate().Model((*levelRow)(nil)).Set("on_hold = ?", lot.OnHold).Set("updated_at = ?", now()).
		Where("sl.lot_id = ?", lot.ID).Exec(ctx)
	return err
}

// releaseLot releases every open reservation on the lot's (locked) levels.
func (s *Service) releaseLot(ctx context.Context, tx bun.IDB, lot uuid.UUID, why string) ([]HeldRelease, error) {
	var levels []levelRow
	if err := tx.NewSelect().Model(&levels).Where("sl.lot_id = ?", lot).Scan(ctx); err != nil {
		return nil, err
	}
	var out []HeldRelease
	for i := range levels {
		var rs []reservationRow
		if err := tx.NewSelect().Model(&rs).Where("r.level_id = ? AND r.status = 'open'", levels[i].ID).Order("r.id").Scan(ctx); err != nil {
			return nil, err
		}
		for j := range rs {
			q := rs[j].open()
			if err := s.releaseAt(ctx, tx, heldReservation{r: &rs[j], lvl: &levels[i]}, q, why); err != nil {
				return nil, err
			}
			out = append(out, HeldRelease{Ref: Ref{Type: rs[j].RefType, ID: rs[j].RefID}, Quantity: q})
		}
	}
	return out, nil
}
