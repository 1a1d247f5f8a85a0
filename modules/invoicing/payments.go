package invoicing

import (
	"context"
	"fmt"

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
		p.AccountID, p.Currency = inv.AccountID, inv.Currency
		row := &paymentRow{ID: p.ID, InvoiceID: p.InvoiceID, AccountID: p.AccountID, AmountMinor: p.AmountMinor,
			Currency: p.Currency, Method: string(p.Method), Reference: p.Reference, ReceivedOn: p.ReceivedOn,
			CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		before := inv
		inv.PaidMinor += p.AmountMinor
		if err := s.settle(ctx, tx, &before, &inv, "invoice.payment_recorded"); err != nil {
			return err
		}
		if err := audit(ctx, tx, "payment.recorded", "payments", p.ID, nil, &p); err != nil {
			return err
		}
		return publish(ctx, tx, TopicPaymentRecorded, map[string]any{"payment_id": p.ID, "invoice_id": inv.ID,
			"account_id": inv.AccountID, "amount_minor": p.AmountMinor, "currency": p.Currency, "status": inv.Status})
	})
	return p, err
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
