package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// DefaultWriteAllow are the writes a read-only tenant keeps: signing in and
// out, and paying its way out (checkout, billing portal).
var DefaultWriteAllow = []string{
	"/api/v1/auth/login", "/api/v1/auth/logout",
	"/api/v1/billing/checkout", "/api/v1/billing/portal",
}

type cachedAccount struct {
	state        string
	pastDueSince *time.Time
	at           time.Time
}

// Writable returns a 402 payment_required error when the tenant may not
// write: its subscription is canceled, or past due for longer than the
// grace period. Reads and exports stay allowed. It costs one primary-key
// read of the tenant row, cached for Options.CacheFor.
func (s *Service) Writable(ctx context.Context, tenantID uuid.UUID) error {
	if s.db == nil {
		return nil
	}
	now := s.now()
	c, ok := s.cache.Load(tenantID)
	if !ok || now.Sub(c.(cachedAccount).at) > s.opt.CacheFor {
		var a accountRow
		err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
			return tx.NewSelect().Model(&a).Column("billing_state", "past_due_since").Where("t.id = ?", tenantID).Scan(ctx)
		})
		if err != nil {
			return err
		}
		c = cachedAccount{state: a.BillingState, pastDueSince: a.PastDueSince, at: now}
		s.cache.Store(tenantID, c)
	}
	ca := c.(cachedAccount)
	if reason := s.lockReason(&accountRow{BillingState: ca.state, PastDueSince: ca.pastDueSince}, now); reason != "" {
		return errs.E(errs.PaymentRequired, "%s", reason)
	}
	return nil
}

// lockReason says why a tenant is read-only, or "" when it may write.
func (s *Service) lockReason(a *accountRow, now time.Time) string {
	switch a.BillingState {
	case "canceled":
		return "the subscription is canceled: the account is read-only (reads and exports still work); subscribe again under Billing to make changes"
	case "past_due":
		if a.PastDueSince != nil && now.After(a.PastDueSince.Add(s.opt.Grace)) {
			return fmt.Sprintf("payment failed on %s and the %s grace period is over: the account is read-only (reads and exports still work) until the invoice is paid under Billing",
				a.PastDueSince.Format("2006-01-02"), graceText(s.opt.Grace))
		}
	}
	return ""
}

// graceText names the grace period: "7-day", or the duration when it is
// not whole days (a short grace on a test server).
func graceText(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d-day", int(d/(24*time.Hour)))
	}
	return d.String()
}

// forget drops the cached state of a tenant after this instance changed it.
func (s *Service) forget(tenantID uuid.UUID) { s.cache.Delete(tenantID) }

// Guard is the middleware for /api/v1, mounted after authentication: a
// tenant that may not write gets 402 on every method but GET, HEAD and
// OPTIONS, except on the allow-listed paths (DefaultWriteAllow when none).
// Anonymous requests (signup, login) pass: they have no tenant yet.
func (s *Service) Guard(allow ...string) fiber.Handler {
	if len(allow) == 0 {
		allow = DefaultWriteAllow
	}
	ok := make(map[string]bool, len(allow))
	for _, p := range allow {
		ok[p] = true
	}
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		tid, bound := tenant.FromContext(c.UserContext())
		if !bound || ok[c.Path()] {
			return c.Next()
		}
		if err := s.Writable(c.UserContext(), tid); err != nil {
			return err
		}
		return c.Next()
	}
}
