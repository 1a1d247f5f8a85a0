// Package manufacturing is production orders (E5): make a quantity of a
// manufactured product in a warehouse from its bill of materials.
//
//	planned → released → in_progress → completed
//	   └──────────┴────────────┴──→ cancelled
//
// Release reserves every component in the order's warehouse, all or
// nothing: one short component refuses the release (422 naming it) and
// nothing stays reserved, since a half-kitted order cannot start and would
// only hold stock other orders need. Completion consumes the reserved
// components, produces the finished goods (a lot coded with the order
// number when the product is lot-tracked, linked to the consumed component
// lots) and asks sales to reserve them for the order lines waiting for the
// product. Cancelling releases whatever is reserved. Every change writes its
// status history, audit row and (on completion) outbox event in the same
// transaction as the stock it moves.
//
// Orders are created by hand or planned from sales shortfalls: one order per
// product for the shortfall units no planned, released or in-progress order
// covers yet, so planning twice creates nothing new.
//
// The module owns the interfaces it needs (Catalog, Stock, Orders,
// Numbers); cmd/nexo wires catalog, inventory, sales and tenant behind them.
// Quantities are int64 units of the product, never floats.
package manufacturing

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where a production order is in its life.
type Status string

// Production order statuses.
const (
	StatusPlanned    Status = "planned"
	StatusReleased   Status = "released"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
	StatusCancelled  Status = "cancelled"
)

// transitions is the status machine as data: from → the statuses it may move
// to. Nothing is consumed before completion, so every open status can still
// be cancelled by releasing its reservations.
var transitions = map[Status][]Status{
	StatusPlanned:    {StatusReleased, StatusCancelled},
	StatusReleased:   {StatusInProgress, StatusCancelled},
	StatusInProgress: {StatusCompleted, StatusCancelled},
	StatusCompleted:  nil,
	StatusCancelled:  nil,
}

// openStatuses are the statuses whose demands still cover order lines.
var openStatuses = []Status{StatusPlanned, StatusReleased, StatusInProgress}

// Statuses lists every status, in life order.
func Statuses() []Status {
	return []Status{StatusPlanned, StatusReleased, StatusInProgress, StatusCompleted, StatusCancelled}
}

// Valid reports whether s is a status of the machine.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// CanMove reports whether the machine allows from → to.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// TopicCompleted is the outbox topic of a completed production order; the
// payload is {"production_order_id", "number", "product_id", "quantity", "lot_id"}.
const TopicCompleted = "manufacturing.production.completed"

// RefProductionOrder is the Ref type of component reservations and of the
// moves that consume them and produce the finished goods.
const RefProductionOrder = "production_order"

// Product is what a production order needs to know of a catalog product.
type Product struct {
	ID            uuid.UUID
	SKU           string
	Type          string // only "manufactured" products are produced
	Active        bool
	LotTracked    bool
	LeadTimeDays  int
	DailyCapacity int64 // units a day; 0 = unknown
}

// BOMLine is one component: Quantity units per unit of the product.
type BOMLine struct {
	ComponentID uuid.UUID
	SKU         string // for messages
	Quantity    int64
}

// Catalog looks products and bills of materials up; an unknown id (or
// another tenant's) is an errs.NotFound error. Called inside the order's
// transaction.
type Catalog interface {
	Product(ctx context.Context, id uuid.UUID) (Product, error)
	// BOM returns the product's components; none when it has no BOM.
	BOM(ctx context.Context, productID uuid.UUID) ([]BOMLine, error)
}

// Ref names the document a reservation or move is for.
type Ref struct {
	Type string
	ID   uuid.UUID
}

// Allocation is a quantity taken from one warehouse (and lot).
type Allocation struct {
	WarehouseID uuid.UUID
	LotID       *uuid.UUID
	Quantity    int64
}

// Output is the finished goods of a completed order.
type Output struct {
	Ref            Ref
	ProductID      uuid.UUID
	WarehouseID    uuid.UUID
	Quantity       int64
	LotCode        string // "" for a product that is not lot-tracked
	ProductionDate time.Time
	Components     []Allocation // the consumed component lots, for traceability
}

