// Package tenant is Nexo's isolation kernel: who is calling, for which
// tenant. It binds the tenant from a credential into the request context,
// hands modules a tenant-bound database handle whose transactions carry the
// tenant to PostgreSQL's row-level security, and scopes every bun query on a
// tenant.Scoped row. Without a tenant in the context, tenant queries fail.
package tenant

import (
	"context"

	"github.com/google/uuid"
)

// Kind says what sort of credential a principal authenticated with.
type Kind string

// Principal kinds.
const (
	KindUser     Kind = "user"
	KindAPIKey   Kind = "api_key"
	KindCustomer Kind = "customer"
)

// Principal is the authenticated caller of a request, always bound to exactly
// one tenant.
type Principal struct {
	TenantID  uuid.UUID
	Kind      Kind
	ID        uuid.UUID // user id, API key id or portal contact id
	Subject   string    // the casbin subject ("u:<id>", "k:<id>", "c:<id>")
	SessionID string    // hashed session id for cookie sessions
	Name      string
	Email     string
	// AccountID is the customer account a portal customer is bound to (R3);
	// nil for staff and API keys.
	AccountID *uuid.UUID
}

// BoundAccount reports whether the caller is limited to one customer
// account, and which. Handlers serving customers filter by it.
// SECURITY: a customer principal without an account is bound to uuid.Nil,
// which matches no row (fail closed).
func BoundAccount(ctx context.Context) (uuid.UUID, bool) {
	p, ok := PrincipalFrom(ctx)
	if !ok || p.Kind != KindCustomer {
		return uuid.Nil, false
	}
	if p.AccountID == nil {
		return uuid.Nil, true
	}
	return *p.AccountID, true
}

type ctxKey int

const (
	tenantKey ctxKey = iota
	principalKey
	txKey
	requestKey
	sessionCtxKey
)

// WithTenant binds tenantID to ctx. Only credential-checking code and
// platform flows (signup) call it; handlers never take a tenant from input.
func WithTenant(ctx context.Context, tenantID uuid.UUID) context.Context {
	return context.WithValue(ctx, tenantKey, tenantID)
}

// WithPrincipal binds an authenticated principal and its tenant to ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	ctx = WithTenant(ctx, p.TenantID)
	return context.WithValue(ctx, principalKey, p)
}

// FromContext returns the bound tenant id.
func FromContext(ctx context.Context) (uuid.UUID, bool) {
	id, ok := ctx.Value(tenantKey).(uuid.UUID)
	return id, ok && id != uuid.Nil
}

// PrincipalFrom returns the authenticated principal, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey).(Principal)
	return p, ok
}

// RequestInfo is request metadata that audit rows and logs carry.
type RequestInfo struct {
	RequestID string
	IP        string
}

// WithRequest attaches request metadata to ctx.
func WithRequest(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, requestKey, ri)
}

// RequestFrom returns the request metadata bound to ctx.
func RequestFrom(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(requestKey).(RequestInfo)
	return ri
}
