package connect

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

// settingsRow is the tenant's online payment and bank details (one row
// per tenant, made on first use).
type settingsRow struct {
	bun.BaseModel `bun:"table:payment_settings,alias:ps"`
	tenant.Scoped
	OnlineEnabled    bool       `bun:"online_enabled"`
	AccountKey       string     `bun:"account_key"`
	LinkKey          string     `bun:"link_key"`
	ChargesEnabled   bool       `bun:"charges_enabled"`
	DetailsSubmitted bool       `bun:"details_submitted"`
	PayoutsEnabled   bool       `bun:"payouts_enabled"`
	SyncedAt         *time.Time `bun:"synced_at"`
	BankDetails
	UpdatedAt time.Time `bun:"updated_at"`
}

// BankDetails is how a customer pays by transfer; every field is optional.
type BankDetails struct {
	AccountHolder string `bun:"bank_account_holder" json:"account_holder"`
	IBAN          string `bun:"bank_iban" json:"iban"`
	BIC           string `bun:"bank_bic" json:"bic"`
	BankName      string `bun:"bank_name" json:"bank_name"`
	Instructions  string `bun:"bank_instructions" json:"instructions"`
}

// Empty reports whether no bank detail is set.
func (b BankDetails) Empty() bool { return b == BankDetails{} }

// tenantRow is the connect view of the tenants registry (a platform table):
// the connected account, by which webhooks find their tenant.
type tenantRow struct {
	bun.BaseModel `bun:"table:tenants,alias:t"`
	ID            uuid.UUID `bun:"id,pk,type:uuid"`
	Slug          string    `bun:"slug"`
	AccountID     *string   `bun:"stripe_connect_account_id"`
}

// attemptRow is one Checkout Session for one invoice.
type attemptRow struct {
	bun.BaseModel `bun:"table:payment_attempts,alias:pa"`
	tenant.Scoped
	ID                uuid.UUID  `bun:"id,pk,type:uuid"`
	InvoiceID         uuid.UUID  `bun:"invoice_id,type:uuid"`
	AccountID         uuid.UUID  `bun:"account_id,type:uuid"`
	AmountMinor       int64      `bun:"amount_minor"`
	Currency          string     `bun:"currency"`
	Status            string     `bun:"status"`
	StripeAccountID   string     `bun:"stripe_account_id"`
	IdempotencyKey    string     `bun:"idempotency_key"`
	CheckoutSessionID *string    `bun:"checkout_session_id"`
	CheckoutURL       string     `bun:"checkout_url"`
	PaymentIntentID   *string    `bun:"payment_intent_id"`
	PaymentID         *uuid.UUID `bun:"payment_id,type:uuid"`
	ReceivedMinor     int64      `bun:"received_minor"`
	UnappliedMinor    int64      `bun:"unapplied_minor"`
	ReceivedCurrency  *string    `bun:"received_currency"` // what Stripe collected in; nil before it was kept
	ResolutionNote    *string    `bun:"resolution_note"`
	ResolvedBy        *uuid.UUID `bun:"resolved_by,type:uuid"`
	ResolvedAt        *time.Time `bun:"resolved_at"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
}

// Attempt statuses.
const (
	attemptOpen     = "open"     // session created (or being created); not paid yet
	attemptPaid     = "paid"     // the payment is recorded on the invoice
	attemptOverpaid = "overpaid" // Stripe collected more than the invoice still owed: see unapplied_minor
	attemptExpired  = "expired"  // the session expired unpaid
	attemptFailed   = "failed"   // a delayed payment method failed
	attemptReview   = "review"   // paid, but it could not be recorded as is (currency); finance decides
	attemptResolved = "resolved" // a review closed by finance, with a note of how it was handled
)

// attemptStatuses are the statuses a list may be filtered by.
var attemptStatuses = []string{attemptOpen, attemptPaid, attemptOverpaid, attemptExpired, attemptFailed, attemptReview, attemptResolved}

// eventRow records an applied connected-account event.
type eventRow struct {
	bun.BaseModel `bun:"table:stripe_connect_events,alias:ce"`
	tenant.Scoped
	ID          string    `bun:"id,pk"`
	Type        string    `bun:"type"`
	CreatedAt   time.Time `bun:"created_at"` // Stripe's clock
	ProcessedAt time.Time `bun:"processed_at"`
}

// loadSettings reads the bound tenant's row, creating it on first use;
// lock takes a row lock on PostgreSQL (connect calls and webhooks of one
// tenant serialise on it).
func loadSettings(ctx context.Context, tx bun.IDB, lock bool) (*settingsRow, error) {
	row := &settingsRow{UpdatedAt: now()}
	if _, err := tx.NewInsert().Model(row).On("CONFLICT (tenant_id) DO NOTHING").Exec(ctx); err != nil {
		return nil, err
	}
	q := tx.NewSelect().Model(row)
	if lock && q.Dialect().Name() == dialect.PG {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	return row, nil
}

// accountOfTenant reads the bound tenant's connected account id ("" when
// none) and slug.
func accountOfTenant(ctx context.Context, tx bun.IDB) (tenantRow, error) {
	tid, _ := tenant.FromContext(ctx)
	var t tenantRow
	err := tx.NewSelect().Model(&t).Where("t.id = ?", tid).Scan(ctx)
	return t, err
}

func lockAttempt(ctx context.Context, tx bun.IDB, where string, arg any) (*attemptRow, error) {
	var a attemptRow
	q := tx.NewSelect().Model(&a).Where(where, arg)
	if q.Dialect().Name() == dialect.PG {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return nil, nil
		}
		return nil, err
	}
	return &a, nil
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
