package sales

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// TopicOrderCreditHold is published when an order waits for credit approval
// (finance's queue, the rep's notification).
const TopicOrderCreditHold = "sales.order.credit_hold"

// openStatuses are the orders that commit the customer's credit: confirmed
// and not yet fully invoiced (what is invoiced counts as an open invoice).
var openStatuses = []Status{StatusConfirmed, StatusInProduction, StatusReady, StatusPartiallyShipped, StatusShipped}

// UseCredit wires the credit check Confirm runs (F4). Call it before
// serving; without it orders confirm whatever the customer owes.
func (s *Service) UseCredit(c Credit) { s.credit = c }

// ApproveCredit confirms an order waiting in credit_hold, as Confirm would
// have without the check: stock is reserved, the shortfall planned, and the
// approval (who, when, note) is kept in the history and the audit log. The
// route asks for credit:approve.
func (s *Service) ApproveCredit(ctx context.Context, id uuid.UUID, note string) (Order, error) {
	f := errs.Fields{}
	if checkNotes(f, "note", &note); len(f) > 0 {
		return Order{}, f.Err()
	}
	if note == "" {
		note = "credit approved"
	} else {
		note = "credit approved: " + note
	}
	return s.confirm(ctx, id, note)
}

// confirmable says whether o may be confirmed now: a draft by Confirm, an
// order in credit_hold only by an approval.
func confirmable(o Order, approval bool) error {
	switch {
	case approval && o.Status != StatusCreditHold:
		return statusError("only an order in credit_hold awaits a credit approval; this one is " + string(o.Status))
	case !approval && o.Status == StatusCreditHold:
		return statusError("the order waits for a credit approval")
	case !CanMove(o.Status, StatusConfirmed):
		return statusError("a " + string(o.Status) + " order cannot be confirmed")
	}
	return nil
}

// creditHold parks o in credit_hold when its total is over the customer's
// available credit, and reports whether it did. For a customer with a limit
// the account row is locked and the credit read again under the lock, so
// two orders of one customer are checked one after the other and cannot
// both spend the same credit.
func (s *Service) creditHold(ctx context.Context, tx bun.IDB, o *Order) (bool, error) {
	// An order that charges nothing (a return's replacement) spends no
	// credit, so even a customer over their limit gets it.
	if s.credit == nil || o.TotalMinor <= 0 {
		return false, nil
	}
	_, limited, err := s.credit.Available(ctx, o.AccountID, o.Currency, o.ID)
	if err != nil || !limited {
		return false, err
	}
	if err := tx.NewSelect().Model((*accountRef)(nil)).Column("id").Where("a.id = ?", o.AccountID).Apply(forUpdate).Scan(ctx, new(uuid.UUID)); err != nil {
		return false, err
	}
	available, limited, err := s.credit.Available(ctx, o.AccountID, o.Currency, o.ID)
	if err != nil || !limited || o.TotalMinor <= available {
		return false, err
	}
	before := snapshot(*o)
	o.Status, o.UpdatedAt = StatusCreditHold, s.stamp()
	note := fmt.Sprintf("over the available credit (%d) by %d minor units of %s", max(available, 0), o.TotalMinor-max(available, 0), o.Currency)
	if err := s.history(ctx, tx, o.ID, before.Status, o.Status, note); err != nil {
		return true, err
	}
	return true, s.save(ctx, tx, &before, o, "order.credit_hold", TopicOrderCreditHold)
}

// OpenAmount is what an account's open orders in currency still hold
// against its credit: each line's total for the units not yet invoiced,
// over every confirmed, not fully invoiced order other than excluding.
func (s *Service) OpenAmount(ctx context.Context, accountID uuid.UUID, currency string, excluding uuid.UUID) (int64, error) {
	var sum int64
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		tid, _ := tenant.FromContext(ctx)
		return tx.NewSelect().Model((*lineRow)(nil)).
			ColumnExpr("COALESCE(SUM(l.total_minor * (l.quantity - l.invoiced_qty) / l.quantity), 0)").
			Join("JOIN orders AS o ON o.tenant_id = l.tenant_id AND o.id = l.order_id").
			Where("o.tenant_id = ?", tid).Where("o.account_id = ?", accountID).Where("o.currency = ?", currency).
			Where("o.status IN (?)", bun.In(openStatuses)).Where("o.id <> ?", excluding).Scan(ctx, &sum)
	})
	return sum, err
}
