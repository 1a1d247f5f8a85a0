package catalog

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// MaxBOMLines bounds one bill of materials.
const MaxBOMLines = 200

// BOMLineInput is one line of a bill of materials being set.
type BOMLineInput struct {
	ComponentID uuid.UUID
	Quantity    int64
}

func checkLines(productID uuid.UUID, lines []BOMLineInput) error {
	f := errs.Fields{}
	if len(lines) > MaxBOMLines {
		f.Add("lines", fmt.Sprintf("at most %d lines", MaxBOMLines))
	}
	seen := map[uuid.UUID]bool{}
	for i, l := range lines {
		at := fmt.Sprintf("lines[%d].", i)
		switch {
		case l.ComponentID == productID:
			f.Add(at+"component_id", "a product cannot be a component of itself")
		case seen[l.ComponentID]:
			f.Add(at+"component_id", "is listed twice")
		}
		seen[l.ComponentID] = true
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			f.Add(at+"quantity", "must be a whole number from 1 to 1000000000")
		}
	}
	return f.Err()
}

// SetBOM replaces a manufactured product's bill of materials; no lines
// removes it. Components must be products of the same tenant and the product
// may not appear anywhere in its own tree (no cycles).
func (s *Service) SetBOM(ctx context.Context, productID uuid.UUID, lines []BOMLineInput) (BOM, error) {
	if err := checkLines(productID, lines); err != nil {
		return BOM{}, err
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		// SECURITY (consistency): the product's row lock serialises writers
		// of this BOM, and walkers take share locks on the rows they walk, so
		// two concurrent edits cannot each close half of a cycle (PostgreSQL
		// may answer one of them with a deadlock: a 409 to retry).
		p, err := getProduct(ctx, tx, productID, "UPDATE")
		if err != nil {
			return err
		}
		if len(lines) > 0 && p.Type != string(TypeManufactured) {
			return errs.E(errs.FailedPrecondition, "only manufactured products have a bill of materials")
		}
		before, err := loadBOM(ctx, tx, productID)
		if err != nil {
			return err
		}
		if err := checkComponents(ctx, tx, productID, lines); err != nil {
			return err
		}
		if err := writeBOM(ctx, tx, productID, lines); err != nil {
			return err
		}
		after, err := loadBOM(ctx, tx, productID)
		if err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "bom.set", Resource: "boms", ResourceID: productID.String(),
			Before: before, After: after})
	})
	if err != nil {
		return BOM{}, err
	}
	return s.GetBOM(ctx, productID)
}

