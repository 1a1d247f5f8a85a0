package flows

import (
	"context"
	"time"

	"github.com/google/uuid"

	"nexo/modules/catalog"
	"nexo/modules/inventory"
	"nexo/modules/manufacturing"
	"nexo/modules/quotes"
	"nexo/modules/sales"
)

// ATP is available-to-promise (C4): how many units of a product can ship
// now and by when the rest can. It reads the very numbers reservations
// are made from, never a copy:
//
//   - now: inventory's available stock (on hand less reserved, quarantined
//     and held), which a confirmed order's reservation has already taken;
//     it is cached per tenant and product and the cache moves on with
//     every stock move or reservation (inventory.Availability);
//   - then the unclaimed output of open production orders, earliest due
//     first (manufacturing.OpenSupply);
//   - then what is still missing at the product's capacity and lead time,
//     by the rule order confirmation promises with (sales.Promise), so a
//     quote and the order it becomes give the same date.
//
// A promise is a display: Reserve decides under row locks and never trusts
// it, so two quotes may both promise the same last units, but no quote is
// ever promised units a confirmed order holds.
type ATP struct {
	catalog    *catalog.Service
	stock      *inventory.Service
	production *manufacturing.Service
	now        func() time.Time
}

// NewATP wires available-to-promise; now is the clock (nil = time.Now).
func NewATP(c *catalog.Service, s *inventory.Service, p *manufacturing.Service, now func() time.Time) *ATP {
	if now == nil {
		now = time.Now
	}
	return &ATP{catalog: c, stock: s, production: p, now: now}
}

// Promise implements quotes.Availability.
func (a *ATP) Promise(ctx context.Context, productID uuid.UUID, qty int64) (quotes.Promise, error) {
	today := dateOf(a.now())
	p, err := a.catalog.GetProduct(ctx, productID)
	if err != nil {
		return quotes.Promise{}, err
	}
	if p.Type == catalog.TypeService {
		return quotes.Promise{Now: qty, Date: today}, nil
	}
	av, err := a.stock.Availability(ctx, productID)
	if err != nil {
		return quotes.Promise{}, err
	}
	out := quotes.Promise{Now: min(max(av.Available, 0), qty), Date: today}
	missing := qty - out.Now
	if missing == 0 {
		return out, nil
	}
	var supply []manufacturing.Supply
	if p.Type == catalog.TypeManufactured {
		if supply, err = a.production.OpenSupply(ctx, productID); err != nil {
			return quotes.Promise{}, err
		}
	}
	out.Later, out.Date = missing, today
	for _, s := range supply {
		if missing == 0 {
			break
		}
		missing -= min(s.Free, missing)
		out.Date = later(out.Date, s.DueDate)
	}
	if missing > 0 {
		sp := sales.Product{Type: sales.ProductType(p.Type), LeadTimeDays: p.LeadTimeDays, DailyCapacity: p.DailyCapacity}
		out.Date = later(out.Date, sales.Promise(today, sp, missing))
	}
	d := out.Date
	out.LaterDate = &d
	return out, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// dateOf is t's UTC calendar date at midnight.
func dateOf(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
