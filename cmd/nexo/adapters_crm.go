package main

import (
	"context"

	"github.com/google/uuid"

	"nexo/modules/catalog"
	"nexo/modules/crm"
	"nexo/modules/quotes"
	"nexo/modules/sales"
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

// quotePricing prices quote lines with sales' own order pricing.
type quotePricing struct{ sales *sales.Service }

func (a quotePricing) Price(ctx context.Context, currency string, listID *uuid.UUID, in []quotes.LineInput) (string, []quotes.Line, error) {
	lines := make([]sales.NewLine, len(in))
	for i, l := range in {
		lines[i] = sales.NewLine{ProductID: l.ProductID, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP}
	}
	cur, priced, err := a.sales.Price(ctx, currency, listID, lines)
	if err != nil {
		return "", nil, err
	}
	out := make([]quotes.Line, len(priced))
	for i, l := range priced {
		out[i] = quotes.Line{ProductID: l.ProductID, Description: l.Description, Quantity: l.Quantity,
			UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor,
			TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
	}
	return cur, out, nil
}

// quoteOpportunities gives quotes the opportunity they are made from,
// under the same record rule (R3).
type quoteOpportunities struct{ crm *crm.Service }

func (a quoteOpportunities) Opportunity(ctx context.Context, sc quotes.Scope, id uuid.UUID) (quotes.Opportunity, error) {
	o, err := a.crm.GetOpportunity(ctx, crm.Scope{All: sc.All}, id)
	if err != nil {
		return quotes.Opportunity{}, err
	}
	out := quotes.Opportunity{ID: o.ID, AccountID: o.AccountID, ContactID: o.ContactID, OwnerUserID: o.OwnerUserID,
		Currency: o.Currency, Open: o.Status == crm.StatusOpen, Lines: make([]quotes.LineInput, len(o.Lines))}
	for i, l := range o.Lines {
		price, disc := l.UnitPriceMinor, l.DiscountBP
		out.Lines[i] = quotes.LineInput{ProductID: l.ProductID, Quantity: l.Quantity, UnitPriceMinor: &price, DiscountBP: &disc}
	}
	return out, nil
}
