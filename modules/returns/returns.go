// Package returns is returns (E8, F6, P4): a customer (through the portal)
// or staff asks to send back units of an order's delivered lines, staff
// approve or reject the request, receive the goods (each line's units that
// came back, possibly fewer than requested, restocked or quarantined
// through the stock ledger, with the return as the moves' document) and
// refund them with one credit note at the invoiced prices or replace them.
//
//	requested → approved → received → refunded
//	          └→ rejected             └→ replaced
//
// Rules, each checked in the writing transaction:
//
//   - A line returns at most what was delivered (customers) or shipped
//     (staff, who also take back refused or lost deliveries) less what
//     non-rejected returns of the line already hold. The order is locked
//     while this is checked, so two concurrent requests queue and cannot
//     exceed it together.
//   - A rejected return changes no stock and no money.
//   - A receipt names every line's received units, 0 up to the requested
//     quantity (goods missing or not sent back). Only received units move
//     stock, are credited or are replaced; the units a line did not bring
//     back are returnable again. A receipt with nothing received is allowed
//     (the case is closed as received) but leaves nothing to refund or
//     replace (422).
//   - A return is refunded once: the return row is locked, the credit note
//     is issued in the same transaction that marks it refunded, and the
//     credit note id is unique among returns.
//   - Only invoiced units are credited; a line never invoiced is a 422.
//   - A received return ends once, refunded or replaced, never both: a
//     replacement is a confirmed sales order at no charge for the same
//     products and received units, created and confirmed (stock reserved) in the
//     transaction that marks the return replaced; the order id is unique
//     among returns.
//
// The module owns its ports (Orders, Deliveries, Stock, Invoices,
// Replacements, Numbers);
// cmd/nexo wires sales, shipping, inventory, invoicing and tenant behind
// them. Quantities are int64 units, never floats.
package returns

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where a return is in its life.
type Status string

// Return statuses.
const (
	StatusRequested Status = "requested"
	StatusApproved  Status = "approved"
	StatusRejected  Status = "rejected"
	StatusReceived  Status = "received"
	StatusRefunded  Status = "refunded"
	StatusReplaced  Status = "replaced"
)

// Statuses lists every status, in life order.
func Statuses() []Status {
	return []Status{StatusRequested, StatusApproved, StatusRejected, StatusReceived, StatusRefunded, StatusReplaced}
}

// Valid reports whether s is a return status.
func (s Status) Valid() bool {
	for _, x := range Statuses() {
		if x == s {
			return true
		}
	}
	return false
}

// Reason is why a line comes back, from a fixed list.
type Reason string

// Line reasons.
const (
	ReasonDamaged        Reason = "damaged"
	ReasonWrongItem      Reason = "wrong_item"
	ReasonNotAsDescribed Reason = "not_as_described"
	ReasonNoLongerNeeded Reason = "no_longer_needed"
	ReasonOther          Reason = "other"
)

// How a received line goes back into stock: available again, or on hand
// but unavailable until inventory clears the quarantine.
const (
	ConditionRestock    = "restock"
	ConditionQuarantine = "quarantine"
)

// RefType is the inventory document type of a return's stock moves.
const RefType = "return"

// Bounds on input.
const (
	MaxLines     = 100
	MaxComment   = 2000
	MaxRejection = 500
	MaxQuantity  = 1_000_000_000
)

// Valid reports whether r is a line reason.
func (r Reason) Valid() bool {
	switch r {
	case ReasonDamaged, ReasonWrongItem, ReasonNotAsDescribed, ReasonNoLongerNeeded, ReasonOther:
		return true
	}
	return false
}

// Outbox topics (a contract: the customer emails are written against
// them). Payload: {"return_id", "number", "account_id", "order_id",
// "status", "reason" (the rejection reason or ""), "credit_note_id" (uuid
// or null), "replacement_order_id" (uuid or null)}.
const (
	TopicRequested = "returns.return.requested"
	TopicApproved  = "returns.return.approved"
	TopicRejected  = "returns.return.rejected"
	TopicReceived  = "returns.return.received"
	TopicRefunded  = "returns.return.refunded"
	TopicReplaced  = "returns.return.replaced"
)

// Return is a return request with its lines.
type Return struct {
	ID              uuid.UUID
	Number          string
	Status          Status
	AccountID       uuid.UUID
	AccountName     string
	OrderID         uuid.UUID
	OrderNumber     string
	Comment         string
	RejectionReason string
	CreatedBy       *uuid.UUID // the staff user who entered it
	PortalUserID    *uuid.UUID // the portal user who requested it
	ApprovedBy      *uuid.UUID
	ReceivedBy      *uuid.UUID
	RefundedBy      *uuid.UUID
	CreditNoteID    *uuid.UUID
	// CreditNoteIDs are every credit note of a refunded return, one per
	// invoice its received units were on (CreditNoteID is the first);
	// detail reads only.
	CreditNoteIDs []uuid.UUID
	ReplacedBy    *uuid.UUID
	// ReplacementOrderID is the no-charge order that replaces the goods.
	ReplacementOrderID     *uuid.UUID
	ReplacementOrderNumber string
	CreatedAt              time.Time
	ApprovedAt             *time.Time
	RejectedAt             *time.Time
	ReceivedAt             *time.Time
	RefundedAt             *time.Time
	ReplacedAt             *time.Time
	UpdatedAt              time.Time
	Lines                  []Line
	Photos                 []Photo // without their bytes
}

