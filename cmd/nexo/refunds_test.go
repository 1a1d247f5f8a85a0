package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/connect"
	"nexo/internal/errs"
	"nexo/internal/stripekit"
	"nexo/internal/stripekit/stripekittest"
	"nexo/tenant"
)

type refundBody struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"`
	AmountMinor    int64   `json:"amount_minor"`
	Method         *string `json:"method"`
	RefundedOn     *string `json:"refunded_on"`
	StripeRefundID string  `json:"stripe_refund_id"`
}

type refundedInvoice struct {
	Status        string       `json:"status"`
	TotalMinor    int64        `json:"total_minor"`
	PaidMinor     int64        `json:"paid_minor"`
	CreditedMinor int64        `json:"credited_minor"`
	RefundMinor   int64        `json:"refund_minor"`
	BalanceMinor  int64        `json:"balance_minor"`
	Refunds       []refundBody `json:"refunds"`
	Lines         []struct {
		ID         string `json:"id"`
		TotalMinor int64  `json:"total_minor"`
		Quantity   int64  `json:"quantity"`
	} `json:"lines"`
}

// creditOne credits one unit of the invoice's first line as staff and
// returns the credit note's id and its refund (nil when none is owed).
func creditOne(t *testing.T, ta *testApp, staff *client, inv string) (string, *refundBody) {
	t.Helper()
	var got refundedInvoice
	ta.do(staff, "GET", "/api/v1/invoices/"+inv, nil).json(t, &got)
	var cn struct {
		ID     string      `json:"id"`
		Refund *refundBody `json:"refund"`
	}
	r := ta.do(staff, "POST", "/api/v1/credit-notes", map[string]any{"invoice_id": inv, "reason": "Returned",
		"lines": []map[string]any{{"invoice_line_id": got.Lines[0].ID, "quantity": 1}}})
	if r.Status != 201 {
		t.Fatalf("credit note: %d %s", r.Status, r.Body)
	}
	r.json(t, &cn)
	return cn.ID, cn.Refund
}

