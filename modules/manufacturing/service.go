package manufacturing

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// Bounds on input. MaxComponentQty keeps per-unit × quantity inside what
// inventory accepts in one operation (and far inside int64).
const (
	MaxQuantity     = 1_000_000_000
	MaxComponentQty = 1_000_000_000_000
	MaxNotes        = 4000
	// maxDays caps a production run (a billion units at one a day) so a due
	// date stays a storable date.
	maxDays = 36_500
)

// Service owns the production order rules and transactions.
type Service struct {
	db      *tenant.DB
	catalog Catalog
	stock   Stock
	orders  Orders
	numbers Numbers
	now     func() time.Time
}

// Options are the Service's optional dependencies.
type Options struct {
	// Now is the clock dates are computed from (tests inject one); nil means
	// time.Now.
	Now func() time.Time
}

// NewService returns the manufacturing service over d and its neighbours.
func NewService(d *tenant.DB, catalog Catalog, stock Stock, orders Orders, numbers Numbers, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{db: d, catalog: catalog, stock: stock, orders: orders, numbers: numbers, now: opt.Now}
}

// spec is a production order about to be created.
type spec struct {
	product   Product
	bom       []BOMLine
	quantity  int64
	warehouse uuid.UUID
	start     time.Time
	notes     string
	demands   []Demand
}

// Create adds a planned production order made by hand, numbered from the
// tenant's "production_order" series in the same transaction.
func (s *Service) Create(ctx context.Context, in NewOrder) (Order, error) {
	if err := in.check(); err != nil {
		return Order{}, err
	}
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		p, bom, err := s.producible(ctx, in.ProductID)
		if err != nil {
			return err
		}
		wh, err := s.warehouse(ctx, tx, in.WarehouseID)
		if err != nil {
			return err
		}
		start := s.today()
		if in.PlannedStart != nil {
			start = dateOf(*in.PlannedStart)
		}
		o, err = s.insert(ctx, tx, spec{product: p, bom: bom, quantity: in.Quantity, warehouse: wh, start: start, notes: in.Notes})
		return err
	})
	return o, err
}

// Get returns one order with its components and demands.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Order, error) {
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		o, err = loadOrder(ctx, tx, id, false)
		return err
	})
	return o, err
}

// Find lists orders matching f, newest first, without components or demands.
func (s *Service) Find(ctx context.Context, f Filter) ([]Order, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var rows []orderRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("po.id DESC").Limit(int64(f.Limit))
		if f.Status != "" {
			q.Where("po.status = ?", string(f.Status))
		}
		if f.ProductID != nil {
			q.Where("po.product_id = ?", *f.ProductID)
		}
		if f.After != nil {
			q.Where("po.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Order, len(rows))
	for i := range rows {
		out[i] = rows[i].order()
	}
	return out, err
}

// History returns an order's status changes, oldest first.
func (s *Service) History(ctx context.Context, id uuid.UUID) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := loadOrder(ctx, tx, id, false); err != nil {
			return err
		}
		var rows []historyRow
		if err := tx.NewSelect().Model(&rows).Where("ph.production_order_id = ?", id).OrderExpr("ph.id").Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			e := HistoryEntry{ID: r.ID, To: Status(r.To), At: r.At.UTC(), By: r.ChangedBy, Note: r.Note}
			if r.From != nil {
				e.From = Status(*r.From)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// insert numbers and writes a planned order with its components, demands,
// history and audit rows.
func (s *Service) insert(ctx context.Context, tx bun.IDB, sp spec) (Order, error) {
	t := s.stamp()
	o := Order{ID: newID(), ProductID: sp.product.ID, Quantity: sp.quantity, WarehouseID: sp.warehouse,
		Status: StatusPlanned, PlannedStart: sp.start, DueDate: dueDate(sp.start, sp.product, sp.quantity),
		Notes: sp.notes, CreatedAt: t, UpdatedAt: t, Demands: sp.demands}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		o.CreatedBy = &p.ID
	}
	var err error
	if o.Components, err = components(sp.bom, sp.quantity); err != nil {
		return Order{}, err
	}
	if o.Number, err = s.numbers.NextNumber(ctx, tx, "production_order"); err != nil {
		return Order{}, err
	}
	if _, err := tx.NewInsert().Model(orderRowOf(&o)).Exec(ctx); err != nil {
		return Order{}, err
	}
	if err := saveComponents(ctx, tx, &o); err != nil {
		return Order{}, err
	}
	if err := insertDemands(ctx, tx, &o); err != nil {
		return Order{}, err
	}
	if err := s.history(ctx, tx, o.ID, "", o.Status, ""); err != nil {
		return Order{}, err
	}
	return o, tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "production_order.created", Resource: "production_orders",
		ResourceID: o.ID.String(), After: o})
}

