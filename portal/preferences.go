package portal

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// validLocale reports a language of the portal and of its emails.
func validLocale(l string) bool { return l == "en" || l == "es" }

// Preferences are what a customer chooses about their own portal access.
type Preferences struct {
	// Locale is "" until the customer picks a language: the tenant's
	// default then applies to their emails.
	Locale       string
	NotifyOrders bool
}

// PreferencesUpdate changes the fields that are set.
type PreferencesUpdate struct {
	Locale       *string
	NotifyOrders *bool
}

// SetPreferences changes the calling customer's own preferences; there is
// no id to name, so a customer can only ever change their own row.
func (s *Service) SetPreferences(ctx context.Context, in PreferencesUpdate) (Preferences, error) {
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok || p.Kind != tenant.KindCustomer {
		return Preferences{}, errs.E(errs.Forbidden, "only a portal customer has portal preferences")
	}
	if in.Locale != nil && !validLocale(*in.Locale) {
		return Preferences{}, errs.Field("locale", "must be en or es")
	}
	var row userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		err := tx.NewSelect().Model(&row).Where("pu.id = ?", p.ID).Where("pu.status = ?", StatusActive).Apply(forUpdate).Scan(ctx)
		if noRows(err) {
			return errs.E(errs.Unauthenticated, "not logged in")
		}
		if err != nil {
			return err
		}
		before := Preferences{Locale: row.Locale, NotifyOrders: row.NotifyOrders}
		if in.Locale != nil {
			row.Locale = *in.Locale
		}
		if in.NotifyOrders != nil {
			row.NotifyOrders = *in.NotifyOrders
		}
		after := Preferences{Locale: row.Locale, NotifyOrders: row.NotifyOrders}
		if after == before {
			return nil // switching to the language already saved writes nothing
		}
		row.UpdatedAt = s.now()
		if _, err := tx.NewUpdate().Model(&row).Column("locale", "notify_orders", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "portal_user.preferences_updated", Resource: "portal_users",
			ResourceID: row.ID.String(), Before: prefsSnap(before), After: prefsSnap(after)})
	})
	if err != nil {
		return Preferences{}, err
	}
	return Preferences{Locale: row.Locale, NotifyOrders: row.NotifyOrders}, nil
}

func prefsSnap(p Preferences) map[string]any {
	return map[string]any{"locale": p.Locale, "notify_orders": p.NotifyOrders}
}

type preferencesJSON struct {
	Locale       string `json:"locale"`
	NotifyOrders bool   `json:"notify_orders"`
}

// customerOnly admits portal customers and nobody else: the route acts on
// the caller's own portal user, which staff and API keys do not have.
var customerOnly = web.Access{Authenticated: true, Customer: true, Kinds: []string{string(tenant.KindCustomer)}}

func (h *Handler) setPreferences(c *fiber.Ctx) error {
	var in struct {
		Locale       *string `json:"locale"`
		NotifyOrders *bool   `json:"notify_orders"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	p, err := h.svc.SetPreferences(c.UserContext(), PreferencesUpdate{Locale: in.Locale, NotifyOrders: in.NotifyOrders})
	if err != nil {
		return err
	}
	return c.JSON(preferencesJSON{Locale: p.Locale, NotifyOrders: p.NotifyOrders})
}
