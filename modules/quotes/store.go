package quotes

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

type quoteRow struct {
	bun.BaseModel `bun:"table:quotes,alias:q"`
	tenant.Scoped
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	Number        string     `bun:"number"`
	Revision      int        `bun:"revision"`
	Status        string     `bun:"status"`
	AccountID     uuid.UUID  `bun:"account_id,type:uuid"`
	ContactID     *uuid.UUID `bun:"contact_id,type:uuid"`
	OpportunityID *uuid.UUID `bun:"opportunity_id,type:uuid"`
	OwnerUserID   uuid.UUID  `bun:"owner_user_id,type:uuid"`
	Currency      string     `bun:"currency"`
	PriceListID   *uuid.UUID `bun:"price_list_id,type:uuid"`
	ValidUntil    time.Time  `bun:"valid_until"`
	PromisedDate  *time.Time `bun:"promised_date"`
	Notes         string     `bun:"notes"`
	SubtotalMinor int64      `bun:"subtotal_minor"`
	TaxMinor      int64      `bun:"tax_minor"`
	TotalMinor    int64      `bun:"total_minor"`
	SentAt        *time.Time `bun:"sent_at"`
	SentTo        string     `bun:"sent_to"`
	AcceptedAt    *time.Time `bun:"accepted_at"`
	DeclinedAt    *time.Time `bun:"declined_at"`
	DeclineReason string     `bun:"decline_reason"`
	OrderID       *uuid.UUID `bun:"order_id,type:uuid"`
	SupersededBy  *uuid.UUID `bun:"superseded_by,type:uuid"`
	CreatedBy     *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

// quoteColumns are the columns an update writes (never the number, the
// revision, the account or the creator).
var quoteColumns = []string{"status", "contact_id", "valid_until", "promised_date", "notes", "subtotal_minor", "tax_minor",
	"total_minor", "sent_at", "sent_to", "accepted_at", "declined_at", "decline_reason", "order_id", "superseded_by",
	"updated_at"}

type lineRow struct {
	bun.BaseModel `bun:"table:quote_lines,alias:ql"`
	tenant.Scoped
	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	QuoteID        uuid.UUID `bun:"quote_id,type:uuid"`
	Position       int       `bun:"position"`
	ProductID      uuid.UUID `bun:"product_id,type:uuid"`
	Description    string    `bun:"description"`
	Quantity       int64     `bun:"quantity"`
	UnitPriceMinor int64     `bun:"unit_price_minor"`
	DiscountBP     int       `bun:"discount_bp"`
	TaxRateBP      int       `bun:"tax_rate_bp"`
	NetMinor       int64     `bun:"net_minor"`
	TaxMinor       int64     `bun:"tax_minor"`
	TotalMinor     int64     `bun:"total_minor"`
}

// accountRef is what a quote checks of its account.
type accountRef struct {
	bun.BaseModel `bun:"table:accounts,alias:a"`
	tenant.Scoped
	ID     uuid.UUID `bun:"id,pk,type:uuid"`
	Name   string    `bun:"name"`
	Email  string    `bun:"email"`
	Active bool      `bun:"active"`
}

// contactRef is what a quote checks of its contact.
type contactRef struct {
	bun.BaseModel `bun:"table:contacts,alias:c"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	AccountID uuid.UUID `bun:"account_id,type:uuid"`
	Email     string    `bun:"email"`
}

func (r *quoteRow) quote() Quote {
	return Quote{ID: r.ID, Number: r.Number, Revision: r.Revision, Status: Status(r.Status), AccountID: r.AccountID,
		ContactID: r.ContactID, OpportunityID: r.OpportunityID, OwnerUserID: r.OwnerUserID, Currency: r.Currency,
		PriceListID: r.PriceListID, ValidUntil: *dateOf(&r.ValidUntil), PromisedDate: dateOf(r.PromisedDate), Notes: r.Notes,
		SubtotalMinor: r.SubtotalMinor, TaxMinor: r.TaxMinor, TotalMinor: r.TotalMinor, SentAt: utc(r.SentAt),
		SentTo: r.SentTo, AcceptedAt: utc(r.AcceptedAt), DeclinedAt: utc(r.DeclinedAt), DeclineReason: r.DeclineReason,
		OrderID: r.OrderID, SupersededBy: r.SupersededBy, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

func rowOf(q *Quote) *quoteRow {
	return &quoteRow{ID: q.ID, Number: q.Number, Revision: q.Revision, Status: string(q.Status), AccountID: q.AccountID,
		ContactID: q.ContactID, OpportunityID: q.OpportunityID, OwnerUserID: q.OwnerUserID, Currency: q.Currency,
		PriceListID: q.PriceListID, ValidUntil: q.ValidUntil, PromisedDate: q.PromisedDate, Notes: q.Notes,
		SubtotalMinor: q.SubtotalMinor, TaxMinor: q.TaxMinor, TotalMinor: q.TotalMinor, SentAt: q.SentAt, SentTo: q.SentTo,
		AcceptedAt: q.AcceptedAt, DeclinedAt: q.DeclinedAt, DeclineReason: q.DeclineReason, OrderID: q.OrderID,
		SupersededBy: q.SupersededBy, CreatedBy: q.CreatedBy, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt}
}

// dateOf reads a date column as UTC midnight of the same calendar day
// (drivers hand dates back in various zones).
func dateOf(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// scoped applies the record rule: a portal customer sees only the quotes
// sent to their account (never drafts); staff without All only their own.
func scoped(ctx context.Context, sc Scope) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		// SECURITY: the customer binding comes first and ignores sc.
		if account, bound := tenant.BoundAccount(ctx); bound {
			return q.Where("q.account_id = ? AND q.sent_at IS NOT NULL", account)
		}
		if sc.All {
			return q
		}
		p, ok := tenant.PrincipalFrom(ctx)
		if !ok {
			return q.Err(errs.E(errs.Forbidden, "no caller"))
		}
		return q.Where("q.owner_user_id = ?", p.ID)
	}
}

// forUpdate locks the selected rows on PostgreSQL; SQLite has one writer.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// load reads a quote the caller may see, with its lines and account name;
// lock takes the row for the rest of the transaction.
func load(ctx context.Context, tx bun.IDB, sc Scope, id uuid.UUID, lock bool) (Quote, error) {
	var r quoteRow
	sel := tx.NewSelect().Model(&r).Apply(scoped(ctx, sc)).Where("q.id = ?", id)
	if lock {
		sel = sel.Apply(forUpdate)
	}
	if err := sel.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return Quote{}, errs.E(errs.NotFound, "quote not found")
		}
		return Quote{}, err
	}
	q := r.quote()
	var lines []lineRow
	if err := tx.NewSelect().Model(&lines).Where("ql.quote_id = ?", id).Order("ql.position").Scan(ctx); err != nil {
		return Quote{}, err
	}
	q.Lines = make([]Line, len(lines))
	for i, l := range lines {
		q.Lines[i] = Line{ID: l.ID, ProductID: l.ProductID, Description: l.Description, Quantity: l.Quantity,
			UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor,
			TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
	}
	names := map[uuid.UUID]string{}
	if err := tenant.Names(ctx, tx, "accounts", "name", []uuid.UUID{q.AccountID}, names); err != nil {
		return Quote{}, err
	}
	q.AccountName = names[q.AccountID]
	return q, nil
}

// writeLines replaces a quote's lines.
func writeLines(ctx context.Context, tx bun.IDB, q *Quote, replace bool) error {
	if replace {
		if _, err := tx.NewDelete().Model((*lineRow)(nil)).Where("ql.quote_id = ?", q.ID).Exec(ctx); err != nil {
			return err
		}
	}
	if len(q.Lines) == 0 {
		return nil
	}
	rows := make([]lineRow, len(q.Lines))
	for i, l := range q.Lines {
		rows[i] = lineRow{ID: l.ID, QuoteID: q.ID, Position: i, ProductID: l.ProductID, Description: l.Description,
			Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP,
			NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

func save(ctx context.Context, tx bun.IDB, q *Quote) error {
	_, err := tx.NewUpdate().Model(rowOf(q)).Column(quoteColumns...).Where("q.id = ?", q.ID).Exec(ctx)
	return err
}
