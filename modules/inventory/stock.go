package inventory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
)

// Receipt brings stock into a warehouse (a purchase receipt, a manual
// count-in). A lot-tracked product needs LotCode; the lot is created on its
// first receipt and reused by code afterwards.
type Receipt struct {
	ProductID, WarehouseID    uuid.UUID
	Quantity                  int64
	LotCode                   string
	ProductionDate, ExpiresOn *time.Time
	Reason                    string
	Ref                       Ref // optional: the purchase order line...
}

// Adjustment corrects on-hand stock by ±Quantity with a reason. It never
// takes stock below what is reserved or quarantined.
type Adjustment struct {
	ProductID, WarehouseID uuid.UUID
	LotID                  *uuid.UUID // required iff the product is lot-tracked
	Quantity               int64
	Reason                 string
}

// Return takes units back from a customer: restocked (available again) or
// quarantined (on hand, not available, until ClearQuarantine).
type Return struct {
	ProductID, WarehouseID uuid.UUID
	LotID                  *uuid.UUID
	Quantity               int64
	Disposition            string // Restock or Quarantine
	Reason                 string
	Ref                    Ref
	AccountID              *uuid.UUID
}

// QuarantineClear ends the quarantine of returned units: restocked, or
// scrapped (taken off hand).
type QuarantineClear struct {
	ProductID, WarehouseID uuid.UUID
	LotID                  *uuid.UUID
	Quantity               int64
	Scrap                  bool
	Reason                 string
}

// Receive records a receipt and returns its move.
func (s *Service) Receive(ctx context.Context, in Receipt) (Move, error) {
	var mv *moveRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		lvl, err := s.receiptLevel(ctx, tx, in)
		if err != nil {
			return err
		}
		m := refMove(KindReceipt, in.Ref, in.Reason)
		m.OnHandDelta = in.Quantity
		if mv, err = s.apply(ctx, tx, lvl, m); err != nil {
			return err
		}
		return audit(ctx, tx, "stock.received", "stock_moves", mv.ID, nil, mv.domain())
	})
	if err != nil {
		return Move{}, err
	}
	return mv.domain(), nil
}

// receiptLevel validates a receipt and locks the level it goes to.
func (s *Service) receiptLevel(ctx context.Context, tx bun.IDB, in Receipt) (*levelRow, error) {
	f := errs.Fields{}
	quantity(f, "quantity", in.Quantity, false)
	in.Reason = reason(f, in.Reason, false)
	in.LotCode = strings.TrimSpace(in.LotCode)
	if in.ProductionDate != nil && in.ExpiresOn != nil && in.ExpiresOn.Before(*in.ProductionDate) {
		f.Add("expires_on", "must not be before the production date")
	}
	if !in.Ref.IsZero() {
		checkRef(f, "ref", in.Ref)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p, err := s.stockProduct(ctx, "product_id", in.ProductID, true)
	if err != nil {
		return nil, err
	}
	if err := lotCodeFor(p, in.LotCode); err != nil {
		return nil, err
	}
	if err := warehouseOK(ctx, tx, "warehouse_id", in.WarehouseID, true); err != nil {
		return nil, err
	}
	k := levelKey{product: p.ID, warehouse: in.WarehouseID}
	if p.LotTracked {
		lot, err := ensureLot(ctx, tx, p.ID, in.LotCode, utcDate(in.ProductionDate), utcDate(in.ExpiresOn))
		if err != nil {
			return nil, err
		}
		k.lot, k.held = &lot.ID, lot.OnHold
	}
	return lockLevel(ctx, tx, k)
}

// lotCodeFor enforces "lot iff lot-tracked".
func lotCodeFor(p ProductInfo, code string) error {
	switch {
	case p.LotTracked && code == "":
		return errs.Field("lot_code", "is required for a lot-tracked product")
	case !p.LotTracked && code != "":
		return errs.Field("lot_code", "the product is not lot-tracked")
	case len(code) > 60:
		return errs.Field("lot_code", "must be at most 60 characters")
	}
	return nil
}

// ensureLot returns the product's lot with code, creating it with the dates
// on first receipt; a later receipt naming other dates is refused, since a
// lot's dates drive FEFO and traceability.
func ensureLot(ctx context.Context, tx bun.IDB, product uuid.UUID, code string, made, expires *time.Time) (*lotRow, error) {
	ins := &lotRow{ID: newID(), ProductID: product, Code: code, ProductionDate: made, ExpiresOn: expires, CreatedAt: now()}
	if _, err := tx.NewInsert().Model(ins).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return nil, err
	}
	var id uuid.UUID
	if err := tx.NewSelect().Model((*lotRow)(nil)).Column("id").Where("l.product_id = ? AND l.code = ?", product, code).Scan(ctx, &id); err != nil {
		return nil, err
	}
	lot, err := lotOf(ctx, tx, "lot_code", id, product)
	if err != nil || lot.ID == ins.ID {
		return lot, err
	}
	if made != nil && !sameDate(lot.ProductionDate, made) {
		return nil, errs.Field("production_date", "differs from the existing lot "+code)
	}
	if expires != nil && !sameDate(lot.ExpiresOn, expires) {
		return nil, errs.Field("expires_on", "differs from the existing lot "+code)
	}
	return lot, nil
}

