package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/web"
	"nexo/tenant"
)

// cell says how the matrix exercises one route: which kind of object its
// :id names, and a body that gets an allowed caller past validation.
type cell struct {
	id   string // fixture kind: "user", "invite", "api_key", "role", "tax_rate", "series"; "" for no :id or :code
	body any
	// fresh runs the route on a new session of the caller, for routes that
	// end the session they are called with (login rotates, logout ends it).
	fresh bool
}

// matrix lists every registered route. A route missing here fails
// TestMatrixCoversEveryRoute: new routes join the isolation and
// permission matrix the day they are added (T4, A1).
var matrix = map[string]cell{
	"GET /healthz":                             {},
	"GET /readyz":                              {},
	"GET /metrics":                             {},
	"GET /api/v1/openapi.json":                 {},
	"GET /api/docs":                            {},
	"GET /dev/mailbox":                         {},
	"POST /api/v1/signup":                      {body: map[string]string{"company": "M", "slug": "matrix-new", "name": "N", "email": "n@m.example.com", "password": testPassword}},
	"POST /api/v1/auth/login":                  {body: map[string]string{"email": "owner@matrix-a.example.com", "password": testPassword, "tenant": "matrix-a"}, fresh: true},
	"POST /api/v1/auth/logout":                 {fresh: true},
	"POST /api/v1/auth/password-reset":         {body: map[string]string{"email": "nobody@m.example.com"}},
	"POST /api/v1/auth/password-reset/confirm": {body: map[string]string{"tenant": "matrix-a", "token": "x", "password": testPassword}},
	"POST /api/v1/auth/accept-invite":          {body: map[string]string{"tenant": "matrix-a", "token": "x", "password": testPassword}},
	"GET /api/v1/me":                           {},
	"POST /api/v1/me/totp":                     {},
	"POST /api/v1/me/totp/confirm":             {body: map[string]string{"code": "000000"}},
	"POST /api/v1/me/totp/disable":             {body: map[string]string{"code": "000000"}},
	"GET /api/v1/users":                        {},
	"GET /api/v1/users/:id":                    {id: "user"},
	"PATCH /api/v1/users/:id":                  {id: "user", body: map[string]string{"name": "Renamed"}},
	"POST /api/v1/users/:id/deactivate":        {id: "user"},
	"POST /api/v1/users/:id/activate":          {id: "user"},
	"GET /api/v1/invites":                      {},
	"POST /api/v1/invites":                     {body: map[string]any{"email": "new@m.example.com", "roles": []string{"viewer"}}},
	"DELETE /api/v1/invites/:id":               {id: "invite"},
	"GET /api/v1/api-keys":                     {},
	"POST /api/v1/api-keys":                    {body: map[string]string{"name": "k", "role": "viewer"}},
	"DELETE /api/v1/api-keys/:id":              {id: "api_key"},
	"GET /api/v1/audit-events":                 {},
	"GET /api/v1/roles":                        {},
	"POST /api/v1/roles":                       {body: map[string]any{"name": "Matrix role", "permissions": []string{"users:read"}}},
	"GET /api/v1/roles/:id":                    {id: "role"},
	"PATCH /api/v1/roles/:id":                  {id: "role", body: map[string]any{"description": "changed"}},
	"DELETE /api/v1/roles/:id":                 {id: "role"},
	"GET /api/v1/permissions":                  {},
	"GET /api/v1/settings":                     {},
	"GET /api/v1/billing":                      {},
	"GET /api/v1/billing/plans":                {},
	"POST /api/v1/billing/checkout":            {body: map[string]string{"plan": "growth"}},
	"POST /api/v1/billing/portal":              {},
	"POST /api/v1/billing/seats":               {body: map[string]int{"seats": 2}},
	"POST /webhooks/stripe":                    {body: map[string]string{"id": "evt_matrix"}},
	"PATCH /api/v1/settings":                   {body: map[string]string{"timezone": "Europe/Madrid"}},
	"PUT /api/v1/settings/logo":                {body: "not an image"},
	"DELETE /api/v1/settings/logo":             {},
	"GET /api/v1/portal/:slug":                 {},
	"GET /api/v1/tax-rates":                    {},
	"POST /api/v1/tax-rates":                   {body: map[string]any{"name": "Matrix VAT", "rate_bp": 2100}},
	"PATCH /api/v1/tax-rates/:id":              {id: "tax_rate", body: map[string]any{"rate_bp": 1000}},
	"DELETE /api/v1/tax-rates/:id":             {id: "tax_rate"},
	"GET /api/v1/number-series":                {},
	"PATCH /api/v1/number-series/:code":        {id: "series", body: map[string]any{"padding": 7}},
	"GET /api/v1/portal/:slug/logo":            {},
}

