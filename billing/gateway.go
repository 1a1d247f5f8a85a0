package billing

import (
	"context"
	"time"

	"nexo/internal/errs"
)

// Gateway is what billing needs from the payment provider. The Stripe
// implementation (NewStripe) is the only code that talks to Stripe; the
// Unconfigured gateway serves embedded mode without keys. Every method that
// creates or changes something takes the idempotency key the caller saved
// before the call (S3).
type Gateway interface {
	// Configured reports whether the gateway can reach a provider.
	Configured() bool
	CreateCustomer(ctx context.Context, key string, c Customer) (customerID string, err error)
	CreateCheckout(ctx context.Context, key string, p CheckoutParams) (Session, error)
	CreatePortal(ctx context.Context, key string, customerID, returnURL string) (Session, error)
	// UpdateSubscription changes the price and/or quantity of the
	// subscription's one item, with proration.
	UpdateSubscription(ctx context.Context, key, id string, u SubscriptionUpdate) (Subscription, error)
	// CancelAtPeriodEnd sets or clears cancellation at the period's end.
	CancelAtPeriodEnd(ctx context.Context, key, id string, cancel bool) (Subscription, error)
}

// Customer is the provider-side customer of one tenant.
type Customer struct {
	TenantID string
	Name     string
	Email    string
}

// CheckoutParams describes a subscription checkout.
type CheckoutParams struct {
	TenantID   string // client_reference_id and metadata: links the session back
	CustomerID string
	PriceID    string
	Quantity   int64
	SuccessURL string
	CancelURL  string
}

// Session is a hosted page (checkout or billing portal).
type Session struct {
	ID  string
	URL string
}

// SubscriptionUpdate is a plan and/or seat change; zero fields stay.
type SubscriptionUpdate struct {
	PriceID  string
	Quantity int64
}

// Subscription is the provider's subscription, reduced to what billing
// mirrors on the tenant. Webhooks store it as JSON (stripe_events.facts).
type Subscription struct {
	ID                string    `json:"id"`
	CustomerID        string    `json:"customer"`
	Status            string    `json:"status"` // Stripe's: trialing, active, past_due, unpaid, canceled, incomplete, ...
	PriceID           string    `json:"price"`
	Quantity          int64     `json:"quantity"`
	Created           time.Time `json:"created"`
	CurrentPeriodEnd  time.Time `json:"current_period_end"`
	CancelAtPeriodEnd bool      `json:"cancel_at_period_end"`
}

// errNotConfigured is what every call answers without Stripe keys: a 4xx
// the client can act on, never a 500.
var errNotConfigured = errs.E(errs.FailedPrecondition,
	"billing is not configured on this server (no Stripe keys): plans are shown, checkout and the billing portal are unavailable")

// Unconfigured is the gateway of a server without Stripe keys.
type Unconfigured struct{}

// Configured implements Gateway.
func (Unconfigured) Configured() bool { return false }

// CreateCustomer implements Gateway.
func (Unconfigured) CreateCustomer(context.Context, string, Customer) (string, error) {
	return "", errNotConfigured
}

// CreateCheckout implements Gateway.
func (Unconfigured) CreateCheckout(context.Context, string, CheckoutParams) (Session, error) {
	return Session{}, errNotConfigured
}

// CreatePortal implements Gateway.
func (Unconfigured) CreatePortal(context.Context, string, string, string) (Session, error) {
	return Session{}, errNotConfigured
}

// UpdateSubscription implements Gateway.
func (Unconfigured) UpdateSubscription(context.Context, string, string, SubscriptionUpdate) (Subscription, error) {
	return Subscription{}, errNotConfigured
}

// CancelAtPeriodEnd implements Gateway.
func (Unconfigured) CancelAtPeriodEnd(context.Context, string, string, bool) (Subscription, error) {
	return Subscription{}, errNotConfigured
}
