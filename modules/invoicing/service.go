package invoicing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// Service owns the invoicing rules and transactions.
type Service struct {
	db      *tenant.DB
	orders  Orders
	numbers Numbers
	company Company
	now     func() time.Time
	// payDetails prints how to pay on PDFs; set with UsePaymentDetails.
	payDetails PaymentDetails
}

// PaymentDetails gives the lines printed under an invoice's totals that
// tell the customer how to pay it (the tenant's bank details and the
// reference to quote); none when the tenant set none.
type PaymentDetails interface {
	PaymentLines(ctx context.Context, inv Invoice) ([]string, error)
}

// UsePaymentDetails sets where PDFs take their payment instructions from
// (wired after the service that owns them exists). Call before serving.
func (s *Service) UsePaymentDetails(pd PaymentDetails) { s.payDetails = pd }

// Options are the Service's optional dependencies.
type Options struct {
	// Now is the clock issue dates, due dates and aging count from (tests
	// inject one); nil means time.Now.
	Now func() time.Time
}

// NewService returns the invoicing service over d and its neighbours.
func NewService(d *tenant.DB, orders Orders, numbers Numbers, company Company, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{db: d, orders: orders, numbers: numbers, company: company, now: opt.Now}
}

// IssueForOrder invoices every line's shipped units not yet invoiced, at
// the order line's price, discount and tax rate. The due date is the issue
// date plus the customer's payment terms. An order with nothing new shipped
// is a 422 naming order_id; an unknown order a 400 on order_id. The number
// comes from the tenant's "invoice" series in this transaction, after every
// check, so a refused or rolled-back issue uses no number (M4).
func (s *Service) IssueForOrder(ctx context.Context, orderID uuid.UUID) (Invoice, error) {
	if orderID == uuid.Nil {
		return Invoice{}, errs.Field("order_id", "is required")
	}
	var inv Invoice
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		o, err := s.orders.Order(ctx, orderID)
		if errs.Is(err, errs.NotFound) {
			return errs.Field("order_id", "no such order")
		} else if err != nil {
			return err
		}
		if inv, err = s.draft(ctx, tx, o); err != nil {
			return err
		}
		if inv.Number, err = s.numbers.NextNumber(ctx, tx, "invoice"); err != nil {
			return err
		}
		return s.insert(ctx, tx, &inv)
	})
	return inv, err
}

// draft builds the invoice of o's uninvoiced shipped units, unsaved.
func (s *Service) draft(ctx context.Context, tx bun.IDB, o Order) (Invoice, error) {
	t := s.stamp()
	inv := Invoice{ID: newID(), OrderID: o.ID, AccountID: o.AccountID, Status: StatusIssued, Currency: o.Currency,
		IssueDate: s.today(), CreatedAt: t, UpdatedAt: t}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		inv.CreatedBy = &p.ID
	}
	var products []uuid.UUID
	for _, ol := range o.Lines {
		q := ol.ShippedQty - ol.InvoicedQty
		if q <= 0 {
			continue
		}
		net, tax, ok := lineAmounts(q, ol.UnitPriceMinor, ol.DiscountBP, ol.TaxRateBP)
		if !ok {
			return Invoice{}, precondition("order_id", "a line's amount is too large to invoice")
		}
		inv.Lines = append(inv.Lines, Line{ID: newID(), OrderLineID: ol.ID, ProductID: ol.ProductID, Quantity: q,
			UnitPriceMinor: ol.UnitPriceMinor, DiscountBP: ol.DiscountBP, TaxRateBP: ol.TaxRateBP,
			NetMinor: net, TaxMinor: tax, TotalMinor: net + tax})
		inv.NetMinor, inv.TaxMinor = inv.NetMinor+net, inv.TaxMinor+tax
		products = append(products, ol.ProductID)
	}
	if len(inv.Lines) == 0 {
		return Invoice{}, precondition("order_id", "the order has no shipped units left to invoice")
	}
	inv.TotalMinor = inv.NetMinor + inv.TaxMinor
	acc, err := account(ctx, tx, o.AccountID)
	if err != nil {
		return Invoice{}, err
	}
	inv.DueDate = inv.IssueDate.AddDate(0, 0, acc.PaymentTermsDays)
	desc, err := descriptions(ctx, tx, products)
	for i := range inv.Lines {
		inv.Lines[i].Description = desc[inv.Lines[i].ProductID]
	}
	return inv, err
}

