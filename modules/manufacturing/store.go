package manufacturing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

type orderRow struct {
	bun.BaseModel `bun:"table:production_orders,alias:po"`
	tenant.Scoped
	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	Number       string     `bun:"number"`
	ProductID    uuid.UUID  `bun:"product_id,type:uuid"`
	Quantity     int64      `bun:"quantity"`
	WarehouseID  uuid.UUID  `bun:"warehouse_id,type:uuid"`
	Status       string     `bun:"status"`
	PlannedStart time.Time  `bun:"planned_start"`
	DueDate      time.Time  `bun:"due_date"`
	LotID        *uuid.UUID `bun:"lot_id,type:uuid"`
	Notes        string     `bun:"notes"`
	CreatedBy    *uuid.UUID `bun:"created_by,type:uuid"`
	ReleasedAt   *time.Time `bun:"released_at"`
	StartedAt    *time.Time `bun:"started_at"`
	CompletedAt  *time.Time `bun:"completed_at"`
	CancelledAt  *time.Time `bun:"cancelled_at"`
	CreatedAt    time.Time  `bun:"created_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
}

// orderColumns are what a status change writes; keys, number, product and
// quantity never change after creation.
var orderColumns = []string{"status", "planned_start", "due_date", "lot_id", "released_at", "started_at",
	"completed_at", "cancelled_at", "updated_at"}

type componentRow struct {
	bun.BaseModel `bun:"table:production_order_components,alias:pc"`
	tenant.Scoped
	OrderID         uuid.UUID `bun:"production_order_id,pk,type:uuid"`
	ComponentID     uuid.UUID `bun:"component_id,pk,type:uuid"`
	QuantityPerUnit int64     `bun:"quantity_per_unit"`
	Required        int64     `bun:"required_qty"`
	Reserved        int64     `bun:"reserved_qty"`
	Consumed        int64     `bun:"consumed_qty"`
}

type demandRow struct {
	bun.BaseModel `bun:"table:production_order_demands,alias:pd"`
	tenant.Scoped
	OrderID     uuid.UUID `bun:"production_order_id,pk,type:uuid"`
	OrderLineID uuid.UUID `bun:"order_line_id,pk,type:uuid"`
	Quantity    int64     `bun:"quantity"`
}

type historyRow struct {
	bun.BaseModel `bun:"table:production_order_history,alias:ph"`
	tenant.Scoped
	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	OrderID   uuid.UUID  `bun:"production_order_id,type:uuid"`
	From      *string    `bun:"from_status"`
	To        string     `bun:"to_status"`
	At        time.Time  `bun:"at"`
	ChangedBy *uuid.UUID `bun:"changed_by,type:uuid"`
	Note      string     `bun:"note"`
}

// warehouseRef is the part of inventory's warehouses table an order checks
// its warehouse against (modules never import each other; the composite
// foreign key backs the check).
type warehouseRef struct {
	bun.BaseModel `bun:"table:warehouses,alias:w"`
	tenant.Scoped
	ID     uuid.UUID `bun:"id,pk,type:uuid"`
	Active bool      `bun:"active"`
}

// lineLock is the part of sales' order_lines table planning locks and
// re-reads, so two concurrent plans cannot both cover the same shortfall.
type lineLock struct {
	bun.BaseModel `bun:"table:order_lines,alias:ol"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Shortfall int64     `bun:"shortfall_qty"`
	Action    string    `bun:"shortfall_action"`
}

