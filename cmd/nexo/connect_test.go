package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/uptrace/bun"

	"nexo/connect"
	"nexo/internal/errs"
	"nexo/internal/stripekit"
	"nexo/internal/stripekit/stripekittest"
	"nexo/tenant"
)

const connectSecret = "whsec_connect_test"

// payEnv is a tenant with Stripe keys (stripe-mock), a connected account,
// an invoice of 2 units and a portal customer of the invoice's account.
type payEnv struct {
	ta        *testApp
	owner     *client
	customer  *client
	slug      string
	tenantID  string
	account   string // connected Stripe account
	invoice   func() string
	accountID string // the customer's CRM account
}

func newConnectApp(t *testing.T) *testApp {
	t.Helper()
	base := stripekittest.URL(t)
	return newTestAppWith(t, func(c *Config) {
		c.StripeSecretKey, c.StripeAPIBase, c.StripeConnectWebhookKey = "sk_test_123", base, connectSecret
	})
}

// newPayEnv signs a tenant up and connects its Stripe account; enabled
// also has Stripe report it can take charges (account.updated).
func newPayEnv(t *testing.T, ta *testApp, slug string, enabled bool) *payEnv {
	t.Helper()
	e := &payEnv{ta: ta, owner: ta.signup(slug), slug: slug}
	var me meBody
	ta.do(e.owner, "GET", "/api/v1/me", nil).json(t, &me)
	e.tenantID = me.Tenant.ID
	fx := ta.tenantFixtures(t, e.owner, slug)
	e.invoice, e.accountID = fx["invoice"], fx["customer"]()
	e.customer = ta.portalCustomer(t, e.owner, slug, e.accountID, "buyer@"+slug+".example.com")
	var st struct {
		URL       string `json:"url"`
		AccountID string `json:"account_id"`
		Status    string `json:"status"`
	}
	r := ta.do(e.owner, "POST", "/api/v1/settings/stripe/connect", nil)
	if r.Status != 200 {
		t.Fatalf("connect: %d %s", r.Status, r.Body)
	}
	r.json(t, &st)
	if st.URL == "" || !strings.HasPrefix(st.AccountID, "acct_") || st.Status != "onboarding" {
		t.Fatalf("connect: %+v", st)
	}
	e.account = st.AccountID
	if enabled {
		e.accountUpdated(t, "evt_"+uuid.NewString(), true, time.Now())
	}
	return e
}

// post signs body with the Connect secret the way Stripe does and posts
// it to the Connect webhook; it returns the status.
func (e *payEnv) post(t *testing.T, body []byte) int {
	t.Helper()
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: connectSecret})
	return postConnect(t, e.ta, sp.Payload, sp.Header)
}

func postConnect(t *testing.T, ta *testApp, body []byte, header string) int {
	req := httptest.NewRequest("POST", "/webhooks/stripe/connect", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set("Stripe-Signature", header)
	}
	resp, err := ta.app.Test(req, -1)
	if err != nil {
		t.Errorf("webhook: %v", err)
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// event is a Stripe event of the connected account in Stripe's shape.
func (e *payEnv) event(id, typ string, created time.Time, object map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": "2023-10-16", "type": typ,
		"created": created.Unix(), "account": e.account, "livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": object}})
	return b
}

func (e *payEnv) accountUpdated(t *testing.T, id string, charges bool, at time.Time) {
	t.Helper()
	body := e.event(id, "account.updated", at, map[string]any{"id": e.account, "object": "account", "charges_enabled": charges,
		"details_submitted": charges, "payouts_enabled": charges, "metadata": map[string]string{"tenant_id": e.tenantID}})
	if s := e.post(t, body); s != 200 {
		t.Fatalf("account.updated: %d", s)
	}
}

