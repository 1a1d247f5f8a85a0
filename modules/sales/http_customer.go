package sales

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// The customer binding (R3) for portal customers on the order routes that
// admit them (web.CustomerPerm): rows of the customer's own account only, a
// foreign order answered exactly like a missing one, and an allow-list of
// fields (A4).
//
// Field decisions for customers: number, status, dates, currency, totals and
// each line's product, description, quantity, prices, discount, tax,
// promised date, shipped and invoiced quantities are the customer's own
// business. Left out: notes (written by staff for staff), created_by and the
// history's by (staff identities), opportunity_id and price_list_id (the
// tenant's pipeline and pricing), the lines' reserved and shortfall figures
// and shortfall action (stock and production planning), and history notes
// (cancel reasons, credit decisions).

var errOrderNotFound = errs.E(errs.NotFound, "order not found")

// Customers see an order once it is placed: a draft is staff's work in
// progress (portals show orders from confirmation on), and so is a draft
// staff cancelled before it ever left draft (cancelling is the only way to
// discard one). Every other status shows, credit_hold included (the order
// was confirmed, the business has yet to accept it) and a cancelled order
// that had left draft. The rule is applied by the service's reads (Get,
// LockOrder, History, Find, FindByAccount) whenever the context is bound to
// a customer account, so every route reaching an order for a customer (the
// order routes, a return's order and its returnable lines, a ticket's
// order link) answers an unplaced order exactly like a missing id. Writes
// are not filtered: accepting a quote creates and confirms a draft in the
// customer's own context.

// discardedDraft is an order cancelled straight from draft; confirmed_at
// rules out most cancelled orders before the history lookup.
const discardedDraft = `o.status = 'cancelled' AND o.confirmed_at IS NULL AND EXISTS (SELECT 1 FROM order_status_history AS h ` +
	`WHERE h.tenant_id = o.tenant_id AND h.order_id = o.id AND h.from_status = 'draft' AND h.to_status = 'cancelled')`

// placedOnly limits a select over orders (alias o) to placed orders when
// the caller is a customer.
func placedOnly(ctx context.Context) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if _, bound := tenant.BoundAccount(ctx); bound {
			q = q.Where("o.status <> ?", string(StatusDraft)).Where("NOT (" + discardedDraft + ")")
		}
		return q
	}
}

// checkPlaced answers a customer's read of an unplaced order like one of a
// missing order; staff read every order.
func checkPlaced(ctx context.Context, tx bun.IDB, o Order) error {
	if _, bound := tenant.BoundAccount(ctx); !bound {
		return nil
	}
	switch {
	case o.Status == StatusDraft:
		return errOrderNotFound
	case o.Status != StatusCancelled || o.ConfirmedAt != nil:
		return nil
	}
	n, err := tx.NewSelect().Model((*orderRow)(nil)).Where("o.id = ?", o.ID).Where(discardedDraft).Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return errOrderNotFound
	}
	return nil
}

// bindFilter limits f to the caller's account when the caller is a
// customer; asking for another account finds nothing.
func bindFilter(ctx context.Context, f *Filter) (bound bool) {
	acc, ok := tenant.BoundAccount(ctx)
	if !ok {
		return false
	}
	if f.AccountID != nil && *f.AccountID != acc {
		acc = uuid.Nil
	}
	f.AccountID = &acc
	return true
}

// visible answers a customer's request for another account's order like a
// request for a missing one.
func visible(ctx context.Context, o Order) (bound bool, err error) {
	acc, ok := tenant.BoundAccount(ctx)
	if !ok {
		return false, nil
	}
	if o.AccountID != acc || acc == uuid.Nil {
		return true, errOrderNotFound
	}
	return true, nil
}

type customerLineJSON struct {
	ID             uuid.UUID `json:"id"`
	ProductID      uuid.UUID `json:"product_id"`
	Description    string    `json:"description"`
	Quantity       int64     `json:"quantity"`
	UnitPriceMinor int64     `json:"unit_price_minor"`
	DiscountBP     int       `json:"discount_bp"`
	TaxRateBP      int       `json:"tax_rate_bp"`
	NetMinor       int64     `json:"net_minor"`
	TaxMinor       int64     `json:"tax_minor"`
	TotalMinor     int64     `json:"total_minor"`
	PromisedDate   *string   `json:"promised_date"`
	ShippedQty     int64     `json:"shipped_qty"`
	InvoicedQty    int64     `json:"invoiced_qty"`
}

type customerOrderJSON struct {
	ID            uuid.UUID          `json:"id"`
	Number        string             `json:"number"`
	AccountID     uuid.UUID          `json:"account_id"`
	Status        Status             `json:"status"`
	RequestedDate *string            `json:"requested_date"`
	PromisedDate  *string            `json:"promised_date"`
	Currency      string             `json:"currency"`
	SubtotalMinor int64              `json:"subtotal_minor"`
	TaxMinor      int64              `json:"tax_minor"`
	TotalMinor    int64              `json:"total_minor"`
	QuoteID       *uuid.UUID         `json:"quote_id"`
	ConfirmedAt   *time.Time         `json:"confirmed_at"`
	CancelledAt   *time.Time         `json:"cancelled_at"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	Lines         []customerLineJSON `json:"lines,omitempty"` // detail responses only
}

func customerOrderOut(o Order) customerOrderJSON {
	out := customerOrderJSON{ID: o.ID, Number: o.Number, AccountID: o.AccountID, Status: o.Status,
		RequestedDate: fmtDate(o.RequestedDate), PromisedDate: fmtDate(o.PromisedDate), Currency: o.Currency,
		SubtotalMinor: o.SubtotalMinor, TaxMinor: o.TaxMinor, TotalMinor: o.TotalMinor, QuoteID: o.QuoteID,
		ConfirmedAt: o.ConfirmedAt, CancelledAt: o.CancelledAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, customerLineJSON{ID: l.ID, ProductID: l.ProductID, Description: l.Description,
			Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP,
			NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor, PromisedDate: fmtDate(l.PromisedDate),
			ShippedQty: l.ShippedQty, InvoicedQty: l.InvoicedQty})
	}
	return out
}
