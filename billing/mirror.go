package billing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// sync mirrors the tenant's subscription inside the webhook's transaction,
// with the tenant row locked, from a fresh read of Stripe: an event only
// says which subscription to look at, never what its state is, so an old
// event delivered late cannot regress the tenant.
func (s *Service) sync(ctx context.Context, tx bun.IDB, tid uuid.UUID, ref eventRef) error {
	a, err := loadAccount(ctx, tx, tid, true)
	if err != nil {
		return err
	}
	if a.StripeCustomerID == "" {
		a.StripeCustomerID = ref.customerID // found through our metadata
	}
	sub, err := s.fetch(ctx, ref.subscriptionID)
	if err != nil {
		return err
	}
	if a.StripeSubscriptionID != "" && a.StripeSubscriptionID != ref.subscriptionID {
		cur, err := s.fetch(ctx, a.StripeSubscriptionID)
		if err != nil {
			return err
		}
		sub = prefer(cur, sub)
	}
	if sub != nil && sub.CustomerID != a.StripeCustomerID {
		sub = nil // SECURITY: another customer's subscription never lands on this tenant
	}
	if sub != nil {
		s.mirror(ctx, a, *sub)
	}
	a.UpdatedAt = now()
	_, err = tx.NewUpdate().Model(a).Column(mirrorColumns...).WherePK().Exec(ctx)
	return err
}

func (s *Service) fetch(ctx context.Context, id string) (*Subscription, error) {
	sub, err := s.gw.Subscription(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// prefer picks the subscription a tenant with two of them mirrors: a live
// one over an unstarted one over an ended one, then the newer, then by id.
// It is a total order on Stripe's current objects, so the choice does not
// depend on which event came first.
func prefer(a, b *Subscription) *Subscription {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case rank(a.Status) != rank(b.Status):
		if rank(a.Status) > rank(b.Status) {
			return a
		}
		return b
	case !a.Created.Equal(b.Created):
		if a.Created.After(b.Created) {
			return a
		}
		return b
	case a.ID > b.ID:
		return a
	}
	return b
}

func rank(status string) int {
	switch status {
	case "canceled", "incomplete_expired":
		return 0
	case "incomplete":
		return 1
	}
	return 2
}

// stateOf maps Stripe's subscription status to the tenant's billing state;
// false for a subscription that never started (its first payment pending
// or abandoned), which leaves the tenant as it was.
func stateOf(status string) (string, bool) {
	switch status {
	case "trialing", "active", "canceled":
		return status, true
	case "past_due", "unpaid", "paused":
		// unpaid: Stripe gave up retrying; paused: a trial ended without a
		// card. Both keep the invoice open: grace, then read-only.
		return "past_due", true
	}
	return "", false
}

// mirror copies a subscription onto the tenant row.
func (s *Service) mirror(ctx context.Context, a *accountRow, sub Subscription) {
	state, ok := stateOf(sub.Status)
	if !ok {
		return
	}
	a.StripeSubscriptionID = sub.ID
	a.BillingState = state
	if p, ok := s.cat.PlanByPrice(sub.PriceID); ok {
		a.Plan = p.ID
	} else if sub.PriceID != "" {
		s.log.WarnContext(ctx, "stripe price is not in the plan catalog; plan unchanged",
			"tenant_id", a.ID, "price", sub.PriceID)
	}
	a.CurrentPeriodEnd = timePtr(sub.CurrentPeriodEnd)
	a.CancelAtPeriodEnd = sub.CancelAtPeriodEnd
	a.SeatsQuantity = int(sub.Quantity)
	switch {
	case state != "past_due":
		a.PastDueSince = nil
	case !sub.UnpaidSince.IsZero():
		a.PastDueSince = timePtr(sub.UnpaidSince)
	case a.PastDueSince == nil:
		// No open invoice found (Stripe's retry just ran): count from now.
		a.PastDueSince = timePtr(now())
	}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
