package sales

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// Outbox topics; the payload is {"order_id", "number", "account_id", "status"}.
const (
	TopicOrderConfirmed = "sales.order.confirmed"
	TopicOrderCancelled = "sales.order.cancelled"
	// TopicOrderChanged covers every other change a customer can see
	// (created, edited, advanced, shipped or invoiced lines), so caches of
	// the portal's reads follow the order.
	TopicOrderChanged = "sales.order.changed"
)

// Service owns the order rules and transactions.
type Service struct {
	db       *tenant.DB
	products Products
	stock    Stock
	numbers  Numbers
	credit   Credit // nil: no credit check (UseCredit)
	now      func() time.Time
}

// Options are the Service's optional dependencies.
type Options struct {
	// Now is the clock promised dates are computed from (tests inject one);
	// nil means time.Now.
	Now func() time.Time
}

// NewService returns the sales service over d and its neighbours.
func NewService(d *tenant.DB, products Products, stock Stock, numbers Numbers, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{db: d, products: products, stock: stock, numbers: numbers, now: opt.Now}
}

// Create adds a draft order numbered from the tenant's "order" series in
// the same transaction, so a failed create gives its number back.
func (s *Service) Create(ctx context.Context, in NewOrder) (Order, error) {
	if err := in.check(); err != nil {
		return Order{}, err
	}
	t := s.stamp()
	o := Order{ID: newID(), AccountID: in.AccountID, Status: StatusDraft, RequestedDate: in.RequestedDate,
		Currency: in.Currency, PriceListID: in.PriceListID, Notes: in.Notes, QuoteID: in.QuoteID, OpportunityID: in.OpportunityID,
		CreatedAt: t, UpdatedAt: t}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		o.CreatedBy = &p.ID
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := checkAccount(ctx, tx, o.AccountID); err != nil {
			return err
		}
		if err := s.priceLines(ctx, &o, in.Lines); err != nil {
			return err
		}
		var err error
		if o.Number, err = s.numbers.NextNumber(ctx, tx, "order"); err != nil {
			return err
		}
		return s.record(ctx, tx, &o)
	})
	return o, err
}

// Price prices lines as an order in currency (the first product's when
// empty) on price list listID would be, storing nothing. Quotes price with
// it, so a quote and the order it becomes are priced by one rule (M5).
func (s *Service) Price(ctx context.Context, currency string, listID *uuid.UUID, in []NewLine) (string, []Line, error) {
	o := Order{Currency: currency, PriceListID: listID}
	err := s.db.Run(ctx, func(ctx context.Context, _ bun.IDB) error { return s.priceLines(ctx, &o, in) })
	return o.Currency, o.Lines, err
}

// Get returns one order with its lines; a portal customer gets an unplaced
// order as not found (checkPlaced).
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Order, error) {
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if o, err = loadOrder(ctx, tx, id, false); err != nil {
			return err
		}
		return checkPlaced(ctx, tx, o)
	})
	if err != nil {
		return Order{}, err // nothing of an unplaced order leaks
	}
	return o, nil
}

// Update changes a draft order; past draft an order's lines and customer
// are settled (reservations, numbers on documents) and it is refused.
func (s *Service) Update(ctx context.Context, id uuid.UUID, in OrderUpdate) (Order, error) {
	if err := in.check(); err != nil {
		return Order{}, err
	}
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if o, err = loadOrder(ctx, tx, id, true); err != nil {
			return err
		}
		if o.Status != StatusDraft {
			return statusError("only a draft order can be changed; this one is " + string(o.Status))
		}
		before := o
		if err := s.applyUpdate(ctx, tx, &o, in); err != nil {
			return err
		}
		o.UpdatedAt = s.stamp()
		if _, err := tx.NewUpdate().Model(orderRowOf(&o)).Column(orderColumns...).Where("o.id = ?", o.ID).Exec(ctx); err != nil {
			return err
		}
		return s.recordChange(ctx, tx, &before, &o, "order.updated", TopicOrderChanged)
	})
	return o, err
}

func (s *Service) applyUpdate(ctx context.Context, tx bun.IDB, o *Order, in OrderUpdate) error {
	if in.AccountID != nil {
		if err := checkAccount(ctx, tx, *in.AccountID); err != nil {
			return err
		}
		o.AccountID = *in.AccountID
	}
	if in.RequestedDate != nil || in.ClearRequestedDate {
		o.RequestedDate = in.RequestedDate
	}
	if in.Notes != nil {
		o.Notes = *in.Notes
	}
	lines := in.Lines
	if lines == nil && in.Currency != nil && *in.Currency != o.Currency {
		// A new currency re-checks the kept lines against it.
		for _, l := range o.Lines {
			lines = append(lines, NewLine{ProductID: l.ProductID, Quantity: l.Quantity,
				UnitPriceMinor: &l.UnitPriceMinor, DiscountBP: &l.DiscountBP})
		}
	}
	if in.Currency != nil {
		o.Currency = *in.Currency
	}
	if lines == nil {
		return nil
	}
	if err := s.priceLines(ctx, o, lines); err != nil {
		return err
	}
	if _, err := tx.NewDelete().Model((*lineRow)(nil)).Where("l.order_id = ?", o.ID).Exec(ctx); err != nil {
		return err
	}
	return insertLines(ctx, tx, o)
}

