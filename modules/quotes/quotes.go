// Package quotes is sales quotes (C4): an offer to a customer account,
// usually made from an opportunity's lines, priced exactly as a sales order
// would be (the pricing port is sales' own rule), checked before sending
// for availability-to-promise on every line and for the customer's credit,
// sent by email through the outbox, then accepted (the flows package turns
// it into a sales order, F1) or declined.
//
//	draft → sent → accepted
//	          └──→ declined
//	sent/declined ──revise──→ superseded (+ a new draft revision)
//
// A sent quote past its valid-until date is expired: it reads as "expired"
// and can no longer be accepted, only revised or declined. A revision keeps
// the number and takes the next revision; only the latest revision is
// live, so accepting a superseded quote is refused.
//
// Record rule (R3): a caller without opportunities:read:all sees and
// changes only the quotes they own, like their opportunities.
//
// The module owns its ports (Pricing, Opportunities, Availability, Credit,
// Numbers); cmd/nexo wires sales, crm, flows and tenant behind them. Money
// is int64 minor units, never floats (M5).
package quotes

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where a quote is in its life.
type Status string

// Stored statuses; StatusExpired is derived (sent and past valid-until).
const (
	StatusDraft      Status = "draft"
	StatusSent       Status = "sent"
	StatusAccepted   Status = "accepted"
	StatusDeclined   Status = "declined"
	StatusSuperseded Status = "superseded"
	StatusExpired    Status = "expired"
)

// Statuses lists the statuses a list may filter by.
func Statuses() []Status {
	return []Status{StatusDraft, StatusSent, StatusAccepted, StatusDeclined, StatusSuperseded, StatusExpired}
}

// Outbox topics.
const (
	TopicSent     = "quote.sent"
	TopicAccepted = "quote.accepted"
	TopicDeclined = "quote.declined"
)

// Bounds on input.
const (
	MaxLines          = 100
	MaxNotes          = 2000
	MaxReason         = 500
	MaxMessage        = 2000
	DefaultValidDays  = 30
	MaxValidDays      = 365
	ReadAllPermission = "opportunities:read:all"
)

// Quote is one revision of a quote with its lines.
type Quote struct {
	ID            uuid.UUID
	Number        string
	Revision      int
	Status        Status // stored status; see Current
	AccountID     uuid.UUID
	AccountName   string
	ContactID     *uuid.UUID
	OpportunityID *uuid.UUID
	OwnerUserID   uuid.UUID
	Currency      string
	PriceListID   *uuid.UUID
	ValidUntil    time.Time  // a date (UTC midnight)
	PromisedDate  *time.Time // set when sent: the latest line's availability date
	Notes         string
	SubtotalMinor int64
	TaxMinor      int64
	TotalMinor    int64
	SentAt        *time.Time
	SentTo        string
	AcceptedAt    *time.Time
	DeclinedAt    *time.Time
	DeclineReason string
	OrderID       *uuid.UUID
	SupersededBy  *uuid.UUID
	CreatedBy     *uuid.UUID
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Lines         []Line
}

// Current is the status as a user sees it on day today: a sent quote past
// its valid-until date is expired.
func (q Quote) Current(today time.Time) Status {
	if q.Status == StatusSent && q.ValidUntil.Before(today) {
		return StatusExpired
	}
	return q.Status
}

// Open reports a quote whose availability and credit still matter: a draft
// or a sent quote not yet answered.
func (q Quote) Open() bool { return q.Status == StatusDraft || q.Status == StatusSent }

// Line is one priced product line.
type Line struct {
	ID             uuid.UUID
	ProductID      uuid.UUID
	Description    string // "SKU — name", as quoted
	Quantity       int64
	UnitPriceMinor int64
	DiscountBP     int
	TaxRateBP      int
	NetMinor       int64
	TaxMinor       int64
	TotalMinor     int64
}

// LineInput is a requested line; nil price takes the catalog's (the price
// list's when the quote has one), nil discount none.
type LineInput struct {
	ProductID      uuid.UUID
	Quantity       int64
	UnitPriceMinor *int64
	DiscountBP     *int
}

// NewQuote creates a draft. With OpportunityID the account, contact,
// currency and (when Lines is nil) the lines come from the opportunity.
type NewQuote struct {
	AccountID     *uuid.UUID
	OpportunityID *uuid.UUID
	ContactID     *uuid.UUID
	PriceListID   *uuid.UUID
	ValidUntil    *time.Time
	Notes         string
	Lines         *[]LineInput
}

// Update changes a draft; nil fields are left alone. ContactID at uuid.Nil
// detaches the contact; Lines, when set, replaces every line.
type Update struct {
	ContactID  *uuid.UUID
	ValidUntil *time.Time
	Notes      *string
	Lines      *[]LineInput
}

// Filter narrows the list, newest first. Q matches the number.
type Filter struct {
	AccountID     *uuid.UUID
	OpportunityID *uuid.UUID
	Status        Status
	Q             string
	After         *uuid.UUID
	Limit         int
}

// Scope is the record rule a call runs under: All lifts it.
type Scope struct{ All bool }

// Promise is a line's availability-to-promise: Now units from stock
// available today, Later more by LaterDate (open production first, then
// production capacity or the purchase lead time), and Date, the day the
// whole quantity can ship. Services are always available now.
type Promise struct {
	Now       int64
	Later     int64
	LaterDate *time.Time
	Date      time.Time
}

// CreditCheck is the account's credit against this quote (F4): the
// position (limit − open invoices − open orders) and by how much the quote
// exceeds what is available. Limited is false when the account has no
// limit (or keeps it in another currency): nothing to check.
type CreditCheck struct {
	Limited        bool
	Currency       string
	LimitMinor     int64
	InvoicesMinor  int64
	OrdersMinor    int64
	AvailableMinor int64
	QuoteMinor     int64
	ExceedsByMinor int64
}

// Opportunity is what a quote takes from the opportunity it quotes for.
type Opportunity struct {
	ID          uuid.UUID
	AccountID   uuid.UUID
	ContactID   *uuid.UUID
	OwnerUserID uuid.UUID
	Currency    string
	Open        bool
	Lines       []LineInput
}

// Opportunities reads an opportunity under the caller's record rule; one the
// caller may not see is errs.NotFound.
type Opportunities interface {
	Opportunity(ctx context.Context, sc Scope, id uuid.UUID) (Opportunity, error)
}

// Pricing prices lines exactly as a sales order in currency would (on price
// list listID when set); "" currency takes the first product's. Errors name
// the line field at fault (lines[i].product_id). It returns the currency.
type Pricing interface {
	Price(ctx context.Context, currency string, listID *uuid.UUID, lines []LineInput) (string, []Line, error)
}

// Availability promises a quantity of a product (ATP).
type Availability interface {
	Promise(ctx context.Context, productID uuid.UUID, qty int64) (Promise, error)
}

// Credit checks an account's credit for an amount in currency.
type Credit interface {
	Check(ctx context.Context, accountID uuid.UUID, currency string, amountMinor int64) (CreditCheck, error)
}

// Numbers allocates document numbers in the caller's transaction.
type Numbers interface {
	NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error)
}

// Company names the tenant on the PDF and in the email.
type Company interface {
	CompanyName(ctx context.Context) (string, error)
}