func TestMatrixCoversEveryRoute(t *testing.T) {
	ta := newTestApp(t)
	seen := map[string]bool{}
	for _, r := range ta.app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/" || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		key := r.Method + " " + r.Path
		if r.Path == "/api/v1" { // the group's middleware mount
			continue
		}
		seen[key] = true
		if _, ok := ta.registry.Lookup(r.Method, r.Path); !ok {
			t.Errorf("%s is served but not mounted through web.Router (no access rule)", key)
		}
		if _, ok := matrix[key]; !ok {
			t.Errorf("%s has no entry in the isolation/permission matrix", key)
		}
	}
	for key := range matrix {
		if !seen[key] {
			t.Errorf("matrix entry %s matches no route", key)
		}
	}
	// The OpenAPI document describes exactly the served routes (I1).
	documented := map[string]bool{}
	for _, op := range ta.validator.Operations() {
		documented[op] = true
		if !seen[op] {
			t.Errorf("openapi.json documents %s, which is not served", op)
		}
	}
	for key := range seen {
		if !documented[key] {
			t.Errorf("%s is served but missing from openapi.json", key)
		}
	}
}

// caller is one cell of the "who" axis.
type caller struct {
	name  string
	email string // staff users: to open fresh sessions
	c     *client
	kind  tenant.Kind // "" for anonymous
	roles []string
}

// fixtures holds ids of objects of one tenant, by kind.
type fixtures map[string]func() string

func (ta *testApp) tenantFixtures(t *testing.T, owner *client, tag string) fixtures {
	return fixtures{
		"user": func() string {
			var u struct {
				ID string `json:"id"`
			}
			email := fmt.Sprintf("%s-%s@m.example.com", tag, uuid.NewString()[:8])
			r := ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": email, "roles": []string{"viewer"}})
			if r.Status != 201 {
				t.Fatalf("fixture invite: %d %s", r.Status, r.Body)
			}
			slug, token := linkParams(t, ta.mailTo(email), "/accept-invite")
			r = ta.do(nil, "POST", "/api/v1/auth/accept-invite", map[string]string{"tenant": slug, "token": token, "password": testPassword})
			var me meBody
			r.json(t, &me)
			u.ID = me.User.ID
			return u.ID
		},
		"invite": func() string {
			var inv struct {
				ID string `json:"id"`
			}
			ta.do(owner, "POST", "/api/v1/invites", map[string]any{"email": tag + "-" + uuid.NewString()[:8] + "@m.example.com", "roles": []string{"viewer"}}).json(t, &inv)
			return inv.ID
		},
		"api_key": func() string {
			var k struct {
				ID string `json:"id"`
			}
			ta.do(owner, "POST", "/api/v1/api-keys", map[string]string{"name": "fixture", "role": "viewer"}).json(t, &k)
			return k.ID
		},
		"role": func() string {
			var r struct {
				ID string `json:"id"`
			}
			ta.do(owner, "POST", "/api/v1/roles", map[string]any{"name": "Fixture " + uuid.NewString()[:8], "permissions": []string{"users:read"}}).json(t, &r)
			return r.ID
		},
		"tax_rate": func() string {
			var r struct {
				ID string `json:"id"`
			}
			ta.do(owner, "POST", "/api/v1/tax-rates", map[string]any{"name": "Fixture " + uuid.NewString()[:8], "rate_bp": 2100}).json(t, &r)
			return r.ID
		},
		// A series is named by a fixed code in every tenant: there is no
		// foreign object to reach, only the caller's own (see the isolation
		// matrix).
		"series": func() string { return "invoice" },
	}
}

func routePath(path, id string) string {
	return strings.NewReplacer(":id", id, ":code", id).Replace(path)
}