// session is a Checkout Session event object for a pay response.
func (e *payEnv) session(sess, invoice, intent string, amount int64, status string) map[string]any {
	return map[string]any{"id": sess, "object": "checkout.session", "mode": "payment", "payment_status": status,
		"status": "complete", "amount_total": amount, "currency": "eur", "payment_intent": intent,
		"metadata": map[string]string{"tenant_id": e.tenantID, "invoice_id": invoice}}
}

type payInvoice struct {
	Status       string `json:"status"`
	Number       string `json:"number"`
	TotalMinor   int64  `json:"total_minor"`
	PaidMinor    int64  `json:"paid_minor"`
	BalanceMinor int64  `json:"balance_minor"`
	Payments     []struct {
		AmountMinor int64  `json:"amount_minor"`
		Method      string `json:"method"`
		ExternalRef string `json:"external_ref"`
		CreatedBy   any    `json:"created_by"`
	} `json:"payments"`
}

func (e *payEnv) read(t *testing.T, c *client, id string) payInvoice {
	t.Helper()
	var inv payInvoice
	r := e.ta.do(c, "GET", "/api/v1/invoices/"+id, nil)
	if r.Status != 200 {
		t.Fatalf("invoice: %d %s", r.Status, r.Body)
	}
	r.json(t, &inv)
	return inv
}

type payOut struct {
	URL       string `json:"url"`
	SessionID string `json:"session_id"`
}

func (e *payEnv) pay(t *testing.T, id string) payOut {
	t.Helper()
	var out payOut
	r := e.ta.do(e.customer, "POST", "/api/v1/invoices/"+id+"/pay", nil)
	if r.Status != 200 {
		t.Fatalf("pay: %d %s", r.Status, r.Body)
	}
	r.json(t, &out)
	if out.URL == "" || out.SessionID == "" {
		t.Fatalf("pay: %+v", out)
	}
	return out
}

// attempt reads a payment attempt's columns by checkout session.
func (e *payEnv) attempt(t *testing.T, session string) (status string, unapplied int64) {
	t.Helper()
	ctx := tenant.WithTenant(context.Background(), uuid.MustParse(e.tenantID))
	err := e.ta.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw("SELECT status, unapplied_minor FROM payment_attempts WHERE tenant_id = ? AND checkout_session_id = ?",
			uuid.MustParse(e.tenantID), session).Scan(ctx, &status, &unapplied)
	})
	if err != nil {
		t.Fatalf("attempt %s: %v", session, err)
	}
	return status, unapplied
}

