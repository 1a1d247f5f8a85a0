package connect

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

// Webhook is the handler of POST /webhooks/stripe/connect, the endpoint of
// the platform's Connect webhooks (events of connected accounts; its own
// signing secret, NEXO_STRIPE_CONNECT_WEBHOOK_SECRET). A public route: the
// signature over the raw body is the credential, and a bad signature, an
// altered body or a stale timestamp is a 400 that changes nothing (S1).
func (s *Service) Webhook(secrets []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(secrets) == 0 {
			return errs.E(errs.FailedPrecondition, "Stripe Connect webhooks are not configured on this server")
		}
		ev, err := stripekit.Verify(c.Body(), c.Get("Stripe-Signature"), secrets)
		if err != nil {
			return err
		}
		if err := s.HandleEvent(c.UserContext(), ev); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"received": true})
	}
}

// handled are the event types connect applies; others are acknowledged
// and ignored.
var handled = map[stripe.EventType]bool{
	stripe.EventTypeAccountUpdated:                       true,
	stripe.EventTypeCheckoutSessionCompleted:             true,
	stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded: true,
	stripe.EventTypeCheckoutSessionAsyncPaymentFailed:    true,
	stripe.EventTypeCheckoutSessionExpired:               true,
	stripe.EventTypeRefundUpdated:                        true,
	stripe.EventTypeChargeRefundUpdated:                  true,
}

// HandleEvent applies one verified event exactly once. The tenant is the
// one whose connected account the event belongs to (event.account); an
// account no tenant has is acknowledged and ignored. The event id is
// recorded in the transaction that applies it, so a redelivery, even a
// concurrent one, finds it and does nothing; and the payment it records
// is unique per tenant by its PaymentIntent, so two events about one
// payment record it once (S2).
func (s *Service) HandleEvent(ctx context.Context, ev stripe.Event) error {
	if ev.ID == "" {
		return errs.Field("id", "missing")
	}
	if !handled[ev.Type] || ev.Account == "" {
		return nil
	}
	if ev.Data == nil {
		return errs.Field("data", "missing")
	}
	tid, err := s.tenantOf(ctx, ev.Account)
	if err != nil || tid == uuid.Nil {
		if tid == uuid.Nil && err == nil {
			s.log.Info("stripe connect: event for an account no tenant has", "event", ev.ID, "account", ev.Account)
		}
		return err
	}
	ctx = tenant.WithTenant(ctx, tid)
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		row := &eventRow{ID: ev.ID, Type: string(ev.Type), CreatedAt: unix(ev.Created), ProcessedAt: now()}
		res, err := tx.NewInsert().Model(row).On("CONFLICT (tenant_id, id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // a redelivery: already applied
		}
		switch ev.Type {
		case stripe.EventTypeAccountUpdated:
			return s.onAccount(ctx, tx, tid, ev)
		case stripe.EventTypeRefundUpdated, stripe.EventTypeChargeRefundUpdated:
			return s.onRefund(ctx, tid, ev)
		default:
			return s.onCheckout(ctx, tx, tid, ev)
		}
	})
}

// tenantOf finds the tenant of a connected account (a platform read: no
// tenant is bound yet).
func (s *Service) tenantOf(ctx context.Context, account string) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model((*tenantRow)(nil)).Column("id").Where("t.stripe_connect_account_id = ?", account).Scan(ctx, &ids)
	})
	if err != nil || len(ids) != 1 {
		return uuid.Nil, err
	}
	return ids[0], nil
}

// ours reports whether metadata written by Nexo names tenant tid. Metadata
// is ours (the event is signed and the object was made by us), so a
// mismatch means the account was moved between tenants: nothing is applied.
func ours(meta map[string]string, tid uuid.UUID) bool {
	v, ok := meta["tenant_id"]
	return !ok || v == tid.String()
}

