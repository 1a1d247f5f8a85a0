package rbac

import (
	"context"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"

	"nexo/tenant/tenanttest"
)

func newModel(t *testing.T) model.Model {
	t.Helper()
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func policyOf(m model.Model, ptype string) [][]string { return m[ptype][ptype].Policy }

func TestAdapterLoadFilteredPolicy(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	a, b := newTenant(), newTenant()
	ra, rb := NewCustomRoleKey(), NewCustomRoleKey()
	ua, ub := subject(), subject()
	putRole(t, e, d, a, ra, "orders:read", "leads:read:all")
	putRole(t, e, d, b, rb, "invoices:read")
	setRoles(t, e, d, a, ua, ra, RoleSales)
	setRoles(t, e, d, b, ub, rb)

	ad := NewAdapter(d, quiet)
	tests := []struct {
		name    string
		filter  any
		p, g    int
		domains []string
	}{
		{"one domain", Filter{Domains: []string{a.String()}}, 2, 2, []string{a.String()}},
		{"pointer filter", &Filter{Domains: []string{b.String()}}, 1, 1, []string{b.String()}},
		{"two domains", Filter{Domains: []string{a.String(), b.String()}}, 3, 3, []string{a.String(), b.String()}},
		{"no domains loads nothing", Filter{}, 0, 0, nil},
	}
	for _, tc := range tests {
		m := newModel(t)
		if err := ad.LoadFilteredPolicy(m, tc.filter); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !ad.IsFiltered() {
			t.Errorf("%s: IsFiltered false", tc.name)
		}
		p, g := policyOf(m, "p"), policyOf(m, "g")
		if len(p) != tc.p || len(g) != tc.g {
			t.Errorf("%s: %d p and %d g rules, want %d and %d", tc.name, len(p), len(g), tc.p, tc.g)
		}
		for _, r := range p {
			if !slices.Contains(tc.domains, r[pDomainField]) {
				t.Errorf("%s: p rule of another domain %v", tc.name, r)
			}
		}
		for _, r := range g {
			if !slices.Contains(tc.domains, r[gDomainField]) {
				t.Errorf("%s: g rule of another domain %v", tc.name, r)
			}
		}
	}
	if err := ad.LoadFilteredPolicy(newModel(t), "tenant"); err == nil {
		t.Error("unsupported filter type accepted")
	}

	// casbin refuses to save a filtered load, which would wipe other domains.
	ce, err := casbin.NewEnforcer(newModel(t), ad)
	if err != nil {
		t.Fatal(err)
	}
	if err := ce.LoadFilteredPolicy(Filter{Domains: []string{a.String()}}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := ce.Enforce(ua, a.String(), "orders", "read"); !ok {
		t.Error("filtered casbin enforcer denies a's custom role")
	}
	if err := ce.SavePolicy(); err == nil {
		t.Error("SavePolicy after a filtered load succeeded")
	}
	if err := ad.LoadPolicy(newModel(t)); err != nil || ad.IsFiltered() {
		t.Errorf("full load: %v, filtered %v", err, ad.IsFiltered())
	}
}

// TestAdapterSkipsForeignRows: rows this package would never write are not
// policy, whoever put them there.
func TestAdapterSkipsForeignRows(t *testing.T) {
	d := tenanttest.DB(t)
	tid := newTenant().String()
	role := NewCustomRoleKey()
	u := subject()
	good := []ruleRow{
		{PType: "p", V0: role, V1: tid, V2: "orders", V3: "read"},
		{PType: "g", V0: u, V1: role, V2: tid},
	}
	bad := []ruleRow{
		{PType: "p", V0: RoleViewer, V1: builtinDomain, V2: "billing", V3: "manage"}, // extends a built-in role everywhere
		{PType: "p", V0: RoleViewer, V1: tid, V2: "billing", V3: "manage"},           // built-in role is code
		{PType: "p", V0: role, V1: tid, V2: "orders", V3: "delete"},                  // unknown permission
		{PType: "p", V0: role, V1: tid, V2: "portal", V3: "use"},                     // reserved
		{PType: "p", V0: role, V1: tid, V2: "orders", V3: "write", V4: "deny"},       // junk column
		{PType: "g", V0: u, V1: RoleOwner, V2: builtinDomain},                        // wildcard domain
		{PType: "g", V0: RoleSales, V1: RoleOwner, V2: tid},                          // role inheritance
		{PType: "g", V0: u, V1: "root", V2: tid},                                     // unknown role
		{PType: "g", V0: u, V1: RoleOwner, V2: "not-a-uuid"},                         // bad domain
		{PType: "g2", V0: u, V1: RoleOwner, V2: tid},                                 // unknown ptype
	}
	ctx := context.Background()
	if err := insertRows(ctx, d, append(slices.Clone(good), bad...)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = d.NewDelete().Model((*ruleRow)(nil)).Where("v1 = ? OR v2 = ? OR v0 = ?", tid, tid, u).Exec(ctx)
	})
	m := newModel(t)
	if err := NewAdapter(d, quiet).LoadFilteredPolicy(m, Filter{Domains: []string{tid, builtinDomain, "not-a-uuid"}}); err != nil {
		t.Fatal(err)
	}
	if p, g := policyOf(m, "p"), policyOf(m, "g"); len(p) != 1 || len(g) != 1 {
		t.Errorf("loaded p=%v g=%v, want only the two valid rules", p, g)
	}

	e := newEnforcer(t, d, Options{})
	if e.Enforce(newTenant(), u, "billing:manage") || !e.Enforce(uuid.MustParse(tid), u, "orders:read") || e.Enforce(uuid.MustParse(tid), u, "users:read") {
		t.Error("foreign rows changed decisions")
	}
}

func TestAdapterWrites(t *testing.T) {
	d := tenanttest.DB(t)
	ad := NewAdapter(d, quiet)
	tid := newTenant().String()
	role := NewCustomRoleKey()
	u := subject()
	if err := ad.AddPolicy("p", "p", []string{role, tid, "orders", "read"}); err != nil {
		t.Fatal(err)
	}
	if err := ad.AddPolicy("p", "p", []string{role, tid, "orders", "read"}); err != nil {
		t.Errorf("duplicate add: %v", err)
	}
	if err := ad.AddPolicy("g", "g", []string{u, role, tid}); err != nil {
		t.Fatal(err)
	}
	if err := ad.AddPolicy("p", "p", []string{RoleOwner, builtinDomain, "orders", "read"}); err == nil {
		t.Error("stored a built-in rule")
	}
	if err := ad.RemoveFilteredPolicy("g", "g", 0, "", ""); err == nil {
		t.Error("unfiltered delete accepted")
	}
	m := newModel(t)
	if err := ad.LoadFilteredPolicy(m, Filter{Domains: []string{tid}}); err != nil || len(policyOf(m, "p")) != 1 || len(policyOf(m, "g")) != 1 {
		t.Fatalf("after adds: %v p=%v g=%v", err, policyOf(m, "p"), policyOf(m, "g"))
	}
	if err := ad.RemovePolicy("g", "g", []string{u, role, tid}); err != nil {
		t.Fatal(err)
	}
	if err := ad.RemoveFilteredPolicy("p", "p", 1, tid); err != nil {
		t.Fatal(err)
	}
	m = newModel(t)
	if err := ad.LoadFilteredPolicy(m, Filter{Domains: []string{tid}}); err != nil || len(policyOf(m, "p"))+len(policyOf(m, "g")) != 0 {
		t.Fatalf("after removes: %v p=%v g=%v", err, policyOf(m, "p"), policyOf(m, "g"))
	}
}

// TestAdapterSavePolicy round-trips the whole store; built-in rules held in
// memory are not written.
func TestAdapterSavePolicy(t *testing.T) {
	d := tenanttest.DB(t)
	e := newEnforcer(t, d, Options{})
	tid := newTenant()
	role := NewCustomRoleKey()
	u := subject()
	putRole(t, e, d, tid, role, "orders:read")
	setRoles(t, e, d, tid, u, role, RoleAdmin)

	ad := NewAdapter(d, quiet)
	m := newModel(t)
	if err := ad.LoadPolicy(m); err != nil {
		t.Fatal(err)
	}
	before := len(policyOf(m, "p")) + len(policyOf(m, "g"))
	if err := m.AddPolicy("p", "p", []string{RoleOwner, builtinDomain, "orders", "read"}); err != nil {
		t.Fatal(err)
	}
	if err := ad.SavePolicy(m); err != nil {
		t.Fatal(err)
	}
	m2 := newModel(t)
	if err := ad.LoadPolicy(m2); err != nil {
		t.Fatal(err)
	}
	if after := len(policyOf(m2, "p")) + len(policyOf(m2, "g")); after != before {
		t.Errorf("%d rules after save, want %d", after, before)
	}
	if err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !e.Enforce(tid, u, "orders:read") || !e.Enforce(tid, u, "users:manage") {
		t.Error("policy changed by SavePolicy round trip")
	}
}
