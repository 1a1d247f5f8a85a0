package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/internal/cache"
	"nexo/internal/errs"
)

func TestProductRules(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant(t), e.newTenant(t)
	taxB := e.mustTaxRate(t, b, "VAT")
	ok := func() ProductInput {
		return ProductInput{SKU: ptr("A-1"), Name: ptr("Anvil"), ListPriceMinor: ptr[int64](1250), Currency: ptr("EUR")}
	}
	for _, tc := range []struct {
		mod   func(*ProductInput)
		field string
	}{
		{func(in *ProductInput) { in.SKU = nil }, "sku"},
		{func(in *ProductInput) { in.SKU = ptr("has space") }, "sku"},
		{func(in *ProductInput) { in.SKU = ptr(strings.Repeat("x", 65)) }, "sku"},
		{func(in *ProductInput) { in.Name = ptr("  ") }, "name"},
		{func(in *ProductInput) { in.Name = ptr("a\x00b") }, "name"},
		{func(in *ProductInput) { in.Type = ptr(Type("gadget")) }, "type"},
		{func(in *ProductInput) { in.Unit = ptr("Kilo gram") }, "unit"},
		{func(in *ProductInput) { in.ListPriceMinor = ptr[int64](-1) }, "list_price_minor"},
		{func(in *ProductInput) { in.ListPriceMinor = nil }, "list_price_minor"},
		{func(in *ProductInput) { in.ListPriceMinor = ptr[int64](MaxAmountMinor + 1) }, "list_price_minor"},
		{func(in *ProductInput) { in.CostMinor = ptr[int64](-5) }, "cost_minor"},
		{func(in *ProductInput) { in.Currency = ptr("eur") }, "currency"},
		{func(in *ProductInput) { in.Currency = nil }, "currency"},
		{func(in *ProductInput) { in.ReorderPoint = ptr[int64](-1) }, "reorder_point"},
		{func(in *ProductInput) { in.LeadTimeDays = ptr(-1) }, "lead_time_days"},
		{func(in *ProductInput) { in.DailyCapacity = ptr[int64](MaxQuantity + 1) }, "daily_capacity"},
		{func(in *ProductInput) { in.Type = ptr(TypeService); in.LotTracked = ptr(true) }, "lot_tracked"},
		{func(in *ProductInput) { in.TaxRateID = ptr(uuid.New()) }, "tax_rate_id"},
		{func(in *ProductInput) { in.TaxRateID = &taxB }, "tax_rate_id"}, // another tenant's rate
	} {
		in := ok()
		tc.mod(&in)
		_, err := e.svc.CreateProduct(a, in)
		wantErr(t, fmt.Sprintf("create without valid %s", tc.field), err, errs.Invalid, tc.field)
	}
	if n := e.auditCount(t, a, "product.created"); n != 0 {
		t.Fatalf("refused creates left %d audit rows", n)
	}

	tax := e.mustTaxRate(t, a, "VAT")
	in := ok()
	in.TaxRateID = &tax
	p, err := e.svc.CreateProduct(a, in)
	if err != nil || p.Type != TypeStocked || p.Unit != "unit" || !p.Active || *p.TaxRateID != tax {
		t.Fatalf("create: %+v %v", p, err)
	}
	_, err = e.svc.CreateProduct(a, ok())
	wantErr(t, "duplicate sku", err, errs.Conflict, "sku")
	if _, err := e.svc.CreateProduct(b, ok()); err != nil {
		t.Fatalf("the same SKU in another tenant: %v", err)
	}

	// PATCH: only the set fields change; nil TaxRateID keeps, uuid.Nil clears.
	u, err := e.svc.UpdateProduct(a, p.ID, ProductInput{Name: ptr(" Big anvil "), ReorderPoint: ptr[int64](5)})
	if err != nil || u.Name != "Big anvil" || u.ReorderPoint != 5 || u.ListPriceMinor != 1250 || u.TaxRateID == nil {
		t.Fatalf("update: %+v %v", u, err)
	}
	u, err = e.svc.UpdateProduct(a, p.ID, ProductInput{TaxRateID: ptr(uuid.Nil), Active: ptr(false)})
	if err != nil || u.TaxRateID != nil || u.Active {
		t.Fatalf("clear tax, deactivate: %+v %v", u, err)
	}
	_, err = e.svc.UpdateProduct(a, p.ID, ProductInput{ListPriceMinor: ptr[int64](-1)})
	wantErr(t, "negative price", err, errs.Invalid, "list_price_minor")
	_, err = e.svc.UpdateProduct(b, p.ID, ProductInput{Name: ptr("stolen")})
	wantErr(t, "update from another tenant", err, errs.NotFound, "")
	if got := e.auditCount(t, a, "product.updated"); got != 2 {
		t.Errorf("%d update audit rows, want 2", got)
	}

	// Delete: refused from another tenant; allowed when unreferenced.
	wantErr(t, "delete from another tenant", e.svc.DeleteProduct(b, p.ID), errs.NotFound, "")
	if err := e.svc.DeleteProduct(a, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetProduct(a, p.ID)
	wantErr(t, "get deleted", err, errs.NotFound, "")
	if got := e.auditCount(t, a, "product.deleted"); got != 1 {
		t.Errorf("%d delete audit rows, want 1", got)
	}
}

func TestProductInUseIsNotDeleted(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant(t)
	part := e.mustProduct(t, a, "PART", TypePurchased)
	made := e.mustProduct(t, a, "MADE", TypeManufactured)
	if _, err := e.svc.SetBOM(a, made.ID, []BOMLineInput{{part.ID, 2}}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete a component", e.svc.DeleteProduct(a, part.ID), errs.Conflict, "")
	if _, err := e.svc.GetProduct(a, part.ID); err != nil {
		t.Fatalf("the refused delete removed the product: %v", err)
	}
	_, err := e.svc.UpdateProduct(a, made.ID, ProductInput{Type: ptr(TypeStocked)})
	wantErr(t, "type change with a BOM", err, errs.FailedPrecondition, "type")
	// Deleting the manufactured product takes its BOM with it.
	if err := e.svc.DeleteProduct(a, made.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteProduct(a, part.ID); err != nil {
		t.Fatalf("part no longer used: %v", err)
	}
}

func TestFindProducts(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant(t), e.newTenant(t)
	for i, name := range []string{"Widget", "Gadget", "Gizmo 100%", "Sprocket", "widget_small"} {
		p := e.mustProduct(t, a, fmt.Sprintf("SKU-%d", i), []Type{TypeStocked, TypeService, TypeManufactured}[i%3])
		if _, err := e.svc.UpdateProduct(a, p.ID, ProductInput{Name: ptr(name), Active: ptr(i != 3)}); err != nil {
			t.Fatal(err)
		}
	}
	e.mustProduct(t, b, "SKU-B", TypeStocked)
	skus := func(f Filter) string {
		t.Helper()
		var out []string
		for {
			page, err := e.svc.FindProducts(a, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				out = append(out, p.SKU)
			}
			if len(page) < f.Limit {
				return strings.Join(out, ",")
			}
			f.After = &page[len(page)-1].ID
		}
	}
	for _, tc := range []struct {
		f    Filter
		want string
	}{
		{Filter{Limit: 2}, "SKU-4,SKU-3,SKU-2,SKU-1,SKU-0"},
		{Filter{Limit: 2, Sort: "sku"}, "SKU-0,SKU-1,SKU-2,SKU-3,SKU-4"},
		{Filter{Limit: 2, Sort: "name"}, "SKU-1,SKU-2,SKU-3,SKU-0,SKU-4"},
		{Filter{Limit: 2, Sort: "-name"}, "SKU-4,SKU-0,SKU-3,SKU-2,SKU-1"},
		{Filter{Limit: 10, Q: "widget"}, "SKU-4,SKU-0"},
		{Filter{Limit: 10, Q: "%"}, "SKU-2"},   // LIKE wildcards are literal
		{Filter{Limit: 10, Q: "t_s"}, "SKU-4"}, // so is _
		{Filter{Limit: 10, Type: TypeService}, "SKU-4,SKU-1"},
		{Filter{Limit: 10, Active: ptr(false)}, "SKU-3"},
		{Filter{Limit: 10, Q: "sku-b"}, ""},
	} {
		if got := skus(tc.f); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.f, got, tc.want)
		}
	}
	for _, f := range []Filter{{Sort: "price"}, {Type: "x"}, {Q: strings.Repeat("q", 101)}} {
		_, err := e.svc.FindProducts(a, f)
		wantErr(t, fmt.Sprintf("filter %+v", f), err, errs.Invalid, "")
	}
	foreign := uuid.Must(uuid.NewV7())
	_, err := e.svc.FindProducts(a, Filter{Sort: "name", After: &foreign})
	wantErr(t, "unknown cursor", err, errs.Invalid, "cursor")
}

// TestProductCache: reads by id and SKU are served from the cache, every
// write moves them on after commit, and a failing cache never fails a read.
func TestProductCache(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant(t), e.newTenant(t)
	p := e.mustProduct(t, a, "CACHED", TypeStocked)
	for range 2 { // the second read is a hit
		if got, err := e.svc.ProductBySKU(a, "CACHED"); err != nil || got.ID != p.ID {
			t.Fatalf("by sku: %+v %v", got, err)
		}
		if got, err := e.svc.GetProduct(a, p.ID); err != nil || got.SKU != "CACHED" {
			t.Fatalf("by id: %+v %v", got, err)
		}
	}
	if _, err := e.svc.UpdateProduct(a, p.ID, ProductInput{SKU: ptr("RENAMED"), ListPriceMinor: ptr[int64](99)}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.GetProduct(a, p.ID); err != nil || got.ListPriceMinor != 99 {
		t.Errorf("after update by id: %+v %v", got, err)
	}
	_, err := e.svc.ProductBySKU(a, "CACHED")
	wantErr(t, "old sku after rename", err, errs.NotFound, "")
	_, err = e.svc.GetProduct(b, p.ID)
	wantErr(t, "cached product from another tenant", err, errs.NotFound, "")
	_, err = e.svc.ProductBySKU(b, "RENAMED")
	wantErr(t, "cached sku from another tenant", err, errs.NotFound, "")

	// A refused write (rolled back) must not have been visible either.
	_, err = e.svc.UpdateProduct(a, p.ID, ProductInput{TaxRateID: ptr(uuid.New())})
	wantErr(t, "unknown tax", err, errs.Invalid, "tax_rate_id")

	broken := NewService(e.db, Options{Cache: failingCache{e.cache}})
	if got, err := broken.GetProduct(a, p.ID); err != nil || got.SKU != "RENAMED" {
		t.Errorf("read with a failing cache: %+v %v", got, err)
	}
	if got, err := broken.ProductBySKU(a, "RENAMED"); err != nil || got.ID != p.ID {
		t.Errorf("read by sku with a failing cache: %+v %v", got, err)
	}
	if _, err := broken.UpdateProduct(a, p.ID, ProductInput{Name: ptr("still writes")}); err != nil {
		t.Errorf("write with a failing cache: %v", err)
	}
}

// failingCache fails every call, as Redis does when it is down.
type failingCache struct{ cache.Cache }

var errDown = errors.New("cache down")

func (failingCache) Get(context.Context, string) ([]byte, bool, error)          { return nil, false, errDown }
func (failingCache) Set(context.Context, string, []byte, time.Duration) error   { return errDown }
func (failingCache) Incr(context.Context, string, time.Duration) (int64, error) { return 0, errDown }
func (failingCache) Del(context.Context, ...string) error                       { return errDown }
