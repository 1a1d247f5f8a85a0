// Package shipping is shipments (E4): goods leaving for a customer against a
// sales order, picked from the order lines' stock reservations, possibly in
// several partial shipments. A shipment is numbered from the tenant's
// "shipment" series and moves draft → packed → shipped → in_transit →
// delivered (a shipment may be delivered without an in-transit scan), or is
// cancelled before it ships. Shipping takes the units out of stock (the lots
// are recorded for traceability) and tells the order what shipped, in the
// shipment's one transaction. Every status change leaves a timeline event,
// an audit row and an outbox event in the same transaction.
//
// The module owns the interfaces it needs from its neighbours (Orders,
// Stock, Numbers); cmd/nexo wires sales, inventory and tenant behind them.
// Quantities are int64 units of the product, never floats.
package shipping

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where a shipment is in its life.
type Status string

// Shipment statuses.
const (
	StatusDraft     Status = "draft"
	StatusPacked    Status = "packed"
	StatusShipped   Status = "shipped"
	StatusInTransit Status = "in_transit"
	StatusDelivered Status = "delivered"
	StatusCancelled Status = "cancelled"
)

// transitions is the status machine as data. Cancelling is possible only
// before shipping, while the goods are still reserved in the warehouse and
// nothing has moved; afterwards the way back is a return.
var transitions = map[Status][]Status{
	StatusDraft:     {StatusPacked, StatusCancelled},
	StatusPacked:    {StatusShipped, StatusCancelled},
	StatusShipped:   {StatusInTransit, StatusDelivered},
	StatusInTransit: {StatusDelivered},
	StatusDelivered: nil,
	StatusCancelled: nil,
}

// Statuses lists every status of the machine, in life order.
func Statuses() []Status {
	return []Status{StatusDraft, StatusPacked, StatusShipped, StatusInTransit, StatusDelivered, StatusCancelled}
}

// Valid reports whether s is a status of the machine.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// CanMove reports whether the machine allows from → to.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// pending reports a shipment whose lines still hold reserved units back
// from other shipments of the order (created, not yet shipped).
func (s Status) pending() bool { return s == StatusDraft || s == StatusPacked }

// TopicStatusChanged is the outbox topic of every status change (creation
// included); the payload is {"shipment_id", "number", "order_id",
// "account_id", "status"}.
const TopicStatusChanged = "shipping.shipment.status_changed"

// OrderLine is what a shipment needs to know of a sales order line.
type OrderLine struct {
	ID         uuid.UUID
	ProductID  uuid.UUID
	Quantity   int64
	ShippedQty int64
}

// Order is what a shipment needs to know of a sales order.
type Order struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	// Status is the sales order status; shipping needs one of confirmed,
	// in_production, ready or partially_shipped.
	Status string
	Lines  []OrderLine
}

// Orders is the sales side (wired to sales.Service). Both methods run inside
// the shipment's transaction (ctx carries it).
type Orders interface {
	// Order returns the order with its lines, locked until the transaction
	// ends, so concurrent shipments of one order queue; an unknown id (or
	// another tenant's) is an errs.NotFound error.
	Order(ctx context.Context, id uuid.UUID) (Order, error)
	// RecordShipped adds shipped units (order line id → quantity) to the
	// order's lines and moves the order to partially_shipped or shipped.
	RecordShipped(ctx context.Context, orderID uuid.UUID, shipped map[uuid.UUID]int64) error
}

// ShipRequest takes Quantity reserved units of an order line out of stock
// for a shipment; the moves name the shipment and the customer account so
// a lot traces forward to who received it.
type ShipRequest struct {
	OrderLineID uuid.UUID // the reservation's document line: inventory Ref{"order_line", id}
	ProductID   uuid.UUID
	Quantity    int64
	AccountID   uuid.UUID
	ShipmentID  uuid.UUID // the moves' document: inventory Ref{"shipment", id}
}

// LotQty is a quantity shipped from one warehouse and lot (LotID nil for a
// product not tracked by lot).
type LotQty struct {
	WarehouseID uuid.UUID
	LotID       *uuid.UUID
	Quantity    int64
}

// Stock is the inventory side (wired to inventory.Service), inside the
// shipment's transaction.
type Stock interface {
	// Reserved is what is still reserved (open) for the order line's product.
	Reserved(ctx context.Context, orderLineID, productID uuid.UUID) (int64, error)
	// Ship takes reserved units out of stock, first-expiry-first-out, and
	// returns where they came from. More than is reserved is an
	// errs.FailedPrecondition error and changes nothing.
	Ship(ctx context.Context, in ShipRequest) ([]LotQty, error)
}

// Numbers allocates document numbers inside the caller's transaction, so a
// rolled-back shipment gives its number back. *tenant.Service implements it.
type Numbers interface {
	NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error)
}

// Shipment is a shipment with its lines (detail reads only).
type Shipment struct {
	ID             uuid.UUID
	Number         string
	OrderID        uuid.UUID
	AccountID      uuid.UUID
	Status         Status
	Carrier        string
	TrackingNumber string
	TrackingURL    string // https only
	CreatedBy      *uuid.UUID
	PackedAt       *time.Time
	ShippedAt      *time.Time
	InTransitAt    *time.Time
	DeliveredAt    *time.Time
	CancelledAt    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Lines          []Line
}

// Line is one order line's quantity in a shipment.
type Line struct {
	ID           uuid.UUID
	OrderLineID  uuid.UUID
	ProductID    uuid.UUID
	Quantity     int64
	DeliveredQty int64    // = Quantity once delivered
	Lots         []LotQty // where the units came from, once shipped
}

// NewLine asks to ship Quantity units of an order line.
type NewLine struct {
	OrderLineID uuid.UUID
	Quantity    int64
}

// NewShipment is a create request. Without Lines, the shipment takes every
// line's reserved units not yet shipped nor in another pending shipment.
type NewShipment struct {
	OrderID        uuid.UUID
	Lines          []NewLine
	Carrier        string
	TrackingNumber string
	TrackingURL    string
}

// Update sets carrier and tracking; nil fields are left alone, "" clears.
type Update struct {
	Carrier        *string
	TrackingNumber *string
	TrackingURL    *string
}

// Filter narrows the shipment list, newest first; After is the cursor (the
// last id of the previous page).
type Filter struct {
	OrderID   *uuid.UUID
	AccountID *uuid.UUID
	Status    Status
	After     *uuid.UUID
	Limit     int
}

// Event is one step of a shipment's timeline.
type Event struct {
	ID     uuid.UUID
	Status Status
	At     time.Time
	By     *uuid.UUID
	Note   string
}
