package invoicing

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Handler serves the invoice, payment and credit note routes under /api/v1.
type Handler struct{ svc *Service }

// NewHandler returns the invoicing HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the invoicing routes on r (at /api/v1). Refunds (money a
// credit note gives back on a paid invoice) are read with payments:read,
// by customers too, and recorded as paid back with payments:record. Credit notes are
// read with invoices:read: they are part of an invoice's story. AR aging
// lives at /ar-aging rather than under /invoices so that it can never be
// taken for an invoice id. Reading invoices and credit notes (and an
// invoice's PDF) is open to portal customers (P3), bound to their account
// and answered with the customer allow-list; the rest is staff only.
func (h *Handler) Routes(r *web.Router) {
	read, bound := web.Perm("invoices:read"), web.CustomerPerm("invoices:read")
	r.Get("/invoices", bound, h.list)
	r.Get("/invoices.csv", read, h.exportCSV)
	r.Post("/invoices", web.Perm("invoices:issue"), h.issue)
	r.Get("/invoices/:id", bound, h.get)
	r.Get("/invoices/:id/pdf", bound, h.pdf)
	r.Get("/payments", web.Perm("payments:read"), h.payments)
	r.Post("/payments", web.Perm("payments:record"), h.pay)
	r.Get("/credit-notes", bound, h.creditNotes)
	r.Post("/credit-notes", web.Perm("credit_notes:issue"), h.credit)
	r.Get("/credit-notes/:id", bound, h.creditNote)
	r.Get("/refunds", web.CustomerPerm("payments:read"), h.refunds)
	r.Get("/refunds/:id", web.CustomerPerm("payments:read"), h.refund)
	r.Post("/refunds/:id/record", web.Perm("payments:record"), h.recordRefund)
	r.Get("/accounts/:id/balance", read, h.balance)
	r.Get("/ar-aging", read, h.aging)
}

// dateLayout is how dates travel in JSON: calendar dates, no time zone.
const dateLayout = "2006-01-02"

type lineJSON struct {
	ID             uuid.UUID `json:"id"`
	OrderLineID    uuid.UUID `json:"order_line_id"`
	ProductID      uuid.UUID `json:"product_id"`
	Description    string    `json:"description"`
	Quantity       int64     `json:"quantity"`
	UnitPriceMinor int64     `json:"unit_price_minor"`
	DiscountBP     int       `json:"discount_bp"`
	TaxRateBP      int       `json:"tax_rate_bp"`
	NetMinor       int64     `json:"net_minor"`
	TaxMinor       int64     `json:"tax_minor"`
	TotalMinor     int64     `json:"total_minor"`
	CreditedQty    int64     `json:"credited_qty"`
}

