package billing

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
)

func mockGateway(t *testing.T) *Stripe {
	return NewStripe(StripeConfig{SecretKey: "sk_test_123", APIBase: stripeMock(t), Timeout: 5 * time.Second, MaxRetries: 1})
}

// TestStripeGateway runs stripe-go against stripe-mock for every call.
func TestStripeGateway(t *testing.T) {
	gw := mockGateway(t)
	ctx := context.Background()
	cus, err := gw.CreateCustomer(ctx, "nexo-"+uuid.NewString(), Customer{TenantID: uuid.NewString(), Name: "Acme"})
	if err != nil || !strings.HasPrefix(cus, "cus_") {
		t.Fatalf("customer: %q %v", cus, err)
	}
	cs, err := gw.CreateCheckout(ctx, "nexo-"+uuid.NewString(), CheckoutParams{TenantID: uuid.NewString(), CustomerID: cus,
		PriceID: "price_starter", Quantity: 3, SuccessURL: "https://nexo.example.com/ok", CancelURL: "https://nexo.example.com/no"})
	if err != nil || !strings.HasPrefix(cs.ID, "cs_") || cs.URL == "" {
		t.Fatalf("checkout: %+v %v", cs, err)
	}
	ps, err := gw.CreatePortal(ctx, "nexo-"+uuid.NewString(), cus, "https://nexo.example.com/app/billing")
	if err != nil || ps.URL == "" {
		t.Fatalf("portal: %+v %v", ps, err)
	}
	up, err := gw.UpdateSubscription(ctx, "nexo-"+uuid.NewString(), "sub_123", SubscriptionUpdate{PriceID: "price_growth", Quantity: 4})
	if err != nil || up.ID != "sub_123" || up.CustomerID == "" || up.PriceID == "" || up.Quantity < 1 {
		t.Fatalf("update: %+v %v", up, err)
	}
	if _, ok := stateOf(up.Status); !ok && up.Status != "incomplete" {
		t.Fatalf("unexpected status %q", up.Status)
	}
	if _, err := gw.CancelAtPeriodEnd(ctx, "nexo-"+uuid.NewString(), "sub_123", true); err != nil {
		t.Fatalf("cancel at period end: %v", err)
	}
}

// TestTranslate: Stripe's refusals are definite (the key is dropped), a
// conflict on the key, rate limits and 5xx are not.
func TestTranslate(t *testing.T) {
	for status, want := range map[int]bool{400: true, 402: true, 404: true, 409: false, 429: false, 500: false} {
		if got := definite(translate(&stripe.Error{HTTPStatusCode: status, Msg: "x"})); got != want {
			t.Errorf("status %d: definite %v, want %v", status, got, want)
		}
	}
}

// TestStripeUnreachable: a network failure is not definite (the key is
// kept for the retry) and surfaces as an internal error.
func TestStripeUnreachable(t *testing.T) {
	gw := NewStripe(StripeConfig{SecretKey: "sk_test_123", APIBase: "http://127.0.0.1:1", Timeout: time.Second, MaxRetries: 1})
	_, err := gw.CreateCustomer(context.Background(), "k", Customer{Name: "x"})
	if err == nil || definite(err) || !errs.Is(err, errs.Internal) {
		t.Fatalf("unreachable: %v", err)
	}
}

// spy wraps a gateway: it checks that every key it is given is already
// saved in stripe_requests (S3), records the keys, and can fail a call
// after making it, as a timeout or crash would.
type spy struct {
	Gateway
	t         *testing.T
	e         *env
	mu        sync.Mutex
	keys      map[string][]string
	failAfter map[string]error // op → error returned after a successful call
	quantity  []int64
}

func newSpy(t *testing.T, e *env, gw Gateway) *spy {
	s := &spy{Gateway: gw, t: t, e: e, keys: map[string][]string{}, failAfter: map[string]error{}}
	return s
}

