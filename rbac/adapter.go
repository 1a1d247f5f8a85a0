package rbac

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
)

// Rule layout in casbin_rules (casbin's usual v0..v5 columns):
//
//	p, <custom role>, <tenant id>, <resource>, <action>   → ptype, v0, v1, v2, v3
//	g, <subject>, <role>, <tenant id>                      → ptype, v0, v1, v2
//
// so the domain is v1 for "p" rows and v2 for "g" rows.
const (
	pDomainField = 1
	gDomainField = 2
)

// Filter selects what LoadFilteredPolicy loads: the rules of these domains
// (tenant id strings).
type Filter struct {
	Domains []string
}

// Adapter is the casbin adapter over casbin_rules. The enforcer does not let
// casbin write through it (auto-save is off); it implements the casbin
// interfaces so the store stays usable by casbin tooling, and it is the one
// place that decides which rows are acceptable policy.
type Adapter struct {
	db       *bun.DB
	log      *slog.Logger
	filtered atomic.Bool
}

var (
	_ persist.FilteredAdapter        = (*Adapter)(nil)
	_ persist.ContextFilteredAdapter = (*Adapter)(nil)
)

type ruleRow struct {
	bun.BaseModel `bun:"table:casbin_rules"`

	ID    int64  `bun:"id,pk,autoincrement"`
	PType string `bun:"ptype"`
	V0    string `bun:"v0"`
	V1    string `bun:"v1"`
	V2    string `bun:"v2"`
	V3    string `bun:"v3"`
	V4    string `bun:"v4"`
	V5    string `bun:"v5"`
}

// NewAdapter returns an adapter over d's casbin_rules table.
func NewAdapter(d *bun.DB, log *slog.Logger) *Adapter {
	if log == nil {
		log = slog.Default()
	}
	return &Adapter{db: d, log: log}
}

// LoadPolicy loads every stored rule into m.
func (a *Adapter) LoadPolicy(m model.Model) error { return a.LoadPolicyCtx(context.Background(), m) }

// LoadPolicyCtx loads every stored rule into m.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	if err := a.load(ctx, m, nil); err != nil {
		return err
	}
	a.filtered.Store(false)
	return nil
}

// LoadFilteredPolicy loads the rules of the domains in filter (a Filter or
// *Filter; nil loads everything).
func (a *Adapter) LoadFilteredPolicy(m model.Model, filter any) error {
	return a.LoadFilteredPolicyCtx(context.Background(), m, filter)
}

// LoadFilteredPolicyCtx is LoadFilteredPolicy with a context.
func (a *Adapter) LoadFilteredPolicyCtx(ctx context.Context, m model.Model, filter any) error {
	var f Filter
	switch v := filter.(type) {
	case nil:
		return a.LoadPolicyCtx(ctx, m)
	case Filter:
		f = v
	case *Filter:
		if v == nil {
			return a.LoadPolicyCtx(ctx, m)
		}
		f = *v
	default:
		return fmt.Errorf("rbac: unsupported filter type %T", filter)
	}
	if f.Domains == nil {
		f.Domains = []string{} // an empty filter loads nothing, never everything
	}
	if err := a.load(ctx, m, f.Domains); err != nil {
		return err
	}
	a.filtered.Store(true)
	return nil
}

// IsFiltered reports whether the last load was filtered; casbin then refuses
// SavePolicy, which would otherwise wipe the domains that were not loaded.
func (a *Adapter) IsFiltered() bool { return a.filtered.Load() }

// IsFilteredCtx is IsFiltered.
func (a *Adapter) IsFilteredCtx(context.Context) bool { return a.IsFiltered() }

// SavePolicy replaces the stored policy with m's. Rules in domain "*" (the
// built-in roles) are code and are skipped.
func (a *Adapter) SavePolicy(m model.Model) error { return a.SavePolicyCtx(context.Background(), m) }

// SavePolicyCtx is SavePolicy with a context.
func (a *Adapter) SavePolicyCtx(ctx context.Context, m model.Model) error {
	if a.IsFiltered() {
		return errors.New("rbac: cannot save a filtered policy")
	}
	var rows []ruleRow
	for _, ptype := range []string{"p", "g"} {
		sec := ptype
		ast, ok := m[sec][ptype]
		if !ok {
			continue
		}
		for _, rule := range ast.Policy {
			if ruleDomain(ptype, rule) == builtinDomain {
				continue
			}
			if err := validRule(ptype, rule); err != nil {
				return err
			}
			rows = append(rows, toRow(ptype, rule))
		}
	}
	return a.db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*ruleRow)(nil)).Where("1 = 1").Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return insertRows(ctx, tx, rows)
	})
}

// AddPolicy stores one rule.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	return a.AddPolicyCtx(context.Background(), sec, ptype, rule)
}

// AddPolicyCtx stores one rule.
func (a *Adapter) AddPolicyCtx(ctx context.Context, _, ptype string, rule []string) error {
	if err := validRule(ptype, rule); err != nil {
		return err
	}
	return insertRows(ctx, a.db, []ruleRow{toRow(ptype, rule)})
}

// RemovePolicy deletes one rule.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	return a.RemovePolicyCtx(context.Background(), sec, ptype, rule)
}

// RemovePolicyCtx deletes one rule.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, _, ptype string, rule []string) error {
	_, err := deleteRules(ctx, a.db, ptype, 0, rule...)
	return err
}

// RemoveFilteredPolicy deletes the rules whose fields from fieldIndex on
// equal fieldValues ("" matches anything, as in casbin).
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return a.RemoveFilteredPolicyCtx(context.Background(), sec, ptype, fieldIndex, fieldValues...)
}

