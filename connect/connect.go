// Package connect is online payment of a tenant's invoices (P3): the tenant
// connects its own Stripe account (Stripe Connect, a Standard account it
// owns), its customers pay an invoice's open balance with Stripe Checkout
// on that account, and the account's signed webhooks record the payment on
// the invoice exactly once (S1, S2). A tenant without online payment shows
// its bank details instead, on the portal and on the invoice PDF.
//
// It is the only code that talks to Stripe on behalf of a tenant's account
// (billing talks to Stripe for the platform's own subscription); both
// share internal/stripekit. Invoices are read and payments recorded through
// the Invoices interface, wired to the invoicing module in cmd/nexo.
package connect

import (
	"context"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"nexo/tenant"
)

// Invoice is what paying needs of an invoice.
type Invoice struct {
	ID           uuid.UUID
	Number       string
	AccountID    uuid.UUID // the customer account
	Status       string    // invoicing's: issued, partially_paid, paid, credited
	Currency     string
	BalanceMinor int64
}

// Recorded is what recording a collected payment did (see
// invoicing.RecordProviderPayment).
type Recorded struct {
	PaymentID   *uuid.UUID // nil when the invoice had nothing left to pay
	Repeat      bool       // the same external reference was recorded before
	ExcessMinor int64      // collected but not applied: the invoice owed less
}

// Invoices is the invoicing side.
type Invoices interface {
	// Invoice reads an invoice of the bound tenant, limited to the
	// caller's account when the caller is a portal customer; another
	// account's or tenant's id is an errs.NotFound like a missing one.
	Invoice(ctx context.Context, id uuid.UUID) (Invoice, error)
	// RecordCardPayment records money Stripe collected, exactly once per
	// externalRef, inside the caller's transaction. A currency other than
	// the invoice's is an errs.FailedPrecondition.
	RecordCardPayment(ctx context.Context, invoiceID uuid.UUID, amountMinor int64, currency, externalRef string) (Recorded, error)
	// BeginCardRefund readies a due refund for Stripe in its own
	// transaction: the card payment's PaymentIntent and a saved
	// idempotency key (the same key again while its outcome is unknown).
	BeginCardRefund(ctx context.Context, refundID uuid.UUID) (CardRefund, error)
	// SettleCardRefund applies Stripe's answer about a refund, found by
	// refundID or else by the Stripe Refund id, exactly once; an unknown
	// one is an errs.NotFound.
	SettleCardRefund(ctx context.Context, refundID uuid.UUID, stripeRefund, status string) (RefundState, error)
}

// CardRefund is a refund ready to be sent to Stripe.
type CardRefund struct {
	ID             uuid.UUID
	AmountMinor    int64
	Currency       string
	PaymentIntent  string
	IdempotencyKey string
	Done           bool   // already refunded: nothing to send
	StripeID       string // when Done, the Stripe Refund that did it ("" if paid back by hand)
}

// RefundState is a refund's state after Stripe's answer.
type RefundState struct {
	ID          uuid.UUID
	Status      string // invoicing's: due, processing, refunded
	AmountMinor int64
	Currency    string
	StripeID    string
}

// Options configures the service.
type Options struct {
	// Gateway talks to Stripe; nil means Unconfigured.
	Gateway Gateway
	// BaseURL is where Stripe's pages send people back (NEXO_BASE_URL).
	BaseURL string
	// SettingsPath is the staff settings page under BaseURL, where
	// onboarding returns (default /app/settings).
	SettingsPath string
	Logger       *slog.Logger
}

// Service connects tenants' Stripe accounts and takes their customers'
// payments.
type Service struct {
	db       *tenant.DB
	invoices Invoices
	gw       Gateway
	opt      Options
	log      *slog.Logger
}

// New returns the connect service.
func New(d *tenant.DB, inv Invoices, opt Options) *Service {
	if opt.Gateway == nil {
		opt.Gateway = Unconfigured{}
	}
	if opt.SettingsPath == "" {
		opt.SettingsPath = "/app/settings"
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Service{db: d, invoices: inv, gw: opt.Gateway, opt: opt, log: opt.Logger}
}

// Available reports whether this server can offer online payment at all
// (it has Stripe keys).
func (s *Service) Available() bool { return s.gw.Configured() }