func (s *spy) saw(ctx context.Context, op, key string) error {
	var n int
	err := s.e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		c, err := tx.NewSelect().Model((*requestRow)(nil)).Where("sr.op = ? AND sr.idempotency_key = ?", op, key).Count(ctx)
		n = int(c)
		return err
	})
	if err != nil || n != 1 {
		s.t.Errorf("%s called with key %q not saved before the call (%d rows, %v)", op, key, n, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[op] = append(s.keys[op], key)
	fail := s.failAfter[op]
	delete(s.failAfter, op)
	return fail
}

func (s *spy) CreateCustomer(ctx context.Context, key string, c Customer) (string, error) {
	fail := s.saw(ctx, "customer.create", key)
	id, err := s.Gateway.CreateCustomer(ctx, key, c)
	if fail != nil {
		return "", fail
	}
	return id, err
}

func (s *spy) CreateCheckout(ctx context.Context, key string, p CheckoutParams) (Session, error) {
	fail := s.saw(ctx, "checkout.create", key)
	out, err := s.Gateway.CreateCheckout(ctx, key, p)
	if fail != nil {
		return Session{}, fail
	}
	return out, err
}

func (s *spy) CreatePortal(ctx context.Context, key, customer, ret string) (Session, error) {
	fail := s.saw(ctx, "portal.create", key)
	out, err := s.Gateway.CreatePortal(ctx, key, customer, ret)
	if fail != nil {
		return Session{}, fail
	}
	return out, err
}

func (s *spy) UpdateSubscription(ctx context.Context, key, id string, u SubscriptionUpdate) (Subscription, error) {
	fail := s.saw(ctx, "subscription.quantity", key)
	s.mu.Lock()
	s.quantity = append(s.quantity, u.Quantity)
	s.mu.Unlock()
	out, err := s.Gateway.UpdateSubscription(ctx, key, id, u)
	if fail != nil {
		return Subscription{}, fail
	}
	return out, err
}

func (e *env) pendingKeys(t *testing.T, ctx context.Context) int {
	t.Helper()
	var n int
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		c, err := tx.NewSelect().Model((*requestRow)(nil)).Count(ctx)
		n = int(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCheckoutAndPortal: the customer is created once per tenant and
// stored; checkout and portal return Stripe's URLs (stripe-mock).
func TestCheckoutAndPortal(t *testing.T) {
	gw := mockGateway(t)
	e := newEnv(t, nil)
	sp := newSpy(t, e, gw)
	e.svc = New(e.svc.cat, e.ident, Options{DB: e.db, Gateway: sp, BaseURL: "https://nexo.example.com"})
	tid, ctx := e.newTenant(t)

	if _, err := e.svc.Portal(ctx); !errs.Is(err, errs.FailedPrecondition) {
		t.Fatalf("portal before any customer: %v", err)
	}
	url, err := e.svc.Checkout(ctx, "starter")
	if err != nil || !strings.HasPrefix(url, "https://") {
		t.Fatalf("checkout: %q %v", url, err)
	}
	cus := e.account(t, tid).StripeCustomerID
	if !strings.HasPrefix(cus, "cus_") {
		t.Fatalf("customer not stored: %q", cus)
	}
	if _, err := e.svc.Checkout(ctx, "growth"); err != nil {
		t.Fatal(err)
	}
	if n := len(sp.keys["customer.create"]); n != 1 {
		t.Fatalf("customer created %d times", n)
	}
	if k := sp.keys["checkout.create"]; len(k) != 2 || k[0] == k[1] {
		t.Fatalf("checkout keys: %v", k)
	}
	if url, err := e.svc.Portal(ctx); err != nil || url == "" {
		t.Fatalf("portal: %q %v", url, err)
	}
	if n := e.pendingKeys(t, ctx); n != 0 {
		t.Fatalf("%d keys left after successful calls", n)
	}
	for plan, code := range map[string]errs.Code{"nope": errs.Invalid, "trial": errs.Invalid} {
		if _, err := e.svc.Checkout(ctx, plan); !errs.Is(err, code) {
			t.Errorf("checkout %q: %v", plan, err)
		}
	}
	e.setAccount(t, tid, func(a *accountRow) { a.StripeSubscriptionID, a.BillingState = "sub_x", "active" })
	if _, err := e.svc.Checkout(ctx, "growth"); !errs.Is(err, errs.Conflict) {
		t.Fatalf("checkout while subscribed: %v", err)
	}
}

// TestIdempotencyKeySavedAndReused is QUALITY S3: the key is in the
// database before the call, a call with an unknown outcome leaves it for
// the retry (which sends the same key, so Stripe makes one customer), and a
// definite refusal drops it.
func TestIdempotencyKeySavedAndReused(t *testing.T) {
	gw := mockGateway(t)
	e := newEnv(t, nil)
	sp := newSpy(t, e, gw)
	e.svc = New(e.svc.cat, e.ident, Options{DB: e.db, Gateway: sp, BaseURL: "https://nexo.example.com"})
	tid, ctx := e.newTenant(t)

	sp.failAfter["customer.create"] = errs.Wrap(errs.Internal, context.DeadlineExceeded, "payment provider unavailable")
	if _, err := e.svc.Checkout(ctx, "starter"); !errs.Is(err, errs.Internal) {
		t.Fatalf("checkout with a timed-out customer call: %v", err)
	}
	if n := e.pendingKeys(t, ctx); n != 1 || e.account(t, tid).StripeCustomerID != "" {
		t.Fatalf("after the timeout: %d keys kept, customer %q", n, e.account(t, tid).StripeCustomerID)
	}
	if _, err := e.svc.Checkout(ctx, "starter"); err != nil {
		t.Fatal(err)
	}
	if k := sp.keys["customer.create"]; len(k) != 2 || k[0] != k[1] {
		t.Fatalf("retry did not reuse the key: %v", k)
	}

	// A definite refusal drops the key: the next attempt is a new request.
	sp.failAfter["portal.create"] = errs.E(errs.FailedPrecondition, "refused")
	if _, err := e.svc.Portal(ctx); !errs.Is(err, errs.FailedPrecondition) {
		t.Fatal(err)
	}
	if _, err := e.svc.Portal(ctx); err != nil {
		t.Fatal(err)
	}
	if k := sp.keys["portal.create"]; len(k) != 2 || k[0] == k[1] {
		t.Fatalf("portal keys after a refusal: %v", k)
	}
	if n := e.pendingKeys(t, ctx); n != 0 {
		t.Fatalf("%d keys left", n)
	}
}

// TestSeats: POST /billing/seats stores the bought seats and publishes the
// sync event; its handler updates the subscription's quantity (stripe-mock)
// under a saved key, and does nothing when the quantity is already right.
func TestSeats(t *testing.T) {
	gw := mockGateway(t)
	e := newEnv(t, nil)
	sp := newSpy(t, e, gw)
	e.svc = New(e.svc.cat, e.ident, Options{DB: e.db, Gateway: sp, BaseURL: "https://nexo.example.com"})
	tid, ctx := e.newTenant(t)

	if _, err := e.svc.SetSeats(ctx, 3); !errs.Is(err, errs.FailedPrecondition) {
		t.Fatalf("seats without a subscription: %v", err)
	}
	e.setAccount(t, tid, func(a *accountRow) {
		a.StripeCustomerID, a.StripeSubscriptionID, a.BillingState, a.Plan, a.SeatsQuantity = "cus_seats"+tid.String()[:8], "sub_123", "active", "starter", 1
	})
	for n, why := range map[int]string{0: "at least 1", 6: "at most 5", -2: "at least 1"} {
		if _, err := e.svc.SetSeats(ctx, n); !errs.Is(err, errs.Invalid) || !strings.Contains(errs.FieldReason(err, "seats"), why) {
			t.Errorf("seats %d: %v", n, err)
		}
	}
	st, err := e.svc.SetSeats(ctx, 3)
	if err != nil || st.SeatsMin != 3 {
		t.Fatalf("set seats: %+v %v", st, err)
	}
	var topics []string
	err = e.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().TableExpr("outbox_events").Column("topic").Where("tenant_id = ?", tid).Scan(ctx, &topics)
	})
	if err != nil || len(topics) != 1 || topics[0] != SeatsTopic {
		t.Fatalf("outbox: %v %v", topics, err)
	}
	handle := e.svc.SeatSyncHandler()
	if err := handle(ctx, eventFor(tid)); err != nil {
		t.Fatal(err)
	}
	if len(sp.quantity) != 1 || sp.quantity[0] != 3 {
		t.Fatalf("quantity updates: %v", sp.quantity)
	}
	e.setAccount(t, tid, func(a *accountRow) { a.SeatsQuantity = 3 }) // the webhook mirrored it
	if err := handle(ctx, eventFor(tid)); err != nil || len(sp.quantity) != 1 {
		t.Fatalf("in-sync quantity updated again: %v %v", sp.quantity, err)
	}
	if n := e.pendingKeys(t, ctx); n != 0 {
		t.Fatalf("%d keys left", n)
	}
}

func eventFor(tid uuid.UUID) events.Event {
	return events.Event{ID: uuid.Must(uuid.NewV7()), TenantID: tid, Topic: SeatsTopic, Payload: []byte(`{}`), Attempts: 1}
}
