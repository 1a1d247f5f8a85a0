package billing

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/tenant"
)

// Tenants is what billing reads of the identity service.
type Tenants interface {
	TenantByID(ctx context.Context, id uuid.UUID) (tenant.Tenant, error)
	CountSeats(ctx context.Context) (int, error)
}

// Status is a tenant's plan, billing state and usage.
type Status struct {
	Plan          Plan
	State         string // trialing, active, past_due, canceled
	TrialEndsAt   time.Time
	TrialDaysLeft int
	SeatsUsed     int
	Configured    bool // Stripe keys are set: checkout and the portal work
}

// Service answers billing questions about the bound tenant.
type Service struct {
	cat        *Catalog
	tenants    Tenants
	configured bool
	now        func() time.Time
}

// NewService returns the billing service; configured says whether Stripe
// is set up (without it, billing shows "not configured" and plans only).
func NewService(cat *Catalog, t Tenants, configured bool) *Service {
	return &Service{cat: cat, tenants: t, configured: configured, now: time.Now}
}

// Catalog returns the configured plans.
func (s *Service) Catalog() *Catalog { return s.cat }

// planOf resolves the tenant's plan; an unknown id (a plan removed from the
// configuration) falls back to the trial plan rather than locking anyone out.
func (s *Service) planOf(t tenant.Tenant) Plan {
	if p, ok := s.cat.Plan(t.Plan); ok {
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
	t, err := s.tenants.TenantByID(ctx, p.TenantID)
	if err != nil {
		return Status{}, err
	}
	used, err := s.tenants.CountSeats(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Plan: s.planOf(t), State: t.BillingState, TrialEndsAt: t.TrialEndsAt, SeatsUsed: used, Configured: s.configured}
	if t.BillingState == "trialing" {
		st.TrialDaysLeft = max(0, int(math.Ceil(t.TrialEndsAt.Sub(s.now()).Hours()/24)))
	}
	return st, nil
}

// CheckSeats implements tenant.SeatLimiter: a tenant may not hold more
// staff seats than its plan allows (B3).
func (s *Service) CheckSeats(ctx context.Context, tenantID uuid.UUID, seats int) error {
	t, err := s.tenants.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	if plan := s.planOf(t); seats > plan.Seats {
		return &errs.Error{Code: errs.PaymentRequired, Fields: map[string]string{"seats": "limit reached"},
			Message: fmt.Sprintf("the %s plan includes %d staff seats, all in use (pending invitations count); upgrade the plan or free a seat", plan.Name, plan.Seats)}
	}
	return nil
}
