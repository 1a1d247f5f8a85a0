package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/internal/mail"
	"nexo/modules/invoicing"
	"nexo/modules/returns"
	"nexo/modules/sales"
	"nexo/modules/shipping"
	"nexo/tenant"
)

// The returns module's outbox topics; the payload of all six is
// {"return_id", "number", "account_id", "order_id", "status", "reason",
// "credit_note_id", "replacement_order_id"}. A replaced return sends no
// email of its own: its replacement order's confirmation
// (sales.TopicOrderConfirmed) already tells the customer.
const (
	TopicReturnRequested = returns.TopicRequested
	TopicReturnApproved  = returns.TopicApproved
	TopicReturnRejected  = returns.TopicRejected
	TopicReturnReceived  = returns.TopicReceived
	TopicReturnRefunded  = returns.TopicRefunded
	TopicReturnReplaced  = returns.TopicReplaced
)

// Documents is what customer notifications read of the documents they are
// about (implemented over sales, shipping and invoicing in cmd/nexo). The
// context is bound to the event's tenant, with no principal.
type Documents interface {
	GetOrder(ctx context.Context, id uuid.UUID) (sales.Order, error)
	GetShipment(ctx context.Context, id uuid.UUID) (shipping.Shipment, error)
	GetInvoice(ctx context.Context, id uuid.UUID) (invoicing.Invoice, error)
	GetCreditNote(ctx context.Context, id uuid.UUID) (invoicing.CreditNote, error)
}

// notifyPayload is the union of the payloads of every topic consumed here;
// each topic requires its own document id (idField) and account_id.
type notifyPayload struct {
	AccountID    uuid.UUID  `json:"account_id"`
	OrderID      *uuid.UUID `json:"order_id"`
	ShipmentID   *uuid.UUID `json:"shipment_id"`
	InvoiceID    *uuid.UUID `json:"invoice_id"`
	PaymentID    *uuid.UUID `json:"payment_id"`
	CreditNoteID *uuid.UUID `json:"credit_note_id"`
	ReturnID     *uuid.UUID `json:"return_id"`
	RefundID     *uuid.UUID `json:"refund_id"`
	Number       string     `json:"number"`
	Status       string     `json:"status"`
	AmountMinor  int64      `json:"amount_minor"`
	Currency     string     `json:"currency"`
	Reason       string     `json:"reason"`
}

// notifyTopics names, for every consumed topic, the payload field that
// identifies its document.
var notifyTopics = map[string]string{
	sales.TopicOrderConfirmed:       "order_id",
	sales.TopicOrderCancelled:       "order_id",
	sales.TopicOrderCreditHold:      "order_id",
	shipping.TopicStatusChanged:     "shipment_id",
	invoicing.TopicInvoiceIssued:    "invoice_id",
	invoicing.TopicPaymentRecorded:  "payment_id",
	invoicing.TopicCreditNoteIssued: "credit_note_id",
	invoicing.TopicRefundChanged:    "refund_id",
	TopicReturnRequested:            "return_id",
	TopicReturnApproved:             "return_id",
	TopicReturnRejected:             "return_id",
	TopicReturnReceived:             "return_id",
	TopicReturnRefunded:             "return_id",
	TopicReturnReplaced:             "return_id",
}

func (p *notifyPayload) id(field string) *uuid.UUID {
	return map[string]*uuid.UUID{"order_id": p.OrderID, "shipment_id": p.ShipmentID, "invoice_id": p.InvoiceID,
		"payment_id": p.PaymentID, "credit_note_id": p.CreditNoteID, "return_id": p.ReturnID, "refund_id": p.RefundID}[field]
}

