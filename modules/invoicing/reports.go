package invoicing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// openInvoice is what balances and aging read of an invoice with a balance.
type openInvoice struct {
	AccountID uuid.UUID
	Currency  string
	DueDate   time.Time
	Balance   int64
}

// open reads the bound tenant's invoices with a balance (issued or
// partially paid), optionally of one account.
func open(ctx context.Context, tx bun.IDB, accountID *uuid.UUID) ([]openInvoice, error) {
	var inv []invoiceRow
	q := tx.NewSelect().Model(&inv).Column("account_id", "currency", "due_date", "total_minor", "paid_minor", "credited_minor").
		Where("i.status IN (?)", bun.In([]string{string(StatusIssued), string(StatusPartiallyPaid)}))
	if accountID != nil {
		q.Where("i.account_id = ?", *accountID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]openInvoice, len(inv))
	for i, r := range inv {
		out[i] = openInvoice{AccountID: r.AccountID, Currency: r.Currency, DueDate: dateOf(r.DueDate),
			Balance: r.TotalMinor - r.PaidMinor - r.CreditedMinor}
	}
	return out, nil
}

// AccountBalance is a customer's open balance per currency and how much of
// it is overdue; an unknown account (or another tenant's) is not found.
func (s *Service) AccountBalance(ctx context.Context, accountID uuid.UUID) ([]Amounts, error) {
	var out []Amounts
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := account(ctx, tx, accountID); err != nil {
			return err
		}
		rows, err := open(ctx, tx, &accountID)
		if err != nil {
			return err
		}
		today := s.today()
		for _, r := range rows {
			i := slices.IndexFunc(out, func(a Amounts) bool { return a.Currency == r.Currency })
			if i < 0 {
				out, i = append(out, Amounts{Currency: r.Currency}), len(out)
			}
			out[i].BalanceMinor += r.Balance
			if r.DueDate.Before(today) {
				out[i].OverdueMinor += r.Balance
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Amounts) int { return strings.Compare(a.Currency, b.Currency) })
	return out, err
}

// Aging is accounts receivable aging: each account's open balance per
// currency in buckets of days past the due date (current = not yet due,
// 1–30, 31–60, 61–90, over 90), counted from the injected clock's date.
// Rows are ordered by account id and currency.
func (s *Service) Aging(ctx context.Context) ([]AgingRow, error) {
	var out []AgingRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		rows, err := open(ctx, tx, nil)
		if err != nil {
			return err
		}
		today, index := s.today(), map[AgingRow]int{}
		for _, r := range rows {
			key := AgingRow{AccountID: r.AccountID, Currency: r.Currency}
			i, ok := index[key]
			if !ok {
				out, i = append(out, key), len(out)
				index[key] = i
			}
			days := int(today.Sub(r.DueDate).Hours() / 24)
			out[i].add(days, r.Balance)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b AgingRow) int {
		if c := strings.Compare(a.AccountID.String(), b.AccountID.String()); c != 0 {
			return c
		}
		return strings.Compare(a.Currency, b.Currency)
	})
	return out, err
}

// add puts balance into the bucket of days overdue.
func (r *AgingRow) add(days int, balance int64) {
	switch {
	case days <= 0:
		r.Current += balance
	case days <= 30:
		r.Days1to30 += balance
	case days <= 60:
		r.Days31to60 += balance
	case days <= 90:
		r.Days61to90 += balance
	default:
		r.Over90 += balance
	}
	r.Total += balance
}
