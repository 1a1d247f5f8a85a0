package catalog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/web"
)

func TestHTTPProducts(t *testing.T) {
	e := newEnv(t)
	app := e.newApp(t)
	owner := caller{ctx: e.newTenant(t)}
	clerk := caller{ctx: owner.ctx, perms: []string{"products:read", "products:write", "imports:run"}} // no costs:read

	r := app.do(owner, "POST", "/api/v1/products", `{"sku":"H-1","name":"Hammer","list_price_minor":1500,"currency":"EUR","cost_minor":700}`)
	if r.status != 201 || r.json()["cost_minor"] != float64(700) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json()["id"].(string)
	r = app.do(clerk, "GET", "/api/v1/products/"+id, "")
	if r.status != 200 || bytes.Contains(r.body, []byte("cost")) {
		t.Fatalf("cost shown without %s: %s", CostPerm, r.body)
	}
	for _, path := range []string{"/api/v1/products", "/api/v1/products.csv"} {
		if r := app.do(clerk, "GET", path, ""); r.status != 200 || bytes.Contains(r.body, []byte("cost")) {
			t.Errorf("%s shows cost without %s: %s", path, CostPerm, r.body)
		}
	}
	if r := app.do(owner, "GET", "/api/v1/products.csv?type=stocked", ""); r.status != 200 || !strings.HasPrefix(r.ctype, "text/csv") || !bytes.Contains(r.body, []byte("cost_minor")) {
		t.Errorf("export with cost: %d %s %s", r.status, r.ctype, r.body)
	}
	r = app.do(clerk, "PATCH", "/api/v1/products/"+id, `{"cost_minor":1}`)
	if r.status != 403 || r.field("cost_minor") == "" {
		t.Errorf("cost set without %s: %d %s", CostPerm, r.status, r.body)
	}
	r = app.do(clerk, "PATCH", "/api/v1/products/"+id, `{"name":"Claw hammer","tax_rate_id":null}`)
	if r.status != 200 || r.json()["name"] != "Claw hammer" || bytes.Contains(r.body, []byte("cost")) {
		t.Errorf("patch: %d %s", r.status, r.body)
	}

	// Bad input: 4xx problem+json naming the field, never 5xx.
	for _, tc := range []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"POST", "/api/v1/products", `{"sku":"T","name":"T","list_price_minor":1,"currency":"EUR","tenant_id":"` + uuid.NewString() + `"}`, 400, "tenant_id"},
		{"POST", "/api/v1/products", `{"sku":"H-1","name":"Dup","list_price_minor":1,"currency":"EUR"}`, 409, "sku"},
		{"POST", "/api/v1/products", `{"sku":"N","name":"N","list_price_minor":-1,"currency":"EUR"}`, 400, "list_price_minor"},
		{"POST", "/api/v1/products", `{"sku":"N","name":"N","list_price_minor":1.5,"currency":"EUR"}`, 400, "list_price_minor"},
		{"POST", "/api/v1/products", `{"sku":"N","name":"N","list_price_minor":1,"currency":"EURO"}`, 400, "currency"},
		{"POST", "/api/v1/products", `{"sku":"N","name":"N","list_price_minor":1,"currency":"EUR","tax_rate_id":"` + uuid.NewString() + `"}`, 400, "tax_rate_id"},
		{"POST", "/api/v1/products", `{"sku":"N","name":"N","list_price_minor":1,"currency":"EUR","tax_rate_id":"x"}`, 400, "tax_rate_id"},
		{"POST", "/api/v1/products", `{"sku":"N","name":"N","list_price_minor":1,"currency":"EUR","type":"x"}`, 400, "type"},
		{"GET", "/api/v1/products?limit=500", "", 400, "limit"},
		{"GET", "/api/v1/products?sort=cost", "", 400, "sort"},
		{"GET", "/api/v1/products?q=%00", "", 400, "q"},
		{"GET", "/api/v1/price-lists?q=a%01", "", 400, "q"},
		{"GET", "/api/v1/products?active=maybe", "", 400, "active"},
		{"GET", "/api/v1/products?cursor=!!", "", 400, "cursor"},
		{"PUT", "/api/v1/boms/" + id, `{"lines":[{"component_id":"` + uuid.NewString() + `","quantity":1}]}`, 422, ""},
		{"POST", "/api/v1/price-lists", `{"name":"L","currency":"eur"}`, 400, "currency"},
		{"POST", "/api/v1/imports", `{"resource":"customers","csv":"x"}`, 400, "resource"},
		{"POST", "/api/v1/imports?resource=products&dry_run=false", "sku,name\nX,\n", 400, "rows[2].name"},
	} {
		r := app.do(owner, tc.method, tc.path, tc.body)
		if r.status != tc.status || r.ctype != "application/problem+json" || (tc.field != "" && r.field(tc.field) == "") {
			t.Errorf("%s %s %s: %d %s", tc.method, tc.path, tc.body, r.status, r.body)
		}
	}
}