// NotifyHandlers returns the relay handler of every topic about a customer
// account's documents, keyed by topic, for cmd/nexo to register (the relay
// takes one handler per topic, so this is the only consumer of each). Every
// event first calls Options.Invalidate with its tenant and account; the
// events a customer wants to hear of then email the account's active portal
// users, each in their language and the tenant's branding.
func (s *Service) NotifyHandlers(docs Documents) map[string]events.Handler {
	out := make(map[string]events.Handler, len(notifyTopics))
	for topic, field := range notifyTopics {
		out[topic] = func(ctx context.Context, e events.Event) error { return s.notify(ctx, docs, topic, field, e) }
	}
	return out
}

func (s *Service) notify(ctx context.Context, docs Documents, topic, field string, e events.Event) error {
	var p notifyPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return events.Permanent(fmt.Errorf("portal notify: %s event %s: %w", topic, e.ID, err))
	}
	if e.TenantID == uuid.Nil || p.AccountID == uuid.Nil {
		return events.Permanent(fmt.Errorf("portal notify: %s event %s has no tenant or account_id", topic, e.ID))
	}
	if id := p.id(field); id == nil || *id == uuid.Nil {
		return events.Permanent(fmt.Errorf("portal notify: %s event %s has no %s", topic, e.ID, field))
	}
	if s.opt.Invalidate != nil {
		s.opt.Invalidate(ctx, e.TenantID, p.AccountID)
	}
	n, err := s.noticeFor(ctx, docs, topic, &p)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			// The document was written in the event's own transaction: if it
			// is gone, no retry brings it back.
			return events.Permanent(fmt.Errorf("portal notify: %s event %s: %w", topic, e.ID, err))
		}
		return err
	}
	if n == nil {
		return nil
	}
	if n.accountID != p.AccountID {
		return events.Permanent(fmt.Errorf("portal notify: %s event %s names account %s, its document belongs to %s",
			topic, e.ID, p.AccountID, n.accountID))
	}
	return s.sendNotice(ctx, e, n)
}

// notice is one customer email's content, before its language is chosen.
type notice struct {
	kind      string // noticeOrderConfirmed...
	accountID uuid.UUID
	number    string // the number in the subject
	facts     []noticeFact
	path      string // the document's page under /portal/{slug}
	trackURL  string
}

// noticeFact is one key fact; value formats it in a language.
type noticeFact struct {
	label string // a key of words.labels
	value func(locale string) string
}

func textFact(label, v string) noticeFact {
	return noticeFact{label: label, value: func(string) string { return v }}
}

// Notice kinds, also the mail kinds ("portal_" + kind).
const (
	noticeOrderConfirmed    = "order_confirmed"
	noticeShipmentShipped   = "shipment_shipped"
	noticeShipmentDelivered = "shipment_delivered"
	noticeInvoiceIssued     = "invoice_issued"
	noticeReturnApproved    = "return_approved"
	noticeCreditNoteIssued  = "credit_note_issued"
	noticeRefundSent        = "refund_sent"
)