// TestConnectPayJourney is P3's online payment: bank details (a bad IBAN
// is a 400 naming it), connecting Stripe (once per tenant), no Pay while
// Stripe cannot take charges, account.updated enabling it, a Checkout
// Session on the connected account, and the signed
// checkout.session.completed recording the payment on the invoice, which
// the customer then sees paid with its history.
func TestConnectPayJourney(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "pay-journey", false)

	// Bank details: checked field by field, shown with the invoice number.
	r := ta.do(e.owner, "PUT", "/api/v1/settings/bank-details", map[string]string{"account_holder": "Pay Journey SL",
		"iban": "ES91 2100 0418 4502 0005 1333", "bic": "CAIX"})
	if r.Status != 400 || r.problemField("iban") == "" || r.problemField("bic") == "" {
		t.Fatalf("bad bank details: %d %s", r.Status, r.Body)
	}
	if r := ta.do(e.owner, "PUT", "/api/v1/settings/bank-details", map[string]string{"iban": "DE89370400440532013000"}); r.Status != 400 || r.problemField("account_holder") == "" {
		t.Fatalf("IBAN without holder: %d %s", r.Status, r.Body)
	}
	r = ta.do(e.owner, "PUT", "/api/v1/settings/bank-details", map[string]string{"account_holder": "Pay Journey SL",
		"iban": "es91 2100 0418 4502 0005 1332", "bic": "caixesbbxxx", "bank_name": "CaixaBank", "instructions": "Quote the invoice number."})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"iban":"ES9121000418450200051332"`) || !strings.Contains(string(r.Body), `"bic":"CAIXESBBXXX"`) {
		t.Fatalf("bank details: %d %s", r.Status, r.Body)
	}

	// Connecting again reuses the account.
	var again struct {
		AccountID string `json:"account_id"`
	}
	ta.do(e.owner, "POST", "/api/v1/settings/stripe/connect", nil).json(t, &again)
	if again.AccountID != e.account {
		t.Fatalf("second connect made account %s, first %s", again.AccountID, e.account)
	}

	inv := e.invoice()
	before := e.read(t, e.customer, inv)
	r = ta.do(e.customer, "POST", "/api/v1/invoices/"+inv+"/pay", nil)
	if r.Status != 422 || !strings.Contains(string(r.Body), "bank transfer") {
		t.Fatalf("pay while onboarding: %d %s", r.Status, r.Body)
	}
	var opts struct {
		Online    bool   `json:"online"`
		Reference string `json:"reference"`
		Bank      *struct {
			IBAN string `json:"iban"`
		} `json:"bank"`
	}
	ta.do(e.customer, "GET", "/api/v1/invoices/"+inv+"/payment-options", nil).json(t, &opts)
	if opts.Online || opts.Reference != before.Number || opts.Bank == nil || opts.Bank.IBAN != "ES9121000418450200051332" {
		t.Fatalf("payment options while onboarding: %+v", opts)
	}
	// The PDF prints the bank details and the reference.
	pdf := ta.do(e.customer, "GET", "/api/v1/invoices/"+inv+"/pdf", nil)
	if text := pdfText(t, pdf.Body); !strings.Contains(text, "ES91 2100 0418 4502 0005 1332") || !strings.Contains(text, "Reference: "+before.Number) {
		t.Errorf("the PDF does not print the bank details: %q", text)
	}

	// Stripe reports the account can take charges.
	e.accountUpdated(t, "evt_enabled_"+e.slug, true, time.Now())
	var st struct {
		Status string `json:"status"`
	}
	ta.do(e.owner, "GET", "/api/v1/settings/stripe", nil).json(t, &st)
	if st.Status != "enabled" {
		t.Fatalf("state after account.updated: %+v", st)
	}
	ta.do(e.customer, "GET", "/api/v1/invoices/"+inv+"/payment-options", nil).json(t, &opts)
	if !opts.Online {
		t.Fatalf("payment options once enabled: %+v", opts)
	}
	p := e.pay(t, inv)
	if again := e.pay(t, inv); again != p {
		t.Errorf("a second click opened another session: %+v then %+v", p, again)
	}
	if s, _ := e.attempt(t, p.SessionID); s != "open" {
		t.Fatalf("attempt before the webhook: %s", s)
	}

	// The signed completion records the payment.
	body := e.event("evt_paid_"+e.slug, "checkout.session.completed", time.Now(), e.session(p.SessionID, inv, "pi_journey", before.BalanceMinor, "paid"))
	if s := e.post(t, body); s != 200 {
		t.Fatalf("checkout.session.completed: %d", s)
	}
	after := e.read(t, e.customer, inv)
	if after.Status != "paid" || after.BalanceMinor != 0 || len(after.Payments) != 1 || after.Payments[0].Method != "card" ||
		after.Payments[0].AmountMinor != before.BalanceMinor {
		t.Fatalf("invoice after payment: %+v", after)
	}
	if strings.Contains(string(ta.do(e.customer, "GET", "/api/v1/invoices/"+inv, nil).Body), "pi_journey") {
		t.Error("the customer's invoice shows the provider reference")
	}
	staff := e.read(t, e.owner, inv)
	if len(staff.Payments) != 1 || staff.Payments[0].ExternalRef != "pi_journey" {
		t.Errorf("staff view of the payment: %+v", staff.Payments)
	}
	if s, _ := e.attempt(t, p.SessionID); s != "paid" {
		t.Errorf("attempt after the webhook: %s", s)
	}
	r = ta.do(e.customer, "POST", "/api/v1/invoices/"+inv+"/pay", nil)
	if r.Status != 422 {
		t.Errorf("paying a paid invoice: %d %s", r.Status, r.Body)
	}
	// Unknown events are acknowledged and change nothing.
	if s := e.post(t, e.event("evt_other_"+e.slug, "payment_intent.created", time.Now(), map[string]any{"id": "pi_x", "object": "payment_intent"})); s != 200 {
		t.Errorf("unknown event: %d", s)
	}

	// Disconnecting withdraws the Pay button; connecting again restores it.
	if r := ta.do(e.owner, "DELETE", "/api/v1/settings/stripe", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"disconnected"`) {
		t.Fatalf("disconnect: %d %s", r.Status, r.Body)
	}
	inv2 := e.invoice()
	if r := ta.do(e.customer, "POST", "/api/v1/invoices/"+inv2+"/pay", nil); r.Status != 422 {
		t.Errorf("pay after disconnect: %d %s", r.Status, r.Body)
	}
	if r := ta.do(e.owner, "POST", "/api/v1/settings/stripe/connect", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"enabled"`) {
		t.Errorf("reconnect: %d %s", r.Status, r.Body)
	}
}

// TestConnectWebhookSignature is S1 on the Connect endpoint: a wrong
// secret, an altered body, a stale timestamp, no or a garbage signature
// are 400s and record nothing.
func TestConnectWebhookSignature(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "pay-sig", true)
	inv := e.invoice()
	p := e.pay(t, inv)
	bal := e.read(t, e.owner, inv).BalanceMinor
	body := e.event("evt_sig", "checkout.session.completed", time.Now(), e.session(p.SessionID, inv, "pi_sig", bal, "paid"))
	good := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: connectSecret})
	altered := bytes.Replace(body, []byte(fmt.Sprint(bal)), []byte(fmt.Sprint(bal*10)), 1)
	for name, c := range map[string]struct {
		body   []byte
		header string
	}{
		"wrong secret":    {body, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_attacker"}).Header},
		"billing secret":  {body, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_billing"}).Header},
		"altered body":    {altered, good.Header},
		"stale timestamp": {body, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: connectSecret, Timestamp: time.Now().Add(-10 * time.Minute)}).Header},
		"no signature":    {body, ""},
		"garbage header":  {body, "t=abc,v1=zz"},
	} {
		if s := postConnect(t, ta, c.body, c.header); s != 400 {
			t.Errorf("%s: %d", name, s)
		}
	}
	if got := e.read(t, e.owner, inv); got.PaidMinor != 0 || len(got.Payments) != 0 {
		t.Fatalf("a refused webhook recorded a payment: %+v", got)
	}
	if s, _ := e.attempt(t, p.SessionID); s != "open" {
		t.Fatalf("a refused webhook moved the attempt: %s", s)
	}
	// The genuine delivery still applies: nothing was recorded under its id.
	if s := postConnect(t, ta, good.Payload, good.Header); s != 200 {
		t.Fatalf("genuine delivery: %d", s)
	}
	if got := e.read(t, e.owner, inv); got.Status != "paid" {
		t.Fatalf("after the genuine delivery: %+v", got)
	}
}

// TestConnectWebhookExactlyOnce is S2: the completion and the async
// success of one session, each delivered 1–5 times, shuffled and
// concurrently, together with an older account.updated, record one
// payment of the balance; the invoice is paid once and the account state
// is the newest event's.
func TestConnectWebhookExactlyOnce(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "pay-once", true)
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 1; round <= 5; round++ {
		inv := e.invoice()
		p := e.pay(t, inv)
		bal := e.read(t, e.owner, inv).BalanceMinor
		intent := fmt.Sprintf("pi_once_%d", round)
		now := time.Now()
		events := [][]byte{
			e.event(fmt.Sprintf("evt_done_%d", round), "checkout.session.completed", now, e.session(p.SessionID, inv, intent, bal, "paid")),
			e.event(fmt.Sprintf("evt_async_%d", round), "checkout.session.async_payment_succeeded", now.Add(time.Second), e.session(p.SessionID, inv, intent, bal, "paid")),
			// Stripe reported the account disabled before enabling it: the
			// older event must not win, whatever the order.
			e.event(fmt.Sprintf("evt_acct_old_%d", round), "account.updated", now.Add(-time.Hour), map[string]any{"id": e.account,
				"object": "account", "charges_enabled": false, "metadata": map[string]string{"tenant_id": e.tenantID}}),
		}
		var deliveries [][]byte
		for _, ev := range events {
			for n := 1 + rng.Intn(5); n > 0; n-- {
				deliveries = append(deliveries, ev)
			}
		}
		rng.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
		var wg sync.WaitGroup
		statuses := make([]int, len(deliveries))
		for i, body := range deliveries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: connectSecret})
				statuses[i] = postConnect(t, ta, sp.Payload, sp.Header)
			}()
		}
		wg.Wait()
		for i, s := range statuses {
			if s != 200 {
				t.Errorf("round %d delivery %d: %d", round, i, s)
			}
		}
		got := e.read(t, e.owner, inv)
		if len(got.Payments) != 1 || got.PaidMinor != bal || got.BalanceMinor != 0 || got.Status != "paid" || got.Payments[0].ExternalRef != intent {
			t.Fatalf("round %d (%d deliveries): %+v", round, len(deliveries), got)
		}
		if s, _ := e.attempt(t, p.SessionID); s != "paid" {
			t.Errorf("round %d: attempt %s", round, s)
		}
		var st struct {
			Status string `json:"status"`
		}
		ta.do(e.owner, "GET", "/api/v1/settings/stripe", nil).json(t, &st)
		if st.Status != "enabled" {
			t.Fatalf("round %d: an older account.updated won: %s", round, st.Status)
		}
	}
}

// TestConnectPaidMeanwhile: money Stripe collected for an invoice settled
// meanwhile by other means is never dropped: what is still owed is
// recorded, the rest stays on the attempt as unapplied (overpaid).
//
// The part Stripe collected that the invoice could not take is a due
// overpayment refund, which finance returns to the card.
func TestConnectPaidMeanwhile(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "pay-meanwhile", true)
	for _, part := range []string{"partly", "fully"} {
		inv := e.invoice()
		p := e.pay(t, inv)
		bal := e.read(t, e.owner, inv).BalanceMinor
		paidByHand := bal / 2
		if part == "fully" {
			paidByHand = bal
		}
		if r := ta.do(e.owner, "POST", "/api/v1/payments", map[string]any{"invoice_id": inv, "amount_minor": paidByHand, "method": "transfer"}); r.Status != 201 {
			t.Fatalf("%s: manual payment: %d %s", part, r.Status, r.Body)
		}
		body := e.event("evt_meanwhile_"+part, "checkout.session.completed", time.Now(), e.session(p.SessionID, inv, "pi_meanwhile_"+part, bal, "paid"))
		if s := e.post(t, body); s != 200 {
			t.Fatalf("%s: webhook: %d", part, s)
		}
		got := e.read(t, e.owner, inv)
		wantPayments := 2
		if part == "fully" {
			wantPayments = 1
		}
		if got.Status != "paid" || got.PaidMinor != bal || len(got.Payments) != wantPayments {
			t.Errorf("%s: invoice %+v", part, got)
		}
		if s, unapplied := e.attempt(t, p.SessionID); s != "overpaid" || unapplied != paidByHand {
			t.Errorf("%s: attempt %s unapplied %d, want overpaid %d", part, s, unapplied, paidByHand)
		}
		// The excess is owed back, and finance returns it to the card.
		var refunds struct {
			Items []struct {
				ID          string `json:"id"`
				Reason      string `json:"reason"`
				Status      string `json:"status"`
				AmountMinor int64  `json:"amount_minor"`
			} `json:"items"`
		}
		ta.do(e.owner, "GET", "/api/v1/refunds?invoice_id="+inv, nil).json(t, &refunds)
		if len(refunds.Items) != 1 || refunds.Items[0].Reason != "overpayment" || refunds.Items[0].AmountMinor != paidByHand || refunds.Items[0].Status != "due" {
			t.Fatalf("%s: refunds %+v", part, refunds.Items)
		}
		if r := ta.do(e.owner, "POST", "/api/v1/refunds/"+refunds.Items[0].ID+"/stripe", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"refunded"`) {
			t.Errorf("%s: refund the overpayment: %d %s", part, r.Status, r.Body)
		}
	}
	var audit struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	ta.do(e.owner, "GET", "/api/v1/audit-events?limit=100", nil).json(t, &audit)
	n := 0
	for _, a := range audit.Items {
		if a.Action == "payment_attempt.overpaid" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("overpaid audit rows: %d, want 2", n)
	}
}

