package billing

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// Secrets splits NEXO_STRIPE_WEBHOOK_SECRET: one signing secret, or two
// separated by a comma while Stripe rolls the secret.
func Secrets(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

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
	// The event's object is only used for ids: state is re-read from Stripe
	// through stripe-go at its own API version, so another version's
	// payload shape is harmless.
	opt := webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true}
	for _, secret := range secrets {
		ev, err := webhook.ConstructEventWithOptions(body, header, secret, opt)
		switch {
		case err == nil:
			return ev, nil
		case errors.Is(err, webhook.ErrTooOld):
			return ev, errs.E(errs.Invalid, "Stripe signature timestamp is too old")
		case errors.Is(err, webhook.ErrNoValidSignature):
			continue // maybe signed with the other secret
		default:
			return ev, errs.E(errs.Invalid, "invalid Stripe webhook: %s", "malformed signature header or body")
		}
	}
	return stripe.Event{}, errs.E(errs.Invalid, "invalid Stripe signature")
}

// eventRef is what an event says about which subscription changed.
type eventRef struct {
	subscriptionID string
	customerID     string
	tenantRef      string // our tenant id, from client_reference_id or metadata
}

func refOf(ev stripe.Event) (eventRef, error) {
	if ev.Data == nil {
		return eventRef{}, errs.Field("data", "missing")
	}
	var r eventRef
	var err error
	switch {
	case ev.Type == stripe.EventTypeCheckoutSessionCompleted:
		var cs stripe.CheckoutSession
		if err = json.Unmarshal(ev.Data.Raw, &cs); err == nil {
			r.tenantRef = cs.ClientReferenceID
			if cs.Subscription != nil {
				r.subscriptionID = cs.Subscription.ID
			}
			if cs.Customer != nil {
				r.customerID = cs.Customer.ID
			}
		}
	case strings.HasPrefix(string(ev.Type), "customer.subscription."):
		var sub stripe.Subscription
		if err = json.Unmarshal(ev.Data.Raw, &sub); err == nil {
			r.subscriptionID, r.tenantRef = sub.ID, sub.Metadata["tenant_id"]
			if sub.Customer != nil {
				r.customerID = sub.Customer.ID
			}
		}
	case ev.Type == stripe.EventTypeInvoicePaid, ev.Type == stripe.EventTypeInvoicePaymentSucceeded,
		ev.Type == stripe.EventTypeInvoicePaymentFailed, ev.Type == stripe.EventTypeInvoicePaymentActionRequired:
		var inv stripe.Invoice
		if err = json.Unmarshal(ev.Data.Raw, &inv); err == nil {
			if inv.Subscription != nil {
				r.subscriptionID = inv.Subscription.ID
			}
			if inv.Customer != nil {
				r.customerID = inv.Customer.ID
			}
		}
	}
	if err != nil {
		return r, errs.Field("data.object", "malformed")
	}
	return r, nil
}

// HandleEvent applies one verified event exactly once: the event id is
// recorded in the transaction that applies it, so a redelivery finds it and
// does nothing. The tenant row is locked and the subscription re-read from
// Stripe inside that transaction, so whatever order events arrive in, the
// tenant ends up mirroring Stripe's current subscription (S2).
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
		res, err := tx.NewInsert().Model(row).On("CONFLICT (id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // a redelivery: already applied
		}
		if tid == uuid.Nil || ref.subscriptionID == "" {
			return nil // not about one of our subscriptions: recorded, nothing to do
		}
		if err := s.sync(ctx, tx, tid, ref); err != nil {
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
	if ref.customerID != "" {
		var ids []uuid.UUID
		if err := tx.NewSelect().Model((*accountRow)(nil)).Column("id").
			Where("t.stripe_customer_id = ?", ref.customerID).Scan(ctx, &ids); err != nil {
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
		Where("t.stripe_customer_id IS NULL OR t.stripe_customer_id = ?", ref.customerID).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return uuid.Nil, err
	}
	return id, nil
}
