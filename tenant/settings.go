package tenant

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// Settings are a tenant's own preferences (T6) and portal branding (P7;
// more arrive with later features: tax rates, number series).
type Settings struct {
	Name         string
	BaseCurrency string
	Locale       string
	Timezone     string
	RequireTOTP  bool // owners, admins and finance must use TOTP (U6)
	PortalName   string
	AccentColor  string
	HasLogo      bool
}

// SettingsUpdate changes the fields that are set.
type SettingsUpdate struct {
	Name         *string
	BaseCurrency *string
	Locale       *string
	Timezone     *string
	RequireTOTP  *bool
	PortalName   *string
	AccentColor  *string
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// totpRoles must use TOTP when the tenant requires it.
var totpRoles = []string{"owner", "admin", "finance"}

// GetSettings returns the bound tenant's settings.
func (s *Service) GetSettings(ctx context.Context) (Settings, error) {
	p, _ := PrincipalFrom(ctx)
	var r tenantRow
	err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&r).Where("t.id = ?", p.TenantID).Scan(ctx)
	})
	if err != nil {
		return Settings{}, err
	}
	etag, err := s.logoETag(ctx)
	return Settings{Name: r.Name, BaseCurrency: r.BaseCurrency, Locale: r.Locale, Timezone: r.Timezone, RequireTOTP: r.RequireTOTP,
		PortalName: r.PortalName, AccentColor: r.AccentColor, HasLogo: etag != ""}, err
}

// UpdateSettings validates and applies a SettingsUpdate, with an audit row.
func (s *Service) UpdateSettings(ctx context.Context, in SettingsUpdate) (Settings, error) {
	f := errs.Fields{}
	if in.Name != nil {
		*in.Name = checkName(f, "name", *in.Name, 100)
	}
	if in.BaseCurrency != nil && !currencyRE.MatchString(*in.BaseCurrency) {
		f.Add("base_currency", "must be an ISO 4217 code such as EUR")
	}
	if in.Locale != nil && *in.Locale != "en" && *in.Locale != "es" {
		f.Add("locale", "must be en or es")
	}
	if in.Timezone != nil {
		if _, err := time.LoadLocation(*in.Timezone); err != nil || *in.Timezone == "" || *in.Timezone == "Local" {
			f.Add("timezone", "must be an IANA time zone such as Europe/Madrid")
		}
	}
	if in.PortalName != nil {
		*in.PortalName = strings.TrimSpace(*in.PortalName)
		if utf8.RuneCountInString(*in.PortalName) > 100 {
			f.Add("portal_display_name", "must be at most 100 characters")
		}
	}
	if in.AccentColor != nil {
		*in.AccentColor = strings.ToLower(*in.AccentColor)
		if !accentRE.MatchString(*in.AccentColor) {
			f.Add("accent_color", "must be a colour such as #1c5fd4")
		}
	}
	if err := f.Err(); err != nil {
		return Settings{}, err
	}
	before, err := s.GetSettings(ctx)
	if err != nil {
		return Settings{}, err
	}
	after := before
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&after.Name, in.Name)
	set(&after.BaseCurrency, in.BaseCurrency)
	set(&after.Locale, in.Locale)
	set(&after.Timezone, in.Timezone)
	set(&after.PortalName, in.PortalName)
	set(&after.AccentColor, in.AccentColor)
	if in.RequireTOTP != nil {
		after.RequireTOTP = *in.RequireTOTP
	}
	p, _ := PrincipalFrom(ctx)
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*tenantRow)(nil)).Where("t.id = ?", p.TenantID).
			Set("name = ?", after.Name).Set("base_currency = ?", after.BaseCurrency).Set("locale = ?", after.Locale).
			Set("timezone = ?", after.Timezone).Set("require_totp = ?", after.RequireTOTP).
			Set("portal_name = ?", after.PortalName).Set("accent_color = ?", after.AccentColor).Set("updated_at = ?", now()).Exec(ctx)
		if err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "tenant.settings_updated", Resource: "tenants", ResourceID: p.TenantID.String(),
			Before: before, After: after})
	})
	if err == nil && after.RequireTOTP != before.RequireTOTP {
		s.sessions.forgetTenant(p.TenantID)
	}
	return after, err
}

// mustEnrollTOTP reports whether a user is held to TOTP setup: the tenant
// requires it for their role and they have not enabled it.
func (s *Service) mustEnrollTOTP(p Principal, requireTOTP, enabled bool) bool {
	if !requireTOTP || enabled || p.Kind != KindUser {
		return false
	}
	for _, r := range s.policy.Roles(p.TenantID, p.Subject) {
		if contains(totpRoles, r) {
			return true
		}
	}
	return false
}
