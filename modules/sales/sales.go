// Package sales is sales orders (E3): an order for a customer account with
// product lines, numbered from the tenant's "order" series; confirmation
// reserves stock and settles each line's shortfall (production for
// manufactured products, purchase otherwise) and a promised date;
// cancellation releases the reservations. Every status change leaves a
// history row, an audit row and, for confirm and cancel, an outbox event in
// the same transaction.
//
// The module owns the small interfaces it needs from its neighbours
// (Products, Stock, Numbers); cmd/nexo wires catalog, inventory and tenant
// behind them. Money is int64 minor units in the order's currency and
// quantities are int64 units, never floats (M5).
package sales

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where an order is in its life.
type Status string

// Order statuses (E3). credit_hold (F4): confirming an order over the
// customer's available credit parks it until someone with credit:approve
// approves it.
const (
	StatusDraft            Status = "draft"
	StatusCreditHold       Status = "credit_hold"
	StatusConfirmed        Status = "confirmed"
	StatusInProduction     Status = "in_production"
	StatusReady            Status = "ready"
	StatusPartiallyShipped Status = "partially_shipped"
	StatusShipped          Status = "shipped"
	StatusInvoiced         Status = "invoiced"
	StatusClosed           Status = "closed"
	StatusCancelled        Status = "cancelled"
)

// transitions is the status machine as data: from → the statuses it may move
// to. Anything not listed is refused. Cancelling is possible until goods
// leave (nothing shipped yet), since only then can reservations simply be
// released. Reserved goods may ship from confirmation on (partial
// shipments while the rest is produced or bought).
var transitions = map[Status][]Status{
	StatusDraft:      {StatusConfirmed, StatusCreditHold, StatusCancelled},
	StatusCreditHold: {StatusConfirmed, StatusCancelled},
	// confirmed → invoiced: an order of services only has nothing to ship
	// and is done once invoiced.
	StatusConfirmed:    {StatusInProduction, StatusReady, StatusPartiallyShipped, StatusShipped, StatusInvoiced, StatusCancelled},
	StatusInProduction: {StatusReady, StatusPartiallyShipped, StatusShipped, StatusCancelled},
	// ready → confirmed: reserved stock was taken back (a lot put on
	// quality hold), so the order waits again.
	StatusReady:            {StatusConfirmed, StatusPartiallyShipped, StatusShipped, StatusCancelled},
	StatusPartiallyShipped: {StatusShipped},
	StatusShipped:          {StatusInvoiced},
	StatusInvoiced:         {StatusClosed},
	StatusClosed:           nil,
	StatusCancelled:        nil,
}

// Statuses lists every status of the machine, in life order.
func Statuses() []Status {
	return []Status{StatusDraft, StatusCreditHold, StatusConfirmed, StatusInProduction, StatusReady, StatusPartiallyShipped,
		StatusShipped, StatusInvoiced, StatusClosed, StatusCancelled}
}

// Valid reports whether s is a status of the machine.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// confirmed reports an order past confirmation and not cancelled: its
// lines are settled against stock.
func (o Order) confirmed() bool {
	return o.ConfirmedAt != nil && o.Status != StatusDraft && o.Status != StatusCancelled
}

// Service reports a line that confirmation settled nothing on (no
// reservation, no shortfall): a service, which never ships.
func (o Order) Service(l Line) bool { return o.confirmed() && l.ReservedQty+l.ShortfallQty == 0 }

// Deliverable is how many of a line's units can be invoiced so far: what
// has shipped, or, for a service line of a confirmed order, all of it
// (there is nothing to ship; the service is billed once the order is
// confirmed).
func (o Order) Deliverable(l Line) int64 {
	if o.Service(l) {
		return l.Quantity
	}
	return l.ShippedQty
}

// CanMove reports whether the machine allows from → to.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// ShortfallAction says who covers a line's shortfall after confirmation.
type ShortfallAction string

// Shortfall actions.
const (
	ShortfallNone       ShortfallAction = "none"
	ShortfallProduction ShortfallAction = "production"
	ShortfallPurchase   ShortfallAction = "purchase"
)

// ProductType mirrors the catalog's product types.
type ProductType string

// Product types; services are never stocked, so they reserve nothing.
const (
	ProductStocked      ProductType = "stocked"
	ProductService      ProductType = "service"
	ProductManufactured ProductType = "manufactured"
	ProductPurchased    ProductType = "purchased"
)

// Product is what an order needs to know of a catalog product.
type Product struct {
	ID             uuid.UUID
	SKU, Name      string // copied onto the line as sold
	Type           ProductType
	Active         bool
	ListPriceMinor int64
	Currency       string
	TaxRateBP      int   // the product's tax rate in basis points (21 % = 2100); 0 without one
	LeadTimeDays   int   // production (manufactured) or purchase lead time
	DailyCapacity  int64 // units a day for manufactured products; 0 = unknown
}

