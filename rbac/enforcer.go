package rbac

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// builtinDomain holds the built-in roles' permissions, shared by every tenant.
// They are code: added to memory at each load, never stored.
const builtinDomain = "*"

// modelText is RBAC with domains. SECURITY (A2): the matcher binds the
// request's domain to the policy's (p.dom is the tenant or the built-in "*")
// and asks g() for the subject's role *in the request's domain*, so a role
// held in tenant A grants nothing in tenant B. Enforce answers this matcher
// from an index (index.go explains why); TestIndexMatchesCasbin has casbin
// evaluate it and compares.
const modelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.obj == p.obj && r.act == p.act && (p.dom == r.dom || p.dom == "*") && g(r.sub, p.sub, r.dom)
`

// defaultReloadEvery is the safety-net full reload period.
const defaultReloadEvery = 30 * time.Second

// reloadTimeout bounds one reload triggered by a message, a commit or the timer.
const reloadTimeout = 30 * time.Second

// PolicyWatcher fans policy changes out to other instances (*Watcher).
// The callback receives a tenant id, or "" for a full reload.
type PolicyWatcher interface {
	SetUpdateCallback(func(string)) error
	UpdateDomain(domain string) error
}

// Options configures an Enforcer.
type Options struct {
	// Watcher announces this instance's changes and delivers others'; nil
	// in embedded (single instance) mode.
	Watcher PolicyWatcher
	// ReloadEvery is the period of a full reload from the database, the
	// safety net for lost watcher messages: 0 means 30s, negative disables.
	ReloadEvery time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Enforcer answers "may this subject do this in this tenant" from an
// in-memory casbin policy, and writes policy changes in the caller's
// transaction. Memory changes only after that transaction commits.
// It is safe for concurrent use.
type Enforcer struct {
	db      *bun.DB
	adapter *Adapter
	watcher PolicyWatcher
	log     *slog.Logger

	// mu guards pol. Enforce holds it shared; reloads hold it exclusively
	// only while patching or swapping memory, never across a database read.
	mu  sync.RWMutex
	pol *policy

	// reloadMu serializes reloads end to end (read + apply), so a reload that
	// read the database earlier can never overwrite one that read it later.
	reloadMu sync.Mutex

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New loads the whole policy and starts the periodic reload.
func New(ctx context.Context, d *bun.DB, opts Options) (*Enforcer, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ReloadEvery == 0 {
		opts.ReloadEvery = defaultReloadEvery
	}
	e := &Enforcer{db: d, adapter: NewAdapter(d, opts.Logger), watcher: opts.Watcher, log: opts.Logger,
		stop: make(chan struct{}), done: make(chan struct{})}
	pol, err := newPolicy(nil)
	if err != nil {
		return nil, err
	}
	e.pol = pol
	if e.watcher != nil {
		// Registered before the first load so no message is missed in between;
		// one arriving early just reloads the (tiny) empty policy.
		if l, ok := e.watcher.(interface{ SetLogger(*slog.Logger) }); ok {
			l.SetLogger(e.log)
		}
		if err := e.watcher.SetUpdateCallback(e.onUpdate); err != nil {
			return nil, err
		}
	}
	if err := e.Reload(ctx); err != nil {
		e.detach()
		return nil, err
	}
	go e.loop(opts.ReloadEvery)
	return e, nil
}

// Enforce reports whether subject holds perm ("resource:action") in tenant
// tenantID. Anything malformed is denied.
func (e *Enforcer) Enforce(tenantID uuid.UUID, subject, perm string) bool {
	obj, act, ok := splitPerm(perm)
	if !ok || tenantID == uuid.Nil || subject == "" || isRoleName(subject) {
		return false
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.pol.allowed(tenantID.String(), subject, obj+":"+act)
}

// Roles returns subject's roles in tenantID, sorted.
func (e *Enforcer) Roles(tenantID uuid.UUID, subject string) []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.rolesLocked(tenantID.String(), subject)
}

// Permissions returns the union of the permissions of subject's roles in
// tenantID, sorted.
func (e *Enforcer) Permissions(tenantID uuid.UUID, subject string) []string {
	dom := tenantID.String()
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []string
	for _, r := range e.rolesLocked(dom, subject) {
		out = append(out, e.pol.rolePerms(dom, r)...)
	}
	return normalize(out)
}

// RolePermissions returns role's permissions as seen from tenantID (a
// built-in role, or a custom role of that tenant), sorted; empty when the
// role does not exist there.
func (e *Enforcer) RolePermissions(tenantID uuid.UUID, role string) []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return normalize(e.pol.rolePerms(tenantID.String(), role))
}

// Subjects returns the subjects holding role in tenantID, sorted.
func (e *Enforcer) Subjects(tenantID uuid.UUID, role string) []string {
	e.mu.RLock()
	users := e.pol.ce.GetUsersForRoleInDomain(role, tenantID.String())
	e.mu.RUnlock()
	return sorted(users)
}

// CustomRoles returns tenantID's custom roles with their permissions, by key.
func (e *Enforcer) CustomRoles(tenantID uuid.UUID) []Role {
	dom := tenantID.String()
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Role
	if d := e.pol.domains[dom]; d != nil {
		for k := range d.perms {
			out = append(out, Role{Key: k, Name: k, Permissions: normalize(e.pol.rolePerms(dom, k))})
		}
	}
	slices.SortFunc(out, func(a, b Role) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// ReloadDomain replaces the in-memory rules of tenantID with the stored ones.
// Its cost is the tenant's size in memory plus one read of casbin_rules by
// domain (a scan of the table until it has indexes leading with v1 / v2);
// Enforce is not blocked during the read. On error, memory is left to the
// next full reload.
func (e *Enforcer) ReloadDomain(ctx context.Context, tenantID uuid.UUID) error {
	dom := tenantID.String()
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	rules, err := e.adapter.rules(ctx, []string{dom})
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// Readers are held off until the domain is whole again, so no request
	// sees it half replaced.
	return e.pol.replaceDomain(dom, rules)
}

// Reload replaces the whole in-memory policy with the stored one plus the
// built-in roles. The new policy is built aside and swapped in at once.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	rules, err := e.adapter.rules(ctx, nil)
	if err != nil {
		return err
	}
	pol, err := newPolicy(rules)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.pol = pol
	e.mu.Unlock()
	return nil
}

// Close stops the periodic reload and detaches from the watcher (which the
// caller closes).
func (e *Enforcer) Close() {
	e.closeOnce.Do(func() {
		e.detach()
		close(e.stop)
		<-e.done
	})
}

// detach stops watcher callbacks into e.
func (e *Enforcer) detach() {
	if e.watcher != nil {
		_ = e.watcher.SetUpdateCallback(nil)
	}
}

// onUpdate handles another instance's announcement.
func (e *Enforcer) onUpdate(domain string) {
	ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
	defer cancel()
	var err error
	if id, perr := uuid.Parse(domain); domain != "" && perr == nil && id.String() == domain {
		err = e.ReloadDomain(ctx, id)
	} else {
		err = e.Reload(ctx) // "" or unreadable: the safe answer is everything
	}
	if err != nil {
		e.log.Error("rbac: reload after policy message failed", "error", err, "domain", domain)
	}
}

// loop runs the periodic full reload until Close.
func (e *Enforcer) loop(every time.Duration) {
	defer close(e.done)
	if every < 0 {
		<-e.stop
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
			if err := e.Reload(ctx); err != nil {
				e.log.Error("rbac: periodic policy reload failed", "error", err)
			}
			cancel()
		}
	}
}

func (e *Enforcer) rolesLocked(dom, subject string) []string {
	return sorted(e.pol.ce.GetRolesForUserInDomain(subject, dom))
}

// sorted returns a sorted copy of s, never nil (it is rendered as JSON).
func sorted(s []string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return out
}