// TestRefundThroughStripe is P4/F6 on a paid invoice: the customer pays
// by card, returns a unit, and staff credit it. The credit exceeds the
// (zero) balance, so the unit's price is owed back as a due refund that
// the customer sees on the invoice and the credit note, without internal
// references. Finance returns it to the card through Stripe (stripe-mock):
// refunded at once, a retry changes nothing, a hand record is a 409, the
// refund's webhook applies nothing twice, and the customer is emailed once.
func TestRefundThroughStripe(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "refund-card", true)
	inv := e.invoice()
	before := e.read(t, e.customer, inv)
	p := e.pay(t, inv)
	if s := e.post(t, e.event("evt_paid_refund", "checkout.session.completed", time.Now(), e.session(p.SessionID, inv, "pi_refund", before.BalanceMinor, "paid"))); s != 200 {
		t.Fatalf("checkout.session.completed: %d", s)
	}
	cn, due := creditOne(t, ta, e.owner, inv)
	var got refundedInvoice
	ta.do(e.customer, "GET", "/api/v1/invoices/"+inv, nil).json(t, &got)
	unit := got.Lines[0].TotalMinor / got.Lines[0].Quantity
	if due == nil || due.Status != "due" || due.AmountMinor != unit {
		t.Fatalf("refund of the credit note: %+v", due)
	}
	if got.Status != "paid" || got.BalanceMinor != 0 || got.RefundMinor != unit || got.PaidMinor+got.RefundMinor != got.TotalMinor ||
		len(got.Refunds) != 1 || got.Refunds[0].Status != "due" {
		t.Fatalf("the customer's invoice: %+v", got)
	}
	for _, path := range []string{"/api/v1/invoices/" + inv, "/api/v1/refunds", "/api/v1/refunds/" + due.ID, "/api/v1/credit-notes/" + cn} {
		r := ta.do(e.customer, "GET", path, nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), due.ID) {
			t.Fatalf("customer GET %s: %d %s", path, r.Status, r.Body)
		}
		for _, field := range []string{"external_ref", "refunded_by", "idempotency", "payment_id", `"reference"`} {
			if strings.Contains(string(r.Body), field) {
				t.Errorf("customer GET %s shows %s: %s", path, field, r.Body)
			}
		}
	}
	for _, action := range []string{"stripe", "record"} {
		if r := ta.do(e.customer, "POST", "/api/v1/refunds/"+due.ID+"/"+action, map[string]any{"method": "transfer"}); r.Status != 403 {
			t.Errorf("customer %s: %d %s", action, r.Status, r.Body)
		}
	}

	var out refundBody
	r := ta.do(e.owner, "POST", "/api/v1/refunds/"+due.ID+"/stripe", nil)
	if r.Status != 200 {
		t.Fatalf("stripe refund: %d %s", r.Status, r.Body)
	}
	r.json(t, &out)
	if out.Status != "refunded" || !strings.HasPrefix(out.StripeRefundID, "re_") || out.AmountMinor != unit {
		t.Fatalf("stripe refund: %+v", out)
	}
	var again refundBody
	ta.do(e.owner, "POST", "/api/v1/refunds/"+due.ID+"/stripe", nil).json(t, &again)
	if again.Status != "refunded" || again.StripeRefundID != out.StripeRefundID {
		t.Errorf("retry: %+v", again)
	}
	if r := ta.do(e.owner, "POST", "/api/v1/refunds/"+due.ID+"/record", map[string]any{"method": "transfer"}); r.Status != 409 {
		t.Errorf("record after the card refund: %d %s", r.Status, r.Body)
	}
	// Stripe's own news of the refund, twice: nothing more happens.
	obj := map[string]any{"id": out.StripeRefundID, "object": "refund", "status": "succeeded", "amount": unit, "currency": "eur",
		"payment_intent": "pi_refund", "metadata": map[string]string{"tenant_id": e.tenantID, "refund_id": due.ID}}
	for range 2 {
		if s := e.post(t, e.event("evt_refund_"+due.ID, "refund.updated", time.Now(), obj)); s != 200 {
			t.Fatalf("refund.updated: %d", s)
		}
	}
	var mine refundBody
	ta.do(e.customer, "GET", "/api/v1/refunds/"+due.ID, nil).json(t, &mine)
	if mine.Status != "refunded" || mine.Method == nil || *mine.Method != "card" || mine.RefundedOn == nil {
		t.Fatalf("the customer's refund: %+v", mine)
	}
	if n := len(ta.notices("buyer@refund-card.example.com", "portal_refund_sent")); n != 1 {
		t.Errorf("%d refund emails, want 1", n)
	}
	if m := ta.notices("buyer@refund-card.example.com", "portal_credit_note_issued"); len(m) != 1 || !strings.Contains(m[0].Text, "Refund due to you") {
		t.Errorf("credit note email: %+v", m)
	}
}

