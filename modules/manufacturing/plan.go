package manufacturing

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// demandGroup is one product's uncovered shortfall.
type demandGroup struct {
	product  uuid.UUID
	quantity int64
	demands  []Demand
	orders   []string // order numbers, for the notes
}

// PlanFromShortfalls creates one planned production order per product for
// the production shortfalls of open sales orders that no planned, released
// or in-progress production order covers yet, each naming the order lines
// it covers. Calling it again creates nothing new until a shortfall grows or
// its order is cancelled. warehouseID may be nil when the tenant has exactly
// one active warehouse. Products that cannot be produced (not manufactured,
// inactive, no BOM) are reported in Plan.Skipped and left alone.
func (s *Service) PlanFromShortfalls(ctx context.Context, warehouseID *uuid.UUID) (Plan, error) {
	return s.plan(ctx, warehouseID, nil)
}

// PlanForOrder is PlanFromShortfalls for one sales order's lines only: the
// flow that turns an accepted quote into an order (F1) plans what that
// order lacks, not every other order's shortfall along with it.
func (s *Service) PlanForOrder(ctx context.Context, orderID uuid.UUID, warehouseID *uuid.UUID) (Plan, error) {
	return s.plan(ctx, warehouseID, &orderID)
}

func (s *Service) plan(ctx context.Context, warehouseID, orderID *uuid.UUID) (Plan, error) {
	if warehouseID != nil && *warehouseID == uuid.Nil {
		return Plan{}, errs.Field("warehouse_id", "must be a warehouse id")
	}
	var plan Plan
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		plan = Plan{}
		groups, err := s.uncovered(ctx, tx, orderID)
		if err != nil || len(groups) == 0 {
			return err
		}
		wh, err := s.warehouse(ctx, tx, warehouseID)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if err := s.planGroup(ctx, tx, wh, g, &plan); err != nil {
				return err
			}
		}
		return nil
	})
	return plan, err
}

// planGroup creates the order for one product's shortfall, or records why
// it cannot.
func (s *Service) planGroup(ctx context.Context, tx bun.IDB, wh uuid.UUID, g demandGroup, plan *Plan) error {
	p, bom, err := s.producible(ctx, g.product)
	var o Order
	if err == nil {
		if g.quantity > MaxQuantity {
			err = errs.Field("quantity", "the shortfall is larger than one production order may make")
		} else {
			o, err = s.insert(ctx, tx, spec{product: p, bom: bom, quantity: g.quantity, warehouse: wh, start: s.today(),
				notes: planNotes(g.orders), demands: g.demands})
		}
	}
	var e *errs.Error
	switch {
	case err == nil:
		plan.Created = append(plan.Created, o)
	case errs.Is(err, errs.Invalid) && errors.As(err, &e):
		plan.Skipped = append(plan.Skipped, Skipped{ProductID: g.product, Quantity: g.quantity, Reason: firstReason(e)})
	default:
		return err
	}
	return nil
}

// uncovered groups by product, in the order of their oldest line, the
// production shortfalls no open production order covers. The lines are
// locked and re-read first, so a concurrent plan waits for this one and then
// sees its demands (PostgreSQL; SQLite has one writer).
func (s *Service) uncovered(ctx context.Context, tx bun.IDB, orderID *uuid.UUID) ([]demandGroup, error) {
	short, err := s.orders.ProductionShortfalls(ctx)
	if err != nil {
		return nil, err
	}
	if orderID != nil {
		short = slices.DeleteFunc(short, func(sf Shortfall) bool { return sf.OrderID != *orderID })
	}
	if len(short) == 0 {
		return nil, nil
	}
	ids := make([]uuid.UUID, len(short))
	for i, sf := range short {
		ids[i] = sf.LineID
	}
	slices.SortFunc(ids, compareID)
	var locked []lineLock
	if err := tx.NewSelect().Model(&locked).Where("ol.id IN (?)", bun.In(ids)).Order("ol.id").Apply(forUpdate).Scan(ctx); err != nil {
		return nil, err
	}
	now := map[uuid.UUID]int64{}
	for _, l := range locked {
		if l.Action == "production" {
			now[l.ID] = l.Shortfall
		}
	}
	cov, err := covered(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	return group(short, now, cov), nil
}

// group sums, per product in the order of its oldest line, what each
// line still lacks (its current shortfall less what open orders cover).
func group(short []Shortfall, now, cov map[uuid.UUID]int64) []demandGroup {
	var groups []demandGroup
	at := map[uuid.UUID]int{}
	for _, sf := range short {
		need := now[sf.LineID] - cov[sf.LineID]
		if need <= 0 {
			continue
		}
		i, ok := at[sf.ProductID]
		if !ok {
			i = len(groups)
			at[sf.ProductID] = i
			groups = append(groups, demandGroup{product: sf.ProductID})
		}
		g := &groups[i]
		g.quantity += need
		g.demands = append(g.demands, Demand{OrderLineID: sf.LineID, Quantity: need})
		if !slices.Contains(g.orders, sf.OrderNumber) {
			g.orders = append(g.orders, sf.OrderNumber)
		}
	}
	return groups
}

// planNotes says which sales orders a planned order is for, within MaxNotes.
func planNotes(orders []string) string {
	n := "Planned for sales orders " + strings.Join(orders, ", ")
	if len(n) > MaxNotes {
		n = n[:MaxNotes-3] + "..."
	}
	return n
}

func firstReason(e *errs.Error) string {
	for _, r := range e.Fields {
		return r
	}
	return e.Message
}
