package quotes

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// Service owns the quotes' rules and transactions.
type Service struct {
	db            *tenant.DB
	pricing       Pricing
	opportunities Opportunities
	availability  Availability
	credit        Credit
	numbers       Numbers
	company       Company
	now           func() time.Time
}

// Deps are the ports a Service needs.
type Deps struct {
	Pricing       Pricing
	Opportunities Opportunities
	Availability  Availability
	Credit        Credit
	Numbers       Numbers
	Company       Company
}

// NewService returns the quote service over d; now is the clock (tests
// inject one so that dates are fixed).
func NewService(d *tenant.DB, deps Deps, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, pricing: deps.Pricing, opportunities: deps.Opportunities, availability: deps.Availability,
		credit: deps.Credit, numbers: deps.Numbers, company: deps.Company, now: now}
}

// Today is the service clock's date (UTC midnight).
func (s *Service) Today() time.Time {
	t := s.now().UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Create makes a draft quote, revision 1, owned by the caller (or by the
// opportunity's owner when made from one).
func (s *Service) Create(ctx context.Context, sc Scope, in NewQuote) (Quote, error) {
	if err := s.checkNew(&in); err != nil {
		return Quote{}, err
	}
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return Quote{}, errs.E(errs.Forbidden, "no caller")
	}
	user := p.Kind == tenant.KindUser
	if !user && in.OpportunityID == nil {
		// A quote is owned by a user: an API key's quote takes the
		// opportunity's owner.
		return Quote{}, errs.Field("opportunity_id", "is required when an API key makes a quote")
	}
	var q Quote
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		t := s.stamp()
		q = Quote{ID: newID(), Revision: 1, Status: StatusDraft, PriceListID: in.PriceListID,
			Notes: in.Notes, CreatedAt: t, UpdatedAt: t, ValidUntil: s.Today().AddDate(0, 0, DefaultValidDays)}
		if user {
			q.OwnerUserID, q.CreatedBy = p.ID, &p.ID
		}
		if in.ValidUntil != nil {
			q.ValidUntil = *in.ValidUntil
		}
		var lines []LineInput
		if in.OpportunityID != nil {
			o, err := s.opportunities.Opportunity(ctx, sc, *in.OpportunityID)
			switch {
			case errs.Is(err, errs.NotFound):
				return errs.Field("opportunity_id", "no such opportunity")
			case err != nil:
				return err
			case !o.Open:
				return errs.Field("opportunity_id", "the opportunity is closed")
			case in.AccountID != nil && *in.AccountID != o.AccountID:
				return errs.Field("account_id", "is not the opportunity's account")
			}
			q.OpportunityID, q.AccountID, q.ContactID, q.OwnerUserID, q.Currency = &o.ID, o.AccountID, o.ContactID, o.OwnerUserID, o.Currency
			lines = o.Lines
			if in.PriceListID != nil {
				// A price list prices every line afresh.
				for i := range lines {
					lines[i].UnitPriceMinor = nil
				}
			}
		} else {
			q.AccountID = *in.AccountID
		}
		if in.ContactID != nil {
			q.ContactID = in.ContactID
		}
		if in.Lines != nil {
			lines = *in.Lines
		}
		if len(lines) == 0 {
			return errs.Field("lines", "a quote needs at least one line")
		}
		if _, err := account(ctx, tx, q.AccountID); err != nil {
			return err
		}
		if err := checkContact(ctx, tx, q.AccountID, q.ContactID); err != nil {
			return err
		}
		if err := s.price(ctx, &q, lines); err != nil {
			return err
		}
		num, err := s.numbers.NextNumber(ctx, tx, "quote")
		if err != nil {
			return err
		}
		q.Number = num
		if _, err := tx.NewInsert().Model(rowOf(&q)).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		if err := writeLines(ctx, tx, &q, false); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "quote.created", Resource: "quotes", ResourceID: q.ID.String(), After: q})
	})
	if err != nil {
		return Quote{}, err
	}
	return s.Get(ctx, sc, q.ID)
}

