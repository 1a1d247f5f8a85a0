// Package invoicing is invoicing (E7): invoices of the shipped, not yet
// invoiced units of a sales order, numbered gap-free from the tenant's
// "invoice" series inside the issuing transaction; payments (partial or
// full, never more than the balance); credit notes against invoice lines
// (never more than was invoiced and not yet credited), numbered from the
// "credit_note" series; a customer's balance and AR aging; a PDF of each
// invoice. Every change writes an audit row and an outbox event in its own
// transaction.
//
// An invoice's balance is total − paid − credited. Its status follows from
// the amounts: issued (nothing settled), partially_paid, paid, or credited
// (settled by credit notes alone). Overdue is not stored: an invoice is
// overdue while it has a balance and its due date has passed.
//
// The module owns the interfaces it needs from its neighbours (Orders,
// Numbers, Company); cmd/nexo wires sales and tenant behind them. Money is
// int64 minor units in the invoice's currency, quantities int64 units,
// never floats (M5).
package invoicing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where an invoice is in its settlement.
type Status string

// Invoice statuses; see statusOf.
const (
	StatusIssued        Status = "issued"
	StatusPartiallyPaid Status = "partially_paid"
	StatusPaid          Status = "paid"
	StatusCredited      Status = "credited"
)

// Valid reports whether s is an invoice status.
func (s Status) Valid() bool {
	switch s {
	case StatusIssued, StatusPartiallyPaid, StatusPaid, StatusCredited:
		return true
	}
	return false
}

// Method is how a payment was received.
type Method string

// Payment methods.
const (
	MethodManual   Method = "manual"
	MethodCard     Method = "card"
	MethodTransfer Method = "transfer"
)

// Valid reports whether m is a payment method.
func (m Method) Valid() bool { return m == MethodManual || m == MethodCard || m == MethodTransfer }

// Outbox topics. Payloads: issued {"invoice_id", "number", "order_id",
// "account_id", "total_minor", "currency"}; payment {"payment_id",
// "invoice_id", "account_id", "amount_minor", "currency", "status"}; credit
// note {"credit_note_id", "number", "invoice_id", "account_id",
// "total_minor", "currency"}.
// A refund {"refund_id", "invoice_id", "credit_note_id", "account_id",
// "amount_minor", "currency", "status"} is published when it becomes due
// and on every status change.
const (
	TopicInvoiceIssued    = "invoicing.invoice.issued"
	TopicPaymentRecorded  = "invoicing.payment.recorded"
	TopicCreditNoteIssued = "invoicing.credit_note.issued"
	TopicRefundChanged    = "invoicing.refund.changed"
)

// OrderLine is what an invoice needs of a sales order line: its price and
// rates (copied onto the invoice line) and what has shipped and been
// invoiced so far.
type OrderLine struct {
	ID             uuid.UUID
	ProductID      uuid.UUID
	Quantity       int64
	UnitPriceMinor int64
	DiscountBP     int
	TaxRateBP      int
	ShippedQty     int64
	InvoicedQty    int64
}

// Order is what an invoice needs of a sales order.
type Order struct {
	ID        uuid.UUID
	Number    string
	AccountID uuid.UUID
	Currency  string
	Status    string // the sales order status
	Lines     []OrderLine
}

// Orders is the sales side (wired to sales.Service), called inside the
// invoice's transaction (ctx carries it).
type Orders interface {
	// Order returns the order with its lines, locked until the transaction
	// ends, so two invoices of one order queue instead of both invoicing the
	// same shipped units; an unknown id (or another tenant's) is an
	// errs.NotFound error.
	Order(ctx context.Context, id uuid.UUID) (Order, error)
	// RecordInvoiced adds invoiced units (order line id → quantity) to the
	// order's lines and moves a fully invoiced order to invoiced.
	RecordInvoiced(ctx context.Context, orderID uuid.UUID, invoiced map[uuid.UUID]int64) error
}

// Numbers allocates document numbers inside the caller's transaction, so a
// rolled-back invoice gives its number back (M4). *tenant.Service
// implements it.
type Numbers interface {
	NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error)
}

// Company names the issuing company on documents (the tenant's display
// name).
type Company interface {
	CompanyName(ctx context.Context) (string, error)
}

// Invoice is an invoice; Lines, Payments and CreditNotes are filled on
// detail reads only.
type Invoice struct {
	ID            uuid.UUID
	Number        string
	OrderID       uuid.UUID
	AccountID     uuid.UUID
	Status        Status
	Currency      string
	IssueDate     time.Time // dates are midnight UTC
	DueDate       time.Time
	NetMinor      int64
	TaxMinor      int64
	TotalMinor    int64 // net + tax = Σ lines
	PaidMinor     int64 // payments applied to the invoice
	CreditedMinor int64
	// RefundMinor is money the customer paid that credit notes un-applied
	// from the invoice and that is owed back (or was paid back) as refunds:
	// the customer sent PaidMinor + RefundMinor.
	RefundMinor int64
	CreatedBy   *uuid.UUID
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Lines       []Line
	Payments    []Payment
	CreditNotes []CreditNote
	Refunds     []Refund
}

