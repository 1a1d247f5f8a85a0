package invoicing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// openInvoice is what balances and aging read of an invoice with a balance.
type openInvoice struct {
	AccountID uuid.UUID
	Currency  string
	DueDate   time.Time
	Balance   int64
}

// openStatuses are the statuses of an invoice with a balance.
var openStatuses = bun.In([]string{string(StatusIssued), string(StatusPartiallyPaid)})

// open reads the bound tenant's invoices with a balance (issued or
// partially paid) of the given accounts.
func open(ctx context.Context, tx bun.IDB, accounts []uuid.UUID) ([]openInvoice, error) {
	var inv []invoiceRow
	err := tx.NewSelect().Model(&inv).Column("account_id", "currency", "due_date", "total_minor", "paid_minor", "credited_minor").
		Where("i.status IN (?)", openStatuses).Where("i.account_id IN (?)", bun.In(accounts)).Scan(ctx)
	if err != nil {
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
		rows, err := open(ctx, tx, []uuid.UUID{accountID})
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
// Rows are ordered by account id and currency. A page holds up to limit
// accounts after the account id after (nil: from the first), so one
// request's work is bounded however many customers owe; more reports
// whether another page follows.
func (s *Service) Aging(ctx context.Context, after *uuid.UUID, limit int) (out []AgingRow, more bool, err error) {
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var accounts []uuid.UUID
		q := tx.NewSelect().Model((*invoiceRow)(nil)).ColumnExpr("DISTINCT i.account_id").
			Where("i.status IN (?)", openStatuses).OrderExpr("i.account_id").Limit(int64(limit + 1))
		if after != nil {
			q.Where("i.account_id > ?", *after)
		}
		if err := q.Scan(ctx, &accounts); err != nil {
			return err
		}
		if more = len(accounts) > limit; more {
			accounts = accounts[:limit]
		}
		if len(accounts) == 0 {
			return nil
		}
		rows, err := open(ctx, tx, accounts)
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
		names := map[uuid.UUID]string{}
		if err := tenant.Names(ctx, tx, "accounts", "name", accounts, names); err != nil {
			return err
		}
		for i := range out {
			out[i].AccountName = names[out[i].AccountID]
		}
		return nil
	})
	slices.SortFunc(out, func(a, b AgingRow) int {
		if c := strings.Compare(a.AccountID.String(), b.AccountID.String()); c != 0 {
			return c
		}
		return strings.Compare(a.Currency, b.Currency)
	})
	return out, more, err
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