// price prices lines into q (in q's currency, or the first product's) and
// sums the totals.
func (s *Service) price(ctx context.Context, q *Quote, in []LineInput) error {
	if len(in) > MaxLines {
		return errs.Field("lines", fmt.Sprintf("at most %d lines", MaxLines))
	}
	f := errs.Fields{}
	for i, l := range in {
		at := fmt.Sprintf("lines[%d].", i)
		if l.ProductID == uuid.Nil {
			f.Add(at+"product_id", "is required")
		}
		if l.Quantity <= 0 || l.Quantity > 1_000_000_000 {
			f.Add(at+"quantity", "must be a whole number from 1 to 1000000000")
		}
		if l.DiscountBP != nil && (*l.DiscountBP < 0 || *l.DiscountBP > 10_000) {
			f.Add(at+"discount_bp", "must be from 0 to 10000 (basis points)")
		}
		if l.UnitPriceMinor != nil && *l.UnitPriceMinor < 0 {
			f.Add(at+"unit_price_minor", "must not be negative")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	cur, lines, err := s.pricing.Price(ctx, q.Currency, q.PriceListID, in)
	if err != nil {
		return err
	}
	q.Currency, q.Lines = cur, lines
	q.SubtotalMinor, q.TaxMinor, q.TotalMinor = 0, 0, 0
	for i := range q.Lines {
		q.Lines[i].ID = newID()
		q.SubtotalMinor += q.Lines[i].NetMinor
		q.TaxMinor += q.Lines[i].TaxMinor
		q.TotalMinor += q.Lines[i].TotalMinor
	}
	return nil
}

// Get reads a quote the caller may see.
func (s *Service) Get(ctx context.Context, sc Scope, id uuid.UUID) (Quote, error) {
	var q Quote
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		q, err = load(ctx, tx, sc, id, false)
		return err
	})
	return q, err
}

// Find lists the quotes the caller may see.
func (s *Service) Find(ctx context.Context, sc Scope, f Filter) ([]Quote, error) {
	var out []Quote
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var rows []quoteRow
		q := tx.NewSelect().Model(&rows).Apply(scoped(ctx, sc)).OrderExpr("q.id DESC").Limit(int64(f.Limit))
		for _, w := range []struct {
			cond string
			v    *uuid.UUID
		}{{"q.account_id = ?", f.AccountID}, {"q.opportunity_id = ?", f.OpportunityID}, {"q.id < ?", f.After}} {
			if w.v != nil {
				q.Where(w.cond, *w.v)
			}
		}
		today := s.Today()
		switch f.Status {
		case "":
		case StatusExpired:
			q.Where("q.status = ? AND q.valid_until < ?", StatusSent, today)
		case StatusSent:
			q.Where("q.status = ? AND q.valid_until >= ?", StatusSent, today)
		default:
			q.Where("q.status = ?", f.Status)
		}
		if f.Q != "" {
			q.Where("lower(q.number) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(f.Q))+"%")
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		out = make([]Quote, len(rows))
		ids := make([]uuid.UUID, len(rows))
		for i := range rows {
			out[i] = rows[i].quote()
			ids[i] = rows[i].AccountID
		}
		names := map[uuid.UUID]string{}
		if err := tenant.Names(ctx, tx, "accounts", "name", ids, names); err != nil {
			return err
		}
		for i := range out {
			out[i].AccountName = names[out[i].AccountID]
		}
		return nil
	})
	return out, err
}

// Update changes a draft quote.
func (s *Service) Update(ctx context.Context, sc Scope, id uuid.UUID, in Update) (Quote, error) {
	if err := s.checkUpdate(&in); err != nil {
		return Quote{}, err
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q, err := load(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		if q.Status != StatusDraft {
			return errs.E(errs.Conflict, "only a draft quote can be edited; revise it instead")
		}
		before := q
		if in.ContactID != nil {
			q.ContactID = in.ContactID
			if *in.ContactID == uuid.Nil {
				q.ContactID = nil
			}
			if err := checkContact(ctx, tx, q.AccountID, q.ContactID); err != nil {
				return err
			}
		}
		if in.ValidUntil != nil {
			q.ValidUntil = *in.ValidUntil
		}
		if in.Notes != nil {
			q.Notes = *in.Notes
		}
		if in.Lines != nil {
			if len(*in.Lines) == 0 {
				return errs.Field("lines", "a quote needs at least one line")
			}
			if err := s.price(ctx, &q, *in.Lines); err != nil {
				return err
			}
			if err := writeLines(ctx, tx, &q, true); err != nil {
				return err
			}
		}
		q.UpdatedAt = s.stamp()
		if err := save(ctx, tx, &q); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "quote.updated", Resource: "quotes", ResourceID: id.String(),
			Before: before, After: q})
	})
	if err != nil {
		return Quote{}, err
	}
	return s.Get(ctx, sc, id)
}

