package invoicing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// RefundStatus is where a refund owed to a customer is.
type RefundStatus string

// Refund statuses: due (owed, nothing done yet), processing (a provider
// refund was asked for and its outcome is not known yet), refunded.
const (
	RefundDue        RefundStatus = "due"
	RefundProcessing RefundStatus = "processing"
	RefundRefunded   RefundStatus = "refunded"
)

// Valid reports whether s is a refund status.
func (s RefundStatus) Valid() bool {
	return s == RefundDue || s == RefundProcessing || s == RefundRefunded
}

// Refund reasons.
const (
	// ReasonCreditNote: the part of a credit note that its invoice's open
	// balance could not absorb because the invoice had been paid.
	ReasonCreditNote = "credit_note"
	// ReasonOverpayment: a provider collected more than the invoice still
	// owed (it was settled meanwhile by other means).
	ReasonOverpayment = "overpayment"
)

// Refund is money owed back to a customer, for a credit note on a paid
// invoice (one per such credit note) or an overpayment (one per
// PaymentIntent).
type Refund struct {
	ID           uuid.UUID
	InvoiceID    uuid.UUID
	AccountID    uuid.UUID
	Reason       string
	CreditNoteID *uuid.UUID // ReasonCreditNote only
	AmountMinor  int64
	Currency     string
	Status       RefundStatus
	Method       Method // how it was paid back; "" while due
	Reference    string
	// PaymentID is the card payment a provider refund returns money from.
	PaymentID *uuid.UUID
	// PaymentIntent is the provider's payment that took an overpayment.
	PaymentIntent string
	// ExternalRef is the provider's refund object (a Stripe Refund).
	ExternalRef string
	RefundedOn  *time.Time
	RefundedBy  *uuid.UUID
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// RefundFilter narrows the refund list, newest first.
type RefundFilter struct {
	AccountID *uuid.UUID
	InvoiceID *uuid.UUID
	Status    RefundStatus
	After     *uuid.UUID
	Limit     int
}

// RecordRefund says how finance paid a refund back by hand: a bank
// transfer or another manual way, with a reference; RefundedOn nil means
// today.
type RecordRefund struct {
	Method     Method
	Reference  string
	RefundedOn *time.Time
}

// ProviderRefund is what a provider refund needs, saved before the
// provider is called (S3): the amount, the PaymentIntent of the card
// payment it returns money from, and the idempotency key to call with.
type ProviderRefund struct {
	RefundID       uuid.UUID
	InvoiceNumber  string
	AmountMinor    int64
	Currency       string
	PaymentIntent  string
	IdempotencyKey string
	// Done is set when the refund was already completed: nothing to call;
	// ExternalRef is then the provider's refund, if it went that way.
	Done        bool
	ExternalRef string
}

// ProviderOutcome is what the provider said about a refund: succeeded,
// pending, failed or canceled (Stripe's refund statuses; requires_action
// counts as pending).
type ProviderOutcome struct {
	RefundID    uuid.UUID // Nexo's refund; uuid.Nil to find it by ExternalRef
	ExternalRef string
	Status      string
}

type refundRow struct {
	bun.BaseModel `bun:"table:refunds,alias:r"`
	tenant.Scoped
	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	InvoiceID      uuid.UUID  `bun:"invoice_id,type:uuid"`
	AccountID      uuid.UUID  `bun:"account_id,type:uuid"`
	Reason         string     `bun:"reason"`
	CreditNoteID   *uuid.UUID `bun:"credit_note_id,type:uuid"`
	PaymentIntent  *string    `bun:"payment_intent"`
	AmountMinor    int64      `bun:"amount_minor"`
	Currency       string     `bun:"currency"`
	Status         string     `bun:"status"`
	Method         *string    `bun:"method"`
	Reference      string     `bun:"reference"`
	PaymentID      *uuid.UUID `bun:"payment_id,type:uuid"`
	IdempotencyKey string     `bun:"idempotency_key"`
	ExternalRef    *string    `bun:"external_ref"`
	RefundedOn     *time.Time `bun:"refunded_on"`
	RefundedBy     *uuid.UUID `bun:"refunded_by,type:uuid"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
}

func (r *refundRow) refund() Refund {
	out := Refund{ID: r.ID, InvoiceID: r.InvoiceID, AccountID: r.AccountID, Reason: r.Reason, CreditNoteID: r.CreditNoteID,
		PaymentIntent: deref(r.PaymentIntent), AmountMinor: r.AmountMinor, Currency: r.Currency, Status: RefundStatus(r.Status), Reference: r.Reference,
		PaymentID: r.PaymentID, ExternalRef: deref(r.ExternalRef), RefundedBy: r.RefundedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Method != nil {
		out.Method = Method(*r.Method)
	}
	if r.RefundedOn != nil {
		d := dateOf(*r.RefundedOn)
		out.RefundedOn = &d
	}
	return out
}

// refundColumns are what a status change writes.
var refundColumns = []string{"status", "method", "reference", "payment_id", "idempotency_key", "external_ref",
	"refunded_on", "refunded_by", "updated_at"}

// owe records, in the credit note's transaction, that excess of cn could
// not be absorbed by its paid invoice: that much of the invoice's payments
// is un-applied and owed back to the customer as a due refund.
func (s *Service) owe(ctx context.Context, tx bun.IDB, inv *Invoice, cn *CreditNote, excess int64) error {
	inv.PaidMinor -= excess
	inv.RefundMinor += excess
	t := s.stamp()
	r := &refundRow{ID: newID(), InvoiceID: inv.ID, AccountID: inv.AccountID, Reason: ReasonCreditNote, CreditNoteID: &cn.ID,
		AmountMinor: excess, Currency: inv.Currency, Status: string(RefundDue), CreatedAt: t, UpdatedAt: t}
	ref, err := s.insertRefund(ctx, tx, r)
	cn.Refund = &ref
	return err
}

// oweOverpayment records, in the payment's transaction, that a provider
// collected excess more than the invoice owed through intent: a due
// refund, which finance can return to the same card.
func (s *Service) oweOverpayment(ctx context.Context, tx bun.IDB, inv Invoice, intent string, excess int64) (Refund, error) {
	t := s.stamp()
	r := &refundRow{ID: newID(), InvoiceID: inv.ID, AccountID: inv.AccountID, Reason: ReasonOverpayment, PaymentIntent: &intent,
		AmountMinor: excess, Currency: inv.Currency, Status: string(RefundDue), CreatedAt: t, UpdatedAt: t}
	return s.insertRefund(ctx, tx, r)
}

func (s *Service) insertRefund(ctx context.Context, tx bun.IDB, r *refundRow) (Refund, error) {
	if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
		return Refund{}, err
	}
	ref := r.refund()
	if err := audit(ctx, tx, "refund.due", "refunds", r.ID, nil, &ref); err != nil {
		return ref, err
	}
	return ref, publishRefund(ctx, tx, &ref)
}

func publishRefund(ctx context.Context, tx bun.IDB, r *Refund) error {
	return publish(ctx, tx, TopicRefundChanged, map[string]any{"refund_id": r.ID, "invoice_id": r.InvoiceID,
		"reason": r.Reason, "credit_note_id": r.CreditNoteID, "account_id": r.AccountID, "amount_minor": r.AmountMinor,
		"currency": r.Currency, "status": r.Status})
}

// errRefundNotFound is the one answer for an unknown refund, another
// account's and another tenant's.
func errRefundNotFound() error { return errs.E(errs.NotFound, "refund not found") }

// loadRefund reads one refund, bound to the customer's account for portal
// callers, locked when lock is set.
func loadRefund(ctx context.Context, tx bun.IDB, where string, arg any, lock bool) (*refundRow, error) {
	var r refundRow
	q := tx.NewSelect().Model(&r).Apply(bindAccount(ctx, "r.account_id")).Where(where, arg)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return nil, errRefundNotFound()
		}
		return nil, err
	}
	return &r, nil
}

// GetRefund returns one refund.
func (s *Service) GetRefund(ctx context.Context, id uuid.UUID) (Refund, error) {
	var out Refund
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := loadRefund(ctx, tx, "r.id = ?", id, false)
		if err != nil {
			return err
		}
		out = r.refund()
		return nil
	})
	return out, err
}

// FindRefunds lists refunds matching f, newest first.
func (s *Service) FindRefunds(ctx context.Context, f RefundFilter) ([]Refund, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var rows []refundRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(bindAccount(ctx, "r.account_id")).OrderExpr("r.id DESC").Limit(int64(f.Limit))
		if f.AccountID != nil {
			q.Where("r.account_id = ?", *f.AccountID)
		}
		if f.InvoiceID != nil {
			q.Where("r.invoice_id = ?", *f.InvoiceID)
		}
		if f.Status != "" {
			q.Where("r.status = ?", string(f.Status))
		}
		if f.After != nil {
			q.Where("r.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Refund, len(rows))
	for i := range rows {
		out[i] = rows[i].refund()
	}
	return out, err
}

func (in RecordRefund) check(today time.Time) error {
	f := errs.Fields{}
	switch in.Method {
	case MethodTransfer, MethodManual:
	case MethodCard:
		f.Add("method", "card refunds go back through the payment provider: use the online refund")
	default:
		f.Add("method", "must be transfer or manual")
	}
	if n := len([]rune(in.Reference)); n > 100 {
		f.Add("reference", "must be at most 100 characters")
	}
	if in.RefundedOn != nil && dateOf(*in.RefundedOn).After(today) {
		f.Add("refunded_on", "cannot be in the future")
	}
	return f.Err()
}

// RecordRefund marks a due refund as paid back by hand (a transfer from
// the tenant's bank). A refund already refunded, or being refunded through
// the provider, is a 409 and changes nothing.
func (s *Service) RecordRefund(ctx context.Context, id uuid.UUID, in RecordRefund) (Refund, error) {
	if err := in.check(s.today()); err != nil {
		return Refund{}, err
	}
	on := s.today()
	if in.RefundedOn != nil {
		on = dateOf(*in.RefundedOn)
	}
	var out Refund
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := loadRefund(ctx, tx, "r.id = ?", id, true)
		if err != nil {
			return err
		}
		if r.Status != string(RefundDue) {
			return errs.E(errs.Conflict, "the refund is %s: only a due refund can be recorded", r.Status)
		}
		before := r.refund()
		m := string(in.Method)
		r.Status, r.Method, r.Reference, r.RefundedOn = string(RefundRefunded), &m, in.Reference, &on
		out, err = s.changeRefund(ctx, tx, r, &before)
		return err
	})
	return out, err
}

// changeRefund writes r's new state with its audit row and outbox event.
func (s *Service) changeRefund(ctx context.Context, tx bun.IDB, r *refundRow, before *Refund) (Refund, error) {
	r.UpdatedAt = s.stamp()
	if r.Status == string(RefundRefunded) {
		if p, ok := tenant.PrincipalFrom(ctx); ok {
			r.RefundedBy = &p.ID
		}
	}
	if _, err := tx.NewUpdate().Model(r).Column(refundColumns...).WherePK().Exec(ctx); err != nil {
		return Refund{}, err
	}
	after := r.refund()
	if err := audit(ctx, tx, "refund."+r.Status, "refunds", r.ID, before, &after); err != nil {
		return Refund{}, err
	}
	return after, publishRefund(ctx, tx, &after)
}

// BeginProviderRefund readies a due refund to be returned to the card that
// paid the invoice, in the caller's transaction (which the caller commits
// before calling the provider): it picks the invoice's newest card payment
// with enough left unrefunded, saves it, the method and a fresh
// idempotency key, and moves the refund to processing. A refund already
// processing without an answer is handed back with its saved key, so a
// retry after a crash repeats the same call. A refunded one comes back
// with Done set. No card payment to carry it is a 422 naming method.
func (s *Service) BeginProviderRefund(ctx context.Context, id uuid.UUID) (ProviderRefund, error) {
	var out ProviderRefund
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		peek, err := loadRefund(ctx, tx, "r.id = ?", id, false)
		if err != nil {
			return err
		}
		// The invoice is locked before the refund (the order every writer
		// of an invoice's money takes), so two refunds of one invoice
		// cannot both draw on the same payment.
		inv, err := loadInvoice(ctx, tx, peek.InvoiceID, true)
		if err != nil {
			return err
		}
		r, err := loadRefund(ctx, tx, "r.id = ?", id, true)
		if err != nil {
			return err
		}
		out = ProviderRefund{RefundID: r.ID, InvoiceNumber: inv.Number, AmountMinor: r.AmountMinor, Currency: r.Currency}
		switch RefundStatus(r.Status) {
		case RefundRefunded:
			out.Done, out.ExternalRef = true, deref(r.ExternalRef)
			return nil
		case RefundProcessing:
			if r.ExternalRef != nil || r.IdempotencyKey == "" {
				return errs.E(errs.Conflict, "the refund is already being processed by the payment provider")
			}
			pi, err := intentOf(ctx, tx, r)
			out.PaymentIntent, out.IdempotencyKey = pi, r.IdempotencyKey
			return err
		}
		before := r.refund()
		if r.PaymentIntent == nil {
			// A credit note's refund draws on one of the invoice's card
			// payments; an overpayment goes back through its own intent.
			pay, err := cardPaymentFor(ctx, tx, inv.ID, r.AmountMinor, r.Currency)
			if err != nil {
				return err
			}
			r.PaymentID = &pay.ID
		}
		m := string(MethodCard)
		r.Status, r.Method, r.IdempotencyKey = string(RefundProcessing), &m, "nexo-refund-"+uuid.NewString()
		if _, err := s.changeRefund(ctx, tx, r, &before); err != nil {
			return err
		}
		out.IdempotencyKey = r.IdempotencyKey
		out.PaymentIntent, err = intentOf(ctx, tx, r)
		return err
	})
	return out, err
}

// cardPaymentFor picks the invoice's newest provider payment with at least
// amount not yet claimed by other card refunds.
func cardPaymentFor(ctx context.Context, tx bun.IDB, invoiceID uuid.UUID, amount int64, currency string) (*paymentRow, error) {
	var pays []paymentRow
	if err := tx.NewSelect().Model(&pays).Where("p.invoice_id = ? AND p.external_ref IS NOT NULL", invoiceID).
		OrderExpr("p.id DESC").Scan(ctx); err != nil {
		return nil, err
	}
	// What card refunds under way or done already claim of each payment.
	var claims []struct {
		PaymentID uuid.UUID `bun:"payment_id,type:uuid"`
		Claimed   int64     `bun:"claimed"`
	}
	if err := tx.NewSelect().Model((*refundRow)(nil)).Column("r.payment_id").ColumnExpr("SUM(r.amount_minor) AS claimed").
		Where("r.invoice_id = ? AND r.payment_id IS NOT NULL AND r.status <> ?", invoiceID, string(RefundDue)).
		Group("r.payment_id").Scan(ctx, &claims); err != nil {
		return nil, err
	}
	claimed := make(map[uuid.UUID]int64, len(claims))
	for _, c := range claims {
		claimed[c.PaymentID] = c.Claimed
	}
	for i := range pays {
		if pays[i].AmountMinor-claimed[pays[i].ID] >= amount {
			return &pays[i], nil
		}
	}
	return nil, precondition("method", fmt.Sprintf("no online payment of this invoice can carry a refund of %s: record a bank transfer instead",
		FormatMinor(amount, currency)))
}

// intentOf is the provider payment a card refund returns money through:
// the overpayment's own, or the chosen payment's.
func intentOf(ctx context.Context, tx bun.IDB, r *refundRow) (string, error) {
	if r.PaymentIntent != nil {
		return *r.PaymentIntent, nil
	}
	if r.PaymentID == nil {
		return "", errs.E(errs.Conflict, "the refund has no card payment to return money through")
	}
	var p paymentRow
	if err := tx.NewSelect().Model(&p).Where("p.id = ?", *r.PaymentID).Scan(ctx); err != nil {
		return "", err
	}
	return deref(p.ExternalRef), nil
}

// SettleProviderRefund applies what the provider said about a refund,
// found by RefundID or else by ExternalRef (webhooks), exactly once:
// succeeded completes it (refunded today), pending keeps it processing
// with the provider's reference, failed or canceled puts it back to due
// (key and payment cleared, so finance can retry or record a transfer).
// A refund already refunded, or an outcome about another provider object
// than the one recorded, changes nothing. An unknown reference is
// errs.NotFound.
func (s *Service) SettleProviderRefund(ctx context.Context, o ProviderOutcome) (Refund, error) {
	var out Refund
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var r *refundRow
		var err error
		if o.RefundID != uuid.Nil {
			r, err = loadRefund(ctx, tx, "r.id = ?", o.RefundID, true)
		} else {
			r, err = loadRefund(ctx, tx, "r.external_ref = ?", o.ExternalRef, true)
		}
		if err != nil {
			return err
		}
		out = r.refund()
		if r.Status != string(RefundProcessing) || (r.ExternalRef != nil && *r.ExternalRef != o.ExternalRef) {
			return nil
		}
		before := out
		switch o.Status {
		case "succeeded":
			on := s.today()
			r.Status, r.RefundedOn = string(RefundRefunded), &on
			r.ExternalRef = &o.ExternalRef
		case "failed", "canceled":
			r.Status, r.Method, r.IdempotencyKey, r.ExternalRef = string(RefundDue), nil, "", nil
			if r.Reason == ReasonCreditNote {
				r.PaymentID = nil
			}
		default:
			if r.ExternalRef != nil || o.ExternalRef == "" {
				return nil
			}
			r.ExternalRef = &o.ExternalRef
		}
		out, err = s.changeRefund(ctx, tx, r, &before)
		return err
	})
	return out, err
}

// refundOfCredit reads the refund of a credit note, nil when it has none.
func refundOfCredit(ctx context.Context, tx bun.IDB, creditNoteID uuid.UUID) (*Refund, error) {
	var rows []refundRow
	if err := tx.NewSelect().Model(&rows).Where("r.credit_note_id = ?", creditNoteID).Scan(ctx); err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0].refund()
	return &r, nil
}
