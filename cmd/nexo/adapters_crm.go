package main

import (
	"context"

	"github.com/google/uuid"

	"nexo/modules/catalog"
	"nexo/modules/crm"
)

// crmProducts gives the CRM the catalog facts an opportunity line needs.
type crmProducts struct{ cat *catalog.Service }

func (a crmProducts) Product(ctx context.Context, id uuid.UUID) (crm.Product, error) {
	p, err := a.cat.GetProduct(ctx, id)
	if err != nil {
		return crm.Product{}, err
	}
	return crm.Product{ID: p.ID, SKU: p.SKU, Name: p.Name, ListPriceMinor: p.ListPriceMinor, Currency: p.Currency,
		Active: p.Active}, nil
}
