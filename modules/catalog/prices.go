package catalog

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// MaxPriceListItems bounds one price list.
const MaxPriceListItems = 5000

// CreatePriceList adds a price list (without items).
func (s *Service) CreatePriceList(ctx context.Context, in PriceListInput) (PriceList, error) {
	if err := in.check(true); err != nil {
		return PriceList{}, err
	}
	t := now()
	row := &priceListRow{ID: newID(), Name: *in.Name, Currency: *in.Currency, Active: in.Active == nil || *in.Active, CreatedAt: t, UpdatedAt: t}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return listNameTaken(err)
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "price_list.created", Resource: "price_lists",
			ResourceID: row.ID.String(), After: row.priceList()})
	})
	pl := row.priceList()
	pl.Items = []PriceListItem{}
	return pl, err
}

// GetPriceList returns a price list with its items.
func (s *Service) GetPriceList(ctx context.Context, id uuid.UUID) (PriceList, error) {
	var pl PriceList
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		pl, err = loadPriceList(ctx, tx, id, "")
		return err
	})
	return pl, err
}

func loadPriceList(ctx context.Context, tx bun.IDB, id uuid.UUID, lock string) (PriceList, error) {
	var r priceListRow
	q := tx.NewSelect().Model(&r).Where("pl.id = ?", id)
	if lock != "" {
		q = q.Apply(lockFor(lock))
	}
	if err := q.Scan(ctx); err != nil {
		return PriceList{}, notFound(err, "price list")
	}
	var items []priceItemRow
	if err := tx.NewSelect().Model(&items).Where("pi.price_list_id = ?", id).
		Order("pi.product_id", "pi.min_quantity").Scan(ctx); err != nil {
		return PriceList{}, err
	}
	pl := r.priceList()
	pl.Items = make([]PriceListItem, len(items))
	for i, it := range items {
		pl.Items[i] = PriceListItem{ProductID: it.ProductID, MinQuantity: it.MinQuantity, PriceMinor: it.PriceMinor}
	}
	return pl, nil
}

// FindPriceLists lists price lists newest first, without items.
func (s *Service) FindPriceLists(ctx context.Context, f PriceListFilter) ([]PriceList, error) {
	if msg := checkQuery(f.Q); msg != "" {
		return nil, errs.Field("q", msg)
	}
	if f.Currency != "" && !currencyRE.MatchString(f.Currency) {
		return nil, errs.Field("currency", "must be an ISO 4217 code such as EUR")
	}
	var rows []priceListRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("pl.id DESC").Limit(int64(max(f.Limit, 1)))
		if f.Q != "" {
			q.Where(`LOWER(pl.name) LIKE ? ESCAPE '\'`, likePattern(f.Q))
		}
		if f.Currency != "" {
			q.Where("pl.currency = ?", f.Currency)
		}
		if f.Active != nil {
			q.Where("pl.active = ?", *f.Active)
		}
		if f.After != nil {
			q.Where("pl.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]PriceList, len(rows))
	for i := range rows {
		out[i] = rows[i].priceList()
	}
	return out, err
}

// UpdatePriceList changes the fields that are set. The currency of a list
// with items cannot change: its prices are amounts in that currency.
func (s *Service) UpdatePriceList(ctx context.Context, id uuid.UUID, in PriceListInput) (PriceList, error) {
	if err := in.check(false); err != nil {
		return PriceList{}, err
	}
	var after PriceList
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		before, err := loadPriceList(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		after = before
		set(&after.Name, in.Name)
		set(&after.Currency, in.Currency)
		set(&after.Active, in.Active)
		if after.Currency != before.Currency && len(before.Items) > 0 {
			return &errs.Error{Code: errs.FailedPrecondition, Message: "the price list has prices in " + before.Currency,
				Fields: map[string]string{"currency": "cannot change while the list has items"}}
		}
		after.UpdatedAt = now()
		row := &priceListRow{ID: id, Name: after.Name, Currency: after.Currency, Active: after.Active, CreatedAt: after.CreatedAt, UpdatedAt: after.UpdatedAt}
		if _, err := tx.NewUpdate().Model(row).Column("name", "currency", "active", "updated_at").Where("pl.id = ?", id).Exec(ctx); err != nil {
			return listNameTaken(err)
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "price_list.updated", Resource: "price_lists", ResourceID: id.String(),
			Before: before, After: after})
	})
	return after, err
}

// DeletePriceList removes a price list and its items.
func (s *Service) DeletePriceList(ctx context.Context, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		before, err := loadPriceList(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*priceListRow)(nil)).Where("pl.id = ?", id).Exec(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.Invalid) {
				return errs.E(errs.Conflict, "the price list is in use; deactivate it instead (PATCH active=false)")
			}
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "price_list.deleted", Resource: "price_lists", ResourceID: id.String(), Before: before})
	})
}