// Stock moves components and finished goods in inventory. Every call joins
// the transaction in ctx, so a failed step rolls the whole change back.
type Stock interface {
	// Reserve reserves up to qty units of product in warehouse for ref and
	// returns how many it got (0..qty).
	Reserve(ctx context.Context, ref Ref, productID, warehouseID uuid.UUID, qty int64) (int64, error)
	// Release releases everything still reserved for ref.
	Release(ctx context.Context, ref Ref) error
	// Consume takes qty reserved units of product for ref out of stock and
	// returns the lots they came from.
	Consume(ctx context.Context, ref Ref, productID uuid.UUID, qty int64) ([]Allocation, error)
	// Produce receives the finished goods and returns their lot (nil for a
	// product that is not lot-tracked).
	Produce(ctx context.Context, out Output) (lotID *uuid.UUID, err error)
}

// Shortfall is a confirmed sales order line waiting for production.
type Shortfall struct {
	OrderID     uuid.UUID
	OrderNumber string
	LineID      uuid.UUID
	ProductID   uuid.UUID
	Quantity    int64
}

// Orders is the sales side: the lines waiting for production and, once
// goods are made, filling them. Both join the transaction in ctx.
type Orders interface {
	// ProductionShortfalls lists every open order line with a shortfall to
	// be covered by production, oldest first.
	ProductionShortfalls(ctx context.Context) ([]Shortfall, error)
	// Replenish reserves newly available stock of product for the order
	// lines waiting for it, oldest order first.
	Replenish(ctx context.Context, productID uuid.UUID) error
}

// Numbers allocates document numbers inside the caller's transaction, so a
// rolled-back order gives its number back. *tenant.Service implements it.
type Numbers interface {
	NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error)
}

// Order is a production order.
type Order struct {
	ID           uuid.UUID
	Number       string
	ProductID    uuid.UUID
	Quantity     int64
	WarehouseID  uuid.UUID
	Status       Status
	PlannedStart time.Time // dates are midnight UTC
	DueDate      time.Time
	LotID        *uuid.UUID // the finished lot, once completed (lot-tracked products)
	Notes        string
	CreatedBy    *uuid.UUID
	ReleasedAt   *time.Time
	StartedAt    *time.Time
	CompletedAt  *time.Time
	CancelledAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Components   []Component // detail reads only
	Demands      []Demand    // detail reads only
}

// Component is one line of the order's bill of materials, as planned or
// released: required = per unit × order quantity.
type Component struct {
	ComponentID     uuid.UUID
	QuantityPerUnit int64
	Required        int64
	Reserved        int64
	Consumed        int64
}

// Demand is a sales order line waiting for this production order.
type Demand struct {
	OrderLineID uuid.UUID
	Quantity    int64
}

// NewOrder is a production order made by hand. WarehouseID may be nil when
// the tenant has exactly one active warehouse; PlannedStart defaults to today.
type NewOrder struct {
	ProductID    uuid.UUID
	Quantity     int64
	WarehouseID  *uuid.UUID
	PlannedStart *time.Time
	Notes        string
}

// Filter narrows the list, newest first; After is the last id seen.
type Filter struct {
	Status    Status
	ProductID *uuid.UUID
	After     *uuid.UUID
	Limit     int
}

// HistoryEntry is one status change; From is empty on creation.
type HistoryEntry struct {
	ID   uuid.UUID
	From Status
	To   Status
	At   time.Time
	By   *uuid.UUID
	Note string
}

// Plan is what PlanFromShortfalls did: the orders it created and the
// products it could not plan (not manufactured, inactive, no BOM).
type Plan struct {
	Created []Order
	Skipped []Skipped
}

// Skipped is a product with shortfalls that cannot be produced, and why.
type Skipped struct {
	ProductID uuid.UUID
	Quantity  int64
	Reason    string
}
