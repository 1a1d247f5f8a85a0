package sales

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

type orderRow struct {
	bun.BaseModel `bun:"table:orders,alias:o"`
	tenant.Scoped
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	Number        string     `bun:"number"`
	AccountID     uuid.UUID  `bun:"account_id,type:uuid"`
	Status        string     `bun:"status"`
	RequestedDate *time.Time `bun:"requested_date"`
	PromisedDate  *time.Time `bun:"promised_date"`
	PriceListID   *uuid.UUID `bun:"price_list_id,type:uuid"`
	Currency      string     `bun:"currency"`
	SubtotalMinor int64      `bun:"subtotal_minor"`
	TaxMinor      int64      `bun:"tax_minor"`
	TotalMinor    int64      `bun:"total_minor"`
	Notes         string     `bun:"notes"`
	QuoteID       *uuid.UUID `bun:"quote_id,type:uuid"`
	OpportunityID *uuid.UUID `bun:"opportunity_id,type:uuid"`
	CreatedBy     *uuid.UUID `bun:"created_by,type:uuid"`
	ConfirmedAt   *time.Time `bun:"confirmed_at"`
	CancelledAt   *time.Time `bun:"cancelled_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

// orderColumns are the columns an update writes (not keys, number,
// provenance or created_at, which never change).
var orderColumns = []string{"account_id", "status", "requested_date", "promised_date", "currency", "subtotal_minor",
	"tax_minor", "total_minor", "notes", "confirmed_at", "cancelled_at", "updated_at"}

type lineRow struct {
	bun.BaseModel `bun:"table:order_lines,alias:l"`
	tenant.Scoped
	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	OrderID         uuid.UUID  `bun:"order_id,type:uuid"`
	Position        int        `bun:"position"`
	ProductID       uuid.UUID  `bun:"product_id,type:uuid"`
	Description     string     `bun:"description"`
	Quantity        int64      `bun:"quantity"`
	UnitPriceMinor  int64      `bun:"unit_price_minor"`
	DiscountBP      int        `bun:"discount_bp"`
	TaxRateBP       int        `bun:"tax_rate_bp"`
	NetMinor        int64      `bun:"net_minor"`
	TaxMinor        int64      `bun:"tax_minor"`
	TotalMinor      int64      `bun:"total_minor"`
	ReservedQty     int64      `bun:"reserved_qty"`
	ShortfallQty    int64      `bun:"shortfall_qty"`
	ShortfallAction string     `bun:"shortfall_action"`
	PromisedDate    *time.Time `bun:"promised_date"`
	ShippedQty      int64      `bun:"shipped_qty"`
	InvoicedQty     int64      `bun:"invoiced_qty"`
}

type historyRow struct {
	bun.BaseModel `bun:"table:order_status_history,alias:h"`
	tenant.Scoped
	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	OrderID   uuid.UUID  `bun:"order_id,type:uuid"`
	From      *string    `bun:"from_status"`
	To        string     `bun:"to_status"`
	At        time.Time  `bun:"at"`
	ChangedBy *uuid.UUID `bun:"changed_by,type:uuid"`
	Note      string     `bun:"note"`
}

// accountRef is the part of crm's accounts table an order checks its
// customer against; sales does not import crm (modules never import each
// other) and the composite foreign key backs the check.
type accountRef struct {
	bun.BaseModel `bun:"table:accounts,alias:a"`
	tenant.Scoped
	ID     uuid.UUID `bun:"id,pk,type:uuid"`
	Active bool      `bun:"active"`
}

func (r *orderRow) order() Order {
	return Order{ID: r.ID, Number: r.Number, AccountID: r.AccountID, Status: Status(r.Status),
		RequestedDate: utcDate(r.RequestedDate), PromisedDate: utcDate(r.PromisedDate), Currency: r.Currency,
		PriceListID: r.PriceListID, SubtotalMinor: r.SubtotalMinor, TaxMinor: r.TaxMinor, TotalMinor: r.TotalMinor, Notes: r.Notes,
		QuoteID: r.QuoteID, OpportunityID: r.OpportunityID, CreatedBy: r.CreatedBy, ConfirmedAt: utcTime(r.ConfirmedAt),
		CancelledAt: utcTime(r.CancelledAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func orderRowOf(o *Order) *orderRow {
	return &orderRow{ID: o.ID, Number: o.Number, AccountID: o.AccountID, Status: string(o.Status),
		RequestedDate: o.RequestedDate, PromisedDate: o.PromisedDate, Currency: o.Currency,
		PriceListID: o.PriceListID, SubtotalMinor: o.SubtotalMinor, TaxMinor: o.TaxMinor, TotalMinor: o.TotalMinor, Notes: o.Notes,
		QuoteID: o.QuoteID, OpportunityID: o.OpportunityID, CreatedBy: o.CreatedBy, ConfirmedAt: o.ConfirmedAt,
		CancelledAt: o.CancelledAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

func (r *lineRow) line() Line {
	return Line{ID: r.ID, ProductID: r.ProductID, Description: r.Description, Quantity: r.Quantity, UnitPriceMinor: r.UnitPriceMinor,
		DiscountBP: r.DiscountBP, TaxRateBP: r.TaxRateBP, NetMinor: r.NetMinor, TaxMinor: r.TaxMinor,
		TotalMinor: r.TotalMinor, ReservedQty: r.ReservedQty, ShortfallQty: r.ShortfallQty,
		ShortfallAction: ShortfallAction(r.ShortfallAction), PromisedDate: utcDate(r.PromisedDate),
		ShippedQty: r.ShippedQty, InvoicedQty: r.InvoicedQty}
}

func lineRowOf(orderID uuid.UUID, pos int, l *Line) *lineRow {
	return &lineRow{ID: l.ID, OrderID: orderID, Position: pos, ProductID: l.ProductID, Description: l.Description, Quantity: l.Quantity,
		UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor,
		TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor, ReservedQty: l.ReservedQty, ShortfallQty: l.ShortfallQty,
		ShortfallAction: string(l.ShortfallAction), PromisedDate: l.PromisedDate, ShippedQty: l.ShippedQty,
		InvoicedQty: l.InvoicedQty}
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// forUpdate locks the selected rows until commit on PostgreSQL; SQLite's
// single writer already serialises writing transactions.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// loadOrder reads one order of the bound tenant with its lines, optionally
// locked. Another tenant's id is simply not found (Scoped hook and RLS).
func loadOrder(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (Order, error) {
	var r orderRow
	q := tx.NewSelect().Model(&r).Where("o.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return Order{}, errs.E(errs.NotFound, "order not found")
		}
		return Order{}, err
	}
	o := r.order()
	var lines []lineRow
	if err := tx.NewSelect().Model(&lines).Where("l.order_id = ?", id).Order("l.position").Scan(ctx); err != nil {
		return Order{}, err
	}
	o.Lines = make([]Line, len(lines))
	for i := range lines {
		o.Lines[i] = lines[i].line()
	}
	return o, nil
}

// insertLines writes o's lines in order.
func insertLines(ctx context.Context, tx bun.IDB, o *Order) error {
	q := linesInsert(ctx, tx, o)
	if q == nil {
		return nil
	}
	_, err := q.Exec(ctx)
	return err
}

// linesInsert is the INSERT of o's lines (nil without lines), stamped with
// the bound tenant so that it can also run inside a WITH (see together).
func linesInsert(ctx context.Context, tx bun.IDB, o *Order) *bun.InsertQuery {
	if len(o.Lines) == 0 {
		return nil
	}
	tid, _ := tenant.FromContext(ctx)
	rows := make([]*lineRow, len(o.Lines))
	for i := range o.Lines {
		rows[i] = lineRowOf(o.ID, i, &o.Lines[i])
		rows[i].TenantID = tid
	}
	return tx.NewInsert().Model(&rows)
}

// together runs writes whose results nobody reads, then last: on
// PostgreSQL as one statement (data-modifying WITH parts, one round trip),
// on SQLite one by one. bun runs the tenant.Scoped hooks only for a
// statement's own model, so the writes must carry their tenant themselves:
// inserted rows stamped, updates with an explicit tenant_id predicate
// (row-level security checks both on PostgreSQL). Nil writes are skipped.
func together(ctx context.Context, tx bun.IDB, last *bun.InsertQuery, writes ...bun.Query) error {
	if _, ok := tenant.FromContext(ctx); !ok {
		return tenant.ErrNoTenant
	}
	pg := db.DialectOf(tx) == db.Postgres
	for i, w := range writes {
		var err error
		switch q := w.(type) {
		case nil:
			continue
		case *bun.InsertQuery:
			if q == nil {
				continue
			}
			if pg {
				last = last.With(fmt.Sprintf("w%d", i), q)
			} else {
				_, err = q.Exec(ctx)
			}
		case *bun.UpdateQuery:
			if q == nil {
				continue
			}
			if pg {
				last = last.With(fmt.Sprintf("w%d", i), q)
			} else {
				_, err = q.Exec(ctx)
			}
		default:
			err = fmt.Errorf("together: unsupported write %T", w)
		}
		if err != nil {
			return err
		}
	}
	_, err := last.Exec(ctx)
	return err
}

// saveLines rewrites the settled quantities of o's lines after confirm or
// cancel (prices and quantities do not change past draft).
func saveLines(ctx context.Context, tx bun.IDB, o *Order) error {
	q := linesUpdate(ctx, tx, o)
	if q == nil {
		return nil
	}
	_, err := q.Exec(ctx)
	return err
}

// linesUpdate is saveLines' statement (nil without lines): all lines in one
// UPDATE, each column a CASE on the line id. The ELSE arm keeps the
// column's value and gives PostgreSQL the column's type for the literals.
// It names the tenant itself so that it can run inside a WITH (together).
func linesUpdate(ctx context.Context, tx bun.IDB, o *Order) *bun.UpdateQuery {
	if len(o.Lines) == 0 {
		return nil
	}
	tid, _ := tenant.FromContext(ctx)
	var ids []uuid.UUID
	cases := map[string][]any{}
	cols := []string{"reserved_qty", "shortfall_qty", "shortfall_action", "promised_date"}
	for i := range o.Lines {
		l := &o.Lines[i]
		ids = append(ids, l.ID)
		cases["reserved_qty"] = append(cases["reserved_qty"], l.ID, l.ReservedQty)
		cases["shortfall_qty"] = append(cases["shortfall_qty"], l.ID, l.ShortfallQty)
		cases["shortfall_action"] = append(cases["shortfall_action"], l.ID, string(l.ShortfallAction))
		cases["promised_date"] = append(cases["promised_date"], l.ID, l.PromisedDate)
	}
	when := strings.Repeat(" WHEN ? THEN ?", len(o.Lines))
	q := tx.NewUpdate().Model((*lineRow)(nil))
	for _, c := range cols {
		q.Set(c+" = CASE l.id"+when+" ELSE l."+c+" END", cases[c]...)
	}
	return q.Where("l.tenant_id = ?", tid).Where("l.order_id = ?", o.ID).Where("l.id IN (?)", bun.In(ids))
}

// likePattern turns a search text into a LIKE pattern matching it anywhere,
// with LIKE's wildcards escaped (used with ESCAPE '\').
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}