func (r *orderRow) order() Order {
	return Order{ID: r.ID, Number: r.Number, ProductID: r.ProductID, Quantity: r.Quantity, WarehouseID: r.WarehouseID,
		Status: Status(r.Status), PlannedStart: dateOf(r.PlannedStart), DueDate: dateOf(r.DueDate), LotID: r.LotID,
		Notes: r.Notes, CreatedBy: r.CreatedBy, ReleasedAt: utcTime(r.ReleasedAt), StartedAt: utcTime(r.StartedAt),
		CompletedAt: utcTime(r.CompletedAt), CancelledAt: utcTime(r.CancelledAt), CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

func orderRowOf(o *Order) *orderRow {
	return &orderRow{ID: o.ID, Number: o.Number, ProductID: o.ProductID, Quantity: o.Quantity, WarehouseID: o.WarehouseID,
		Status: string(o.Status), PlannedStart: o.PlannedStart, DueDate: o.DueDate, LotID: o.LotID, Notes: o.Notes,
		CreatedBy: o.CreatedBy, ReleasedAt: o.ReleasedAt, StartedAt: o.StartedAt, CompletedAt: o.CompletedAt,
		CancelledAt: o.CancelledAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// dateOf is t's calendar date (UTC) at midnight.
func dateOf(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// forUpdate locks the selected rows until commit on PostgreSQL; SQLite's
// single writer already serialises writing transactions.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// loadOrder reads one order of the bound tenant, optionally locked, with its
// components and demands. Another tenant's id is simply not found (Scoped
// hook and RLS).
func loadOrder(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (Order, error) {
	var r orderRow
	q := tx.NewSelect().Model(&r).Where("po.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return Order{}, errNotFound()
		}
		return Order{}, err
	}
	o := r.order()
	var comps []componentRow
	if err := tx.NewSelect().Model(&comps).Where("pc.production_order_id = ?", id).Order("pc.component_id").Scan(ctx); err != nil {
		return Order{}, err
	}
	o.Components = make([]Component, len(comps))
	for i, c := range comps {
		o.Components[i] = Component{ComponentID: c.ComponentID, QuantityPerUnit: c.QuantityPerUnit, Required: c.Required,
			Reserved: c.Reserved, Consumed: c.Consumed}
	}
	var dems []demandRow
	if err := tx.NewSelect().Model(&dems).Where("pd.production_order_id = ?", id).Order("pd.order_line_id").Scan(ctx); err != nil {
		return Order{}, err
	}
	o.Demands = make([]Demand, len(dems))
	for i, d := range dems {
		o.Demands[i] = Demand{OrderLineID: d.OrderLineID, Quantity: d.Quantity}
	}
	return o, nil
}

// saveComponents replaces the order's component rows with o.Components.
func saveComponents(ctx context.Context, tx bun.IDB, o *Order) error {
	if _, err := tx.NewDelete().Model((*componentRow)(nil)).Where("pc.production_order_id = ?", o.ID).Exec(ctx); err != nil {
		return err
	}
	if len(o.Components) == 0 {
		return nil
	}
	rows := make([]componentRow, len(o.Components))
	for i, c := range o.Components {
		rows[i] = componentRow{OrderID: o.ID, ComponentID: c.ComponentID, QuantityPerUnit: c.QuantityPerUnit,
			Required: c.Required, Reserved: c.Reserved, Consumed: c.Consumed}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// insertDemands writes the order lines o covers.
func insertDemands(ctx context.Context, tx bun.IDB, o *Order) error {
	if len(o.Demands) == 0 {
		return nil
	}
	rows := make([]demandRow, len(o.Demands))
	for i, d := range o.Demands {
		rows[i] = demandRow{OrderID: o.ID, OrderLineID: d.OrderLineID, Quantity: d.Quantity}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// covered sums, per order line, what open production orders already cover.
func covered(ctx context.Context, tx bun.IDB, lines []uuid.UUID) (map[uuid.UUID]int64, error) {
	out := map[uuid.UUID]int64{}
	if len(lines) == 0 {
		return out, nil
	}
	var rows []struct {
		LineID uuid.UUID `bun:"order_line_id"`
		Qty    int64     `bun:"qty"`
	}
	err := tx.NewSelect().Model((*demandRow)(nil)).Apply(tenant.ScopeSelect(ctx)).
		Column("pd.order_line_id").ColumnExpr("SUM(pd.quantity) AS qty").
		Join("JOIN production_orders AS po ON po.tenant_id = pd.tenant_id AND po.id = pd.production_order_id").
		Where("pd.order_line_id IN (?)", bun.In(lines)).
		Where("po.status IN (?)", bun.In(statusStrings(openStatuses))).
		Group("pd.order_line_id").Scan(ctx, &rows)
	for _, r := range rows {
		out[r.LineID] = r.Qty
	}
	return out, err
}

func statusStrings(ss []Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func errNotFound() error { return errs.E(errs.NotFound, "production order not found") }
