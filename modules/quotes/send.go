package quotes

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	imail "nexo/internal/mail"
	"nexo/internal/money"
	"nexo/tenant"
)

// SendInput addresses a quote's email; an empty To takes the contact's
// email, then the account's.
type SendInput struct {
	To      string
	Message string
}

// Send sends a draft quote to the customer: it fixes the promised date from
// the lines' availability now, marks the quote sent and queues the email in
// the same transaction (the outbox delivers it once the send commits).
func (s *Service) Send(ctx context.Context, sc Scope, id uuid.UUID, in SendInput) (Quote, error) {
	in.To, in.Message = strings.TrimSpace(in.To), strings.TrimSpace(in.Message)
	f := errs.Fields{}
	if in.To != "" {
		if a, err := mail.ParseAddress(in.To); err != nil || a.Name != "" {
			f.Add("to", "must be an email address")
		}
	}
	checkText(f, "message", in.Message, MaxMessage)
	if err := f.Err(); err != nil {
		return Quote{}, err
	}
	company, err := s.company.CompanyName(ctx)
	if err != nil {
		return Quote{}, err
	}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q, err := load(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		if q.Status != StatusDraft {
			return errs.E(errs.Conflict, "only a draft quote can be sent; this one is %s", q.Current(s.Today()))
		}
		if q.ValidUntil.Before(s.Today()) {
			return errs.Field("valid_until", "the quote's validity has passed; set a new valid-until date first")
		}
		to, err := s.recipient(ctx, tx, q, in.To)
		if err != nil {
			return err
		}
		promised := s.Today()
		for _, l := range q.Lines {
			p, err := s.availability.Promise(ctx, l.ProductID, l.Quantity)
			if err != nil {
				return err
			}
			if p.Date.After(promised) {
				promised = p.Date
			}
		}
		before := q
		t := s.stamp()
		q.Status, q.SentAt, q.SentTo, q.PromisedDate, q.UpdatedAt = StatusSent, &t, to, &promised, t
		if err := save(ctx, tx, &q); err != nil {
			return err
		}
		tid, _ := tenant.FromContext(ctx)
		if err := imail.Enqueue(ctx, tx, tid, quoteMail(q, company, to, in.Message)); err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "quote.sent", Resource: "quotes", ResourceID: id.String(),
			Before: before, After: q}); err != nil {
			return err
		}
		return s.publish(ctx, tx, TopicSent, q)
	})
	if err != nil {
		return Quote{}, err
	}
	return s.Get(ctx, sc, id)
}

// recipient is the address a quote goes to: the one asked for, else the
// contact's, else the account's.
func (s *Service) recipient(ctx context.Context, tx bun.IDB, q Quote, to string) (string, error) {
	if to != "" {
		return to, nil
	}
	if q.ContactID != nil {
		var c contactRef
		if err := tx.NewSelect().Model(&c).Where("c.id = ?", *q.ContactID).Scan(ctx); err != nil {
			return "", err
		}
		if c.Email != "" {
			return c.Email, nil
		}
	}
	a, err := account(ctx, tx, q.AccountID)
	if err != nil {
		return "", err
	}
	if a.Email == "" {
		return "", errs.Field("to", "is required: neither the contact nor the account has an email address")
	}
	return a.Email, nil
}

// quoteMail is the customer's email: the quote in plain text.
func quoteMail(q Quote, company, to, message string) imail.Message {
	var b strings.Builder
	if message != "" {
		b.WriteString(message + "\n\n")
	}
	fmt.Fprintf(&b, "%s sends you quote %s (revision %d).\n\n", company, q.Number, q.Revision)
	for _, l := range q.Lines {
		fmt.Fprintf(&b, "- %s: %d × %s", l.Description, l.Quantity, money.Format(l.UnitPriceMinor, q.Currency))
		if l.DiscountBP > 0 {
			fmt.Fprintf(&b, " less %s", percent(l.DiscountBP))
		}
		fmt.Fprintf(&b, " = %s\n", money.Format(l.NetMinor, q.Currency))
	}
	fmt.Fprintf(&b, "\nNet: %s\nTax: %s\nTotal: %s\n", money.Format(q.SubtotalMinor, q.Currency),
		money.Format(q.TaxMinor, q.Currency), money.Format(q.TotalMinor, q.Currency))
	if q.PromisedDate != nil {
		fmt.Fprintf(&b, "Delivery from: %s\n", q.PromisedDate.Format(time.DateOnly))
	}
	fmt.Fprintf(&b, "Valid until: %s\n\nReply to this email to accept or ask for changes.\n", q.ValidUntil.Format(time.DateOnly))
	return imail.Message{To: to, Subject: fmt.Sprintf("Quote %s from %s", q.Number, company), Text: b.String(), Kind: "quote"}
}

// percent writes basis points as a percentage: 2100 → "21%", 550 → "5.5%".
func percent(bp int) string {
	s := fmt.Sprintf("%d", bp/100)
	if r := bp % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", r), "0")
	}
	return s + "%"
}
