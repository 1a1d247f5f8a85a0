package billing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/tenant"
)

// accountRow is the billing view of a tenants row (a platform table, so no
// tenant.Scoped: every query names the id).
type accountRow struct {
	bun.BaseModel        `bun:"table:tenants,alias:t"`
	ID                   uuid.UUID  `bun:"id,pk,type:uuid"`
	Name                 string     `bun:"name"`
	Plan                 string     `bun:"plan"`
	BillingState         string     `bun:"billing_state"`
	TrialEndsAt          time.Time  `bun:"trial_ends_at"`
	StripeCustomerID     string     `bun:"stripe_customer_id,nullzero"`
	StripeSubscriptionID string     `bun:"stripe_subscription_id"`
	CurrentPeriodEnd     *time.Time `bun:"current_period_end"`
	PastDueSince         *time.Time `bun:"past_due_since"`
	CancelAtPeriodEnd    bool       `bun:"cancel_at_period_end"`
	SeatsQuantity        int        `bun:"seats_quantity"`
	SeatsMin             int        `bun:"seats_min"`
	UpdatedAt            time.Time  `bun:"updated_at"`
}

// mirrorColumns are the columns a webhook writes.
var mirrorColumns = []string{"plan", "billing_state", "stripe_customer_id", "stripe_subscription_id",
	"current_period_end", "past_due_since", "cancel_at_period_end", "seats_quantity", "updated_at"}

// eventRow records a processed Stripe event (platform table).
type eventRow struct {
	bun.BaseModel `bun:"table:stripe_events,alias:se"`
	ID            string     `bun:"id,pk"`
	Type          string     `bun:"type"`
	TenantID      *uuid.UUID `bun:"tenant_id,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at"` // the event's created (Stripe's clock)
	ProcessedAt   time.Time  `bun:"processed_at"`
	// Facts is the JSON of what billing took from the event's object; nil
	// for events it does not use.
	Facts *string `bun:"facts"`
}

// requestRow is an idempotency key saved before a Stripe call (tenant table).
type requestRow struct {
	bun.BaseModel `bun:"table:stripe_requests,alias:sr"`
	tenant.Scoped
	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	Op             string    `bun:"op"`
	Fingerprint    string    `bun:"fingerprint"`
	IdempotencyKey string    `bun:"idempotency_key"`
	CreatedAt      time.Time `bun:"created_at"`
}

// loadAccount reads the tenant's billing columns; lock takes a row lock on
// PostgreSQL (webhooks and seat changes serialise on it).
func loadAccount(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (*accountRow, error) {
	var row accountRow
	q := tx.NewSelect().Model(&row).Where("t.id = ?", id)
	if lock && q.Dialect().Name() == dialect.PG {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	return &row, nil
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
