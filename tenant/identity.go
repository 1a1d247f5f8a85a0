package tenant

import (
	"context"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// Policy is what identity needs from the authorization layer (rbac): role
// assignments written in the caller's transaction, and reads of the live
// policy. Declared here, implemented by *rbac.Enforcer.
type Policy interface {
	SetRoles(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, subject string, roles []string) error
	RemoveSubject(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, subject string) error
	Roles(tenantID uuid.UUID, subject string) []string
	Permissions(tenantID uuid.UUID, subject string) []string
	RolePermissions(tenantID uuid.UUID, role string) []string
}

// Tenant is a company using Nexo.
type Tenant struct {
	ID           uuid.UUID
	Slug         string
	Name         string
	Status       string
	Plan         string
	BillingState string
	TrialEndsAt  time.Time
	BaseCurrency string
	Locale       string
	Timezone     string
	CreatedAt    time.Time
}

// User is a staff member of one tenant.
type User struct {
	ID          uuid.UUID
	TenantID    uuid.UUID
	Email       string
	Name        string
	Status      string
	TOTPEnabled bool
	LastLoginAt *time.Time
	CreatedAt   time.Time
	Roles       []string
}

// Options configures the identity service.
type Options struct {
	BaseURL   string        // links in emails
	TrialDays int           // default 14
	InviteTTL time.Duration // default 7 days
	ResetTTL  time.Duration // default 1 hour
	Logger    *slog.Logger
}

// Service owns signup, login, sessions, password reset, TOTP, users,
// invitations and API keys.
type Service struct {
	db        *DB
	sessions  *Sessions
	throttle  *Throttle
	policy    Policy
	seats     SeatLimiter
	customers Customers
	opt       Options
}

// Customers is what identity needs from the customer portal (implemented by
// *portal.Service, wired in cmd/nexo): the live portal user behind a
// customer session, and that customer's /me answer.
type Customers interface {
	// CustomerPrincipal loads the active portal user id of tenantID (ctx is
	// bound to it); NotFound when it is missing, disabled or unbound.
	CustomerPrincipal(ctx context.Context, tenantID, id uuid.UUID) (Principal, error)
	// CustomerMe is the /me body of customer p; csrf is the session's token.
	CustomerMe(ctx context.Context, p Principal, csrf string) (any, error)
}

// UseCustomers plugs the portal in. Without it no customer session
// authenticates (fail closed).
func (s *Service) UseCustomers(c Customers) { s.customers = c }

// Throttle exposes the login throttle, so the portal's logins share its
// per-IP counters and Redis fallback (U2).
func (s *Service) Throttle() *Throttle { return s.throttle }

// CustomerSubject is the casbin subject of a portal user.
func CustomerSubject(id uuid.UUID) string { return "c:" + id.String() }

// NewService wires the identity service.
func NewService(d *DB, s *Sessions, t *Throttle, p Policy, opt Options) *Service {
	if opt.TrialDays == 0 {
		opt.TrialDays = 14
	}
	if opt.InviteTTL == 0 {
		opt.InviteTTL = 7 * 24 * time.Hour
	}
	if opt.ResetTTL == 0 {
		opt.ResetTTL = time.Hour
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Service{db: d, sessions: s, throttle: t, policy: p, opt: opt}
}

// Sessions exposes the session store (logout, middleware).
func (s *Service) Sessions() *Sessions { return s.sessions }

// UserSubject is the casbin subject of a staff user.
func UserSubject(id uuid.UUID) string { return "u:" + id.String() }

// KeySubject is the casbin subject of an API key.
func KeySubject(id uuid.UUID) string { return "k:" + id.String() }

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

var reservedSlugs = map[string]bool{
	"api": true, "app": true, "www": true, "admin": true, "portal": true, "static": true, "assets": true,
	"login": true, "logout": true, "signup": true, "nexo": true, "help": true, "support": true, "docs": true,
	"status": true, "mail": true, "billing": true, "webhooks": true, "dev": true, "metrics": true,
	"healthz": true, "readyz": true, "root": true, "system": true, "public": true, "test": true,
}

// ValidateSlug checks a tenant slug: lowercase letters, digits and inner
// hyphens, 3 to 40 characters, not reserved.
func ValidateSlug(slug string) string {
	switch {
	case !slugRE.MatchString(slug) || strings.Contains(slug, "--"):
		return "must be 3-40 lowercase letters, digits or single hyphens, starting and ending with a letter or digit"
	case reservedSlugs[slug]:
		return "is reserved"
	}
	return ""
}

// NormalizeEmail validates and lowercases an email address.
func NormalizeEmail(raw string) (string, bool) {
	e := strings.ToLower(strings.TrimSpace(raw))
	if e == "" || len(e) > 254 {
		return "", false
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndexByte(e, '@'):], ".") {
		return "", false
	}
	return e, true
}

func checkName(f errs.Fields, field, v string, max int) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		f.Add(field, "is required")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, "is too long")
	case strings.ContainsAny(v, "\x00\r\n"):
		f.Add(field, "contains control characters")
	}
	return v
}

func toTenant(r *tenantRow) Tenant {
	return Tenant{ID: r.ID, Slug: r.Slug, Name: r.Name, Status: r.Status, Plan: r.Plan, BillingState: r.BillingState,
		TrialEndsAt: r.TrialEndsAt, BaseCurrency: r.BaseCurrency, Locale: r.Locale, Timezone: r.Timezone, CreatedAt: r.CreatedAt}
}

func (s *Service) toUser(r *userRow) User {
	return User{ID: r.ID, TenantID: r.TenantID, Email: r.Email, Name: r.Name, Status: r.Status, TOTPEnabled: r.TOTPEnabled,
		LastLoginAt: r.LastLoginAt, CreatedAt: r.CreatedAt, Roles: s.policy.Roles(r.TenantID, UserSubject(r.ID))}
}

// TenantBySlug resolves a tenant from its public slug (portal, login).
func (s *Service) TenantBySlug(ctx context.Context, slug string) (Tenant, error) {
	var row tenantRow
	err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("t.slug = ?", slug).Where("t.status = 'active'").Scan(ctx)
	})
	if err != nil {
		return Tenant{}, err
	}
	return toTenant(&row), nil
}

// TenantByID returns the tenant row (bound-tenant callers only).
func (s *Service) TenantByID(ctx context.Context, id uuid.UUID) (Tenant, error) {
	var row tenantRow
	err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("t.id = ?", id).Scan(ctx)
	})
	return toTenant(&row), err
}
