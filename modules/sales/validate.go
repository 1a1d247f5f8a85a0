package sales

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// MaxNotes bounds an order's notes in characters.
const MaxNotes = 4000

// check validates a create request before any database work, naming every
// failing field at once.
func (in *NewOrder) check() error {
	f := errs.Fields{}
	if in.AccountID == uuid.Nil {
		f.Add("account_id", "is required")
	}
	if in.Currency != "" && !currencyRE.MatchString(in.Currency) {
		f.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	checkNotes(f, "notes", &in.Notes)
	if len(in.Lines) == 0 {
		f.Add("lines", "must have at least one line")
	}
	checkLines(f, in.Lines)
	return f.Err()
}

// check validates a PATCH of a draft order.
func (in *OrderUpdate) check() error {
	f := errs.Fields{}
	if in.AccountID != nil && *in.AccountID == uuid.Nil {
		f.Add("account_id", "must be an account id")
	}
	if in.Currency != nil && !currencyRE.MatchString(*in.Currency) {
		f.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	if in.Notes != nil {
		checkNotes(f, "notes", in.Notes)
	}
	if in.Lines != nil && len(in.Lines) == 0 {
		f.Add("lines", "must have at least one line")
	}
	checkLines(f, in.Lines)
	return f.Err()
}

func checkLines(f errs.Fields, lines []NewLine) {
	if len(lines) > MaxLines {
		f.Add("lines", fmt.Sprintf("must have at most %d lines", MaxLines))
		return
	}
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d].", i)
		if l.ProductID == uuid.Nil {
			f.Add(field+"product_id", "is required")
		}
		if l.Quantity <= 0 || l.Quantity > MaxQuantity {
			f.Add(field+"quantity", fmt.Sprintf("must be a whole number from 1 to %d", MaxQuantity))
		}
		if l.UnitPriceMinor != nil && (*l.UnitPriceMinor < 0 || *l.UnitPriceMinor > MaxPriceMinor) {
			f.Add(field+"unit_price_minor", fmt.Sprintf("must be a whole number of minor units from 0 to %d", MaxPriceMinor))
		}
		if l.DiscountBP != nil && (*l.DiscountBP < 0 || *l.DiscountBP > MaxBP) {
			f.Add(field+"discount_bp", "must be between 0 and 10000 basis points (0 % to 100 %)")
		}
	}
}

// checkNotes trims the notes and refuses control characters other than
// line breaks and tabs.
func checkNotes(f errs.Fields, field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(*s) > MaxNotes:
		f.Add(field, fmt.Sprintf("must be at most %d characters", MaxNotes))
	case strings.IndexFunc(*s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		f.Add(field, "must not contain control characters")
	}
}
