package inventory

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// LevelFilter narrows FindLevels; After is the last id of the previous page.
type LevelFilter struct {
	ProductID, WarehouseID, LotID *uuid.UUID
	Limit                         int
	After                         *uuid.UUID
}

// MoveFilter narrows FindMoves (newest first); After is the last id of the
// previous page.
type MoveFilter struct {
	ProductID, WarehouseID, LotID *uuid.UUID
	Kind                          string
	Ref                           *Ref // Type and, when not uuid.Nil, ID
	Limit                         int
	After                         *uuid.UUID
}

// Reservation is a document's hold on units of one level.
type Reservation struct {
	ID          uuid.UUID
	Ref         Ref
	ProductID   uuid.UUID
	WarehouseID uuid.UUID
	LotID       *uuid.UUID
	Quantity    int64
	Shipped     int64
	Released    int64
	Status      string // open, released, fulfilled
	CreatedAt   time.Time
}

// FindLevels lists stock levels in id order.
func (s *Service) FindLevels(ctx context.Context, f LevelFilter) ([]Level, error) {
	var rows []levelRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(withExpiry).Order("sl.id").Limit(limit(f.Limit))
		eqID(q, "sl.product_id", f.ProductID)
		eqID(q, "sl.warehouse_id", f.WarehouseID)
		eqID(q, "sl.lot_id", f.LotID)
		if f.After != nil {
			q.Where("sl.id > ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Level, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, err
}

// FindMoves lists ledger entries newest first.
func (s *Service) FindMoves(ctx context.Context, f MoveFilter) ([]Move, error) {
	var rows []moveRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("m.id DESC").Limit(limit(f.Limit))
		eqID(q, "m.product_id", f.ProductID)
		eqID(q, "m.warehouse_id", f.WarehouseID)
		eqID(q, "m.lot_id", f.LotID)
		if f.Kind != "" {
			q.Where("m.kind = ?", f.Kind)
		}
		if f.Ref != nil {
			q.Where("m.ref_type = ?", f.Ref.Type)
			if f.Ref.ID != uuid.Nil {
				q.Where("m.ref_id = ?", f.Ref.ID)
			}
		}
		if f.After != nil {
			q.Where("m.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Move, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, err
}

// Reservations lists a document's reservations, oldest first.
func (s *Service) Reservations(ctx context.Context, ref Ref) ([]Reservation, error) {
	var rows []reservationRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&rows).Where("r.ref_type = ? AND r.ref_id = ?", ref.Type, ref.ID).Order("r.id").Limit(1000).Scan(ctx)
	})
	out := make([]Reservation, len(rows))
	for i, r := range rows {
		out[i] = Reservation{ID: r.ID, Ref: Ref{Type: r.RefType, ID: r.RefID}, ProductID: r.ProductID, WarehouseID: r.WarehouseID,
			LotID: r.LotID, Quantity: r.Quantity, Shipped: r.Shipped, Released: r.Released, Status: r.Status, CreatedAt: r.CreatedAt}
	}
	return out, err
}

// Availability sums a product's stock, from the cache when it can. It is
// for display and promises (quotes, the portal); Reserve never trusts it and
// decides under row locks.
func (s *Service) Availability(ctx context.Context, product uuid.UUID) (Availability, error) {
	if tenant.InTx(ctx) {
		// Inside a caller's transaction the cache may not reflect its own
		// uncommitted moves, and what it reads must not be cached.
		return s.availability(ctx, product)
	}
	// The key names the generation read before the database: a write that
	// commits in between moves the generation, so a stale value stored here
	// lands where nobody reads it.
	key := s.cache.key(ctx, product)
	if a, ok := s.cache.get(ctx, key); ok {
		return a, nil
	}
	a, err := s.availability(ctx, product)
	if err == nil {
		s.cache.put(ctx, key, a)
	}
	return a, err
}

func (s *Service) availability(ctx context.Context, product uuid.UUID) (Availability, error) {
	a := Availability{ProductID: product}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var levels []levelRow
		if err := tx.NewSelect().Model(&levels).Apply(withExpiry).Where("sl.product_id = ?", product).Scan(ctx); err != nil {
			return err
		}
		for _, l := range levels {
			a.OnHand += l.OnHand
			a.Reserved += l.Reserved
			a.Available += l.domain().Available()
		}
		return nil
	})
	if err != nil {
		return Availability{}, err
	}
	return a, nil
}

// eqID adds "col = id" when id is set.
func eqID(q *bun.SelectQuery, col string, id *uuid.UUID) {
	if id != nil {
		q.Where("? = ?", bun.Ident(col), *id)
	}
}
