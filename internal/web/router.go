package web

import (
	"context"
	"errors"
	"sort"

	"github.com/gofiber/fiber/v2"

	"nexo/internal/errs"
)

func codeOf(err error) errs.Code {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return errs.Internal
}

// Access says who may call a route: anyone (Public), any authenticated
// principal (Authenticated), or holders of one permission ("users:manage").
type Access struct {
	Public        bool
	Authenticated bool
	Perm          string
	// Kinds limits the route to some credential kinds ("user", "api_key",
	// "customer"); empty allows all.
	Kinds []string
	// Customer admits portal customers, who are refused every route without
	// it (fail closed). Set it only on routes that apply the customer's
	// account binding (tenant.BoundAccount) and answer with a customer
	// field allow-list.
	Customer bool
}

// Public routes need no credential.
var Public = Access{Public: true}

// Authenticated routes need any valid credential.
var Authenticated = Access{Authenticated: true}

// Perm requires one permission.
func Perm(p string) Access { return Access{Perm: p} }

// CustomerPerm requires one permission and admits portal customers holding
// it: the handler must bind its rows to the customer's account.
func CustomerPerm(p string) Access { return Access{Perm: p, Customer: true} }

// Authorizer decides whether the principal bound to ctx may pass access.
// It returns an unauthenticated error without a principal and forbidden
// without the permission.
type Authorizer interface {
	Authorize(ctx context.Context, a Access) error
}

// RouteSpec is one registered route and its access rule: the permission
// matrix is this data (A1).
type RouteSpec struct {
	Method, Path string
	Access       Access
}

// Registry records every route mounted through a Router.
type Registry struct{ routes map[string]RouteSpec }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{routes: map[string]RouteSpec{}} }

// Routes returns the registered routes sorted by path and method.
func (r *Registry) Routes() []RouteSpec {
	out := make([]RouteSpec, 0, len(r.routes))
	for _, s := range r.routes {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Lookup returns the spec of method+path.
func (r *Registry) Lookup(method, path string) (RouteSpec, bool) {
	s, ok := r.routes[method+" "+path]
	return s, ok
}

// Router mounts handlers behind their access rule and records them.
type Router struct {
	r      fiber.Router
	prefix string
	auth   Authorizer
	reg    *Registry
	// customer, when set, gives routes customers may call an extra handler
	// between the access check and the route's own (see CustomerRoutes).
	customer func(method, pattern string) fiber.Handler
}

// NewRouter wraps r (mounted at prefix) with auth and reg.
func NewRouter(r fiber.Router, prefix string, auth Authorizer, reg *Registry) *Router {
	return &Router{r: r, prefix: prefix, auth: auth, reg: reg}
}

// CustomerRoutes installs w for the routes mounted afterwards: for each
// route customers may call (Access.Customer), w(method, pattern) returns a
// handler to run after the access check, or nil. The portal read cache sits
// here, so a cached answer never skips authorization.
func (rt *Router) CustomerRoutes(w func(method, pattern string) fiber.Handler) { rt.customer = w }

// Get mounts a GET route.
func (rt *Router) Get(path string, a Access, h fiber.Handler) { rt.add(fiber.MethodGet, path, a, h) }

// Post mounts a POST route.
func (rt *Router) Post(path string, a Access, h fiber.Handler) { rt.add(fiber.MethodPost, path, a, h) }

// Put mounts a PUT route.
func (rt *Router) Put(path string, a Access, h fiber.Handler) { rt.add(fiber.MethodPut, path, a, h) }

// Patch mounts a PATCH route.
func (rt *Router) Patch(path string, a Access, h fiber.Handler) {
	rt.add(fiber.MethodPatch, path, a, h)
}

// Delete mounts a DELETE route.
func (rt *Router) Delete(path string, a Access, h fiber.Handler) {
	rt.add(fiber.MethodDelete, path, a, h)
}

func (rt *Router) add(method, path string, a Access, h fiber.Handler) {
	full := rt.prefix + path
	if _, dup := rt.reg.routes[method+" "+full]; dup {
		panic("web: route registered twice: " + method + " " + full)
	}
	rt.reg.routes[method+" "+full] = RouteSpec{Method: method, Path: full, Access: a}
	guard := func(c *fiber.Ctx) error {
		if a.Public {
			return c.Next()
		}
		if err := rt.auth.Authorize(c.UserContext(), a); err != nil {
			return err
		}
		return c.Next()
	}
	handlers := []fiber.Handler{guard}
	if a.Customer && rt.customer != nil {
		if m := rt.customer(method, full); m != nil {
			handlers = append(handlers, m)
		}
	}
	rt.r.Add(method, path, append(handlers, h)...)
}
