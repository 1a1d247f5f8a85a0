package crm

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// This file holds the lookups of the imports: the tenant's accounts a
// file's rows can reach, read once per import instead of once per row.

// accountIndex holds the tenant's accounts an import's rows can reach: by
// the rows' ids, and by the rows' names, tax ids and emails (normalized).
type accountIndex struct {
	byID                   map[uuid.UUID]*Account
	byName, byTax, byEmail map[string][]uuid.UUID
}

func (x *accountIndex) by(reason string) map[string][]uuid.UUID {
	switch reason {
	case "tax_id":
		return x.byTax
	case "name":
		return x.byName
	}
	return x.byEmail
}

// accountIndexFor collects what the rows can reach an account by.
func accountIndexFor(ctx context.Context, tx bun.IDB, rows []*accountImportRow) (accountIndex, error) {
	var keys indexKeys
	for _, row := range rows {
		if row.id != nil {
			keys.ids = append(keys.ids, *row.id)
		}
		keys.add(deref(row.in.Name), deref(row.in.TaxID), deref(row.in.Email))
	}
	return loadAccountIndex(ctx, tx, keys)
}

// indexKeys are the ids and normalized names, tax ids and emails an import
// looks accounts up by.
type indexKeys struct {
	ids                  []uuid.UUID
	names, taxes, emails []string
}

func (k *indexKeys) add(name, tax, email string) {
	if n := nameKey(name); n != "" {
		k.names = append(k.names, n)
	}
	if t := taxKey(tax); t != "" {
		k.taxes = append(k.taxes, t)
	}
	if e := strings.ToLower(email); e != "" {
		k.emails = append(k.emails, e)
	}
}

// loadAccountIndex reads, and on PostgreSQL locks until commit, the
// accounts with the given keys. Callers pass checked values only, so no
// control byte reaches the SQL text (bun inlines arguments on SQLite).
func loadAccountIndex(ctx context.Context, tx bun.IDB, keys indexKeys) (accountIndex, error) {
	x := accountIndex{byID: map[uuid.UUID]*Account{}, byName: map[string][]uuid.UUID{}, byTax: map[string][]uuid.UUID{},
		byEmail: map[string][]uuid.UUID{}}
	load := func(where string, in any) error {
		var found []accountRow
		if err := tx.NewSelect().Model(&found).Where(where, in).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		x.add(found)
		return nil
	}
	err := chunks(keys.ids, func(c []uuid.UUID) error { return load("a.id IN (?)", bun.In(c)) })
	if err == nil {
		err = chunks(keys.names, func(c []string) error { return load("a.name_key IN (?)", bun.In(c)) })
	}
	if err == nil {
		err = chunks(keys.taxes, func(c []string) error { return load("a.tax_key IN (?)", bun.In(c)) })
	}
	if err == nil {
		err = chunks(keys.emails, func(c []string) error { return load("LOWER(a.email) IN (?)", bun.In(c)) })
	}
	return x, err
}

// chunks calls fn with v in slices of at most 500 (bounded IN lists).
func chunks[T any](v []T, fn func([]T) error) error {
	for start := 0; start < len(v); start += 500 {
		if err := fn(v[start:min(start+500, len(v))]); err != nil {
			return err
		}
	}
	return nil
}

func (x *accountIndex) add(rows []accountRow) {
	for i := range rows {
		r := &rows[i]
		if _, ok := x.byID[r.ID]; ok {
			continue
		}
		a := r.account()
		x.byID[r.ID] = &a
		x.byName[r.NameKey] = append(x.byName[r.NameKey], r.ID)
		if r.TaxKey != "" {
			x.byTax[r.TaxKey] = append(x.byTax[r.TaxKey], r.ID)
		}
		if r.Email != "" {
			e := strings.ToLower(r.Email)
			x.byEmail[e] = append(x.byEmail[e], r.ID)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// userRow is the part of tenant's users table an owner email is looked up
// in.
type userRow struct {
	bun.BaseModel `bun:"table:users,alias:u"`
	tenant.Scoped
	ID    uuid.UUID `bun:"id,pk,type:uuid"`
	Email string    `bun:"email"`
}

// user finds a user of the bound tenant by id or email, once per import.
func (im *accountImport) user(ctx context.Context, by, v string) (*uuid.UUID, error) {
	key := by + ":" + v
	if id, seen := im.users[key]; seen {
		return id, nil
	}
	var found []userRow
	q := im.tx.NewSelect().Model(&found).Column("u.id").Limit(1)
	if by == "id" {
		q.Where("u.id = ?", uuid.MustParse(v))
	} else {
		q.Where("LOWER(u.email) = ?", v)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	var id *uuid.UUID
	if len(found) > 0 {
		id = &found[0].ID
	}
	im.users[key] = id
	return id, nil
}
