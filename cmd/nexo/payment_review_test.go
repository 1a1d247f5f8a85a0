package main

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

type attemptOut struct {
	ID                string  `json:"id"`
	InvoiceID         string  `json:"invoice_id"`
	InvoiceNumber     string  `json:"invoice_number"`
	AccountID         string  `json:"account_id"`
	AccountName       string  `json:"account_name"`
	Status            string  `json:"status"`
	Currency          string  `json:"currency"`
	ReceivedMinor     int64   `json:"received_minor"`
	ReceivedCurrency  *string `json:"received_currency"`
	PaymentIntentID   *string `json:"payment_intent_id"`
	CheckoutSessionID *string `json:"checkout_session_id"`
	Resolution        *struct {
		Note           string `json:"note"`
		ResolvedBy     string `json:"resolved_by"`
		ResolvedByName string `json:"resolved_by_name"`
	} `json:"resolution"`
}

// TestPaymentAttemptReview is finance's queue of card payments Stripe took
// but Nexo could not record: a checkout paid in another currency than the
// invoice's is listed in review (staff only), resolved with a note (a bad
// note is a 400 naming it; of two concurrent resolves one wins, the other
// and any later one is a 409), then listed as resolved, with its audit row.
func TestPaymentAttemptReview(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "pay-review", true)
	inv := e.invoice()
	var staffInv struct {
		Number       string `json:"number"`
		Currency     string `json:"currency"`
		BalanceMinor int64  `json:"balance_minor"`
	}
	ta.do(e.owner, "GET", "/api/v1/invoices/"+inv, nil).json(t, &staffInv)
	other := "usd"
	if staffInv.Currency == "USD" {
		other = "gbp"
	}
	p := e.pay(t, inv)
	sess := e.session(p.SessionID, inv, "pi_review", staffInv.BalanceMinor, "paid")
	sess["currency"] = other
	if s := e.post(t, e.event("evt_review_"+e.slug, "checkout.session.completed", time.Now(), sess)); s != 200 {
		t.Fatalf("checkout.session.completed in %s: %d", other, s)
	}
	if after := e.read(t, e.owner, inv); after.BalanceMinor != staffInv.BalanceMinor || len(after.Payments) != 0 {
		t.Fatalf("a payment in another currency was recorded: %+v", after)
	}

	list := func(status string) []attemptOut {
		t.Helper()
		var out struct {
			Items []attemptOut `json:"items"`
		}
		r := ta.do(e.owner, "GET", "/api/v1/payment-attempts?status="+status, nil)
		if r.Status != 200 {
			t.Fatalf("list %s: %d %s", status, r.Status, r.Body)
		}
		r.json(t, &out)
		return out.Items
	}
	review := list("review")
	if len(review) != 1 {
		t.Fatalf("attempts in review: %+v", review)
	}
	a := review[0]
	if a.InvoiceID != inv || a.InvoiceNumber != staffInv.Number || a.AccountID != e.accountID || a.AccountName == "" ||
		a.Status != "review" || a.Currency != staffInv.Currency || a.ReceivedMinor != staffInv.BalanceMinor ||
		a.ReceivedCurrency == nil || *a.ReceivedCurrency != strings.ToUpper(other) ||
		a.PaymentIntentID == nil || *a.PaymentIntentID != "pi_review" || a.CheckoutSessionID == nil || *a.CheckoutSessionID != p.SessionID || a.Resolution != nil {
		t.Fatalf("attempt in review: %+v", a)
	}
	if r := ta.do(e.owner, "GET", "/api/v1/payment-attempts?status=nope", nil); r.Status != 400 || r.problemField("status") == "" {
		t.Errorf("unknown status filter: %d %s", r.Status, r.Body)
	}

	// Customers never see these, not even their own account's.
	if r := ta.do(e.customer, "GET", "/api/v1/payment-attempts?status=review", nil); r.Status != 403 && r.Status != 404 {
		t.Errorf("customer lists attempts: %d %s", r.Status, r.Body)
	}
	if r := ta.do(e.customer, "POST", "/api/v1/payment-attempts/"+a.ID+"/resolve", map[string]string{"note": "mine"}); r.Status != 403 && r.Status != 404 {
		t.Errorf("customer resolves an attempt: %d %s", r.Status, r.Body)
	}

	path := "/api/v1/payment-attempts/" + a.ID + "/resolve"
	for _, bad := range []any{map[string]string{"note": "   "}, map[string]any{}, map[string]string{"note": strings.Repeat("é", 501)}} {
		if r := ta.do(e.owner, "POST", path, bad); r.Status != 400 || r.problemField("note") == "" {
			t.Errorf("resolve with %v: %d %s", bad, r.Status, r.Body)
		}
	}
	if r := ta.do(e.owner, "POST", "/api/v1/payment-attempts/0190a5a0-0000-7000-8000-000000000000/resolve", map[string]string{"note": "x"}); r.Status != 404 {
		t.Errorf("resolve a missing attempt: %d %s", r.Status, r.Body)
	}
	if got := list("review"); len(got) != 1 || got[0].Resolution != nil {
		t.Fatalf("a refused resolve changed the attempt: %+v", got)
	}

	// Two at once: one wins, the other is a 409.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = ta.do(e.owner, "POST", path, map[string]string{"note": "  Refunded in Stripe  "}).Status
		}()
	}
	wg.Wait()
	slices.Sort(statuses)
	if statuses[0] != 200 || statuses[1] != 409 {
		t.Fatalf("concurrent resolves: %v, want one 200 and one 409", statuses)
	}
	if r := ta.do(e.owner, "POST", path, map[string]string{"note": "again"}); r.Status != 409 {
		t.Errorf("resolve twice: %d %s", r.Status, r.Body)
	}

	if got := list("review"); len(got) != 0 {
		t.Errorf("still in review after resolving: %+v", got)
	}
	resolved := list("resolved")
	var me meBody
	ta.do(e.owner, "GET", "/api/v1/me", nil).json(t, &me)
	if len(resolved) != 1 || resolved[0].ID != a.ID || resolved[0].Status != "resolved" || resolved[0].Resolution == nil ||
		resolved[0].Resolution.Note != "Refunded in Stripe" || resolved[0].Resolution.ResolvedBy != me.User.ID || resolved[0].Resolution.ResolvedByName == "" {
		t.Fatalf("resolved attempts: %+v", resolved)
	}
	// The customer's payment options name the newest attempt's status,
	// resolved included (checked against openapi.json by ta.do).
	if r := ta.do(e.customer, "GET", "/api/v1/invoices/"+inv+"/payment-options", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"last_attempt":"resolved"`) {
		t.Errorf("customer's payment options after resolving: %d %s", r.Status, r.Body)
	}
	if all := list(""); len(all) != 1 || all[0].ID != a.ID {
		t.Errorf("all attempts: %+v", all)
	}
	var audit struct {
		Items []struct {
			Action     string         `json:"action"`
			ResourceID string         `json:"resource_id"`
			Before     map[string]any `json:"before"`
			After      map[string]any `json:"after"`
		} `json:"items"`
	}
	ta.do(e.owner, "GET", "/api/v1/audit-events?resource_id="+a.ID, nil).json(t, &audit)
	found := false
	for _, ev := range audit.Items {
		if ev.Action == "payment_attempt.resolved" && ev.Before["status"] == "review" && ev.After["status"] == "resolved" &&
			ev.After["resolution_note"] == "Refunded in Stripe" {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit row for the resolve: %+v", audit.Items)
	}
}
