package crm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// env is the CRM over a migrated database (SQLite in memory, or the
// package's PostgreSQL database as the app role).
type env struct {
	db  *tenant.DB
	svc *Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := tenant.NewDB(tenanttest.DB(t))
	return &env{db: d, svc: NewService(d, tenant.NewService(d, nil, nil, nil, tenant.Options{}), catalogProducts{d})}
}

// newTenant creates a tenant with one staff user and returns a context
// authenticated as that user.
func (e *env) newTenant(t testing.TB) context.Context {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	slug := "crm-" + id.String()[24:]
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
	ctx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: id, Kind: tenant.KindUser, ID: uid,
		Subject: tenant.UserSubject(uid), Name: "Staff"})
	e.newUser(t, ctx, uid)
	return ctx
}

// newUser adds a staff user row to the bound tenant (owner references).
func (e *env) newUser(t testing.TB, ctx context.Context, id uuid.UUID) {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	n := time.Now().UTC()
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewRaw(`INSERT INTO users (tenant_id, id, email, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?)`,
			tid, id, id.String()+"@example.com", "Rep", n, n).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func (e *env) mustAccount(t testing.TB, ctx context.Context, name string) Account {
	t.Helper()
	a, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr(name)})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return a
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

// testAuthz grants the permissions the request's caller carries, standing
// in for rbac; route rules are tested by cmd/nexo's permission matrix.
type testAuthz struct{}

func (testAuthz) Authorize(ctx context.Context, a web.Access) error {
	perms, _ := ctx.Value(permsKey{}).([]string)
	if a.Perm != "" && !slices.Contains(perms, a.Perm) {
		return errs.E(errs.Forbidden, "you need the %s permission", a.Perm)
	}
	return nil
}

// app serves the CRM routes; each request runs as the caller registered
// under its X-Test-Caller header.
type app struct {
	t       testing.TB
	app     *fiber.App
	mu      sync.Mutex
	callers map[string]context.Context
}

func (e *env) newApp(t testing.TB) *app {
	a := &app{t: t, callers: map[string]context.Context{}}
	a.app = web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a.app.Use(func(c *fiber.Ctx) error {
		a.mu.Lock()
		ctx, ok := a.callers[c.Get("X-Test-Caller")]
		a.mu.Unlock()
		if ok {
			c.SetUserContext(ctx)
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

func (r reply) field(name string) string {
	fields, _ := r.json()["errors"].(map[string]any)
	s, _ := fields[name].(string)
	return s
}

// do sends one request as ctx with perms (all CRM permissions when nil).
func (a *app) do(ctx context.Context, perms []string, method, path, body string) reply {
	a.t.Helper()
	if perms == nil {
		perms = []string{"accounts:read", "accounts:write"}
	}
	key := uuid.NewString()
	a.mu.Lock()
	a.callers[key] = context.WithValue(ctx, permsKey{}, perms)
	a.mu.Unlock()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Test-Caller", key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := a.app.Test(req, -1)
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b}
}
