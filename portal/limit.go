package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// CustomerLimiter decides whether a tenant may have n portal users (invited
// or active). Implemented by billing, which knows the plan's
// portal_customers; declared here so the portal does not import billing.
type CustomerLimiter interface {
	CheckPortalCustomers(ctx context.Context, tenantID uuid.UUID, n int) error
}

// UseCustomerLimiter installs the plan's portal-customer check (wired once
// at start-up, before serving). Without one there is no limit.
func (s *Service) UseCustomerLimiter(l CustomerLimiter) { s.limit = l }

// reserveCustomer checks, inside tx, that one more portal user fits the
// plan. The tenant row lock keeps two concurrent invitations from both
// taking the last place.
func (s *Service) reserveCustomer(ctx context.Context, tx bun.IDB) error {
	if s.limit == nil {
		return nil
	}
	if err := tenant.LockTenant(ctx, tx); err != nil {
		return err
	}
	n, err := tx.NewSelect().Model((*userRow)(nil)).Apply(tenant.ScopeSelect(ctx)).
		Where("pu.status <> ?", StatusDisabled).Count(ctx)
	if err != nil {
		return err
	}
	tid, _ := tenant.FromContext(ctx)
	return s.limit.CheckPortalCustomers(ctx, tid, int(n)+1)
}
