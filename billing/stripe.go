package billing

import (
	"context"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"nexo/internal/errs"
	"nexo/internal/stripekit"
)

// StripeConfig configures the Stripe gateway.
type StripeConfig = stripekit.Config

// NewGateway returns the Stripe gateway, or Unconfigured when there is no
// secret key (embedded mode).
func NewGateway(cfg StripeConfig) Gateway {
	if cfg.SecretKey == "" {
		return Unconfigured{}
	}
	return NewStripe(cfg)
}

// Stripe is the Gateway over stripe-go: with connect's, the only code in
// Nexo that calls Stripe's API.
type Stripe struct{ api *client.API }

// NewStripe builds the stripe-go client with explicit timeout and retries.
func NewStripe(cfg StripeConfig) *Stripe { return &Stripe{api: stripekit.NewAPI(cfg)} }

// Configured implements Gateway.
func (*Stripe) Configured() bool { return true }

func params(ctx context.Context, key string) stripe.Params { return stripekit.Params(ctx, key) }

// CreateCustomer implements Gateway.
func (s *Stripe) CreateCustomer(ctx context.Context, key string, c Customer) (string, error) {
	p := &stripe.CustomerParams{Params: params(ctx, key), Name: stripe.String(c.Name),
		Metadata: map[string]string{"tenant_id": c.TenantID}}
	if c.Email != "" {
		p.Email = stripe.String(c.Email)
	}
	cu, err := s.api.Customers.New(p)
	if err != nil {
		return "", translate(err)
	}
	return cu.ID, nil
}

// CreateCheckout implements Gateway.
func (s *Stripe) CreateCheckout(ctx context.Context, key string, in CheckoutParams) (Session, error) {
	meta := map[string]string{"tenant_id": in.TenantID}
	p := &stripe.CheckoutSessionParams{
		Params:            params(ctx, key),
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(in.CustomerID),
		ClientReferenceID: stripe.String(in.TenantID),
		SuccessURL:        stripe.String(in.SuccessURL),
		CancelURL:         stripe.String(in.CancelURL),
		LineItems:         []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String(in.PriceID), Quantity: stripe.Int64(in.Quantity)}},
		SubscriptionData:  &stripe.CheckoutSessionSubscriptionDataParams{Metadata: meta},
	}
	p.Metadata = meta
	cs, err := s.api.CheckoutSessions.New(p)
	if err != nil {
		return Session{}, translate(err)
	}
	return Session{ID: cs.ID, URL: cs.URL}, nil
}

// CreatePortal implements Gateway.
func (s *Stripe) CreatePortal(ctx context.Context, key, customerID, returnURL string) (Session, error) {
	ps, err := s.api.BillingPortalSessions.New(&stripe.BillingPortalSessionParams{Params: params(ctx, key),
		Customer: stripe.String(customerID), ReturnURL: stripe.String(returnURL)})
	if err != nil {
		return Session{}, translate(err)
	}
	return Session{ID: ps.ID, URL: ps.URL}, nil
}

// UpdateSubscription implements Gateway.
func (s *Stripe) UpdateSubscription(ctx context.Context, key, id string, u SubscriptionUpdate) (Subscription, error) {
	cur, err := s.api.Subscriptions.Get(id, &stripe.SubscriptionParams{Params: params(ctx, "")})
	if err != nil {
		return Subscription{}, translate(err)
	}
	if cur.Items == nil || len(cur.Items.Data) == 0 {
		return Subscription{}, errs.E(errs.FailedPrecondition, "the subscription has no item to change")
	}
	item := &stripe.SubscriptionItemsParams{ID: stripe.String(cur.Items.Data[0].ID)}
	if u.PriceID != "" {
		item.Price = stripe.String(u.PriceID)
	}
	if u.Quantity > 0 {
		item.Quantity = stripe.Int64(u.Quantity)
	}
	sub, err := s.api.Subscriptions.Update(id, &stripe.SubscriptionParams{Params: params(ctx, key),
		Items: []*stripe.SubscriptionItemsParams{item}, ProrationBehavior: stripe.String("create_prorations")})
	if err != nil {
		return Subscription{}, translate(err)
	}
	return fromStripe(sub), nil
}

// CancelAtPeriodEnd implements Gateway.
func (s *Stripe) CancelAtPeriodEnd(ctx context.Context, key, id string, cancel bool) (Subscription, error) {
	sub, err := s.api.Subscriptions.Update(id, &stripe.SubscriptionParams{Params: params(ctx, key),
		CancelAtPeriodEnd: stripe.Bool(cancel)})
	if err != nil {
		return Subscription{}, translate(err)
	}
	return fromStripe(sub), nil
}

func fromStripe(sub *stripe.Subscription) Subscription {
	out := Subscription{ID: sub.ID, Status: string(sub.Status), Created: unix(sub.Created),
		CurrentPeriodEnd: unix(sub.CurrentPeriodEnd), CancelAtPeriodEnd: sub.CancelAtPeriodEnd}
	if sub.Customer != nil {
		out.CustomerID = sub.Customer.ID
	}
	if sub.Items != nil && len(sub.Items.Data) > 0 {
		it := sub.Items.Data[0]
		out.Quantity = it.Quantity
		if it.Price != nil {
			out.PriceID = it.Price.ID
		}
	}
	return out
}

func unix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

func translate(err error) error { return stripekit.Translate(err) }

// definite reports whether a gateway error means the call certainly had no
// effect worth replaying, so its idempotency key may be dropped.
func definite(err error) bool { return stripekit.Definite(err) }
