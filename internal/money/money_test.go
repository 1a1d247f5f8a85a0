package money

import (
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		minor    int64
		currency string
		locale   string
		want     string
	}{
		{123456, "EUR", "en", "1,234.56 EUR"},
		{123456, "EUR", "es", "1234,56 EUR"}, // four integer digits: no group in Spanish
		{1234567, "EUR", "es", "12.345,67 EUR"},
		{123456789, "USD", "es", "1.234.567,89 USD"},
		{5, "EUR", "es", "0,05 EUR"},
		{-250, "EUR", "es", "-2,50 EUR"},
		{1500, "JPY", "en", "1,500 JPY"},
		{1500, "JPY", "es", "1500 JPY"},
		{15000, "JPY", "es", "15.000 JPY"},
		{1234, "KWD", "es", "1,234 KWD"},
		{100, "EUR", "fr", "1.00 EUR"}, // unknown locale reads as English
		{math.MinInt64, "EUR", "en", "-92,233,720,368,547,758.08 EUR"},
	} {
		if got := FormatLocale(c.minor, c.currency, c.locale); got != c.want {
			t.Errorf("FormatLocale(%d, %s, %s) = %q, want %q", c.minor, c.currency, c.locale, got, c.want)
		}
	}
	if got := Format(123456, "EUR"); got != "1,234.56 EUR" {
		t.Errorf("Format = %q", got)
	}
}
