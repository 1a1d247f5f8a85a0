package rbac

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant/tenanttest"
)

// TestDomainBinding is A2: roles held in tenant A grant nothing in tenant B.
func TestDomainBinding(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	a, b := newTenant(), newTenant()
	alice, bob := subject(), subject()
	setRoles(t, e, d, a, alice, RoleOwner)
	setRoles(t, e, d, b, bob, RoleSales)
	setRoles(t, e, d, b, alice, RoleViewer)

	for _, p := range All() {
		if got := e.Enforce(b, bob, p.Key); got != slices.Contains(builtinIndex[RoleSales].Permissions, p.Key) {
			t.Errorf("bob in B, %s = %v", p.Key, got)
		}
		if e.Enforce(a, bob, p.Key) {
			t.Errorf("bob (no role in A) may %s in A", p.Key)
		}
		if got := e.Enforce(b, alice, p.Key); got != slices.Contains(builtinIndex[RoleViewer].Permissions, p.Key) {
			t.Errorf("alice (owner in A, viewer in B) in B, %s = %v", p.Key, got)
		}
	}
	if got := e.Roles(b, alice); !slices.Equal(got, []string{RoleViewer}) {
		t.Errorf("alice's roles in B = %v", got)
	}
	if got := e.Subjects(a, RoleOwner); !slices.Equal(got, []string{alice}) {
		t.Errorf("owners of A = %v", got)
	}

	// A custom role of A, assigned in B by a row written around the
	// validation, still grants nothing in B: p.dom must equal r.dom.
	role := NewCustomRoleKey()
	putRole(t, e, d, a, role, "invoices:issue")
	carol := subject()
	if _, err := d.NewInsert().Model(&ruleRow{PType: "g", V0: carol, V1: role, V2: b.String()}).
		ExcludeColumn("id").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.ReloadDomain(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e.Roles(b, carol), []string{role}) {
		t.Fatalf("carol's forged assignment not loaded: %v", e.Roles(b, carol))
	}
	if e.Enforce(b, carol, "invoices:issue") || len(e.Permissions(b, carol)) != 0 {
		t.Error("tenant A's custom role grants in tenant B")
	}
}

// TestBuiltinRoleMatrix checks every built-in role against every permission,
// plus named spot checks that document intent.
func TestBuiltinRoleMatrix(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid := newTenant()
	subjects := map[string]string{}
	for _, r := range BuiltinRoles() {
		subjects[r.Key] = subject()
		setRoles(t, e, d, tid, subjects[r.Key], r.Key)
	}
	for _, r := range BuiltinRoles() {
		for _, p := range All() {
			if got, want := e.Enforce(tid, subjects[r.Key], p.Key), slices.Contains(r.Permissions, p.Key); got != want {
				t.Errorf("%s %s = %v, want %v", r.Key, p.Key, got, want)
			}
		}
		if got := e.Permissions(tid, subjects[r.Key]); !slices.Equal(got, r.Permissions) {
			t.Errorf("Permissions(%s) = %v", r.Key, got)
		}
	}
	tests := []struct {
		role        string
		allow, deny []string
	}{
		{RoleOwner, []string{"billing:manage", "users:manage", "costs:read"}, []string{PortalUse}},
		{RoleAdmin, []string{"users:manage", "roles:manage", "billing:read", "audit:read"}, []string{"billing:manage", PortalUse}},
		{RoleSales, []string{"leads:write", "quotes:send", "orders:confirm", "stock:read"}, []string{"leads:read:all", "costs:read", "users:manage", "invoices:issue"}},
		{RoleSalesManager, []string{"leads:read:all", "opportunities:read:all", "orders:cancel"}, []string{"costs:read", "billing:read", "credit:approve"}},
		{RoleMarketing, []string{"campaigns:write", "leads:read:all", "imports:run"}, []string{"orders:write", "costs:read"}},
		{RoleSupport, []string{"tickets:write", "returns:manage", "production:read"}, []string{"invoices:issue", "stock:adjust"}},
		{RoleWarehouse, []string{"stock:adjust", "shipments:write", "warehouses:manage"}, []string{"invoices:read", "costs:read"}},
		{RoleProduction, []string{"production:write", "stock:read"}, []string{"stock:adjust", "orders:write"}},
		{RolePurchasing, []string{"purchasing:write", "products:read"}, []string{"costs:read", "invoices:read"}},
		{RoleFinance, []string{"invoices:issue", "credit:approve", "costs:read", "credit_notes:issue"}, []string{"users:manage", "orders:write", "billing:manage"}},
		{RoleViewer, []string{"orders:read", "leads:read:all", "reports:sales"}, []string{"orders:write", "costs:read", "audit:read", "users:read", "reports:finance"}},
		{RoleCustomer, []string{PortalUse, "invoices:read", "tickets:write"}, []string{"orders:write", "costs:read", "users:read", "leads:read"}},
	}
	for _, tc := range tests {
		for _, p := range tc.allow {
			if !e.Enforce(tid, subjects[tc.role], p) {
				t.Errorf("%s should be allowed %s", tc.role, p)
			}
		}
		for _, p := range tc.deny {
			if e.Enforce(tid, subjects[tc.role], p) {
				t.Errorf("%s should be denied %s", tc.role, p)
			}
		}
	}
}

