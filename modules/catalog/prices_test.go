package catalog

import (
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

func TestPriceLists(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant(t), e.newTenant(t)
	p := e.mustProduct(t, a, "P", TypeStocked) // list price 1000 EUR
	q := e.mustProduct(t, a, "Q", TypeStocked)
	foreign := e.mustProduct(t, b, "F", TypeStocked)

	_, err := e.svc.CreatePriceList(a, PriceListInput{Name: ptr("Wholesale"), Currency: ptr("euro")})
	wantErr(t, "bad currency", err, errs.Invalid, "currency")
	_, err = e.svc.CreatePriceList(a, PriceListInput{Currency: ptr("EUR")})
	wantErr(t, "no name", err, errs.Invalid, "name")
	pl, err := e.svc.CreatePriceList(a, PriceListInput{Name: ptr("Wholesale"), Currency: ptr("EUR")})
	if err != nil || !pl.Active {
		t.Fatalf("create: %+v %v", pl, err)
	}
	_, err = e.svc.CreatePriceList(a, PriceListInput{Name: ptr("Wholesale"), Currency: ptr("USD")})
	wantErr(t, "duplicate name", err, errs.Conflict, "name")

	for _, tc := range []struct {
		what  string
		items []PriceListItem
		field string
	}{
		{"negative price", []PriceListItem{{p.ID, 1, -1}}, "items[0].price_minor"},
		{"negative quantity", []PriceListItem{{p.ID, -3, 100}}, "items[0].min_quantity"},
		{"duplicate break", []PriceListItem{{p.ID, 10, 900}, {p.ID, 10, 800}}, "items[1].min_quantity"},
		{"unknown product", []PriceListItem{{p.ID, 1, 900}, {uuid.New(), 1, 1}}, "items[1].product_id"},
		{"another tenant's product", []PriceListItem{{foreign.ID, 1, 1}}, "items[0].product_id"},
	} {
		_, err := e.svc.SetPriceListItems(a, pl.ID, tc.items)
		wantErr(t, tc.what, err, errs.Invalid, tc.field)
	}
	got, err := e.svc.SetPriceListItems(a, pl.ID, []PriceListItem{{p.ID, 0, 950}, {p.ID, 10, 900}, {p.ID, 100, 800}})
	if err != nil || len(got.Items) != 3 || got.Items[0].MinQuantity != 1 {
		t.Fatalf("set items: %+v %v", got, err)
	}

	// Quantity breaks, the list price fallback, and the product's own price.
	for _, tc := range []struct {
		product, list uuid.UUID
		qty, want     int64
	}{
		{p.ID, pl.ID, 1, 950}, {p.ID, pl.ID, 9, 950}, {p.ID, pl.ID, 10, 900}, {p.ID, pl.ID, 5000, 800},
		{q.ID, pl.ID, 1, 1000}, {p.ID, uuid.Nil, 10, 1000},
	} {
		up, err := e.svc.Price(a, tc.product, tc.list, tc.qty)
		if err != nil || up.AmountMinor != tc.want || up.Currency != "EUR" {
			t.Errorf("price %v × %d: %+v %v, want %d", tc.product, tc.qty, up, err, tc.want)
		}
	}
	_, err = e.svc.Price(a, p.ID, pl.ID, 0)
	wantErr(t, "zero quantity", err, errs.Invalid, "quantity")
	_, err = e.svc.Price(b, p.ID, uuid.Nil, 1)
	wantErr(t, "another tenant's product", err, errs.NotFound, "")
	_, err = e.svc.Price(b, foreign.ID, pl.ID, 1)
	wantErr(t, "another tenant's list", err, errs.NotFound, "")

	// A USD list has no fallback to a EUR list price; its currency is fixed
	// once it has items.
	usd, _ := e.svc.CreatePriceList(a, PriceListInput{Name: ptr("US"), Currency: ptr("USD")})
	_, err = e.svc.Price(a, p.ID, usd.ID, 1)
	wantErr(t, "no price in USD", err, errs.FailedPrecondition, "")
	_, err = e.svc.UpdatePriceList(a, pl.ID, PriceListInput{Currency: ptr("USD")})
	wantErr(t, "currency change with items", err, errs.FailedPrecondition, "currency")
	if _, err := e.svc.UpdatePriceList(a, pl.ID, PriceListInput{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Price(a, p.ID, pl.ID, 1)
	wantErr(t, "inactive list", err, errs.FailedPrecondition, "")

	// A product on a price list is in use; the list goes with its items.
	wantErr(t, "delete priced product", e.svc.DeleteProduct(a, p.ID), errs.Conflict, "")
	wantErr(t, "delete another tenant's list", e.svc.DeletePriceList(b, pl.ID), errs.NotFound, "")
	if err := e.svc.DeletePriceList(a, pl.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteProduct(a, p.ID); err != nil {
		t.Fatalf("delete after its list went: %v", err)
	}
	lists, err := e.svc.FindPriceLists(a, PriceListFilter{Limit: 10})
	if err != nil || len(lists) != 1 || lists[0].ID != usd.ID {
		t.Fatalf("lists: %+v %v", lists, err)
	}
	for _, action := range []string{"price_list.created", "price_list.items_set", "price_list.updated", "price_list.deleted"} {
		if e.auditCount(t, a, action) == 0 {
			t.Errorf("no %s audit row", action)
		}
	}
}
