// Package crm is customer relationship management (C1–C5): customer
// accounts (companies) with tax id, contact data, structured billing and
// shipping addresses, the owning sales rep, payment terms and a credit
// limit, with a duplicate warning; their contacts; activities (calls,
// emails, meetings, tasks, notes); and the sales pipelines with their
// opportunities and product lines (C3). Leads and the timeline come later.
//
// Money is int64 minor units plus an ISO 4217 currency, never a float (M5).
// Other modules (sales, invoicing) refer to accounts by id through the
// database's composite foreign keys; they never import this package.
package crm

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// Bounds that keep input sane and sums far inside int64.
const (
	MaxCreditLimitMinor = 999_999_999_999 // 9,999,999,999.99 in a two-decimal currency
	MaxPaymentTermsDays = 365
	DefaultPaymentTerms = 30
)

// Address is a postal address; Country is ISO 3166-1 alpha-2 or empty.
type Address struct {
	Line1, Line2, City, PostalCode, Region, Country string
}

// Account is a customer company.
type Account struct {
	ID               uuid.UUID
	Name             string
	TaxID            string
	Email            string
	Phone            string
	Billing          Address
	Shipping         Address
	OwnerUserID      *uuid.UUID // the sales rep
	PaymentTermsDays int
	CreditLimitMinor int64
	Currency         string
	Active           bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// AccountInput creates an account or, with nil fields left alone, changes one
// (PATCH). OwnerUserID pointing at uuid.Nil clears the owner; an address,
// when set, replaces the whole address.
type AccountInput struct {
	Name             *string
	TaxID            *string
	Email            *string
	Phone            *string
	Billing          *Address
	Shipping         *Address
	OwnerUserID      *uuid.UUID
	PaymentTermsDays *int
	CreditLimitMinor *int64
	Currency         *string
	Active           *bool
	// ConfirmDuplicate saves the account even when it looks like an
	// existing one (on create, or on an edit of its name, tax id or email).
	ConfirmDuplicate bool
}

// Filter narrows the account list, newest first. Q matches name, tax id or
// email; After is the cursor (the last id of the previous page).
type Filter struct {
	Q      string
	Active *bool
	After  *uuid.UUID
	Limit  int
}

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	countryRE  = regexp.MustCompile(`^([A-Z]{2})?$`)
	// emailRE is deliberately loose: one @, no spaces. Deliverability is the
	// mail server's business, typos are the user's.
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// check validates the set fields (requiring the creating ones), trimming
// text in place; every failing field is reported at once.
func (in *AccountInput) check(creating bool) error {
	f := errs.Fields{}
	checkText(f, "name", in.Name, creating, 1, 200)
	checkText(f, "tax_id", in.TaxID, false, 0, 50)
	checkText(f, "email", in.Email, false, 0, 254)
	if in.Email != nil && *in.Email != "" && !emailRE.MatchString(*in.Email) {
		f.Add("email", "must be an email address")
	}
	checkText(f, "phone", in.Phone, false, 0, 50)
	checkAddress(f, "billing_address", in.Billing)
	checkAddress(f, "shipping_address", in.Shipping)
	if in.PaymentTermsDays != nil && (*in.PaymentTermsDays < 0 || *in.PaymentTermsDays > MaxPaymentTermsDays) {
		f.Add("payment_terms_days", "must be a whole number of days from 0 to 365")
	}
	if in.CreditLimitMinor != nil && (*in.CreditLimitMinor < 0 || *in.CreditLimitMinor > MaxCreditLimitMinor) {
		f.Add("credit_limit_minor", "must be a whole number of minor units from 0 to 999999999999")
	}
	if in.Currency != nil && !currencyRE.MatchString(*in.Currency) {
		f.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	return f.Err()
}

// apply copies the set fields onto a.
func (in *AccountInput) apply(a *Account) {
	set(&a.Name, in.Name)
	set(&a.TaxID, in.TaxID)
	set(&a.Email, in.Email)
	set(&a.Phone, in.Phone)
	set(&a.Billing, in.Billing)
	set(&a.Shipping, in.Shipping)
	set(&a.PaymentTermsDays, in.PaymentTermsDays)
	set(&a.CreditLimitMinor, in.CreditLimitMinor)
	set(&a.Currency, in.Currency)
	set(&a.Active, in.Active)
	if in.OwnerUserID != nil {
		a.OwnerUserID = in.OwnerUserID
		if *in.OwnerUserID == uuid.Nil {
			a.OwnerUserID = nil
		}
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func checkAddress(f errs.Fields, field string, a *Address) {
	if a == nil {
		return
	}
	for name, p := range map[string]*string{"line1": &a.Line1, "line2": &a.Line2, "city": &a.City,
		"postal_code": &a.PostalCode, "region": &a.Region} {
		checkText(f, field+"."+name, p, false, 0, 200)
	}
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if !countryRE.MatchString(a.Country) {
		f.Add(field+".country", "must be an ISO 3166-1 alpha-2 code such as ES, or empty")
	}
}

// checkText trims *s and requires min..max printable characters.
func checkText(f errs.Fields, field string, s *string, required bool, min, max int) {
	if s == nil {
		if required {
			f.Add(field, "is required")
		}
		return
	}
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case !utf8.ValidString(*s):
		f.Add(field, "must be valid UTF-8")
	case n < min:
		f.Add(field, "must not be empty")
	case n > max:
		f.Add(field, "is too long")
	case strings.IndexFunc(*s, unicode.IsControl) >= 0:
		f.Add(field, "must not contain control characters")
	}
}
