package inventory

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/web"
	"nexo/tenant"
)

// The exports' columns: names first for people, ids last for machines.
var (
	stockCSVHeader = []string{"sku", "product_name", "warehouse_code", "lot_code", "on_hand", "reserved",
		"quarantined", "available", "on_hold", "expired", "updated_at", "product_id", "warehouse_id", "lot_id", "id"}
	movesCSVHeader = []string{"created_at", "kind", "sku", "warehouse_code", "lot_code", "on_hand_delta",
		"reserved_delta", "quarantined_delta", "reason", "ref_type", "ref_id", "account_id", "user_id", "id"}
)

// namer resolves the ids of an export's rows to SKUs, product names,
// warehouse and lot codes, a page at a time, remembering what it has read.
type namer struct{ skus, products, warehouses, lots map[uuid.UUID]string }

func newNamer() *namer {
	return &namer{skus: map[uuid.UUID]string{}, products: map[uuid.UUID]string{}, warehouses: map[uuid.UUID]string{}, lots: map[uuid.UUID]string{}}
}

// load reads the names of the page's ids that are not known yet.
func (n *namer) load(ctx context.Context, tx bun.IDB, products, warehouses []uuid.UUID, lots []*uuid.UUID) error {
	var lids []uuid.UUID
	for _, id := range lots {
		if id != nil {
			lids = append(lids, *id)
		}
	}
	for _, q := range []struct {
		table, col string
		ids        []uuid.UUID
		into       map[uuid.UUID]string
	}{{"products", "sku", products, n.skus}, {"products", "name", products, n.products},
		{"warehouses", "code", warehouses, n.warehouses}, {"lots", "code", lids, n.lots}} {
		if err := tenant.Names(ctx, tx, q.table, q.col, q.ids, q.into); err != nil {
			return err
		}
	}
	return nil
}

func (n *namer) lot(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return n.lots[*id]
}

// exportLevels calls fn for every stock level matching f (ignoring its
// page) in id order, with the names of its product, warehouse and lot,
// inside one transaction.
func (s *Service) exportLevels(ctx context.Context, f LevelFilter, fn func(Level, *namer) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		n := newNamer()
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Level, error) {
			f.After, f.Limit = after, limit
			page, err := s.FindLevels(ctx, f)
			if err != nil {
				return nil, err
			}
			ps, ws, ls := make([]uuid.UUID, len(page)), make([]uuid.UUID, len(page)), make([]*uuid.UUID, len(page))
			for i, l := range page {
				ps[i], ws[i], ls[i] = l.ProductID, l.WarehouseID, l.LotID
			}
			return page, n.load(ctx, tx, ps, ws, ls)
		}, func(l Level) uuid.UUID { return l.ID }, func(l Level) error { return fn(l, n) })
	})
}

// exportMoves calls fn for every ledger entry matching f (ignoring its
// page), newest first, with names, inside one transaction.
func (s *Service) exportMoves(ctx context.Context, f MoveFilter, fn func(Move, *namer) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		n := newNamer()
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Move, error) {
			f.After, f.Limit = after, limit
			page, err := s.FindMoves(ctx, f)
			if err != nil {
				return nil, err
			}
			ps, ws, ls := make([]uuid.UUID, len(page)), make([]uuid.UUID, len(page)), make([]*uuid.UUID, len(page))
			for i, m := range page {
				ps[i], ws[i], ls[i] = m.ProductID, m.WarehouseID, m.LotID
			}
			return page, n.load(ctx, tx, ps, ws, ls)
		}, func(m Move) uuid.UUID { return m.ID }, func(m Move) error { return fn(m, n) })
	})
}

// exportStock answers stock.csv: the stock list's filters, every page.
func (h *Handler) exportStock(c *fiber.Ctx) error {
	f, err := levelFilter(c)
	if err != nil {
		return err
	}
	return web.SendCSV(c, "stock.csv", stockCSVHeader, func(emit func(...string) error) error {
		return h.svc.exportLevels(c.UserContext(), f, func(l Level, n *namer) error {
			return emit(web.Defuse(n.skus[l.ProductID]), web.Defuse(n.products[l.ProductID]), web.Defuse(n.warehouses[l.WarehouseID]), web.Defuse(n.lot(l.LotID)),
				web.Int(l.OnHand), web.Int(l.Reserved), web.Int(l.Quarantined), web.Int(l.Available()),
				strconv.FormatBool(l.OnHold), strconv.FormatBool(l.Expired), web.Instant(&l.UpdatedAt),
				l.ProductID.String(), l.WarehouseID.String(), web.ID(l.LotID), l.ID.String())
		})
	})
}

// exportMoves answers stock-moves.csv: the ledger's filters, every page.
func (h *Handler) exportMoves(c *fiber.Ctx) error {
	f, err := moveFilter(c)
	if err != nil {
		return err
	}
	return web.SendCSV(c, "stock-moves.csv", movesCSVHeader, func(emit func(...string) error) error {
		return h.svc.exportMoves(c.UserContext(), f, func(m Move, n *namer) error {
			var ref *uuid.UUID
			if m.Ref.ID != uuid.Nil {
				ref = &m.Ref.ID
			}
			return emit(web.Instant(&m.CreatedAt), m.Kind, web.Defuse(n.skus[m.ProductID]),
				web.Defuse(n.warehouses[m.WarehouseID]), web.Defuse(n.lot(m.LotID)), web.Int(m.OnHandDelta),
				web.Int(m.ReservedDelta), web.Int(m.QuarantinedDelta), web.Defuse(m.Reason), m.Ref.Type, web.ID(ref),
				web.ID(m.AccountID), web.ID(m.UserID), m.ID.String())
		})
	})
}
