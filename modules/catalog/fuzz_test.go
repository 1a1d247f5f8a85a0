package catalog

import (
	"bytes"
	"testing"

	"nexo/internal/errs"
)

// FuzzProductBody posts arbitrary bodies to POST /products and PATCH
// /products/{id}: never a 5xx, and every 4xx is problem+json (Q1).
func FuzzProductBody(f *testing.F) {
	for _, s := range []string{
		`{"sku":"F-1","name":"Fuzz","list_price_minor":100,"currency":"EUR"}`,
		`{"sku":"F-2","name":"F","type":"manufactured","unit":"kg","list_price_minor":0,"currency":"USD","cost_minor":5,"lot_tracked":true,"reorder_point":3,"lead_time_days":2,"daily_capacity":10,"active":false}`,
		`{"tax_rate_id":null}`, `{"tax_rate_id":""}`, `{"list_price_minor":9223372036854775807}`, `{"lead_time_days":1e99}`,
		`{"sku":"\u0000"}`, `{"tenant_id":"x"}`, `[]`, `null`, `{"name":["x"]}`, `{`,
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f)
	app := e.newApp(f)
	owner := caller{ctx: e.newTenant(f)}
	target := e.mustProduct(f, owner.ctx, "FUZZ-TARGET", TypeStocked)
	f.Fuzz(func(t *testing.T, body []byte) {
		app.t = t
		for _, req := range []struct{ method, path string }{
			{"POST", "/api/v1/products"}, {"PATCH", "/api/v1/products/" + target.ID.String()},
		} {
			r := app.send(owner, req.method, req.path, "application/json", string(body))
			if r.status >= 500 {
				t.Fatalf("%s %s: %d %s", req.method, body, r.status, r.body)
			}
			if r.status >= 400 && r.ctype != "application/problem+json" {
				t.Fatalf("%s %s: %d with %q", req.method, body, r.status, r.ctype)
			}
		}
	})
}

// FuzzImportCSV commits arbitrary CSV: the import either applies or fails
// with a client error and changes nothing (all or nothing, Q1).
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		"sku,name,list_price_minor,currency\nA,Apple,100,EUR\n",
		"sku,name,list_price_minor,currency,type,unit,lot_tracked,active,reorder_point,lead_time_days,daily_capacity,description\n" +
			"B,\"'=1+1\",5,USD,service,m,no,yes,0,0,0,\"multi\nline\"\n",
		"sku\nA\nA\n", "sku,name\n\"x\n", "\ufeffSKU,Name\nz,Z\n", "sku,cost_minor\nA,1\n", "", ",,,\n,,,\n",
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f)
	ctx := e.newTenant(f)
	count := func(t *testing.T) int {
		n := 0
		if err := e.svc.EachProduct(ctx, Filter{}, func(Product) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := count(t)
		rep, err := e.svc.ImportProducts(ctx, bytes.NewReader(data), ImportOptions{AllowCost: len(data)%2 == 0})
		if errs.CodeOf(err) == errs.Internal && err != nil {
			t.Fatalf("%q: internal error %v", data, err)
		}
		if err != nil && count(t) != before {
			t.Fatalf("%q: refused import changed the catalog (%d → %d)", data, before, count(t))
		}
		if err == nil && !rep.Applied {
			t.Fatalf("%q: no error and not applied: %+v", data, rep)
		}
	})
}
