// Package portal is the customer's front door: portal users (contacts of a
// customer account invited by staff), their login by password or magic
// link, and the customer binding every portal read applies. A portal
// session is a tenant session of kind customer; tenant.Authenticate asks
// this package (tenant.Customers) for the live portal user behind it, and
// the binding reaches handlers as tenant.Principal.AccountID.
package portal

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"nexo/modules/crm"
	"nexo/tenant"
)

// Portal user statuses.
const (
	StatusInvited  = "invited"
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// User is a contact's portal access.
type User struct {
	ID        uuid.UUID
	ContactID uuid.UUID
	AccountID uuid.UUID
	Email     string
	Status    string
	// Locale is the language of the portal and of its emails ("en", "es");
	// "" follows the tenant's default.
	Locale string
	// NotifyOrders is whether the customer gets the emails about their
	// account's orders, shipments, invoices and returns.
	NotifyOrders bool
	LastLoginAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Contacts is what the portal reads of the CRM (implemented by *crm.Service).
type Contacts interface {
	GetContact(ctx context.Context, id uuid.UUID) (crm.Contact, error)
	GetAccount(ctx context.Context, id uuid.UUID) (crm.Account, error)
}

// Tenants resolves the portal's tenant (implemented by *tenant.Service).
type Tenants interface {
	TenantBySlug(ctx context.Context, slug string) (tenant.Tenant, error)
	TenantByID(ctx context.Context, id uuid.UUID) (tenant.Tenant, error)
	// PortalBranding is an active tenant's public branding (its emails
	// wear it too); NotFound for a suspended one.
	PortalBranding(ctx context.Context, slug string) (tenant.Branding, error)
}

// Options configures the portal service.
type Options struct {
	BaseURL   string        // links in emails
	InviteTTL time.Duration // default 7 days
	MagicTTL  time.Duration // default 15 minutes
	Now       func() time.Time
	// Invalidate, when set, is called with the tenant and account of every
	// outbox event the portal consumes (NotifyHandlers), before any email:
	// the portal's per-account read cache drops its entries there.
	Invalidate func(ctx context.Context, tenantID, accountID uuid.UUID)
}

// Service owns portal users, their tokens and logins.
type Service struct {
	db       *tenant.DB
	sessions *tenant.Sessions
	throttle *tenant.Throttle
	policy   tenant.Policy
	contacts Contacts
	tenants  Tenants
	limit    CustomerLimiter
	opt      Options
}

// NewService wires the portal service.
func NewService(d *tenant.DB, s *tenant.Sessions, t *tenant.Throttle, p tenant.Policy, c Contacts, tn Tenants, opt Options) *Service {
	if opt.InviteTTL == 0 {
		opt.InviteTTL = 7 * 24 * time.Hour
	}
	if opt.MagicTTL == 0 {
		opt.MagicTTL = 15 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Service{db: d, sessions: s, throttle: t, policy: p, contacts: c, tenants: tn, opt: opt}
}

// Sessions exposes the session store (the handler rotates cookies with it).
func (s *Service) Sessions() *tenant.Sessions { return s.sessions }

func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
