package crm

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

func TestHTTPAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	a := e.newApp(t)
	r := a.do(ctx, nil, "POST", "/api/v1/accounts", `{"name":"Acme","tax_id":"B1","credit_limit_minor":4000000,
		"billing_address":{"line1":"Gran Via 1","city":"Madrid","postal_code":"28013","country":"ES"}}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id, _ := r.json()["id"].(string)
	if r = a.do(ctx, nil, "GET", "/api/v1/accounts/"+id, ""); r.status != 200 || r.json()["credit_limit_minor"] != 4e6 {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "PATCH", "/api/v1/accounts/"+id, `{"payment_terms_days":60,"owner_user_id":null}`); r.status != 200 ||
		r.json()["payment_terms_days"] != 60.0 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if r = a.do(ctx, nil, "GET", "/api/v1/accounts?q=acm&limit=1", ""); r.status != 200 || len(r.json()["items"].([]any)) != 1 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ method, path, body, field string }{
		{"POST", "/api/v1/accounts", `{}`, "name"},
		{"POST", "/api/v1/accounts", `{"name":"x","tenant_id":"y"}`, "tenant_id"},
		{"POST", "/api/v1/accounts", `{"name":"x","credit_limit_minor":1.5}`, "credit_limit_minor"},
		{"POST", "/api/v1/accounts", `{"name":"x","owner_user_id":"nope"}`, "owner_user_id"},
		{"POST", "/api/v1/accounts", `{"name":"x","billing_address":{"country":"Spain"}}`, "billing_address.country"},
		{"PATCH", "/api/v1/accounts/" + id, `{"email":"x"}`, "email"},
		{"GET", "/api/v1/accounts?limit=1000", "", "limit"},
		{"GET", "/api/v1/accounts?cursor=!!", "", "cursor"},
		{"GET", "/api/v1/accounts?active=maybe", "", "active"},
	} {
		r := a.do(ctx, nil, c.method, c.path, c.body)
		if r.status != 400 || r.field(c.field) == "" || !strings.Contains(r.ctype, "problem+json") {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, r.status, r.body)
		}
	}
	if r = a.do(ctx, []string{"accounts:read"}, "POST", "/api/v1/accounts", `{"name":"x"}`); r.status != 403 {
		t.Errorf("create without accounts:write: %d", r.status)
	}
}

// TestHTTPIsolation: another tenant's account id gets exactly the answer of
// a nonexistent id on every :id route, and nothing changes (T4).
func TestHTTPIsolation(t *testing.T) {
	e := newEnv(t)
	ctxA, ctxB := e.newTenant(t), e.newTenant(t)
	acct := e.mustAccount(t, ctxA, "Secret Customer")
	a := e.newApp(t)
	missing := uuid.Must(uuid.NewV7()).String()
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/accounts/%s", ""},
		{"PATCH", "/api/v1/accounts/%s", `{"name":"Hijacked"}`},
	} {
		foreign := a.do(ctxB, nil, c.method, strings.Replace(c.path, "%s", acct.ID.String(), 1), c.body)
		none := a.do(ctxB, nil, c.method, strings.Replace(c.path, "%s", missing, 1), c.body)
		fj, nj := foreign.json(), none.json()
		delete(fj, "request_id")
		delete(nj, "request_id")
		if foreign.status != 404 || foreign.status != none.status || fj["detail"] != nj["detail"] {
			t.Errorf("%s %s: foreign %d %s, missing %d %s", c.method, c.path, foreign.status, foreign.body, none.status, none.body)
		}
	}
	if r := a.do(ctxB, nil, "GET", "/api/v1/accounts?q=secret", ""); len(r.json()["items"].([]any)) != 0 {
		t.Errorf("tenant B lists A's account: %s", r.body)
	}
	if got, _ := e.svc.GetAccount(ctxA, acct.ID); got.Name != "Secret Customer" {
		t.Errorf("tenant B changed A's account: %+v", got)
	}
}

// FuzzAccountBody: any body is a clean 4xx or a valid input, never a panic.
func FuzzAccountBody(f *testing.F) {
	f.Add([]byte(`{"name":"Acme","credit_limit_minor":100,"billing_address":{"country":"ES"}}`))
	f.Add([]byte(`{"owner_user_id":null,"payment_terms_days":-1}`))
	f.Add([]byte(`{"name":"x","tenant_id":"y"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeAccount(body)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("decode %q: %v", body, err)
			}
			return
		}
		for _, creating := range []bool{true, false} {
			if err := in.check(creating); err != nil && errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("check %q: %v", body, err)
			}
		}
	})
}