// Balance is what is still owed: total − paid − credited.
func (i Invoice) Balance() int64 { return i.TotalMinor - i.PaidMinor - i.CreditedMinor }

// Overdue reports an invoice with a balance whose due date is before today.
func (i Invoice) Overdue(today time.Time) bool { return i.Balance() > 0 && i.DueDate.Before(today) }

// Line is one order line's invoiced units.
type Line struct {
	ID             uuid.UUID
	OrderLineID    uuid.UUID
	ProductID      uuid.UUID
	Description    string
	Quantity       int64
	UnitPriceMinor int64
	DiscountBP     int
	TaxRateBP      int
	NetMinor       int64
	TaxMinor       int64
	TotalMinor     int64
	CreditedQty    int64
	CreditedNet    int64
	CreditedTax    int64
}

// Payment is money received against an invoice.
type Payment struct {
	ID          uuid.UUID
	InvoiceID   uuid.UUID
	AccountID   uuid.UUID
	AmountMinor int64
	Currency    string
	Method      Method
	Reference   string
	// ExternalRef is the payment provider's object that collected it (a
	// Stripe PaymentIntent); "" for payments recorded by staff.
	ExternalRef string
	ReceivedOn  time.Time
	CreatedBy   *uuid.UUID
	CreatedAt   time.Time
}

// NewPayment records a payment; ReceivedOn nil means today.
type NewPayment struct {
	InvoiceID   uuid.UUID
	AmountMinor int64
	Method      Method
	Reference   string
	ReceivedOn  *time.Time
	// ExternalRef names the provider's object that collected the money
	// (RecordProviderPayment only): unique per tenant, so it is recorded
	// once however often the provider reports it.
	ExternalRef string
}

// ProviderPayment is what RecordProviderPayment did: the payment it
// recorded now or had recorded before for the same ExternalRef (nil when
// the invoice had nothing left to pay), whether that was a repeat, and
// the part of the amount the invoice could not take.
type ProviderPayment struct {
	Payment     *Payment
	Repeat      bool
	ExcessMinor int64
	Refund      *Refund // the overpayment refund made now, if any
}

// CreditNote is a credit against invoice lines; Lines and InvoiceNumber on
// detail reads only.
type CreditNote struct {
	ID            uuid.UUID
	Number        string
	InvoiceID     uuid.UUID
	InvoiceNumber string
	AccountID     uuid.UUID
	Reason        string
	Currency      string
	IssueDate     time.Time
	NetMinor      int64
	TaxMinor      int64
	TotalMinor    int64
	CreatedBy     *uuid.UUID
	CreatedAt     time.Time
	Lines         []CreditLine
	// Refund is the money this credit note gives back because the
	// invoice's balance could not absorb it (detail reads; nil when none).
	Refund *Refund
}

// CreditLine credits Quantity units of an invoice line; Description is
// the invoice line's, on detail reads.
type CreditLine struct {
	ID            uuid.UUID
	InvoiceLineID uuid.UUID
	Description   string
	Quantity      int64
	NetMinor      int64
	TaxMinor      int64
	TotalMinor    int64
}

// NewCreditLine asks to credit Quantity units of an invoice line.
type NewCreditLine struct {
	InvoiceLineID uuid.UUID
	Quantity      int64
}

// NewCreditNote is a credit note request.
type NewCreditNote struct {
	InvoiceID uuid.UUID
	Lines     []NewCreditLine
	Reason    string
}

// Filter narrows the invoice list, newest first; After is the cursor.
type Filter struct {
	AccountID *uuid.UUID
	OrderID   *uuid.UUID
	Status    Status
	Overdue   bool
	After     *uuid.UUID
	Limit     int
}

// DocFilter narrows the payment and credit note lists, newest first.
type DocFilter struct {
	InvoiceID *uuid.UUID
	AccountID *uuid.UUID
	After     *uuid.UUID
	Limit     int
}

// Amounts is an open balance in one currency: the total and how much of it
// is overdue.
type Amounts struct {
	Currency     string
	BalanceMinor int64
	OverdueMinor int64
}

// AgingRow is one account's open balance in one currency, by bucket.
type AgingRow struct {
	AccountID   uuid.UUID
	Currency    string
	AccountName string
	Current     int64
	Days1to30   int64
	Days31to60  int64
	Days61to90  int64
	Over90      int64
	Total       int64
}