// TestRefundByTransfer: without Stripe, a credit on an invoice paid by
// transfer owes a refund that finance records by hand; bad input names
// its field and changes nothing; a credit an open balance absorbs owes
// nothing; another account's customer cannot see it.
func TestRefundByTransfer(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("refund-transfer")
	fx := ta.tenantFixtures(t, owner, "rt")
	inv := fx["invoice"]()
	var got refundedInvoice
	ta.do(owner, "GET", "/api/v1/invoices/"+inv, nil).json(t, &got)
	if r := ta.do(owner, "POST", "/api/v1/payments", map[string]any{"invoice_id": inv, "amount_minor": got.BalanceMinor, "method": "transfer"}); r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Body)
	}
	_, due := creditOne(t, ta, owner, inv)
	if due == nil || due.Status != "due" {
		t.Fatalf("refund: %+v", due)
	}
	if r := ta.do(owner, "POST", "/api/v1/refunds/"+due.ID+"/stripe", nil); r.Status != 422 || r.problemField("method") == "" {
		t.Fatalf("stripe refund without Stripe: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"method": "cheque"}, "method"},
		{map[string]any{"method": "card"}, "method"},
		{map[string]any{"method": "transfer", "refunded_on": "tomorrow"}, "refunded_on"},
		{map[string]any{"method": "transfer", "refunded_on": "2999-01-01"}, "refunded_on"},
		{map[string]any{"method": "transfer", "amount_minor": 1}, "amount_minor"},
	} {
		if r := ta.do(owner, "POST", "/api/v1/refunds/"+due.ID+"/record", c.body); r.Status != 400 || r.problemField(c.field) == "" {
			t.Errorf("record %v: %d %s", c.body, r.Status, r.Body)
		}
	}
	var out refundBody
	r := ta.do(owner, "POST", "/api/v1/refunds/"+due.ID+"/record", map[string]any{"method": "transfer", "reference": "TRF-77"})
	if r.Status != 200 {
		t.Fatalf("record: %d %s", r.Status, r.Body)
	}
	r.json(t, &out)
	if out.Status != "refunded" || out.Method == nil || *out.Method != "transfer" || out.RefundedOn == nil {
		t.Fatalf("recorded: %+v", out)
	}
	if r := ta.do(owner, "POST", "/api/v1/refunds/"+due.ID+"/record", map[string]any{"method": "transfer"}); r.Status != 409 {
		t.Errorf("second record: %d %s", r.Status, r.Body)
	}
	// The customer's timeline shows the refund, paid back by transfer.
	var tl struct {
		Items []struct {
			Kind    string `json:"kind"`
			ID      string `json:"id"`
			Status  string `json:"status"`
			Subtype string `json:"subtype"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/accounts/"+fx["customer"]()+"/timeline", nil).json(t, &tl)
	found := false
	for _, it := range tl.Items {
		found = found || (it.Kind == "refund" && it.ID == due.ID && it.Status == "refunded" && it.Subtype == "transfer")
	}
	if !found {
		t.Errorf("the timeline has no refunded refund: %+v", tl.Items)
	}
	// An unpaid invoice absorbs the credit: nothing is owed.
	if _, none := creditOne(t, ta, owner, fx["invoice"]()); none != nil {
		t.Errorf("a refund on an unpaid invoice: %+v", none)
	}
	var list struct {
		Items []refundBody `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/refunds?status=refunded", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != due.ID {
		t.Errorf("refunded list: %+v", list.Items)
	}
	if r := ta.do(owner, "GET", "/api/v1/refunds?status=lost", nil); r.Status != 400 || r.problemField("status") == "" {
		t.Errorf("bad status filter: %d %s", r.Status, r.Body)
	}
	other := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Someone else"})
	cust := ta.portalCustomer(t, owner, "refund-transfer", other, "other@refund-transfer.example.com")
	if r := ta.do(cust, "GET", "/api/v1/refunds/"+due.ID, nil); r.Status != 404 {
		t.Errorf("another account's refund: %d %s", r.Status, r.Body)
	}
	if r := ta.do(cust, "GET", "/api/v1/refunds", nil); strings.Contains(string(r.Body), due.ID) {
		t.Errorf("another account's refund is listed: %s", r.Body)
	}
}

// pendingGateway is stripe-mock with Stripe's refund answered as pending
// (a bank that takes days), and a check that the refund's key was saved
// before the call (S3); down fails the call as a timeout would.
type pendingGateway struct {
	connect.Gateway
	t    *testing.T
	ta   *testApp
	tid  uuid.UUID
	down bool
	keys []string
}

func (g *pendingGateway) CreateRefund(ctx context.Context, key string, p connect.RefundParams) (connect.RefundResult, error) {
	var n int
	err := g.ta.db.Run(tenant.WithTenant(context.Background(), g.tid), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw("SELECT count(*) FROM refunds WHERE tenant_id = ? AND idempotency_key = ? AND status = 'processing'",
			g.tid, key).Scan(ctx, &n)
	})
	if err != nil || n != 1 {
		g.t.Errorf("refund key %q not saved before the call (%d, %v)", key, n, err)
	}
	g.keys = append(g.keys, key)
	if g.down {
		return connect.RefundResult{}, errs.E(errs.Internal, "timeout")
	}
	res, err := g.Gateway.CreateRefund(ctx, key, p)
	res.Status = "pending"
	return res, err
}

