package billing

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// SeatsTopic is the outbox topic that brings the subscription's quantity in
// line with the seats in use; register SeatSyncHandler for it on the relay.
const SeatsTopic = "billing.seats.sync"

// seatSync is the topic's payload: empty, because the handler recounts at
// delivery time (a burst of invitations needs one Stripe call, not many).
type seatSync struct{}

// PublishSeatSync writes a seat-sync event into the caller's transaction, so
// it is delivered if and only if the change (an invitation, a deactivation)
// commits.
func PublishSeatSync(ctx context.Context, tx bun.IDB, tenantID uuid.UUID) error {
	return events.Publish(ctx, tx, tenantID, SeatsTopic, seatSync{})
}

// SeatsChanged implements tenant.SeatLimiter: PublishSeatSync for the
// tenant bound to ctx, after any seat change. Without Stripe there is no
// subscription to update, so nothing is published.
func (s *Service) SeatsChanged(ctx context.Context, tx bun.IDB) error {
	if !s.Configured() {
		return nil
	}
	tid, ok := tenant.FromContext(ctx)
	if !ok {
		return tenant.ErrNoTenant
	}
	return PublishSeatSync(ctx, tx, tid)
}

// SetSeats sets the seats the tenant pays for at least (the quantity never
// drops below the seats in use). The Stripe update goes through the outbox.
func (s *Service) SetSeats(ctx context.Context, seats int) (Status, error) {
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return Status{}, errs.E(errs.Unauthenticated, "not logged in")
	}
	if !s.Configured() {
		return Status{}, errNotConfigured
	}
	a, err := s.account(ctx, p.TenantID)
	if err != nil {
		return Status{}, err
	}
	plan := s.planOf(a.Plan)
	used, err := s.tenants.CountSeats(ctx)
	if err != nil {
		return Status{}, err
	}
	switch {
	case seats < 1:
		return Status{}, errs.Field("seats", "must be at least 1")
	case seats > plan.Seats:
		return Status{}, errs.Field("seats", fmt.Sprintf("the %s plan allows at most %d seats", plan.Name, plan.Seats))
	case seats < used:
		return Status{}, errs.Field("seats", fmt.Sprintf("must be at least the %d seats in use (users and pending invitations)", used))
	}
	if a.StripeSubscriptionID == "" || a.BillingState == "canceled" {
		return Status{}, errs.E(errs.FailedPrecondition, "there is no active subscription: subscribe to a plan first")
	}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if a, err = loadAccount(ctx, tx, p.TenantID, true); err != nil {
			return err
		}
		a.SeatsMin = seats
		if _, err := tx.NewUpdate().Model(a).Column("seats_min").WherePK().Exec(ctx); err != nil {
			return err
		}
		return PublishSeatSync(ctx, tx, p.TenantID)
	})
	if err != nil {
		return Status{}, err
	}
	return s.status(a, used), nil
}

// SeatSyncHandler consumes SeatsTopic under the event's tenant.
func (s *Service) SeatSyncHandler() events.Handler {
	return func(ctx context.Context, e events.Event) error {
		err := s.SyncSeats(ctx)
		if err != nil && definite(err) {
			return events.Permanent(err)
		}
		return err
	}
}

// SyncSeats sets the subscription's quantity to the seats to bill: in use,
// or bought, whichever is more. The mirrored quantity is left to the
// customer.subscription.updated webhook that follows, which carries the
// change in Stripe's order: writing the answer here could overwrite a
// newer one.
func (s *Service) SyncSeats(ctx context.Context) error {
	tid, ok := tenant.FromContext(ctx)
	if !ok {
		return events.Permanent(tenant.ErrNoTenant)
	}
	if !s.Configured() {
		return nil
	}
	a, err := s.account(ctx, tid)
	if err != nil {
		return err
	}
	if a.StripeSubscriptionID == "" || a.BillingState == "canceled" {
		return nil
	}
	used, err := s.tenants.CountSeats(ctx)
	if err != nil {
		return err
	}
	want := max(used, a.SeatsMin, 1)
	if want == a.SeatsQuantity {
		return nil
	}
	fp := fmt.Sprintf("%s|q=%d", a.StripeSubscriptionID, want)
	return s.withKey(ctx, "subscription.quantity", fp, func(key string) error {
		_, err := s.gw.UpdateSubscription(ctx, key, a.StripeSubscriptionID, SubscriptionUpdate{Quantity: int64(want)})
		return err
	}, nil)
}
