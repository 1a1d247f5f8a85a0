package invoicing

import (
	"math/big"
	"strconv"
	"strings"
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

// minorDigits are the ISO 4217 currencies whose minor unit is not the
// hundredth; every other currency has two decimals.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
	"UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// FormatMinor writes an amount of minor units in its currency with integer
// arithmetic only: 123456 EUR → "1,234.56 EUR", 1500 JPY → "1,500 JPY".
func FormatMinor(minor int64, currency string) string {
	digits, ok := minorDigits[currency]
	if !ok {
		digits = 2
	}
	sign, u := "", uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-(minor+1))+1 // safe for math.MinInt64
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if digits > 0 {
		out += "." + frac
	}
	return out + " " + currency
}