// Products looks products up in the catalog; an unknown id (or another
// tenant's) is an errs.NotFound error. Called inside the order's transaction.
type Products interface {
	Product(ctx context.Context, id uuid.UUID) (Product, error)
	// ListPrice is the unit price of qty units of a product on price list
	// listID (its quantity breaks) and the list's currency; an unknown list
	// is an errs.NotFound error, an inactive one or a list that cannot
	// price the product an errs.FailedPrecondition error.
	ListPrice(ctx context.Context, productID, listID uuid.UUID, qty int64) (amountMinor int64, currency string, err error)
}

// Ref names the document line a reservation is for: {"order_line", line id}.
type Ref struct {
	Type string
	ID   uuid.UUID
}

// RefOrderLine is the Ref type of sales order lines.
const RefOrderLine = "order_line"

// Stock reserves and releases stock for order lines. Both run inside the
// order's transaction (ctx carries it; tenant.DB.Run joins it), so a failed
// confirmation rolls every reservation back with it.
type Stock interface {
	// Reserve reserves up to qty units of product for ref and returns how
	// many it reserved (0..qty); what is missing is the line's shortfall.
	Reserve(ctx context.Context, ref Ref, productID uuid.UUID, qty int64) (reserved int64, err error)
	// Release releases whatever is still reserved for ref.
	Release(ctx context.Context, ref Ref) error
}

// Credit answers for a customer's credit (wired to flows.Credit), inside
// the confirming transaction: what is still available for new orders in
// currency (the limit minus open invoices and the open orders other than
// excluding). limited is false when the account has no credit limit or
// keeps it in another currency; then there is nothing to check.
type Credit interface {
	Available(ctx context.Context, accountID uuid.UUID, currency string, excluding uuid.UUID) (availableMinor int64, limited bool, err error)
}

// Numbers allocates document numbers inside the caller's transaction, so a
// rolled-back order gives its number back. *tenant.Service implements it.
type Numbers interface {
	NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error)
}

// Order is a sales order with its lines.
type Order struct {
	ID            uuid.UUID
	Number        string
	AccountID     uuid.UUID
	Status        Status
	RequestedDate *time.Time // dates are midnight UTC
	PromisedDate  *time.Time
	Currency      string
	PriceListID   *uuid.UUID // the price list that priced the lines, if any
	SubtotalMinor int64      // Σ line net
	TaxMinor      int64      // Σ line tax
	TotalMinor    int64      // subtotal + tax
	Notes         string
	QuoteID       *uuid.UUID
	OpportunityID *uuid.UUID
	CreatedBy     *uuid.UUID
	ConfirmedAt   *time.Time
	CancelledAt   *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Lines         []Line
}

// Line is one product line of an order.
type Line struct {
	ID              uuid.UUID
	ProductID       uuid.UUID
	Description     string // the product as sold: "SKU — name"
	Quantity        int64
	UnitPriceMinor  int64
	DiscountBP      int
	TaxRateBP       int
	NetMinor        int64
	TaxMinor        int64
	TotalMinor      int64
	ReservedQty     int64
	ShortfallQty    int64
	ShortfallAction ShortfallAction
	PromisedDate    *time.Time
	ShippedQty      int64
	InvoicedQty     int64
}

// NewLine is a requested line: a product and a quantity; the price defaults
// to the product's list price and the discount to none.
type NewLine struct {
	ProductID      uuid.UUID
	Quantity       int64
	UnitPriceMinor *int64
	DiscountBP     *int
}

// NewOrder is a create request. Currency defaults to the first line's
// product currency; every line's product must be priced in it.
type NewOrder struct {
	AccountID uuid.UUID
	Currency  string
	// PriceListID prices every line without an explicit unit price from the
	// list's quantity breaks; the order takes the list's currency.
	PriceListID   *uuid.UUID
	RequestedDate *time.Time
	Notes         string
	Lines         []NewLine
	// QuoteID and OpportunityID link an order made from an accepted quote
	// (F1) back to it; set by the flow, not by API callers.
	QuoteID       *uuid.UUID
	OpportunityID *uuid.UUID
}

// OrderUpdate changes a draft order; nil fields are left alone. Lines, when
// non-nil, replace every line (and must hold at least one).
type OrderUpdate struct {
	AccountID          *uuid.UUID
	Currency           *string
	RequestedDate      *time.Time
	ClearRequestedDate bool
	Notes              *string
	Lines              []NewLine
}

// Filter narrows the order list, newest first. Q matches the number;
// After is the cursor (the last id of the previous page).
type Filter struct {
	Status        Status
	AccountID     *uuid.UUID
	OpportunityID *uuid.UUID
	Q             string
	After         *uuid.UUID
	Limit         int
}

// HistoryEntry is one status change; From is empty on creation.
type HistoryEntry struct {
	ID     uuid.UUID
	From   Status
	To     Status
	At     time.Time
	By     *uuid.UUID
	Note   string
	Number string // the order's, for display
}

// Shortfall is a confirmed line still waiting for production or purchase.
type Shortfall struct {
	OrderID      uuid.UUID
	OrderNumber  string
	LineID       uuid.UUID
	ProductID    uuid.UUID
	Quantity     int64
	Action       ShortfallAction
	PromisedDate *time.Time
}

// ShortfallFilter narrows ListShortfalls; After is the last line id seen.
type ShortfallFilter struct {
	Action ShortfallAction // "" for both
	After  *uuid.UUID
	Limit  int
}