// keyCheckingGateway is the real Stripe gateway (stripe-mock) with a
// check before each creating call: its idempotency key must already be
// committed (S3). down makes the call fail as a timeout would, after
// which the outcome is unknown.
type keyCheckingGateway struct {
	connect.Gateway
	t    *testing.T
	ta   *testApp
	tid  uuid.UUID
	down bool
	keys []string
}

func (g *keyCheckingGateway) saved(key string) {
	g.t.Helper()
	var n int
	ctx := tenant.WithTenant(context.Background(), g.tid)
	err := g.ta.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT (SELECT count(*) FROM payment_attempts WHERE tenant_id = ? AND idempotency_key = ?) +
			(SELECT count(*) FROM payment_settings WHERE tenant_id = ? AND (account_key = ? OR link_key = ?))`,
			g.tid, key, g.tid, key, key).Scan(ctx, &n)
	})
	if err != nil || n != 1 || key == "" {
		g.t.Errorf("call with key %q not saved before the call (%d rows, %v)", key, n, err)
	}
	g.keys = append(g.keys, key)
}

func (g *keyCheckingGateway) CreateAccount(ctx context.Context, key, tid string) (connect.Account, error) {
	g.saved(key)
	if g.down {
		return connect.Account{}, errs.E(errs.Internal, "timeout")
	}
	return g.Gateway.CreateAccount(ctx, key, tid)
}

func (g *keyCheckingGateway) CreateAccountLink(ctx context.Context, key, acct, refresh, ret string) (string, error) {
	g.saved(key)
	return g.Gateway.CreateAccountLink(ctx, key, acct, refresh, ret)
}

func (g *keyCheckingGateway) CreateCheckout(ctx context.Context, key string, p connect.CheckoutParams) (connect.Session, error) {
	g.saved(key)
	if g.down {
		return connect.Session{}, errs.E(errs.Internal, "timeout")
	}
	return g.Gateway.CreateCheckout(ctx, key, p)
}

// TestConnectIdempotencyKeys is S3: every creating call's key is committed
// before the call, and a call whose outcome is unknown is retried with the
// same key (Stripe then answers with what it made the first time).
func TestConnectIdempotencyKeys(t *testing.T) {
	ta := newConnectApp(t)
	e := newPayEnv(t, ta, "pay-keys", true)
	g := &keyCheckingGateway{Gateway: connect.NewGateway(stripekit.Config{SecretKey: "sk_test_123", APIBase: stripekittest.URL(t)}),
		t: t, ta: ta, tid: uuid.MustParse(e.tenantID)}
	svc := connect.New(ta.db, connectInvoices{ta.invoicing}, connect.Options{Gateway: g, BaseURL: "http://nexo.test"})

	// A customer's payment: the first call times out, the retry reuses the key.
	contact := uuid.New()
	acc := uuid.MustParse(e.accountID)
	cctx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: g.tid, Kind: tenant.KindCustomer,
		ID: contact, Subject: "c:" + contact.String(), AccountID: &acc})
	inv := uuid.MustParse(e.invoice())
	g.down = true
	if _, err := svc.Pay(cctx, inv); err == nil {
		t.Fatal("pay with Stripe down succeeded")
	}
	g.down = false
	s, err := svc.Pay(cctx, inv)
	if err != nil || s.URL == "" {
		t.Fatalf("pay retry: %+v %v", s, err)
	}
	if len(g.keys) != 2 || g.keys[0] != g.keys[1] {
		t.Errorf("checkout keys %v: want the same key twice", g.keys)
	}

	// A second tenant's connect: account creation times out, the retry
	// reuses its key; the onboarding link gets one of its own.
	o := ta.signup("pay-keys-b")
	var me meBody
	ta.do(o, "GET", "/api/v1/me", nil).json(t, &me)
	g.tid, g.keys = uuid.MustParse(me.Tenant.ID), nil
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: g.tid, Kind: tenant.KindUser,
		ID: uuid.MustParse(me.User.ID), Subject: tenant.UserSubject(uuid.MustParse(me.User.ID))})
	g.down = true
	if _, _, err := svc.Connect(octx); err == nil {
		t.Fatal("connect with Stripe down succeeded")
	}
	g.down = false
	st, url, err := svc.Connect(octx)
	if err != nil || url == "" || st.AccountID == "" {
		t.Fatalf("connect retry: %+v %q %v", st, url, err)
	}
	if len(g.keys) != 3 || g.keys[0] != g.keys[1] || g.keys[2] == g.keys[0] {
		t.Errorf("connect keys %v: want the account key twice, then the link's", g.keys)
	}
}

// TestConnectUnavailable: without Stripe keys (embedded mode) the state is
// "unavailable", connecting and paying are 422s, and bank details work.
func TestConnectUnavailable(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("pay-nokeys")
	fx := ta.tenantFixtures(t, owner, "nk")
	inv := fx["invoice"]()
	cust := ta.portalCustomer(t, owner, "pay-nokeys", fx["customer"](), "buyer@pay-nokeys.example.com")
	if r := ta.do(owner, "GET", "/api/v1/settings/stripe", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"unavailable"`) {
		t.Fatalf("state: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "POST", "/api/v1/settings/stripe/connect", nil); r.Status != 422 {
		t.Fatalf("connect: %d %s", r.Status, r.Body)
	}
	if r := ta.do(cust, "POST", "/api/v1/invoices/"+inv+"/pay", nil); r.Status != 422 {
		t.Fatalf("pay: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "PUT", "/api/v1/settings/bank-details", map[string]string{"account_holder": "No Keys SL", "iban": "GB82 WEST 1234 5698 7654 32"}); r.Status != 200 {
		t.Fatalf("bank details: %d %s", r.Status, r.Body)
	}
	if r := ta.do(cust, "GET", "/api/v1/invoices/"+inv+"/payment-options", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"online":false`) ||
		!strings.Contains(string(r.Body), "GB82WEST12345698765432") {
		t.Fatalf("payment options: %d %s", r.Status, r.Body)
	}
	if r := ta.do(nil, "POST", "/webhooks/stripe/connect", map[string]string{"id": "evt_x"}); r.Status != 422 {
		t.Errorf("webhook without a secret: %d %s", r.Status, r.Body)
	}
}

var pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// pdfText inflates a PDF's content streams, enough to find the text it
// writes.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range pdfStream.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1])
			continue
		}
		b, _ := io.ReadAll(r)
		out.Write(b)
	}
	return out.String()
}
