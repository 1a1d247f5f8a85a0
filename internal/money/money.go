// Package money formats int64 minor units for people: documents (invoice
// and quote PDFs) and emails. Amounts are never floats (M5).
package money

import (
	"strconv"
	"strings"
)

// minorDigits are the ISO 4217 currencies whose minor unit is not the
// hundredth; every other currency has two decimals.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
	"UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// Format writes an amount of minor units in its currency with integer
// arithmetic only: 123456 EUR → "1,234.56 EUR", 1500 JPY → "1,500 JPY".
func Format(minor int64, currency string) string {
	return format(minor, currency, ",", ".", 1)
}

// FormatLocale writes an amount the way a reader of locale expects it, as the
// web app's Intl formatting does: "en" as Format; "es" with a decimal comma
// and dots between thousands, but only from five integer digits on (the RAE
// and CLDR rule: 1234,56 EUR, 12.345,67 EUR). Unknown locales read as "en".
func FormatLocale(minor int64, currency, locale string) string {
	if locale == "es" {
		return format(minor, currency, ".", ",", 2)
	}
	return Format(minor, currency)
}

// format groups the integer part in threes with group (when it has at least
// minGroup+3 digits) and puts decimal before the minor digits.
func format(minor int64, currency, group, decimal string, minGroup int) string {
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
	grouped := len(whole) >= 3+minGroup
	var b strings.Builder
	for i, r := range whole {
		if grouped && i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if digits > 0 {
		out += decimal + frac
	}
	return out + " " + currency
}
