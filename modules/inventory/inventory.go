// Package inventory is Nexo's stock (E2) and quality hold (E9): warehouses,
// lots with the component lots they were made from, stock levels per
// product × warehouse × lot, an append-only ledger of moves whose sums are
// the levels, and reservations for document lines (order lines, production
// orders) picked first-expiry-first-out.
//
// The rules every operation keeps, in one transaction with its audit row:
//
//	on_hand     = Σ on-hand deltas of the level's moves
//	reserved    = Σ open quantities of the level's reservations (= Σ reserved deltas)
//	quarantined = Σ quarantine deltas (returned units not fit to sell yet)
//	0 ≤ reserved + quarantined ≤ on_hand;  available = on_hand − reserved − quarantined
//
// and a held lot's stock counts as on hand but is never available. The
// database CHECKs the bounds, so even a bug cannot commit an oversell.
//
// Concurrency (M1): every change locks the stock_levels rows it touches
// (SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer) in one order,
// first-expiry-first-out with the level id last, so two reservations never
// wait on each other in a cycle. Callers that touch several products in one
// transaction (an order's lines, a production order's components) should go
// through them sorted by product id for the same reason; PostgreSQL breaks
// any remaining deadlock and the loser gets a retryable 409.
package inventory

import (
	"context"
	"time"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// ProductInfo is what inventory needs to know about a product.
type ProductInfo struct {
	ID         uuid.UUID
	Type       string // stocked, service, manufactured, purchased
	LotTracked bool
	Active     bool
}

// Products answers for the catalog (wired to catalog.Service): Product
// returns a not_found error for an id the bound tenant does not have.
type Products interface {
	Product(ctx context.Context, id uuid.UUID) (ProductInfo, error)
}

// Move kinds, as stored in stock_moves.kind.
const (
	KindReceipt    = "receipt"
	KindAdjustment = "adjustment"
	KindReserve    = "reservation"
	KindRelease    = "release"
	KindShipment   = "shipment"
	KindConsume    = "production_consume"
	KindProduce    = "production_produce"
	KindReturn     = "return"
)

// Return dispositions.
const (
	Restock    = "restock"
	Quarantine = "quarantine"
)

// Topics of the outbox events inventory publishes.
const (
	TopicLotHeld     = "inventory.lot.held"
	TopicLotReleased = "inventory.lot.released"
)

// Warehouse is a place that holds stock.
type Warehouse struct {
	ID        uuid.UUID
	Code      string
	Name      string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewWarehouse creates a warehouse.
type NewWarehouse struct {
	Code, Name string
}

// WarehouseUpdate changes the fields that are set.
type WarehouseUpdate struct {
	Name   *string
	Active *bool
}

// Lot is a batch of one product with its dates and quality hold.
type Lot struct {
	ID             uuid.UUID
	ProductID      uuid.UUID
	Code           string
	ProductionDate *time.Time
	ExpiresOn      *time.Time
	OnHold         bool
	HoldReason     string
	HeldAt         *time.Time
	HeldBy         *uuid.UUID
	CreatedAt      time.Time
}

// Level is the stock of one product in one warehouse (and lot).
type Level struct {
	ID          uuid.UUID
	ProductID   uuid.UUID
	WarehouseID uuid.UUID
	LotID       *uuid.UUID
	OnHand      int64
	Reserved    int64
	Quarantined int64
	OnHold      bool
	Expired     bool // the lot's expiry date has passed
	UpdatedAt   time.Time
}

// Available is what can still be reserved: nothing on a held or expired lot.
func (l Level) Available() int64 {
	if l.OnHold || l.Expired {
		return 0
	}
	return l.OnHand - l.Reserved - l.Quarantined
}

// Move is one ledger entry.
type Move struct {
	ID               uuid.UUID
	Kind             string
	ProductID        uuid.UUID
	WarehouseID      uuid.UUID
	LotID            *uuid.UUID
	OnHandDelta      int64
	ReservedDelta    int64
	QuarantinedDelta int64
	Reason           string
	Ref              Ref
	AccountID        *uuid.UUID
	UserID           *uuid.UUID
	CreatedAt        time.Time
}

// Ref names the document a move or reservation is for, e.g.
// {"order_line", id}, {"shipment", id}, {"production_order", id}.
type Ref struct {
	Type string
	ID   uuid.UUID
}

// IsZero reports an empty ref.
func (r Ref) IsZero() bool { return r.Type == "" && r.ID == uuid.Nil }

// Allocation is a quantity taken from (or put into) one level.
type Allocation struct {
	WarehouseID uuid.UUID
	LotID       *uuid.UUID
	Quantity    int64
}

// Availability sums a product's stock over warehouses and lots.
type Availability struct {
	ProductID uuid.UUID
	OnHand    int64
	Reserved  int64
	// Available excludes reserved, quarantined and held stock.
	Available int64
}

// checkRef validates a document reference of an operation.
func checkRef(f errs.Fields, field string, r Ref) {
	if r.Type == "" || len(r.Type) > 40 || r.ID == uuid.Nil {
		f.Add(field, "must name a document type and id")
	}
}

// maxQuantity bounds one operation's quantity so that sums stay far from
// int64 overflow (and a fuzzer's 1e18 is a 400, not a 500).
const maxQuantity = 1_000_000_000_000
