package rbac

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant/tenanttest"
)

// seedTenants stores, for n tenants, one custom role with five permissions
// and five users holding it or a built-in role.
func seedTenants(b *testing.B, d *bun.DB, n int) {
	b.Helper()
	var rows []ruleRow
	for range n {
		dom, role := uuid.NewString(), NewCustomRoleKey()
		for _, p := range []string{"orders:read", "leads:read", "leads:write", "quotes:read", "stock:read"} {
			obj, act, _ := splitPerm(p)
			rows = append(rows, toRow("p", []string{role, dom, obj, act}))
		}
		for _, r := range []string{role, RoleOwner, RoleSales, RoleSales, RoleWarehouse} {
			rows = append(rows, toRow("g", []string{subject(), r, dom}))
		}
	}
	for i := 0; i < len(rows); i += 500 {
		if err := insertRows(context.Background(), d, rows[i:min(i+500, len(rows))]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnforce measures a decision with only built-in roles and with
// many tenants' custom roles in memory: it must stay flat (P3).
func BenchmarkEnforce(b *testing.B) {
	for _, tenants := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("tenants=%d", tenants), func(b *testing.B) {
			d := tenanttest.DB(b)
			ctx := context.Background()
			seedTenants(b, d, tenants)
			e, err := New(ctx, d, Options{ReloadEvery: -1, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			tid, u := newTenant(), subject()
			if err := insertRows(ctx, d, []ruleRow{toRow("g", []string{u, RoleSales, tid.String()})}); err != nil {
				b.Fatal(err)
			}
			if err := e.ReloadDomain(ctx, tid); err != nil {
				b.Fatal(err)
			}
			b.Run("allow", func(b *testing.B) {
				for b.Loop() {
					if !e.Enforce(tid, u, "orders:read") {
						b.Fatal("denied")
					}
				}
			})
			b.Run("deny", func(b *testing.B) {
				for b.Loop() {
					if e.Enforce(tid, u, "costs:read") {
						b.Fatal("allowed")
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						e.Enforce(tid, u, "orders:read")
					}
				})
			})
		})
	}
}

// BenchmarkReload measures a one-tenant reload (every policy write) and a
// full reload (the periodic safety net) with 10,000 tenants stored, and the
// heap the policy holds (P5).
func BenchmarkReload(b *testing.B) {
	d := tenanttest.DB(b)
	ctx := context.Background()
	seedTenants(b, d, 10000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e, err := New(ctx, d, Options{ReloadEvery: -1, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.Logf("policy heap for 10,000 tenants: %.1f MiB (run with -v)", float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	tid := newTenant()
	putRoleB(b, e, d, tid)
	b.Run("domain", func(b *testing.B) {
		for b.Loop() {
			if err := e.ReloadDomain(ctx, tid); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			if err := e.Reload(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func putRoleB(b *testing.B, e *Enforcer, d *bun.DB, tid uuid.UUID) {
	err := run(d, tid, func(ctx context.Context, tx bun.IDB) error {
		role := NewCustomRoleKey()
		if err := e.PutCustomRole(ctx, tx, tid, role, []string{"orders:read", "costs:read"}); err != nil {
			return err
		}
		return e.SetRoles(ctx, tx, tid, subject(), []string{role, RoleSales})
	})
	if err != nil {
		b.Fatal(err)
	}
}
