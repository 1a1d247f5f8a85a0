package main

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/rbac"
	"nexo/tenant"
)

func (a *appState) cookie() tenant.CookieConfig {
	return tenant.CookieConfig{Insecure: a.cfg.InsecureCookies}
}

// buildHTTP mounts every route through a web.Router, so each one is in the
// registry with its access rule and the permission matrix test sees it.
func (a *appState) buildHTTP() {
	a.app = web.New(web.Config{Logger: a.log, Metrics: a.metrics, TrustedProxies: a.cfg.TrustedProxies})
	a.registry = web.NewRegistry()
	authz := rbac.NewAuthorizer(a.enforcer)

	root := web.NewRouter(a.app, "", authz, a.registry)
	root.Get("/healthz", web.Public, func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	root.Get("/readyz", web.Public, a.ready)
	root.Get("/metrics", web.Public, adaptor.HTTPHandler(promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{})))
	root.Get("/api/v1/openapi.json", web.Public, serveOpenAPI)
	root.Get("/api/docs", web.Public, serveDocs)
	if a.mailbox != nil {
		root.Get("/dev/mailbox", web.Public, a.devMailbox)
	}

	api := a.app.Group("/api/v1", a.identity.Authenticate(a.cookie()), a.identity.Idempotency())
	v1 := web.NewRouter(api, "/api/v1", authz, a.registry)
	tenant.NewHandler(a.identity, a.cookie()).Routes(v1)
	rbac.NewHandler(a.enforcer, a.db).Routes(v1)

	// Unknown paths answer with problem+json too.
	a.app.Use(func(c *fiber.Ctx) error { return errs.E(errs.NotFound, "no such route") })
}

// ready reports whether the database (and Redis, when configured) answer:
// a load balancer stops sending traffic while they do not (F2).
func (a *appState) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{}
	status := fiber.StatusOK
	if err := a.bun.PingContext(ctx); err != nil {
		checks["database"], status = "unavailable", fiber.StatusServiceUnavailable
	} else {
		checks["database"] = "ok"
	}
	if a.redis != nil {
		if err := a.redis.Ping(ctx); err != nil {
			checks["redis"], status = "unavailable", fiber.StatusServiceUnavailable
		} else {
			checks["redis"] = "ok"
		}
	}
	return c.Status(status).JSON(fiber.Map{"status": map[bool]string{true: "ok", false: "unavailable"}[status == 200], "checks": checks})
}

// devMailbox lists the emails Nexo would have sent (embedded mode without
// SMTP), so a new user can follow an invite or reset link locally. SECURITY:
// only mounted when NEXO_DEV_MAILBOX is on (default: no SMTP configured).
func (a *appState) devMailbox(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"items": a.mailbox.List(c.Query("to"))})
}