// Find lists orders matching f, newest first, without their lines.
func (s *Service) Find(ctx context.Context, f Filter) ([]Order, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var rows []orderRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(placedOnly(ctx)).OrderExpr("o.id DESC").Limit(int64(f.Limit))
		if f.Status != "" {
			q.Where("o.status = ?", string(f.Status))
		}
		if f.AccountID != nil {
			q.Where("o.account_id = ?", *f.AccountID)
		}
		if f.OpportunityID != nil {
			q.Where("o.opportunity_id = ?", *f.OpportunityID)
		}
		if f.Q != "" {
			q.Where(`LOWER(o.number) LIKE ? ESCAPE '\'`, likePattern(f.Q))
		}
		if f.After != nil {
			q.Where("o.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Order, len(rows))
	for i := range rows {
		out[i] = rows[i].order()
	}
	return out, err
}

// History returns an order's status changes, oldest first.
func (s *Service) History(ctx context.Context, id uuid.UUID) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		o, err := loadOrder(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if err := checkPlaced(ctx, tx, o); err != nil {
			return err
		}
		var rows []historyRow
		if err := tx.NewSelect().Model(&rows).Where("h.order_id = ?", id).OrderExpr("h.id").Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			e := HistoryEntry{ID: r.ID, To: Status(r.To), At: r.At.UTC(), By: r.ChangedBy, Note: r.Note, Number: o.Number}
			if r.From != nil {
				e.From = Status(*r.From)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// priceLines turns requested lines into priced lines of o in o's currency
// (the first product's when o has none yet) and sums the totals. Errors
// name the line field at fault: lines[i].product_id and so on.
func (s *Service) priceLines(ctx context.Context, o *Order, in []NewLine) error {
	o.Lines = make([]Line, 0, len(in))
	f := errs.Fields{}
	for i, nl := range in {
		field := fmt.Sprintf("lines[%d].", i)
		p, err := s.products.Product(ctx, nl.ProductID)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add(field+"product_id", "no such product")
			continue
		case err != nil:
			return err
		case !p.Active:
			f.Add(field+"product_id", "the product is inactive")
			continue
		}
		if o.PriceListID != nil && nl.UnitPriceMinor == nil {
			amount, currency, err := s.products.ListPrice(ctx, p.ID, *o.PriceListID, nl.Quantity)
			switch {
			case errs.Is(err, errs.NotFound):
				return errs.Field("price_list_id", "no such price list")
			case errs.Is(err, errs.FailedPrecondition):
				msg, e := "the price list cannot price this product", (*errs.Error)(nil)
				if errors.As(err, &e) {
					msg = e.Message
				}
				f.Add(field+"product_id", msg)
				continue
			case err != nil:
				return err
			}
			p.ListPriceMinor, p.Currency = amount, currency
		}
		if o.Currency == "" {
			o.Currency = p.Currency
		}
		if p.Currency != o.Currency {
			f.Add(field+"product_id", "the product is priced in "+p.Currency+", the order in "+o.Currency)
			continue
		}
		l, ok := priceLine(nl, p)
		if !ok {
			f.Add(field+"quantity", "the line amount is too large")
			continue
		}
		o.Lines = append(o.Lines, l)
	}
	if err := f.Err(); err != nil {
		return err
	}
	o.totals()
	return nil
}

// priceLine prices one requested line of product p.
func priceLine(nl NewLine, p Product) (Line, bool) {
	l := Line{ID: newID(), ProductID: p.ID, Description: description(p), Quantity: nl.Quantity, UnitPriceMinor: p.ListPriceMinor,
		TaxRateBP: p.TaxRateBP, ShortfallAction: ShortfallNone}
	if nl.UnitPriceMinor != nil {
		l.UnitPriceMinor = *nl.UnitPriceMinor
	}
	if nl.DiscountBP != nil {
		l.DiscountBP = *nl.DiscountBP
	}
	var ok bool
	l.NetMinor, l.TaxMinor, ok = lineAmounts(l.Quantity, l.UnitPriceMinor, l.DiscountBP, l.TaxRateBP)
	l.TotalMinor = l.NetMinor + l.TaxMinor
	return l, ok
}

// description is a line's product as sold, "SKU — name", bounded like
// invoice line descriptions.
func description(p Product) string {
	d := p.SKU + " — " + p.Name
	if r := []rune(d); len(r) > 300 {
		d = string(r[:300])
	}
	return d
}

// checkAccount names account_id unless it is an active account of the
// bound tenant (another tenant's account is no account here).
func checkAccount(ctx context.Context, tx bun.IDB, id uuid.UUID) error {
	var a accountRef
	err := tx.NewSelect().Model(&a).Where("a.id = ?", id).Scan(ctx)
	switch {
	case errs.Is(db.Translate(err), errs.NotFound):
		return errs.Field("account_id", "no such account")
	case err != nil:
		return err
	case !a.Active:
		return errs.Field("account_id", "the account is inactive")
	}
	return nil
}

// stamp is the current time as stored (UTC, microseconds).
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the clock's calendar date (UTC) promised dates count from.
func (s *Service) today() time.Time { return dateOf(s.now().UTC()) }

func (f *Filter) check() error {
	fe := errs.Fields{}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "must be one of the order statuses")
	}
	if utf8.RuneCountInString(f.Q) > 100 {
		fe.Add("q", "is too long")
	}
	return fe.Err()
}