// Decline records the customer's no on a sent (or expired) quote.
func (s *Service) Decline(ctx context.Context, sc Scope, id uuid.UUID, reason string) (Quote, error) {
	reason = strings.TrimSpace(reason)
	f := errs.Fields{}
	if reason == "" {
		f.Add("reason", "is required")
	}
	if checkText(f, "reason", reason, MaxReason); f.Err() != nil {
		return Quote{}, f.Err()
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q, err := load(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		if q.Status != StatusSent {
			return errs.E(errs.Conflict, "only a sent quote can be declined; this one is %s", q.Current(s.Today()))
		}
		before := q
		t := s.stamp()
		q.Status, q.DeclinedAt, q.DeclineReason, q.UpdatedAt = StatusDeclined, &t, reason, t
		if err := save(ctx, tx, &q); err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "quote.declined", Resource: "quotes", ResourceID: id.String(),
			Before: before, After: q}); err != nil {
			return err
		}
		return s.publish(ctx, tx, TopicDeclined, q)
	})
	if err != nil {
		return Quote{}, err
	}
	return s.Get(ctx, sc, id)
}

// Revise starts the next revision of a sent, expired or declined quote: a
// draft copy with the same number and lines (priced afresh, as prices may
// have changed), valid for the default period; the revised one is
// superseded and can no longer be accepted.
func (s *Service) Revise(ctx context.Context, sc Scope, id uuid.UUID) (Quote, error) {
	var next Quote
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q, err := load(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		switch q.Status {
		case StatusDraft:
			return errs.E(errs.Conflict, "a draft is edited, not revised")
		case StatusAccepted:
			return errs.E(errs.Conflict, "an accepted quote cannot be revised")
		case StatusSuperseded:
			return errs.E(errs.Conflict, "this revision is superseded; revise the latest one")
		}
		p, _ := tenant.PrincipalFrom(ctx)
		t := s.stamp()
		next = Quote{ID: newID(), Number: q.Number, Revision: q.Revision + 1, Status: StatusDraft, AccountID: q.AccountID,
			ContactID: q.ContactID, OpportunityID: q.OpportunityID, OwnerUserID: q.OwnerUserID, Currency: q.Currency,
			PriceListID: q.PriceListID, ValidUntil: s.Today().AddDate(0, 0, DefaultValidDays), Notes: q.Notes,
			CreatedAt: t, UpdatedAt: t}
		if p.Kind == tenant.KindUser {
			next.CreatedBy = &p.ID
		}
		in := make([]LineInput, len(q.Lines))
		for i, l := range q.Lines {
			price, disc := l.UnitPriceMinor, l.DiscountBP
			in[i] = LineInput{ProductID: l.ProductID, Quantity: l.Quantity, UnitPriceMinor: &price, DiscountBP: &disc}
		}
		if err := s.price(ctx, &next, in); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(rowOf(&next)).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		if err := writeLines(ctx, tx, &next, false); err != nil {
			return err
		}
		before := q
		q.Status, q.SupersededBy, q.UpdatedAt = StatusSuperseded, &next.ID, t
		if err := save(ctx, tx, &q); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "quote.revised", Resource: "quotes", ResourceID: id.String(),
			Before: before, After: q})
	})
	if err != nil {
		return Quote{}, err
	}
	return s.Get(ctx, sc, next.ID)
}

// Accept turns a sent, unexpired, latest revision into an accepted quote
// in one transaction with makeOrder, which creates the sales order from it
// (the F1 flow) and returns the order's id. Anything makeOrder refuses
// rolls the acceptance back.
func (s *Service) Accept(ctx context.Context, sc Scope, id uuid.UUID, makeOrder func(ctx context.Context, q Quote) (uuid.UUID, error)) (Quote, error) {
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q, err := load(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		switch cur := q.Current(s.Today()); cur {
		case StatusSent:
		case StatusExpired:
			return errs.E(errs.Conflict, "the quote expired on %s; revise it", q.ValidUntil.Format(time.DateOnly))
		case StatusSuperseded:
			return errs.E(errs.Conflict, "this revision is superseded by a later one")
		case StatusDraft:
			return errs.E(errs.Conflict, "a draft must be sent before it is accepted")
		default:
			return errs.E(errs.Conflict, "the quote is already %s", cur)
		}
		orderID, err := makeOrder(ctx, q)
		if err != nil {
			return err
		}
		before := q
		t := s.stamp()
		q.Status, q.AcceptedAt, q.OrderID, q.UpdatedAt = StatusAccepted, &t, &orderID, t
		if err := save(ctx, tx, &q); err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "quote.accepted", Resource: "quotes", ResourceID: id.String(),
			Before: before, After: q}); err != nil {
			return err
		}
		return s.publish(ctx, tx, TopicAccepted, q)
	})
	if err != nil {
		return Quote{}, err
	}
	return s.Get(ctx, sc, id)
}

