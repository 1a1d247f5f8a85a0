package crm

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/web"
	"nexo/tenant"
)

// This file holds the CSV exports of accounts and contacts. Their columns
// are also the import's (import.go), so an exported file imports back
// unchanged.

// AccountColumns is accounts.csv's header. The owner is written as the
// user's email (readable) before the user's id (exact); the credit limit as
// decimal text in its currency ("40000.00").
var AccountColumns = []string{"name", "tax_id", "email", "phone",
	"billing_line1", "billing_line2", "billing_city", "billing_postal_code", "billing_region", "billing_country",
	"shipping_line1", "shipping_line2", "shipping_city", "shipping_postal_code", "shipping_region", "shipping_country",
	"owner_email", "owner_user_id", "payment_terms_days", "credit_limit", "currency", "active", "id"}

// ContactColumns is contacts.csv's header: the contact, then its account by
// name, tax id and id (the import matches the account by any of them).
var ContactColumns = []string{"first_name", "last_name", "email", "phone", "job_title", "role", "primary", "active",
	"account_name", "account_tax_id", "account_id", "id"}

// AccountRecord is an account as one accounts.csv row, formula-like text
// defused (OWASP CSV injection; the import strips the prefix again).
func AccountRecord(a Account, ownerEmail string) []string {
	d := web.Defuse
	b, s := a.Billing, a.Shipping
	return []string{d(a.Name), d(a.TaxID), d(a.Email), d(a.Phone),
		d(b.Line1), d(b.Line2), d(b.City), d(b.PostalCode), d(b.Region), b.Country,
		d(s.Line1), d(s.Line2), d(s.City), d(s.PostalCode), d(s.Region), s.Country,
		d(ownerEmail), web.ID(a.OwnerUserID), strconv.Itoa(a.PaymentTermsDays),
		formatMinor(a.CreditLimitMinor, a.Currency), a.Currency, strconv.FormatBool(a.Active), a.ID.String()}
}

// ContactRecord is a contact as one contacts.csv row.
func ContactRecord(c Contact, acct AccountRef) []string {
	d := web.Defuse
	return []string{d(c.FirstName), d(c.LastName), d(c.Email), d(c.Phone), d(c.JobTitle), c.Role,
		strconv.FormatBool(c.Primary), strconv.FormatBool(c.Active), d(acct.Name), d(acct.TaxID), c.AccountID.String(),
		c.ID.String()}
}

// AccountRef is how a contact row names its account.
type AccountRef struct{ Name, TaxID string }

// ExportAccounts calls fn for every account matching f (ignoring its page),
// newest first, with the owner's email, inside one transaction so the file
// is one snapshot. More than web.MaxExportRows is a 422.
func (s *Service) ExportAccounts(ctx context.Context, f Filter, fn func(a Account, ownerEmail string) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		emails := map[uuid.UUID]string{}
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Account, error) {
			f.After, f.Limit = after, limit
			page, err := s.FindAccounts(ctx, f)
			if err != nil {
				return nil, err
			}
			var ids []uuid.UUID
			for _, a := range page {
				if a.OwnerUserID != nil {
					ids = append(ids, *a.OwnerUserID)
				}
			}
			return page, tenant.Names(ctx, tx, "users", "email", ids, emails)
		}, func(a Account) uuid.UUID { return a.ID }, func(a Account) error {
			owner := ""
			if a.OwnerUserID != nil {
				owner = emails[*a.OwnerUserID]
			}
			return fn(a, owner)
		})
	})
}

// ExportContacts calls fn for every contact matching f (ignoring its page),
// newest first, with its account's name and tax id, in one transaction.
func (s *Service) ExportContacts(ctx context.Context, f ContactFilter, fn func(c Contact, acct AccountRef) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		accounts := map[uuid.UUID]AccountRef{}
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Contact, error) {
			f.After, f.Limit = after, limit
			page, err := s.FindContacts(ctx, f)
			if err != nil {
				return nil, err
			}
			var missing []uuid.UUID
			for _, c := range page {
				if _, ok := accounts[c.AccountID]; !ok {
					accounts[c.AccountID] = AccountRef{}
					missing = append(missing, c.AccountID)
				}
			}
			if len(missing) == 0 {
				return page, nil
			}
			var rows []accountRow
			err = tx.NewSelect().Model(&rows).Column("a.id", "a.name", "a.tax_id").
				Where("a.id IN (?)", bun.In(missing)).Scan(ctx)
			for _, r := range rows {
				accounts[r.ID] = AccountRef{Name: r.Name, TaxID: r.TaxID}
			}
			return page, err
		}, func(c Contact) uuid.UUID { return c.ID }, func(c Contact) error { return fn(c, accounts[c.AccountID]) })
	})
}

// minorDigits are the ISO 4217 currencies whose minor unit is not the
// hundredth; every other currency has two decimals. (invoicing keeps the
// same table; modules do not import each other.)
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
	"UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

func digitsOf(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// formatMinor writes a non-negative amount of minor units as plain decimal
// text in its currency, with integer arithmetic only: 4000000 EUR →
// "40000.00", 1500 JPY → "1500". No grouping, so spreadsheets and the
// import read it back exactly.
func formatMinor(minor int64, currency string) string {
	digits := digitsOf(currency)
	s := strconv.FormatInt(minor, 10)
	if minor < 0 || digits == 0 {
		return s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return s[:len(s)-digits] + "." + s[len(s)-digits:]
}

// parseMinor reads decimal text ("40000", "40000.5", "40000.00") as minor
// units of currency without floats; ok is false for anything else (signs,
// thousands separators, more decimals than the currency has, or more than
// fifteen whole digits).
func parseMinor(s, currency string) (int64, bool) {
	digits := digitsOf(currency)
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 15 || len(frac) > digits || (dot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, false
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
