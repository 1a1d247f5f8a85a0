package rbac

import (
	"context"
	"slices"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// Authorizer decides every route's access rule against the principal bound
// by tenant.Authenticate. The request's tenant is the casbin domain, so a
// role held in one tenant grants nothing in another (A2).
type Authorizer struct{ e *Enforcer }

// NewAuthorizer returns the web.Authorizer over e.
func NewAuthorizer(e *Enforcer) *Authorizer { return &Authorizer{e: e} }

// Authorize implements web.Authorizer.
func (a *Authorizer) Authorize(ctx context.Context, acc web.Access) error {
	if acc.Public {
		return nil
	}
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return errs.E(errs.Unauthenticated, "log in or send an API key")
	}
	// SECURITY: a portal customer reaches only routes that declare they
	// bind rows to the customer's account; a permission alone is not enough.
	if p.Kind == tenant.KindCustomer && !acc.Customer {
		return errs.E(errs.Forbidden, "not available in the customer portal")
	}
	if len(acc.Kinds) > 0 && !slices.Contains(acc.Kinds, string(p.Kind)) {
		return errs.E(errs.Forbidden, "not available to this kind of credential")
	}
	if acc.Perm != "" && !a.e.Enforce(p.TenantID, p.Subject, acc.Perm) {
		return errs.E(errs.Forbidden, "you need the %s permission", acc.Perm)
	}
	return nil
}