func TestHTTPListsAndImport(t *testing.T) {
	e := newEnv(t)
	app := e.newApp(t)
	owner := caller{ctx: e.newTenant(t)}
	r := app.do(owner, "POST", "/api/v1/imports?resource=products", "sku,name,list_price_minor,currency,type\nM-1,Made,100,EUR,manufactured\nC-1,Part,5,EUR,purchased\n")
	if r.status != 200 || r.json()["dry_run"] != true || r.json()["created"] != float64(2) || r.json()["applied"] != false {
		t.Fatalf("default dry run: %d %s", r.status, r.body)
	}
	r = app.do(owner, "POST", "/api/v1/imports", `{"resource":"products","dry_run":false,"csv":"sku,name,list_price_minor,currency,type\nM-1,Made,100,EUR,manufactured\nC-1,Part,5,EUR,purchased\n"}`)
	if r.status != 200 || r.json()["applied"] != true {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	m, _ := e.svc.ProductBySKU(owner.ctx, "M-1")
	c, _ := e.svc.ProductBySKU(owner.ctx, "C-1")
	r = app.do(owner, "PUT", "/api/v1/boms/"+m.ID.String(), fmt.Sprintf(`{"lines":[{"component_id":"%s","quantity":3}]}`, c.ID))
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"sku":"C-1"`)) {
		t.Fatalf("put bom: %d %s", r.status, r.body)
	}
	if r := app.do(owner, "GET", "/api/v1/boms?component_id="+c.ID.String(), ""); r.status != 200 || !bytes.Contains(r.body, []byte(m.ID.String())) {
		t.Errorf("where used: %d %s", r.status, r.body)
	}
	r = app.do(owner, "POST", "/api/v1/price-lists", `{"name":"Retail","currency":"EUR"}`)
	if r.status != 201 {
		t.Fatalf("create list: %d %s", r.status, r.body)
	}
	pl := r.json()["id"].(string)
	r = app.do(owner, "PUT", "/api/v1/price-lists/"+pl+"/items", fmt.Sprintf(`{"items":[{"product_id":"%s","min_quantity":1,"price_minor":90}]}`, m.ID))
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"price_minor":90`)) {
		t.Fatalf("put items: %d %s", r.status, r.body)
	}
	if r := app.do(owner, "GET", "/api/v1/price-lists?q=ret", ""); r.status != 200 || !bytes.Contains(r.body, []byte(pl)) || bytes.Contains(r.body, []byte("price_minor")) {
		t.Errorf("list price lists: %d %s", r.status, r.body)
	}
	if r := app.do(owner, "DELETE", "/api/v1/products/"+c.ID.String(), ""); r.status != 409 {
		t.Errorf("delete a component: %d %s", r.status, r.body)
	}
	// Importing products needs products:write besides imports:run.
	importer := caller{ctx: owner.ctx, perms: []string{"imports:run"}}
	if r := app.do(importer, "POST", "/api/v1/imports?resource=products", "sku\nX\n"); r.status != 403 {
		t.Errorf("import without products:write: %d %s", r.status, r.body)
	}
}