func sameDate(a, b *time.Time) bool {
	a, b = utcDate(a), utcDate(b)
	return a != nil && b != nil && a.Equal(*b)
}

// Adjust records a correction of on-hand stock.
func (s *Service) Adjust(ctx context.Context, in Adjustment) (Move, error) {
	f := errs.Fields{}
	quantity(f, "quantity", in.Quantity, true)
	in.Reason = reason(f, in.Reason, true)
	if err := f.Err(); err != nil {
		return Move{}, err
	}
	var mv *moveRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		lvl, err := s.existingLotLevel(ctx, tx, in.ProductID, in.WarehouseID, in.LotID, in.Quantity > 0)
		if err != nil {
			return err
		}
		if free := lvl.OnHand - lvl.Reserved - lvl.Quarantined; in.Quantity < 0 && -in.Quantity > free {
			return &errs.Error{Code: errs.FailedPrecondition, Message: "stock cannot go below what is reserved or quarantined",
				Fields: map[string]string{"quantity": fmt.Sprintf("at most %d can be taken off (%d on hand, %d reserved, %d quarantined)", free, lvl.OnHand, lvl.Reserved, lvl.Quarantined)}}
		}
		m := refMove(KindAdjustment, Ref{}, in.Reason)
		m.OnHandDelta = in.Quantity
		if mv, err = s.apply(ctx, tx, lvl, m); err != nil {
			return err
		}
		return audit(ctx, tx, "stock.adjusted", "stock_moves", mv.ID, nil, mv.domain())
	})
	if err != nil {
		return Move{}, err
	}
	return mv.domain(), nil
}

// Return records units coming back from a customer.
func (s *Service) Return(ctx context.Context, in Return) (Move, error) {
	f := errs.Fields{}
	quantity(f, "quantity", in.Quantity, false)
	in.Reason = reason(f, in.Reason, false)
	if in.Disposition != Restock && in.Disposition != Quarantine {
		f.Add("disposition", "must be restock or quarantine")
	}
	if !in.Ref.IsZero() {
		checkRef(f, "ref", in.Ref)
	}
	if err := f.Err(); err != nil {
		return Move{}, err
	}
	var mv *moveRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		lvl, err := s.existingLotLevel(ctx, tx, in.ProductID, in.WarehouseID, in.LotID, true)
		if err != nil {
			return err
		}
		m := refMove(KindReturn, in.Ref, in.Reason)
		m.OnHandDelta, m.AccountID = in.Quantity, in.AccountID
		if in.Disposition == Quarantine {
			m.QuarantinedDelta = in.Quantity
		}
		if mv, err = s.apply(ctx, tx, lvl, m); err != nil {
			return err
		}
		return audit(ctx, tx, "stock.returned", "stock_moves", mv.ID, nil, mv.domain())
	})
	if err != nil {
		return Move{}, err
	}
	return mv.domain(), nil
}

