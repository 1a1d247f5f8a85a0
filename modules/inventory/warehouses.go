package inventory

import (
	"context"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
)

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$`)

// WarehouseFilter narrows FindWarehouses; After is the last code of the
// previous page (warehouses list by code).
type WarehouseFilter struct {
	Active *bool
	Limit  int
	After  string
}

// FindWarehouses lists the tenant's warehouses by code.
func (s *Service) FindWarehouses(ctx context.Context, f WarehouseFilter) ([]Warehouse, error) {
	var rows []warehouseRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Order("w.code").Limit(limit(f.Limit))
		if f.Active != nil {
			q.Where("w.active = ?", *f.Active)
		}
		if f.After != "" {
			q.Where("w.code > ?", f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Warehouse, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, err
}

// GetWarehouse returns one warehouse; another tenant's id is not found.
func (s *Service) GetWarehouse(ctx context.Context, id uuid.UUID) (Warehouse, error) {
	var row warehouseRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("w.id = ?", id).Scan(ctx)
	})
	return row.domain(), err
}

// CreateWarehouse adds a warehouse with a code unique in the tenant.
func (s *Service) CreateWarehouse(ctx context.Context, in NewWarehouse) (Warehouse, error) {
	f := errs.Fields{}
	code := strings.TrimSpace(in.Code)
	if !codeRE.MatchString(code) {
		f.Add("code", "must be 1 to 40 letters, digits, . _ / -")
	}
	name := checkName(f, "name", in.Name)
	if err := f.Err(); err != nil {
		return Warehouse{}, err
	}
	t := now()
	row := &warehouseRow{ID: newID(), Code: code, Name: name, Active: true, CreatedAt: t, UpdatedAt: t}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.Conflict) {
				return &errs.Error{Code: errs.Conflict, Message: "a warehouse with this code already exists", Fields: map[string]string{"code": "already exists"}}
			}
			return err
		}
		return audit(ctx, tx, "warehouse.created", "warehouses", row.ID, nil, row.domain())
	})
	return row.domain(), err
}

// UpdateWarehouse changes name or active. The code is the warehouse's
// identity in documents and labels, so it does not change.
func (s *Service) UpdateWarehouse(ctx context.Context, id uuid.UUID, in WarehouseUpdate) (Warehouse, error) {
	f := errs.Fields{}
	if in.Name != nil {
		n := checkName(f, "name", *in.Name)
		in.Name = &n
	}
	if err := f.Err(); err != nil {
		return Warehouse{}, err
	}
	var row warehouseRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("w.id = ?", id).Scan(ctx); err != nil {
			return err
		}
		before := row.domain()
		if in.Name != nil {
			row.Name = *in.Name
		}
		if in.Active != nil {
			row.Active = *in.Active
		}
		row.UpdatedAt = now()
		if _, err := tx.NewUpdate().Model(&row).Column("name", "active", "updated_at").Where("w.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return audit(ctx, tx, "warehouse.updated", "warehouses", id, before, row.domain())
	})
	return row.domain(), err
}

// checkName trims a display name and requires 1 to 120 characters.
func checkName(f errs.Fields, field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" || len([]rune(v)) > 120 {
		f.Add(field, "must be 1 to 120 characters")
	}
	return v
}

// limit caps a page size (A5).
func limit(n int) int64 {
	if n <= 0 || n > 100 {
		return 50
	}
	return int64(n)
}