// TestRefundPending: a Stripe call that times out leaves the refund
// processing and the retry repeats its key; a pending answer keeps it
// processing until refund.updated reports it succeeded (applied once); a
// failed one puts it back to due.
func TestRefundPending(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "refund-pending", true)
	g := &pendingGateway{Gateway: connect.NewGateway(stripekit.Config{SecretKey: "sk_test_123", APIBase: stripekittest.URL(t)}),
		t: t, ta: ta, tid: uuid.MustParse(e.tenantID)}
	svc := connect.New(ta.db, connectInvoices{ta.invoicing}, connect.Options{Gateway: g, BaseURL: "http://nexo.test"})
	var me meBody
	ta.do(e.owner, "GET", "/api/v1/me", nil).json(t, &me)
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: g.tid, Kind: tenant.KindUser,
		ID: uuid.MustParse(me.User.ID), Subject: tenant.UserSubject(uuid.MustParse(me.User.ID))})

	paid := func(intent string) string {
		inv := e.invoice()
		before := e.read(t, e.customer, inv)
		p := e.pay(t, inv)
		if s := e.post(t, e.event("evt_"+intent, "checkout.session.completed", time.Now(), e.session(p.SessionID, inv, intent, before.BalanceMinor, "paid"))); s != 200 {
			t.Fatalf("paid: %d", s)
		}
		_, due := creditOne(t, ta, e.owner, inv)
		return due.ID
	}
	id := paid("pi_pending")
	g.down = true
	if _, err := svc.Refund(octx, uuid.MustParse(id)); err == nil {
		t.Fatal("refund with Stripe down succeeded")
	}
	g.down = false
	st, err := svc.Refund(octx, uuid.MustParse(id))
	if err != nil || st.Status != "processing" || st.StripeID == "" {
		t.Fatalf("pending: %+v %v", st, err)
	}
	if len(g.keys) != 2 || g.keys[0] != g.keys[1] {
		t.Errorf("refund keys %v: want the same key twice", g.keys)
	}
	obj := func(status, refundID string) map[string]any {
		return map[string]any{"id": st.StripeID, "object": "refund", "status": status, "amount": st.AmountMinor, "currency": "eur",
			"metadata": map[string]string{"tenant_id": e.tenantID, "refund_id": refundID}}
	}
	for i := range 3 {
		if s := e.post(t, e.event("evt_refund_ok_"+string(rune('a'+i)), "charge.refund.updated", time.Now(), obj("succeeded", id))); s != 200 {
			t.Fatalf("charge.refund.updated: %d", s)
		}
	}
	ta.drainOutbox(t)
	var r refundBody
	ta.do(e.owner, "GET", "/api/v1/refunds/"+id, nil).json(t, &r)
	if r.Status != "refunded" {
		t.Fatalf("after refund.updated: %+v", r)
	}
	if n := len(ta.notices("buyer@refund-pending.example.com", "portal_refund_sent")); n != 1 {
		t.Errorf("%d refund emails, want 1", n)
	}

	// A refund that fails at the bank is due again.
	id2 := paid("pi_failing")
	st, err = svc.Refund(octx, uuid.MustParse(id2))
	if err != nil || st.Status != "processing" {
		t.Fatalf("second pending: %+v %v", st, err)
	}
	if s := e.post(t, e.event("evt_refund_failed", "refund.updated", time.Now(), obj("failed", id2))); s != 200 {
		t.Fatalf("refund.updated failed: %d", s)
	}
	ta.do(e.owner, "GET", "/api/v1/refunds/"+id2, nil).json(t, &r)
	if r.Status != "due" || r.Method != nil {
		t.Fatalf("after a failed refund: %+v", r)
	}
	// A refund made in the Stripe dashboard is acknowledged and ignored.
	if s := e.post(t, e.event("evt_refund_foreign", "refund.updated", time.Now(), map[string]any{"id": "re_dashboard",
		"object": "refund", "status": "succeeded", "metadata": map[string]string{}})); s != 200 {
		t.Errorf("a foreign refund: %d", s)
	}
}
