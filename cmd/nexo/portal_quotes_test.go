package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestPortalQuotes is P5: a customer sees the quotes sent to their account
// (never drafts, never another account's), with the customer allow-list
// (no rep, opportunity, live availability or credit check); accepting runs
// the staff flow (order made, stock reserved, the deal won); declining
// records their reason; a customer cannot send, edit or revise.
func TestPortalQuotes(t *testing.T) {
	ta, _ := newClockedApp(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	owner := ta.signup("portal-quotes")
	chair, _ := ta.chairWorks(t, owner)
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme", "currency": "EUR", "email": "buy@acme.example.com"})
	rival := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Rival", "currency": "EUR", "email": "buy@rival.example.com"})
	opp := ta.erpCreate(t, owner, "/api/v1/opportunities", map[string]any{"account_id": acme, "name": "Chairs",
		"lines": []map[string]any{{"product_id": chair, "quantity": 100}}})
	sent := ta.erpCreate(t, owner, "/api/v1/quotes", map[string]any{"opportunity_id": opp})
	ta.quoteAction(t, owner, sent, "send", nil, 200)
	draft := ta.erpCreate(t, owner, "/api/v1/quotes", orderBody(acme, chair, 5))
	other := ta.erpCreate(t, owner, "/api/v1/quotes", orderBody(rival, chair, 7))
	ta.quoteAction(t, owner, other, "send", nil, 200)
	second := ta.erpCreate(t, owner, "/api/v1/quotes", orderBody(acme, chair, 3))
	ta.quoteAction(t, owner, second, "send", nil, 200)

	cust := ta.portalCustomer(t, owner, "portal-quotes", acme, "cora@acme.example.com")
	var list struct {
		Items []map[string]any `json:"items"`
	}
	ta.do(cust, "GET", "/api/v1/quotes", nil).json(t, &list)
	ids := map[any]bool{}
	for _, q := range list.Items {
		ids[q["id"]] = true
	}
	if len(list.Items) != 2 || !ids[sent] || !ids[second] {
		t.Fatalf("the customer's quotes: %+v", list.Items)
	}
	r := ta.do(cust, "GET", "/api/v1/quotes/"+sent, nil)
	if r.Status != 200 {
		t.Fatalf("own quote: %d %s", r.Status, r.Body)
	}
	for _, internal := range []string{"owner_user_id", "opportunity_id", "price_list_id", "credit", "availability", "sent_to", "product_id"} {
		if strings.Contains(string(r.Body), `"`+internal+`"`) {
			t.Errorf("customer view carries %s: %s", internal, r.Body)
		}
	}
	missing := ta.do(cust, "GET", "/api/v1/quotes/01900000-0000-7000-8000-000000000000", nil)
	for _, id := range []string{draft, other} {
		if got := ta.do(cust, "GET", "/api/v1/quotes/"+id, nil); !sameProblem(got, missing) {
			t.Errorf("quote %s: %d %s, a missing one %d %s", id, got.Status, got.Body, missing.Status, missing.Body)
		}
		if got := ta.do(cust, "POST", "/api/v1/quotes/"+id+"/accept", nil); got.Status != 404 {
			t.Errorf("accepting quote %s: %d %s", id, got.Status, got.Body)
		}
	}
	if r := ta.do(cust, "GET", "/api/v1/quotes/"+sent+"/pdf", nil); r.Status != 200 {
		t.Errorf("pdf: %d", r.Status)
	}
	for _, c := range []struct{ method, path string }{{"POST", "/api/v1/quotes"}, {"PATCH", "/api/v1/quotes/" + sent},
		{"POST", "/api/v1/quotes/" + sent + "/send"}, {"POST", "/api/v1/quotes/" + sent + "/revise"}} {
		if r := ta.do(cust, c.method, c.path, map[string]any{}); r.Status != 403 {
			t.Errorf("%s %s as a customer: %d", c.method, c.path, r.Status)
		}
	}

	// Accepting: the same flow as staff, the customer's view of the answer.
	var acc struct {
		Quote      map[string]any `json:"quote"`
		Order      struct{ ID, Status string }
		Production []string `json:"production_orders"`
	}
	if err := json.Unmarshal(ta.quoteAction(t, cust, sent, "accept", nil, 200), &acc); err != nil {
		t.Fatal(err)
	}
	if acc.Quote["status"] != "accepted" || acc.Order.Status != "confirmed" || len(acc.Production) != 0 || acc.Quote["opportunity_id"] != nil {
		t.Errorf("accepted by the customer: %+v", acc)
	}
	if o := ta.order(t, owner, acc.Order.ID); o.Lines[0].ReservedQty != 100 {
		t.Errorf("order from the portal: %+v", o)
	}
	var oppBody struct {
		Status string `json:"status"`
	}
	ta.do(owner, "GET", "/api/v1/opportunities/"+opp, nil).json(t, &oppBody)
	if oppBody.Status != "won" {
		t.Errorf("opportunity: %+v", oppBody)
	}
	ta.quoteAction(t, cust, second, "decline", map[string]any{"reason": "found it cheaper"}, 200)
	if q := ta.quote(t, owner, second); q.Status != "declined" {
		t.Errorf("declined by the customer: %+v", q)
	}
}
