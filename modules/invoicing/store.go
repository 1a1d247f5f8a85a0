package invoicing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

type invoiceRow struct {
	bun.BaseModel `bun:"table:invoices,alias:i"`
	tenant.Scoped
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	Number        string     `bun:"number"`
	OrderID       uuid.UUID  `bun:"order_id,type:uuid"`
	AccountID     uuid.UUID  `bun:"account_id,type:uuid"`
	Status        string     `bun:"status"`
	Currency      string     `bun:"currency"`
	IssueDate     time.Time  `bun:"issue_date"`
	DueDate       time.Time  `bun:"due_date"`
	NetMinor      int64      `bun:"net_minor"`
	TaxMinor      int64      `bun:"tax_minor"`
	TotalMinor    int64      `bun:"total_minor"`
	PaidMinor     int64      `bun:"paid_minor"`
	CreditedMinor int64      `bun:"credited_minor"`
	RefundMinor   int64      `bun:"refund_minor"`
	CreatedBy     *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

type lineRow struct {
	bun.BaseModel `bun:"table:invoice_lines,alias:l"`
	tenant.Scoped
	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	InvoiceID      uuid.UUID `bun:"invoice_id,type:uuid"`
	Position       int       `bun:"position"`
	OrderLineID    uuid.UUID `bun:"order_line_id,type:uuid"`
	ProductID      uuid.UUID `bun:"product_id,type:uuid"`
	Description    string    `bun:"description"`
	Quantity       int64     `bun:"quantity"`
	UnitPriceMinor int64     `bun:"unit_price_minor"`
	DiscountBP     int       `bun:"discount_bp"`
	TaxRateBP      int       `bun:"tax_rate_bp"`
	NetMinor       int64     `bun:"net_minor"`
	TaxMinor       int64     `bun:"tax_minor"`
	TotalMinor     int64     `bun:"total_minor"`
	CreditedQty    int64     `bun:"credited_qty"`
	CreditedNet    int64     `bun:"credited_net_minor"`
	CreditedTax    int64     `bun:"credited_tax_minor"`
}

type paymentRow struct {
	bun.BaseModel `bun:"table:payments,alias:p"`
	tenant.Scoped
	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	InvoiceID   uuid.UUID  `bun:"invoice_id,type:uuid"`
	AccountID   uuid.UUID  `bun:"account_id,type:uuid"`
	AmountMinor int64      `bun:"amount_minor"`
	Currency    string     `bun:"currency"`
	Method      string     `bun:"method"`
	Reference   string     `bun:"reference"`
	ExternalRef *string    `bun:"external_ref"`
	ReceivedOn  time.Time  `bun:"received_on"`
	CreatedBy   *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt   time.Time  `bun:"created_at"`
}

type creditRow struct {
	bun.BaseModel `bun:"table:credit_notes,alias:c"`
	tenant.Scoped
	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	Number     string     `bun:"number"`
	InvoiceID  uuid.UUID  `bun:"invoice_id,type:uuid"`
	AccountID  uuid.UUID  `bun:"account_id,type:uuid"`
	Reason     string     `bun:"reason"`
	Currency   string     `bun:"currency"`
	IssueDate  time.Time  `bun:"issue_date"`
	NetMinor   int64      `bun:"net_minor"`
	TaxMinor   int64      `bun:"tax_minor"`
	TotalMinor int64      `bun:"total_minor"`
	CreatedBy  *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt  time.Time  `bun:"created_at"`
}

type creditLineRow struct {
	bun.BaseModel `bun:"table:credit_note_lines,alias:cl"`
	tenant.Scoped
	ID            uuid.UUID `bun:"id,pk,type:uuid"`
	CreditNoteID  uuid.UUID `bun:"credit_note_id,type:uuid"`
	Position      int       `bun:"position"`
	InvoiceLineID uuid.UUID `bun:"invoice_line_id,type:uuid"`
	Quantity      int64     `bun:"quantity"`
	NetMinor      int64     `bun:"net_minor"`
	TaxMinor      int64     `bun:"tax_minor"`
	TotalMinor    int64     `bun:"total_minor"`
}

// accountRef is the part of crm's accounts table an invoice needs (payment
// terms for the due date, the name for the PDF). Invoicing does not import
// crm (modules never import each other); the composite foreign key backs
// the reference.
type accountRef struct {
	bun.BaseModel `bun:"table:accounts,alias:a"`
	tenant.Scoped
	ID               uuid.UUID `bun:"id,pk,type:uuid"`
	Name             string    `bun:"name"`
	PaymentTermsDays int       `bun:"payment_terms_days"`
}

// productRef gives invoice lines their description (SKU and name, copied at
// issue so a later rename does not change an issued invoice).
type productRef struct {
	bun.BaseModel `bun:"table:products,alias:pr"`
	tenant.Scoped
	ID   uuid.UUID `bun:"id,pk,type:uuid"`
	SKU  string    `bun:"sku"`
	Name string    `bun:"name"`
}

// invoiceColumns are what settling an invoice changes.
var invoiceColumns = []string{"status", "paid_minor", "credited_minor", "refund_minor", "updated_at"}

func (r *invoiceRow) invoice() Invoice {
	return Invoice{ID: r.ID, Number: r.Number, OrderID: r.OrderID, AccountID: r.AccountID, Status: Status(r.Status),
		Currency: r.Currency, IssueDate: dateOf(r.IssueDate), DueDate: dateOf(r.DueDate), NetMinor: r.NetMinor,
		TaxMinor: r.TaxMinor, TotalMinor: r.TotalMinor, PaidMinor: r.PaidMinor, CreditedMinor: r.CreditedMinor,
		RefundMinor: r.RefundMinor, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func invoiceRowOf(i *Invoice) *invoiceRow {
	return &invoiceRow{ID: i.ID, Number: i.Number, OrderID: i.OrderID, AccountID: i.AccountID, Status: string(i.Status),
		Currency: i.Currency, IssueDate: i.IssueDate, DueDate: i.DueDate, NetMinor: i.NetMinor, TaxMinor: i.TaxMinor,
		TotalMinor: i.TotalMinor, PaidMinor: i.PaidMinor, CreditedMinor: i.CreditedMinor, RefundMinor: i.RefundMinor, CreatedBy: i.CreatedBy,
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
}

func (r *lineRow) line() Line {
	return Line{ID: r.ID, OrderLineID: r.OrderLineID, ProductID: r.ProductID, Description: r.Description,
		Quantity: r.Quantity, UnitPriceMinor: r.UnitPriceMinor, DiscountBP: r.DiscountBP, TaxRateBP: r.TaxRateBP,
		NetMinor: r.NetMinor, TaxMinor: r.TaxMinor, TotalMinor: r.TotalMinor, CreditedQty: r.CreditedQty,
		CreditedNet: r.CreditedNet, CreditedTax: r.CreditedTax}
}

func lineRowOf(invoiceID uuid.UUID, pos int, l *Line) *lineRow {
	return &lineRow{ID: l.ID, InvoiceID: invoiceID, Position: pos, OrderLineID: l.OrderLineID, ProductID: l.ProductID,
		Description: l.Description, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP,
		TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor,
		CreditedQty: l.CreditedQty, CreditedNet: l.CreditedNet, CreditedTax: l.CreditedTax}
}

func (r *paymentRow) payment() Payment {
	return Payment{ID: r.ID, InvoiceID: r.InvoiceID, AccountID: r.AccountID, AmountMinor: r.AmountMinor,
		Currency: r.Currency, Method: Method(r.Method), Reference: r.Reference, ReceivedOn: dateOf(r.ReceivedOn),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), ExternalRef: deref(r.ExternalRef)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (r *creditRow) creditNote() CreditNote {
	return CreditNote{ID: r.ID, Number: r.Number, InvoiceID: r.InvoiceID, AccountID: r.AccountID, Reason: r.Reason,
		Currency: r.Currency, IssueDate: dateOf(r.IssueDate), NetMinor: r.NetMinor, TaxMinor: r.TaxMinor,
		TotalMinor: r.TotalMinor, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// dateOf is t's calendar date (in t's location) as midnight UTC; both
// engines' date columns read back through it.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// forUpdate locks the selected rows until commit on PostgreSQL; SQLite's
// single writer already serialises writing transactions.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// errNotFound is the one answer for an unknown invoice and another tenant's.
func errNotFound() error { return errs.E(errs.NotFound, "invoice not found") }

// loadInvoice reads one invoice of the bound tenant with its lines,
// optionally locked (payments and credit notes of one invoice queue).
// Another tenant's id is simply not found (Scoped hook and RLS).
func loadInvoice(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (Invoice, error) {
	var r invoiceRow
	// SECURITY: a portal customer loads their own account's invoices only.
	q := tx.NewSelect().Model(&r).Apply(bindAccount(ctx, "i.account_id")).Where("i.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return Invoice{}, errNotFound()
		}
		return Invoice{}, err
	}
	inv := r.invoice()
	var lines []lineRow
	if err := tx.NewSelect().Model(&lines).Where("l.invoice_id = ?", id).Order("l.position").Scan(ctx); err != nil {
		return Invoice{}, err
	}
	inv.Lines = make([]Line, len(lines))
	for i := range lines {
		inv.Lines[i] = lines[i].line()
	}
	return inv, nil
}

// loadDocuments fills inv's payments and credit notes (oldest first).
func loadDocuments(ctx context.Context, tx bun.IDB, inv *Invoice) error {
	var pays []paymentRow
	if err := tx.NewSelect().Model(&pays).Where("p.invoice_id = ?", inv.ID).Order("p.id").Scan(ctx); err != nil {
		return err
	}
	var credits []creditRow
	if err := tx.NewSelect().Model(&credits).Where("c.invoice_id = ?", inv.ID).Order("c.id").Scan(ctx); err != nil {
		return err
	}
	inv.Payments = make([]Payment, len(pays))
	for i := range pays {
		inv.Payments[i] = pays[i].payment()
	}
	inv.CreditNotes = make([]CreditNote, len(credits))
	for i := range credits {
		inv.CreditNotes[i] = credits[i].creditNote()
	}
	var refunds []refundRow
	if err := tx.NewSelect().Model(&refunds).Where("r.invoice_id = ?", inv.ID).Order("r.id").Scan(ctx); err != nil {
		return err
	}
	inv.Refunds = make([]Refund, len(refunds))
	for i := range refunds {
		inv.Refunds[i] = refunds[i].refund()
	}
	return nil
}

// account reads the invoice's customer; another tenant's is not found.
func account(ctx context.Context, tx bun.IDB, id uuid.UUID) (accountRef, error) {
	var a accountRef
	err := tx.NewSelect().Model(&a).Where("a.id = ?", id).Scan(ctx)
	if errs.Is(db.Translate(err), errs.NotFound) {
		return a, errs.E(errs.NotFound, "account not found")
	}
	return a, err
}

// descriptions maps product ids to "SKU — name" for invoice lines.
func descriptions(ctx context.Context, tx bun.IDB, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	var rows []productRef
	if err := tx.NewSelect().Model(&rows).Where("pr.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		d := r.SKU + " — " + r.Name
		if len([]rune(d)) > 300 {
			d = string([]rune(d)[:300])
		}
		out[r.ID] = d
	}
	return out, nil
}
