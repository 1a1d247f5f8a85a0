package connect

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// Attempt is a payment attempt as finance sees it. An attempt in review
// is money Stripe took that is not on its invoice (no amount, another
// currency, the invoice no longer payable): finance handles it in Stripe
// or by hand and resolves it with a note.
type Attempt struct {
	ID                uuid.UUID
	InvoiceID         uuid.UUID
	InvoiceNumber     string
	AccountID         uuid.UUID
	AccountName       string
	Status            string
	AmountMinor       int64  // what the attempt asked for, in the invoice's currency
	Currency          string // the invoice's
	ReceivedMinor     int64  // what Stripe collected
	ReceivedCurrency  string // in this currency; "" when not known (attempts paid before it was kept)
	UnappliedMinor    int64
	PaymentIntentID   string
	CheckoutSessionID string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Resolution        *Resolution
}

// Resolution is how finance closed an attempt in review.
type Resolution struct {
	Note           string
	ResolvedBy     *uuid.UUID
	ResolvedByName string
	ResolvedAt     time.Time
}

// AttemptFilter narrows the attempts list; After is the cursor (the last id
// of the previous page, newest first).
type AttemptFilter struct {
	Status string
	After  *uuid.UUID
	Limit  int
}

// ValidAttemptStatus reports whether s is an attempt status.
func ValidAttemptStatus(s string) bool { return slices.Contains(attemptStatuses, s) }

// AttemptStatuses lists the statuses, for messages.
func AttemptStatuses() []string { return slices.Clone(attemptStatuses) }

// MaxNote is the longest resolution note, in characters.
const MaxNote = 500

// Attempts lists the tenant's payment attempts, newest first, with the
// invoice number and the customer's name beside their ids. A status that
// is not one of the attempts' is a 400 naming status.
func (s *Service) Attempts(ctx context.Context, f AttemptFilter) ([]Attempt, error) {
	if f.Status != "" && !ValidAttemptStatus(f.Status) {
		return nil, errs.Field("status", "must be one of "+strings.Join(attemptStatuses, ", "))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var out []Attempt
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var rows []attemptRow
		q := tx.NewSelect().Model(&rows).OrderExpr("pa.id DESC").Limit(int64(f.Limit))
		if f.Status != "" {
			q.Where("pa.status = ?", f.Status)
		}
		if f.After != nil {
			q.Where("pa.id < ?", *f.After)
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		var err error
		out, err = describe(ctx, tx, rows)
		return err
	})
	return out, err
}

// Resolve closes an attempt in review with finance's note of how the
// money was handled (refunded in Stripe, booked by hand). The note is
// trimmed and must have 1 to 500 characters (else a 400 naming note).
// Only an attempt in review can be resolved: any other is a 409, and of
// two concurrent resolves one wins and the other is a 409 (the row is
// locked on PostgreSQL; the update is conditional on the status on both
// engines). Another tenant's id is a 404 like a missing one (RLS and the
// tenant scope).
func (s *Service) Resolve(ctx context.Context, id uuid.UUID, note string) (Attempt, error) {
	note = strings.TrimSpace(note)
	switch n := utf8.RuneCountInString(note); {
	case !utf8.ValidString(note):
		return Attempt{}, errs.Field("note", "must be valid UTF-8")
	case n == 0:
		return Attempt{}, errs.Field("note", "required: say how the payment was handled")
	case n > MaxNote:
		return Attempt{}, errs.Field("note", "at most 500 characters")
	}
	var out Attempt
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		a, err := lockAttempt(ctx, tx, "pa.id = ?", id)
		if err != nil {
			return err
		}
		if a == nil {
			return errs.E(errs.NotFound, "payment attempt not found")
		}
		if a.Status != attemptReview {
			return errs.E(errs.Conflict, "the payment attempt is %s: only one in review can be resolved", a.Status)
		}
		before := *a
		t := now()
		a.Status, a.ResolutionNote, a.ResolvedAt, a.UpdatedAt = attemptResolved, &note, &t, t
		if p, ok := tenant.PrincipalFrom(ctx); ok {
			a.ResolvedBy = &p.ID
		}
		res, err := tx.NewUpdate().Model(a).Column("status", "resolution_note", "resolved_by", "resolved_at", "updated_at").
			WherePK().Where("pa.status = ?", attemptReview).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return err
			}
			return errs.E(errs.Conflict, "%s", "the payment attempt was resolved meanwhile")
		}
		if err := tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "payment_attempt.resolved", Resource: "payment_attempts",
			ResourceID: a.ID.String(), Before: attemptAudit(before), After: attemptAudit(*a)}); err != nil {
			return err
		}
		list, err := describe(ctx, tx, []attemptRow{*a})
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, err
}

// describe converts rows, reading the invoices' numbers, the accounts' and
// resolvers' names in one query each (tenant.Names: two columns of the
// bound tenant's rows, no module imported).
func describe(ctx context.Context, tx bun.IDB, rows []attemptRow) ([]Attempt, error) {
	var invoices, accounts, users []uuid.UUID
	for _, r := range rows {
		invoices, accounts = append(invoices, r.InvoiceID), append(accounts, r.AccountID)
		if r.ResolvedBy != nil {
			users = append(users, *r.ResolvedBy)
		}
	}
	numbers, names, resolvers := map[uuid.UUID]string{}, map[uuid.UUID]string{}, map[uuid.UUID]string{}
	if err := tenant.Names(ctx, tx, "invoices", "number", invoices, numbers); err != nil {
		return nil, err
	}
	if err := tenant.Names(ctx, tx, "accounts", "name", accounts, names); err != nil {
		return nil, err
	}
	if err := tenant.Names(ctx, tx, "users", "name", users, resolvers); err != nil {
		return nil, err
	}
	out := make([]Attempt, len(rows))
	for i, r := range rows {
		out[i] = Attempt{ID: r.ID, InvoiceID: r.InvoiceID, InvoiceNumber: numbers[r.InvoiceID], AccountID: r.AccountID,
			AccountName: names[r.AccountID], Status: r.Status, AmountMinor: r.AmountMinor, Currency: r.Currency,
			ReceivedMinor: r.ReceivedMinor, ReceivedCurrency: deref(r.ReceivedCurrency), UnappliedMinor: r.UnappliedMinor,
			PaymentIntentID: deref(r.PaymentIntentID), CheckoutSessionID: deref(r.CheckoutSessionID),
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
		if r.Status == attemptResolved && r.ResolvedAt != nil {
			res := &Resolution{Note: deref(r.ResolutionNote), ResolvedBy: r.ResolvedBy, ResolvedAt: *r.ResolvedAt}
			if r.ResolvedBy != nil {
				res.ResolvedByName = resolvers[*r.ResolvedBy]
			}
			out[i].Resolution = res
		}
	}
	return out, nil
}
