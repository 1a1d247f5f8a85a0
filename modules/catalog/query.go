package catalog

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// sortColumns are the sortable keys; created_at sorts by id (UUIDv7 ids are
// time-ordered), so every order ends in the unique id and pages are stable.
var sortColumns = map[string]string{"sku": "p.sku", "name": "p.name", "created_at": ""}

func (f *Filter) check() (col string, desc bool, err error) {
	fe := errs.Fields{}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Type != "" && !f.Type.Valid() {
		fe.Add("type", "must be stocked, service, manufactured or purchased")
	}
	if msg := checkQuery(f.Q); msg != "" {
		fe.Add("q", msg)
	}
	sort := f.Sort
	if sort == "" {
		sort = "-created_at"
	}
	desc = strings.HasPrefix(sort, "-")
	col, ok := sortColumns[strings.TrimPrefix(sort, "-")]
	if !ok {
		fe.Add("sort", "must be sku, name or created_at, optionally prefixed with -")
	}
	return col, desc, fe.Err()
}

// FindProducts lists products matching f, one page of f.Limit.
func (s *Service) FindProducts(ctx context.Context, f Filter) ([]Product, error) {
	col, desc, err := f.check()
	if err != nil {
		return nil, err
	}
	var out []Product
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		out, err = findPage(ctx, tx, f, col, desc)
		return err
	})
	return out, err
}

// EachProduct calls fn for every product matching f (ignoring f.Limit and
// f.After) in f's order, reading pages inside one transaction.
func (s *Service) EachProduct(ctx context.Context, f Filter, fn func(Product) error) error {
	col, desc, err := f.check()
	if err != nil {
		return err
	}
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Product, error) {
			f.After, f.Limit = after, limit
			return findPage(ctx, tx, f, col, desc)
		}, func(p Product) uuid.UUID { return p.ID }, fn)
	})
}

func findPage(ctx context.Context, tx bun.IDB, f Filter, col string, desc bool) ([]Product, error) {
	var rows []productRow
	q := tx.NewSelect().Model(&rows).Limit(int64(f.Limit))
	if f.Q != "" {
		pat := likePattern(f.Q)
		q.Where(`(LOWER(p.sku) LIKE ? ESCAPE '\' OR LOWER(p.name) LIKE ? ESCAPE '\')`, pat, pat)
	}
	if f.Type != "" {
		q.Where("p.type = ?", string(f.Type))
	}
	if f.Active != nil {
		q.Where("p.active = ?", *f.Active)
	}
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if f.After != nil {
		if err := afterCursor(ctx, tx, q, f, col, cmp); err != nil {
			return nil, err
		}
	}
	if col != "" {
		q.OrderExpr("? "+dir, bun.Safe(col))
	}
	q.OrderExpr("p.id " + dir)
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]Product, len(rows))
	for i := range rows {
		out[i] = rows[i].product()
	}
	return out, nil
}

// afterCursor continues after the cursor's product: the cursor is only an
// id, and its sort value is read back (scoped to the tenant), so cursors stay
// short whatever the sort key holds.
func afterCursor(ctx context.Context, tx bun.IDB, q *bun.SelectQuery, f Filter, col, cmp string) error {
	if col == "" {
		q.Where("p.id "+cmp+" ?", *f.After)
		return nil
	}
	r, err := getProduct(ctx, tx, *f.After, "")
	if err != nil {
		return errs.Field("cursor", "invalid cursor")
	}
	v := r.SKU
	if col == "p.name" {
		v = r.Name
	}
	q.Where("(? "+cmp+" ? OR (? = ? AND p.id "+cmp+" ?))", bun.Safe(col), v, bun.Safe(col), v, r.ID)
	return nil
}

// checkQuery vets a search text: bounded, valid UTF-8, no control characters
// (which have no business in a search and must not reach the SQL text).
func checkQuery(q string) string {
	switch {
	case utf8.RuneCountInString(q) > 100:
		return "is too long"
	case !utf8.ValidString(q) || strings.IndexFunc(q, unicode.IsControl) >= 0:
		return "must be text without control characters"
	}
	return ""
}
