package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/cache"
	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// env is the catalog over a migrated database (SQLite in memory, or the
// package's PostgreSQL database as the app role) and a cache (Redis when
// NEXO_TEST_REDIS_URL is set, else memory).
type env struct {
	db    *tenant.DB
	cache cache.Cache
	svc   *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	var c cache.Cache = cache.NewMemory()
	if url := os.Getenv("NEXO_TEST_REDIS_URL"); url != "" {
		r, err := cache.NewRedis(context.Background(), url)
		if err != nil {
			t.Fatalf("NEXO_TEST_REDIS_URL is set but Redis is unreachable: %v", err)
		}
		t.Cleanup(func() { _ = r.Close() })
		c = r
	}
	return &env{db: d, cache: c, svc: NewService(d, Options{Cache: c})}
}

// newTenant creates a tenant and returns a context authenticated as one of
// its staff (audit rows need an actor).
func (e *env) newTenant(t testing.TB) context.Context {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	slug := "c-" + id.String()[24:]
	n := time.Now().UTC()
	err := e.db.Platform(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewRaw(`INSERT INTO tenants (id, slug, name, trial_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, slug, "Co "+slug, n.AddDate(0, 0, 14), n, n).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	uid := uuid.Must(uuid.NewV7())
	return tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: id, Kind: tenant.KindUser, ID: uid,
		Subject: tenant.UserSubject(uid), Name: "Staff"})
}

func ptr[T any](v T) *T { return &v }

// mustProduct creates a product with sku and the given type, or fails.
func (e *env) mustProduct(t testing.TB, ctx context.Context, sku string, typ Type) Product {
	t.Helper()
	p, err := e.svc.CreateProduct(ctx, ProductInput{SKU: ptr(sku), Name: ptr("Product " + sku), Type: ptr(typ),
		ListPriceMinor: ptr[int64](1000), Currency: ptr("EUR"), CostMinor: ptr[int64](600)})
	if err != nil {
		t.Fatalf("create %s: %v", sku, err)
	}
	return p
}

// mustTaxRate creates a tax rate through tenant (the catalog only refers to them).
func (e *env) mustTaxRate(t testing.TB, ctx context.Context, name string) uuid.UUID {
	t.Helper()
	svc := tenant.NewService(e.db, nil, nil, nil, tenant.Options{})
	r, err := svc.CreateTaxRate(ctx, tenant.TaxRateInput{Name: ptr(name), RateBP: ptr(2100)})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// auditCount counts the tenant's audit rows with action.
func (e *env) auditCount(t testing.TB, ctx context.Context, action string) int {
	t.Helper()
	evs, err := e.db.FindAudit(ctx, tenant.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// wantErr fails unless err has code and, when field is set, names it.
func wantErr(t testing.TB, what string, err error, code errs.Code, field string) {
	t.Helper()
	if !errs.Is(db.Translate(err), code) {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	var e *errs.Error
	if field != "" && (!errors.As(err, &e) || e.Fields[field] == "") {
		t.Errorf("%s: %v does not name %q", what, err, field)
	}
}

type permsKey struct{}

// testAuthz grants the permissions the test request carries, standing in
// for rbac (which modules' tests need not wire); route rules are tested by
// cmd/nexo's permission matrix.
type testAuthz struct{}

func (testAuthz) Authorize(ctx context.Context, a web.Access) error {
	perms, _ := ctx.Value(permsKey{}).([]string)
	if a.Perm != "" && !slices.Contains(perms, a.Perm) {
		return errs.E(errs.Forbidden, "you need the %s permission", a.Perm)
	}
	return nil
}

var allPerms = []string{"products:read", "products:write", "production:read", "production:write", "imports:run", CostPerm}

// app serves the catalog routes; each request runs as the caller its
// X-Test-Caller header names, with the caller's perms (all when nil).
type app struct {
	t       testing.TB
	app     *fiber.App
	mu      sync.Mutex
	callers map[string]caller
}

type caller struct {
	ctx   context.Context
	perms []string
}

func (e *env) newApp(t testing.TB) *app {
	a := &app{t: t, callers: map[string]caller{}}
	a.app = web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a.app.Use(func(c *fiber.Ctx) error {
		a.mu.Lock()
		who, ok := a.callers[c.Get("X-Test-Caller")]
		a.mu.Unlock()
		if ok {
			c.SetUserContext(context.WithValue(who.ctx, permsKey{}, who.perms))
		}
		return c.Next()
	})
	NewHandler(e.svc, testAuthz{}).Routes(web.NewRouter(a.app.Group("/api/v1"), "/api/v1", testAuthz{}, web.NewRegistry()))
	return a
}

type reply struct {
	status int
	ctype  string
	body   []byte
}

func (r reply) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	return m
}

// field returns the problem's reason for field.
func (r reply) field(name string) string {
	fields, _ := r.json()["errors"].(map[string]any)
	s, _ := fields[name].(string)
	return s
}

// do sends one request as who; a body starting with '{' is sent as JSON,
// any other as CSV.
func (a *app) do(who caller, method, path, body string) reply {
	a.t.Helper()
	ct := ""
	if body != "" {
		ct = "text/csv"
		if strings.HasPrefix(strings.TrimSpace(body), "{") {
			ct = "application/json"
		}
	}
	return a.send(who, method, path, ct, body)
}

// send sends one request as who with content type ct.
func (a *app) send(who caller, method, path, ct, body string) reply {
	a.t.Helper()
	if who.perms == nil {
		who.perms = allPerms
	}
	key := uuid.NewString()
	a.mu.Lock()
	a.callers[key] = who
	a.mu.Unlock()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Test-Caller", key)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := a.app.Test(req, -1)
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b}
}
