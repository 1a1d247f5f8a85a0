package rbac

import (
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Role is a named set of permissions. Built-in roles are code (this file);
// custom roles ("custom:<uuid>") live in one tenant's casbin domain.
type Role struct {
	Key         string
	Name        string
	Description string
	Permissions []string // sorted
	Builtin     bool
}

// Built-in role keys (R1).
const (
	RoleOwner        = "owner"
	RoleAdmin        = "admin"
	RoleSales        = "sales"
	RoleSalesManager = "sales_manager"
	RoleMarketing    = "marketing"
	RoleSupport      = "support"
	RoleWarehouse    = "warehouse"
	RoleProduction   = "production"
	RolePurchasing   = "purchasing"
	RoleFinance      = "finance"
	RoleViewer       = "viewer"
	RoleCustomer     = "customer"
)

// CustomPrefix starts every custom role key.
const CustomPrefix = "custom:"

// salesPerms is what a sales rep needs to work their own pipeline end to end:
// the CRM records, the catalog and stock for availability-to-promise, and
// the downstream order/shipment/invoice state for the 360° view.
var salesPerms = []string{
	"settings:read",
	"accounts:read", "accounts:write", "contacts:read", "contacts:write",
	"leads:read", "leads:write", "opportunities:read", "opportunities:write",
	"quotes:read", "quotes:write", "quotes:send", "quotes:answer", "activities:read", "activities:write",
	"campaigns:read", "tickets:read", "products:read", "stock:read",
	"orders:read", "orders:write", "orders:confirm", "shipments:read",
	"invoices:read", "payments:read", "returns:read", "returns:request", "reports:sales",
}

// builtinRoles is R1 as data. owner, admin and viewer are derived from the
// permission list below so that a new permission is classified once.
var builtinRoles = []Role{
	{Key: RoleOwner, Name: "Owner", Description: "Everything, including the subscription",
		Permissions: staffPerms(func(Permission) bool { return true })},
	// Decision: admin is the owner minus billing:manage. Changing the plan or
	// cancelling spends the owner's money and can put the tenant read-only
	// (B3), so it stays with owners; admins still see billing (billing:read).
	{Key: RoleAdmin, Name: "Administrator", Description: "Everything except changing the subscription",
		Permissions: staffPerms(func(p Permission) bool { return p.Key != "billing:manage" })},
	{Key: RoleSales, Name: "Sales", Description: "Own leads, opportunities, quotes and orders",
		Permissions: salesPerms},
	{Key: RoleSalesManager, Name: "Sales manager", Description: "The whole sales team's pipeline",
		Permissions: append(slices.Clone(salesPerms),
			"leads:read:all", "opportunities:read:all", "pipelines:manage", "activities:read:all", "orders:cancel", "users:read",
			"imports:run")},
	{Key: RoleMarketing, Name: "Marketing", Description: "Campaigns and lead generation",
		Permissions: []string{"settings:read", "campaigns:read", "campaigns:write",
			"leads:read", "leads:write", "leads:read:all", "opportunities:read", "opportunities:read:all",
			"accounts:read", "contacts:read", "contacts:write", "activities:read", "activities:write", "activities:read:all",
			"products:read", "reports:sales", "imports:run"}},
	{Key: RoleSupport, Name: "Support", Description: "Tickets, returns and lot traceability",
		Permissions: []string{"settings:read", "tickets:read", "tickets:write",
			"accounts:read", "contacts:read", "contacts:write", "activities:read", "activities:write", "activities:read:all",
			"orders:read", "shipments:read", "invoices:read", "returns:read", "returns:request", "returns:manage",
			"products:read", "stock:read", "production:read", "reports:support"}},
	{Key: RoleWarehouse, Name: "Warehouse", Description: "Stock, shipments and received returns",
		Permissions: []string{"settings:read", "products:read", "stock:read", "stock:adjust",
			"warehouses:manage", "orders:read", "shipments:read", "shipments:write",
			"returns:read", "returns:request", "returns:manage", "purchasing:read", "production:read", "reports:operations"}},
	{Key: RoleProduction, Name: "Production", Description: "Production orders and bills of materials",
		Permissions: []string{"settings:read", "products:read", "stock:read",
			"production:read", "production:write", "orders:read", "purchasing:read", "reports:operations"}},
	{Key: RolePurchasing, Name: "Purchasing", Description: "Suppliers, purchase orders and receipts",
		Permissions: []string{"settings:read", "products:read", "stock:read",
			"purchasing:read", "purchasing:write", "production:read", "orders:read", "reports:operations"}},
	{Key: RoleFinance, Name: "Finance", Description: "Invoices, payments, credit and margins",
		Permissions: []string{"settings:read", "billing:read", "accounts:read", "contacts:read",
			"orders:read", "shipments:read", "returns:read", "products:read", "stock:read", "purchasing:read",
			"invoices:read", "invoices:issue", "payments:read", "payments:record", "credit_notes:issue",
			"credit:approve", "costs:read", "reports:finance"}},
	// viewer reads business data but not what R3 or privacy reserves to
	// others: costs and margins, the audit log, the subscription, staff, and
	// the finance and owner dashboards (which show margins).
	{Key: RoleViewer, Name: "Viewer", Description: "Read-only access to business data",
		Permissions: staffPerms(func(p Permission) bool {
			switch p.Module {
			case "platform":
				return p.Key == "settings:read"
			case "reports":
				return p.Key != "reports:finance" && p.Key != "reports:owner"
			}
			return p.Key != "costs:read" && (p.Action() == "read" || p.Action() == "read:all")
		})},
	// customer is the portal role. Record rules (R3) bind every read to the
	// customer's own account; the portal's own actions (accept a quote,
	// request a return, pay) are gated by portal:use plus that binding, and
	// tickets are opened through the shared tickets endpoints (P6).
	{Key: RoleCustomer, Name: "Customer", Description: "Portal access to the customer's own account",
		Permissions: []string{PortalUse, "accounts:read", "orders:read", "shipments:read",
			"invoices:read", "payments:read", "quotes:read", "quotes:answer", "returns:read", "returns:request", "tickets:read",
			"tickets:write"}},
}

// builtinIndex validates builtinRoles at start (a typo panics in every test)
// and normalizes their permission lists in place.
var builtinIndex = func() map[string]Role {
	m := make(map[string]Role, len(builtinRoles))
	for i := range builtinRoles {
		r := &builtinRoles[i]
		r.Builtin = true
		r.Permissions = normalize(r.Permissions)
		for _, p := range r.Permissions {
			if _, ok := Lookup(p); !ok {
				panic("rbac: role " + r.Key + " has unknown permission " + p)
			}
			if p == PortalUse && r.Key != RoleCustomer {
				panic("rbac: only the customer role may hold " + PortalUse)
			}
		}
		m[r.Key] = *r
	}
	return m
}()

// BuiltinRoles returns R1's roles with their permissions. The slices are copies.
func BuiltinRoles() []Role {
	out := make([]Role, len(builtinRoles))
	for i, r := range builtinRoles {
		r.Permissions = slices.Clone(r.Permissions)
		out[i] = r
	}
	return out
}

// IsBuiltin reports whether name is a built-in role key.
func IsBuiltin(name string) bool {
	_, ok := builtinIndex[name]
	return ok
}

// IsCustom reports whether name is a well-formed custom role key
// ("custom:<uuid>"). It says nothing about whether the role exists.
func IsCustom(name string) bool {
	id, ok := strings.CutPrefix(name, CustomPrefix)
	if !ok {
		return false
	}
	u, err := uuid.Parse(id)
	return err == nil && u != uuid.Nil && u.String() == id
}

// NewCustomRoleKey returns a fresh custom role key.
func NewCustomRoleKey() string { return CustomPrefix + uuid.Must(uuid.NewV7()).String() }

// isRoleName reports whether s names a role rather than a subject.
// SECURITY: casbin's g() is true for g(x, x, dom), so a subject spelled like
// a role would hold that role everywhere; such subjects are refused.
func isRoleName(s string) bool { return IsBuiltin(s) || strings.HasPrefix(s, CustomPrefix) }

// staffPerms returns every permission that keep accepts, except portal:use.
func staffPerms(keep func(Permission) bool) []string {
	var out []string
	for _, p := range permissions {
		if p.Key != PortalUse && keep(p) {
			out = append(out, p.Key)
		}
	}
	return out
}

// normalize sorts and de-duplicates perms into a new, non-nil slice.
func normalize(perms []string) []string {
	out := append([]string{}, perms...)
	slices.Sort(out)
	return slices.Compact(out)
}