func TestEnforceRejectsMalformed(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid := newTenant()
	u := subject()
	setRoles(t, e, d, tid, u, RoleOwner)
	tests := []struct {
		name    string
		tid     uuid.UUID
		subject string
		perm    string
	}{
		{"no tenant", uuid.Nil, u, "users:read"},
		{"no subject", tid, "", "users:read"},
		{"role as subject", tid, RoleOwner, "users:read"},
		{"custom role as subject", tid, NewCustomRoleKey(), "users:read"},
		{"no action", tid, u, "users"},
		{"empty action", tid, u, "users:"},
		{"unknown perm", tid, u, "users:delete"},
	}
	for _, tc := range tests {
		if e.Enforce(tc.tid, tc.subject, tc.perm) {
			t.Errorf("%s: allowed", tc.name)
		}
	}
}

func TestCustomRoles(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid, other := newTenant(), newTenant()
	role := NewCustomRoleKey()
	u := subject()
	putRole(t, e, d, tid, role, "orders:read", "leads:read:all", "orders:read")
	setRoles(t, e, d, tid, u, role, RoleSupport)

	if !e.Enforce(tid, u, "leads:read:all") || !e.Enforce(tid, u, "tickets:write") || e.Enforce(tid, u, "leads:write") {
		t.Error("custom + built-in role union wrong")
	}
	if got := e.RolePermissions(tid, role); !slices.Equal(got, []string{"leads:read:all", "orders:read"}) {
		t.Errorf("RolePermissions = %v", got)
	}
	if got := e.RolePermissions(other, role); len(got) != 0 {
		t.Errorf("role visible from another tenant: %v", got)
	}
	if got := e.CustomRoles(tid); len(got) != 1 || got[0].Key != role {
		t.Errorf("CustomRoles = %+v", got)
	}

	putRole(t, e, d, tid, role, "costs:read") // replace
	if e.Enforce(tid, u, "leads:read:all") || !e.Enforce(tid, u, "costs:read") {
		t.Error("replaced permissions not applied")
	}

	mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error { return e.DeleteCustomRole(ctx, tx, tid, role) })
	if e.Enforce(tid, u, "costs:read") || !slices.Equal(e.Roles(tid, u), []string{RoleSupport}) {
		t.Errorf("deleted role still effective; roles = %v", e.Roles(tid, u))
	}
	err := run(d, tid, func(ctx context.Context, tx bun.IDB) error { return e.DeleteCustomRole(ctx, tx, tid, role) })
	if !errs.Is(err, errs.NotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	err = run(d, tid, func(ctx context.Context, tx bun.IDB) error { return e.DeleteCustomRole(ctx, tx, tid, RoleAdmin) })
	if !errs.Is(err, errs.Invalid) {
		t.Errorf("deleting a built-in role: %v", err)
	}
}

func TestWriteValidation(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid, other := newTenant(), newTenant()
	foreign := NewCustomRoleKey()
	putRole(t, e, d, other, foreign, "orders:read")
	u := subject()
	setRoles(t, e, d, tid, u, RoleSales)

	tests := []struct {
		name  string
		field string
		write func(ctx context.Context, tx bun.IDB) error
	}{
		{"unknown role", "roles", func(ctx context.Context, tx bun.IDB) error {
			return e.SetRoles(ctx, tx, tid, u, []string{RoleSales, "superuser"})
		}},
		{"nonexistent custom role", "roles", func(ctx context.Context, tx bun.IDB) error {
			return e.SetRoles(ctx, tx, tid, u, []string{NewCustomRoleKey()})
		}},
		{"another tenant's custom role", "roles", func(ctx context.Context, tx bun.IDB) error {
			return e.SetRoles(ctx, tx, tid, u, []string{foreign})
		}},
		{"role as subject", "subject", func(ctx context.Context, tx bun.IDB) error {
			return e.SetRoles(ctx, tx, tid, RoleAdmin, []string{RoleOwner})
		}},
		{"bad role key", "role", func(ctx context.Context, tx bun.IDB) error {
			return e.PutCustomRole(ctx, tx, tid, "accountants", []string{"invoices:read"})
		}},
		{"unknown permission", "permissions", func(ctx context.Context, tx bun.IDB) error {
			return e.PutCustomRole(ctx, tx, tid, NewCustomRoleKey(), []string{"invoices:read", "invoices:delete"})
		}},
		{"no permission", "permissions", func(ctx context.Context, tx bun.IDB) error {
			return e.PutCustomRole(ctx, tx, tid, NewCustomRoleKey(), nil)
		}},
		{"portal permission", "permissions", func(ctx context.Context, tx bun.IDB) error {
			return e.PutCustomRole(ctx, tx, tid, NewCustomRoleKey(), []string{PortalUse})
		}},
	}
	for _, tc := range tests {
		err := run(d, tid, tc.write)
		var ee *errs.Error
		if !errors.As(err, &ee) || ee.Code != errs.Invalid || ee.Fields[tc.field] == "" {
			t.Errorf("%s: err = %v, want invalid %s", tc.name, err, tc.field)
		}
	}
	if got := e.Roles(tid, u); !slices.Equal(got, []string{RoleSales}) {
		t.Errorf("roles changed by failed writes: %v", got)
	}

	// A custom role created earlier in the same transaction can be assigned.
	role := NewCustomRoleKey()
	mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error {
		if err := e.PutCustomRole(ctx, tx, tid, role, []string{"orders:read"}); err != nil {
			return err
		}
		return e.SetRoles(ctx, tx, tid, u, []string{role})
	})
	if !e.Enforce(tid, u, "orders:read") || e.Enforce(tid, u, "leads:write") {
		t.Error("role created and assigned in one transaction not applied")
	}
}

