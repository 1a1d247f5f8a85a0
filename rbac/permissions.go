// Package rbac is Nexo's authorization layer: casbin RBAC with domains, where
// the domain is the tenant id. Built-in roles and the permission list are
// data in this package (never stored); role assignments and custom roles are
// rows in casbin_rules, written in the caller's transaction and applied to
// memory only after it commits, then fanned out to every instance through a
// Redis watcher (R4, A3).
package rbac

import (
	"slices"
	"strings"
)

// Permission is one grantable right. Key is "resource:action"; the action
// may itself contain ':' ("leads:read:all"), so a key splits at its first ':'.
type Permission struct {
	Key         string
	Module      string
	Description string
}

// Resource returns the part of the key before the first ':'.
func (p Permission) Resource() string { r, _, _ := strings.Cut(p.Key, ":"); return r }

// Action returns the part of the key after the first ':'.
func (p Permission) Action() string { _, a, _ := strings.Cut(p.Key, ":"); return a }

// PortalUse is the permission that marks a portal (customer) principal.
// SECURITY: it is reserved for the built-in customer role; staff and custom
// roles never carry it, so staff credentials cannot act through portal
// routes whose only check is the account binding.
const PortalUse = "portal:use"

// permissions is the whole list, grouped by module for the roles UI. Adding a
// permission here makes it grantable in custom roles at once; the owner role
// gets it automatically (see roles.go).
var permissions = []Permission{
	// Platform.
	{"users:read", "platform", "See staff users and their roles"},
	{"users:manage", "platform", "Invite, edit, deactivate staff users and assign roles"},
	{"roles:read", "platform", "See roles and their permissions"},
	{"roles:manage", "platform", "Create, edit and delete custom roles"},
	{"api_keys:manage", "platform", "Create and revoke API keys"},
	{"audit:read", "platform", "Read the audit log"},
	{"settings:read", "platform", "See tenant settings (currency, taxes, number series)"},
	{"settings:manage", "platform", "Change tenant settings and portal branding"},
	{"billing:read", "platform", "See the tenant's plan, subscription and usage"},
	{"billing:manage", "platform", "Change plan, payment method or cancel the subscription"},
	{"imports:run", "platform", "Run CSV imports"},
	{"webhooks:manage", "platform", "Configure outbound webhooks"},

	// CRM.
	{"accounts:read", "crm", "See customer accounts"},
	{"accounts:write", "crm", "Create and edit customer accounts"},
	{"contacts:read", "crm", "See contacts"},
	{"contacts:write", "crm", "Create and edit contacts"},
	{"leads:read", "crm", "See own leads"},
	{"leads:write", "crm", "Create, qualify and convert leads"},
	{"leads:read:all", "crm", "See every lead, not only own"},
	{"opportunities:read", "crm", "See own opportunities"},
	{"opportunities:write", "crm", "Create and edit opportunities"},
	{"opportunities:read:all", "crm", "See every opportunity, not only own"},
	{"pipelines:manage", "crm", "Create and edit pipelines and their stages"},
	{"quotes:read", "crm", "See quotes"},
	{"quotes:write", "crm", "Create and edit quotes"},
	{"quotes:send", "crm", "Send quotes to customers"},
	{"quotes:answer", "crm", "Record a customer's acceptance or refusal of a quote"},
	{"activities:read", "crm", "See activities and timelines"},
	{"activities:write", "crm", "Log calls, emails, meetings, tasks and notes"},
	{"activities:read:all", "crm", "See every activity, not only those assigned to oneself"},
	{"tickets:read", "crm", "See support tickets"},
	{"tickets:write", "crm", "Open, answer and close support tickets"},
	{"campaigns:read", "crm", "See campaigns and their results"},
	{"campaigns:write", "crm", "Create and edit campaigns"},

	// ERP.
	{"products:read", "erp", "See the catalog and price lists"},
	{"products:write", "erp", "Create and edit products and price lists"},
	{"stock:read", "erp", "See stock, lots and moves"},
	{"stock:adjust", "erp", "Adjust stock and put lots on hold"},
	{"warehouses:manage", "erp", "Create and edit warehouses"},
	{"orders:read", "erp", "See sales orders"},
	{"orders:write", "erp", "Create and edit sales orders"},
	{"orders:confirm", "erp", "Confirm sales orders (reserves stock)"},
	{"orders:cancel", "erp", "Cancel sales orders (releases reservations)"},
	{"shipments:read", "erp", "See shipments"},
	{"shipments:write", "erp", "Pick, pack and ship"},
	{"production:read", "erp", "See production orders and bills of materials"},
	{"production:write", "erp", "Plan and complete production orders"},
	{"purchasing:read", "erp", "See suppliers and purchase orders"},
	{"purchasing:write", "erp", "Create purchase orders and receive goods"},
	{"returns:read", "erp", "See return requests"},
	{"returns:request", "erp", "Request a return of delivered goods for a customer"},
	{"returns:manage", "erp", "Approve, reject and receive returns"},
	{"costs:read", "erp", "See cost and margin fields"},

	// Finance.
	{"invoices:read", "finance", "See invoices"},
	{"invoices:issue", "finance", "Issue invoices"},
	{"payments:read", "finance", "See payments"},
	{"payments:record", "finance", "Record payments"},
	{"credit_notes:issue", "finance", "Issue credit notes"},
	{"credit:approve", "finance", "Approve orders over the account's credit limit"},

	// Reports.
	{"reports:sales", "reports", "Sales dashboard"},
	{"reports:operations", "reports", "Operations dashboard"},
	{"reports:finance", "reports", "Finance dashboard (revenue, margin, AR)"},
	{"reports:support", "reports", "Support dashboard"},
	{"reports:owner", "reports", "Owner dashboard (lifetime value, retention, turnover)"},

	// Portal.
	{PortalUse, "portal", "Use the customer portal (customer role only)"},
}

var permissionIndex = func() map[string]Permission {
	m := make(map[string]Permission, len(permissions))
	for _, p := range permissions {
		if _, dup := m[p.Key]; dup || !strings.Contains(p.Key, ":") {
			panic("rbac: bad or duplicate permission " + p.Key)
		}
		m[p.Key] = p
	}
	return m
}()

// Lookup returns the permission with key.
func Lookup(key string) (Permission, bool) {
	p, ok := permissionIndex[key]
	return p, ok
}

// All returns every permission, in display order. The slice is a copy.
func All() []Permission { return slices.Clone(permissions) }

// splitPerm splits "resource:action" at the first ':' into casbin's obj and
// act; ok is false when either part is empty.
func splitPerm(perm string) (obj, act string, ok bool) {
	obj, act, ok = strings.Cut(perm, ":")
	return obj, act, ok && obj != "" && act != ""
}
