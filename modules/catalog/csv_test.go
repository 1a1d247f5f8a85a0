package catalog

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"nexo/internal/errs"
)

func importCSV(t *testing.T, e *env, ctx context.Context, csv string, opt ImportOptions) (ImportReport, error) {
	t.Helper()
	return e.svc.ImportProducts(ctx, strings.NewReader(csv), opt)
}

func issueAt(rep ImportReport, row int, field string) bool {
	for _, is := range rep.Issues {
		if is.Row == row && is.Field == field {
			return true
		}
	}
	return false
}

func TestImportDryRunAndCommit(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant(t)
	old := e.mustProduct(t, a, "OLD-1", TypeStocked)
	good := "sku,name,list_price_minor,currency,type,unit,lot_tracked\n" +
		"NEW-1,Bolt,25,EUR,purchased,unit,true\n" +
		"NEW-2,\"'=SUM(A1)\",40,EUR,,kg,\n" +
		"OLD-1,Renamed,,,,,\n"
	rep, err := importCSV(t, e, a, good, ImportOptions{DryRun: true})
	if err != nil || rep.Rows != 3 || rep.Created != 2 || rep.Updated != 1 || len(rep.Issues) != 0 || rep.Applied {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if _, err := e.svc.ProductBySKU(a, "NEW-1"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("the dry run wrote: %v", err)
	}
	rep, err = importCSV(t, e, a, good, ImportOptions{})
	if err != nil || !rep.Applied {
		t.Fatalf("commit: %+v %v", rep, err)
	}
	bolt, err := e.svc.ProductBySKU(a, "NEW-1")
	if err != nil || bolt.Type != TypePurchased || !bolt.LotTracked || bolt.ListPriceMinor != 25 {
		t.Fatalf("imported: %+v %v", bolt, err)
	}
	if f, _ := e.svc.ProductBySKU(a, "NEW-2"); f.Name != "=SUM(A1)" || f.Unit != "kg" || f.Type != TypeStocked {
		t.Fatalf("defused name and defaults: %+v", f)
	}
	if o, _ := e.svc.GetProduct(a, old.ID); o.Name != "Renamed" || o.ListPriceMinor != 1000 {
		t.Fatalf("updated row: %+v", o)
	}
	if n := e.auditCount(t, a, "product.created"); n != 3 {
		t.Errorf("%d product.created audit rows, want 3", n)
	}
}

// TestImportAllOrNothing: one bad row anywhere and nothing is applied.
func TestImportAllOrNothing(t *testing.T) {
	e := newEnv(t)
	a, b := e.newTenant(t), e.newTenant(t)
	e.mustProduct(t, a, "TAKEN", TypeStocked)
	foreignTax := e.mustTaxRate(t, b, "VAT")
	bad := "sku,name,list_price_minor,currency,reorder_point,tax_rate_id\n" +
		"OK-1,Fine,10,EUR,,\n" + // row 2
		"OK-2,Fine,-10,EUR,,\n" + // row 3: negative price
		"OK-3,Fine,10,eur,,\n" + // row 4: bad currency
		"OK-1,Again,10,EUR,,\n" + // row 5: repeats row 2
		"OK-4,Fine,ten,EUR,,\n" + // row 6: not a number
		"OK-5,,10,EUR,-1,\n" + // row 7: missing name (new), negative reorder point
		"OK-6,Fine,10,EUR,," + foreignTax.String() + "\n" + // row 8: another tenant's tax rate
		"TAKEN,,,,5,\n" // row 9: an update, fine
	rep, err := importCSV(t, e, a, bad, ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		row   int
		field string
	}{{3, "list_price_minor"}, {4, "currency"}, {5, "sku"}, {6, "list_price_minor"}, {7, "name"}, {7, "reorder_point"}, {8, "tax_rate_id"}} {
		if !issueAt(rep, want.row, want.field) {
			t.Errorf("no issue at row %d %s: %+v", want.row, want.field, rep.Issues)
		}
	}
	if issueAt(rep, 2, "sku") || issueAt(rep, 9, "sku") {
		t.Errorf("good rows reported: %+v", rep.Issues)
	}
	rep, err = importCSV(t, e, a, bad, ImportOptions{})
	wantErr(t, "commit with bad rows", err, errs.Invalid, "rows[3].list_price_minor")
	if rep.Applied {
		t.Error("report says applied")
	}
	if _, err := e.svc.ProductBySKU(a, "OK-1"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a refused import applied row 2: %v", err)
	}
	if taken, _ := e.svc.ProductBySKU(a, "TAKEN"); taken.ReorderPoint != 0 {
		t.Fatalf("a refused import applied row 9: %+v", taken)
	}
}

func TestImportHeaderAndCost(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant(t)
	for _, tc := range []struct {
		csv, field string
		opt        ImportOptions
	}{
		{"", "csv", ImportOptions{}},
		{"name,price\nX,1\n", "price", ImportOptions{}},
		{"name\nX\n", "sku", ImportOptions{}},
		{"sku,sku\nA,B\n", "sku", ImportOptions{}},
		{"sku,name,list_price_minor,currency,cost_minor\nC-1,C,1,EUR,5\n", "cost_minor", ImportOptions{}},
		{"sku,name\n\"unterminated\n", "csv", ImportOptions{}},
		{"sku,name\nA,B,C\n", "csv", ImportOptions{}},
	} {
		tc.opt.DryRun = true
		rep, err := importCSV(t, e, a, tc.csv, tc.opt)
		if err != nil || len(rep.Issues) == 0 || !(issueAt(rep, 1, tc.field) || issueAt(rep, 2, tc.field)) {
			t.Errorf("%q: %+v %v, want an issue on %s", tc.csv, rep, err, tc.field)
		}
	}
	rep, err := importCSV(t, e, a, "sku,name,list_price_minor,currency,cost_minor\nC-1,C,1,EUR,5\n", ImportOptions{AllowCost: true})
	if err != nil || !rep.Applied {
		t.Fatalf("with cost allowed: %+v %v", rep, err)
	}
}

func TestExportRoundTrip(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant(t)
	p := e.mustProduct(t, a, "EXP-1", TypeManufactured)
	if _, err := e.svc.UpdateProduct(a, p.ID, ProductInput{Name: ptr("+Plus, \"quoted\""), Description: ptr("two\nlines")}); err != nil {
		t.Fatal(err)
	}
	e.mustProduct(t, a, "EXP-2", TypeService)
	export := func(withCost bool, f Filter) string {
		var buf bytes.Buffer
		err := WriteProductsCSV(&buf, withCost, func(fn func(Product) error) error { return e.svc.EachProduct(a, f, fn) })
		if err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	out := export(false, Filter{Type: TypeManufactured})
	if strings.Contains(out, "cost_minor") || strings.Contains(out, "EXP-2") || !strings.Contains(out, `"'+Plus, ""quoted"""`) {
		t.Fatalf("export without cost:\n%s", out)
	}
	if !strings.Contains(export(true, Filter{}), "cost_minor") {
		t.Fatal("export with cost lacks the column")
	}
	// Importing the export changes nothing (and is valid).
	rep, err := importCSV(t, e, a, export(true, Filter{}), ImportOptions{AllowCost: true})
	if err != nil || rep.Updated != 2 || rep.Created != 0 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	if got, _ := e.svc.GetProduct(a, p.ID); got.Name != "+Plus, \"quoted\"" || got.Description != "two\nlines" {
		t.Fatalf("round trip: %+v", got)
	}
}