// RemoveFilteredPolicyCtx is RemoveFilteredPolicy with a context.
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, _, ptype string, fieldIndex int, fieldValues ...string) error {
	_, err := deleteRules(ctx, a.db, ptype, fieldIndex, fieldValues...)
	return err
}

// load reads the rules of domains (all when nil) and adds them to m.
func (a *Adapter) load(ctx context.Context, m model.Model, domains []string) error {
	rules, err := a.rules(ctx, domains)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := persist.LoadPolicyArray(r, m); err != nil {
			return err
		}
	}
	return nil
}

// rules reads the acceptable rules of domains (all when nil), each as
// casbin's line form: ptype first.
func (a *Adapter) rules(ctx context.Context, domains []string) ([][]string, error) {
	rows, err := selectRules(ctx, a.db, domains)
	if err != nil {
		return nil, err
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		rule := r.rule()
		if err := validRule(r.PType, rule); err != nil {
			// SECURITY: a row that is not policy this package could have
			// written (domain "*", a role as subject, an unknown permission)
			// is skipped, never trusted: skipping can only take rights away.
			a.log.Warn("rbac: skipping invalid policy row", "id", r.ID, "ptype", r.PType, "error", err)
			continue
		}
		out = append(out, append([]string{r.PType}, rule...))
	}
	return out, nil
}

// selectRules reads the rows of domains, or every row when domains is nil.
// A domain read is two plain queries, one per ptype, so each can use an
// index on (ptype, v1) / (ptype, v2).
func selectRules(ctx context.Context, idb bun.IDB, domains []string) ([]ruleRow, error) {
	var rows []ruleRow
	if domains == nil {
		err := idb.NewSelect().Model(&rows).Where("ptype IN ('p', 'g')").Order("id").Scan(ctx)
		return rows, db.Translate(err)
	}
	if len(domains) == 0 {
		return nil, nil
	}
	for _, q := range []string{"ptype = 'p' AND v1 IN (?)", "ptype = 'g' AND v2 IN (?)"} {
		var part []ruleRow
		if err := idb.NewSelect().Model(&part).Where(q, bun.In(domains)).Scan(ctx); err != nil {
			return nil, db.Translate(err)
		}
		rows = append(rows, part...)
	}
	return rows, nil
}

// insertRows inserts rows, ignoring ones already stored (the unique index
// covers every column), so writes are idempotent.
func insertRows(ctx context.Context, idb bun.IDB, rows []ruleRow) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := idb.NewInsert().Model(&rows).ExcludeColumn("id").On("CONFLICT DO NOTHING").Exec(ctx)
	return db.Translate(err)
}

// deleteRules deletes the ptype rows whose columns from fieldIndex on equal
// values ("" matches anything) and returns how many went.
func deleteRules(ctx context.Context, idb bun.IDB, ptype string, fieldIndex int, values ...string) (int64, error) {
	q := idb.NewDelete().Model((*ruleRow)(nil)).Where("ptype = ?", ptype)
	n := 0
	for i, v := range values {
		col := fieldIndex + i
		if v == "" {
			continue
		}
		if col < 0 || col > 5 {
			return 0, fmt.Errorf("rbac: field index %d out of range", col)
		}
		q = q.Where("? = ?", bun.Ident(fmt.Sprintf("v%d", col)), v)
		n++
	}
	if n == 0 {
		// SECURITY: an all-empty filter would delete every rule of ptype in
		// every tenant.
		return 0, errors.New("rbac: refusing to delete without a filter")
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, db.Translate(err)
	}
	return res.RowsAffected()
}

// validRule accepts exactly the rules this package writes.
func validRule(ptype string, rule []string) error {
	switch ptype {
	case "p":
		if len(rule) != 4 || !IsCustom(rule[0]) || !validDomain(rule[1]) {
			return fmt.Errorf("rbac: bad p rule %q", rule)
		}
		if _, ok := Lookup(rule[2] + ":" + rule[3]); !ok || rule[2]+":"+rule[3] == PortalUse {
			return fmt.Errorf("rbac: bad permission in p rule %q", rule)
		}
	case "g":
		if len(rule) != 3 || rule[0] == "" || isRoleName(rule[0]) || !validDomain(rule[2]) ||
			!(IsBuiltin(rule[1]) || IsCustom(rule[1])) {
			return fmt.Errorf("rbac: bad g rule %q", rule)
		}
	default:
		return fmt.Errorf("rbac: unknown ptype %q", ptype)
	}
	return nil
}

// validDomain accepts a canonical, non-nil tenant id.
func validDomain(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u != uuid.Nil && u.String() == s
}

// ruleDomain returns the domain field of rule, or "".
func ruleDomain(ptype string, rule []string) string {
	i := pDomainField
	if ptype == "g" {
		i = gDomainField
	}
	if i < len(rule) {
		return rule[i]
	}
	return ""
}

func toRow(ptype string, rule []string) ruleRow {
	r := ruleRow{PType: ptype}
	dst := []*string{&r.V0, &r.V1, &r.V2, &r.V3, &r.V4, &r.V5}
	for i, v := range rule {
		if i < len(dst) {
			*dst[i] = v
		}
	}
	return r
}

// rule returns the row's fields up to the last non-empty one, so junk in
// columns a ptype does not use makes the rule the wrong length (invalid).
func (r ruleRow) rule() []string {
	all := []string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
	n := len(all)
	for n > 0 && all[n-1] == "" {
		n--
	}
	return all[:n]
}