func (s *Service) onAccount(ctx context.Context, tx bun.IDB, tid uuid.UUID, ev stripe.Event) error {
	var a stripe.Account
	if err := json.Unmarshal(ev.Data.Raw, &a); err != nil {
		return errs.Field("data.object", "malformed")
	}
	if a.ID != ev.Account || !ours(a.Metadata, tid) {
		s.log.Warn("stripe connect: account event does not match its tenant", "event", ev.ID, "account", ev.Account)
		return nil
	}
	changed, err := syncAccount(ctx, tx, accountOf(&a), unix(ev.Created))
	if err != nil || !changed {
		return err
	}
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "stripe_connect.account_updated", Resource: "payment_settings",
		ResourceID: tid.String(), After: map[string]any{"account_id": a.ID, "charges_enabled": a.ChargesEnabled,
			"details_submitted": a.DetailsSubmitted, "payouts_enabled": a.PayoutsEnabled}})
}

// onCheckout applies a Checkout Session event to its payment attempt. A
// paid session records the amount Stripe collected on the invoice, through
// invoicing, with the PaymentIntent as the payment's external reference.
// When the invoice was settled meanwhile by other means (a transfer, a
// second tab), invoicing takes only what is still owed and owes the rest
// back as a due overpayment refund (finance returns it to the card with
// POST /refunds/{id}/stripe); the attempt keeps it as unapplied_minor with
// status overpaid and an audit row: money is never dropped silently.
func (s *Service) onCheckout(ctx context.Context, tx bun.IDB, tid uuid.UUID, ev stripe.Event) error {
	var cs stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil || cs.ID == "" {
		return errs.Field("data.object", "malformed")
	}
	a, err := lockAttempt(ctx, tx, "pa.checkout_session_id = ?", cs.ID)
	if err == nil && a == nil {
		// The session was made but its id not stored (a crash after the
		// call): the metadata names the attempt.
		if id, perr := uuid.Parse(cs.Metadata["attempt_id"]); perr == nil {
			a, err = lockAttempt(ctx, tx, "pa.id = ?", id)
		}
	}
	if err != nil {
		return err
	}
	if a == nil || !ours(cs.Metadata, tid) || a.StripeAccountID != ev.Account ||
		(cs.Metadata["invoice_id"] != "" && cs.Metadata["invoice_id"] != a.InvoiceID.String()) {
		s.log.Warn("stripe connect: checkout session is not one of the tenant's payment attempts", "event", ev.ID, "session", cs.ID)
		return nil
	}
	if a.Status != attemptOpen && a.Status != attemptExpired && a.Status != attemptFailed {
		return nil // already recorded (or waiting for finance)
	}
	switch ev.Type {
	case stripe.EventTypeCheckoutSessionExpired:
		return s.closeAttempt(ctx, tx, a, attemptExpired, cs.ID)
	case stripe.EventTypeCheckoutSessionAsyncPaymentFailed:
		return s.closeAttempt(ctx, tx, a, attemptFailed, cs.ID)
	case stripe.EventTypeCheckoutSessionCompleted:
		if cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
			return nil // a delayed method: async_payment_succeeded follows
		}
	}
	ref := cs.ID
	if cs.PaymentIntent != nil && cs.PaymentIntent.ID != "" {
		ref = cs.PaymentIntent.ID
	}
	amount, currency := cs.AmountTotal, string(cs.Currency)
	before := *a
	a.SessionUpdate(cs.ID, ref, amount, currency)
	var rec Recorded
	if amount > 0 {
		rec, err = s.invoices.RecordCardPayment(ctx, a.InvoiceID, amount, currency, ref)
	}
	switch {
	case amount <= 0 || errs.Is(err, errs.FailedPrecondition) || errs.Is(err, errs.Invalid):
		// Paid, but not in a form the invoice can take (no amount, another
		// currency): finance looks at it in Stripe.
		a.Status = attemptReview
		s.log.Warn("stripe connect: a paid checkout session could not be recorded", "session", cs.ID, "err", err)
	case err != nil:
		return err
	default:
		a.PaymentID, a.UnappliedMinor, a.Status = rec.PaymentID, rec.ExcessMinor, attemptPaid
		if rec.ExcessMinor > 0 {
			a.Status = attemptOverpaid
		}
	}
	if _, err := tx.NewUpdate().Model(a).Column("status", "checkout_session_id", "payment_intent_id", "payment_id",
		"received_minor", "received_currency", "unapplied_minor", "updated_at").WherePK().Exec(ctx); err != nil {
		return err
	}
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "payment_attempt." + a.Status, Resource: "payment_attempts",
		ResourceID: a.ID.String(), Before: attemptAudit(before), After: attemptAudit(*a)})
}

