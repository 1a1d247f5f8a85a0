package billing

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/stripekit"
	"nexo/tenant"
)

// Secrets splits NEXO_STRIPE_WEBHOOK_SECRET: one signing secret, or two
// separated by a comma while Stripe rolls the secret.
func Secrets(s string) []string { return stripekit.Secrets(s) }

// Webhook is the handler of POST /webhooks/stripe (a public route: the
// signature is the credential). The raw body is verified against each
// secret with stripe-go's default tolerance; a bad signature, an altered
// body or a stale timestamp is a 400 and changes nothing (S1).
func (s *Service) Webhook(secrets []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(secrets) == 0 || s.db == nil {
			return errs.E(errs.FailedPrecondition, "Stripe webhooks are not configured on this server")
		}
		ev, err := verify(c.Body(), c.Get("Stripe-Signature"), secrets)
		if err != nil {
			return err
		}
		if err := s.HandleEvent(c.UserContext(), ev); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"received": true})
	}
}

func verify(body []byte, header string, secrets []string) (stripe.Event, error) {
	return stripekit.Verify(body, header, secrets)
}

// eventRef is what an event says about which tenant and subscription it
// concerns, and what billing takes from its object.
type eventRef struct {
	tenantRef string // our tenant id, from client_reference_id or metadata
	facts
}

func refOf(ev stripe.Event) (eventRef, error) {
	if ev.Data == nil {
		return eventRef{}, errs.Field("data", "missing")
	}
	var r eventRef
	var err error
	switch {
	case ev.Type == stripe.EventTypeCheckoutSessionCompleted:
		// Names the customer and subscription; the subscription's state
		// comes with its own customer.subscription.created event.
		var cs stripe.CheckoutSession
		if err = json.Unmarshal(ev.Data.Raw, &cs); err == nil {
			r.tenantRef = cs.ClientReferenceID
			if cs.Subscription != nil {
				r.Subscription = cs.Subscription.ID
			}
			if cs.Customer != nil {
				r.Customer = cs.Customer.ID
			}
		}
	case strings.HasPrefix(string(ev.Type), "customer.subscription."):
		var sub stripe.Subscription
		if err = json.Unmarshal(ev.Data.Raw, &sub); err == nil && sub.ID != "" {
			r.tenantRef = sub.Metadata["tenant_id"]
			snap := fromStripe(&sub)
			if snap.CurrentPeriodEnd.IsZero() {
				snap.CurrentPeriodEnd = itemPeriodEnd(ev.Data.Raw)
			}
			r.Subscription, r.Customer, r.Snapshot = sub.ID, snap.CustomerID, &snap
		}
	case ev.Type == stripe.EventTypeInvoicePaid, ev.Type == stripe.EventTypeInvoicePaymentSucceeded,
		ev.Type == stripe.EventTypeInvoicePaymentFailed, ev.Type == stripe.EventTypeInvoicePaymentActionRequired:
		// An invoice says nothing of the subscription's status (Stripe
		// sends customer.subscription.updated for that); a failed charge
		// only marks when the trouble began, for the grace period.
		var inv stripe.Invoice
		if err = json.Unmarshal(ev.Data.Raw, &inv); err == nil {
			if inv.Subscription != nil {
				r.Subscription = inv.Subscription.ID
			}
			if inv.Customer != nil {
				r.Customer = inv.Customer.ID
			}
			r.Failed = ev.Type == stripe.EventTypeInvoicePaymentFailed || ev.Type == stripe.EventTypeInvoicePaymentActionRequired
		}
	}
	if err != nil {
		return r, errs.Field("data.object", "malformed")
	}
	return r, nil
}

// itemPeriodEnd reads items.data[0].current_period_end: API versions after
// stripe-go v76's moved the period from the subscription to its items.
func itemPeriodEnd(raw []byte) time.Time {
	var s struct {
		Items struct {
			Data []struct {
				CurrentPeriodEnd int64 `json:"current_period_end"`
			} `json:"data"`
		} `json:"items"`
	}
	if json.Unmarshal(raw, &s) != nil || len(s.Items.Data) == 0 {
		return time.Time{}
	}
	return unix(s.Items.Data[0].CurrentPeriodEnd)
}

// HandleEvent applies one verified event exactly once: the event id is
// recorded, with what billing takes from its object, in the transaction
// that applies it, so a redelivery finds it and does nothing. The tenant's
// billing columns are then recomputed from all its recorded events in a
// fixed order (fold), so whatever order events arrive in, the tenant ends
// in the state in-order delivery gives (S2). Stripe is not re-read: the
// event's own object is Stripe's state at the event's time.
func (s *Service) HandleEvent(ctx context.Context, ev stripe.Event) error {
	if ev.ID == "" {
		return errs.Field("id", "missing")
	}
	ref, err := refOf(ev)
	if err != nil {
		return err
	}
	return s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		tid, err := s.findTenant(ctx, tx, ref)
		if err != nil {
			return err
		}
		row := &eventRow{ID: ev.ID, Type: string(ev.Type), CreatedAt: unix(ev.Created), ProcessedAt: now()}
		if tid != uuid.Nil {
			row.TenantID = &tid
		}
		if ref.Subscription != "" {
			b, err := json.Marshal(ref.facts)
			if err != nil {
				return err
			}
			f := string(b)
			row.Facts = &f
		}
		res, err := tx.NewInsert().Model(row).On("CONFLICT (id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // a redelivery: already applied
		}
		if tid == uuid.Nil || ref.Subscription == "" {
			return nil // not about one of our subscriptions: recorded, nothing to do
		}
		if err := s.fold(ctx, tx, tid, ref.Customer); err != nil {
			return err
		}
		tenant.AfterCommit(ctx, func() { s.forget(tid) })
		return nil
	})
}

// findTenant maps an event to its tenant: by Stripe customer, or by the
// tenant id we put in the checkout session and subscription metadata (the
// webhook is signed, so the metadata is ours).
func (s *Service) findTenant(ctx context.Context, tx bun.IDB, ref eventRef) (uuid.UUID, error) {
	if ref.Customer != "" {
		var ids []uuid.UUID
		if err := tx.NewSelect().Model((*accountRow)(nil)).Column("id").
			Where("t.stripe_customer_id = ?", ref.Customer).Scan(ctx, &ids); err != nil {
			return uuid.Nil, err
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	id, err := uuid.Parse(ref.tenantRef)
	if err != nil {
		return uuid.Nil, nil
	}
	var ids []uuid.UUID
	err = tx.NewSelect().Model((*accountRow)(nil)).Column("id").Where("t.id = ?", id).
		Where("t.stripe_customer_id IS NULL OR t.stripe_customer_id = ?", ref.Customer).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return uuid.Nil, err
	}
	return id, nil
}
