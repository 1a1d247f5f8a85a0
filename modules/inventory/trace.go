package inventory

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// Trace is a lot's genealogy (E2, F3): backward to the component lots it was
// made from, forward to the lots made from it and to the shipments (and so
// the customers) that received it or any lot made from it.
type Trace struct {
	Lot        Lot
	Components []TraceLot // backward, recursively
	UsedIn     []TraceLot // forward, recursively
	Shipments  []TraceShipment
	Customers  []uuid.UUID // distinct account ids of the shipments
}

// TraceLot is a lot reached by a trace: Via is the lot it links to one step
// closer to the traced lot, Quantity the units of the component in that link.
type TraceLot struct {
	Lot      Lot
	Via      uuid.UUID
	Quantity int64
	Depth    int
}

// TraceShipment is a shipment move of a traced lot.
type TraceShipment struct {
	MoveID    uuid.UUID
	LotID     uuid.UUID
	Ref       Ref
	AccountID *uuid.UUID
	Quantity  int64
	At        time.Time
	// Names for people reading a recall list: the shipment's number and
	// the customer's name (read from their modules' tables).
	Number, AccountName string
}

// Bounds of a trace: a genealogy deeper or wider than this is cut, which
// keeps one request's work bounded whatever the data.
const (
	traceDepth = 20
	traceLots  = 1000
	traceShips = 1000
)

// TraceLot follows lot id both ways; another tenant's id is not found.
func (s *Service) TraceLot(ctx context.Context, id uuid.UUID) (Trace, error) {
	var tr Trace
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		tr = Trace{}
		var root lotRow
		if err := tx.NewSelect().Model(&root).Where("l.id = ?", id).Scan(ctx); err != nil {
			return err
		}
		tr.Lot = root.domain()
		var err error
		if tr.Components, err = walk(ctx, tx, id, false); err != nil {
			return err
		}
		if tr.UsedIn, err = walk(ctx, tx, id, true); err != nil {
			return err
		}
		ids := []uuid.UUID{id}
		for _, l := range tr.UsedIn {
			ids = append(ids, l.Lot.ID)
		}
		if tr.Shipments, tr.Customers, err = shipmentsOf(ctx, tx, ids); err != nil {
			return err
		}
		return nameShipments(ctx, tx, tr.Shipments)
	})
	return tr, err
}

// walk follows lot_components from start: forward to the lots made from it,
// or backward to its components, breadth first, each lot once.
func walk(ctx context.Context, tx bun.IDB, start uuid.UUID, forward bool) ([]TraceLot, error) {
	from, to := "lc.lot_id", "component_lot_id"
	if forward {
		from, to = "lc.component_lot_id", "lot_id"
	}
	seen := map[uuid.UUID]bool{start: true}
	var out []TraceLot
	frontier := []uuid.UUID{start}
	for depth := 1; depth <= traceDepth && len(frontier) > 0 && len(out) < traceLots; depth++ {
		var links []lotComponentRow
		if err := tx.NewSelect().Model(&links).Where(from+" IN (?)", bun.In(frontier)).Order("lc.lot_id", "lc.component_lot_id").Scan(ctx); err != nil {
			return nil, err
		}
		frontier = frontier[:0:0]
		for _, k := range links {
			next, via := k.ComponentLotID, k.LotID
			if to == "lot_id" {
				next, via = k.LotID, k.ComponentLotID
			}
			if seen[next] || len(out) >= traceLots {
				continue
			}
			seen[next] = true
			frontier = append(frontier, next)
			out = append(out, TraceLot{Lot: Lot{ID: next}, Via: via, Quantity: k.Quantity, Depth: depth})
		}
	}
	return out, fillLots(ctx, tx, out)
}

// fillLots loads the lots a walk reached.
func fillLots(ctx context.Context, tx bun.IDB, tl []TraceLot) error {
	if len(tl) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(tl))
	for i := range tl {
		ids[i] = tl[i].Lot.ID
	}
	var rows []lotRow
	if err := tx.NewSelect().Model(&rows).Where("l.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return err
	}
	byID := make(map[uuid.UUID]Lot, len(rows))
	for i := range rows {
		byID[rows[i].ID] = rows[i].domain()
	}
	for i := range tl {
		tl[i].Lot = byID[tl[i].Lot.ID]
	}
	return nil
}

// nameShipments fills the shipments' numbers and customers' names.
func nameShipments(ctx context.Context, tx bun.IDB, ships []TraceShipment) error {
	numbers, accounts := map[uuid.UUID]string{}, map[uuid.UUID]string{}
	var sids, aids []uuid.UUID
	for _, s := range ships {
		if s.Ref.Type == "shipment" {
			sids = append(sids, s.Ref.ID)
		}
		if s.AccountID != nil {
			aids = append(aids, *s.AccountID)
		}
	}
	if err := tenant.Names(ctx, tx, "shipments", "number", sids, numbers); err != nil {
		return err
	}
	if err := tenant.Names(ctx, tx, "accounts", "name", aids, accounts); err != nil {
		return err
	}
	for i, s := range ships {
		ships[i].Number = numbers[s.Ref.ID]
		if s.AccountID != nil {
			ships[i].AccountName = accounts[*s.AccountID]
		}
	}
	return nil
}

// shipmentsOf lists the shipment moves of lots and their distinct customers.
func shipmentsOf(ctx context.Context, tx bun.IDB, lots []uuid.UUID) ([]TraceShipment, []uuid.UUID, error) {
	var moves []moveRow
	err := tx.NewSelect().Model(&moves).Where("m.kind = ?", KindShipment).Where("m.lot_id IN (?)", bun.In(lots)).
		Order("m.id").Limit(traceShips).Scan(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]TraceShipment, len(moves))
	var customers []uuid.UUID
	for i, m := range moves {
		d := m.domain()
		out[i] = TraceShipment{MoveID: m.ID, LotID: *m.LotID, Ref: d.Ref, AccountID: m.AccountID, Quantity: -m.OnHandDelta, At: m.CreatedAt}
		if m.AccountID != nil && !slices.Contains(customers, *m.AccountID) {
			customers = append(customers, *m.AccountID)
		}
	}
	return out, customers, nil
}
