package sales

import (
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/tenant"
)

// TestPriceList prices an order from a price list: lines without an explicit
// price take the list's price and currency, an explicit price wins, each
// line keeps the product as sold; an unknown list, another tenant's list or
// a product the list cannot price is refused by field, with nothing created.
func TestPriceList(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	tid, _ := tenant.FromContext(ctx)
	wholesale := uuid.Must(uuid.NewV7())
	e.products.lists[wholesale] = fakeList{tenant: tid, currency: "EUR", prices: map[uuid.UUID]int64{fx.widget.ID: 800, fx.bolt.ID: 4}}

	o, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, PriceListID: &wholesale, Lines: []NewLine{
		lineOf(fx.widget, 10), {ProductID: fx.bolt.ID, Quantity: 2, UnitPriceMinor: ptr(int64(3))}}})
	if err != nil {
		t.Fatal(err)
	}
	if o.PriceListID == nil || *o.PriceListID != wholesale || o.Lines[0].UnitPriceMinor != 800 || o.Lines[1].UnitPriceMinor != 3 {
		t.Fatalf("priced %+v", o)
	}
	if o.Lines[0].Description != fx.widget.SKU+" — Product" {
		t.Errorf("description %q", o.Lines[0].Description)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Lines[0].Description != o.Lines[0].Description || got.PriceListID == nil {
		t.Errorf("stored %+v", got)
	}
	// Replacing the lines of the draft prices them from the same list.
	o, err = e.svc.Update(ctx, o.ID, OrderUpdate{Lines: []NewLine{lineOf(fx.bolt, 5)}})
	if err != nil || o.Lines[0].UnitPriceMinor != 4 {
		t.Fatalf("updated %+v %v", o, err)
	}

	count := func() int {
		list, err := e.svc.Find(ctx, Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	before := count()
	other, _ := tenant.FromContext(e.newTenant(t))
	theirs := uuid.Must(uuid.NewV7())
	e.products.lists[theirs] = fakeList{tenant: other, currency: "EUR", prices: map[uuid.UUID]int64{fx.widget.ID: 1}}
	for _, c := range []struct {
		list  uuid.UUID
		line  NewLine
		field string
	}{
		{uuid.Must(uuid.NewV7()), lineOf(fx.widget, 1), "price_list_id"},
		{theirs, lineOf(fx.widget, 1), "price_list_id"},
		{wholesale, lineOf(fx.gear, 1), "lines[0].product_id"},
	} {
		_, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, PriceListID: &c.list, Lines: []NewLine{c.line}})
		wantErr(t, label("list %v", c.list), err, errs.Invalid, c.field)
	}
	if after := count(); after != before {
		t.Errorf("refused orders created %d orders", after-before)
	}
}
