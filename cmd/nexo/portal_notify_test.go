package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/events"
	"nexo/internal/mail"
	"nexo/internal/money"
	"nexo/modules/sales"
	"nexo/portal"
	"nexo/tenant"
)

// drainOutbox runs the relay until nothing is due: the business event, then
// the mail events its handler enqueued.
func (ta *testApp) drainOutbox(t *testing.T) {
	t.Helper()
	for range 50 {
		n, err := ta.relay.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox does not drain")
}

// notices returns the dev mailbox's customer notifications to addr of kind
// ("portal_order_confirmed"...), newest first; kind "" returns them all.
func (ta *testApp) notices(addr, kind string) []mail.Stored {
	var out []mail.Stored
	for _, m := range ta.mailbox.List(addr) {
		if m.Kind != "portal_invite" && m.Kind != "portal_magic_link" && (kind == "" || m.Kind == kind) {
			out = append(out, m)
		}
	}
	return out
}

// TestPortalNotify is P7/F6: confirming an order, shipping and delivering
// it, issuing its invoice and a credit note email the account's active,
// opted-in portal users once each, in their own language and the tenant's
// branding, and nobody else: not a disabled, invited or opted-out user, not
// another account's, not another tenant's. A redelivered event sends nothing
// again.
func TestPortalNotify(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("notify-a")
	const hostile = `<img src=x onerror=alert(1)> "Ann's" & Co`
	if r := ta.do(owner, "PATCH", "/api/v1/settings", map[string]any{"portal_display_name": hostile, "accent_color": "#aa3300"}); r.Status != 200 {
		t.Fatalf("branding: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "PUT", "/api/v1/settings/logo", png16, "Content-Type", "image/png"); r.Status != 200 {
		t.Fatalf("logo: %d %s", r.Status, r.Body)
	}
	f := ta.tenantFixtures(t, owner, "a")
	acc := f["customer"]()
	ana := ta.portalCustomer(t, owner, "notify-a", acc, "ana@a.example.com")
	ta.portalCustomer(t, owner, "notify-a", acc, "ben@a.example.com") // keeps the tenant's language (en)
	carl := ta.portalCustomer(t, owner, "notify-a", acc, "carl@a.example.com")
	ta.portalCustomer(t, owner, "notify-a", acc, "dora@a.example.com")
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+ta.portalContact(t, owner, acc, "eve@a.example.com")+"/portal-invite", nil); r.Status != 201 {
		t.Fatalf("invite eve: %d %s", r.Status, r.Body)
	}
	var pref struct {
		Locale       string `json:"locale"`
		NotifyOrders bool   `json:"notify_orders"`
	}
	ta.do(ana, "PATCH", "/api/v1/portal/me/preferences", map[string]any{"locale": "es"}).json(t, &pref)
	if pref.Locale != "es" || !pref.NotifyOrders {
		t.Fatalf("ana's preferences: %+v", pref)
	}
	if r := ta.do(carl, "PATCH", "/api/v1/portal/me/preferences", map[string]any{"notify_orders": false}); r.Status != 200 {
		t.Fatalf("carl opts out: %d %s", r.Status, r.Body)
	}
	var me meCustomer
	ta.do(ana, "GET", "/api/v1/me", nil).json(t, &me)
	if me.Customer.Locale != "es" || !me.Customer.NotifyOrders {
		t.Errorf("ana's /me: %+v", me.Customer)
	}
	if r := ta.do(ana, "PATCH", "/api/v1/portal/me/preferences", map[string]any{"locale": "fr"}); r.Status != 400 || r.problemField("locale") == "" {
		t.Errorf("locale fr: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "PATCH", "/api/v1/portal/me/preferences", map[string]any{"locale": "es"}); r.Status != 403 {
		t.Errorf("staff setting portal preferences: %d %s", r.Status, r.Body)
	}
	// Dora's access is ended by staff.
	var users struct {
		Items []struct {
			ContactID string `json:"contact_id"`
			Email     string `json:"email"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/portal-users?account_id="+acc, nil).json(t, &users)
	for _, u := range users.Items {
		if u.Email == "dora@a.example.com" {
			if r := ta.do(owner, "POST", "/api/v1/contacts/"+u.ContactID+"/portal-disable", nil); r.Status != 200 {
				t.Fatalf("disable dora: %d %s", r.Status, r.Body)
			}
		}
	}
	// Another account of the tenant, and another tenant, each with an
	// active portal user.
	accB := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Other account"})
	ta.portalCustomer(t, owner, "notify-a", accB, "bob@b.example.com")
	ownerB := ta.signup("notify-b")
	fb := ta.tenantFixtures(t, ownerB, "b")
	ta.portalCustomer(t, ownerB, "notify-b", fb["customer"](), "zed@z.example.com")
	ta.drainOutbox(t)
	silent := []string{"carl@a.example.com", "dora@a.example.com", "eve@a.example.com", "bob@b.example.com", "zed@z.example.com"}

	// An order of account A is confirmed.
	order := f["reserved_order"]()
	var o struct {
		Number     string `json:"number"`
		TotalMinor int64  `json:"total_minor"`
		Currency   string `json:"currency"`
	}
	ta.do(owner, "GET", "/api/v1/orders/"+order, nil).json(t, &o)
	ta.drainOutbox(t)
	es := ta.notices("ana@a.example.com", "portal_order_confirmed")
	en := ta.notices("ben@a.example.com", "portal_order_confirmed")
	if len(es) != 1 || len(en) != 1 {
		t.Fatalf("order confirmed: ana %d, ben %d emails", len(es), len(en))
	}
	for _, c := range []struct {
		m    mail.Stored
		want []string
	}{
		{es[0], []string{"Pedido confirmado", o.Number, "Hola, Cora:", "ha confirmado tu pedido", "Fecha prevista", "Ver el pedido"}},
		{en[0], []string{"Order confirmed", o.Number, "Hello Cora,", "has confirmed your order", "Promised date", "View the order"}},
	} {
		if !strings.HasPrefix(c.m.Subject, c.want[0]+": "+o.Number) || !strings.Contains(c.m.Subject, hostile) {
			t.Errorf("subject %q", c.m.Subject)
		}
		for _, w := range c.want {
			if !strings.Contains(c.m.Text, w) || !strings.Contains(c.m.HTML, w) {
				t.Errorf("%s: no %q in\n%s\n%s", c.m.To, w, c.m.Text, c.m.HTML)
			}
		}
		// The brand: escaped name, accent colour, logo by absolute URL,
		// and a link to the order's portal page.
		for _, w := range []string{"&lt;img src=x onerror=alert(1)&gt; &#34;Ann&#39;s&#34; &amp; Co", "#aa3300",
			`src="http://nexo.test/api/v1/portal/notify-a/logo?v=`, `href="http://nexo.test/portal/notify-a/orders/` + order + `"`} {
			if !strings.Contains(c.m.HTML, w) {
				t.Errorf("%s: HTML lacks %q:\n%s", c.m.To, w, c.m.HTML)
			}
		}
		if strings.Contains(c.m.HTML, "<img src=x") {
			t.Errorf("%s: the company name is markup in the HTML body", c.m.To)
		}
		if !strings.Contains(c.m.Text, hostile) || !strings.Contains(c.m.Text, "http://nexo.test/portal/notify-a/orders/"+order) {
			t.Errorf("%s: text body:\n%s", c.m.To, c.m.Text)
		}
	}
	// The order's total, in each language's number format.
	if o.TotalMinor < 1000 || !strings.Contains(es[0].Text, "Total: "+money.FormatLocale(o.TotalMinor, o.Currency, "es")) ||
		!strings.Contains(en[0].Text, "Total: "+money.FormatLocale(o.TotalMinor, o.Currency, "en")) ||
		strings.Contains(es[0].Text, money.Format(o.TotalMinor, o.Currency)) {
		t.Errorf("totals of %d %s:\n%s\n%s", o.TotalMinor, o.Currency, es[0].Text, en[0].Text)
	}

	// A shipment with tracking ships, then is delivered.
	ship := ta.createID(t, owner, "/api/v1/shipments", map[string]any{"order_id": f["reserved_order"]()})
	if r := ta.do(owner, "PATCH", "/api/v1/shipments/"+ship, map[string]any{"carrier": "Acme <Freight>",
		"tracking_number": "AF123", "tracking_url": "https://track.example.com/AF123?a=1&b=2"}); r.Status != 200 {
		t.Fatalf("tracking: %d %s", r.Status, r.Body)
	}
	for _, step := range []string{"pack", "ship"} {
		if r := ta.do(owner, "POST", "/api/v1/shipments/"+ship+"/"+step, nil); r.Status != 200 {
			t.Fatalf("%s: %d %s", step, r.Status, r.Body)
		}
	}
	ta.drainOutbox(t)
	shipped := ta.notices("ana@a.example.com", "portal_shipment_shipped")
	if len(shipped) != 1 || !strings.HasPrefix(shipped[0].Subject, "Pedido enviado: ") ||
		!strings.Contains(shipped[0].HTML, "Acme &lt;Freight&gt;") || !strings.Contains(shipped[0].Text, "Transportista: Acme <Freight>") ||
		!strings.Contains(shipped[0].HTML, `href="https://track.example.com/AF123?a=1&amp;b=2"`) || !strings.Contains(shipped[0].Text, "AF123") {
		t.Errorf("shipped: %d emails %+v", len(shipped), shipped)
	}
	if r := ta.do(owner, "POST", "/api/v1/shipments/"+ship+"/deliver", nil); r.Status != 200 {
		t.Fatalf("deliver: %d %s", r.Status, r.Body)
	}
	ta.drainOutbox(t)
	if d := ta.notices("ben@a.example.com", "portal_shipment_delivered"); len(d) != 1 || !strings.HasPrefix(d[0].Subject, "Order delivered: ") {
		t.Errorf("delivered: %+v", d)
	}
	// Draft, packed: no email of their own.
	if n := len(ta.notices("ben@a.example.com", "")); n != 4 { // two orders confirmed, shipped, delivered
		t.Errorf("ben has %d notices after the shipment, want 4", n)
	}

	// An invoice is issued and credited.
	credit := f["credit_note"]()
	var cn struct {
		Number    string `json:"number"`
		InvoiceID string `json:"invoice_id"`
	}
	ta.do(owner, "GET", "/api/v1/credit-notes/"+credit, nil).json(t, &cn)
	var inv struct {
		Number  string `json:"number"`
		DueDate string `json:"due_date"`
	}
	ta.do(owner, "GET", "/api/v1/invoices/"+cn.InvoiceID, nil).json(t, &inv)
	ta.drainOutbox(t)
	invMail := ta.notices("ana@a.example.com", "portal_invoice_issued")
	if len(invMail) != 1 || !strings.HasPrefix(invMail[0].Subject, "Factura emitida: "+inv.Number) ||
		!strings.Contains(invMail[0].Text, "Vencimiento: ") || !strings.Contains(invMail[0].Text, "/portal/notify-a/invoices/"+cn.InvoiceID) {
		t.Errorf("invoice issued: %+v", invMail)
	}
	cnMail := ta.notices("ben@a.example.com", "portal_credit_note_issued")
	if len(cnMail) != 1 || !strings.HasPrefix(cnMail[0].Subject, "Credit note issued: "+cn.Number) ||
		!strings.Contains(cnMail[0].Text, "Invoice: "+inv.Number) || !strings.Contains(cnMail[0].Text, "/portal/notify-a/invoices/"+cn.InvoiceID) {
		t.Errorf("credit note issued: %+v", cnMail)
	}

	// Tenant B's own order emails its own customer only.
	fb["reserved_order"]()
	ta.drainOutbox(t)
	if z := ta.notices("zed@z.example.com", "portal_order_confirmed"); len(z) != 1 || strings.Contains(z[0].HTML, "notify-a") {
		t.Errorf("tenant B's customer: %+v", z)
	}
	for _, addr := range silent[:4] {
		if got := ta.notices(addr, ""); len(got) != 0 {
			t.Errorf("%s got %d notices: %s", addr, len(got), got[0].Subject)
		}
	}
	if n := len(ta.notices("zed@z.example.com", "")); n != 1 {
		t.Errorf("zed has %d notices, want 1", n)
	}

	// Redelivery: the order-confirmed event runs again (a relay died after
	// the handler's commit, before recording it done) and sends nothing.
	before := len(ta.notices("ana@a.example.com", ""))
	err := ta.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Table("outbox_events").Set("status = 'pending'").Set("next_attempt_at = created_at").
			Set("locked_until = NULL").Where("topic = ?", sales.TopicOrderConfirmed).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ta.drainOutbox(t)
	if after := len(ta.notices("ana@a.example.com", "")); after != before {
		t.Errorf("redelivered events sent %d more emails", after-before)
	}
}

type meCustomer struct {
	Customer struct {
		Locale       string `json:"locale"`
		NotifyOrders bool   `json:"notify_orders"`
	} `json:"customer"`
}

// TestPortalNotifyEvents: every event calls the invalidation hook with its
// tenant and account, emailable or not; a malformed payload is a permanent
// failure, not a retry; a handler run twice on one event (two relays
// overlapping) enqueues its emails once.
func TestPortalNotifyEvents(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("notify-ev")
	f := ta.tenantFixtures(t, owner, "e")
	acc := f["customer"]()
	ta.portalCustomer(t, owner, "notify-ev", acc, "ivy@e.example.com")
	order := f["reserved_order"]()
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	tid := uuid.MustParse(me.Tenant.ID)

	type hit struct{ tenant, account uuid.UUID }
	var mu sync.Mutex
	var hits []hit
	svc := portal.NewService(ta.db, ta.identity.Sessions(), ta.identity.Throttle(), ta.enforcer, ta.crm, ta.identity,
		portal.Options{BaseURL: "http://nexo.test", Invalidate: func(_ context.Context, tenantID, accountID uuid.UUID) {
			mu.Lock()
			defer mu.Unlock()
			hits = append(hits, hit{tenantID, accountID})
		}})
	handlers := svc.NotifyHandlers(portalDocuments{ta.sales, ta.shipping, ta.invoicing})
	for _, topic := range []string{sales.TopicOrderConfirmed, sales.TopicOrderCancelled, sales.TopicOrderCreditHold,
		"shipping.shipment.status_changed", "invoicing.invoice.issued", "invoicing.payment.recorded",
		"invoicing.credit_note.issued", portal.TopicReturnRequested, portal.TopicReturnApproved, portal.TopicReturnRejected,
		portal.TopicReturnReceived, portal.TopicReturnRefunded, portal.TopicReturnReplaced, "invoicing.refund.changed"} {
		if handlers[topic] == nil {
			t.Errorf("no handler for %s", topic)
		}
	}
	if len(handlers) != 14 {
		t.Errorf("%d handlers", len(handlers))
	}
	ctx := context.Background()
	bound := func() context.Context { return tenant.WithTenant(ctx, tid) }
	ev := func(topic string, payload any) events.Event {
		body, _ := json.Marshal(payload)
		return events.Event{ID: uuid.Must(uuid.NewV7()), TenantID: tid, Topic: topic, Payload: body, Attempts: 1}
	}

	// Not emailable: the hook runs, nothing is sent.
	accID := uuid.MustParse(acc)
	cancelled := ev(sales.TopicOrderCancelled, map[string]any{"order_id": order, "account_id": acc, "status": "cancelled"})
	if err := handlers[sales.TopicOrderCancelled](bound(), cancelled); err != nil {
		t.Fatal(err)
	}
	rejected := ev(portal.TopicReturnRejected, map[string]any{"return_id": uuid.NewString(), "number": "RMA-1", "account_id": acc, "status": "rejected"})
	if err := handlers[portal.TopicReturnRejected](bound(), rejected); err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0] != (hit{tid, accID}) || hits[1] != (hit{tid, accID}) {
		t.Errorf("invalidations: %+v", hits)
	}

	// A return approved (the returns module's payload) emails, twice run
	// once sent.
	ret := uuid.New()
	approved := ev(portal.TopicReturnApproved, map[string]any{"return_id": ret, "number": "RMA-0007", "account_id": acc,
		"order_id": order, "status": "approved", "reason": "Arrived <broken>", "credit_note_id": nil})
	for range 2 {
		if err := handlers[portal.TopicReturnApproved](bound(), approved); err != nil {
			t.Fatal(err)
		}
	}
	ta.drainOutbox(t)
	got := ta.notices("ivy@e.example.com", "portal_return_approved")
	if len(got) != 1 || !strings.HasPrefix(got[0].Subject, "Return approved: RMA-0007") ||
		!strings.Contains(got[0].HTML, "Arrived &lt;broken&gt;") || !strings.Contains(got[0].Text, "/portal/notify-ev/returns/"+ret.String()) {
		t.Errorf("return approved: %+v", got)
	}
	if len(hits) != 4 {
		t.Errorf("%d invalidations after the return, want 4", len(hits))
	}

	// Malformed payloads die at once.
	for name, e := range map[string]events.Event{
		"not json":         {ID: uuid.New(), TenantID: tid, Topic: sales.TopicOrderConfirmed, Payload: []byte("{")},
		"no account":       ev(sales.TopicOrderConfirmed, map[string]any{"order_id": order}),
		"bad account":      ev(sales.TopicOrderConfirmed, map[string]any{"order_id": order, "account_id": "x"}),
		"no order":         ev(sales.TopicOrderConfirmed, map[string]any{"account_id": acc}),
		"unknown order":    ev(sales.TopicOrderConfirmed, map[string]any{"order_id": uuid.NewString(), "account_id": acc}),
		"other account":    ev(sales.TopicOrderConfirmed, map[string]any{"order_id": order, "account_id": uuid.NewString()}),
		"return no number": ev(portal.TopicReturnApproved, map[string]any{"return_id": ret, "account_id": acc}),
	} {
		err := handlers[e.Topic](bound(), e)
		if !events.IsPermanent(err) {
			t.Errorf("%s: %v, want a permanent error", name, err)
		}
	}
	ta.drainOutbox(t)
	if n := len(ta.notices("ivy@e.example.com", "")); n != 2 { // the fixture's order confirmed, the return
		t.Errorf("ivy has %d notices, want 2", n)
	}
}