// Line is one order line's returned units.
type Line struct {
	ID          uuid.UUID
	OrderLineID uuid.UUID
	ProductID   uuid.UUID
	Description string
	Quantity    int64
	Reason      Reason
	Comment     string
	Condition   string     // restock or quarantine, once received with units
	WarehouseID *uuid.UUID // where it was received
	// Received is the units that came back (0 to Quantity), nil until the
	// return is received.
	Received *int64
}

// ReceivedUnits is the line's received units, 0 before the receipt.
func (l Line) ReceivedUnits() int64 {
	if l.Received == nil {
		return 0
	}
	return *l.Received
}

// NewLine asks to return Quantity units of an order line.
type NewLine struct {
	OrderLineID uuid.UUID
	Quantity    int64
	Reason      Reason
	Comment     string
}

// NewReturn is a return request.
type NewReturn struct {
	OrderID uuid.UUID
	Comment string
	Lines   []NewLine
}

// Receipt says how one line of the return was received: Received units
// (0 to the line's quantity) restocked or quarantined in a warehouse. A
// line received with 0 units needs no condition or warehouse.
type Receipt struct {
	LineID      uuid.UUID
	Received    int64
	Condition   string
	WarehouseID uuid.UUID
	LotID       *uuid.UUID // required for a lot-tracked product received with units
}

// Filter narrows the list, newest first.
type Filter struct {
	Status    Status
	AccountID *uuid.UUID
	OrderID   *uuid.UUID
	After     *uuid.UUID
	Limit     int
}

// Returnable is what may still be returned of one order line.
type Returnable struct {
	OrderLineID uuid.UUID
	ProductID   uuid.UUID
	Description string
	Ordered     int64
	Shipped     int64
	Delivered   int64
	Returned    int64 // held by non-rejected returns (received units once received)
	Returnable  int64 // for the caller: delivered (customers) or shipped (staff) − returned
}

// Order is what a return needs of a sales order.
type Order struct {
	ID        uuid.UUID
	Number    string
	AccountID uuid.UUID
	Lines     []OrderLine
}

// OrderLine is what a return needs of an order line.
type OrderLine struct {
	ID          uuid.UUID
	ProductID   uuid.UUID
	Description string
	Quantity    int64
}

// Orders is the sales side (wired to sales.Service).
type Orders interface {
	// Order returns the order with its lines, locked until the caller's
	// transaction ends so that returns of one order queue; an unknown id
	// is an errs.NotFound error.
	Order(ctx context.Context, id uuid.UUID) (Order, error)
}

// Shipped is one order line's units on shipments that left the warehouse,
// and of those the units delivered.
type Shipped struct {
	Shipped   int64
	Delivered int64
}

// Deliveries is the shipping side (wired to shipping.Service).
type Deliveries interface {
	// Shipped sums, per order line, the units of the order's shipments
	// that shipped (shipped, in transit or delivered) and were delivered.
	Shipped(ctx context.Context, orderID uuid.UUID) (map[uuid.UUID]Shipped, error)
}

// StockReturn brings one line's units back into a warehouse.
type StockReturn struct {
	ProductID   uuid.UUID
	WarehouseID uuid.UUID
	LotID       *uuid.UUID
	Quantity    int64
	Quarantine  bool
	ReturnID    uuid.UUID // the moves' document: Ref{"return", id}
	AccountID   uuid.UUID
	Reason      string
}

// Stock is the inventory side (wired to inventory.Service), inside the
// return's transaction.
type Stock interface {
	Return(ctx context.Context, in StockReturn) error
}

// InvoicedLine is one invoice line of the order with the units still open
// to credit (invoiced − credited).
type InvoicedLine struct {
	InvoiceID     uuid.UUID
	InvoiceLineID uuid.UUID
	OrderLineID   uuid.UUID
	Open          int64
}

// CreditLine credits Quantity units of an invoice line.
type CreditLine struct {
	InvoiceLineID uuid.UUID
	Quantity      int64
}

// Invoices is the invoicing side (wired to invoicing.Service), inside the
// return's transaction.
type Invoices interface {
	// InvoicedLines lists the order's invoice lines, newest invoice first.
	InvoicedLines(ctx context.Context, orderID uuid.UUID) ([]InvoicedLine, error)
	// CreditNote issues a credit note and returns its id.
	CreditNote(ctx context.Context, invoiceID uuid.UUID, lines []CreditLine, reason string) (uuid.UUID, error)
}

// ReplacementLine is one product of a replacement order.
type ReplacementLine struct {
	ProductID uuid.UUID
	Quantity  int64
}

// Replacement asks for a no-charge order replacing a return's goods.
type Replacement struct {
	AccountID uuid.UUID
	OrderID   uuid.UUID // the returned order, whose currency the replacement keeps
	Notes     string
	Lines     []ReplacementLine
}

// Replacements is the sales side of a replacement (wired to
// sales.Service), inside the return's transaction.
type Replacements interface {
	// Replace creates the order at no charge and confirms it, reserving
	// stock as for any order, and returns its id.
	Replace(ctx context.Context, in Replacement) (uuid.UUID, error)
}

// Numbers allocates document numbers in the caller's transaction.
type Numbers interface {
	NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error)
}
