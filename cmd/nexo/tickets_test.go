package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

type ticketBody struct {
	ID              string  `json:"id"`
	Number          string  `json:"number"`
	Status          string  `json:"status"`
	Priority        string  `json:"priority"`
	Breached        bool    `json:"breached"`
	FirstResponseAt *string `json:"first_response_at"`
	OrderID         *string `json:"order_id"`
	OrderNumber     string  `json:"order_number"`
	Messages        []struct {
		Body      string `json:"body"`
		Internal  bool   `json:"internal"`
		FromStaff bool   `json:"from_staff"`
	} `json:"messages"`
}

func (ta *testApp) ticket(t *testing.T, c *client, method, path string, body any, want int) ticketBody {
	t.Helper()
	r := ta.do(c, method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	var tk ticketBody
	r.json(t, &tk)
	return tk
}

// TestPortalTickets is P6 end to end over HTTP: a customer opens a ticket
// about their order; support sees it in the queue (by SLA due time, with
// the breach once past due), answers publicly and adds an internal note;
// the customer reads the answer but never the note (nor any SLA or staff
// field), replies, and support resolves. Another account's customer finds
// nothing, and the account's timeline shows the ticket to tickets:read
// holders only.
func TestPortalTickets(t *testing.T) {
	ta, clock := newClockedApp(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	owner := ta.signup("portal-tickets")
	chair, _ := ta.chairWorks(t, owner)
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme", "currency": "EUR"})
	rival := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Rival", "currency": "EUR"})
	order := ta.placedOrder(t, owner, orderBody(acme, chair, 2))
	rivalOrder := ta.placedOrder(t, owner, orderBody(rival, chair, 2))
	cust := ta.portalCustomer(t, owner, "portal-tickets", acme, "cora@acme.example.com")
	rivalCust := ta.portalCustomer(t, owner, "portal-tickets", rival, "rita@rival.example.com")
	support := ta.erpStaff(t, owner, "portal-tickets", "support")
	finance := ta.erpStaff(t, owner, "portal-tickets", "finance")

	// Linking another account's order reads exactly like a missing one.
	foreign := ta.do(cust, "POST", "/api/v1/tickets", map[string]any{"subject": "x", "message": "y", "order_id": rivalOrder})
	missing := ta.do(cust, "POST", "/api/v1/tickets", map[string]any{"subject": "x", "message": "y",
		"order_id": "01900000-0000-7000-8000-000000000000"})
	if foreign.Status != 400 || foreign.problemField("order_id") == "" || !sameProblem(foreign, missing) {
		t.Errorf("another account's order: %d %s; a missing one: %d %s", foreign.Status, foreign.Body, missing.Status, missing.Body)
	}
	for field, v := range map[string]any{"priority": "urgent", "account_id": rival, "lot_id": order} {
		r := ta.do(cust, "POST", "/api/v1/tickets", map[string]any{"subject": "x", "message": "y", field: v})
		if r.Status != 400 || r.problemField(field) == "" {
			t.Errorf("customer setting %s: %d %s", field, r.Status, r.Body)
		}
	}

	tk := ta.ticket(t, cust, "POST", "/api/v1/tickets", map[string]any{"subject": "Two chairs scratched",
		"message": "Two of the chairs arrived scratched.", "order_id": order}, 201)
	if tk.Status != "open" || tk.OrderID == nil || *tk.OrderID != order || tk.OrderNumber == "" {
		t.Fatalf("opened: %+v", tk)
	}
	path := "/api/v1/tickets/" + tk.ID

	// The queue: support sees it, soonest due first; 25 h later it is
	// breached (normal priority: 24 h).
	var queue struct {
		Items []ticketBody `json:"items"`
	}
	ta.do(support, "GET", "/api/v1/tickets?status=open,pending_customer", nil).json(t, &queue)
	if len(queue.Items) != 1 || queue.Items[0].ID != tk.ID || queue.Items[0].Priority != "normal" || queue.Items[0].Breached {
		t.Fatalf("queue: %+v", queue.Items)
	}
	clock.add(25 * time.Hour)
	ta.do(support, "GET", "/api/v1/tickets?breached=true", nil).json(t, &queue)
	if len(queue.Items) != 1 || !queue.Items[0].Breached {
		t.Fatalf("breached queue: %+v", queue.Items)
	}
	var summary struct {
		Open     int `json:"open"`
		Breached int `json:"breached"`
	}
	ta.do(support, "GET", "/api/v1/tickets/summary", nil).json(t, &summary)
	if summary.Open != 1 || summary.Breached != 1 {
		t.Errorf("summary: %+v", summary)
	}

	ta.ticket(t, support, "POST", path+"/messages", map[string]any{"body": "Carrier dropped the pallet", "internal": true}, 201)
	got := ta.ticket(t, support, "POST", path+"/messages", map[string]any{"body": "Sorry! We are sending two new ones."}, 201)
	if got.Status != "pending_customer" || got.FirstResponseAt == nil || len(got.Messages) != 3 || !got.Messages[1].Internal {
		t.Fatalf("after the staff reply: %+v", got)
	}

	// The customer's view: the answer, never the note or staff fields.
	r := ta.do(cust, "GET", path, nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "Carrier dropped") {
		t.Fatalf("customer view: %d %s", r.Status, r.Body)
	}
	for _, field := range []string{"sla_due_at", "breached", "assignee_id", "lot_id", "internal", "author_id", "opened_by_id", "account_id"} {
		if strings.Contains(string(r.Body), `"`+field+`"`) {
			t.Errorf("customer view carries %s: %s", field, r.Body)
		}
	}
	if r := ta.do(cust, "POST", path+"/messages", map[string]any{"body": "psst", "internal": true}); r.Status != 400 || r.problemField("internal") == "" {
		t.Errorf("customer internal note: %d %s", r.Status, r.Body)
	}
	got = ta.ticket(t, cust, "POST", path+"/messages", map[string]any{"body": "Thanks, the rest are fine."}, 201)
	if got.Status != "open" || len(got.Messages) != 3 || !got.Messages[1].FromStaff || got.Messages[2].FromStaff {
		t.Fatalf("after the customer's reply: %+v", got)
	}
	if r := ta.do(cust, "PATCH", path, map[string]any{"status": "resolved"}); r.Status != 403 {
		t.Errorf("customer PATCH: %d", r.Status)
	}
	if got = ta.ticket(t, support, "PATCH", path, map[string]any{"status": "resolved"}, 200); got.Status != "resolved" {
		t.Fatalf("resolved: %+v", got)
	}

	// Account isolation: the rival's customer finds nothing.
	for _, c := range []struct{ method, path string }{{"GET", path}, {"POST", path + "/messages"}, {"POST", path + "/close"}} {
		r := ta.do(rivalCust, c.method, c.path, map[string]any{"body": "hi"})
		m := ta.do(rivalCust, c.method, "/api/v1/tickets/01900000-0000-7000-8000-000000000000"+strings.TrimPrefix(c.path, path), map[string]any{"body": "hi"})
		if r.Status != 404 || !sameProblem(r, m) {
			t.Errorf("%s %s as the rival: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	if r := ta.do(rivalCust, "GET", "/api/v1/tickets", nil); strings.Contains(string(r.Body), tk.ID) {
		t.Errorf("the rival lists Acme's ticket: %s", r.Body)
	}

	// The timeline shows the ticket to whoever holds tickets:read.
	kinds := func(c *client) []string { return kindsOf(ta.timeline(t, c, acme, 0, "").Items) }
	if k := kinds(support); !slices.Contains(k, "ticket") {
		t.Errorf("support's timeline: %v", k)
	}
	if k := kinds(finance); slices.Contains(k, "ticket") {
		t.Errorf("finance (no tickets:read) sees tickets on the timeline: %v", k)
	}
}