// producible returns a product that can be produced, with its BOM, or an
// error naming product_id.
func (s *Service) producible(ctx context.Context, id uuid.UUID) (Product, []BOMLine, error) {
	p, err := s.catalog.Product(ctx, id)
	switch {
	case errs.Is(err, errs.NotFound):
		return Product{}, nil, errs.Field("product_id", "no such product")
	case err != nil:
		return Product{}, nil, err
	}
	if reason := unproducible(p); reason != "" {
		return Product{}, nil, errs.Field("product_id", reason)
	}
	bom, err := s.catalog.BOM(ctx, id)
	if err != nil {
		return Product{}, nil, err
	}
	if len(bom) == 0 {
		return Product{}, nil, errs.Field("product_id", "the product has no bill of materials")
	}
	return p, bom, nil
}

// unproducible says why p cannot be produced, or "".
func unproducible(p Product) string {
	switch {
	case p.Type != "manufactured":
		return "the product is not manufactured"
	case !p.Active:
		return "the product is inactive"
	}
	return ""
}

// warehouse returns the order's warehouse: the named one, which must be an
// active warehouse of the tenant, or the tenant's only active warehouse.
func (s *Service) warehouse(ctx context.Context, tx bun.IDB, id *uuid.UUID) (uuid.UUID, error) {
	if id != nil {
		var w warehouseRef
		err := tx.NewSelect().Model(&w).Where("w.id = ?", *id).Scan(ctx)
		switch {
		case errs.Is(db.Translate(err), errs.NotFound):
			return uuid.Nil, errs.Field("warehouse_id", "no such warehouse")
		case err != nil:
			return uuid.Nil, err
		case !w.Active:
			return uuid.Nil, errs.Field("warehouse_id", "the warehouse is inactive")
		}
		return w.ID, nil
	}
	var ws []warehouseRef
	if err := tx.NewSelect().Model(&ws).Where("w.active").Limit(2).Scan(ctx); err != nil {
		return uuid.Nil, err
	}
	if len(ws) != 1 {
		return uuid.Nil, errs.Field("warehouse_id", "is required unless the company has exactly one active warehouse")
	}
	return ws[0].ID, nil
}

// components expands a BOM for qty units, sorted by component id: the order
// inventory wants several products locked in.
func components(bom []BOMLine, qty int64) ([]Component, error) {
	out := make([]Component, 0, len(bom))
	for _, l := range bom {
		if l.Quantity <= 0 || l.Quantity > MaxComponentQty/qty {
			return nil, errs.Field("quantity", fmt.Sprintf("needs too many units of component %s", l.SKU))
		}
		out = append(out, Component{ComponentID: l.ComponentID, QuantityPerUnit: l.Quantity, Required: l.Quantity * qty})
	}
	slices.SortFunc(out, func(a, b Component) int { return compareID(a.ComponentID, b.ComponentID) })
	return out, nil
}

// dueDate is start plus the days the product's capacity needs for qty
// (⌈qty ÷ daily capacity⌉), or plus its lead time when the capacity is
// unknown.
func dueDate(start time.Time, p Product, qty int64) time.Time {
	days := int64(p.LeadTimeDays)
	if p.DailyCapacity > 0 {
		days = (qty + p.DailyCapacity - 1) / p.DailyCapacity
	}
	return start.AddDate(0, 0, int(min(max(days, 0), maxDays)))
}

// history records one status change by the calling principal.
func (s *Service) history(ctx context.Context, tx bun.IDB, id uuid.UUID, from, to Status, note string) error {
	r := &historyRow{ID: newID(), OrderID: id, To: string(to), At: s.stamp(), Note: note}
	if from != "" {
		f := string(from)
		r.From = &f
	}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		r.ChangedBy = &p.ID
	}
	_, err := tx.NewInsert().Model(r).Exec(ctx)
	return err
}

// stamp is the current time as stored (UTC, microseconds).
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the clock's calendar date (UTC).
func (s *Service) today() time.Time { return dateOf(s.now()) }

func compareID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
