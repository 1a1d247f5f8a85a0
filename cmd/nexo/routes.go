package main

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"nexo/billing"
	"nexo/connect"
	"nexo/flows"
	"nexo/frontend"
	"nexo/internal/errs"
	"nexo/internal/stripekit"
	"nexo/internal/web"
	"nexo/modules/catalog"
	"nexo/modules/crm"
	"nexo/modules/inventory"
	"nexo/modules/invoicing"
	"nexo/modules/manufacturing"
	"nexo/modules/quotes"
	"nexo/modules/returns"
	"nexo/modules/sales"
	"nexo/modules/shipping"
	"nexo/modules/tickets"
	"nexo/portal"
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

	// Stripe signs its webhooks: the signature is the credential.
	root.Post("/webhooks/stripe", web.Public, a.billing.Webhook(billing.Secrets(a.cfg.StripeWebhookKey)))
	// Connected accounts' events (customers paying tenants' invoices) come
	// to their own endpoint, signed with its own secret.
	root.Post("/webhooks/stripe/connect", web.Public, a.connect.Webhook(stripekit.Secrets(a.cfg.StripeConnectWebhookKey)))

	// A tenant whose subscription lapsed is read-only (B3): the guard sits
	// after authentication, which binds the tenant, and before any handler.
	api := a.app.Group("/api/v1", a.identity.Authenticate(a.cookie()), a.billing.Guard(), a.identity.Idempotency())
	v1 := web.NewRouter(api, "/api/v1", authz, a.registry)
	v1.CustomerRoutes(a.portalCache.Route)
	tenant.NewHandler(a.identity, a.cookie()).Routes(v1)
	rbac.NewHandler(a.enforcer, a.db).Routes(v1)
	billing.NewHandler(a.billing).Routes(v1)
	catalog.NewHandler(a.catalog, authz).Routes(v1)
	crm.NewHandler(a.crm, authz).Routes(v1)
	inventory.NewHandler(a.stock).Routes(v1)
	sales.NewHandler(a.sales).Routes(v1)
	manufacturing.NewHandler(a.production).Routes(v1)
	shipping.NewHandler(a.shipping).Routes(v1)
	invoicing.NewHandler(a.invoicing).Routes(v1)
	connect.NewHandler(a.connect).Routes(v1)
	flows.NewHandler(a.credit).Routes(v1)
	quotes.NewHandler(a.quotes, authz, a.quoteFlow).Routes(v1)
	returns.NewHandler(a.returns).Routes(v1)
	flows.NewTimelineHandler(a.timeline, authz).Routes(v1)
	tickets.NewHandler(a.tickets).Routes(v1)
	portal.NewHandler(a.portal, a.cookie()).Routes(v1)

	// The web app (staff app and portal) takes every other GET path; its
	// client-side router decides what to show.
	a.app.Use(web.SPA(frontend.Dist()))

	// Unknown paths answer with problem+json too.
	a.app.Use(func(c *fiber.Ctx) error { return errs.E(errs.NotFound, "no such route") })
}

// ready reports whether the database answers: a load balancer stops
// sending traffic while it does not (F2). Redis is reported but does not
// make the instance unready: sessions and cached reads fall back to the
// database (F1), so pulling every instance when Redis dies would turn a
// slower service into none.
func (a *appState) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{}
	status, state := fiber.StatusOK, "ok"
	if err := a.bun.PingContext(ctx); err != nil {
		checks["database"], status, state = "unavailable", fiber.StatusServiceUnavailable, "unavailable"
	} else {
		checks["database"] = "ok"
	}
	if a.redis != nil {
		if err := a.redis.Ping(ctx); err != nil {
			checks["redis"] = "unavailable"
			if status == fiber.StatusOK {
				state = "degraded"
			}
		} else {
			checks["redis"] = "ok"
		}
	}
	return c.Status(status).JSON(fiber.Map{"status": state, "checks": checks})
}

// devMailbox lists the emails Nexo would have sent (embedded mode without
// SMTP), so a new user can follow an invite or reset link locally. SECURITY:
// only mounted when NEXO_DEV_MAILBOX is on (default: no SMTP configured).
func (a *appState) devMailbox(c *fiber.Ctx) error {
	items := a.mailbox.List(c.Query("to"))
	if c.Accepts(fiber.MIMEApplicationJSON, fiber.MIMETextHTML) != fiber.MIMETextHTML {
		return c.JSON(fiber.Map{"items": items})
	}
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Nexo dev mailbox</title>` +
		`<style>body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem}` +
		`article{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}pre{white-space:pre-wrap}</style>` +
		`<h1>Dev mailbox</h1><p>Emails Nexo would have sent (no SMTP configured), newest first.</p>`)
	if len(items) == 0 {
		b.WriteString("<p>No emails yet.</p>")
	}
	for _, m := range items {
		fmt.Fprintf(&b, "<article><h2>%s</h2><p>To %s · %s</p><pre>%s</pre></article>",
			html.EscapeString(m.Subject), html.EscapeString(m.To), m.At.Format(time.RFC1123), linkify(m.Text))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(b.String())
}

// linkify escapes text and turns its http(s) URLs into links.
func linkify(text string) string {
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, w := range strings.Split(line, " ") {
			if j > 0 {
				b.WriteByte(' ')
			}
			e := html.EscapeString(w)
			if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") {
				e = `<a href="` + e + `">` + e + `</a>`
			}
			b.WriteString(e)
		}
	}
	return b.String()
}
