package invoicing

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// refundJSON is a refund as staff see it.
type refundJSON struct {
	ID           uuid.UUID    `json:"id"`
	InvoiceID    uuid.UUID    `json:"invoice_id"`
	AccountID    uuid.UUID    `json:"account_id"`
	Reason       string       `json:"reason"`         // credit_note or overpayment
	CreditNoteID *uuid.UUID   `json:"credit_note_id"` // reason credit_note
	AmountMinor  int64        `json:"amount_minor"`
	Currency     string       `json:"currency"`
	Status       RefundStatus `json:"status"`
	Method       *Method      `json:"method"`
	Reference    string       `json:"reference"`
	PaymentID    *uuid.UUID   `json:"payment_id"`
	ExternalRef  string       `json:"external_ref"` // the Stripe Refund of an online refund
	RefundedOn   *string      `json:"refunded_on"`
	RefundedBy   *uuid.UUID   `json:"refunded_by"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// customerRefundJSON is a refund as its customer sees it (A4): how much,
// where it is and how it was paid back; not who recorded it, nor the
// internal and provider references.
type customerRefundJSON struct {
	ID           uuid.UUID    `json:"id"`
	InvoiceID    uuid.UUID    `json:"invoice_id"`
	Reason       string       `json:"reason"`
	CreditNoteID *uuid.UUID   `json:"credit_note_id"`
	AmountMinor  int64        `json:"amount_minor"`
	Currency     string       `json:"currency"`
	Status       RefundStatus `json:"status"`
	Method       *Method      `json:"method"`
	RefundedOn   *string      `json:"refunded_on"`
	CreatedAt    time.Time    `json:"created_at"`
}

func refundOut(r Refund) refundJSON {
	return refundJSON{ID: r.ID, InvoiceID: r.InvoiceID, AccountID: r.AccountID, Reason: r.Reason, CreditNoteID: r.CreditNoteID,
		AmountMinor: r.AmountMinor, Currency: r.Currency, Status: r.Status, Method: methodPtr(r.Method),
		Reference: r.Reference, PaymentID: r.PaymentID, ExternalRef: r.ExternalRef, RefundedOn: datePtr(r.RefundedOn),
		RefundedBy: r.RefundedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func customerRefundOut(r Refund) customerRefundJSON {
	return customerRefundJSON{ID: r.ID, InvoiceID: r.InvoiceID, Reason: r.Reason, CreditNoteID: r.CreditNoteID, AmountMinor: r.AmountMinor,
		Currency: r.Currency, Status: r.Status, Method: methodPtr(r.Method), RefundedOn: datePtr(r.RefundedOn),
		CreatedAt: r.CreatedAt}
}

func methodPtr(m Method) *Method {
	if m == "" {
		return nil
	}
	return &m
}

func datePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(dateLayout)
	return &s
}

func mapRefunds[T any](rs []Refund, f func(Refund) T) *[]T {
	out := make([]T, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return &out
}

// refundOrNil converts a credit note's refund for its detail.
func refundOrNil[T any](r *Refund, f func(Refund) T) *T {
	if r == nil {
		return nil
	}
	v := f(*r)
	return &v
}

func (h *Handler) refunds(c *fiber.Ctx) error {
	fe := errs.Fields{}
	after, limit, err := page(c, fe)
	if err != nil {
		return err
	}
	f := RefundFilter{AccountID: queryID(fe, c, "account_id"), InvoiceID: queryID(fe, c, "invoice_id"),
		Status: RefundStatus(c.Query("status")), After: after, Limit: limit + 1}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "must be one of due, processing, refunded")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	list, err := h.svc.FindRefunds(c.UserContext(), f)
	if err != nil {
		return err
	}
	id := func(r Refund) uuid.UUID { return r.ID }
	if bound(c.UserContext()) {
		return c.JSON(web.Paged(list, limit, id, customerRefundOut))
	}
	return c.JSON(web.Paged(list, limit, id, refundOut))
}

func (h *Handler) refund(c *fiber.Ctx) error {
	id, err := pathID(c, errRefundNotFound())
	if err != nil {
		return err
	}
	r, err := h.svc.GetRefund(c.UserContext(), id)
	if err != nil {
		return err
	}
	if bound(c.UserContext()) {
		return c.JSON(customerRefundOut(r))
	}
	return c.JSON(refundOut(r))
}

type recordRefundIn struct {
	Method     Method `json:"method"`
	Reference  string `json:"reference"`
	RefundedOn string `json:"refunded_on"`
}

// decodeRecordRefund parses a record-refund body (checked by the service).
func decodeRecordRefund(body []byte) (RecordRefund, error) {
	var in recordRefundIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return RecordRefund{}, err
	}
	out := RecordRefund{Method: in.Method, Reference: in.Reference}
	if in.RefundedOn != "" {
		d, err := time.Parse(dateLayout, in.RefundedOn)
		if err != nil {
			return out, errs.Field("refunded_on", "must be a date (YYYY-MM-DD)")
		}
		out.RefundedOn = &d
	}
	return out, nil
}

func (h *Handler) recordRefund(c *fiber.Ctx) error {
	id, err := pathID(c, errRefundNotFound())
	if err != nil {
		return err
	}
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	in, err := decodeRecordRefund(body)
	if err != nil {
		return err
	}
	r, err := h.svc.RecordRefund(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(refundOut(r))
}
