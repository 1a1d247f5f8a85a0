package invoicing

import (
	"math/big"

	"nexo/internal/money"
)

// Bounds on amounts, the same as sales' so an order line's amounts always fit.
const (
	maxBP          = 10_000 // 100 % in basis points
	maxAmountMinor = 999_999_999_999_999
)

// lineAmounts prices qty units of a line exactly as sales prices order
// lines (M5), stated once:
//
//	net   = quantity × unit price × (10000 − discount_bp) / 10000,
//	        rounded half up to the minor unit (0.5 → 1);
//	tax   = net × tax_rate_bp / 10000, rounded half up, per line;
//	total = net + tax.
//
// An invoice's net, tax and total are the sums of its lines'. Big integers
// keep quantity × price from overflowing; ok is false past maxAmountMinor.
func lineAmounts(qty, unitPrice int64, discountBP, taxBP int) (net, tax int64, ok bool) {
	gross := new(big.Int).Mul(big.NewInt(qty), big.NewInt(unitPrice))
	n := divHalfUp(gross.Mul(gross, big.NewInt(int64(maxBP-discountBP))), maxBP)
	t := divHalfUp(new(big.Int).Mul(n, big.NewInt(int64(taxBP))), maxBP)
	limit := big.NewInt(maxAmountMinor)
	if n.Sign() < 0 || t.Sign() < 0 || new(big.Int).Add(n, t).Cmp(limit) > 0 {
		return 0, 0, false
	}
	return n.Int64(), t.Int64(), true
}

// divHalfUp returns x / d rounded half up, for x ≥ 0 and d > 0.
func divHalfUp(x *big.Int, d int64) *big.Int {
	q := new(big.Int).Add(x, big.NewInt(d/2))
	return q.Quo(q, big.NewInt(d))
}

// creditAmounts is what crediting qty more units of l takes off it. The
// last units credited take exactly what is left of the line, so crediting
// a line in several notes never sums to more (or less) than its amounts,
// whatever the rounding of each part.
func creditAmounts(l Line, qty int64) (net, tax int64) {
	if l.CreditedQty+qty == l.Quantity {
		return l.NetMinor - l.CreditedNet, l.TaxMinor - l.CreditedTax
	}
	net, tax, _ = lineAmounts(qty, l.UnitPriceMinor, l.DiscountBP, l.TaxRateBP)
	return min(net, l.NetMinor-l.CreditedNet), min(tax, l.TaxMinor-l.CreditedTax)
}

// FormatMinor writes minor units as a decimal amount with the currency
// code (money.Format).
func FormatMinor(minor int64, currency string) string { return money.Format(minor, currency) }
