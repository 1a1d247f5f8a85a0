package tenant

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// Scoped is embedded by every tenant-owned row struct. Its bun hooks add
// "tenant_id = <bound tenant>" to every select, update and delete on the
// model and stamp the tenant on insert, so a handler cannot forget the scope.
// With no tenant bound the query fails (fail closed).
type Scoped struct {
	TenantID uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
}

var (
	_ bun.BeforeSelectHook = (*Scoped)(nil)
	_ bun.BeforeUpdateHook = (*Scoped)(nil)
	_ bun.BeforeDeleteHook = (*Scoped)(nil)
)

// BeforeAppendModel stamps the bound tenant on inserted and updated rows and
// refuses a row that names another tenant.
func (s *Scoped) BeforeAppendModel(ctx context.Context, q bun.Query) error {
	switch q.(type) {
	case *bun.InsertQuery, *bun.UpdateQuery:
	default:
		return nil
	}
	tid, ok := FromContext(ctx)
	if !ok {
		return ErrNoTenant
	}
	if s.TenantID == uuid.Nil {
		s.TenantID = tid
	}
	if s.TenantID != tid {
		// SECURITY: a row carrying another tenant's id is never written.
		return errs.E(errs.NotFound, "not found")
	}
	return nil
}

// BeforeSelect scopes selects (and counts, exists) to the bound tenant.
func (*Scoped) BeforeSelect(ctx context.Context, q *bun.SelectQuery) error {
	tid, ok := FromContext(ctx)
	if !ok {
		return ErrNoTenant
	}
	q.Where("?TableAlias.tenant_id = ?", tid)
	return nil
}

// BeforeUpdate scopes updates to the bound tenant.
func (*Scoped) BeforeUpdate(ctx context.Context, q *bun.UpdateQuery) error {
	tid, ok := FromContext(ctx)
	if !ok {
		return ErrNoTenant
	}
	q.Where("?TableAlias.tenant_id = ?", tid)
	return nil
}

// BeforeDelete scopes deletes to the bound tenant.
func (*Scoped) BeforeDelete(ctx context.Context, q *bun.DeleteQuery) error {
	tid, ok := FromContext(ctx)
	if !ok {
		return ErrNoTenant
	}
	q.Where("?TableAlias.tenant_id = ?", tid)
	return nil
}

// scopeSelect adds the bound tenant to a select. SECURITY: bun runs the
// model hooks above for Scan but not for Count or Exists, so every Count or
// Exists on a tenant model must Apply(scopeSelect(ctx)); on SQLite nothing
// else (no row-level security) would keep other tenants' rows out.
func scopeSelect(ctx context.Context) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		tid, ok := FromContext(ctx)
		if !ok {
			return q.Err(ErrNoTenant)
		}
		return q.Where("?TableAlias.tenant_id = ?", tid)
	}
}

// ScopeSelect is scopeSelect for modules: Apply(tenant.ScopeSelect(ctx)) on
// every Count or Exists over a tenant.Scoped model, which bun's hooks skip.
func ScopeSelect(ctx context.Context) func(*bun.SelectQuery) *bun.SelectQuery {
	return scopeSelect(ctx)
}