// TestRollbackLeavesMemory: a rolled-back write never reaches memory or the table.
func TestRollbackLeavesMemory(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid := newTenant()
	u := subject()
	setRoles(t, e, d, tid, u, RoleViewer)
	role := NewCustomRoleKey()

	err := run(d, tid, func(ctx context.Context, tx bun.IDB) error {
		if err := e.SetRoles(ctx, tx, tid, u, []string{RoleOwner}); err != nil {
			return err
		}
		if err := e.PutCustomRole(ctx, tx, tid, role, []string{"billing:manage"}); err != nil {
			return err
		}
		if e.Enforce(tid, u, "users:manage") {
			t.Error("uncommitted role visible inside the transaction")
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("err = %v", err)
	}
	if !slices.Equal(e.Roles(tid, u), []string{RoleViewer}) || e.Enforce(tid, u, "users:manage") {
		t.Errorf("rolled-back change in memory: %v", e.Roles(tid, u))
	}
	if len(e.RolePermissions(tid, role)) != 0 {
		t.Error("rolled-back custom role in memory")
	}
	if err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e.Roles(tid, u), []string{RoleViewer}) {
		t.Errorf("rolled-back change stored: %v", e.Roles(tid, u))
	}
}

func TestRemoveSubjectAndDeleteDomain(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid, other := newTenant(), newTenant()
	u, v := subject(), subject()
	role := NewCustomRoleKey()
	putRole(t, e, d, tid, role, "orders:read")
	setRoles(t, e, d, tid, u, RoleAdmin, role)
	setRoles(t, e, d, tid, v, RoleSales)
	setRoles(t, e, d, other, u, RoleSales)

	mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error { return e.RemoveSubject(ctx, tx, tid, u) })
	if len(e.Roles(tid, u)) != 0 || e.Enforce(tid, u, "orders:read") || !e.Enforce(other, u, "leads:write") {
		t.Error("RemoveSubject wrong")
	}

	mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error { return e.DeleteDomain(ctx, tx, tid) })
	if len(e.Roles(tid, v)) != 0 || len(e.RolePermissions(tid, role)) != 0 || !e.Enforce(other, u, "leads:write") {
		t.Error("DeleteDomain wrong")
	}
	n, err := d.NewSelect().Model((*ruleRow)(nil)).
		Where("v1 = ? OR v2 = ?", tid.String(), tid.String()).Count(context.Background())
	if err != nil || n != 0 {
		t.Errorf("%d rows of the deleted domain left (%v)", n, err)
	}
}

// TestRawTransactionRefused: a tx whose commit AfterCommit cannot see would
// put uncommitted policy in memory.
func TestRawTransactionRefused(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid := newTenant()
	tx, err := d.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := e.SetRoles(context.Background(), tx, tid, subject(), []string{RoleOwner}); err == nil {
		t.Error("raw transaction accepted")
	}
	if err := e.SetRoles(context.Background(), tx, uuid.Nil, subject(), nil); err == nil {
		t.Error("nil tenant accepted")
	}
}

// TestPeriodicReload: without a watcher, another instance's change arrives
// with the periodic full reload.
func TestPeriodicReload(t *testing.T) {
	d := tenanttest.DB(t)
	writer := newEnforcer(t, d, Options{})
	reader := newEnforcer(t, d, Options{ReloadEvery: 50 * time.Millisecond})
	tid := newTenant()
	u := subject()
	setRoles(t, writer, d, tid, u, RoleFinance)
	eventually(t, "periodic reload applies the grant", func() bool { return reader.Enforce(tid, u, "invoices:issue") })
	mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error { return writer.RemoveSubject(ctx, tx, tid, u) })
	eventually(t, "periodic reload applies the revocation", func() bool { return !reader.Enforce(tid, u, "invoices:issue") })
}
