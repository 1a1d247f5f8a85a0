package main

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

type meBody struct {
	Kind string `json:"kind"`
	User *struct {
		ID    string   `json:"id"`
		Email string   `json:"email"`
		Roles []string `json:"roles"`
	} `json:"user"`
	Tenant struct {
		ID           string `json:"id"`
		Slug         string `json:"slug"`
		BillingState string `json:"billing_state"`
	} `json:"tenant"`
	Roles       []string `json:"roles"`
	Permissions []string `json:"permissions"`
	CSRF        string   `json:"csrf_token"`
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestSignupLogsTheOwnerIn(t *testing.T) {
	ta := newTestApp(t)
	r := ta.do(nil, "POST", "/api/v1/signup", map[string]string{"company": "Acme Tools", "slug": "acme-tools",
		"name": "Ada Owner", "email": "Ada@Acme.example.com", "password": testPassword})
	if r.Status != 201 {
		t.Fatalf("signup: %d %s", r.Status, r.Body)
	}
	sc := strings.Join(r.Header.Values("Set-Cookie"), "\n")
	for _, want := range []string{"__host-nexo_session=", "httponly", "secure", "samesite=lax", "path=/"} {
		if !strings.Contains(strings.ToLower(sc), want) {
			t.Errorf("session cookie lacks %q: %s", want, sc)
		}
	}
	owner := ta.sessionFrom(r)
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	if me.User == nil || me.User.Email != "ada@acme.example.com" || !has(me.Roles, "owner") || me.Tenant.Slug != "acme-tools" {
		t.Fatalf("me: %+v", me)
	}
	if me.Tenant.BillingState != "trialing" || !has(me.Permissions, "users:manage") {
		t.Fatalf("owner should be trialing with users:manage: %+v", me)
	}
	var audit struct {
		Items []struct{ Action string } `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/audit-events", nil).json(t, &audit)
	if len(audit.Items) < 2 {
		t.Fatalf("audit after signup: %+v", audit)
	}
}

func TestSignupRejectsBadInputWithoutSideEffects(t *testing.T) {
	ta := newTestApp(t)
	ta.signup("taken-co")
	good := map[string]string{"company": "X", "slug": "fresh-co", "name": "N", "email": "n@x.example.com", "password": testPassword}
	cases := []struct {
		name, field, value string
	}{
		{"upper slug", "slug", "Bad-Slug"},
		{"short slug", "slug", "ab"},
		{"reserved slug", "slug", "admin"},
		{"taken slug", "slug", "taken-co"},
		{"bad email", "email", "not-an-email"},
		{"short password", "password", "short"},
		{"empty company", "company", "  "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]string{}
			for k, v := range good {
				body[k] = v
			}
			body[tc.field] = tc.value
			r := ta.do(nil, "POST", "/api/v1/signup", body)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"`+tc.field+`"`) {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	// A smuggled field is refused by name, not ignored.
	r := ta.do(nil, "POST", "/api/v1/signup", `{"company":"X","slug":"fresh-co","name":"N","email":"n@x.example.com","password":"`+testPassword+`","tenant_id":"x"}`)
	if r.Status != 400 || !strings.Contains(string(r.Body), "tenant_id") {
		t.Fatalf("unknown field: %d %s", r.Status, r.Body)
	}
	// Nothing was half-created: the slug is still free.
	if r := ta.do(nil, "POST", "/api/v1/signup", good); r.Status != 201 {
		t.Fatalf("good signup after failures: %d %s", r.Status, r.Body)
	}
}

func login(ta *testApp, email, password, tenant string) result {
	return ta.do(nil, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password, "tenant": tenant})
}

func TestLoginLogoutAndCSRF(t *testing.T) {
	ta := newTestApp(t)
	first := ta.signup("login-co")
	if r := login(ta, "owner@login-co.example.com", "wrong password here", ""); r.Status != 401 {
		t.Fatalf("bad password: %d", r.Status)
	}
	r := login(ta, "owner@login-co.example.com", testPassword, "")
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	s := ta.sessionFrom(r)
	if s.cookie == first.cookie {
		t.Fatal("login reused the session id")
	}
	// Cookie-authenticated writes need the CSRF token.
	noCSRF := &client{cookie: s.cookie}
	if r := ta.do(noCSRF, "POST", "/api/v1/invites", map[string]any{"email": "x@y.example.com", "roles": []string{"viewer"}}); r.Status != 403 {
		t.Fatalf("write without CSRF token: %d", r.Status)
	}
	// Cross-site anonymous writes are refused.
	if r := ta.do(nil, "POST", "/api/v1/auth/login", map[string]string{"email": "a@b.example.com", "password": "x"}, "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
		t.Fatalf("cross-site login: %d", r.Status)
	}
	if r := ta.do(s, "POST", "/api/v1/auth/logout", nil); r.Status != 204 {
		t.Fatalf("logout: %d", r.Status)
	}
	if r := ta.do(s, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("me after logout: %d", r.Status)
	}
}

func TestLoginIsThrottled(t *testing.T) {
	ta := newTestApp(t)
	ta.signup("throttle-co")
	var last int
	for i := 0; i < 12; i++ {
		last = login(ta, "owner@throttle-co.example.com", "wrong password here", "").Status
	}
	if last != 429 {
		t.Fatalf("12th failed login: %d, want 429", last)
	}
	if r := login(ta, "owner@throttle-co.example.com", testPassword, ""); r.Status != 429 {
		t.Fatalf("correct password while throttled: %d, want 429", r.Status)
	}
}

func TestInviteAcceptAndDeactivate(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("invite-co")
	r := ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "sam@invite-co.example.com", "name": "Sam", "roles": []string{"sales"}})
	if r.Status != 201 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	slug, token := linkParams(t, ta.mailTo("sam@invite-co.example.com"), "/accept-invite")
	r = ta.do(nil, "POST", "/api/v1/auth/accept-invite", map[string]string{"tenant": slug, "token": token, "name": "Sam Sales", "password": testPassword})
	if r.Status != 201 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	sam := ta.sessionFrom(r)
	var me meBody
	ta.do(sam, "GET", "/api/v1/me", nil).json(t, &me)
	if !has(me.Roles, "sales") || has(me.Permissions, "users:manage") {
		t.Fatalf("sam: %+v", me)
	}
	// The token is single use.
	if r := ta.do(nil, "POST", "/api/v1/auth/accept-invite", map[string]string{"tenant": slug, "token": token, "password": testPassword}); r.Status != 400 {
		t.Fatalf("reused invite: %d", r.Status)
	}
	// A sales user cannot manage users.
	if r := ta.do(sam, "GET", "/api/v1/users", nil); r.Status != 403 {
		t.Fatalf("sales lists users: %d", r.Status)
	}
	// Deactivation ends the session at once.
	if r := ta.do(owner, "POST", "/api/v1/users/"+me.User.ID+"/deactivate", nil); r.Status != 200 {
		t.Fatalf("deactivate: %d %s", r.Status, r.Body)
	}
	if r := ta.do(sam, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("deactivated user's session: %d", r.Status)
	}
	if r := login(ta, "sam@invite-co.example.com", testPassword, ""); r.Status != 401 {
		t.Fatalf("deactivated user logs in: %d", r.Status)
	}
	// The owner cannot hand out what they lack, nor deactivate themselves.
	var ownerMe meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &ownerMe)
	if r := ta.do(owner, "POST", "/api/v1/users/"+ownerMe.User.ID+"/deactivate", nil); r.Status != 422 {
		t.Fatalf("self-deactivation: %d", r.Status)
	}
}

