package connect

import (
	"context"

	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/stripekit"
	"nexo/tenant"
)

// Refund returns a due refund to the card that paid its invoice, through
// Stripe on the tenant's connected account. The refund moves to processing
// with its idempotency key in a committed transaction before Stripe is
// called (S3), so a crash or a timeout is retried with the same key and
// Stripe refunds once. Stripe's answer is applied at once (succeeded: the
// refund is done); a pending refund is completed by its webhook. A refusal
// from Stripe puts the refund back to due and is a 422; an unknown outcome
// leaves it processing for a retry. Without online payments connected, or
// with no card payment to carry it, it is a 422 and nothing changes.
func (s *Service) Refund(ctx context.Context, refundID uuid.UUID) (RefundState, error) {
	st, err := s.State(ctx)
	if err != nil {
		return RefundState{}, err
	}
	if st.AccountID == "" || !s.gw.Configured() {
		msg := "this company has no Stripe account connected: record the refund as a bank transfer"
		return RefundState{}, &errs.Error{Code: errs.FailedPrecondition, Message: msg, Fields: map[string]string{"method": msg}}
	}
	kctx := s.db.OwnTx(ctx)
	cr, err := s.invoices.BeginCardRefund(kctx, refundID)
	if err != nil {
		return RefundState{}, err
	}
	if cr.Done {
		return RefundState{ID: cr.ID, Status: "refunded", AmountMinor: cr.AmountMinor, Currency: cr.Currency, StripeID: cr.StripeID}, nil
	}
	tid, _ := tenant.FromContext(ctx)
	res, err := s.gw.CreateRefund(ctx, cr.IdempotencyKey, RefundParams{AccountID: st.AccountID, TenantID: tid.String(),
		RefundID: cr.ID.String(), PaymentIntent: cr.PaymentIntent, AmountMinor: cr.AmountMinor})
	if err != nil {
		if stripekit.Definite(err) {
			if _, serr := s.invoices.SettleCardRefund(kctx, refundID, "", "failed"); serr != nil {
				s.log.Warn("stripe connect: could not release a refused refund", "refund", refundID, "err", serr)
			}
		}
		return RefundState{}, err
	}
	return s.invoices.SettleCardRefund(kctx, refundID, res.ID, res.Status)
}
