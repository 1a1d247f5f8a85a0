package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// portalMe is a customer's /me.
type portalMe struct {
	Kind     string `json:"kind"`
	Customer struct {
		ID        string `json:"id"`
		ContactID string `json:"contact_id"`
		Email     string `json:"email"`
	} `json:"customer"`
	Account struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"account"`
	Tenant struct {
		Slug string `json:"slug"`
	} `json:"tenant"`
	Permissions []string `json:"permissions"`
}

// portalContact creates a contact with email at account and returns its id.
func (ta *testApp) portalContact(t testing.TB, owner *client, account, email string) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	r := ta.do(owner, "POST", "/api/v1/contacts", map[string]any{"account_id": account, "first_name": "Cora", "last_name": "Portal", "email": email})
	if r.Status != 201 {
		t.Fatalf("contact: %d %s", r.Status, r.Body)
	}
	r.json(t, &c)
	return c.ID
}

// portalCustomer invites a new contact of account with email to the portal
// of slug, accepts the invitation and returns the customer's session.
func (ta *testApp) portalCustomer(t testing.TB, owner *client, slug, account, email string) *client {
	t.Helper()
	contact := ta.portalContact(t, owner, account, email)
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+contact+"/portal-invite", nil); r.Status != 201 {
		t.Fatalf("portal invite: %d %s", r.Status, r.Body)
	}
	_, token := linkParams(t, ta.mailTo(email), "/portal/"+slug+"/accept-invite")
	r := ta.do(nil, "POST", "/api/v1/portal/"+slug+"/accept-invite", map[string]string{"token": token, "password": testPassword})
	if r.Status != 201 {
		t.Fatalf("accept portal invite: %d %s", r.Status, r.Body)
	}
	return ta.sessionFrom(r)
}

func (ta *testApp) createID(t testing.TB, c *client, path string, body any) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	r := ta.do(c, "POST", path, body)
	if r.Status != 201 {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	r.json(t, &out)
	return out.ID
}

// placedOrder creates an order as c and confirms it: portal customers see
// orders from confirmation on, never a draft.
func (ta *testApp) placedOrder(t testing.TB, c *client, body any) string {
	t.Helper()
	id := ta.createID(t, c, "/api/v1/orders", body)
	if r := ta.do(c, "POST", "/api/v1/orders/"+id+"/confirm", nil); r.Status != 200 {
		t.Fatalf("confirm order %s: %d %s", id, r.Status, r.Body)
	}
	return id
}

// sameProblem compares two problem answers but for their request ids.
func sameProblem(a, b result) bool {
	strip := func(r result) string {
		var m map[string]any
		if json.Unmarshal(r.Body, &m) != nil {
			return string(r.Body)
		}
		delete(m, "request_id")
		out, _ := json.Marshal(m)
		return fmt.Sprint(r.Status, string(out))
	}
	return strip(a) == strip(b)
}

type orderListBody struct {
	Items []map[string]any `json:"items"`
}

func TestPortalIdentity(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("portal-id-a")
	other := ta.signup("portal-id-b")
	product := ta.createID(t, owner, "/api/v1/products", productBody("PI", "stocked"))
	accA := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme Buyer"})
	accB := ta.createID(t, owner, "/api/v1/accounts", map[string]any{"name": "Beta Buyer"})
	body := orderBody(accA, product, 2)
	body["notes"] = "internal: watch this customer's payments"
	orderA := ta.placedOrder(t, owner, body)
	orderB := ta.placedOrder(t, owner, orderBody(accB, product, 1))

	// Invitation: a contact without email cannot be invited; one with email
	// gets a link, re-inviting re-sends and spends the first link.
	noMail := ta.createID(t, owner, "/api/v1/contacts", map[string]any{"account_id": accA, "last_name": "NoMail"})
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+noMail+"/portal-invite", nil); r.Status != 422 {
		t.Errorf("invite without email: %d %s", r.Status, r.Body)
	}
	ana := ta.portalContact(t, owner, accA, "ana@acme.example.com")
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+ana+"/portal-invite", nil); r.Status != 201 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	_, first := linkParams(t, ta.mailTo("ana@acme.example.com"), "/portal/portal-id-a/accept-invite")
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+ana+"/portal-invite", nil); r.Status != 200 {
		t.Fatalf("re-invite: %d %s", r.Status, r.Body)
	}
	_, second := linkParams(t, ta.mailTo("ana@acme.example.com"), "/portal/portal-id-a/accept-invite")
	accept := func(slug, token, pw string) result {
		return ta.do(nil, "POST", "/api/v1/portal/"+slug+"/accept-invite", map[string]string{"token": token, "password": pw})
	}
	if r := accept("portal-id-a", first, testPassword); r.Status != 400 || r.problemField("token") == "" {
		t.Errorf("the replaced invitation link: %d %s", r.Status, r.Body)
	}
	if r := accept("portal-id-b", second, testPassword); r.Status != 400 {
		t.Errorf("the link at another tenant's portal: %d %s", r.Status, r.Body)
	}
	if r := accept("portal-id-a", second, "short"); r.Status != 400 || r.problemField("password") == "" {
		t.Errorf("weak password: %d %s", r.Status, r.Body)
	}
	r := accept("portal-id-a", second, testPassword)
	if r.Status != 201 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	anaS := ta.sessionFrom(r)
	if r := accept("portal-id-a", second, testPassword); r.Status != 400 {
		t.Errorf("a spent invitation link: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+ana+"/portal-invite", nil); r.Status != 409 {
		t.Errorf("inviting an active contact: %d %s", r.Status, r.Body)
	}

	// /me: who, which account, which tenant; no staff data.
	var me portalMe
	r = ta.do(anaS, "GET", "/api/v1/me", nil)
	r.json(t, &me)
	if me.Kind != "customer" || me.Account.ID != accA || me.Account.Name != "Acme Buyer" || me.Customer.ContactID != ana ||
		me.Tenant.Slug != "portal-id-a" || strings.Contains(string(r.Body), "billing_state") {
		t.Errorf("customer /me: %s", r.Body)
	}

	// Orders: the account's own, without internal fields; another
	// account's order is exactly a missing one.
	var list orderListBody
	ta.do(anaS, "GET", "/api/v1/orders", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != orderA {
		t.Fatalf("customer's orders: %+v", list.Items)
	}
	ta.do(anaS, "GET", "/api/v1/orders?account_id="+accB, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("customer asking for account B's orders: %+v", list.Items)
	}
	got := ta.do(anaS, "GET", "/api/v1/orders/"+orderA, nil)
	for _, field := range []string{"notes", "internal:", "created_by", "price_list_id", "opportunity_id", "reserved_qty", "shortfall"} {
		if strings.Contains(string(got.Body), field) {
			t.Errorf("customer order carries %s: %s", field, got.Body)
		}
	}
	if got.Status != 200 || !strings.Contains(string(got.Body), `"promised_date"`) {
		t.Errorf("own order: %d %s", got.Status, got.Body)
	}
	missing := ta.do(anaS, "GET", "/api/v1/orders/"+uuid.Must(uuid.NewV7()).String(), nil)
	for _, p := range []string{"/api/v1/orders/" + orderB, "/api/v1/orders/" + orderB + "/history"} {
		r := ta.do(anaS, "GET", p, nil)
		if r.Status != 404 || !sameProblem(r, missing) {
			t.Errorf("%s as account A's customer: %d %s (missing: %s)", p, r.Status, r.Body, missing.Body)
		}
	}
	if r := ta.do(anaS, "GET", "/api/v1/orders/"+orderA+"/history", nil); r.Status != 200 || strings.Contains(string(r.Body), `"by":"`) {
		t.Errorf("own history: %d %s", r.Status, r.Body)
	}
	// Staff routes refuse customers, even those whose permission the
	// customer role holds but which apply no binding yet.
	for _, p := range []string{"/api/v1/accounts", "/api/v1/accounts/" + accA, "/api/v1/payments", "/api/v1/orders.csv", "/api/v1/contacts", "/api/v1/users", "/api/v1/portal-users"} {
		if r := ta.do(anaS, "GET", p, nil); r.Status != 403 {
			t.Errorf("GET %s as a customer: %d %s", p, r.Status, r.Body)
		}
	}
	if r := ta.do(anaS, "POST", "/api/v1/orders", orderBody(accA, product, 1)); r.Status != 403 {
		t.Errorf("customer creating an order: %d %s", r.Status, r.Body)
	}

	// A second contact of account A sees the same orders; a contact of
	// account B sees none of A's.
	ben := ta.portalCustomer(t, owner, "portal-id-a", accA, "ben@acme.example.com")
	ta.do(ben, "GET", "/api/v1/orders", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != orderA {
		t.Errorf("second contact's orders: %+v", list.Items)
	}
	cleo := ta.portalCustomer(t, owner, "portal-id-a", accB, "cleo@beta.example.com")
	ta.do(cleo, "GET", "/api/v1/orders", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != orderB {
		t.Errorf("account B's customer's orders: %+v", list.Items)
	}
	if r := ta.do(cleo, "GET", "/api/v1/orders/"+orderA, nil); r.Status != 404 || !sameProblem(r, missing) {
		t.Errorf("account A's order as B's customer: %d %s", r.Status, r.Body)
	}

	// Login: unknown tenant, unknown email, wrong password and disabled
	// access all answer the same 401.
	portalLogin := func(slug, email, pw string) result {
		return ta.do(nil, "POST", "/api/v1/portal/"+slug+"/login", map[string]string{"email": email, "password": pw})
	}
	if r := portalLogin("portal-id-a", "ana@acme.example.com", testPassword); r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	bad := portalLogin("portal-id-a", "ana@acme.example.com", "wrong password here")
	if bad.Status != 401 {
		t.Fatalf("wrong password: %d %s", bad.Status, bad.Body)
	}
	// A staff user's credentials open no portal session.
	for _, r := range []result{portalLogin("portal-id-nope", "ana@acme.example.com", testPassword),
		portalLogin("portal-id-a", "nobody@acme.example.com", testPassword),
		portalLogin("portal-id-b", "ana@acme.example.com", testPassword),
		portalLogin("portal-id-a", "owner@portal-id-a.example.com", testPassword)} {
		if r.Status != 401 || !sameProblem(r, bad) {
			t.Errorf("failed login answers differ: %d %s vs %s", r.Status, r.Body, bad.Body)
		}
	}

	// Magic link: always 202; the link logs in once.
	for _, email := range []string{"ana@acme.example.com", "nobody@acme.example.com"} {
		if r := ta.do(nil, "POST", "/api/v1/portal/portal-id-a/magic-link", map[string]string{"email": email}); r.Status != 202 {
			t.Errorf("magic link for %s: %d %s", email, r.Status, r.Body)
		}
	}
	if r := ta.do(nil, "POST", "/api/v1/portal/portal-id-nope/magic-link", map[string]string{"email": "ana@acme.example.com"}); r.Status != 202 {
		t.Errorf("magic link at an unknown portal: %d %s", r.Status, r.Body)
	}
	_, magic := linkParams(t, ta.mailTo("ana@acme.example.com"), "/portal/portal-id-a/magic-link")
	if n := len(ta.mailbox.List("nobody@acme.example.com")); n != 0 {
		t.Errorf("mail to an unknown email: %d", n)
	}
	confirm := func(slug, token string) result {
		return ta.do(nil, "POST", "/api/v1/portal/"+slug+"/magic-link/confirm", map[string]string{"token": token})
	}
	if r := confirm("portal-id-b", magic); r.Status != 400 {
		t.Errorf("magic link at another portal: %d %s", r.Status, r.Body)
	}
	r = confirm("portal-id-a", magic)
	if r.Status != 200 {
		t.Fatalf("magic link: %d %s", r.Status, r.Body)
	}
	magicS := ta.sessionFrom(r)
	if r := confirm("portal-id-a", magic); r.Status != 400 {
		t.Errorf("a spent magic link: %d %s", r.Status, r.Body)
	}
	// An expired link opens nothing.
	ta.do(nil, "POST", "/api/v1/portal/portal-id-a/magic-link", map[string]string{"email": "ana@acme.example.com"})
	_, late := linkParams(t, ta.mailTo("ana@acme.example.com"), "/portal/portal-id-a/magic-link")
	if late == magic {
		t.Fatal("the same magic token twice")
	}
	ta.expirePortalTokens(t, owner)
	if r := confirm("portal-id-a", late); r.Status != 400 {
		t.Errorf("an expired magic link: %d %s", r.Status, r.Body)
	}

	// Logout ends a customer session.
	if r := ta.do(ben, "POST", "/api/v1/auth/logout", nil); r.Status != 204 {
		t.Errorf("customer logout: %d %s", r.Status, r.Body)
	}
	if r := ta.do(ben, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Errorf("/me after logout: %d %s", r.Status, r.Body)
	}

	// Disabling ends every session of the contact at once and refuses
	// login and magic links; other tenants' staff cannot disable it.
	if r := ta.do(other, "POST", "/api/v1/contacts/"+ana+"/portal-disable", nil); r.Status != 404 {
		t.Errorf("another tenant disabling: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "POST", "/api/v1/contacts/"+ana+"/portal-disable", nil); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	for _, s := range []*client{anaS, magicS} {
		if r := ta.do(s, "GET", "/api/v1/orders", nil); r.Status != 401 {
			t.Errorf("a disabled contact's session: %d %s", r.Status, r.Body)
		}
	}
	if r := portalLogin("portal-id-a", "ana@acme.example.com", testPassword); r.Status != 401 || !sameProblem(r, bad) {
		t.Errorf("disabled login: %d %s", r.Status, r.Body)
	}
	var pus struct {
		Items []struct {
			ContactID string `json:"contact_id"`
			Status    string `json:"status"`
		} `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/portal-users?account_id="+accA, nil).json(t, &pus)
	statuses := map[string]string{}
	for _, u := range pus.Items {
		statuses[u.ContactID] = u.Status
	}
	if len(pus.Items) != 2 || statuses[ana] != "disabled" {
		t.Errorf("portal users of account A: %+v", pus.Items)
	}
	var none struct {
		Items []any `json:"items"`
	}
	ta.do(other, "GET", "/api/v1/portal-users", nil).json(t, &none)
	if len(none.Items) != 0 {
		t.Errorf("another tenant's portal users: %+v", none.Items)
	}
}

// expirePortalTokens moves the unused portal tokens of owner's tenant
// into the past (in the tenant's transaction: RLS hides them otherwise).
func (ta *testApp) expirePortalTokens(t *testing.T, owner *client) {
	t.Helper()
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	ctx := tenant.WithTenant(context.Background(), uuid.MustParse(me.Tenant.ID))
	err := ta.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewUpdate().Table("portal_tokens").Set("expires_at = ?", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).
			Where("tenant_id = ?", uuid.MustParse(me.Tenant.ID)).Where("used_at IS NULL").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Error("no portal token to expire")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
