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

// contactImportRow is one row of a contacts import on its way in.
type contactImportRow struct {
	rec          record
	id           *uuid.UUID
	accountID    *uuid.UUID
	accountName  string
	accountTaxID string
	in           ContactInput // checked, without the account
	target       *Contact     // the existing contact the row updates; nil creates
	out          Contact
	primary      bool // the row itself says primary = true
	ok           bool
}

// ImportContacts creates and updates contacts from CSV with the columns of
// contacts.csv (any subset holding id or a column naming the account). The
// account is the tenant's account account_id names, or else the one with
// account_tax_id, or else the one named account_name (compared as the
// duplicate check compares names). A row updates the contact its id names
// (which must be of that account: contacts do not move), or else the
// account's one contact with its email; otherwise it creates one. Empty
// cells keep the value. Like ImportAccounts: a dry run only reports; a real
// run applies everything in one transaction or nothing.
func (s *Service) ImportContacts(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	recs, issues, err := readCSV(r, ContactColumns, "account_id", "account_tax_id", "account_name", "id")
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(recs) + issueRows(issues)}
	var rows []*contactImportRow
	for _, rec := range recs {
		row, bad := parseContactRecord(rec)
		if issues = append(issues, bad...); len(bad) == 0 {
			rows = append(rows, row)
		}
	}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		im := &contactImport{seen: map[uuid.UUID]int{}, primary: map[uuid.UUID]*contactImportRow{}}
		if err := im.resolve(ctx, tx, rows); err != nil {
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
		return applyContacts(ctx, tx, rows)
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

func parseContactRecord(rec record) (*contactImportRow, []ImportIssue) {
	row := &contactImportRow{rec: rec}
	var bad []ImportIssue
	in := &row.in
	in.FirstName, in.LastName, in.Email = rec.text("first_name"), rec.text("last_name"), rec.text("email")
	in.Phone, in.JobTitle, in.Role = rec.text("phone"), rec.text("job_title"), rec.text("role")
	if in.Role != nil {
		*in.Role = strings.ToLower(*in.Role)
	}
	rec.boolean("primary", &in.Primary, &bad)
	rec.boolean("active", &in.Active, &bad)
	row.primary = in.Primary != nil && *in.Primary
	row.id = rec.id("id", &bad)
	row.accountID = rec.id("account_id", &bad)
	f := errs.Fields{}
	name, tax := rec.text("account_name"), rec.text("account_tax_id")
	checkText(f, "account_name", name, false, 0, 200)
	checkText(f, "account_tax_id", tax, false, 0, 50)
	row.accountName, row.accountTaxID = deref(name), deref(tax)
	bad = append(bad, fieldIssues(rec.n, f.Err(), nil)...)
	return row, append(bad, fieldIssues(rec.n, in.check(false), nil)...)
}

// contactImport checks the rows of one import against the tenant's
// accounts and contacts, in the import's transaction.
type contactImport struct {
	accounts accountIndex
	contacts contactIndex
	seen     map[uuid.UUID]int               // contact id → the row updating it
	primary  map[uuid.UUID]*contactImportRow // account id → the row making its primary contact
	issues   []ImportIssue
}

func (im *contactImport) add(row *contactImportRow, field, msg string) {
	im.issues = append(im.issues, ImportIssue{Row: row.rec.n, Field: field, Message: msg})
}

func (im *contactImport) resolve(ctx context.Context, tx bun.IDB, rows []*contactImportRow) error {
	if err := fillKeys(ctx, tx); err != nil {
		return err
	}
	var keys indexKeys
	var ids []uuid.UUID
	var emails []string
	for _, row := range rows {
		if row.accountID != nil {
			keys.ids = append(keys.ids, *row.accountID)
		}
		keys.add(row.accountName, row.accountTaxID, "")
		if row.id != nil {
			ids = append(ids, *row.id)
		}
		if e := deref(row.in.Email); e != "" {
			emails = append(emails, e)
		}
	}
	var err error
	if im.contacts, err = loadContactIndex(ctx, tx, ids, emails); err != nil {
		return err
	}
	for _, c := range im.contacts.byID {
		keys.ids = append(keys.ids, c.AccountID) // the account of a row given by contact id only
	}
	if im.accounts, err = loadAccountIndex(ctx, tx, keys); err != nil {
		return err
	}
	for _, row := range rows {
		n := len(im.issues)
		if im.match(row); len(im.issues) == n {
			im.build(row)
		}
		row.ok = len(im.issues) == n
	}
	// A row that keeps an old primary flag loses it to the row making
	// another contact of the account primary (one primary per account).
	for _, row := range rows {
		if p := im.primary[row.out.AccountID]; row.ok && p != nil && p != row {
			row.out.Primary = false
		}
	}
	return nil
}

// match finds the row's account and the contact it updates, if any.
func (im *contactImport) match(row *contactImportRow) {
	acct := im.account(row)
	if row.id != nil {
		c := im.contacts.byID[*row.id]
		switch {
		case c == nil:
			im.add(row, "id", "no such contact")
		case acct != nil && acct.ID != c.AccountID:
			im.add(row, "account_id", "the contact belongs to another account; contacts do not move between accounts")
		default:
			row.target = c
		}
	} else if acct != nil && row.in.Email != nil {
		switch ids := im.contacts.byEmail[emailKey{acct.ID, *row.in.Email}]; len(ids) {
		case 0:
		case 1:
			row.target = im.contacts.byID[ids[0]]
		default:
			im.add(row, "email", fmt.Sprintf("%d contacts of the account have this email; add the id column to say which one to update", len(ids)))
		}
	} else if acct == nil && !im.hasIssue(row) {
		im.add(row, "account_id", "is required (or account_tax_id, or account_name)")
	}
	if row.target == nil {
		if acct != nil {
			row.out.AccountID = acct.ID
		}
		return
	}
	row.out.AccountID = row.target.AccountID
	if prev, ok := im.seen[row.target.ID]; ok {
		im.add(row, "id", fmt.Sprintf("updates the same contact as row %d", prev))
	}
	im.seen[row.target.ID] = row.rec.n
}

func (im *contactImport) hasIssue(row *contactImportRow) bool {
	return len(im.issues) > 0 && im.issues[len(im.issues)-1].Row == row.rec.n
}

// account finds the account a row names by id, tax id or name, in that
// order; nil with an issue when the named one is not there, nil without
// one when the row names none.
func (im *contactImport) account(row *contactImportRow) *Account {
	var col string
	var ids []uuid.UUID
	switch {
	case row.accountID != nil:
		if a := im.accounts.byID[*row.accountID]; a != nil {
			return a
		}
		im.add(row, "account_id", "no such account")
		return nil
	case taxKey(row.accountTaxID) != "":
		col, ids = "account_tax_id", im.accounts.byTax[taxKey(row.accountTaxID)]
	case nameKey(row.accountName) != "":
		col, ids = "account_name", im.accounts.byName[nameKey(row.accountName)]
	default:
		return nil
	}
	switch len(ids) {
	case 0:
		im.add(row, col, "no such account")
	case 1:
		return im.accounts.byID[ids[0]]
	default:
		im.add(row, col, fmt.Sprintf("%d accounts match; add the account_id column to say which one", len(ids)))
	}
	return nil
}

// build computes the contact as the row leaves it.
func (im *contactImport) build(row *contactImportRow) {
	c := Contact{ID: newID(), AccountID: row.out.AccountID, Role: "other", Active: true, CreatedAt: now()}
	if row.target != nil {
		c = *row.target
	}
	row.in.apply(&c)
	c.UpdatedAt = now()
	if err := c.named(); err != nil {
		im.issues = append(im.issues, fieldIssues(row.rec.n, err, nil)...)
	}
	if row.primary {
		if prev := im.primary[c.AccountID]; prev != nil {
			im.add(row, "primary", fmt.Sprintf("row %d already makes another contact of this account primary", prev.rec.n))
		} else {
			im.primary[c.AccountID] = row
		}
	}
	row.out = c
}

// contactIndex holds the tenant's contacts an import's rows can reach.
type contactIndex struct {
	byID    map[uuid.UUID]*Contact
	byEmail map[emailKey][]uuid.UUID
}

type emailKey struct {
	account uuid.UUID
	email   string
}

// loadContactIndex reads, and on PostgreSQL locks until commit, the
// contacts with the given ids or (checked, lowercased) emails.
func loadContactIndex(ctx context.Context, tx bun.IDB, ids []uuid.UUID, emails []string) (contactIndex, error) {
	x := contactIndex{byID: map[uuid.UUID]*Contact{}, byEmail: map[emailKey][]uuid.UUID{}}
	load := func(where string, in any) error {
		var found []contactRow
		if err := tx.NewSelect().Model(&found).Where(where, in).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		for i := range found {
			if _, ok := x.byID[found[i].ID]; ok {
				continue
			}
			c := found[i].contact()
			x.byID[c.ID] = &c
			if c.Email != "" {
				k := emailKey{c.AccountID, c.Email}
				x.byEmail[k] = append(x.byEmail[k], c.ID)
			}
		}
		return nil
	}
	err := chunks(ids, func(c []uuid.UUID) error { return load("ct.id IN (?)", bun.In(c)) })
	if err == nil {
		err = chunks(emails, func(c []string) error { return load("ct.email IN (?)", bun.In(c)) })
	}
	return x, err
}

// applyContacts writes the checked rows with their audit rows.
func applyContacts(ctx context.Context, tx bun.IDB, rows []*contactImportRow) error {
	for _, row := range rows {
		if err := applyContact(ctx, tx, row); err != nil {
			// Something changed since the check: name the row; the
			// transaction rolls back.
			if err = db.Translate(err); errs.CodeOf(err) == errs.Internal {
				return err
			}
			return issuesError(fieldIssues(row.rec.n, err, nil))
		}
	}
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "contacts.imported", Resource: "imports", ResourceID: "contacts",
		After: map[string]int{"rows": len(rows)}})
}

func applyContact(ctx context.Context, tx bun.IDB, row *contactImportRow) error {
	c := &row.out
	if c.Primary {
		if err := clearPrimary(ctx, tx, c.AccountID, c.ID); err != nil {
			return err
		}
	}
	if row.target == nil {
		if _, err := tx.NewInsert().Model(contactRowOf(c)).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "contact.created", Resource: "contacts",
			ResourceID: c.ID.String(), After: *c})
	}
	if _, err := tx.NewUpdate().Model(contactRowOf(c)).Column(contactColumns...).Where("ct.id = ?", c.ID).Exec(ctx); err != nil {
		return err
	}
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "contact.updated", Resource: "contacts",
		ResourceID: c.ID.String(), Before: *row.target, After: *c})
}
