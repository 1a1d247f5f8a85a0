package rbac

import (
	"slices"
	"strings"
	"testing"
)

func TestPermissionList(t *testing.T) {
	all := All()
	if len(all) < 60 {
		t.Fatalf("only %d permissions", len(all))
	}
	for _, p := range all {
		obj, act, ok := splitPerm(p.Key)
		if !ok || p.Module == "" || p.Description == "" {
			t.Errorf("incomplete permission %+v", p)
		}
		if p.Resource() != obj || p.Action() != act {
			t.Errorf("%s splits as %q/%q", p.Key, p.Resource(), p.Action())
		}
		if got, ok := Lookup(p.Key); !ok || got != p {
			t.Errorf("Lookup(%q) = %+v, %v", p.Key, got, ok)
		}
	}
	if p, _ := Lookup("leads:read:all"); p.Resource() != "leads" || p.Action() != "read:all" {
		t.Errorf("leads:read:all splits as %q/%q", p.Resource(), p.Action())
	}
	for _, bad := range []string{"", "leads", "leads:", ":read", "leads:delete", "LEADS:READ"} {
		if _, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) found something", bad)
		}
	}
	all[0].Key = "mutated"
	if All()[0].Key == "mutated" {
		t.Error("All returns the package's own slice")
	}
}

func TestBuiltinRoles(t *testing.T) {
	want := []string{RoleOwner, RoleAdmin, RoleSales, RoleSalesManager, RoleMarketing, RoleSupport,
		RoleWarehouse, RoleProduction, RolePurchasing, RoleFinance, RoleViewer, RoleCustomer}
	var got []string
	for _, r := range BuiltinRoles() {
		got = append(got, r.Key)
		if !r.Builtin || r.Name == "" || len(r.Permissions) == 0 || !slices.IsSorted(r.Permissions) {
			t.Errorf("role %s incomplete or unsorted", r.Key)
		}
		if !IsBuiltin(r.Key) || IsCustom(r.Key) {
			t.Errorf("role %s: IsBuiltin/IsCustom wrong", r.Key)
		}
		hasPortal := slices.Contains(r.Permissions, PortalUse)
		if hasPortal != (r.Key == RoleCustomer) {
			t.Errorf("role %s: portal:use = %v", r.Key, hasPortal)
		}
		if r.Key != RoleOwner && slices.Contains(r.Permissions, "billing:manage") {
			t.Errorf("role %s may manage billing", r.Key)
		}
		if slices.Contains(r.Permissions, "costs:read") && !slices.Contains([]string{RoleOwner, RoleAdmin, RoleFinance}, r.Key) {
			t.Errorf("role %s sees costs (R3)", r.Key)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("built-in roles = %v, want %v", got, want)
	}
	roles := BuiltinRoles()
	if len(roles[0].Permissions) != len(All())-1 {
		t.Errorf("owner has %d permissions, want all %d but portal:use", len(roles[0].Permissions), len(All())-1)
	}
	roles[0].Permissions[0] = "mutated"
	if BuiltinRoles()[0].Permissions[0] == "mutated" {
		t.Error("BuiltinRoles shares its slices")
	}
	for _, p := range builtinIndex[RoleViewer].Permissions {
		if a := p[strings.Index(p, ":")+1:]; a != "read" && a != "read:all" && !strings.HasPrefix(p, "reports:") {
			t.Errorf("viewer may %s", p)
		}
	}
}

func TestRoleKeys(t *testing.T) {
	k := NewCustomRoleKey()
	if !IsCustom(k) || IsBuiltin(k) || !isRoleName(k) {
		t.Errorf("NewCustomRoleKey() = %q not custom", k)
	}
	for _, bad := range []string{"custom:", "custom:x", "custom:00000000-0000-0000-0000-000000000000",
		"custom:" + strings.ToUpper(k[len(CustomPrefix):]), "owner", "u:" + k} {
		if IsCustom(bad) {
			t.Errorf("IsCustom(%q) = true", bad)
		}
	}
}
