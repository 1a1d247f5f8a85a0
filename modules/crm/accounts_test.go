package crm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/tenant"
)

func TestAccountCreateDefaultsAndUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	a, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("  Acme SL "), TaxID: ptr("B12345678"),
		Billing: &Address{Line1: "Calle 1", City: "Madrid", Country: "es"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Acme SL" || a.PaymentTermsDays != 30 || a.Currency != "EUR" || !a.Active || a.Billing.Country != "ES" {
		t.Fatalf("defaults: %+v", a)
	}
	rep := uuid.Must(uuid.NewV7())
	e.newUser(t, ctx, rep)
	got, err := e.svc.UpdateAccount(ctx, a.ID, AccountInput{OwnerUserID: &rep, CreditLimitMinor: ptr[int64](4_000_000),
		Currency: ptr("USD"), PaymentTermsDays: ptr(0)})
	if err != nil {
		t.Fatal(err)
	}
	if *got.OwnerUserID != rep || got.CreditLimitMinor != 4_000_000 || got.Currency != "USD" || got.PaymentTermsDays != 0 ||
		got.TaxID != "B12345678" || got.Billing.City != "Madrid" {
		t.Fatalf("update: %+v", got)
	}
	if got, err = e.svc.UpdateAccount(ctx, a.ID, AccountInput{OwnerUserID: ptr(uuid.Nil)}); err != nil || got.OwnerUserID != nil {
		t.Fatalf("clear owner: %+v %v", got, err)
	}
	again, err := e.svc.GetAccount(ctx, a.ID)
	if err != nil || again.CreditLimitMinor != 4_000_000 || again.OwnerUserID != nil {
		t.Fatalf("get: %+v %v", again, err)
	}
	evs, err := e.db.FindAudit(ctx, tenant.AuditFilter{Resource: "accounts", ResourceID: a.ID.String(), Limit: 10})
	if err != nil || len(evs) != 3 {
		t.Fatalf("audit rows: %d %v", len(evs), err)
	}
}

func TestAccountBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	a := e.mustAccount(t, ctx, "Acme")
	other := e.newTenant(t)
	foreignUser, _ := tenant.PrincipalFrom(other)
	for _, c := range []struct {
		in    AccountInput
		field string
	}{
		{AccountInput{}, "name"},
		{AccountInput{Name: ptr("  ")}, "name"},
		{AccountInput{Name: ptr("x"), Email: ptr("nope")}, "email"},
		{AccountInput{Name: ptr("x"), PaymentTermsDays: ptr(-1)}, "payment_terms_days"},
		{AccountInput{Name: ptr("x"), CreditLimitMinor: ptr[int64](-5)}, "credit_limit_minor"},
		{AccountInput{Name: ptr("x"), Currency: ptr("eur")}, "currency"},
		{AccountInput{Name: ptr("x"), Shipping: &Address{Country: "ESP"}}, "shipping_address.country"},
		{AccountInput{Name: ptr("x\x00")}, "name"},
		{AccountInput{Name: ptr("x"), OwnerUserID: ptr(uuid.Must(uuid.NewV7()))}, "owner_user_id"},
		// A user of another tenant is no user here (T4).
		{AccountInput{Name: ptr("x"), OwnerUserID: &foreignUser.ID}, "owner_user_id"},
	} {
		_, err := e.svc.CreateAccount(ctx, c.in)
		wantErr(t, fmt.Sprintf("create %+v", c.in), err, errs.Invalid, c.field)
	}
	_, err := e.svc.UpdateAccount(ctx, a.ID, AccountInput{Name: ptr("")})
	wantErr(t, "empty name", err, errs.Invalid, "name")
	list, _ := e.svc.FindAccounts(ctx, Filter{})
	if len(list) != 1 {
		t.Fatalf("bad input created accounts: %d", len(list))
	}
}

func TestFindAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	for i := range 5 {
		_, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr(fmt.Sprintf("Firm %d", i)),
			TaxID: ptr(fmt.Sprintf("TAX%d", i)), Email: ptr(fmt.Sprintf("buyer%d@firm.example", i))})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.mustAccount(t, ctx, "100% Natural_Foods")
	other := e.newTenant(t)
	e.mustAccount(t, other, "Firm of another tenant")
	for q, want := range map[string]int{"": 6, "firm": 5, "tax3": 1, "BUYER4@": 1, "%": 1, "_": 1, "nothing": 0} {
		list, err := e.svc.FindAccounts(ctx, Filter{Q: q})
		if err != nil || len(list) != want {
			t.Errorf("q=%q: %d accounts, want %d (%v)", q, len(list), want, err)
		}
	}
	// Pages of 2, newest first, cover everything exactly once.
	seen := map[uuid.UUID]bool{}
	var after *uuid.UUID
	for {
		page, err := e.svc.FindAccounts(ctx, Filter{Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			if seen[a.ID] {
				t.Fatalf("%s twice", a.Name)
			}
			seen[a.ID] = true
		}
		if len(page) < 2 {
			break
		}
		after = &page[len(page)-1].ID
	}
	if len(seen) != 6 {
		t.Fatalf("paged %d accounts", len(seen))
	}
	_, err := e.svc.FindAccounts(ctx, Filter{Q: strings.Repeat("x", 101)})
	wantErr(t, "long q", err, errs.Invalid, "q")
}
