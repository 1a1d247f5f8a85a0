package invoicing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// The customer binding (R3) for portal customers on the invoice and credit
// note routes that admit them (web.CustomerPerm): the service's reads apply
// bindAccount, so a customer's list holds their own account's documents
// only and another account's id is answered exactly like a missing one;
// the handlers answer with an allow-list (A4).
//
// Field decisions for customers: number, dates, status, overdue, currency,
// amounts and balance, and each line's description, quantity, prices,
// discount, tax and amounts are on the document the customer received; the
// order id is their own order's; each payment's date, amount, currency and
// method (their own payment history). Left out: created_by (staff
// identities), the lines' order line and product ids (internal keys) and
// the payments' recording details (who recorded them, internal and
// provider references). Credit notes keep their reason: it is printed on
// the document; their detail adds each credited line's description,
// quantity and amounts and the credited invoice's number. Refunds (money
// owed back) show amount, status, method and date; not who recorded them
// nor any reference.

// bindAccount limits a select over an account-owned invoicing table (col
// is its qualified account column) to the caller's account when the caller
// is a customer; a customer without an account sees nothing.
func bindAccount(ctx context.Context, col string) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if acc, bound := tenant.BoundAccount(ctx); bound {
			return q.Where(col+" = ?", acc)
		}
		return q
	}
}

type customerLineJSON struct {
	Description    string `json:"description"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
	DiscountBP     int    `json:"discount_bp"`
	TaxRateBP      int    `json:"tax_rate_bp"`
	NetMinor       int64  `json:"net_minor"`
	TaxMinor       int64  `json:"tax_minor"`
	TotalMinor     int64  `json:"total_minor"`
	CreditedQty    int64  `json:"credited_qty"`
}

type customerInvoiceJSON struct {
	ID            uuid.UUID                 `json:"id"`
	Number        string                    `json:"number"`
	OrderID       uuid.UUID                 `json:"order_id"`
	AccountID     uuid.UUID                 `json:"account_id"`
	Status        Status                    `json:"status"`
	Overdue       bool                      `json:"overdue"`
	Currency      string                    `json:"currency"`
	IssueDate     string                    `json:"issue_date"`
	DueDate       string                    `json:"due_date"`
	NetMinor      int64                     `json:"net_minor"`
	TaxMinor      int64                     `json:"tax_minor"`
	TotalMinor    int64                     `json:"total_minor"`
	PaidMinor     int64                     `json:"paid_minor"`
	CreditedMinor int64                     `json:"credited_minor"`
	RefundMinor   int64                     `json:"refund_minor"`
	BalanceMinor  int64                     `json:"balance_minor"`
	CreatedAt     time.Time                 `json:"created_at"`
	Lines         *[]customerLineJSON       `json:"lines,omitempty"`        // detail only
	Payments      *[]customerPaymentJSON    `json:"payments,omitempty"`     // detail only
	CreditNotes   *[]customerCreditNoteJSON `json:"credit_notes,omitempty"` // detail only
	Refunds       *[]customerRefundJSON     `json:"refunds,omitempty"`      // detail only
}

type customerPaymentJSON struct {
	ReceivedOn  string `json:"received_on"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	Method      Method `json:"method"`
}

type customerCreditNoteJSON struct {
	ID            uuid.UUID                 `json:"id"`
	Number        string                    `json:"number"`
	InvoiceID     uuid.UUID                 `json:"invoice_id"`
	InvoiceNumber string                    `json:"invoice_number,omitempty"` // detail only
	AccountID     uuid.UUID                 `json:"account_id"`
	Reason        string                    `json:"reason"`
	Currency      string                    `json:"currency"`
	IssueDate     string                    `json:"issue_date"`
	NetMinor      int64                     `json:"net_minor"`
	TaxMinor      int64                     `json:"tax_minor"`
	TotalMinor    int64                     `json:"total_minor"`
	CreatedAt     time.Time                 `json:"created_at"`
	Lines         *[]customerCreditLineJSON `json:"lines,omitempty"`  // detail only
	Refund        *customerRefundJSON       `json:"refund,omitempty"` // detail only
}

// customerCreditLineJSON is a credited line as printed on the credit note:
// never the invoice line's internal id.
type customerCreditLineJSON struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	NetMinor    int64  `json:"net_minor"`
	TaxMinor    int64  `json:"tax_minor"`
	TotalMinor  int64  `json:"total_minor"`
}

func customerInvoiceOut(i Invoice, today time.Time, detail bool) customerInvoiceJSON {
	out := customerInvoiceJSON{ID: i.ID, Number: i.Number, OrderID: i.OrderID, AccountID: i.AccountID, Status: i.Status,
		Overdue: i.Overdue(today), Currency: i.Currency, IssueDate: i.IssueDate.Format(dateLayout),
		DueDate: i.DueDate.Format(dateLayout), NetMinor: i.NetMinor, TaxMinor: i.TaxMinor, TotalMinor: i.TotalMinor,
		PaidMinor: i.PaidMinor, CreditedMinor: i.CreditedMinor, RefundMinor: i.RefundMinor, BalanceMinor: i.Balance(),
		CreatedAt: i.CreatedAt}
	if !detail {
		return out
	}
	lines, credits := make([]customerLineJSON, len(i.Lines)), make([]customerCreditNoteJSON, len(i.CreditNotes))
	for k, l := range i.Lines {
		lines[k] = customerLineJSON{Description: l.Description, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor,
			DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor, TaxMinor: l.TaxMinor,
			TotalMinor: l.TotalMinor, CreditedQty: l.CreditedQty}
	}
	for k, c := range i.CreditNotes {
		credits[k] = customerCreditNoteOut(c)
	}
	pays := make([]customerPaymentJSON, len(i.Payments))
	for k, p := range i.Payments {
		pays[k] = customerPaymentJSON{ReceivedOn: p.ReceivedOn.Format(dateLayout), AmountMinor: p.AmountMinor,
			Currency: p.Currency, Method: p.Method}
	}
	out.Lines, out.Payments, out.CreditNotes = &lines, &pays, &credits
	out.Refunds = mapRefunds(i.Refunds, customerRefundOut)
	return out
}

func customerCreditNoteOut(c CreditNote) customerCreditNoteJSON {
	return customerCreditNoteJSON{ID: c.ID, Number: c.Number, InvoiceID: c.InvoiceID, AccountID: c.AccountID,
		Reason: c.Reason, Currency: c.Currency, IssueDate: c.IssueDate.Format(dateLayout), NetMinor: c.NetMinor,
		TaxMinor: c.TaxMinor, TotalMinor: c.TotalMinor, CreatedAt: c.CreatedAt}
}

// customerCreditNoteDetail adds the lines and the credited invoice's
// number to the allow-list.
func customerCreditNoteDetail(c CreditNote) customerCreditNoteJSON {
	out := customerCreditNoteOut(c)
	lines := make([]customerCreditLineJSON, len(c.Lines))
	for i, l := range c.Lines {
		lines[i] = customerCreditLineJSON{Description: l.Description, Quantity: l.Quantity, NetMinor: l.NetMinor,
			TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
	}
	out.InvoiceNumber, out.Lines, out.Refund = c.InvoiceNumber, &lines, refundOrNil(c.Refund, customerRefundOut)
	return out
}

// bound reports whether the request is a portal customer's.
func bound(ctx context.Context) bool {
	_, ok := tenant.BoundAccount(ctx)
	return ok
}
