package crm

import (
	"errors"
	"testing"
)

// TestDuplicateWarningOnEdit: an edit that makes an account look like
// another gets the create's warning until confirmed; the account is never
// its own duplicate, and edits of other fields (or keys that do not
// change) are not refused for a look-alike confirmed before.
func TestDuplicateWarningOnEdit(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	acme, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("Acme S.L."), TaxID: ptr("B-111"), Email: ptr("info@acme.es")})
	if err != nil {
		t.Fatal(err)
	}
	beta := e.mustAccount(t, ctx, "Beta")
	for _, c := range []struct {
		in     AccountInput
		reason string
	}{
		{AccountInput{Name: ptr("ACME SL")}, "name"},
		{AccountInput{TaxID: ptr("b111")}, "tax_id"},
		{AccountInput{Email: ptr("INFO@acme.es")}, "email"},
	} {
		_, err := e.svc.UpdateAccount(ctx, beta.ID, c.in)
		var dup *DuplicateError
		if !errors.As(err, &dup) || len(dup.Candidates) != 1 || dup.Candidates[0].Account.ID != acme.ID ||
			dup.Candidates[0].Reasons[0] != c.reason {
			t.Errorf("edit to %s: %v %+v", c.reason, err, dup)
		}
	}
	if got, _ := e.svc.GetAccount(ctx, beta.ID); got.Name != "Beta" || got.TaxID != "" {
		t.Fatalf("a refused edit was saved: %+v", got)
	}
	// The account itself does not count: rewriting its own keys is fine.
	if _, err := e.svc.UpdateAccount(ctx, acme.ID, AccountInput{Name: ptr("ACME, S.L."), TaxID: ptr("B111"), Email: ptr("Info@Acme.es")}); err != nil {
		t.Errorf("own keys: %v", err)
	}
	// Confirmed, the edit is saved; later edits of other fields pass.
	if _, err := e.svc.UpdateAccount(ctx, beta.ID, AccountInput{Name: ptr("Acme"), ConfirmDuplicate: true}); err != nil {
		t.Fatalf("confirmed: %v", err)
	}
	if _, err := e.svc.UpdateAccount(ctx, beta.ID, AccountInput{Phone: ptr("+34 600"), Name: ptr("ACME")}); err != nil {
		t.Errorf("edit of a confirmed look-alike: %v", err)
	}
	// A changed tax id is checked on its own, not refused for the old name.
	if _, err := e.svc.UpdateAccount(ctx, beta.ID, AccountInput{TaxID: ptr("B-222")}); err != nil {
		t.Errorf("new unique tax id: %v", err)
	}
}

func TestHTTPDuplicateOnEdit(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	a := e.newApp(t)
	e.mustAccount(t, ctx, "Acme")
	beta := e.mustAccount(t, ctx, "Beta")
	r := a.do(ctx, nil, "PATCH", "/api/v1/accounts/"+beta.ID.String(), `{"name":"ACME S.A."}`)
	cands, _ := r.json()["candidates"].([]any)
	if r.status != 409 || len(cands) != 1 || r.ctype != "application/problem+json" {
		t.Fatalf("edit into a duplicate: %d %s", r.status, r.body)
	}
	r = a.do(ctx, nil, "PATCH", "/api/v1/accounts/"+beta.ID.String(), `{"name":"ACME S.A.","confirm_duplicate":true}`)
	if r.status != 200 || r.json()["name"] != "ACME S.A." {
		t.Fatalf("confirmed edit: %d %s", r.status, r.body)
	}
}
