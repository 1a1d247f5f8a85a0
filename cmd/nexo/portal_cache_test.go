package main

import (
	"strings"
	"testing"
)

// TestPortalReadCache: a customer's reads come from the portal cache once
// warm, and the outbox events of staff changes (a payment, a new or
// confirmed order) make the account's entries stale, on both engines (the
// memory cache embedded, Redis on PostgreSQL). Another account's changes
// leave them be.
func TestPortalReadCache(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("portal-cache")
	a := ta.tenantFixtures(t, owner, "a")
	b := ta.tenantFixtures(t, owner, "b")
	inv := a["invoice"]()
	cust := ta.portalCustomer(t, owner, "portal-cache", a["customer"](), "cache@a.example.com")
	read := func(path string) (string, result) {
		t.Helper()
		r := ta.do(cust, "GET", path, nil)
		if r.Status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		return r.Header.Get("X-Nexo-Cache"), r
	}
	var before, after struct {
		BalanceMinor int64 `json:"balance_minor"`
	}
	if st, _ := read("/api/v1/invoices/" + inv); st != "miss" {
		t.Fatalf("first read: %q", st)
	}
	st, r := read("/api/v1/invoices/" + inv)
	if st != "hit" {
		t.Fatalf("second read: %q", st)
	}
	r.json(t, &before)
	if r := ta.do(owner, "POST", "/api/v1/payments", map[string]any{"invoice_id": inv, "amount_minor": 100, "method": "transfer", "reference": "SEPA"}); r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Body)
	}
	st, r = read("/api/v1/invoices/" + inv)
	r.json(t, &after)
	if st != "miss" || after.BalanceMinor != before.BalanceMinor-100 {
		t.Fatalf("after a payment: %q, balance %d → %d", st, before.BalanceMinor, after.BalanceMinor)
	}

	read("/api/v1/orders")
	if st, _ := read("/api/v1/orders"); st != "hit" {
		t.Fatalf("orders again: %q", st)
	}
	b["order"]() // account B's new order leaves A's entries be
	if st, _ := read("/api/v1/orders"); st != "hit" {
		t.Errorf("orders after account B's change: %q", st)
	}
	order := a["order"]() // a draft, which customers do not see
	if _, r := read("/api/v1/orders"); strings.Contains(string(r.Body), order) {
		t.Fatalf("orders list a draft: %s", r.Body)
	}
	if r := ta.do(owner, "POST", "/api/v1/orders/"+order+"/confirm", nil); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	st, r = read("/api/v1/orders")
	if st != "miss" || !strings.Contains(string(r.Body), order) {
		t.Fatalf("orders after a confirmation: %q %s", st, r.Body)
	}
	if st, r := read("/api/v1/orders/" + order); st != "miss" || !strings.Contains(string(r.Body), `"confirmed"`) {
		t.Errorf("order after confirmation: %q %s", st, r.Body)
	}
}

// TestPortalWarmReadNoQueries: once the cache is warm and the session's
// principal was loaded on this instance a moment ago, a customer's order
// list sends no SQL at all (P1's hot path); disabling the contact's access
// still ends the session at once.
func TestPortalWarmReadNoQueries(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("portal-warm")
	acc := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Warm Buyer"})
	contact := ta.portalContact(t, owner, acc, "warm@a.example.com")
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+contact+"/portal-invite", nil); r.Status != 201 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	_, token := linkParams(t, ta.mailTo("warm@a.example.com"), "/portal/portal-warm/accept-invite")
	cust := ta.sessionFrom(ta.do(nil, "POST", "/api/v1/portal/portal-warm/accept-invite", map[string]string{"token": token, "password": testPassword}))
	ta.do(cust, "GET", "/api/v1/orders?limit=20", nil)
	sc := &stmtCounter{}
	ta.bun.AddQueryHook(sc)
	sc.on.Store(1)
	r := ta.do(cust, "GET", "/api/v1/orders?limit=20", nil)
	sc.on.Store(0)
	if r.Status != 200 || r.Header.Get("X-Nexo-Cache") != "hit" || sc.n.Load() != 0 {
		t.Errorf("warm read: %d %s, %d statements", r.Status, r.Header.Get("X-Nexo-Cache"), sc.n.Load())
	}
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+contact+"/portal-disable", nil); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := ta.do(cust, "GET", "/api/v1/orders?limit=20", nil); r.Status != 401 {
		t.Errorf("read after the contact's access was disabled: %d %s", r.Status, r.Body)
	}
}