// TestPermissionMatrix runs every route as every role, an API key and
// nobody, and checks allow/deny against the route's access rule (A1).
func TestPermissionMatrix(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("matrix-a")
	var ownerMe meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &ownerMe)
	tid := uuid.MustParse(ownerMe.Tenant.ID)
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: tid, Kind: tenant.KindUser,
		ID: uuid.MustParse(ownerMe.User.ID), Subject: tenant.UserSubject(uuid.MustParse(ownerMe.User.ID)), Name: "Owner"})
	callers := []caller{{name: "anonymous"}, {name: "owner", email: "owner@matrix-a.example.com", c: owner, kind: tenant.KindUser, roles: []string{"owner"}}}
	for _, role := range []string{"admin", "sales", "sales_manager", "marketing", "support", "warehouse", "production", "purchasing", "finance", "viewer"} {
		email := role + "@matrix-a.example.com"
		if _, err := ta.identity.AddUser(octx, email, role, testPassword, []string{role}); err != nil {
			t.Fatalf("add %s: %v", role, err)
		}
		callers = append(callers, caller{name: role, email: email, c: ta.sessionFrom(login(ta, email, testPassword, "matrix-a")), kind: tenant.KindUser, roles: []string{role}})
	}
	for _, role := range []string{"admin", "viewer"} {
		var k struct {
			Key string `json:"key"`
		}
		ta.do(owner, "POST", "/api/v1/api-keys", map[string]string{"name": "matrix " + role, "role": role}).json(t, &k)
		callers = append(callers, caller{name: "api_key:" + role, c: &client{bearer: k.Key}, kind: tenant.KindAPIKey, roles: []string{role}})
	}
	own := ta.tenantFixtures(t, owner, "own")
	cells := 0
	for _, spec := range ta.registry.Routes() {
		m := matrix[spec.Method+" "+spec.Path]
		for _, cl := range callers {
			want := ta.allowed(tid, spec.Access, cl)
			path := spec.Path
			if m.id != "" {
				path = routePath(path, own[m.id]())
			}
			c := cl.c
			if m.fresh && cl.email != "" {
				c = ta.sessionFrom(login(ta, cl.email, testPassword, "matrix-a"))
			}
			r := ta.do(c, spec.Method, path, m.body)
			denied := r.Status == 401 || r.Status == 403
			if denied == want {
				t.Errorf("%s %s as %s: status %d, allowed=%v by the rule %+v\n%s", spec.Method, path, cl.name, r.Status, want, spec.Access, r.Body)
			}
			cells++
		}
	}
	t.Logf("%d routes × %d callers = %d cells", len(ta.registry.Routes()), len(callers), cells)
}

// allowed is the expected decision for a caller: the matrix as data.
func (ta *testApp) allowed(tid uuid.UUID, a web.Access, cl caller) bool {
	if a.Public {
		return true
	}
	if cl.kind == "" {
		return false
	}
	if len(a.Kinds) > 0 && !has(a.Kinds, string(cl.kind)) {
		return false
	}
	if a.Perm == "" {
		return true
	}
	for _, r := range cl.roles {
		if has(ta.enforcer.RolePermissions(tid, r), a.Perm) {
			return true
		}
	}
	return false
}

// TestIsolationMatrix asks, as tenant A's owner (every permission), for
// tenant B's objects on every :id route: the answer must be exactly that
// of a nonexistent id, and B's objects must be unchanged (T4).
func TestIsolationMatrix(t *testing.T) {
	ta := newTestApp(t)
	a := ta.signup("iso-matrix-a")
	b := ta.signup("iso-matrix-b")
	foreign := ta.tenantFixtures(t, b, "b")
	snapshot := func() string {
		var out []string
		for _, p := range []string{"/api/v1/users", "/api/v1/invites", "/api/v1/api-keys", "/api/v1/roles", "/api/v1/tax-rates", "/api/v1/number-series"} {
			out = append(out, string(ta.do(b, "GET", p, nil).Body))
		}
		return strings.Join(out, "\n")
	}
	ids := map[string]string{}
	for kind, mk := range foreign {
		ids[kind] = mk()
	}
	before := snapshot()
	checked := 0
	for _, spec := range ta.registry.Routes() {
		m := matrix[spec.Method+" "+spec.Path]
		if m.id == "" {
			continue
		}
		if m.id == "series" {
			// A's request changes A's own series; the snapshot below shows
			// that B's are untouched.
			if r := ta.do(a, spec.Method, routePath(spec.Path, ids[m.id]), m.body); r.Status != 200 {
				t.Errorf("%s %s on the caller's own series: %d %s", spec.Method, spec.Path, r.Status, r.Body)
			}
			continue
		}
		missing := ta.do(a, spec.Method, routePath(spec.Path, uuid.Must(uuid.NewV7()).String()), m.body)
		got := ta.do(a, spec.Method, routePath(spec.Path, ids[m.id]), m.body)
		if got.Status != missing.Status || got.problemCode() != missing.problemCode() {
			t.Errorf("%s %s with a foreign id: %d %s; with a missing id: %d %s", spec.Method, spec.Path, got.Status, got.Body, missing.Status, missing.Body)
		}
		if got.Status < 400 {
			t.Errorf("%s %s succeeded on another tenant's object: %d %s", spec.Method, spec.Path, got.Status, got.Body)
		}
		checked++
	}
	if after := snapshot(); after != before {
		t.Errorf("tenant B changed after tenant A's requests:\nbefore %s\nafter  %s", before, after)
	}
	if checked == 0 {
		t.Fatal("no :id routes checked")
	}
}
