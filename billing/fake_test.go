package billing

import (
	"context"
	"sync/atomic"
)

// offline is a configured gateway that counts every call: webhooks must
// never reach Stripe (the event's object is the state), so the webhook
// tests assert it stays at zero.
type offline struct {
	Unconfigured
	calls atomic.Int64
}

func (o *offline) Configured() bool { return true }

func (o *offline) CreateCustomer(ctx context.Context, key string, c Customer) (string, error) {
	o.calls.Add(1)
	return o.Unconfigured.CreateCustomer(ctx, key, c)
}

func (o *offline) CreateCheckout(ctx context.Context, key string, p CheckoutParams) (Session, error) {
	o.calls.Add(1)
	return o.Unconfigured.CreateCheckout(ctx, key, p)
}

func (o *offline) CreatePortal(ctx context.Context, key, customerID, returnURL string) (Session, error) {
	o.calls.Add(1)
	return o.Unconfigured.CreatePortal(ctx, key, customerID, returnURL)
}

func (o *offline) UpdateSubscription(ctx context.Context, key, id string, u SubscriptionUpdate) (Subscription, error) {
	o.calls.Add(1)
	return o.Unconfigured.UpdateSubscription(ctx, key, id, u)
}

func (o *offline) CancelAtPeriodEnd(ctx context.Context, key, id string, cancel bool) (Subscription, error) {
	o.calls.Add(1)
	return o.Unconfigured.CancelAtPeriodEnd(ctx, key, id, cancel)
}
