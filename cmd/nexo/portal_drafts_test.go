package main

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestPortalHidesDraftOrders: a draft is staff's work in progress, so a
// portal customer does not see it, in the list or by id on any route that
// reads an order (detail, history, returnable lines, a ticket's order
// link), each answering exactly like a missing id; once staff confirm it
// the customer sees it. A draft cancelled without ever being confirmed
// stays hidden; an order cancelled after confirmation stays visible.
func TestPortalHidesDraftOrders(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("portal-drafts")
	product := ta.createID(t, owner, "/api/v1/products", productBody("PD", "stocked"))
	acc := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Drafts Buyer"})
	cust := ta.portalCustomer(t, owner, "portal-drafts", acc, "dora@drafts.example.com")
	draft := ta.createID(t, owner, "/api/v1/orders", orderBody(acc, product, 2))

	lists := func(id string) bool {
		t.Helper()
		r := ta.do(cust, "GET", "/api/v1/orders", nil)
		if r.Status != 200 {
			t.Fatalf("customer's orders: %d %s", r.Status, r.Body)
		}
		return strings.Contains(string(r.Body), id)
	}
	missingID := uuid.Must(uuid.NewV7()).String()
	hidden := func(what, id string) {
		t.Helper()
		if lists(id) {
			t.Errorf("%s: listed to the customer", what)
		}
		for _, p := range []string{"/api/v1/orders/%s", "/api/v1/orders/%s/history", "/api/v1/orders/%s/returnable"} {
			got := ta.do(cust, "GET", strings.Replace(p, "%s", id, 1), nil)
			missing := ta.do(cust, "GET", strings.Replace(p, "%s", missingID, 1), nil)
			if got.Status < 400 || got.Status != missing.Status || !sameProblem(got, missing) {
				t.Errorf("%s: GET %s answers %d %s; a missing id %d %s", what, p, got.Status, got.Body, missing.Status, missing.Body)
			}
		}
		ticket := func(order string) result {
			return ta.do(cust, "POST", "/api/v1/tickets", map[string]any{"subject": "About my order", "message": "Hello", "order_id": order})
		}
		if got, missing := ticket(id), ticket(missingID); got.Status < 400 || !sameProblem(got, missing) {
			t.Errorf("%s: a ticket about it answers %d %s; about a missing id %s", what, got.Status, got.Body, missing.Body)
		}
	}
	shown := func(what, id, status string) {
		t.Helper()
		if !lists(id) {
			t.Errorf("%s: not listed to the customer", what)
		}
		for _, p := range []string{"/api/v1/orders/" + id, "/api/v1/orders/" + id + "/history"} {
			if r := ta.do(cust, "GET", p, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"`+status+`"`) {
				t.Errorf("%s: GET %s: %d %s", what, p, r.Status, r.Body)
			}
		}
	}

	// Staff see the draft; the customer does not.
	if r := ta.do(owner, "GET", "/api/v1/orders/"+draft, nil); r.Status != 200 {
		t.Fatalf("staff reading the draft: %d %s", r.Status, r.Body)
	}
	hidden("a draft", draft)
	if r := ta.do(cust, "GET", "/api/v1/orders?status=draft", nil); r.Status != 200 || strings.Contains(string(r.Body), draft) {
		t.Errorf("customer asking for drafts: %d %s", r.Status, r.Body)
	}

	// Confirmed, it is the customer's order.
	ta.erpOrderAction(t, owner, draft, "confirm", nil)
	shown("the confirmed order", draft, "confirmed")
	if r := ta.do(cust, "GET", "/api/v1/orders/"+draft+"/returnable", nil); r.Status != 200 {
		t.Errorf("returnable lines of the confirmed order: %d %s", r.Status, r.Body)
	}

	// Cancelled after confirmation: still the customer's.
	ta.erpOrderAction(t, owner, draft, "cancel", map[string]any{"note": "out of stock"})
	shown("an order cancelled after confirmation", draft, "cancelled")

	// A draft cancelled without ever being confirmed was never placed.
	discarded := ta.createID(t, owner, "/api/v1/orders", orderBody(acc, product, 1))
	ta.erpOrderAction(t, owner, discarded, "cancel", nil)
	hidden("a discarded draft", discarded)
	if r := ta.do(owner, "GET", "/api/v1/orders?status=cancelled", nil); r.Status != 200 || !strings.Contains(string(r.Body), discarded) {
		t.Errorf("staff listing cancelled orders: %d %s", r.Status, r.Body)
	}
}
