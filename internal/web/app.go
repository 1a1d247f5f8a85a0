package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// Config tunes the Fiber app.
type Config struct {
	Logger *slog.Logger
	// Metrics receives the HTTP metrics; nil disables them.
	Metrics prometheus.Registerer
	// TrustedProxies lists proxy addresses whose X-Forwarded-For is believed;
	// empty means the socket address is the client IP.
	TrustedProxies []string
	// BodyLimit caps request bodies (default 1 MiB, A5).
	BodyLimit int
}

// New builds the Fiber app with Nexo's settings against Fiber's known
// pitfalls: Immutable so strings taken from a request stay valid after the
// handler returns (Fiber reuses its buffers), a body limit, read/write/idle
// timeouts against slow clients, and proxy headers only from trusted proxies.
func New(cfg Config) *fiber.App {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	fc := fiber.Config{
		AppName:               "nexo",
		Immutable:             true,
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           90 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          ErrorHandler(cfg.Logger),
		ReadBufferSize:        16 << 10,
		WriteBufferSize:       16 << 10,
	}
	if len(cfg.TrustedProxies) > 0 {
		fc.EnableTrustedProxyCheck = true
		fc.TrustedProxies = cfg.TrustedProxies
		fc.ProxyHeader = fiber.HeaderXForwardedFor
	}
	app := fiber.New(fc)
	app.Use(requestID, recover.New(recover.Config{EnableStackTrace: false}))
	if cfg.Metrics != nil {
		app.Use(metricsMiddleware(cfg.Metrics))
	}
	app.Use(accessLog(cfg.Logger), securityHeaders)
	return app
}

type ctxKey int

const logAttrsKey ctxKey = iota

// requestID gives every request a fresh id (client-chosen ids are not
// trusted: they would let a caller forge log correlation).
func requestID(c *fiber.Ctx) error {
	id := uuid.NewString()
	c.Locals("request_id", id)
	c.Set("X-Request-ID", id)
	c.SetUserContext(context.WithValue(c.UserContext(), logAttrsKey, &logAttrs{requestID: id}))
	return c.Next()
}

// RequestID returns the id requestID assigned.
func RequestID(c *fiber.Ctx) string {
	s, _ := c.Locals("request_id").(string)
	return s
}

type logAttrs struct{ requestID, tenantID, userID string }

// SetLogIdentity records the tenant and user of the request for the access
// log; the auth middleware calls it once the credential is checked.
func SetLogIdentity(ctx context.Context, tenantID, userID string) {
	if a, ok := ctx.Value(logAttrsKey).(*logAttrs); ok {
		a.tenantID, a.userID = tenantID, userID
	}
}

func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			if hErr := c.App().ErrorHandler(c, err); hErr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		a, _ := c.UserContext().Value(logAttrsKey).(*logAttrs)
		if a == nil {
			a = &logAttrs{}
		}
		log.LogAttrs(c.UserContext(), slog.LevelInfo, "http",
			slog.String("request_id", a.requestID), slog.String("tenant_id", a.tenantID),
			slog.String("user_id", a.userID), slog.String("method", c.Method()),
			slog.String("path", c.Path()), slog.Int("status", c.Response().StatusCode()),
			slog.Duration("duration", time.Since(start)))
		return nil
	}
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	return c.Next()
}