func TestPasswordReset(t *testing.T) {
	ta := newTestApp(t)
	ta.signup("reset-co")
	email := "owner@reset-co.example.com"
	if r := ta.do(nil, "POST", "/api/v1/auth/password-reset", map[string]string{"email": email}); r.Status != 202 {
		t.Fatalf("reset request: %d %s", r.Status, r.Body)
	}
	unknown := ta.do(nil, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "nobody@reset-co.example.com"})
	if unknown.Status != 202 {
		t.Fatalf("unknown email answers differently: %d", unknown.Status)
	}
	slug, token := linkParams(t, ta.mailTo(email), "/reset-password")
	newPW := "a brand new password"
	if r := ta.do(nil, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"tenant": slug, "token": token, "password": newPW}); r.Status != 204 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	if r := ta.do(nil, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"tenant": slug, "token": token, "password": newPW}); r.Status != 400 {
		t.Fatalf("token reuse: %d", r.Status)
	}
	if r := login(ta, email, testPassword, ""); r.Status != 401 {
		t.Fatalf("old password: %d", r.Status)
	}
	if r := login(ta, email, newPW, ""); r.Status != 200 {
		t.Fatalf("new password: %d", r.Status)
	}
}

func TestTOTP(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("totp-co")
	var setup struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}
	ta.do(owner, "POST", "/api/v1/me/totp", nil).json(t, &setup)
	if setup.Secret == "" || !strings.HasPrefix(setup.URL, "otpauth://totp/") {
		t.Fatalf("setup: %+v", setup)
	}
	code, _ := totp.GenerateCode(setup.Secret, time.Now())
	if r := ta.do(owner, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": code}); r.Status != 204 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	email := "owner@totp-co.example.com"
	if r := login(ta, email, testPassword, ""); r.Status != 401 || !strings.Contains(string(r.Body), "totp") {
		t.Fatalf("login without code: %d %s", r.Status, r.Body)
	}
	// The code used to confirm cannot be replayed; the next step's code works.
	next, _ := totp.GenerateCode(setup.Secret, time.Now().Add(30*time.Second))
	r := ta.do(nil, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": testPassword, "totp": code})
	if r.Status != 401 {
		t.Fatalf("replayed code: %d", r.Status)
	}
	r = ta.do(nil, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": testPassword, "totp": next})
	if r.Status != 200 {
		t.Fatalf("login with code: %d %s", r.Status, r.Body)
	}
}

func TestAPIKeys(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("keys-co")
	r := ta.do(owner, "POST", "/api/v1/api-keys", map[string]string{"name": "ERP sync", "role": "viewer"})
	if r.Status != 201 {
		t.Fatalf("create key: %d %s", r.Status, r.Body)
	}
	var key struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	r.json(t, &key)
	if !strings.HasPrefix(key.Key, "nexo_") {
		t.Fatalf("key: %+v", key)
	}
	list := ta.do(owner, "GET", "/api/v1/api-keys", nil)
	if strings.Contains(string(list.Body), key.Key) {
		t.Fatal("key list shows the secret")
	}
	bot := &client{bearer: key.Key}
	var me meBody
	ta.do(bot, "GET", "/api/v1/me", nil).json(t, &me)
	if me.Kind != "api_key" || !has(me.Roles, "viewer") {
		t.Fatalf("key me: %+v", me)
	}
	if r := ta.do(bot, "POST", "/api/v1/invites", map[string]any{"email": "a@b.example.com", "roles": []string{"viewer"}}); r.Status != 403 {
		t.Fatalf("viewer key invites: %d", r.Status)
	}
	if r := ta.do(owner, "DELETE", "/api/v1/api-keys/"+key.ID, nil); r.Status != 204 {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := ta.do(bot, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("revoked key: %d", r.Status)
	}
	if r := ta.do(&client{bearer: "nexo_garbage"}, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("garbage key: %d", r.Status)
	}
}

func TestIdempotencyKey(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("idem-co")
	body := map[string]any{"email": "once@idem-co.example.com", "roles": []string{"viewer"}}
	a := ta.do(owner, "POST", "/api/v1/invites", body, "Idempotency-Key", "k-1")
	b := ta.do(owner, "POST", "/api/v1/invites", body, "Idempotency-Key", "k-1")
	if a.Status != 201 || b.Status != 201 || string(a.Body) != string(b.Body) {
		t.Fatalf("replay: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	var list struct {
		Items []any `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/invites", nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d invites after a replayed POST", len(list.Items))
	}
	other := map[string]any{"email": "twice@idem-co.example.com", "roles": []string{"viewer"}}
	if r := ta.do(owner, "POST", "/api/v1/invites", other, "Idempotency-Key", "k-1"); r.Status != 422 {
		t.Fatalf("same key, other body: %d", r.Status)
	}
	if r := ta.do(owner, "POST", "/api/v1/invites?notify=1", body, "Idempotency-Key", "k-1"); r.Status != 422 {
		t.Fatalf("same key and body, other query: %d", r.Status)
	}
}

func TestForeignIDsLookMissing(t *testing.T) {
	ta := newTestApp(t)
	a := ta.signup("iso-a")
	b := ta.signup("iso-b")
	var meA meBody
	ta.do(a, "GET", "/api/v1/me", nil).json(t, &meA)
	foreign := ta.do(b, "GET", "/api/v1/users/"+meA.User.ID, nil)
	missing := ta.do(b, "GET", "/api/v1/users/0190b5b0-0000-7000-8000-000000000000", nil)
	if foreign.Status != 404 || foreign.Status != missing.Status || foreign.problemCode() != missing.problemCode() {
		t.Fatalf("foreign %d %s vs missing %d %s", foreign.Status, foreign.Body, missing.Status, missing.Body)
	}
}

func TestUserListIsCursorPaged(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("page-co")
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	for i := 0; i < 4; i++ {
		ta.do(owner, "POST", "/api/v1/api-keys", map[string]string{"name": "k", "role": "viewer"})
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		ta.do(owner, "GET", "/api/v1/api-keys?limit=3&cursor="+cursor, nil).json(t, &page)
		for _, it := range page.Items {
			if seen[it.ID] {
				t.Fatalf("%s twice", it.ID)
			}
			seen[it.ID] = true
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 4 {
		t.Fatalf("paged through %d keys, want 4", len(seen))
	}
	if r := ta.do(owner, "GET", "/api/v1/users?limit=1000", nil); r.Status != 400 {
		t.Fatalf("limit 1000: %d", r.Status)
	}
}

func TestRoleChangeEndsSessions(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("rot-co")
	ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "v@rot-co.example.com", "roles": []string{"viewer"}})
	slug, token := linkParams(t, ta.mailTo("v@rot-co.example.com"), "/accept-invite")
	v := ta.sessionFrom(ta.do(nil, "POST", "/api/v1/auth/accept-invite", map[string]string{"tenant": slug, "token": token, "password": testPassword}))
	var me meBody
	ta.do(v, "GET", "/api/v1/me", nil).json(t, &me)
	if r := ta.do(owner, "PATCH", "/api/v1/users/"+me.User.ID, map[string]any{"roles": []string{"admin"}}); r.Status != 200 {
		t.Fatalf("promote: %d %s", r.Status, r.Body)
	}
	if r := ta.do(v, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("session survived a privilege change: %d", r.Status)
	}
	v = ta.sessionFrom(login(ta, "v@rot-co.example.com", testPassword, ""))
	ta.do(v, "GET", "/api/v1/me", nil).json(t, &me)
	if !has(me.Permissions, "users:manage") {
		t.Fatalf("new session lacks the new role: %+v", me.Roles)
	}
}

// M3: concurrent duplicates with one Idempotency-Key make one effect and
// all get the same answer.
func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("idem-race")
	body := map[string]any{"email": "race@idem-race.example.com", "roles": []string{"viewer"}}
	results := make(chan result, 8)
	for i := 0; i < 8; i++ {
		go func() { results <- ta.do(owner, "POST", "/api/v1/invites", body, "Idempotency-Key", "race-1") }()
	}
	var first string
	for i := 0; i < 8; i++ {
		r := <-results
		if r.Status != 201 && r.Status != 409 {
			t.Errorf("duplicate %d: %d %s", i, r.Status, r.Body)
			continue
		}
		if r.Status == 201 {
			if first == "" {
				first = string(r.Body)
			} else if string(r.Body) != first {
				t.Errorf("different answers: %s vs %s", r.Body, first)
			}
		}
	}
	var list struct {
		Items []any `json:"items"`
	}
	ta.do(owner, "GET", "/api/v1/invites", nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d invites from 8 duplicates", len(list.Items))
	}
}

func TestSettingsAndRequiredTOTP(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("set-co")
	if r := ta.do(owner, "PATCH", "/api/v1/settings", map[string]any{"locale": "fr", "base_currency": "euro", "timezone": "Mars/Base"}); r.Status != 400 ||
		!strings.Contains(string(r.Body), "locale") || !strings.Contains(string(r.Body), "base_currency") || !strings.Contains(string(r.Body), "timezone") {
		t.Fatalf("bad settings: %d %s", r.Status, r.Body)
	}
	r := ta.do(owner, "PATCH", "/api/v1/settings", map[string]any{"locale": "es", "timezone": "Europe/Madrid", "require_totp": true})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"require_totp":true`) {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	// The owner has no TOTP yet: everything but TOTP setup is refused.
	if r := ta.do(owner, "GET", "/api/v1/users", nil); r.Status != 403 {
		t.Fatalf("owner without TOTP lists users: %d", r.Status)
	}
	var setup struct {
		Secret string `json:"secret"`
	}
	ta.do(owner, "POST", "/api/v1/me/totp", nil).json(t, &setup)
	code, _ := totp.GenerateCode(setup.Secret, time.Now())
	if r := ta.do(owner, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": code}); r.Status != 204 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	if r := ta.do(owner, "GET", "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("owner with TOTP: %d %s", r.Status, r.Body)
	}
}

func TestDevMailboxPage(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("mailbox-co")
	ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": "m@mailbox-co.example.com", "roles": []string{"viewer"}})
	ta.mailTo("m@mailbox-co.example.com")
	r := ta.do(nil, "GET", "/dev/mailbox", nil, "Accept", "text/html")
	if r.Status != 200 || !strings.Contains(string(r.Body), `<a href="http://nexo.test/accept-invite?tenant=mailbox-co&amp;token=`) {
		t.Fatalf("mailbox page: %d %s", r.Status, r.Body)
	}
}