// insert writes a drafted invoice, tells the order what is invoiced, and
// records the audit row and outbox event.
func (s *Service) insert(ctx context.Context, tx bun.IDB, inv *Invoice) error {
	if _, err := tx.NewInsert().Model(invoiceRowOf(inv)).Exec(ctx); err != nil {
		return err
	}
	rows := make([]*lineRow, len(inv.Lines))
	invoiced := make(map[uuid.UUID]int64, len(inv.Lines))
	for i := range inv.Lines {
		rows[i] = lineRowOf(inv.ID, i, &inv.Lines[i])
		invoiced[inv.Lines[i].OrderLineID] = inv.Lines[i].Quantity
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return err
	}
	if err := s.orders.RecordInvoiced(ctx, inv.OrderID, invoiced); err != nil {
		return err
	}
	if err := audit(ctx, tx, "invoice.issued", "invoices", inv.ID, nil, inv); err != nil {
		return err
	}
	inv.Payments, inv.CreditNotes = []Payment{}, []CreditNote{}
	return publish(ctx, tx, TopicInvoiceIssued, map[string]any{"invoice_id": inv.ID, "number": inv.Number,
		"order_id": inv.OrderID, "account_id": inv.AccountID, "total_minor": inv.TotalMinor, "currency": inv.Currency})
}

// Get returns one invoice with its lines, payments and credit notes.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Invoice, error) {
	var inv Invoice
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if inv, err = loadInvoice(ctx, tx, id, false); err != nil {
			return err
		}
		return loadDocuments(ctx, tx, &inv)
	})
	return inv, err
}

// Find lists invoices matching f, newest first, without their lines.
func (s *Service) Find(ctx context.Context, f Filter) ([]Invoice, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var rows []invoiceRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(bindAccount(ctx, "i.account_id")).OrderExpr("i.id DESC").Limit(int64(f.Limit))
		if f.AccountID != nil {
			q.Where("i.account_id = ?", *f.AccountID)
		}
		if f.OrderID != nil {
			q.Where("i.order_id = ?", *f.OrderID)
		}
		if f.Status != "" {
			q.Where("i.status = ?", string(f.Status))
		}
		if f.Overdue {
			q.Where("i.status IN (?)", bun.In([]string{string(StatusIssued), string(StatusPartiallyPaid)})).
				Where("i.due_date < ?", s.today())
		}
		if f.After != nil {
			q.Where("i.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Invoice, len(rows))
	for i := range rows {
		out[i] = rows[i].invoice()
	}
	return out, err
}

// statusOf is the status an invoice's amounts give it.
func statusOf(inv Invoice) Status {
	switch {
	case inv.Balance() == 0 && inv.PaidMinor == 0:
		return StatusCredited
	case inv.Balance() == 0:
		return StatusPaid
	case inv.PaidMinor > 0:
		return StatusPartiallyPaid
	}
	return StatusIssued
}

// settle writes an invoice's new amounts and status with its audit row.
func (s *Service) settle(ctx context.Context, tx bun.IDB, before, inv *Invoice, action string) error {
	inv.Status, inv.UpdatedAt = statusOf(*inv), s.stamp()
	if _, err := tx.NewUpdate().Model(invoiceRowOf(inv)).Column(invoiceColumns...).Where("i.id = ?", inv.ID).Exec(ctx); err != nil {
		return err
	}
	return audit(ctx, tx, action, "invoices", inv.ID, before, inv)
}

func audit(ctx context.Context, tx bun.IDB, action, resource string, id uuid.UUID, before, after any) error {
	e := tenant.AuditEntry{Action: action, Resource: resource, ResourceID: id.String(), After: after}
	if before != nil {
		e.Before = before
	}
	return tenant.Audit(ctx, tx, e)
}

func publish(ctx context.Context, tx bun.IDB, topic string, payload map[string]any) error {
	tid, _ := tenant.FromContext(ctx)
	return events.Publish(ctx, tx, tid, topic, payload)
}

// stamp is the current time as stored (UTC, microseconds).
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the clock's calendar date (UTC): issue dates and overdue count
// from it.
func (s *Service) today() time.Time { return dateOf(s.now().UTC()) }

// precondition refuses a step the current state does not allow, naming the
// field that explains why (422).
func precondition(field, msg string) error {
	return &errs.Error{Code: errs.FailedPrecondition, Message: msg, Fields: map[string]string{field: msg}}
}