type invoiceJSON struct {
	ID            uuid.UUID         `json:"id"`
	Number        string            `json:"number"`
	OrderID       uuid.UUID         `json:"order_id"`
	AccountID     uuid.UUID         `json:"account_id"`
	Status        Status            `json:"status"`
	Overdue       bool              `json:"overdue"`
	Currency      string            `json:"currency"`
	IssueDate     string            `json:"issue_date"`
	DueDate       string            `json:"due_date"`
	NetMinor      int64             `json:"net_minor"`
	TaxMinor      int64             `json:"tax_minor"`
	TotalMinor    int64             `json:"total_minor"`
	PaidMinor     int64             `json:"paid_minor"`
	CreditedMinor int64             `json:"credited_minor"`
	RefundMinor   int64             `json:"refund_minor"` // paid, then un-applied by credit notes and owed back
	BalanceMinor  int64             `json:"balance_minor"`
	CreatedBy     *uuid.UUID        `json:"created_by"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Lines         *[]lineJSON       `json:"lines,omitempty"`        // detail only
	Payments      *[]paymentJSON    `json:"payments,omitempty"`     // detail only
	CreditNotes   *[]creditNoteJSON `json:"credit_notes,omitempty"` // detail only
	Refunds       *[]refundJSON     `json:"refunds,omitempty"`      // detail only
}

type paymentJSON struct {
	ID          uuid.UUID  `json:"id"`
	InvoiceID   uuid.UUID  `json:"invoice_id"`
	AccountID   uuid.UUID  `json:"account_id"`
	AmountMinor int64      `json:"amount_minor"`
	Currency    string     `json:"currency"`
	Method      Method     `json:"method"`
	Reference   string     `json:"reference"`
	ExternalRef string     `json:"external_ref"` // the provider's object (Stripe PaymentIntent) for online payments
	ReceivedOn  string     `json:"received_on"`
	CreatedBy   *uuid.UUID `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

type creditLineJSON struct {
	ID            uuid.UUID `json:"id"`
	InvoiceLineID uuid.UUID `json:"invoice_line_id"`
	Quantity      int64     `json:"quantity"`
	NetMinor      int64     `json:"net_minor"`
	TaxMinor      int64     `json:"tax_minor"`
	TotalMinor    int64     `json:"total_minor"`
}

type creditNoteJSON struct {
	ID         uuid.UUID         `json:"id"`
	Number     string            `json:"number"`
	InvoiceID  uuid.UUID         `json:"invoice_id"`
	AccountID  uuid.UUID         `json:"account_id"`
	Reason     string            `json:"reason"`
	Currency   string            `json:"currency"`
	IssueDate  string            `json:"issue_date"`
	NetMinor   int64             `json:"net_minor"`
	TaxMinor   int64             `json:"tax_minor"`
	TotalMinor int64             `json:"total_minor"`
	CreatedBy  *uuid.UUID        `json:"created_by"`
	CreatedAt  time.Time         `json:"created_at"`
	Lines      *[]creditLineJSON `json:"lines,omitempty"`  // detail only
	Refund     *refundJSON       `json:"refund,omitempty"` // detail only: the money it gives back, if any
}

type amountsJSON struct {
	Currency     string `json:"currency"`
	BalanceMinor int64  `json:"balance_minor"`
	OverdueMinor int64  `json:"overdue_minor"`
}

type agingJSON struct {
	AccountID   uuid.UUID `json:"account_id"`
	Currency    string    `json:"currency"`
	AccountName string    `json:"account_name"`
	Current     int64     `json:"current_minor"`
	Days1to30   int64     `json:"days_1_30_minor"`
	Days31to60  int64     `json:"days_31_60_minor"`
	Days61to90  int64     `json:"days_61_90_minor"`
	Over90      int64     `json:"over_90_minor"`
	Total       int64     `json:"total_minor"`
}

// invoiceOut converts an invoice; detail adds lines, payments and credit
// notes. today decides overdue.
func invoiceOut(i Invoice, today time.Time, detail bool) invoiceJSON {
	out := invoiceJSON{ID: i.ID, Number: i.Number, OrderID: i.OrderID, AccountID: i.AccountID, Status: i.Status,
		Overdue: i.Overdue(today), Currency: i.Currency, IssueDate: i.IssueDate.Format(dateLayout),
		DueDate: i.DueDate.Format(dateLayout), NetMinor: i.NetMinor, TaxMinor: i.TaxMinor, TotalMinor: i.TotalMinor,
		PaidMinor: i.PaidMinor, CreditedMinor: i.CreditedMinor, RefundMinor: i.RefundMinor, BalanceMinor: i.Balance(), CreatedBy: i.CreatedBy,
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
	if !detail {
		return out
	}
	lines, pays, credits := make([]lineJSON, len(i.Lines)), make([]paymentJSON, len(i.Payments)), make([]creditNoteJSON, len(i.CreditNotes))
	for k, l := range i.Lines {
		lines[k] = lineJSON{ID: l.ID, OrderLineID: l.OrderLineID, ProductID: l.ProductID, Description: l.Description,
			Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP,
			NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor, CreditedQty: l.CreditedQty}
	}
	for k, p := range i.Payments {
		pays[k] = paymentOut(p)
	}
	for k, c := range i.CreditNotes {
		credits[k] = creditNoteOut(c, false)
	}
	out.Lines, out.Payments, out.CreditNotes, out.Refunds = &lines, &pays, &credits, mapRefunds(i.Refunds, refundOut)
	return out
}

func paymentOut(p Payment) paymentJSON {
	return paymentJSON{ID: p.ID, InvoiceID: p.InvoiceID, AccountID: p.AccountID, AmountMinor: p.AmountMinor,
		Currency: p.Currency, Method: p.Method, Reference: p.Reference, ExternalRef: p.ExternalRef, ReceivedOn: p.ReceivedOn.Format(dateLayout),
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt}
}

func creditNoteOut(c CreditNote, detail bool) creditNoteJSON {
	out := creditNoteJSON{ID: c.ID, Number: c.Number, InvoiceID: c.InvoiceID, AccountID: c.AccountID, Reason: c.Reason,
		Currency: c.Currency, IssueDate: c.IssueDate.Format(dateLayout), NetMinor: c.NetMinor, TaxMinor: c.TaxMinor,
		TotalMinor: c.TotalMinor, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt}
	if detail {
		lines := make([]creditLineJSON, len(c.Lines))
		for k, l := range c.Lines {
			lines[k] = creditLineJSON{ID: l.ID, InvoiceLineID: l.InvoiceLineID, Quantity: l.Quantity,
				NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
		}
		out.Lines, out.Refund = &lines, refundOrNil(c.Refund, refundOut)
	}
	return out
}

// Request bodies. Ids and dates are decoded as strings so a malformed one
// is refused by field name; status, number, amounts of documents and the
// tenant are not fields, so the strict decoder refuses them by name (A4).
type issueIn struct {
	OrderID string `json:"order_id"`
}

type paymentIn struct {
	InvoiceID   string `json:"invoice_id"`
	AmountMinor int64  `json:"amount_minor"`
	Method      Method `json:"method"`
	Reference   string `json:"reference"`
	ReceivedOn  string `json:"received_on"`
}

type creditLineIn struct {
	InvoiceLineID string `json:"invoice_line_id"`
	Quantity      int64  `json:"quantity"`
}

type creditNoteIn struct {
	InvoiceID string         `json:"invoice_id"`
	Lines     []creditLineIn `json:"lines"`
	Reason    string         `json:"reason"`
}

// decodeIssue parses an issue body; fuzz targets call it directly.
func decodeIssue(body []byte) (uuid.UUID, error) {
	var in issueIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return uuid.Nil, err
	}
	f := errs.Fields{}
	id := parseID(f, "order_id", in.OrderID)
	if id == uuid.Nil && len(f) == 0 {
		f.Add("order_id", "is required")
	}
	return id, f.Err()
}

// decodePayment parses a payment body (checked by the service).
func decodePayment(body []byte) (NewPayment, error) {
	var in paymentIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return NewPayment{}, err
	}
	f := errs.Fields{}
	out := NewPayment{InvoiceID: parseID(f, "invoice_id", in.InvoiceID), AmountMinor: in.AmountMinor, Method: in.Method,
		Reference: in.Reference}
	if in.ReceivedOn != "" {
		d, err := time.Parse(dateLayout, in.ReceivedOn)
		if err != nil {
			f.Add("received_on", "must be a date (YYYY-MM-DD)")
		}
		out.ReceivedOn = &d
	}
	return out, f.Err()
}

// decodeCreditNote parses a credit note body (checked by the service).
func decodeCreditNote(body []byte) (NewCreditNote, error) {
	var in creditNoteIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return NewCreditNote{}, err
	}
	f := errs.Fields{}
	out := NewCreditNote{InvoiceID: parseID(f, "invoice_id", in.InvoiceID), Reason: in.Reason}
	for i, l := range in.Lines {
		id := parseID(f, fmt.Sprintf("lines[%d].invoice_line_id", i), l.InvoiceLineID)
		out.Lines = append(out.Lines, NewCreditLine{InvoiceLineID: id, Quantity: l.Quantity})
	}
	return out, f.Err()
}

// parseID reads an id, naming field when it is malformed ("" is left to the
// "is required" checks).
func parseID(f errs.Fields, field, s string) uuid.UUID {
	if s == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		f.Add(field, "must be an id")
	}
	return id
}

func jsonBody(c *fiber.Ctx) ([]byte, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return nil, errs.Field("body", "content type must be application/json")
	}
	return c.Body(), nil
}