// noticeFor reads the facts of the events customers are emailed about, and
// returns nil for the others.
func (s *Service) noticeFor(ctx context.Context, docs Documents, topic string, p *notifyPayload) (*notice, error) {
	switch topic {
	case sales.TopicOrderConfirmed:
		o, err := docs.GetOrder(ctx, *p.OrderID)
		if err != nil {
			return nil, err
		}
		promised := func(locale string) string { return formatDate(o.PromisedDate, locale) }
		return &notice{kind: noticeOrderConfirmed, accountID: o.AccountID, number: o.Number, path: "/orders/" + o.ID.String(),
			facts: []noticeFact{textFact("order", o.Number), moneyFact("total", o.TotalMinor, o.Currency), {label: "promised", value: promised}}}, nil
	case shipping.TopicStatusChanged:
		kind := map[string]string{string(shipping.StatusShipped): noticeShipmentShipped,
			string(shipping.StatusDelivered): noticeShipmentDelivered}[p.Status]
		if kind == "" {
			return nil, nil
		}
		sh, err := docs.GetShipment(ctx, *p.ShipmentID)
		if err != nil {
			return nil, err
		}
		o, err := docs.GetOrder(ctx, sh.OrderID)
		if err != nil {
			return nil, err
		}
		n := &notice{kind: kind, accountID: sh.AccountID, number: o.Number, path: "/orders/" + o.ID.String(), trackURL: sh.TrackingURL,
			facts: []noticeFact{textFact("order", o.Number), textFact("shipment", sh.Number)}}
		if sh.Carrier != "" {
			n.facts = append(n.facts, textFact("carrier", sh.Carrier))
		}
		if sh.TrackingNumber != "" {
			n.facts = append(n.facts, textFact("tracking", sh.TrackingNumber))
		}
		return n, nil
	case invoicing.TopicInvoiceIssued:
		inv, err := docs.GetInvoice(ctx, *p.InvoiceID)
		if err != nil {
			return nil, err
		}
		due := inv.DueDate
		return &notice{kind: noticeInvoiceIssued, accountID: inv.AccountID, number: inv.Number, path: "/invoices/" + inv.ID.String(),
			facts: []noticeFact{textFact("invoice", inv.Number), moneyFact("total", inv.TotalMinor, inv.Currency),
				{label: "due", value: func(locale string) string { return formatDate(&due, locale) }}}}, nil
	case invoicing.TopicCreditNoteIssued:
		cn, err := docs.GetCreditNote(ctx, *p.CreditNoteID)
		if err != nil {
			return nil, err
		}
		inv, err := docs.GetInvoice(ctx, cn.InvoiceID)
		if err != nil {
			return nil, err
		}
		n := &notice{kind: noticeCreditNoteIssued, accountID: cn.AccountID, number: cn.Number, path: "/invoices/" + inv.ID.String(),
			facts: []noticeFact{textFact("credit_note", cn.Number), moneyFact("credited", cn.TotalMinor, cn.Currency),
				textFact("invoice", inv.Number)}}
		if cn.Refund != nil {
			n.facts = append(n.facts, moneyFact("refund_due", cn.Refund.AmountMinor, cn.Refund.Currency))
		}
		return n, nil
	case invoicing.TopicRefundChanged:
		// Customers hear about a refund when the money is on its way; that
		// a credit note's was due was in the credit note's email.
		if p.Status != string(invoicing.RefundRefunded) || p.InvoiceID == nil || p.Currency == "" {
			return nil, nil
		}
		inv, err := docs.GetInvoice(ctx, *p.InvoiceID)
		if err != nil {
			return nil, err
		}
		n := &notice{kind: noticeRefundSent, accountID: inv.AccountID, number: inv.Number, path: "/invoices/" + inv.ID.String(),
			facts: []noticeFact{moneyFact("refunded", p.AmountMinor, p.Currency), textFact("invoice", inv.Number)}}
		if p.CreditNoteID != nil {
			cn, err := docs.GetCreditNote(ctx, *p.CreditNoteID)
			if err != nil {
				return nil, err
			}
			n.facts = append(n.facts, textFact("credit_note", cn.Number))
		}
		return n, nil
	case TopicReturnApproved:
		// The returns module's payload carries what the email needs; its
		// documents are not read from here.
		if p.Number == "" {
			return nil, events.Permanent(fmt.Errorf("portal notify: %s without a number", topic))
		}
		n := &notice{kind: noticeReturnApproved, accountID: p.AccountID, number: p.Number, path: "/returns/" + p.ReturnID.String(),
			facts: []noticeFact{textFact("return", p.Number)}}
		if p.Reason != "" {
			n.facts = append(n.facts, textFact("reason", p.Reason))
		}
		return n, nil
	}
	return nil, nil
}

// noticeRow marks an event whose emails were enqueued.
type noticeRow struct {
	bun.BaseModel `bun:"table:portal_notices,alias:pn"`
	tenant.Scoped
	EventID   uuid.UUID `bun:"event_id,pk,type:uuid"`
	Topic     string    `bun:"topic"`
	AccountID uuid.UUID `bun:"account_id,type:uuid"`
	Emails    int       `bun:"emails"`
	EventAt   time.Time `bun:"event_at"`
}

