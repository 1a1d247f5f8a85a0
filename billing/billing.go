package billing

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// Tenants is what billing reads of the identity service.
type Tenants interface {
	TenantByID(ctx context.Context, id uuid.UUID) (tenant.Tenant, error)
	CountSeats(ctx context.Context) (int, error)
}

// Options configures the billing service. The zero value (no DB, no
// gateway) is embedded mode without Stripe: plans and status only.
type Options struct {
	DB *tenant.DB
	// Gateway talks to Stripe; nil means Unconfigured.
	Gateway Gateway
	// Grace is how long a past_due tenant may still write (default 7 days).
	Grace time.Duration
	// BaseURL is where Stripe's pages send the user back (NEXO_BASE_URL).
	BaseURL string
	// ReturnPath is the app's billing page under BaseURL (default /app/billing).
	ReturnPath string
	// CacheFor is how long the read-only check trusts its last read of a
	// tenant (default 5s). Changes made by this instance apply at once.
	CacheFor time.Duration
	Logger   *slog.Logger
}

// Status is a tenant's plan, billing state and usage.
type Status struct {
	Plan              Plan
	State             string // trialing, active, past_due, canceled
	TrialEndsAt       time.Time
	TrialDaysLeft     int
	SeatsUsed         int
	SeatsBilled       int // the subscription's quantity
	SeatsMin          int // seats bought with POST /billing/seats
	Configured        bool
	Subscribed        bool
	PastDueSince      *time.Time
	GraceEndsAt       *time.Time
	ReadOnly          bool
	ReadOnlyReason    string
	CancelAtPeriodEnd bool
	CurrentPeriodEnd  *time.Time
}

// Service answers billing questions about the bound tenant and keeps its
// billing state in step with Stripe.
type Service struct {
	cat     *Catalog
	tenants Tenants
	db      *tenant.DB
	gw      Gateway
	opt     Options
	log     *slog.Logger
	now     func() time.Time
	cache   sync.Map // tenant id → cachedAccount (read-only check)
}

// New returns the billing service.
func New(cat *Catalog, t Tenants, opt Options) *Service {
	if opt.Gateway == nil {
		opt.Gateway = Unconfigured{}
	}
	if opt.Grace <= 0 {
		opt.Grace = 7 * 24 * time.Hour
	}
	if opt.ReturnPath == "" {
		opt.ReturnPath = "/app/billing"
	}
	if opt.CacheFor <= 0 {
		opt.CacheFor = 5 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Service{cat: cat, tenants: t, db: opt.DB, gw: opt.Gateway, opt: opt, log: opt.Logger, now: time.Now}
}

// Catalog returns the configured plans.
func (s *Service) Catalog() *Catalog { return s.cat }

// Configured reports whether Stripe is set up (checkout and portal work).
func (s *Service) Configured() bool { return s.db != nil && s.gw.Configured() }

// planOf resolves a plan id; an unknown id (a plan removed from the
// configuration) falls back to the trial plan rather than locking anyone out.
func (s *Service) planOf(id string) Plan {
	if p, ok := s.cat.Plan(id); ok {
		return p
	}
	p, _ := s.cat.Plan(s.cat.TrialPlan)
	return p
}

// Status returns the bound tenant's billing status.
func (s *Service) Status(ctx context.Context) (Status, error) {
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return Status{}, errs.E(errs.Unauthenticated, "not logged in")
	}
	used, err := s.tenants.CountSeats(ctx)
	if err != nil {
		return Status{}, err
	}
	if s.db == nil {
		t, err := s.tenants.TenantByID(ctx, p.TenantID)
		if err != nil {
			return Status{}, err
		}
		return s.status(&accountRow{ID: t.ID, Plan: t.Plan, BillingState: t.BillingState, TrialEndsAt: t.TrialEndsAt}, used), nil
	}
	a, err := s.account(ctx, p.TenantID)
	if err != nil {
		return Status{}, err
	}
	return s.status(a, used), nil
}

func (s *Service) status(a *accountRow, used int) Status {
	now := s.now()
	st := Status{Plan: s.planOf(a.Plan), State: a.BillingState, TrialEndsAt: a.TrialEndsAt, SeatsUsed: used,
		SeatsBilled: a.SeatsQuantity, SeatsMin: a.SeatsMin, Configured: s.Configured(),
		Subscribed: a.StripeSubscriptionID != "", PastDueSince: a.PastDueSince,
		CancelAtPeriodEnd: a.CancelAtPeriodEnd, CurrentPeriodEnd: a.CurrentPeriodEnd}
	if a.BillingState == "trialing" {
		st.TrialDaysLeft = max(0, int(math.Ceil(a.TrialEndsAt.Sub(now).Hours()/24)))
	}
	if a.BillingState == "past_due" && a.PastDueSince != nil {
		g := a.PastDueSince.Add(s.opt.Grace)
		st.GraceEndsAt = &g
	}
	st.ReadOnlyReason = s.lockReason(a, now)
	st.ReadOnly = st.ReadOnlyReason != ""
	return st
}

func (s *Service) account(ctx context.Context, id uuid.UUID) (*accountRow, error) {
	var a *accountRow
	err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		a, err = loadAccount(ctx, tx, id, false)
		return err
	})
	return a, err
}

// CheckSeats implements tenant.SeatLimiter: a tenant may not hold more
// staff seats than its plan allows (B3).
func (s *Service) CheckSeats(ctx context.Context, tenantID uuid.UUID, seats int) error {
	t, err := s.tenants.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	if plan := s.planOf(t.Plan); seats > plan.Seats {
		return &errs.Error{Code: errs.PaymentRequired, Fields: map[string]string{"seats": "limit reached"},
			Message: fmt.Sprintf("the %s plan includes %d staff seats, all in use (pending invitations count); upgrade the plan or free a seat", plan.Name, plan.Seats)}
	}
	return nil
}

// CheckPortalCustomers implements portal.CustomerLimiter: the plan's
// portal_customers bounds the tenant's portal users (invited or active).
func (s *Service) CheckPortalCustomers(ctx context.Context, tenantID uuid.UUID, n int) error {
	t, err := s.tenants.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	if plan := s.planOf(t.Plan); n > plan.PortalCustomers {
		return &errs.Error{Code: errs.PaymentRequired, Fields: map[string]string{"portal_customers": "limit reached"},
			Message: fmt.Sprintf("the %s plan includes %d portal customers, all invited or active; upgrade the plan or disable a contact's access", plan.Name, plan.PortalCustomers)}
	}
	return nil
}