func checkItems(items []PriceListItem) error {
	f := errs.Fields{}
	if len(items) > MaxPriceListItems {
		f.Add("items", fmt.Sprintf("at most %d items", MaxPriceListItems))
	}
	type key struct {
		p uuid.UUID
		q int64
	}
	seen := map[key]bool{}
	for i := range items {
		it := &items[i]
		at := fmt.Sprintf("items[%d].", i)
		if it.MinQuantity == 0 {
			it.MinQuantity = 1
		}
		if it.MinQuantity < 1 || it.MinQuantity > MaxQuantity {
			f.Add(at+"min_quantity", "must be a whole number from 1 to 1000000000")
		}
		if it.PriceMinor < 0 || it.PriceMinor > MaxAmountMinor {
			f.Add(at+"price_minor", "must be a whole number of minor units from 0 to 999999999999")
		}
		if seen[key{it.ProductID, it.MinQuantity}] {
			f.Add(at+"min_quantity", "the product already has a price from this quantity")
		}
		seen[key{it.ProductID, it.MinQuantity}] = true
	}
	return f.Err()
}

// SetPriceListItems replaces a price list's items.
func (s *Service) SetPriceListItems(ctx context.Context, id uuid.UUID, items []PriceListItem) (PriceList, error) {
	if err := checkItems(items); err != nil {
		return PriceList{}, err
	}
	var after PriceList
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		before, err := loadPriceList(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		if err := checkItemProducts(ctx, tx, items); err != nil {
			return err
		}
		if err := writeItems(ctx, tx, id, items); err != nil {
			return err
		}
		if after, err = loadPriceList(ctx, tx, id, ""); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "price_list.items_set", Resource: "price_lists", ResourceID: id.String(),
			Before: before, After: after})
	})
	return after, err
}

func checkItemProducts(ctx context.Context, tx bun.IDB, items []PriceListItem) error {
	ids := make([]uuid.UUID, len(items))
	for i, it := range items {
		ids[i] = it.ProductID
	}
	found, err := existingIDs(ctx, tx, ids)
	if err != nil {
		return err
	}
	f := errs.Fields{}
	for i, it := range items {
		if _, ok := found[it.ProductID]; !ok {
			f.Add(fmt.Sprintf("items[%d].product_id", i), "no such product")
		}
	}
	return f.Err()
}

func writeItems(ctx context.Context, tx bun.IDB, id uuid.UUID, items []PriceListItem) error {
	if _, err := tx.NewDelete().Model((*priceItemRow)(nil)).Where("pi.price_list_id = ?", id).Exec(ctx); err != nil {
		return err
	}
	for start := 0; start < len(items); start += 500 {
		chunk := items[start:min(start+500, len(items))]
		rows := make([]priceItemRow, len(chunk))
		for i, it := range chunk {
			rows[i] = priceItemRow{PriceListID: id, ProductID: it.ProductID, MinQuantity: it.MinQuantity, PriceMinor: it.PriceMinor}
		}
		if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Price returns the unit price of productID for qty units: from price list
// priceListID (uuid.Nil: the product's list price) the item with the largest
// min_quantity not above qty, else the list price when the currencies match.
// Sales, quotes and invoicing call it through an interface they own.
func (s *Service) Price(ctx context.Context, productID, priceListID uuid.UUID, qty int64) (UnitPrice, error) {
	if qty < 1 || qty > MaxQuantity {
		return UnitPrice{}, errs.Field("quantity", "must be a whole number from 1 to 1000000000")
	}
	var up UnitPrice
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		p, err := getProduct(ctx, tx, productID, "")
		if err != nil {
			return err
		}
		if !p.Active {
			return errs.E(errs.FailedPrecondition, "product %s is inactive", p.SKU)
		}
		up = UnitPrice{AmountMinor: p.ListPriceMinor, Currency: p.Currency, TaxRateID: p.TaxRateID}
		if priceListID == uuid.Nil {
			return nil
		}
		return listPrice(ctx, tx, p, priceListID, qty, &up)
	})
	return up, err
}

func listPrice(ctx context.Context, tx bun.IDB, p *productRow, listID uuid.UUID, qty int64, up *UnitPrice) error {
	var pl priceListRow
	if err := tx.NewSelect().Model(&pl).Where("pl.id = ?", listID).Scan(ctx); err != nil {
		return notFound(err, "price list")
	}
	if !pl.Active {
		return errs.E(errs.FailedPrecondition, "price list %s is inactive", pl.Name)
	}
	var it []priceItemRow
	err := tx.NewSelect().Model(&it).Where("pi.price_list_id = ? AND pi.product_id = ? AND pi.min_quantity <= ?", listID, p.ID, qty).
		OrderExpr("pi.min_quantity DESC").Limit(1).Scan(ctx)
	if err != nil {
		return err
	}
	if len(it) == 1 {
		up.AmountMinor, up.Currency, up.PriceListID = it[0].PriceMinor, pl.Currency, &listID
		return nil
	}
	if pl.Currency != p.Currency {
		return errs.E(errs.FailedPrecondition, "price list %s has no price for %s and its currency differs from the list price", pl.Name, p.SKU)
	}
	return nil
}

func listNameTaken(err error) error {
	if errs.Is(db.Translate(err), errs.Conflict) {
		return &errs.Error{Code: errs.Conflict, Message: "a price list with this name already exists", Fields: map[string]string{"name": "already exists"}}
	}
	return err
}