// TestHTTPIsolation: for every route with an id, tenant B asking for tenant
// A's object gets exactly the answer of an id that does not exist, and A's
// objects are unchanged (T4).
func TestHTTPIsolation(t *testing.T) {
	e := newEnv(t)
	app := e.newApp(t)
	a, b := caller{ctx: e.newTenant(t)}, caller{ctx: e.newTenant(t)}
	made := e.mustProduct(t, a.ctx, "ISO-M", TypeManufactured)
	part := e.mustProduct(t, a.ctx, "ISO-C", TypePurchased)
	if _, err := e.svc.SetBOM(a.ctx, made.ID, []BOMLineInput{{part.ID, 2}}); err != nil {
		t.Fatal(err)
	}
	pl, err := e.svc.CreatePriceList(a.ctx, PriceListInput{Name: ptr("A list"), Currency: ptr("EUR")})
	if err != nil {
		t.Fatal(err)
	}
	bPart := e.mustProduct(t, b.ctx, "B-C", TypePurchased)
	missing := uuid.Must(uuid.NewV7()).String()
	routes := []struct{ method, path, body string }{
		{"GET", "/api/v1/products/%s", ""},
		{"PATCH", "/api/v1/products/%s", `{"name":"taken over"}`},
		{"DELETE", "/api/v1/products/%s", ""},
		{"GET", "/api/v1/boms/%s", ""},
		{"PUT", "/api/v1/boms/%s", `{"lines":[{"component_id":"` + bPart.ID.String() + `","quantity":1}]}`},
		{"GET", "/api/v1/price-lists/%s", ""},
		{"PATCH", "/api/v1/price-lists/%s", `{"name":"taken over"}`},
		{"PUT", "/api/v1/price-lists/%s/items", `{"items":[]}`},
		{"DELETE", "/api/v1/price-lists/%s", ""},
	}
	for _, rt := range routes {
		own := made.ID.String()
		if strings.Contains(rt.path, "price-lists") {
			own = pl.ID.String()
		}
		foreign := app.do(b, rt.method, fmt.Sprintf(rt.path, own), rt.body)
		none := app.do(b, rt.method, fmt.Sprintf(rt.path, missing), rt.body)
		if foreign.status != 404 || foreign.status != none.status || foreign.json()["detail"] != none.json()["detail"] {
			t.Errorf("%s %s: foreign %d %s, nonexistent %d %s", rt.method, rt.path, foreign.status, foreign.body, none.status, none.body)
		}
	}
	if got, err := e.svc.GetProduct(a.ctx, made.ID); err != nil || got.Name != made.Name {
		t.Errorf("A's product changed: %+v %v", got, err)
	}
	if got, err := e.svc.GetBOM(a.ctx, made.ID); err != nil || len(got.Lines) != 1 {
		t.Errorf("A's BOM changed: %+v %v", got, err)
	}
	if got, err := e.svc.GetPriceList(a.ctx, pl.ID); err != nil || got.Name != "A list" {
		t.Errorf("A's price list changed: %+v %v", got, err)
	}
	// Lists and exports show nothing of A's.
	for _, path := range []string{"/api/v1/products", "/api/v1/products.csv", "/api/v1/boms", "/api/v1/price-lists",
		"/api/v1/products?q=ISO", "/api/v1/boms?component_id=" + part.ID.String()} {
		if r := app.do(b, "GET", path, ""); r.status != 200 || bytes.Contains(r.body, []byte("ISO-")) || bytes.Contains(r.body, []byte(made.ID.String())) {
			t.Errorf("%s shows A's data to B: %d %s", path, r.status, r.body)
		}
	}
	// A cursor naming A's product is not a way in either.
	if r := app.do(b, "GET", "/api/v1/products?sort=name&cursor="+web.EncodeCursor(made.ID.String()), ""); r.status != 400 {
		t.Errorf("foreign cursor: %d %s", r.status, r.body)
	}
}
