package crm

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// accountRename maps AccountInput's field names to accounts.csv's columns.
var accountRename = map[string]string{"credit_limit_minor": "credit_limit", "owner_user_id": "owner_user_id"}

func init() {
	for _, p := range addressParts {
		accountRename["billing_address."+p] = "billing_" + p
		accountRename["shipping_address."+p] = "shipping_" + p
	}
}

var addressParts = []string{"line1", "line2", "city", "postal_code", "region", "country"}

// accountImportRow is one row of an accounts import on its way in.
type accountImportRow struct {
	rec        record
	id         *uuid.UUID
	in         AccountInput // checked; its addresses hold only the row's parts
	owner      *uuid.UUID
	ownerEmail string
	target     *Account // the existing account the row updates; nil creates
	out        Account  // the account as the row leaves it
	ok         bool
}

// ImportAccounts creates and updates accounts from CSV with the columns of
// accounts.csv (any subset holding name, id or tax_id, in any order). A row
// updates the account its id names, or else the one account with its tax
// id; otherwise it creates one. Empty cells keep the value (or take the
// default). A row that would create an account, or change one so, that
// looks like another account (same tax id, name or email once normalized,
// see dedupe.go) or like an earlier row is an issue unless
// opt.ConfirmDuplicates. Every row is checked first; a dry run only
// reports. A real run applies every row in one transaction or, with any
// issue, nothing, returning the report and an invalid error naming
// rows[n].column.
func (s *Service) ImportAccounts(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	recs, issues, err := readCSV(r, AccountColumns, "name", "id", "tax_id")
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(recs) + issueRows(issues)}
	var rows []*accountImportRow
	for _, rec := range recs {
		row, bad := parseAccountRecord(rec)
		if issues = append(issues, bad...); len(bad) == 0 {
			rows = append(rows, row)
		}
	}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		im := &accountImport{s: s, tx: tx, opt: opt, seen: map[uuid.UUID]int{}, keys: map[string]int{}, users: map[string]*uuid.UUID{}}
		if err := im.resolve(ctx, rows); err != nil {
			return err
		}
		rep.Issues = sortIssues(append(issues, im.issues...))
		for _, row := range rows {
			switch {
			case !row.ok:
			case row.target == nil:
				rep.Created++
			default:
				rep.Updated++
			}
		}
		if opt.DryRun || len(rep.Issues) > 0 {
			return nil
		}
		rep.Applied = true
		return applyAccounts(ctx, tx, rows)
	})
	if err != nil {
		rep.Applied = false
		return rep, err
	}
	if !opt.DryRun && len(rep.Issues) > 0 {
		return rep, issuesError(rep.Issues)
	}
	return rep, nil
}

// parseAccountRecord reads one row's cells and checks them as an account
// edit would; the credit limit waits for the row's currency.
func parseAccountRecord(rec record) (*accountImportRow, []ImportIssue) {
	row := &accountImportRow{rec: rec}
	var bad []ImportIssue
	in := &row.in
	in.Name, in.TaxID, in.Email, in.Phone = rec.text("name"), rec.text("tax_id"), rec.text("email"), rec.text("phone")
	if in.Currency = rec.text("currency"); in.Currency != nil {
		*in.Currency = strings.ToUpper(*in.Currency)
	}
	in.Billing, in.Shipping = rec.address("billing_"), rec.address("shipping_")
	row.id = rec.id("id", &bad)
	row.owner = rec.id("owner_user_id", &bad)
	if e := rec.text("owner_email"); e != nil {
		f := errs.Fields{}
		if checkText(f, "owner_email", e, false, 0, 254); len(f) > 0 || !emailRE.MatchString(*e) {
			bad = append(bad, ImportIssue{Row: rec.n, Field: "owner_email", Message: "must be an email address"})
		}
		row.ownerEmail = strings.ToLower(*e)
	}
	rec.integer("payment_terms_days", &in.PaymentTermsDays, &bad)
	rec.boolean("active", &in.Active, &bad)
	return row, append(bad, fieldIssues(rec.n, in.check(false), accountRename)...)
}

// address returns the row's parts of an address (prefix "billing_" or
// "shipping_"), nil when it has none.
func (r record) address(prefix string) *Address {
	var a Address
	has := false
	for _, p := range addressParts {
		if v, ok := r.cells[prefix+p]; ok {
			*addressPart(&a, p) = v
			has = true
		}
	}
	if !has {
		return nil
	}
	return &a
}

