package sales

import (
	"math/big"
	"time"
)

// Bounds on input. They keep each line's amount inside MaxAmountMinor and an
// order's sum of MaxLines lines far inside int64.
const (
	MaxLines       = 500
	MaxQuantity    = 1_000_000_000
	MaxAmountMinor = 999_999_999_999_999 // one line's net, tax or total
	MaxPriceMinor  = 999_999_999_999
	MaxBP          = 10_000 // 100 % in basis points
	// maxPromiseDays caps the production days of one line (a quantity of a
	// billion at one a day) so a promised date stays a storable date.
	maxPromiseDays = 36_500
)

// lineAmounts prices a line. Rounding (M5), stated once:
//
//	net   = quantity × unit price × (10000 − discount_bp) / 10000,
//	        rounded half up to the minor unit (0.5 → 1);
//	tax   = net × tax_rate_bp / 10000, rounded half up, per line;
//	total = net + tax.
//
// The order's subtotal, tax and total are the sums of its lines' net, tax and
// total, so totals always equal Σ lines and invoices can repeat them line by
// line. Every value is non-negative, so half up is (x + d/2) / d. The
// product is computed in big integers: quantity × price alone can exceed
// int64. ok is false when a result passes MaxAmountMinor.
func lineAmounts(qty, unitPrice int64, discountBP, taxBP int) (net, tax int64, ok bool) {
	gross := new(big.Int).Mul(big.NewInt(qty), big.NewInt(unitPrice))
	n := divHalfUp(gross.Mul(gross, big.NewInt(int64(MaxBP-discountBP))), MaxBP)
	t := divHalfUp(new(big.Int).Mul(n, big.NewInt(int64(taxBP))), MaxBP)
	limit := big.NewInt(MaxAmountMinor)
	if n.Cmp(limit) > 0 || t.Cmp(limit) > 0 || new(big.Int).Add(n, t).Cmp(limit) > 0 {
		return 0, 0, false
	}
	return n.Int64(), t.Int64(), true
}

// divHalfUp returns x / d rounded half up, for x ≥ 0 and d > 0.
func divHalfUp(x *big.Int, d int64) *big.Int {
	q := new(big.Int).Add(x, big.NewInt(d/2))
	return q.Quo(q, big.NewInt(d))
}

// totals sums the lines into the order (M5: totals = Σ lines).
func (o *Order) totals() {
	o.SubtotalMinor, o.TaxMinor, o.TotalMinor = 0, 0, 0
	for _, l := range o.Lines {
		o.SubtotalMinor += l.NetMinor
		o.TaxMinor += l.TaxMinor
		o.TotalMinor += l.TotalMinor
	}
}

// linePromise is the date a line can ship, from what confirmation settled:
// today when nothing is missing; for a production shortfall, today + lead
// time + the days production needs at the product's daily capacity
// (ceil(shortfall / capacity); lead time only when capacity is unknown);
// for a purchase shortfall, today + lead time.
func linePromise(today time.Time, p Product, shortfall int64, action ShortfallAction) time.Time {
	switch {
	case shortfall <= 0 || action == ShortfallNone:
		return today
	case action == ShortfallProduction && p.DailyCapacity > 0:
		days := min((shortfall+p.DailyCapacity-1)/p.DailyCapacity, maxPromiseDays)
		return today.AddDate(0, 0, p.LeadTimeDays+int(days))
	default:
		return today.AddDate(0, 0, p.LeadTimeDays)
	}
}

// Promise is the date by which shortfall more units of p can ship, by the
// rule confirmation uses; a quote promises with it, so the quote and the
// order it becomes give the same date.
func Promise(today time.Time, p Product, shortfall int64) time.Time {
	return linePromise(today, p, shortfall, shortfallAction(p, shortfall))
}

// shortfallAction says who covers a missing quantity of p.
func shortfallAction(p Product, shortfall int64) ShortfallAction {
	switch {
	case shortfall <= 0:
		return ShortfallNone
	case p.Type == ProductManufactured:
		return ShortfallProduction
	default:
		return ShortfallPurchase
	}
}

// dateOf is t's calendar date (in t's location) as midnight UTC.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// utcDate normalises a date read from either engine to midnight UTC.
func utcDate(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := dateOf(*t)
	return &d
}