// checkComponents requires every component to exist in the tenant and no
// component's tree to contain productID.
func checkComponents(ctx context.Context, tx bun.IDB, productID uuid.UUID, lines []BOMLineInput) error {
	ids := make([]uuid.UUID, len(lines))
	origin := map[uuid.UUID]int{} // node → the line whose tree reached it first
	for i, l := range lines {
		ids[i] = l.ComponentID
		origin[l.ComponentID] = i
	}
	found, err := existingIDs(ctx, tx, ids)
	if err != nil {
		return err
	}
	f := errs.Fields{}
	for i, l := range lines {
		if _, ok := found[l.ComponentID]; !ok {
			f.Add(fmt.Sprintf("lines[%d].component_id", i), "no such product")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return walkTree(ctx, tx, productID, ids, origin)
}

// walkTree walks the trees below frontier breadth first and fails when it
// meets root. Each level is one query; visited nodes are not walked again.
func walkTree(ctx context.Context, tx bun.IDB, root uuid.UUID, frontier []uuid.UUID, origin map[uuid.UUID]int) error {
	for len(frontier) > 0 {
		var locked []productRow
		if err := tx.NewSelect().Model(&locked).Column("p.id").Where("p.id IN (?)", bun.In(frontier)).
			Apply(lockFor("SHARE")).Scan(ctx); err != nil {
			return err
		}
		var below []bomLineRow
		if err := tx.NewSelect().Model(&below).Where("l.product_id IN (?)", bun.In(frontier)).Scan(ctx); err != nil {
			return err
		}
		var next []uuid.UUID
		for _, l := range below {
			if l.ComponentID == root {
				return errs.Field(fmt.Sprintf("lines[%d].component_id", origin[l.ProductID]),
					"would make a cycle: this product is in the component's own bill of materials")
			}
			if _, seen := origin[l.ComponentID]; !seen {
				origin[l.ComponentID] = origin[l.ProductID]
				next = append(next, l.ComponentID)
			}
		}
		frontier = next
	}
	return nil
}

func writeBOM(ctx context.Context, tx bun.IDB, productID uuid.UUID, lines []BOMLineInput) error {
	if len(lines) == 0 {
		// The lines go with the header (ON DELETE CASCADE).
		_, err := tx.NewDelete().Model((*bomRow)(nil)).Where("b.product_id = ?", productID).Exec(ctx)
		return err
	}
	t := now()
	head := &bomRow{ProductID: productID, CreatedAt: t, UpdatedAt: t}
	if _, err := tx.NewInsert().Model(head).On("CONFLICT (tenant_id, product_id) DO UPDATE").
		Set("updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewDelete().Model((*bomLineRow)(nil)).Where("l.product_id = ?", productID).Exec(ctx); err != nil {
		return err
	}
	rows := make([]bomLineRow, len(lines))
	for i, l := range lines {
		rows[i] = bomLineRow{ProductID: productID, ComponentID: l.ComponentID, Quantity: l.Quantity, Position: i}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// GetBOM returns a product's bill of materials (no lines if it has none).
func (s *Service) GetBOM(ctx context.Context, productID uuid.UUID) (BOM, error) {
	var b BOM
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := getProduct(ctx, tx, productID, ""); err != nil {
			return err
		}
		boms, err := loadBOMs(ctx, tx, []uuid.UUID{productID})
		b = boms[productID]
		return err
	})
	return b, err
}

func loadBOM(ctx context.Context, tx bun.IDB, productID uuid.UUID) (BOM, error) {
	boms, err := loadBOMs(ctx, tx, []uuid.UUID{productID})
	return boms[productID], err
}

// loadBOMs reads the BOMs of products with their lines in line order, each
// line carrying its component's SKU, name and unit.
func loadBOMs(ctx context.Context, tx bun.IDB, products []uuid.UUID) (map[uuid.UUID]BOM, error) {
	out := make(map[uuid.UUID]BOM, len(products))
	for _, id := range products {
		out[id] = BOM{ProductID: id, Lines: []BOMLine{}}
	}
	if len(products) == 0 {
		return out, nil
	}
	var heads []bomRow
	if err := tx.NewSelect().Model(&heads).Where("b.product_id IN (?)", bun.In(products)).Scan(ctx); err != nil {
		return nil, err
	}
	var lines []bomLineRow
	if err := tx.NewSelect().Model(&lines).Where("l.product_id IN (?)", bun.In(products)).
		Order("l.product_id", "l.position").Scan(ctx); err != nil {
		return nil, err
	}
	comps := make([]uuid.UUID, len(lines))
	for i, l := range lines {
		comps[i] = l.ComponentID
	}
	info, err := existingIDs(ctx, tx, comps)
	if err != nil {
		return nil, err
	}
	for _, h := range heads {
		b := out[h.ProductID]
		b.UpdatedAt = &h.UpdatedAt
		out[h.ProductID] = b
	}
	for _, l := range lines {
		c := info[l.ComponentID]
		b := out[l.ProductID]
		b.Lines = append(b.Lines, BOMLine{ComponentID: l.ComponentID, SKU: c.SKU, Name: c.Name, Unit: c.Unit, Quantity: l.Quantity})
		out[l.ProductID] = b
	}
	return out, nil
}

// FindBOMs lists bills of materials by product id, optionally only those
// that use a component.
func (s *Service) FindBOMs(ctx context.Context, f BOMFilter) ([]BOM, error) {
	var out []BOM
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var heads []bomRow
		q := tx.NewSelect().Model(&heads).Column("b.product_id").Order("b.product_id").Limit(int64(f.Limit))
		if f.After != nil {
			q.Where("b.product_id > ?", *f.After)
		}
		if f.ComponentID != nil {
			// An explicit tenant scope: bun's hooks do not reach subqueries.
			used := tx.NewSelect().Model((*bomLineRow)(nil)).Column("l.product_id").
				Apply(tenant.ScopeSelect(ctx)).Where("l.component_id = ?", *f.ComponentID)
			q.Where("b.product_id IN (?)", used)
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(heads))
		for i, h := range heads {
			ids[i] = h.ProductID
		}
		boms, err := loadBOMs(ctx, tx, ids)
		for _, id := range ids {
			out = append(out, boms[id])
		}
		return err
	})
	return out, err
}
