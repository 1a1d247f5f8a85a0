package crm

import (
	"context"
	"strings"
	"unicode"

	"github.com/uptrace/bun"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"nexo/internal/errs"
)

// legalSuffixes are company-form words dropped from the end of a name before
// comparing ("Acme S.L." and "ACME" are the same company). They are matched
// after punctuation is gone, so "S.L." is "sl" and "S. A. U." is "sau".
var legalSuffixes = map[string]bool{
	"sl": true, "sa": true, "slu": true, "sau": true, "sll": true, "scoop": true, "sc": true, "cb": true,
	"gmbh": true, "ag": true, "kg": true, "ug": true, "ltd": true, "limited": true, "plc": true, "llc": true,
	"inc": true, "corp": true, "co": true, "company": true, "srl": true, "spa": true, "sarl": true, "sas": true,
	"bv": true, "nv": true, "ab": true, "oy": true, "as": true, "aps": true, "lda": true, "ltda": true,
}

// nameKey normalizes a company name for duplicate detection: accents
// stripped, lower case, dots, apostrophes and ampersands dropped, other
// punctuation a space, runs of single letters joined ("S. A." → "sa"), and
// trailing legal-form words removed. A name made only of such words keeps
// them, so the key of a valid name is never empty.
func nameKey(name string) string {
	var b strings.Builder
	for _, r := range fold(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '.' || r == '\'' || r == '’' || r == '&':
		default:
			b.WriteByte(' ')
		}
	}
	var words []string
	joined := false // the last word is a run of single letters
	for _, w := range strings.Fields(b.String()) {
		single := len([]rune(w)) == 1
		if n := len(words); n > 0 && single && (joined || len([]rune(words[n-1])) == 1) {
			words[n-1] += w
			joined = true
			continue
		}
		words, joined = append(words, w), false
	}
	all := strings.Join(words, " ")
	for len(words) > 1 && legalSuffixes[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return all
	}
	return strings.Join(words, " ")
}

// taxKey normalizes a tax id: upper case, letters and digits only
// ("b-12.345.678" and "B12345678" are the same id).
func taxKey(tax string) string {
	var b strings.Builder
	for _, r := range fold(tax) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// fold lowercases s and removes its diacritics ("Válvulas Núñez" →
// "valvulas nunez").
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// Duplicate is an existing account a new one looks like, and why: "tax_id",
// "name" and/or "email".
type Duplicate struct {
	Account Account
	Reasons []string
}

// DuplicateError refuses an account that looks like existing ones until
// the caller confirms; it is a conflict (409) for errs.
type DuplicateError struct{ Candidates []Duplicate }

func (e *DuplicateError) Error() string { return e.Unwrap().Error() }

// Unwrap makes the error a coded conflict for errs.CodeOf and the handler.
func (e *DuplicateError) Unwrap() error {
	return errs.E(errs.Conflict, "this account looks like %d existing one(s); send confirm_duplicate: true to save it anyway",
		len(e.Candidates))
}

// maxDuplicates bounds the candidates listed.
const maxDuplicates = 10

// findDuplicates returns the bound tenant's accounts other than a itself
// with a's normalized tax id, name or email.
func findDuplicates(ctx context.Context, tx bun.IDB, a *Account) ([]Duplicate, error) {
	return findDuplicatesBy(ctx, tx, a, allReasons)
}

// allReasons are the ways an account can look like another.
var allReasons = map[string]bool{"name": true, "tax_id": true, "email": true}

// findChangedDuplicates returns the accounts that after, an edit of before,
// newly looks like: only the keys the edit changes count, so an account
// already confirmed as a look-alike is not refused again for an edit of
// its phone, and the account is never its own duplicate.
func findChangedDuplicates(ctx context.Context, tx bun.IDB, before, after *Account) ([]Duplicate, error) {
	by := changedKeys(before, after)
	if len(by) == 0 {
		return nil, nil
	}
	return findDuplicatesBy(ctx, tx, after, by)
}

// changedKeys names the duplicate keys (see Duplicate.Reasons) that differ
// between before and after and are not empty in after.
func changedKeys(before, after *Account) map[string]bool {
	by := map[string]bool{}
	if nameKey(after.Name) != nameKey(before.Name) {
		by["name"] = true
	}
	if tk := taxKey(after.TaxID); tk != "" && tk != taxKey(before.TaxID) {
		by["tax_id"] = true
	}
	if e := strings.ToLower(after.Email); e != "" && e != strings.ToLower(before.Email) {
		by["email"] = true
	}
	return by
}

// findDuplicatesBy looks for accounts sharing the keys of a named in by.
func findDuplicatesBy(ctx context.Context, tx bun.IDB, a *Account, by map[string]bool) ([]Duplicate, error) {
	if err := fillKeys(ctx, tx); err != nil {
		return nil, err
	}
	nk, tk, email := nameKey(a.Name), taxKey(a.TaxID), strings.ToLower(a.Email)
	if !by["tax_id"] {
		tk = ""
	}
	if !by["email"] {
		email = ""
	}
	if !by["name"] {
		nk = ""
	}
	var rows []accountRow
	q := tx.NewSelect().Model(&rows).Where("a.id <> ?", a.ID).OrderExpr("a.id DESC").Limit(maxDuplicates).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			// A valid name's key is never empty, so nk = '' matches nothing.
			q.Where("a.name_key = ? AND a.name_key <> ''", nk)
			if tk != "" {
				q.WhereOr("a.tax_key = ?", tk)
			}
			if email != "" {
				q.WhereOr("a.email <> '' AND LOWER(a.email) = ?", email)
			}
			return q
		})
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]Duplicate, len(rows))
	for i := range rows {
		r := &rows[i]
		d := Duplicate{Account: r.account()}
		if tk != "" && r.TaxKey == tk {
			d.Reasons = append(d.Reasons, "tax_id")
		}
		if nk != "" && r.NameKey == nk {
			d.Reasons = append(d.Reasons, "name")
		}
		if email != "" && strings.ToLower(r.Email) == email {
			d.Reasons = append(d.Reasons, "email")
		}
		out[i] = d
	}
	return out, nil
}

// fillKeys computes the keys of accounts written before they existed
// (name_key = ”), so the duplicate check sees every account. It finds
// nothing to do after a tenant's first account create.
func fillKeys(ctx context.Context, tx bun.IDB) error {
	var rows []accountRow
	if err := tx.NewSelect().Model(&rows).Column("a.id", "a.name", "a.tax_id").Where("a.name_key = ''").Scan(ctx); err != nil {
		return err
	}
	for _, r := range rows {
		_, err := tx.NewUpdate().Model((*accountRow)(nil)).Set("name_key = ?", nameKey(r.Name)).
			Set("tax_key = ?", taxKey(r.TaxID)).Where("a.id = ?", r.ID).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}
