package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/uptrace/bun"

	"nexo/internal/web"
)

const (
	secretOld = "whsec_old_secret"
	secretNew = "whsec_new_secret"
)

func webhookApp(svc *Service) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	app.Post("/webhooks/stripe", svc.Webhook([]string{secretNew, secretOld}))
	return app
}

// event builds a Stripe event with stripe-go's own types.
func event(t *testing.T, id string, typ stripe.EventType, created time.Time, obj any) []byte {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(stripe.Event{ID: id, Object: "event", Type: typ, Created: created.Unix(),
		APIVersion: stripe.APIVersion, Data: &stripe.EventData{Raw: raw}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func subObj(id, customer string) *stripe.Subscription {
	return &stripe.Subscription{ID: id, Object: "subscription", Customer: &stripe.Customer{ID: customer}}
}

func invoiceObj(sub, customer string) *stripe.Invoice {
	return &stripe.Invoice{ID: "in_" + sub, Object: "invoice", Subscription: &stripe.Subscription{ID: sub}, Customer: &stripe.Customer{ID: customer}}
}

// post delivers body signed with secret at ts and returns the status.
func post(t *testing.T, app *fiber.App, body []byte, secret string, ts time.Time) (int, string) {
	t.Helper()
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: ts})
	return postRaw(t, app, sp.Payload, sp.Header)
}

func postRaw(t *testing.T, app *fiber.App, body []byte, header string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("POST", "/webhooks/stripe", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set("Stripe-Signature", header)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type") + " " + string(b)
}

func (e *env) eventCount(t *testing.T, prefix string) int {
	t.Helper()
	var n int
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		c, err := tx.NewSelect().Model((*eventRow)(nil)).Where("se.id LIKE ?", prefix+"%").Count(ctx)
		n = int(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebhookSignature is QUALITY S1.
func TestWebhookSignature(t *testing.T) {
	fake := newFakeStripe()
	e := newEnv(t, fake)
	tid, _ := e.newTenant(t)
	run := uuid.NewString()[:8]
	cus, sub := "cus_"+run, "sub_"+run
	e.setAccount(t, tid, func(a *accountRow) { a.StripeCustomerID = cus })
	fake.set(map[string]Subscription{sub: {ID: sub, CustomerID: cus, Status: "active", PriceID: "price_starter", Quantity: 2}})
	app := webhookApp(e.svc)
	body := event(t, "evt_"+run+"_1", stripe.EventTypeCustomerSubscriptionUpdated, time.Now(), subObj(sub, cus))

	good := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secretNew})
	altered := []byte(strings.Replace(string(body), sub, sub+"x", 1))
	for name, c := range map[string]struct {
		body   []byte
		header string
	}{
		"wrong secret":    {body, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_attacker"}).Header},
		"altered body":    {altered, good.Header},
		"stale timestamp": {body, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secretNew, Timestamp: time.Now().Add(-10 * time.Minute)}).Header},
		"no signature":    {body, ""},
		"garbage header":  {body, "t=abc,v1=zz"},
	} {
		status, resp := postRaw(t, app, c.body, c.header)
		if status != 400 || !strings.HasPrefix(resp, "application/problem+json") {
			t.Errorf("%s: %d %s", name, status, resp)
		}
	}
	if a := e.account(t, tid); a.BillingState != "trialing" || a.StripeSubscriptionID != "" || e.eventCount(t, "evt_"+run) != 0 {
		t.Fatalf("a refused webhook changed something: %+v", a)
	}
	if fake.reads != 0 {
		t.Fatalf("a refused webhook reached Stripe")
	}

	// The old secret still verifies during rotation; a redelivery does nothing.
	for i := 0; i < 2; i++ {
		if status, resp := post(t, app, body, secretOld, time.Now()); status != 200 {
			t.Fatalf("valid webhook: %d %s", status, resp)
		}
	}
	a := e.account(t, tid)
	if a.BillingState != "active" || a.Plan != "starter" || a.SeatsQuantity != 2 || a.StripeSubscriptionID != sub {
		t.Fatalf("after webhook: %+v", a)
	}
	if fake.reads != 1 || e.eventCount(t, "evt_"+run) != 1 {
		t.Fatalf("redelivery applied again: %d reads, %d events", fake.reads, e.eventCount(t, "evt_"+run))
	}
}

// TestWebhookUnknownCustomer records the event and answers 200, so Stripe
// stops retrying an event that is not about any tenant.
func TestWebhookUnknownCustomer(t *testing.T) {
	fake := newFakeStripe()
	e := newEnv(t, fake)
	run := uuid.NewString()[:8]
	body := event(t, "evt_"+run, stripe.EventTypeCustomerSubscriptionUpdated, time.Now(), subObj("sub_"+run, "cus_nobody"+run))
	if status, resp := post(t, webhookApp(e.svc), body, secretNew, time.Now()); status != 200 {
		t.Fatalf("%d %s", status, resp)
	}
	if fake.reads != 0 || e.eventCount(t, "evt_"+run) != 1 {
		t.Fatal("unknown customer: not recorded, or Stripe read")
	}
}

// scenario is a generated history of one tenant's subscriptions: Stripe's
// state after each step and the events that step emitted.
type scenario struct {
	steps []step
}

type step struct {
	subs   map[string]Subscription
	events [][]byte
}

// genScenario drives a random but valid subscription life: checkout, seat
// and plan changes, failed and recovered payments, cancel at period end,
// cancellation and a new subscription. Ids carry run so several runs can
// share a database.
func genScenario(t *testing.T, seed uint64, run, cus string) scenario {
	r := rand.New(rand.NewPCG(seed, 7))
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := base
	subs := map[string]Subscription{}
	var sc scenario
	n, evn := 0, 0
	cur := ""
	emit := func(st *step, typ stripe.EventType, obj any) {
		evn++
		st.events = append(st.events, event(t, fmt.Sprintf("evt_%s_%03d", run, evn), typ, clock, obj))
	}
	newSub := func(st *step) {
		n++
		cur = fmt.Sprintf("sub_%s_%d", run, n)
		subs[cur] = Subscription{ID: cur, CustomerID: cus, Status: "active", PriceID: "price_starter", Quantity: 1,
			Created: clock, CurrentPeriodEnd: clock.AddDate(0, 1, 0)}
		emit(st, stripe.EventTypeCheckoutSessionCompleted, &stripe.CheckoutSession{ID: "cs_" + cur, Object: "checkout.session",
			Customer: &stripe.Customer{ID: cus}, Subscription: &stripe.Subscription{ID: cur}})
		emit(st, stripe.EventTypeCustomerSubscriptionCreated, subObj(cur, cus))
		emit(st, stripe.EventTypeInvoicePaid, invoiceObj(cur, cus))
	}
	for i := 0; i < 30; i++ {
		var st step
		// Stripe's created has one-second resolution: events often tie.
		clock = clock.Add(time.Duration(r.IntN(3)) * time.Second)
		s := subs[cur]
		switch op := r.IntN(7); {
		case cur == "" || s.Status == "canceled":
			newSub(&st)
		case op == 0:
			s.Quantity = int64(1 + r.IntN(10))
			subs[cur] = s
			emit(&st, stripe.EventTypeCustomerSubscriptionUpdated, subObj(cur, cus))
		case op == 1:
			s.PriceID = map[bool]string{true: "price_growth", false: "price_starter"}[s.PriceID == "price_starter"]
			subs[cur] = s
			emit(&st, stripe.EventTypeCustomerSubscriptionUpdated, subObj(cur, cus))
		case op == 2:
			if s.Status != "past_due" {
				s.Status, s.UnpaidSince = "past_due", clock
			}
			subs[cur] = s
			emit(&st, stripe.EventTypeInvoicePaymentFailed, invoiceObj(cur, cus))
			emit(&st, stripe.EventTypeCustomerSubscriptionUpdated, subObj(cur, cus))
		case op == 3:
			s.Status, s.UnpaidSince = "active", time.Time{}
			s.CurrentPeriodEnd = s.CurrentPeriodEnd.AddDate(0, 1, 0)
			subs[cur] = s
			emit(&st, stripe.EventTypeInvoicePaid, invoiceObj(cur, cus))
			emit(&st, stripe.EventTypeInvoicePaymentSucceeded, invoiceObj(cur, cus))
			emit(&st, stripe.EventTypeCustomerSubscriptionUpdated, subObj(cur, cus))
		case op == 4:
			s.CancelAtPeriodEnd = !s.CancelAtPeriodEnd
			subs[cur] = s
			emit(&st, stripe.EventTypeCustomerSubscriptionUpdated, subObj(cur, cus))
		case op == 5:
			s.Status, s.UnpaidSince = "canceled", time.Time{}
			subs[cur] = s
			emit(&st, stripe.EventTypeCustomerSubscriptionDeleted, subObj(cur, cus))
		default:
			emit(&st, stripe.EventTypeInvoicePaid, invoiceObj(cur, cus)) // nothing changed
		}
		st.subs = map[string]Subscription{}
		for k, v := range subs {
			st.subs[k] = v
		}
		sc.steps = append(sc.steps, st)
	}
	return sc
}

// mirrorOf is the part of a tenant compared across runs (ids without run).
func mirrorOf(a *accountRow, run string) string {
	f := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("state=%s plan=%s sub=%s period_end=%s past_due_since=%s cancel=%v seats=%d",
		a.BillingState, a.Plan, strings.ReplaceAll(a.StripeSubscriptionID, run, "RUN"), f(a.CurrentPeriodEnd),
		f(a.PastDueSince), a.CancelAtPeriodEnd, a.SeatsQuantity)
}

// playScenario applies sc to a fresh tenant. With r nil every event is
// delivered once, in order, each right after its step; otherwise each is
// delivered 1–5 times, shuffled, and late: after each step a random part
// of everything pending goes out, and the rest after the last step.
func playScenario(t *testing.T, e *env, fake *fakeStripe, seed uint64, r *rand.Rand) string {
	t.Helper()
	tid, _ := e.newTenant(t)
	run := strings.ReplaceAll(uuid.NewString()[:13], "-", "")
	cus := "cus_" + run
	e.setAccount(t, tid, func(a *accountRow) { a.StripeCustomerID = cus })
	sc := genScenario(t, seed, run, cus)
	app := webhookApp(e.svc)
	deliver := func(b []byte) {
		if status, resp := post(t, app, b, secretNew, time.Now()); status != 200 {
			t.Fatalf("delivery: %d %s", status, resp)
		}
	}
	var pending [][]byte
	for _, st := range sc.steps {
		fake.set(st.subs)
		if r == nil {
			for _, b := range st.events {
				deliver(b)
			}
			continue
		}
		for _, b := range st.events {
			for k := 1 + r.IntN(5); k > 0; k-- {
				pending = append(pending, b)
			}
		}
		r.Shuffle(len(pending), func(i, j int) { pending[i], pending[j] = pending[j], pending[i] })
		k := r.IntN(len(pending) + 1)
		for _, b := range pending[:k] {
			deliver(b)
		}
		pending = pending[k:]
	}
	for _, b := range pending {
		deliver(b)
	}
	// Stripe's final objects, mirrored directly, are the expected state.
	last := sc.steps[len(sc.steps)-1].subs
	var want *Subscription
	for _, s := range last {
		want = prefer(want, &s)
	}
	exp := &accountRow{BillingState: "trialing", Plan: "trial"}
	e.svc.mirror(context.Background(), exp, *want)
	got := mirrorOf(e.account(t, tid), run)
	if w := mirrorOf(exp, run); got != w {
		t.Fatalf("seed %d: tenant does not mirror Stripe's final objects:\n got %s\nwant %s", seed, got, w)
	}
	return got
}

// TestWebhookOrderAndDuplicates is QUALITY S2: each event delivered 1–5
// times in shuffled order ends in the state of in-order single delivery,
// which is Stripe's final state.
func TestWebhookOrderAndDuplicates(t *testing.T) {
	fake := newFakeStripe()
	e := newEnv(t, fake)
	for seed := uint64(1); seed <= 6; seed++ {
		inOrder := playScenario(t, e, fake, seed, nil)
		for k := uint64(0); k < 3; k++ {
			got := playScenario(t, e, fake, seed, rand.New(rand.NewPCG(seed, 100+k)))
			if got != inOrder {
				t.Fatalf("seed %d/%d: shuffled delivery\n got %s\nwant %s", seed, k, got, inOrder)
			}
		}
	}
}

// TestWebhookAgainstStripeMock re-reads the subscription through stripe-go
// from stripe-mock and mirrors it.
func TestWebhookAgainstStripeMock(t *testing.T) {
	gw := mockGateway(t)
	e := newEnv(t, gw)
	sub, err := gw.Subscription(context.Background(), "sub_123")
	if err != nil {
		t.Fatal(err)
	}
	tid, _ := e.newTenant(t)
	e.setAccount(t, tid, func(a *accountRow) { a.StripeCustomerID = sub.CustomerID })
	run := uuid.NewString()[:8]
	body := event(t, "evt_mock_"+run, stripe.EventTypeCustomerSubscriptionUpdated, time.Now(), subObj("sub_123", sub.CustomerID))
	if status, resp := post(t, webhookApp(e.svc), body, secretNew, time.Now()); status != 200 {
		t.Fatalf("%d %s", status, resp)
	}
	want, _ := stateOf(sub.Status)
	if a := e.account(t, tid); a.StripeSubscriptionID != "sub_123" || a.BillingState != want || a.SeatsQuantity != int(sub.Quantity) {
		t.Fatalf("mirrored %+v from %+v", a, sub)
	}
}
