package sales

import (
	"strings"
	"testing"
	"time"
)

// TestStatusMachine checks every (from, to) pair against the allowed list
// written out here independently of the transitions table.
func TestStatusMachine(t *testing.T) {
	allowed := map[string]bool{}
	for _, p := range strings.Fields(`
		draft>confirmed draft>credit_hold draft>cancelled
		credit_hold>confirmed credit_hold>cancelled
		confirmed>in_production confirmed>ready confirmed>partially_shipped confirmed>shipped confirmed>invoiced confirmed>cancelled
		in_production>ready in_production>partially_shipped in_production>shipped in_production>cancelled
		ready>confirmed ready>partially_shipped ready>shipped ready>cancelled
		partially_shipped>shipped
		shipped>invoiced
		invoiced>closed`) {
		allowed[p] = true
	}
	n := 0
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			want := allowed[string(from)+">"+string(to)]
			if got := CanMove(from, to); got != want {
				t.Errorf("%s → %s: allowed %v, want %v", from, to, got, want)
			}
			if want {
				n++
			}
		}
	}
	if n != len(allowed) {
		t.Errorf("the list names %d transitions, the statuses cover %d", len(allowed), n)
	}
	if len(Statuses()) != len(transitions) {
		t.Errorf("Statuses() lists %d, the machine has %d", len(Statuses()), len(transitions))
	}
	if CanMove("bogus", StatusConfirmed) || Status("bogus").Valid() {
		t.Error("unknown statuses must move nowhere")
	}
}

// TestLineAmounts states the rounding (M5): net = qty × price × (1 − discount)
// rounded half up; tax = net × rate rounded half up, per line.
func TestLineAmounts(t *testing.T) {
	for _, c := range []struct {
		qty, price      int64
		discount, taxBP int
		net, tax        int64
		ok              bool
	}{
		{1, 1000, 0, 2100, 1000, 210, true},
		{3, 333, 1000, 2100, 899, 189, true},     // 899.1 → 899; 188.79 → 189
		{1, 5, 1000, 0, 5, 0, true},              // 4.5 → 5 (half up)
		{1, 15, 5000, 0, 8, 0, true},             // 7.5 → 8
		{1, 25, 5000, 0, 13, 0, true},            // 12.5 → 13 (not banker's 12)
		{1, 5, 0, 1000, 5, 1, true},              // tax 0.5 → 1
		{1, 4, 0, 1000, 4, 0, true},              // tax 0.4 → 0
		{7, 1999, 1234, 2100, 12266, 2576, true}, // 13993 × 0.8766 = 12266.26; × 0.21 = 2575.86
		{10, 100, 10000, 2100, 0, 0, true},       // 100 % discount
		{2, 0, 0, 2100, 0, 0, true},
		{MaxQuantity, MaxPriceMinor, 0, 0, 0, 0, false}, // 1e21 > int64: refused, not wrapped
		{1_000_000, 999_999_999, 0, 0, 999_999_999_000_000, 0, true},
		{1_000_000, 999_999_999, 0, 2100, 0, 0, false}, // total past the bound
	} {
		net, tax, ok := lineAmounts(c.qty, c.price, c.discount, c.taxBP)
		if ok != c.ok || (ok && (net != c.net || tax != c.tax)) {
			t.Errorf("%d × %d, -%d bp, tax %d bp: %d + %d (%v), want %d + %d (%v)",
				c.qty, c.price, c.discount, c.taxBP, net, tax, ok, c.net, c.tax, c.ok)
		}
	}
}

func TestTotalsAreSumOfLines(t *testing.T) {
	o := Order{Lines: []Line{{NetMinor: 899, TaxMinor: 189, TotalMinor: 1088}, {NetMinor: 5, TaxMinor: 1, TotalMinor: 6}}}
	o.totals()
	if o.SubtotalMinor != 904 || o.TaxMinor != 190 || o.TotalMinor != 1094 {
		t.Fatalf("totals %d %d %d", o.SubtotalMinor, o.TaxMinor, o.TotalMinor)
	}
}

func TestLinePromise(t *testing.T) {
	today := day(0)
	mfg := Product{Type: ProductManufactured, LeadTimeDays: 3, DailyCapacity: 100}
	for _, c := range []struct {
		name      string
		p         Product
		shortfall int64
		want      time.Time
	}{
		{"all reserved", mfg, 0, today},
		{"500 short at 100/day", mfg, 500, day(3 + 5)},
		{"501 short: a sixth day", mfg, 501, day(3 + 6)},
		{"1 short", mfg, 1, day(3 + 1)},
		{"capacity unknown: lead time only", Product{Type: ProductManufactured, LeadTimeDays: 3}, 500, day(3)},
		{"purchased", Product{Type: ProductPurchased, LeadTimeDays: 10}, 7, day(10)},
		{"stocked is bought", Product{Type: ProductStocked, LeadTimeDays: 4}, 7, day(4)},
		{"capped", Product{Type: ProductManufactured, DailyCapacity: 1}, MaxQuantity, day(maxPromiseDays)},
	} {
		got := linePromise(today, c.p, c.shortfall, shortfallAction(c.p, c.shortfall))
		if !got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.name, got.Format(dateLayout), c.want.Format(dateLayout))
		}
	}
}