// ClearQuarantine restocks or scraps quarantined units.
func (s *Service) ClearQuarantine(ctx context.Context, in QuarantineClear) (Move, error) {
	f := errs.Fields{}
	quantity(f, "quantity", in.Quantity, false)
	in.Reason = reason(f, in.Reason, true)
	if err := f.Err(); err != nil {
		return Move{}, err
	}
	var mv *moveRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		lvl, err := s.existingLotLevel(ctx, tx, in.ProductID, in.WarehouseID, in.LotID, false)
		if err != nil {
			return err
		}
		if in.Quantity > lvl.Quarantined {
			return &errs.Error{Code: errs.FailedPrecondition, Message: "not that many units are quarantined",
				Fields: map[string]string{"quantity": fmt.Sprintf("at most %d", lvl.Quarantined)}}
		}
		m := refMove(KindAdjustment, Ref{}, in.Reason)
		m.QuarantinedDelta = -in.Quantity
		if in.Scrap {
			m.OnHandDelta = -in.Quantity
		}
		if mv, err = s.apply(ctx, tx, lvl, m); err != nil {
			return err
		}
		return audit(ctx, tx, "stock.quarantine_cleared", "stock_moves", mv.ID, nil, mv.domain())
	})
	if err != nil {
		return Move{}, err
	}
	return mv.domain(), nil
}

// existingLotLevel validates product, warehouse and (existing) lot of an
// operation on stock and locks the level; incoming refuses inactive
// warehouses.
func (s *Service) existingLotLevel(ctx context.Context, tx bun.IDB, product, warehouse uuid.UUID, lotID *uuid.UUID, incoming bool) (*levelRow, error) {
	p, err := s.stockProduct(ctx, "product_id", product, false)
	if err != nil {
		return nil, err
	}
	switch {
	case p.LotTracked && lotID == nil:
		return nil, errs.Field("lot_id", "is required for a lot-tracked product")
	case !p.LotTracked && lotID != nil:
		return nil, errs.Field("lot_id", "the product is not lot-tracked")
	}
	if err := warehouseOK(ctx, tx, "warehouse_id", warehouse, incoming); err != nil {
		return nil, err
	}
	k := levelKey{product: product, warehouse: warehouse}
	if lotID != nil {
		lot, err := lotOf(ctx, tx, "lot_id", *lotID, product)
		if err != nil {
			return nil, err
		}
		k.lot, k.held = &lot.ID, lot.OnHold
	}
	return lockLevel(ctx, tx, k)
}

// warehouseOK checks the warehouse exists for the tenant (and is active
// when stock comes in).
func warehouseOK(ctx context.Context, tx bun.IDB, field string, id uuid.UUID, mustBeActive bool) error {
	if id == uuid.Nil {
		return errs.Field(field, "is required")
	}
	var w warehouseRow
	err := tx.NewSelect().Model(&w).Column("active").Where("w.id = ?", id).Scan(ctx)
	if errs.Is(db.Translate(err), errs.NotFound) {
		return errs.Field(field, "no such warehouse")
	}
	if err == nil && mustBeActive && !w.Active {
		return errs.Field(field, "is inactive")
	}
	return err
}

// quantity checks a quantity: positive (or non-zero when signed), bounded.
func quantity(f errs.Fields, field string, q int64, signed bool) {
	switch {
	case signed && q == 0:
		f.Add(field, "must be a non-zero integer")
	case !signed && q <= 0:
		f.Add(field, "must be a positive integer")
	case q > maxQuantity || q < -maxQuantity:
		f.Add(field, fmt.Sprintf("must be at most %d in size", int64(maxQuantity)))
	}
}

// reason trims a move's reason, required for manual corrections (who/why).
func reason(f errs.Fields, r string, required bool) string {
	r = strings.TrimSpace(r)
	if required && r == "" {
		f.Add("reason", "is required")
	}
	if len(r) > 500 {
		f.Add("reason", "must be at most 500 characters")
	}
	return r
}
