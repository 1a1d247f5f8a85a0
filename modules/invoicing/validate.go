package invoicing

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// Bounds on input, below the schema's CHECKs so a long value is a 400
// naming the field, not a constraint error.
const (
	maxReference   = 100 // payment reference (characters)
	maxReason      = 500 // credit note reason (characters)
	maxCreditLines = 500
	maxQuantity    = 1_000_000_000_000
	// maxPastDays bounds how far back a payment's received date may be.
	maxPastDays = 3660
)

// check validates a payment before any database work, naming every
// failing field at once. today bounds received_on: a payment is recorded
// once received, never ahead.
func (in *NewPayment) check(today time.Time) error {
	f := errs.Fields{}
	if in.InvoiceID == uuid.Nil {
		f.Add("invoice_id", "is required")
	}
	if in.AmountMinor <= 0 || in.AmountMinor > maxAmountMinor {
		f.Add("amount_minor", "must be a positive amount in minor units")
	}
	if !in.Method.Valid() {
		f.Add("method", "must be one of manual, card, transfer")
	}
	checkText(f, "reference", &in.Reference, maxReference, false)
	if in.ReceivedOn != nil {
		d := dateOf(*in.ReceivedOn)
		if d.After(today) || d.Before(today.AddDate(0, 0, -maxPastDays)) {
			f.Add("received_on", "must be a date no later than today and at most ten years back")
		}
	}
	return f.Err()
}

// check validates a credit note request.
func (in *NewCreditNote) check() error {
	f := errs.Fields{}
	if in.InvoiceID == uuid.Nil {
		f.Add("invoice_id", "is required")
	}
	switch {
	case len(in.Lines) == 0:
		f.Add("lines", "name at least one invoice line")
	case len(in.Lines) > maxCreditLines:
		f.Add("lines", fmt.Sprintf("must have at most %d lines", maxCreditLines))
	}
	seen := make(map[uuid.UUID]bool, len(in.Lines))
	for i, l := range in.Lines {
		field := fmt.Sprintf("lines[%d].", i)
		switch {
		case l.InvoiceLineID == uuid.Nil:
			f.Add(field+"invoice_line_id", "is required")
		case seen[l.InvoiceLineID]:
			f.Add(field+"invoice_line_id", "names the same invoice line twice")
		}
		seen[l.InvoiceLineID] = true
		if l.Quantity <= 0 || l.Quantity > maxQuantity {
			f.Add(field+"quantity", "must be a positive integer")
		}
	}
	checkText(f, "reason", &in.Reason, maxReason, true)
	if in.Reason == "" && f["reason"] == "" {
		f.Add("reason", "is required")
	}
	return f.Err()
}

// check validates a list query and defaults its limit.
func (f *Filter) check() error {
	if f.Limit <= 0 || f.Limit > 101 {
		f.Limit = 50
	}
	if f.Status != "" && !f.Status.Valid() {
		return errs.Field("status", "must be one of issued, partially_paid, paid, credited")
	}
	return nil
}

// check defaults a document list's limit.
func (f *DocFilter) check() {
	if f.Limit <= 0 || f.Limit > 101 {
		f.Limit = 50
	}
}

// checkText trims a text and refuses control characters (line breaks
// allowed when multiline) and more than max characters: the text ends up
// on PDFs, in emails and in the portal.
func checkText(f errs.Fields, field string, s *string, max int, multiline bool) {
	*s = strings.TrimSpace(*s)
	bad := func(r rune) bool { return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) }
	switch {
	case !utf8.ValidString(*s) || strings.IndexFunc(*s, bad) >= 0:
		f.Add(field, "must be text without control characters")
	case utf8.RuneCountInString(*s) > max:
		f.Add(field, fmt.Sprintf("must be at most %d characters", max))
	}
}
