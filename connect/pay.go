package connect

import (
	"context"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/stripekit"
	"nexo/tenant"
)

// reuseFor is how long an open Checkout Session is offered again for the
// same amount: Stripe expires sessions after 24 hours.
const reuseFor = 23 * time.Hour

// payable reports why an invoice cannot be paid online, or "".
func payable(inv Invoice) string {
	switch {
	case inv.Status == "paid" || inv.Status == "credited":
		return "the invoice is already settled"
	case inv.BalanceMinor <= 0:
		return "the invoice has no balance to pay"
	}
	return ""
}

// Pay opens a Stripe Checkout Session on the tenant's connected account for
// the invoice's open balance and returns its URL. The attempt row, with
// the session's idempotency key, is committed before Stripe is called
// (S3); an open session for the same amount is offered again rather than
// a second one made. A settled invoice, a zero balance and a tenant that
// cannot take online payments are 422s; another account's invoice is a
// 404 like a missing one.
func (s *Service) Pay(ctx context.Context, invoiceID uuid.UUID) (Session, error) {
	inv, err := s.invoices.Invoice(ctx, invoiceID)
	if err != nil {
		return Session{}, err
	}
	if why := payable(inv); why != "" {
		return Session{}, errs.E(errs.FailedPrecondition, "%s", why)
	}
	st, err := s.State(ctx)
	if err != nil {
		return Session{}, err
	}
	if !st.Online() {
		return Session{}, errs.E(errs.FailedPrecondition, "%s", "online payment is not available for this company: pay by bank transfer with the details on the invoice")
	}
	slug, err := s.slug(ctx)
	if err != nil {
		return Session{}, err
	}
	kctx := s.db.OwnTx(ctx)
	var a *attemptRow
	err = s.db.Run(kctx, func(ctx context.Context, tx bun.IDB) error {
		var open []attemptRow
		if err := tx.NewSelect().Model(&open).Where("pa.invoice_id = ? AND pa.status = ?", inv.ID, attemptOpen).
			Where("pa.amount_minor = ? AND pa.currency = ? AND pa.stripe_account_id = ?", inv.BalanceMinor, inv.Currency, st.AccountID).
			Where("pa.created_at > ?", now().Add(-reuseFor)).OrderExpr("pa.id DESC").Limit(1).Scan(ctx); err != nil {
			return err
		}
		if len(open) == 1 {
			a = &open[0]
			return nil
		}
		t := now()
		a = &attemptRow{ID: newID(), InvoiceID: inv.ID, AccountID: inv.AccountID, AmountMinor: inv.BalanceMinor,
			Currency: inv.Currency, Status: attemptOpen, StripeAccountID: st.AccountID,
			IdempotencyKey: "nexo-" + uuid.NewString(), CreatedAt: t, UpdatedAt: t}
		_, err := tx.NewInsert().Model(a).Exec(ctx)
		return err
	})
	if err != nil {
		return Session{}, err
	}
	if a.CheckoutURL != "" {
		return Session{ID: deref(a.CheckoutSessionID), URL: a.CheckoutURL}, nil
	}
	tid, _ := tenant.FromContext(ctx)
	page := s.opt.BaseURL + "/portal/" + url.PathEscape(slug) + "/invoices/" + inv.ID.String()
	sess, err := s.gw.CreateCheckout(ctx, a.IdempotencyKey, CheckoutParams{AccountID: a.StripeAccountID, TenantID: tid.String(),
		InvoiceID: inv.ID.String(), AttemptID: a.ID.String(), Description: "Invoice " + inv.Number,
		AmountMinor: a.AmountMinor, Currency: a.Currency, SuccessURL: page + "?payment=success", CancelURL: page + "?payment=canceled"})
	if err != nil {
		if stripekit.Definite(err) {
			// Stripe refused: this attempt will never have a session.
			s.setAttemptStatus(kctx, a.ID, attemptFailed)
		}
		// Otherwise the outcome is unknown: the next click reuses the
		// attempt and its key, and Stripe answers with the same session.
		return Session{}, err
	}
	err = s.db.Run(kctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*attemptRow)(nil)).Set("checkout_session_id = ?", sess.ID).
			Set("checkout_url = ?", sess.URL).Set("updated_at = ?", now()).Where("pa.id = ?", a.ID).Exec(ctx)
		return err
	})
	return sess, err
}

func (s *Service) setAttemptStatus(ctx context.Context, id uuid.UUID, status string) {
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*attemptRow)(nil)).Set("status = ?", status).Set("updated_at = ?", now()).
			Where("pa.id = ? AND pa.status = ?", id, attemptOpen).Exec(ctx)
		return err
	})
	if err != nil {
		s.log.Warn("stripe connect: could not close a refused payment attempt", "attempt", id, "err", err)
	}
}

func (s *Service) slug(ctx context.Context) (string, error) {
	var slug string
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		t, err := accountOfTenant(ctx, tx)
		slug = t.Slug
		return err
	})
	return slug, err
}

// PayOptions is how an invoice can be paid, as its customer sees it.
type PayOptions struct {
	Online       bool   // the Pay button: online payment is offered and the invoice has a balance
	Reference    string // what to quote on a transfer: the invoice number
	BalanceMinor int64
	Currency     string
	Bank         *BankDetails // nil when the tenant set none
	// LastAttempt is the status of the newest online attempt ("" for
	// none): open after returning from Checkout means the payment is
	// still being confirmed.
	LastAttempt string
}

// PaymentOptions tells the caller (the invoice's customer, or staff) how
// the invoice can be paid.
func (s *Service) PaymentOptions(ctx context.Context, invoiceID uuid.UUID) (PayOptions, error) {
	inv, err := s.invoices.Invoice(ctx, invoiceID)
	if err != nil {
		return PayOptions{}, err
	}
	st, err := s.state(ctx)
	if err != nil {
		return PayOptions{}, err
	}
	out := PayOptions{Online: st.Online() && payable(inv) == "", Reference: inv.Number, BalanceMinor: inv.BalanceMinor, Currency: inv.Currency}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		row, err := loadSettings(ctx, tx, false)
		if err != nil {
			return err
		}
		if !row.BankDetails.Empty() {
			b := row.BankDetails
			out.Bank = &b
		}
		var last []attemptRow
		if err := tx.NewSelect().Model(&last).Column("status").Where("pa.invoice_id = ?", inv.ID).
			OrderExpr("pa.id DESC").Limit(1).Scan(ctx); err != nil {
			return err
		}
		if len(last) == 1 {
			out.LastAttempt = last[0].Status
		}
		return nil
	})
	return out, err
}

// PaymentLines are the "how to pay" lines of an invoice's PDF: the bank
// details with the invoice number as the transfer reference; none when
// the tenant set none.
func (s *Service) PaymentLines(ctx context.Context, number string) ([]string, error) {
	b, err := s.Bank(ctx)
	if err != nil || b.Empty() {
		return nil, err
	}
	var out []string
	add := func(label, v string) {
		if v != "" {
			out = append(out, label+": "+v)
		}
	}
	add("Account holder", b.AccountHolder)
	add("IBAN", formatIBAN(b.IBAN))
	add("BIC/SWIFT", b.BIC)
	add("Bank", b.BankName)
	add("Reference", number)
	if b.Instructions != "" {
		out = append(out, b.Instructions)
	}
	return out, nil
}

// formatIBAN writes an IBAN in groups of four, as it is printed.
func formatIBAN(iban string) string {
	var out []byte
	for i := 0; i < len(iban); i++ {
		if i > 0 && i%4 == 0 {
			out = append(out, ' ')
		}
		out = append(out, iban[i])
	}
	return string(out)
}
