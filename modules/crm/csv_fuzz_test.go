package crm

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"nexo/internal/errs"
)

// clean reports whether a value that passed the row checks is safe to look
// up: UTF-8 without control bytes (bun inlines arguments on SQLite).
func clean(s *string) bool {
	return s == nil || (utf8.ValidString(*s) && strings.IndexFunc(*s, unicode.IsControl) < 0)
}

// FuzzAccountsCSV: any file is rows and issues (row ≥ 1, a column named)
// or the 422 of too many rows, never a panic; a row without issues holds
// only clean text.
func FuzzAccountsCSV(f *testing.F) {
	f.Add([]byte(strings.Join(AccountColumns, ",") + "\n=Acme,B-1,a@b.es,'+34,,,,,,ES,,,,,,,x@y.es,,30,40000.00,EUR,true,\n"))
	f.Add([]byte("name,credit_limit\n\"A\x00\",1.2.3\n"))
	f.Add([]byte("\ufeffNAME;tax_id\n\xff\xfe,\"\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, file []byte) {
		recs, issues, err := readCSV(strings.NewReader(string(file)), AccountColumns, "name", "id", "tax_id")
		if err != nil {
			if errs.CodeOf(err) != errs.FailedPrecondition {
				t.Fatalf("%q: %v", file, err)
			}
			return
		}
		for _, rec := range recs {
			row, bad := parseAccountRecord(rec)
			issues = append(issues, bad...)
			if len(bad) == 0 && !(clean(row.in.Name) && clean(row.in.TaxID) && clean(row.in.Email) && clean(&row.ownerEmail)) {
				t.Fatalf("%q: unclean row %+v", file, row.in)
			}
		}
		for _, is := range issues {
			if is.Row < 1 || is.Field == "" || is.Message == "" {
				t.Fatalf("%q: issue %+v", file, is)
			}
		}
	})
}

// FuzzContactsCSV: the same for contact files.
func FuzzContactsCSV(f *testing.F) {
	f.Add([]byte(strings.Join(ContactColumns, ",") + "\nAna,,ana@a.es,,,buyer,true,true,Acme,B-1,,\n"))
	f.Add([]byte("account_name,first_name,primary\n\"\x01\",X,maybe\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		recs, issues, err := readCSV(strings.NewReader(string(file)), ContactColumns, "account_id", "account_tax_id", "account_name", "id")
		if err != nil {
			if errs.CodeOf(err) != errs.FailedPrecondition {
				t.Fatalf("%q: %v", file, err)
			}
			return
		}
		for _, rec := range recs {
			row, bad := parseContactRecord(rec)
			issues = append(issues, bad...)
			if len(bad) == 0 && !(clean(row.in.Email) && clean(&row.accountName) && clean(&row.accountTaxID)) {
				t.Fatalf("%q: unclean row %+v", file, row)
			}
		}
		for _, is := range issues {
			if is.Row < 1 || is.Field == "" || is.Message == "" {
				t.Fatalf("%q: issue %+v", file, is)
			}
		}
	})
}

// FuzzMinorText: every credit limit in range survives formatMinor →
// parseMinor exactly, in currencies of 0, 2 and 3 decimals.
func FuzzMinorText(f *testing.F) {
	f.Add(int64(4_000_000), uint8(0))
	f.Add(int64(MaxCreditLimitMinor), uint8(2))
	f.Fuzz(func(t *testing.T, minor int64, cur uint8) {
		if minor < 0 || minor > MaxCreditLimitMinor {
			return
		}
		currency := []string{"EUR", "JPY", "KWD"}[int(cur)%3]
		text := formatMinor(minor, currency)
		if got, ok := parseMinor(text, currency); !ok || got != minor {
			t.Fatalf("%d %s → %q → %d %v", minor, currency, text, got, ok)
		}
	})
}
