package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"nexo/modules/catalog"
	"nexo/modules/crm"
	"nexo/modules/inventory"
	"nexo/modules/quotes"
	"nexo/modules/sales"
)

// demoProduct is one catalog entry of the demo tenant, with the stock it
// starts with.
type demoProduct struct {
	sku, name, typ, unit string
	price, cost          int64 // minor units (EUR cents)
	lot                  bool
	leadDays             int
	capacity             int64
	stock                int64
}

// The demo makes brass valves from bought-in parts: enough to see a bill of
// materials, lots, reservations and a production shortfall on first run.
var demoProducts = []demoProduct{
	{"VAL-100", "Brass ball valve 1/2\"", "manufactured", "unit", 1250, 610, true, 2, 100, 500},
	{"VAL-200", "Brass ball valve 1\"", "manufactured", "unit", 2190, 1080, true, 3, 60, 120},
	{"BRS-BAR", "Brass bar CW617N (kg)", "purchased", "kg", 980, 820, true, 7, 0, 2000},
	{"HND-RED", "Red lever handle", "purchased", "unit", 90, 35, false, 10, 0, 1500},
	{"SEAL-PTFE", "PTFE seat seal", "purchased", "unit", 40, 12, false, 10, 0, 3000},
	{"SRV-INST", "On-site installation (hour)", "service", "hour", 4500, 0, false, 0, 0, 0},
}

var demoAccounts = []struct{ name, taxID, city string }{
	{"Ferretería Norte S.L.", "B12345674", "Bilbao"},
	{"Instalaciones Levante S.A.", "A46123458", "Valencia"},
	{"Suministros Andaluces S.L.", "B41234562", "Sevilla"},
}

// seedERP gives the demo tenant a warehouse, products with a bill of
// materials, stock in lots, customers and one order confirmed with a
// production shortfall. ctx carries the owner as principal.
func seedERP(ctx context.Context, a *appState) error {
	wh, err := a.stock.CreateWarehouse(ctx, inventory.NewWarehouse{Code: "MAD", Name: "Madrid central"})
	if err != nil {
		return fmt.Errorf("seed warehouse: %w", err)
	}
	ids := map[string]uuid.UUID{}
	for _, p := range demoProducts {
		id, err := seedProduct(ctx, a, p, wh.ID)
		if err != nil {
			return fmt.Errorf("seed product %s: %w", p.sku, err)
		}
		ids[p.sku] = id
	}
	for _, sku := range []string{"VAL-100", "VAL-200"} {
		_, err := a.catalog.SetBOM(ctx, ids[sku], []catalog.BOMLineInput{
			{ComponentID: ids["BRS-BAR"], Quantity: 1}, {ComponentID: ids["HND-RED"], Quantity: 1}, {ComponentID: ids["SEAL-PTFE"], Quantity: 2}})
		if err != nil {
			return fmt.Errorf("seed bill of materials %s: %w", sku, err)
		}
	}
	var first, second uuid.UUID
	for i, acc := range demoAccounts {
		name, tax, limit, terms := acc.name, acc.taxID, int64(4_000_000), 30
		ac, err := a.crm.CreateAccount(ctx, crm.AccountInput{Name: &name, TaxID: &tax, CreditLimitMinor: &limit, PaymentTermsDays: &terms,
			Billing: &crm.Address{City: acc.city, Country: "ES"}, Shipping: &crm.Address{City: acc.city, Country: "ES"}})
		if err != nil {
			return fmt.Errorf("seed account %s: %w", acc.name, err)
		}
		switch i {
		case 0:
			first = ac.ID
		case 1:
			second = ac.ID
		}
	}
	o, err := a.sales.Create(ctx, sales.NewOrder{AccountID: first, Notes: "Demo: 1,000 valves, 500 in stock",
		Lines: []sales.NewLine{{ProductID: ids["VAL-100"], Quantity: 1000}}})
	if err != nil {
		return fmt.Errorf("seed order: %w", err)
	}
	if _, err := a.sales.Confirm(ctx, o.ID); err != nil {
		return fmt.Errorf("seed order confirm: %w", err)
	}
	return seedDeal(ctx, a, second, ids["VAL-200"])
}

// seedDeal opens an opportunity for 300 one-inch valves (120 in stock) and
// drafts its quote, so the first run shows availability-to-promise.
func seedDeal(ctx context.Context, a *appState, account, valve uuid.UUID) error {
	name := "Hotel renovation: 300 valves"
	opp, err := a.crm.CreateOpportunity(ctx, crm.Scope{All: true}, crm.OpportunityInput{Name: &name, AccountID: &account,
		Lines: &[]crm.LineInput{{ProductID: valve, Quantity: 300}}})
	if err != nil {
		return fmt.Errorf("seed opportunity: %w", err)
	}
	if _, err := a.quotes.Create(ctx, quotes.Scope{All: true}, quotes.NewQuote{OpportunityID: &opp.ID}); err != nil {
		return fmt.Errorf("seed quote: %w", err)
	}
	return nil
}

func seedProduct(ctx context.Context, a *appState, p demoProduct, warehouse uuid.UUID) (uuid.UUID, error) {
	typ, cur := catalog.Type(p.typ), "EUR"
	pr, err := a.catalog.CreateProduct(ctx, catalog.ProductInput{SKU: &p.sku, Name: &p.name, Type: &typ, Unit: &p.unit,
		ListPriceMinor: &p.price, Currency: &cur, CostMinor: &p.cost, LotTracked: &p.lot, LeadTimeDays: &p.leadDays,
		DailyCapacity: &p.capacity, ReorderPoint: ptr(p.stock / 5)})
	if err != nil || p.stock == 0 {
		return pr.ID, err
	}
	r := inventory.Receipt{ProductID: pr.ID, WarehouseID: warehouse, Quantity: p.stock, Reason: "demo opening stock"}
	if p.lot {
		made := time.Now().UTC().AddDate(0, 0, -10).Truncate(24 * time.Hour)
		r.LotCode, r.ProductionDate = "L"+made.Format("060102")+"-"+p.sku, &made
	}
	_, err = a.stock.Receive(ctx, r)
	return pr.ID, err
}

func ptr[T any](v T) *T { return &v }