func addressPart(a *Address, part string) *string {
	switch part {
	case "line1":
		return &a.Line1
	case "line2":
		return &a.Line2
	case "city":
		return &a.City
	case "postal_code":
		return &a.PostalCode
	case "region":
		return &a.Region
	}
	return &a.Country
}

// mergeAddress sets the parts of base the row has cells for.
func (r record) mergeAddress(base Address, prefix string, parts *Address) Address {
	if parts == nil {
		return base
	}
	for _, p := range addressParts {
		if _, ok := r.cells[prefix+p]; ok {
			*addressPart(&base, p) = *addressPart(parts, p)
		}
	}
	return base
}

// accountImport checks the rows of one import against the tenant's
// accounts, in the import's transaction.
type accountImport struct {
	s      *Service
	tx     bun.IDB
	opt    ImportOptions
	idx    accountIndex
	seen   map[uuid.UUID]int     // account id → the row updating it
	keys   map[string]int        // "reason:key" → the first row with it
	users  map[string]*uuid.UUID // "id:…" or "email:…" → the user (nil: none)
	base   string                // the tenant's base currency, read when needed
	issues []ImportIssue
}

func (im *accountImport) add(row *accountImportRow, field, msg string) {
	im.issues = append(im.issues, ImportIssue{Row: row.rec.n, Field: field, Message: msg})
}

func (im *accountImport) resolve(ctx context.Context, rows []*accountImportRow) error {
	if err := fillKeys(ctx, im.tx); err != nil {
		return err
	}
	var err error
	if im.idx, err = accountIndexFor(ctx, im.tx, rows); err != nil {
		return err
	}
	for _, row := range rows {
		n := len(im.issues)
		row.target = im.match(row)
		if len(im.issues) > n {
			continue
		}
		if err := im.build(ctx, row); err != nil {
			return err
		}
		if err := im.setOwner(ctx, row); err != nil {
			return err
		}
		if len(im.issues) == n {
			im.duplicates(row)
		}
		row.ok = len(im.issues) == n
	}
	return nil
}

// match finds the account a row updates: by id (which must be the
// tenant's), or else by tax id when exactly one account has it.
func (im *accountImport) match(row *accountImportRow) *Account {
	var target *Account
	col := "id"
	switch {
	case row.id != nil:
		if target = im.idx.byID[*row.id]; target == nil {
			im.add(row, "id", "no such account")
			return nil
		}
	case row.in.TaxID != nil && taxKey(*row.in.TaxID) != "":
		col = "tax_id"
		switch ids := im.idx.byTax[taxKey(*row.in.TaxID)]; len(ids) {
		case 0:
			return nil
		case 1:
			target = im.idx.byID[ids[0]]
		default:
			im.add(row, "tax_id", fmt.Sprintf("%d accounts have this tax id; add the id column to say which one to update", len(ids)))
			return nil
		}
	default:
		return nil
	}
	if prev, ok := im.seen[target.ID]; ok {
		im.add(row, col, fmt.Sprintf("updates the same account as row %d", prev))
		return nil
	}
	im.seen[target.ID] = row.rec.n
	return target
}

// build computes the account as the row leaves it: the matched account or
// a new one with the defaults, with the row's cells on top.
func (im *accountImport) build(ctx context.Context, row *accountImportRow) error {
	var a Account
	if row.target != nil {
		a = *row.target
	} else {
		if row.in.Name == nil {
			im.add(row, "name", "is required for a new account")
		}
		t := now()
		a = Account{ID: newID(), PaymentTermsDays: DefaultPaymentTerms, Active: true, CreatedAt: t}
	}
	in := row.in
	in.Billing, in.Shipping = nil, nil
	in.apply(&a)
	a.Billing = row.rec.mergeAddress(a.Billing, "billing_", row.in.Billing)
	a.Shipping = row.rec.mergeAddress(a.Shipping, "shipping_", row.in.Shipping)
	a.UpdatedAt = now()
	if a.Currency == "" {
		if im.base == "" {
			st, err := im.s.settings.GetSettings(ctx)
			if err != nil {
				return err
			}
			im.base = st.BaseCurrency
		}
		a.Currency = im.base
	}
	if v, ok := row.rec.cells["credit_limit"]; ok {
		m, ok := parseMinor(v, a.Currency)
		if !ok || m > MaxCreditLimitMinor {
			im.add(row, "credit_limit", fmt.Sprintf("must be an amount in %s such as %s, from 0 to %s", a.Currency,
				formatMinor(4_000_000, a.Currency), formatMinor(MaxCreditLimitMinor, a.Currency)))
		}
		a.CreditLimitMinor = m
	}
	row.out = a
	return nil
}

