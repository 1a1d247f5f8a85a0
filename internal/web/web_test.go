package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"

	"nexo/internal/errs"
)

func TestErrorHandlerWritesProblems(t *testing.T) {
	app := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	app.Get("/coded", func(*fiber.Ctx) error { return errs.Field("email", "is required") })
	app.Get("/raw", func(*fiber.Ctx) error {
		return errors.New(`pq: duplicate key value violates unique constraint "users_email_key"`)
	})
	app.Post("/decode", func(c *fiber.Ctx) error {
		var v struct {
			N int `json:"n"`
		}
		return Decode(c, &v)
	})
	cases := []struct {
		method, path, body string
		status             int
		code, field        string
	}{
		{"GET", "/coded", "", 400, "invalid", "email"},
		{"GET", "/raw", "", 500, "internal", ""},
		{"GET", "/nowhere", "", 404, "not_found", ""},
		{"POST", "/decode", `{"n":"x"}`, 400, "invalid", "n"},
		{"POST", "/decode", `{"n":1,"tenant_id":"x"}`, 400, "invalid", "tenant_id"},
		{"POST", "/decode", `{"n":1}{}`, 400, "invalid", "body"},
		{"POST", "/decode", `{`, 400, "invalid", "body"},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		var p Problem
		_ = json.Unmarshal(body, &p)
		if resp.StatusCode != tc.status || string(p.Code) != tc.code || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %s %s", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if tc.field != "" && p.Errors[tc.field] == "" {
			t.Errorf("%s %s: field %s not named: %s", tc.method, tc.path, tc.field, body)
		}
		if strings.Contains(string(body), "violates") || strings.Contains(string(body), "pq:") {
			t.Errorf("driver text leaked: %s", body)
		}
	}
}

func TestParsePage(t *testing.T) {
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error {
		p, err := ParsePage(c)
		if err != nil {
			return c.Status(400).SendString(err.Error())
		}
		return c.JSON(p)
	})
	for q, want := range map[string]int{"": 200, "?limit=100": 200, "?limit=101": 400, "?limit=0": 400, "?limit=x": 400,
		"?cursor=" + EncodeCursor("abc"): 200, "?cursor=%%%": 400} {
		resp, _ := app.Test(httptest.NewRequest("GET", "/"+q, nil))
		if resp.StatusCode != want {
			t.Errorf("%q: %d, want %d", q, resp.StatusCode, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name":"x","n":1}`))
	f.Add([]byte(`{"n":1e999}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v struct {
			Name string `json:"name"`
			N    int64  `json:"n"`
		}
		if err := DecodeBytes(b, &v); err != nil && errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("%q: %v is not an invalid-input error", b, err)
		}
	})
}

func TestSPA(t *testing.T) {
	dist := fstest.MapFS{
		"index.html":        {Data: []byte("<!doctype html><div id=root></div>")},
		"assets/app-1a2.js": {Data: []byte("console.log(1)")},
		"favicon.svg":       {Data: []byte("<svg/>")},
	}
	app := fiber.New()
	app.Use(SPA(dist))
	app.Use(func(c *fiber.Ctx) error { return c.Status(404).SendString("next") })
	cases := []struct {
		method, path string
		status       int
		body, cache  string
	}{
		{"GET", "/", 200, "<!doctype html>", "no-cache"},
		{"GET", "/app/users", 200, "<!doctype html>", "no-cache"},
		{"GET", "/portal/acme/home", 200, "<!doctype html>", "no-cache"},
		{"GET", "/assets/app-1a2.js", 200, "console.log", "immutable"},
		{"GET", "/favicon.svg", 200, "<svg", "max-age=3600"},
		{"GET", "/assets/old-999.js", 404, "next", ""},
		{"GET", "/robots.txt", 404, "next", ""},
		{"GET", "/api/v1/nope", 404, "next", ""},
		{"POST", "/app/users", 404, "next", ""},
		{"GET", "/../../etc/passwd", 200, "<!doctype html>", "no-cache"},
	}
	for _, tc := range cases {
		res, err := app.Test(httptest.NewRequest(tc.method, tc.path, nil))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status || !strings.HasPrefix(string(body), tc.body) || !strings.Contains(res.Header.Get("Cache-Control"), tc.cache) {
			t.Errorf("%s %s = %d %q cache %q", tc.method, tc.path, res.StatusCode, body, res.Header.Get("Cache-Control"))
		}
		if tc.status == 200 && !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: no CSP", tc.path)
		}
	}
	// Without a build, every page path says how to build the app.
	bare := fiber.New()
	bare.Use(SPA(nil))
	res, _ := bare.Test(httptest.NewRequest("GET", "/app", nil))
	if body, _ := io.ReadAll(res.Body); res.StatusCode != 200 || !strings.Contains(string(body), "make run") {
		t.Errorf("not built: %d %s", res.StatusCode, body)
	}
}
