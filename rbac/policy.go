package rbac

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// Policy writes. Each one writes casbin_rules rows through the caller's tx,
// so they commit or roll back with the caller's audit rows (M6), and
// registers the in-memory reload and the watcher announcement to run after
// that commit: a rolled-back change never reaches memory.

// SetRoles replaces subject's roles in tenantID with roles (none removes
// them all). Every role must be built in or a custom role of tenantID.
func (e *Enforcer) SetRoles(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, subject string, roles []string) error {
	if err := checkWrite(ctx, tx, tenantID); err != nil {
		return err
	}
	if subject == "" || isRoleName(subject) {
		return errs.Field("subject", "not a valid subject")
	}
	dom := tenantID.String()
	roles = normalize(roles)
	for _, r := range roles {
		ok, err := roleExists(ctx, tx, dom, r)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Field("roles", fmt.Sprintf("unknown role %q", r))
		}
	}
	if _, err := deleteRules(ctx, tx, "g", 0, subject, "", dom); err != nil {
		return err
	}
	rows := make([]ruleRow, 0, len(roles))
	for _, r := range roles {
		rows = append(rows, toRow("g", []string{subject, r, dom}))
	}
	if err := insertRows(ctx, tx, rows); err != nil {
		return err
	}
	e.afterCommit(ctx, tenantID)
	return nil
}

// PutCustomRole creates custom role role in tenantID, or replaces its
// permissions. Role keys are "custom:<uuid>" (NewCustomRoleKey); perms must
// be known permissions, at least one.
//
// SECURITY: it does not check that the caller holds the permissions it
// grants; the service calling it must refuse escalation (a roles:manage
// holder granting billing:manage).
func (e *Enforcer) PutCustomRole(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, role string, perms []string) error {
	if err := checkWrite(ctx, tx, tenantID); err != nil {
		return err
	}
	if !IsCustom(role) {
		return errs.Field("role", "custom role keys look like custom:<uuid>")
	}
	perms = normalize(perms)
	if len(perms) == 0 {
		return errs.Field("permissions", "at least one permission is required")
	}
	dom := tenantID.String()
	rows := make([]ruleRow, 0, len(perms))
	for _, p := range perms {
		obj, act, _ := splitPerm(p)
		if _, ok := Lookup(p); !ok {
			return errs.Field("permissions", fmt.Sprintf("unknown permission %q", p))
		}
		if p == PortalUse {
			return errs.Field("permissions", PortalUse+" is reserved for the customer role")
		}
		rows = append(rows, toRow("p", []string{role, dom, obj, act}))
	}
	if _, err := deleteRules(ctx, tx, "p", 0, role, dom); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, rows); err != nil {
		return err
	}
	e.afterCommit(ctx, tenantID)
	return nil
}

// DeleteCustomRole deletes custom role role of tenantID and every
// assignment of it there. Built-in roles cannot be deleted.
func (e *Enforcer) DeleteCustomRole(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, role string) error {
	if err := checkWrite(ctx, tx, tenantID); err != nil {
		return err
	}
	if IsBuiltin(role) {
		return errs.Field("role", "built-in roles cannot be deleted")
	}
	if !IsCustom(role) {
		return errs.E(errs.NotFound, "role not found")
	}
	dom := tenantID.String()
	n, err := deleteRules(ctx, tx, "p", 0, role, dom)
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.NotFound, "role not found")
	}
	if _, err := deleteRules(ctx, tx, "g", 1, role, dom); err != nil {
		return err
	}
	e.afterCommit(ctx, tenantID)
	return nil
}

// RemoveSubject removes every role of subject in tenantID (user deactivated,
// API key revoked).
func (e *Enforcer) RemoveSubject(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, subject string) error {
	if err := checkWrite(ctx, tx, tenantID); err != nil {
		return err
	}
	if subject == "" {
		return errs.Field("subject", "not a valid subject")
	}
	if _, err := deleteRules(ctx, tx, "g", 0, subject, "", tenantID.String()); err != nil {
		return err
	}
	e.afterCommit(ctx, tenantID)
	return nil
}

// DeleteDomain removes every rule of tenantID (tenant deletion).
func (e *Enforcer) DeleteDomain(ctx context.Context, tx bun.IDB, tenantID uuid.UUID) error {
	if err := checkWrite(ctx, tx, tenantID); err != nil {
		return err
	}
	dom := tenantID.String()
	if _, err := deleteRules(ctx, tx, "p", pDomainField, dom); err != nil {
		return err
	}
	if _, err := deleteRules(ctx, tx, "g", gDomainField, dom); err != nil {
		return err
	}
	e.afterCommit(ctx, tenantID)
	return nil
}

// afterCommit reloads tenantID in memory and announces it once the caller's
// transaction commits, so the change holds on this instance before the
// caller answers. A failure here is logged, not returned: the change is
// committed, and the periodic reload (and the next message) converge.
func (e *Enforcer) afterCommit(ctx context.Context, tenantID uuid.UUID) {
	tenant.AfterCommit(ctx, func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reloadTimeout)
		defer cancel()
		if err := e.ReloadDomain(rctx, tenantID); err != nil {
			e.log.Error("rbac: reload after commit failed", "error", err, "tenant_id", tenantID)
		}
		if e.watcher != nil {
			// Announced off the request path: with Redis down a publish waits
			// for its timeout, and the request's answer must not.
			go func() {
				if err := e.watcher.UpdateDomain(tenantID.String()); err != nil {
					e.log.Warn("rbac: policy change not announced; other instances catch up on their periodic reload",
						"error", err, "tenant_id", tenantID)
				}
			}()
		}
	})
}

// checkWrite guards every write's preconditions.
func checkWrite(ctx context.Context, tx bun.IDB, tenantID uuid.UUID) error {
	if tenantID == uuid.Nil {
		return tenant.ErrNoTenant
	}
	// SECURITY: memory must change only after commit. tenant.AfterCommit
	// can only wait for a transaction opened by tenant.DB (Run/Platform); for
	// any other bun.Tx it would run at once, showing uncommitted (perhaps
	// later rolled-back) policy, so such a tx is refused.
	switch tx.(type) {
	case bun.Tx, *bun.Tx:
		if !tenant.InTx(ctx) {
			return errs.E(errs.Internal, "rbac: policy writes need a tenant.DB transaction")
		}
	}
	return nil
}

// roleExists reports whether role may be assigned in dom: built in, or a
// custom role with permissions there (read through tx, so a role created
// earlier in the same transaction counts).
func roleExists(ctx context.Context, tx bun.IDB, dom, role string) (bool, error) {
	if IsBuiltin(role) {
		return true, nil
	}
	if !IsCustom(role) {
		return false, nil
	}
	ok, err := tx.NewSelect().Model((*ruleRow)(nil)).
		Where("ptype = 'p' AND v0 = ? AND v1 = ?", role, dom).Exists(ctx)
	return ok, db.Translate(err)
}
