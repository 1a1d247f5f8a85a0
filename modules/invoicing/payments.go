package invoicing

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// RecordPayment records money received against an invoice, partial or
// full. More than the balance is a 422 naming amount_minor and changes
// nothing (refunds are not payments); an unknown invoice is a 400 on
// invoice_id. The invoice is locked first, so concurrent payments of one
// invoice queue and can never together pay more than is owed.
func (s *Service) RecordPayment(ctx context.Context, in NewPayment) (Payment, error) {
	if err := in.check(s.today()); err != nil {
		return Payment{}, err
	}
	p := Payment{ID: newID(), InvoiceID: in.InvoiceID, AmountMinor: in.AmountMinor, Method: in.Method,
		Reference: in.Reference, ReceivedOn: s.today(), CreatedAt: s.stamp()}
	if in.ReceivedOn != nil {
		p.ReceivedOn = dateOf(*in.ReceivedOn)
	}
	if pr, ok := tenant.PrincipalFrom(ctx); ok {
		p.CreatedBy = &pr.ID
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		inv, err := loadInvoice(ctx, tx, in.InvoiceID, true)
		if errs.Is(err, errs.NotFound) {
			return errs.Field("invoice_id", "no such invoice")
		} else if err != nil {
			return err
		}
		if bal := inv.Balance(); p.AmountMinor > bal {
			return precondition("amount_minor", fmt.Sprintf("at most the balance of %s can be paid", FormatMinor(bal, inv.Currency)))
		}
		return s.insertPayment(ctx, tx, inv, &p)
	})
	return p, err
}

// insertPayment writes p against the locked invoice inv, settles it, and
// writes the audit row and outbox event, in tx.
func (s *Service) insertPayment(ctx context.Context, tx bun.IDB, inv Invoice, p *Payment) error {
	p.AccountID, p.Currency = inv.AccountID, inv.Currency
	row := &paymentRow{ID: p.ID, InvoiceID: p.InvoiceID, AccountID: p.AccountID, AmountMinor: p.AmountMinor,
		Currency: p.Currency, Method: string(p.Method), Reference: p.Reference, ReceivedOn: p.ReceivedOn,
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt}
	if p.ExternalRef != "" {
		row.ExternalRef = &p.ExternalRef
	}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return err
	}
	before := inv
	inv.PaidMinor += p.AmountMinor
	if err := s.settle(ctx, tx, &before, &inv, "invoice.payment_recorded"); err != nil {
		return err
	}
	if err := audit(ctx, tx, "payment.recorded", "payments", p.ID, nil, p); err != nil {
		return err
	}
	return publish(ctx, tx, TopicPaymentRecorded, map[string]any{"payment_id": p.ID, "invoice_id": inv.ID,
		"account_id": inv.AccountID, "amount_minor": p.AmountMinor, "currency": p.Currency, "status": inv.Status})
}

// RecordProviderPayment records money a payment provider collected for an
// invoice (a card payment through Stripe), exactly once per ExternalRef:
// a second call with the same reference returns the first payment with
// Repeat set and changes nothing. Unlike RecordPayment it never refuses
// money already taken: when the invoice was settled meanwhile by other
// means, only its balance is recorded (nothing when it is zero) and the
// rest comes back as ExcessMinor and is owed back to the customer as a
// due overpayment refund (Refund), which finance returns to the same card. The currency must be the invoice's.
// Runs in the caller's transaction when there is one.
func (s *Service) RecordProviderPayment(ctx context.Context, in NewPayment, currency string) (ProviderPayment, error) {
	if in.ExternalRef == "" {
		return ProviderPayment{}, errs.Field("external_ref", "is required")
	}
	if err := in.check(s.today()); err != nil {
		return ProviderPayment{}, err
	}
	var out ProviderPayment
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		inv, err := loadInvoice(ctx, tx, in.InvoiceID, true)
		if errs.Is(err, errs.NotFound) {
			return errs.Field("invoice_id", "no such invoice")
		} else if err != nil {
			return err
		}
		// The invoice lock queues every report of this invoice, so the
		// lookup sees a payment committed by a concurrent one.
		var prev []paymentRow
		if err := tx.NewSelect().Model(&prev).Where("p.external_ref = ?", in.ExternalRef).Scan(ctx); err != nil {
			return err
		}
		if len(prev) > 0 {
			p := prev[0].payment()
			out = ProviderPayment{Payment: &p, Repeat: true}
			return nil
		}
		// Nothing applied, all owed back: the overpayment refund is the
		// trace of an earlier report.
		var owed []refundRow
		if err := tx.NewSelect().Model(&owed).Where("r.reason = ? AND r.payment_intent = ?", ReasonOverpayment, in.ExternalRef).
			Scan(ctx); err != nil {
			return err
		}
		if len(owed) > 0 {
			out = ProviderPayment{Repeat: true, ExcessMinor: owed[0].AmountMinor}
			return nil
		}
		if !strings.EqualFold(currency, inv.Currency) {
			return precondition("currency", fmt.Sprintf("the invoice is in %s, the payment in %s", inv.Currency, strings.ToUpper(currency)))
		}
		apply := min(in.AmountMinor, inv.Balance())
		out.ExcessMinor = in.AmountMinor - apply
		if out.ExcessMinor > 0 {
			r, err := s.oweOverpayment(ctx, tx, inv, in.ExternalRef, out.ExcessMinor)
			if err != nil {
				return err
			}
			out.Refund = &r
		}
		if apply <= 0 {
			return nil
		}
		p := Payment{ID: newID(), InvoiceID: in.InvoiceID, AmountMinor: apply, Method: in.Method, Reference: in.Reference,
			ExternalRef: in.ExternalRef, ReceivedOn: s.today(), CreatedAt: s.stamp()}
		if err := s.insertPayment(ctx, tx, inv, &p); err != nil {
			return err
		}
		out.Payment = &p
		return nil
	})
	return out, err
}

// FindPayments lists payments matching f, newest first.
func (s *Service) FindPayments(ctx context.Context, f DocFilter) ([]Payment, error) {
	f.check()
	var rows []paymentRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("p.id DESC").Limit(int64(f.Limit))
		if f.InvoiceID != nil {
			q.Where("p.invoice_id = ?", *f.InvoiceID)
		}
		if f.AccountID != nil {
			q.Where("p.account_id = ?", *f.AccountID)
		}
		if f.After != nil {
			q.Where("p.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Payment, len(rows))
	for i := range rows {
		out[i] = rows[i].payment()
	}
	return out, err
}