// onRefund applies a Stripe Refund's new status to the refund that asked
// for it (named by the metadata, else by the Stripe id). A refund made in
// the tenant's Stripe dashboard is not one of Nexo's: acknowledged and
// ignored, like one whose metadata names another tenant.
func (s *Service) onRefund(ctx context.Context, tid uuid.UUID, ev stripe.Event) error {
	var r stripe.Refund
	if err := json.Unmarshal(ev.Data.Raw, &r); err != nil || r.ID == "" {
		return errs.Field("data.object", "malformed")
	}
	if !ours(r.Metadata, tid) {
		s.log.Warn("stripe connect: refund event does not match its tenant", "event", ev.ID, "refund", r.ID)
		return nil
	}
	id, _ := uuid.Parse(r.Metadata["refund_id"])
	_, err := s.invoices.SettleCardRefund(ctx, id, r.ID, string(r.Status))
	if errs.Is(err, errs.NotFound) {
		s.log.Info("stripe connect: a refund Nexo did not make", "event", ev.ID, "refund", r.ID)
		return nil
	}
	return err
}

// SessionUpdate notes what Stripe reported about a paid session. Stripe
// writes currencies in lower case; ours are ISO upper case. A currency that
// is not three letters is not kept (the column refuses it; the amount is
// still shown for review).
func (a *attemptRow) SessionUpdate(session, intent string, received int64, currency string) {
	a.CheckoutSessionID, a.PaymentIntentID, a.ReceivedMinor, a.UpdatedAt = &session, &intent, max(received, 0), now()
	if c := strings.ToUpper(currency); isCurrency(c) {
		a.ReceivedCurrency = &c
	}
}

func isCurrency(c string) bool {
	return len(c) == 3 && strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

func (s *Service) closeAttempt(ctx context.Context, tx bun.IDB, a *attemptRow, status, session string) error {
	if a.Status != attemptOpen {
		return nil
	}
	before := *a
	a.Status, a.CheckoutSessionID, a.UpdatedAt = status, &session, now()
	if _, err := tx.NewUpdate().Model(a).Column("status", "checkout_session_id", "updated_at").WherePK().Exec(ctx); err != nil {
		return err
	}
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "payment_attempt." + status, Resource: "payment_attempts",
		ResourceID: a.ID.String(), Before: attemptAudit(before), After: attemptAudit(*a)})
}

func attemptAudit(a attemptRow) map[string]any {
	return map[string]any{"invoice_id": a.InvoiceID, "status": a.Status, "amount_minor": a.AmountMinor, "currency": a.Currency,
		"checkout_session_id": a.CheckoutSessionID, "payment_intent_id": a.PaymentIntentID, "payment_id": a.PaymentID,
		"received_minor": a.ReceivedMinor, "received_currency": a.ReceivedCurrency, "unapplied_minor": a.UnappliedMinor,
		"resolution_note": a.ResolutionNote, "resolved_by": a.ResolvedBy, "resolved_at": a.ResolvedAt}
}

func unix(sec int64) time.Time {
	if sec == 0 {
		return now()
	}
	return time.Unix(sec, 0).UTC()
}