// recipientRow is a portal user to email: active, opted in, whose contact is
// active and still of the account (the rule a portal session obeys).
type recipientRow struct {
	bun.BaseModel `bun:"table:portal_users,alias:pu"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Email     string    `bun:"email"`
	Locale    string    `bun:"locale"`
	FirstName string    `bun:"first_name,scanonly"`
}

// sendNotice enqueues n's email to every recipient of the account, all in
// one transaction with the event's noticeRow: either every email of the
// event is enqueued and the event is marked, or nothing is and the relay's
// retry starts over. A redelivered event finds its mark and sends nothing.
func (s *Service) sendNotice(ctx context.Context, e events.Event, n *notice) error {
	b, err := s.branding(ctx, e.TenantID)
	if errs.Is(err, errs.NotFound) {
		// A suspended tenant has no portal for the links to open.
		return nil
	}
	if err != nil {
		return err
	}
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var rcpts []recipientRow
		err := tx.NewSelect().Model(&rcpts).Column("pu.id", "pu.email", "pu.locale").ColumnExpr("c.first_name").
			Join("JOIN contacts AS c ON c.tenant_id = pu.tenant_id AND c.id = pu.contact_id AND c.account_id = pu.account_id").
			Where("pu.account_id = ?", n.accountID).Where("pu.status = ?", StatusActive).Where("pu.notify_orders").Where("c.active").
			OrderExpr("pu.id").Scan(ctx)
		if err != nil {
			return err
		}
		mark := &noticeRow{EventID: e.ID, Topic: e.Topic, AccountID: n.accountID, Emails: len(rcpts), EventAt: e.CreatedAt}
		res, err := tx.NewInsert().Model(mark).On("CONFLICT (event_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if done, err := res.RowsAffected(); err != nil || done == 0 {
			return err // sent by an earlier delivery of this event
		}
		sent := 0
		for _, r := range rcpts {
			locale := r.Locale
			if !validLocale(locale) {
				locale = b.locale
			}
			m, err := renderNotice(n, b, locale, r.FirstName)
			if err != nil {
				return err
			}
			m.To, m.TenantID = r.Email, e.TenantID
			err = mail.Enqueue(ctx, tx, e.TenantID, m)
			if errors.Is(err, mail.ErrInvalid) {
				// One address no server would take must not hold back the
				// others' emails (nor retry them until the event dies).
				continue
			}
			if err != nil {
				return err
			}
			sent++
		}
		if sent == mark.Emails {
			return nil
		}
		_, err = tx.NewUpdate().Model(mark).Set("emails = ?", sent).WherePK().Exec(ctx)
		return err
	})
}

// NoticeRetention is how long a portal_notices row is kept. A row exists
// only to stop a redelivered event from emailing twice, and an event is
// redelivered only until the relay records it done or dead: its retries
// span hours (at most MaxAttempts backoffs of up to an hour each), done
// events are purged from the outbox after 7 days (cmd/nexo's hourly purge)
// and dead ones are never delivered again. Once its event is 30 days old
// nothing can deliver it again, so its row can go.
const NoticeRetention = 30 * 24 * time.Hour

// PurgeNotices deletes the portal_notices rows of events older than
// olderThan, across tenants (one tenant-bound transaction each, as RLS
// requires), and reports how many it removed.
func (s *Service) PurgeNotices(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := s.now().Add(-olderThan)
	total := 0
	err := s.db.EachTenant(ctx, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewDelete().Model((*noticeRow)(nil)).Where("pn.event_at < ?", cutoff).Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		total += int(n)
		return err
	})
	if err != nil {
		return total, fmt.Errorf("portal: purge notices: %w", err)
	}
	return total, nil
}