// setOwner sets the sales rep from owner_user_id or owner_email; with both,
// they must name the same user of the tenant.
func (im *accountImport) setOwner(ctx context.Context, row *accountImportRow) error {
	var byEmail *uuid.UUID
	if row.ownerEmail != "" {
		var err error
		if byEmail, err = im.user(ctx, "email", row.ownerEmail); err != nil {
			return err
		}
	}
	switch {
	case row.owner != nil:
		id, err := im.user(ctx, "id", row.owner.String())
		if err != nil {
			return err
		}
		if id == nil {
			im.add(row, "owner_user_id", "no such user")
		} else if row.ownerEmail != "" && (byEmail == nil || *byEmail != *id) {
			im.add(row, "owner_email", "is not the email of the user owner_user_id names")
		}
		row.out.OwnerUserID = id
	case row.ownerEmail != "":
		if byEmail == nil {
			im.add(row, "owner_email", "no such user")
		}
		row.out.OwnerUserID = byEmail
	}
	return nil
}

// duplicates reports a row that creates an account, or changes one's name,
// tax id or email, so that it looks like another account or an earlier
// row, unless the import confirms duplicates. Every row's keys are
// remembered for the rows after it.
func (im *accountImport) duplicates(row *accountImportRow) {
	a := &row.out
	by := allReasons
	if row.target != nil {
		by = changedKeys(row.target, a)
	}
	for _, reason := range []string{"tax_id", "name", "email"} {
		k := accountKey(a, reason)
		if k == "" {
			continue
		}
		if by[reason] && !im.opt.ConfirmDuplicates {
			if msg := im.lookalike(a.ID, reason, k); msg != "" {
				im.issues = append(im.issues, ImportIssue{Row: row.rec.n, Field: reason, Duplicate: true,
					Message: msg + "; confirm duplicates to import it anyway"})
			}
		}
		if _, ok := im.keys[reason+":"+k]; !ok {
			im.keys[reason+":"+k] = row.rec.n
		}
	}
}

// lookalike describes the first other account or earlier row with key k
// for reason, or returns "".
func (im *accountImport) lookalike(self uuid.UUID, reason, k string) string {
	for _, id := range im.idx.by(reason)[k] {
		if id != self {
			o := im.idx.byID[id]
			return fmt.Sprintf("looks like the account %q (%s) by its %s", o.Name, o.ID, strings.ReplaceAll(reason, "_", " "))
		}
	}
	if prev, ok := im.keys[reason+":"+k]; ok {
		return fmt.Sprintf("looks like row %d by its %s", prev, strings.ReplaceAll(reason, "_", " "))
	}
	return ""
}

func accountKey(a *Account, reason string) string {
	switch reason {
	case "tax_id":
		return taxKey(a.TaxID)
	case "name":
		return nameKey(a.Name)
	}
	return strings.ToLower(a.Email)
}

// applyAccounts writes the checked rows with their audit rows.
func applyAccounts(ctx context.Context, tx bun.IDB, rows []*accountImportRow) error {
	for _, row := range rows {
		a := &row.out
		var err error
		if row.target == nil {
			if _, err = tx.NewInsert().Model(rowOf(a)).Exec(ctx); err == nil {
				err = tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "account.created", Resource: "accounts",
					ResourceID: a.ID.String(), After: *a})
			}
		} else {
			if _, err = tx.NewUpdate().Model(rowOf(a)).Column(accountColumns...).Where("a.id = ?", a.ID).Exec(ctx); err == nil {
				err = tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "account.updated", Resource: "accounts",
					ResourceID: a.ID.String(), Before: *row.target, After: *a})
			}
		}
		if err != nil {
			// Something changed since the check: name the row; the
			// transaction rolls back.
			if err = db.Translate(err); errs.CodeOf(err) == errs.Internal {
				return err
			}
			return issuesError(fieldIssues(row.rec.n, err, accountRename))
		}
	}
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "accounts.imported", Resource: "imports", ResourceID: "accounts",
		After: map[string]int{"rows": len(rows)}})
}
