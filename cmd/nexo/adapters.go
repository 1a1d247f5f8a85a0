package main

import (
	"context"

	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/modules/catalog"
	"nexo/modules/inventory"
	"nexo/modules/sales"
	"nexo/tenant"
)

// Modules never import each other: each declares the small interface it
// needs from a neighbour, and these adapters, the only place that sees both
// sides, translate. They add no rules.

// inventoryProducts gives inventory the catalog's product facts.
type inventoryProducts struct{ cat *catalog.Service }

func (a inventoryProducts) Product(ctx context.Context, id uuid.UUID) (inventory.ProductInfo, error) {
	p, err := a.cat.GetProduct(ctx, id)
	if err != nil {
		return inventory.ProductInfo{}, err
	}
	return inventory.ProductInfo{ID: p.ID, Type: string(p.Type), LotTracked: p.LotTracked, Active: p.Active}, nil
}

// salesProducts gives sales a product's price, tax rate and lead times.
type salesProducts struct {
	cat   *catalog.Service
	taxes *tenant.Service
}

func (a salesProducts) Product(ctx context.Context, id uuid.UUID) (sales.Product, error) {
	p, err := a.cat.GetProduct(ctx, id)
	if err != nil {
		return sales.Product{}, err
	}
	out := sales.Product{ID: p.ID, SKU: p.SKU, Name: p.Name, Type: sales.ProductType(p.Type), Active: p.Active, ListPriceMinor: p.ListPriceMinor,
		Currency: p.Currency, LeadTimeDays: p.LeadTimeDays, DailyCapacity: p.DailyCapacity}
	if p.TaxRateID != nil {
		// A deleted rate taxes nothing, as before it had a product.
		r, err := a.taxes.TaxRate(ctx, *p.TaxRateID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return sales.Product{}, err
		}
		out.TaxRateBP = r.RateBP
	}
	return out, nil
}

func (a salesProducts) ListPrice(ctx context.Context, productID, listID uuid.UUID, qty int64) (int64, string, error) {
	up, err := a.cat.Price(ctx, productID, listID, qty)
	return up.AmountMinor, up.Currency, err
}

// salesStock reserves and releases order lines' stock in inventory.
type salesStock struct{ inv *inventory.Service }

func (a salesStock) Reserve(ctx context.Context, ref sales.Ref, productID uuid.UUID, qty int64) (int64, error) {
	r, err := a.inv.Reserve(ctx, inventory.ReserveRequest{Ref: inventory.Ref{Type: ref.Type, ID: ref.ID}, ProductID: productID, Quantity: qty})
	return r.Quantity, err
}

func (a salesStock) Release(ctx context.Context, ref sales.Ref) error {
	_, err := a.inv.Release(ctx, inventory.ReleaseRequest{Ref: inventory.Ref{Type: ref.Type, ID: ref.ID}, Reason: "order cancelled"})
	return err
}
