package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/internal/cache"
	"nexo/tenant/tenanttest"
)

// F1 end to end: with the cache (Redis when NEXO_TEST_REDIS_URL is set)
// failing every call, existing staff and customer sessions keep reading,
// logins work, and logouts and revocations hold; when the cache comes back
// with copies made before the outage, those are refused once the session
// cache ttl has passed.
func TestCacheOutageKeepsSessions(t *testing.T) {
	const cacheTTL = 300 * time.Millisecond
	var dc *tenanttest.DownCache
	ta := newTestAppWith(t, func(c *Config) {
		c.SessionCacheTTL = cacheTTL
		c.WrapCache = func(c cache.Cache) cache.Cache { dc = tenanttest.NewDownCache(c); return dc }
	})
	owner := ta.signup("outage-a")
	ta.signup("outage-b")
	fx := ta.tenantFixtures(t, owner, "a")
	account := fx["customer"]()
	order := ta.placedOrder(t, owner, orderBody(account, fx["component"](), 1))
	cust := ta.portalCustomer(t, owner, "outage-a", account, "cora@outage-a.example.com")
	ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "v@outage-a.example.com", "roles": []string{"viewer"}})
	slug, token := linkParams(t, ta.mailTo("v@outage-a.example.com"), "/accept-invite")
	viewer := ta.sessionFrom(ta.do(nil, "POST", "/api/v1/auth/accept-invite", map[string]string{"tenant": slug, "token": token, "password": testPassword}))
	var viewerMe meBody
	ta.do(viewer, "GET", "/api/v1/me", nil).json(t, &viewerMe)
	leaving := ta.sessionFrom(login(ta, "owner@outage-a.example.com", testPassword, ""))
	// Every session is cached now: each has answered a request.
	for _, c := range []*client{owner, cust, viewer, leaving} {
		if r := ta.do(c, "GET", "/api/v1/me", nil); r.Status != 200 {
			t.Fatalf("me before the outage: %d %s", r.Status, r.Body)
		}
	}

	dc.SetDown(true)
	// Reads by existing sessions, staff and customer.
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	r := ta.do(owner, "GET", "/api/v1/me", nil)
	if r.Status != 200 {
		t.Fatalf("staff me with the cache down: %d %s", r.Status, r.Body)
	}
	if r.json(t, &me); me.CSRF != owner.csrf {
		t.Fatalf("me's CSRF token %q, the session's is %q", me.CSRF, owner.csrf)
	}
	if r := ta.do(owner, "GET", "/api/v1/orders/"+order, nil); r.Status != 200 {
		t.Fatalf("staff order read with the cache down: %d %s", r.Status, r.Body)
	}
	r = ta.do(cust, "GET", "/api/v1/orders", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), order) {
		t.Fatalf("customer's order list with the cache down: %d %s", r.Status, r.Body)
	}
	// A staff write through catalog (whose cache invalidation fails too).
	ta.createID(t, owner, "/api/v1/products", productBody("OUT", "stocked"))

	// Logins: the throttle counts locally, the session is a row.
	staff := ta.sessionFrom(login(ta, "owner@outage-a.example.com", testPassword, ""))
	if r := ta.do(staff, "GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("session made during the outage: %d %s", r.Status, r.Body)
	}
	r = ta.do(nil, "POST", "/api/v1/portal/outage-a/login", map[string]string{"email": "cora@outage-a.example.com", "password": testPassword})
	if r.Status != 200 {
		t.Fatalf("portal login with the cache down: %d %s", r.Status, r.Body)
	}
	if r := ta.do(ta.sessionFrom(r), "GET", "/api/v1/orders", nil); r.Status != 200 {
		t.Fatalf("new customer session's order list: %d %s", r.Status, r.Body)
	}

	// Revocations: a logout, and a privilege change (every session of the
	// user) hold at once, cache or not.
	if r := ta.do(leaving, "POST", "/api/v1/auth/logout", nil); r.Status != 204 {
		t.Fatalf("logout with the cache down: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "PATCH", "/api/v1/users/"+viewerMe.User.ID, map[string]any{"roles": []string{"admin"}}); r.Status != 200 {
		t.Fatalf("role change with the cache down: %d %s", r.Status, r.Body)
	}
	for name, c := range map[string]*client{"logged out": leaving, "demoted": viewer} {
		if r := ta.do(c, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Fatalf("%s session with the cache down: %d", name, r.Status)
		}
	}
	if dc.Refused() == 0 {
		t.Fatal("nothing asked the cache: the outage was not exercised")
	}

	// The cache is back with its pre-outage copies: at most the ttl later
	// they are refused; live sessions carry on.
	dc.SetDown(false)
	time.Sleep(cacheTTL + 50*time.Millisecond)
	for name, c := range map[string]*client{"logged out": leaving, "demoted": viewer} {
		if r := ta.do(c, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("%s session %s after the cache came back: %d", name, cacheTTL, r.Status)
		}
	}
	for _, c := range []*client{owner, cust, staff} {
		if r := ta.do(c, "GET", "/api/v1/me", nil); r.Status != 200 {
			t.Errorf("live session after the outage: %d %s", r.Status, r.Body)
		}
	}
}