// Check is a quote's availability per line and credit check, for an open
// quote (nil otherwise: an answered quote promises nothing any more).
func (s *Service) Check(ctx context.Context, q Quote) ([]Promise, *CreditCheck, error) {
	if !q.Open() {
		return nil, nil, nil
	}
	out := make([]Promise, len(q.Lines))
	for i, l := range q.Lines {
		p, err := s.availability.Promise(ctx, l.ProductID, l.Quantity)
		if err != nil {
			return nil, nil, err
		}
		out[i] = p
	}
	c, err := s.credit.Check(ctx, q.AccountID, q.Currency, q.TotalMinor)
	if err != nil {
		return nil, nil, err
	}
	return out, &c, nil
}

func (s *Service) publish(ctx context.Context, tx bun.IDB, topic string, q Quote) error {
	tid, _ := tenant.FromContext(ctx)
	return events.Publish(ctx, tx, tid, topic, map[string]any{"quote_id": q.ID, "number": q.Number, "revision": q.Revision,
		"account_id": q.AccountID, "opportunity_id": q.OpportunityID, "order_id": q.OrderID, "total_minor": q.TotalMinor,
		"currency": q.Currency})
}

// checkNew validates a create request's own fields.
func (s *Service) checkNew(in *NewQuote) error {
	f := errs.Fields{}
	if in.AccountID == nil && in.OpportunityID == nil {
		f.Add("account_id", "is required unless the quote is made from an opportunity")
	}
	in.Notes = strings.TrimSpace(in.Notes)
	checkText(f, "notes", in.Notes, MaxNotes)
	s.checkValid(f, in.ValidUntil)
	return f.Err()
}

func (s *Service) checkUpdate(in *Update) error {
	f := errs.Fields{}
	if in.Notes != nil {
		*in.Notes = strings.TrimSpace(*in.Notes)
		checkText(f, "notes", *in.Notes, MaxNotes)
	}
	s.checkValid(f, in.ValidUntil)
	return f.Err()
}

// checkValid requires a valid-until date from today to MaxValidDays ahead.
func (s *Service) checkValid(f errs.Fields, d *time.Time) {
	if d == nil {
		return
	}
	today := s.Today()
	switch {
	case d.Before(today):
		f.Add("valid_until", "must not be in the past")
	case d.After(today.AddDate(0, 0, MaxValidDays)):
		f.Add("valid_until", fmt.Sprintf("must be within %d days", MaxValidDays))
	}
}

// account reads the quote's account, which must be active.
func account(ctx context.Context, tx bun.IDB, id uuid.UUID) (accountRef, error) {
	var a accountRef
	err := tx.NewSelect().Model(&a).Where("a.id = ?", id).Scan(ctx)
	switch {
	case errs.Is(db.Translate(err), errs.NotFound):
		return a, errs.Field("account_id", "no such account")
	case err != nil:
		return a, err
	case !a.Active:
		return a, errs.Field("account_id", "the account is inactive")
	}
	return a, nil
}

// checkContact requires the contact, when set, to be one of the account's.
func checkContact(ctx context.Context, tx bun.IDB, accountID uuid.UUID, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var c contactRef
	err := tx.NewSelect().Model(&c).Where("c.id = ?", *id).Scan(ctx)
	switch {
	case errs.Is(db.Translate(err), errs.NotFound):
		return errs.Field("contact_id", "no such contact")
	case err != nil:
		return err
	case c.AccountID != accountID:
		return errs.Field("contact_id", "is not a contact of the quote's account")
	}
	return nil
}

// checkText adds field's fault to f: invalid UTF-8, longer than max runes
// or control characters other than line breaks and tabs.
func checkText(f errs.Fields, field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		f.Add(field, fmt.Sprintf("is too long (at most %d characters)", max))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.Add(field, "must not contain control characters")
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
