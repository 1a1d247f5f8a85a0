package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"nexo/api"
	"nexo/internal/cache"
	"nexo/internal/stripekit/stripekittest"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(stopStripeMock{m}) }

// stopStripeMock stops the test binary's stripe-mock (the online payment
// tests start it) after the tests.
type stopStripeMock struct{ m *testing.M }

func (r stopStripeMock) Run() int {
	code := r.m.Run()
	stripekittest.Stop()
	return code
}

// testApp is the real application wired on a test database (SQLite in
// memory, or PostgreSQL as the app role) and, when NEXO_TEST_REDIS_URL is
// set, real Redis. Every response it sees is checked against the OpenAPI
// document, so the spec cannot drift from the server.
type testApp struct {
	*appState
	t         testing.TB
	validator *api.Validator
}

var (
	validatorOnce sync.Once
	validator     *api.Validator
	validatorErr  error
)

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	return newTestAppWith(t, func(*Config) {})
}

// newTestAppWith lets a test adjust the configuration first.
func newTestAppWith(t testing.TB, adjust func(*Config)) *testApp {
	t.Helper()
	cfg := Config{BaseURL: "http://nexo.test", DevMailbox: true, RedisURL: os.Getenv("NEXO_TEST_REDIS_URL"),
		SessionIdle: time.Hour, SessionAbsolute: 24 * time.Hour, LogLevel: "error",
		LoginLimitPerIP: 1_000_000} // every test request comes from one address
	// The matrix tests create many users in one tenant: a roomy trial plan
	// keeps seat limits (tested on their own) out of their way.
	cfg.BillingPlans = filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(cfg.BillingPlans, []byte(`{"trial_plan":"roomy","plans":[{"id":"roomy","name":"Roomy",`+
		`"price_minor":0,"currency":"EUR","interval":"month","seats":100000,"portal_customers":100000,"api_rate_per_minute":100000,"modules":[]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	adjust(&cfg)
	if cfg.RedisURL != "" {
		inner, id := cfg.WrapCache, uuid.NewString()[:8]
		cfg.WrapCache = func(c cache.Cache) cache.Cache {
			c = appGlobals{c, id}
			if inner != nil {
				c = inner(c)
			}
			return c
		}
	}
	a := &appState{cfg: cfg, log: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), metrics: prometheus.NewRegistry()}
	a.bun = tenanttest.DB(t)
	if err := a.assemble(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	validatorOnce.Do(func() { validator, validatorErr = api.NewValidator() })
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	return &testApp{appState: a, t: t, validator: validator}
}

// appGlobals gives a test app's global keys ("g:…": the login and reset
// throttle counters, named by email) a prefix of its own on a real Redis.
// The tests' emails are fixed and the server outlives runs, so runs within
// the throttle's 15-minute window added up: the sixth run of
// TestPortalIdentity (a rerun, -count, or another CI run on the machine)
// got 429 for its magic link.
type appGlobals struct {
	cache.Cache
	id string
}

func (r appGlobals) k(key string) string {
	if rest, ok := strings.CutPrefix(key, "g:"); ok {
		return "g:app-" + r.id + ":" + rest
	}
	return key
}

func (r appGlobals) ks(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = r.k(k)
	}
	return out
}

func (r appGlobals) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return r.Cache.Get(ctx, r.k(key))
}

func (r appGlobals) GetVersioned(ctx context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	return r.Cache.GetVersioned(ctx, r.k(verKey), r.k(prefix), suffix)
}

func (r appGlobals) SetVersion(ctx context.Context, verKey string, token []byte, ttl time.Duration) error {
	return r.Cache.SetVersion(ctx, r.k(verKey), token, ttl)
}

func (r appGlobals) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.Cache.Set(ctx, r.k(key), value, ttl)
}

func (r appGlobals) Del(ctx context.Context, keys ...string) error {
	return r.Cache.Del(ctx, r.ks(keys)...)
}

func (r appGlobals) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	return r.Cache.Incr(ctx, r.k(key), ttl)
}

func (r appGlobals) SAdd(ctx context.Context, key string, ttl time.Duration, members ...string) error {
	return r.Cache.SAdd(ctx, r.k(key), ttl, members...)
}

func (r appGlobals) SMembers(ctx context.Context, key string) ([]string, error) {
	return r.Cache.SMembers(ctx, r.k(key))
}

func (r appGlobals) SRem(ctx context.Context, key string, members ...string) error {
	return r.Cache.SRem(ctx, r.k(key), members...)
}

// client is one caller: a browser session (cookie + CSRF token), an API key,
// or nobody.
type client struct {
	cookie, csrf, bearer string
}

type result struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r result) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problemCode returns the "code" of a problem+json body.
func (r result) problemCode() string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(r.Body, &p)
	return p.Code
}

// problemField returns the reason a problem+json body gives for field.
func (r result) problemField(field string) string {
	var p struct {
		Errors map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &p)
	return p.Errors[field]
}

// do sends a request through the whole middleware chain and validates the
// response against the OpenAPI document.
func (ta *testApp) do(c *client, method, path string, body any, hdr ...string) result {
	ta.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != nil {
		if c.cookie != "" {
			req.Header.Set("Cookie", ta.cookie().Name()+"="+c.cookie)
			if c.csrf != "" {
				req.Header.Set("X-CSRF-Token", c.csrf)
			}
		}
		if c.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+c.bearer)
		}
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := ta.app.Test(req, -1)
	if err != nil {
		ta.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	res := result{Status: resp.StatusCode, Header: resp.Header, Body: out}
	if method != "GET" && resp.StatusCode < 400 {
		// A server's relay runs as soon as a write commits; here it runs
		// before the next request, so consumers (the portal read cache's
		// invalidation, emails) see every change as in production.
		if _, err := ta.relay.RunOnce(context.Background()); err != nil {
			ta.t.Fatalf("relay after %s %s: %v", method, path, err)
		}
	}
	if resp.StatusCode >= 500 {
		ta.t.Errorf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	for _, leak := range []string{"SQLSTATE", "violates", "constraint", "sqlite", "pq:", "bun:"} {
		if strings.Contains(string(out), leak) && !strings.HasPrefix(path, "/api/v1/openapi.json") && path != "/api/docs" && path != "/metrics" {
			ta.t.Errorf("%s %s: response leaks database text %q: %s", method, path, leak, out) // Q3
		}
	}
	if strings.HasPrefix(path, "/api/v1/") && path != "/api/v1/openapi.json" {
		vreq := httptest.NewRequest(method, path, bytes.NewReader(raw))
		if err := ta.validator.Check(vreq, raw, resp.StatusCode, resp.Header, out); err != nil {
			ta.t.Errorf("%s %s → %d does not match openapi.json: %v\nbody: %s", method, path, resp.StatusCode, err, out)
		}
	}
	return res
}

// sessionFrom builds a client from a login/signup response.
func (ta *testApp) sessionFrom(r result) *client {
	ta.t.Helper()
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	r.json(ta.t, &me)
	for _, sc := range r.Header.Values("Set-Cookie") {
		name, rest, _ := strings.Cut(sc, "=")
		if name == ta.cookie().Name() {
			val, _, _ := strings.Cut(rest, ";")
			return &client{cookie: val, csrf: me.CSRF}
		}
	}
	ta.t.Fatalf("no session cookie in %v", r.Header.Values("Set-Cookie"))
	return nil
}

const testPassword = "correct horse battery"

// signup creates a tenant and returns its owner's session.
func (ta *testApp) signup(slug string) *client {
	ta.t.Helper()
	r := ta.do(nil, "POST", "/api/v1/signup", map[string]string{"company": "Company " + slug, "slug": slug,
		"name": "Owner " + slug, "email": "owner@" + slug + ".example.com", "password": testPassword})
	if r.Status != 201 {
		ta.t.Fatalf("signup %s: %d %s", slug, r.Status, r.Body)
	}
	return ta.sessionFrom(r)
}

// mailTo returns the newest dev-mailbox message text sent to addr.
func (ta *testApp) mailTo(addr string) string {
	ta.t.Helper()
	deadline := time.Now().Add(20 * time.Second) // roomy: -race on a busy machine
	for time.Now().Before(deadline) {
		if _, err := ta.relay.RunOnce(context.Background()); err != nil {
			ta.t.Fatal(err)
		}
		if msgs := ta.mailbox.List(addr); len(msgs) > 0 {
			return msgs[0].Text
		}
		time.Sleep(20 * time.Millisecond)
	}
	ta.t.Fatalf("no mail to %s", addr)
	return ""
}

// linkParams extracts tenant and token from a link in an email.
func linkParams(t testing.TB, text, path string) (tenant, token string) {
	t.Helper()
	i := strings.Index(text, path+"?")
	if i < 0 {
		t.Fatalf("no %s link in %q", path, text)
	}
	line := text[i:]
	if j := strings.IndexAny(line, " \n"); j >= 0 {
		line = line[:j]
	}
	q := line[len(path)+1:]
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "tenant":
			tenant = v
		case "token":
			token = v
		}
	}
	return tenant, token
}

// testLog sends the app's warnings and errors to the test's log, so a 500
// in a test shows its cause.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	// A fuzz target's *testing.F panics on Log once fuzzing runs, and
	// background goroutines (the Redis policy watcher, which also hears
	// other packages' tests on the shared Redis) may log at any time.
	if _, fuzz := l.t.(*testing.F); fuzz {
		return len(p), nil
	}
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