// The cookie names its tenant, and only that tenant's table is read: the
// same random part under another tenant's id, or a cookie in the format
// before sessions carried their tenant, is not logged in.
func TestSessionCookieTenant(t *testing.T) {
	ta := newTestApp(t)
	a := ta.signup("cookie-a")
	b := ta.signup("cookie-b")
	var meB struct {
		Tenant struct {
			ID string `json:"id"`
		} `json:"tenant"`
	}
	ta.do(b, "GET", "/api/v1/me", nil).json(t, &meB)
	tid, random, ok := strings.Cut(a.cookie, ".")
	if _, err := uuid.Parse(tid); !ok || err != nil || len(random) != 43 {
		t.Fatalf("cookie %q is not <tenant>.<random>", a.cookie)
	}
	for name, cookie := range map[string]string{
		"tenant B's id": meB.Tenant.ID + "." + random,
		"old format":    random,
		"no random":     tid + ".",
	} {
		if r := ta.do(&client{cookie: cookie}, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if r := ta.do(a, "GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("the real cookie: %d", r.Status)
	}
}

// F1 against a real dead Redis: the app starts, signs up, logs in, changes
// roles and serves a customer's orders with NEXO_REDIS_URL pointing at a
// port nobody listens on, and readiness reports Redis without failing.
func TestRedisUnreachable(t *testing.T) {
	ta := newTestAppWith(t, func(c *Config) { c.RedisURL = "redis://127.0.0.1:1/0" })
	owner := ta.signup("no-redis")
	fx := ta.tenantFixtures(t, owner, "a")
	account := fx["customer"]()
	order := ta.placedOrder(t, owner, orderBody(account, fx["component"](), 1))
	cust := ta.portalCustomer(t, owner, "no-redis", account, "cora@no-redis.example.com")
	r := ta.do(cust, "GET", "/api/v1/orders", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), order) {
		t.Fatalf("customer's order list without Redis: %d %s", r.Status, r.Body)
	}
	staff := ta.sessionFrom(login(ta, "owner@no-redis.example.com", testPassword, ""))
	ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "v@no-redis.example.com", "roles": []string{"viewer"}})
	slug, token := linkParams(t, ta.mailTo("v@no-redis.example.com"), "/accept-invite")
	viewer := ta.sessionFrom(ta.do(nil, "POST", "/api/v1/auth/accept-invite", map[string]string{"tenant": slug, "token": token, "password": testPassword}))
	var me meBody
	ta.do(viewer, "GET", "/api/v1/me", nil).json(t, &me)
	if r := ta.do(staff, "PATCH", "/api/v1/users/"+me.User.ID, map[string]any{"roles": []string{"admin"}}); r.Status != 200 {
		t.Fatalf("role change without Redis: %d %s", r.Status, r.Body)
	}
	if r := ta.do(viewer, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("session survived a role change without Redis: %d", r.Status)
	}
	if r := ta.do(staff, "POST", "/api/v1/auth/logout", nil); r.Status != 204 {
		t.Fatalf("logout without Redis: %d %s", r.Status, r.Body)
	}
	if r := ta.do(staff, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("me after logout without Redis: %d", r.Status)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	r = ta.do(nil, "GET", "/readyz", nil)
	if r.json(t, &ready); r.Status != 200 || ready.Status != "degraded" || ready.Checks["redis"] != "unavailable" || ready.Checks["database"] != "ok" {
		t.Fatalf("readiness without Redis: %d %s", r.Status, r.Body)
	}
}
