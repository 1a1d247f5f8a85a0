package inventory

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/cache"
	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// Service owns warehouses, lots, levels, moves and reservations. Every
// exported operation runs in one transaction through the tenant-bound DB and
// joins the caller's transaction when ctx carries one (flows compose it).
type Service struct {
	db       *tenant.DB
	products Products
	cache    availCache
	log      *slog.Logger
}

// Options are the optional dependencies of NewService.
type Options struct {
	Cache  cache.Cache // nil: availability is always read from the database
	Logger *slog.Logger
}

// NewService builds the inventory service over the tenant-bound database and
// the catalog's product facts.
func NewService(d *tenant.DB, products Products, opt Options) *Service {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{db: d, products: products, cache: availCache{c: opt.Cache, log: log}, log: log}
}

// stockProduct loads a product that can hold stock, naming field when it
// cannot: unknown (or another tenant's), a service, or inactive when
// incoming is set (receipts and reservations of retired products are refused;
// moving existing stock out is not).
func (s *Service) stockProduct(ctx context.Context, field string, id uuid.UUID, incoming bool) (ProductInfo, error) {
	if id == uuid.Nil {
		return ProductInfo{}, errs.Field(field, "is required")
	}
	p, err := s.products.Product(ctx, id)
	err = db.Translate(err)
	switch {
	case errs.Is(err, errs.NotFound):
		return p, errs.Field(field, "no such product")
	case err != nil:
		return p, err
	case p.Type == "service":
		return p, errs.Field(field, "is a service and holds no stock")
	case incoming && !p.Active:
		return p, errs.Field(field, "is inactive")
	}
	return p, nil
}

// lotOf loads a lot of product (any when uuid.Nil), locked until commit on
// PostgreSQL: the lock orders a hold against receipts into the lot (see
// Hold). An unknown lot names field, or is not_found when field is "" (a
// lot named by the URL).
func lotOf(ctx context.Context, tx bun.IDB, field string, id, product uuid.UUID) (*lotRow, error) {
	var l lotRow
	q := tx.NewSelect().Model(&l).Where("l.id = ?", id)
	if db.DialectOf(tx) == db.Postgres {
		q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) && field != "" {
			return nil, errs.Field(field, "no such lot")
		}
		return nil, err
	}
	if product != uuid.Nil && l.ProductID != product {
		return nil, errs.Field(field, "is a lot of another product")
	}
	return &l, nil
}

// levelKey identifies one level.
type levelKey struct {
	product, warehouse uuid.UUID
	lot                *uuid.UUID
	held               bool // the lot's hold, copied onto a new level
}

// lockLevel returns k's level, creating it empty if needed, locked until
// commit. ON CONFLICT without a target works with the expression index that
// makes a NULL lot one key, on both engines.
func lockLevel(ctx context.Context, tx bun.IDB, k levelKey) (*levelRow, error) {
	ins := &levelRow{ID: newID(), ProductID: k.product, WarehouseID: k.warehouse, LotID: k.lot, OnHold: k.held, UpdatedAt: now()}
	if _, err := tx.NewInsert().Model(ins).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return nil, err
	}
	var l levelRow
	q := tx.NewSelect().Model(&l).Where("sl.product_id = ? AND sl.warehouse_id = ?", k.product, k.warehouse)
	if k.lot == nil {
		q.Where("sl.lot_id IS NULL")
	} else {
		q.Where("sl.lot_id = ?", *k.lot)
	}
	if err := q.Apply(forUpdate).Scan(ctx); err != nil {
		return nil, err
	}
	return &l, nil
}

// apply writes mv to the ledger and its deltas to lvl (locked by the
// caller), with the reservations in also, then schedules the availability
// cache invalidation after commit. The CHECKs on stock_levels refuse any
// result out of bounds.
//
// On PostgreSQL the level update, the reservations and the move go in one
// statement (data-modifying WITH), one round trip instead of two or three;
// SQLite, which has no such statements, runs them one by one. bun runs the
// tenant.Scoped hooks only for a statement's own model, so the WITH parts
// carry their tenant explicitly (and row-level security checks it).
func (s *Service) apply(ctx context.Context, tx bun.IDB, lvl *levelRow, mv moveRow, also ...*reservationRow) (*moveRow, error) {
	mv.ID, mv.CreatedAt = newID(), now()
	mv.ProductID, mv.WarehouseID, mv.LotID = lvl.ProductID, lvl.WarehouseID, lvl.LotID
	mv.UserID = actorID(tenant.PrincipalFrom(ctx))
	lvl.UpdatedAt = mv.CreatedAt
	upd := tx.NewUpdate().Model((*levelRow)(nil)).
		Set("on_hand = on_hand + ?", mv.OnHandDelta).
		Set("reserved = reserved + ?", mv.ReservedDelta).
		Set("quarantined = quarantined + ?", mv.QuarantinedDelta).
		Set("updated_at = ?", lvl.UpdatedAt).
		Where("sl.id = ?", lvl.ID)
	if db.DialectOf(tx) == db.Postgres {
		tid, ok := tenant.FromContext(ctx)
		if !ok {
			return nil, tenant.ErrNoTenant
		}
		q := tx.NewInsert().With("level", upd.Where("sl.tenant_id = ?", tid))
		for i, r := range also {
			r.TenantID = tid
			q = q.With(fmt.Sprintf("reservation%d", i), tx.NewInsert().Model(r))
		}
		if _, err := q.Model(&mv).Exec(ctx); err != nil {
			return nil, err
		}
	} else {
		for _, r := range also {
			if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
				return nil, err
			}
		}
		if _, err := upd.Exec(ctx); err != nil {
			return nil, err
		}
		if _, err := tx.NewInsert().Model(&mv).Exec(ctx); err != nil {
			return nil, err
		}
	}
	lvl.OnHand += mv.OnHandDelta
	lvl.Reserved += mv.ReservedDelta
	lvl.Quarantined += mv.QuarantinedDelta
	s.cache.invalidate(ctx, lvl.ProductID)
	return &mv, nil
}

// refMove fills a move's document reference.
func refMove(kind string, ref Ref, reason string) moveRow {
	mv := moveRow{Kind: kind, RefType: ref.Type, Reason: reason}
	if ref.ID != uuid.Nil {
		id := ref.ID
		mv.RefID = &id
	}
	return mv
}

// audit records one stock change (M6) in the operation's transaction.
func audit(ctx context.Context, tx bun.IDB, action, resource string, id uuid.UUID, before, after any) error {
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: action, Resource: resource, ResourceID: id.String(), Before: before, After: after})
}
