package rbac

import (
	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// policy is the in-memory policy: a casbin enforcer (the model, every rule,
// the domain role manager) plus, per domain, the rules loaded for it and an
// index of its custom roles' permissions.
//
// Why the index: casbin's Enforce evaluates the matcher against every p rule
// in memory. Measured here (BenchmarkEnforce), that is ~50-85µs per decision
// with the built-in roles alone and ~20ms once 10,000 tenants have a custom
// role, growing with the tenant count (against P1/P3). The index answers the
// same matcher in O(subject's roles):
//
//	g(r.sub, p.sub, r.dom)            → the roles of r.sub among r.dom's g rules
//	p.dom == r.dom || p.dom == "*"    → that role's permissions in r.dom, or built in
//	r.obj == p.obj && r.act == p.act  → set membership of "obj:act"
//
// TestIndexMatchesCasbin holds the two to the same answers. They agree
// because stored rules are restricted (validRule): subjects are never role
// names and roles never inherit roles, so g() has depth one, and a g rule
// names its domain, so the roles of a subject in a domain are exactly the
// second fields of that domain's g rules for it. The index keeps those too
// rather than asking casbin's role manager, which allocated and walked its
// own structures on every request (5-7% of a warm portal read's CPU, P1).
type policy struct {
	ce      *casbin.Enforcer
	domains map[string]*domainPolicy
}

// domainPolicy is one tenant's stored rules as loaded into ce.
type domainPolicy struct {
	p, g  [][]string                     // casbin rules without the ptype
	perms map[string]map[string]struct{} // custom role → set of "obj:act"
	roles map[string][]string            // subject → roles (its g rules)
}

// builtinPerms is the built-in roles' permissions as sets.
var builtinPerms = func() map[string]map[string]struct{} {
	m := make(map[string]map[string]struct{}, len(builtinIndex))
	for k, r := range builtinIndex {
		m[k] = set(r.Permissions)
	}
	return m
}()

// newPolicy builds the policy from stored rules (line form, ptype first)
// plus the built-in roles. Its casbin enforcer has no adapter and no
// watcher: casbin never writes or announces anything by itself.
func newPolicy(rules [][]string) (*policy, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, err
	}
	pl := &policy{domains: map[string]*domainPolicy{}}
	var p, g [][]string
	for _, r := range rules {
		if r[0] == "p" {
			p = append(p, r[1:])
		} else {
			g = append(g, r[1:])
		}
		pl.domain(ruleDomain(r[0], r[1:])).add(r[0], r[1:])
	}
	for _, role := range builtinRoles {
		for _, perm := range role.Permissions {
			obj, act, _ := splitPerm(perm)
			p = append(p, []string{role.Key, builtinDomain, obj, act})
		}
	}
	if err := m.AddPolicies("p", "p", p); err != nil {
		return nil, err
	}
	if err := m.AddPolicies("g", "g", g); err != nil {
		return nil, err
	}
	if pl.ce, err = casbin.NewEnforcer(m); err != nil {
		return nil, err
	}
	pl.ce.EnableAutoSave(false)
	pl.ce.EnableAutoNotifyWatcher(false)
	return pl, pl.ce.BuildRoleLinks()
}

// replaceDomain swaps dom's rules for rules (line form). It removes the old
// rules one by one (casbin's single-rule removal is O(1)), so the cost is
// the domain's size, not the whole policy's. The caller holds the write lock.
func (pl *policy) replaceDomain(dom string, rules [][]string) error {
	if old := pl.domains[dom]; old != nil {
		for _, r := range old.p {
			if _, err := pl.ce.SelfRemovePolicy("p", "p", r); err != nil {
				return err
			}
		}
		for _, r := range old.g {
			if _, err := pl.ce.SelfRemovePolicy("g", "g", r); err != nil {
				return err
			}
		}
		delete(pl.domains, dom)
	}
	if len(rules) == 0 {
		return nil
	}
	d := pl.domain(dom)
	for _, r := range rules {
		d.add(r[0], r[1:])
	}
	if len(d.p) > 0 {
		if _, err := pl.ce.SelfAddPoliciesEx("p", "p", d.p); err != nil {
			return err
		}
	}
	if len(d.g) > 0 {
		if _, err := pl.ce.SelfAddPoliciesEx("g", "g", d.g); err != nil {
			return err
		}
	}
	return nil
}

// allowed is the matcher of modelText, answered from the index.
func (pl *policy) allowed(dom, subject, perm string) bool {
	d := pl.domains[dom]
	if d == nil {
		return false // no rules at all in this tenant: no roles
	}
	for _, role := range d.roles[subject] {
		if _, ok := builtinPerms[role][perm]; ok {
			return true
		}
		if _, ok := d.perms[role][perm]; ok {
			return true
		}
	}
	return false
}

// rolePerms returns role's permissions as seen from dom, unsorted.
func (pl *policy) rolePerms(dom, role string) []string {
	if r, ok := builtinIndex[role]; ok {
		return r.Permissions
	}
	d := pl.domains[dom]
	if d == nil {
		return nil
	}
	out := make([]string, 0, len(d.perms[role]))
	for p := range d.perms[role] {
		out = append(out, p)
	}
	return out
}

// domain returns dom's entry, creating it.
func (pl *policy) domain(dom string) *domainPolicy {
	d := pl.domains[dom]
	if d == nil {
		d = &domainPolicy{perms: map[string]map[string]struct{}{}, roles: map[string][]string{}}
		pl.domains[dom] = d
	}
	return d
}

// add records one rule of the domain.
func (d *domainPolicy) add(ptype string, rule []string) {
	if ptype == "g" {
		d.g = append(d.g, rule)
		d.roles[rule[0]] = append(d.roles[rule[0]], rule[1])
		return
	}
	d.p = append(d.p, rule)
	if d.perms[rule[0]] == nil {
		d.perms[rule[0]] = map[string]struct{}{}
	}
	d.perms[rule[0]][rule[2]+":"+rule[3]] = struct{}{}
}

func set(keys []string) map[string]struct{} {
	m := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		m[k] = struct{}{}
	}
	return m
}
