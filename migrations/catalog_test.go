package migrations_test

import (
	"context"
	"strings"
	"testing"

	"nexo/tenant/tenanttest"
)

// platformTables have no row-level security on purpose; each is named with
// its reason. Every other table with tenant_id must pass the RLS checks.
var platformTables = map[string]string{
	"tenants":           "the tenant registry itself",
	"schema_migrations": "migration bookkeeping",
	"casbin_rules":      "policy store read whole by every enforcer; rows carry the tenant as casbin domain",
	"outbox_events":     "drained across tenants by the relay, which binds each event's tenant before handling it",
	"idempotency_keys":  "keyed by a scope the server derives from the credential (tenant and subject)",
	"stripe_events":     "Stripe webhook events, recorded by event id before the tenant is known",
}

// TestRLSCatalog is QUALITY T1/T2 over the PostgreSQL catalog.
func TestRLSCatalog(t *testing.T) {
	owner := tenanttest.OwnerDB(t)
	ctx := context.Background()
	var tables []struct {
		Name     string `bun:"relname"`
		RLS      bool   `bun:"relrowsecurity"`
		Force    bool   `bun:"relforcerowsecurity"`
		Owner    string `bun:"owner"`
		TenantNN *bool  `bun:"tenant_notnull"`
	}
	err := owner.NewRaw(`SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) AS owner,
		(SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS tenant_notnull
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`).Scan(ctx, &tables)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 5 {
		t.Fatalf("only %d tables found", len(tables))
	}
	app := tenanttest.AppRole()
	for _, tb := range tables {
		if tb.Owner == app {
			t.Errorf("%s is owned by the app role %s", tb.Name, app)
		}
		if _, ok := platformTables[tb.Name]; ok {
			continue
		}
		if tb.TenantNN == nil {
			t.Errorf("%s has no tenant_id and is not on the platform list", tb.Name)
			continue
		}
		if !*tb.TenantNN {
			t.Errorf("%s.tenant_id is nullable", tb.Name)
		}
		if !tb.RLS || !tb.Force {
			t.Errorf("%s: row level security enabled=%v forced=%v, want both", tb.Name, tb.RLS, tb.Force)
		}
		var policies []struct {
			Qual      *string `bun:"qual"`
			WithCheck *string `bun:"with_check"`
		}
		if err := owner.NewRaw(`SELECT qual, with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = ?`, tb.Name).
			Scan(ctx, &policies); err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, p := range policies {
			if p.Qual != nil && p.WithCheck != nil && strings.Contains(*p.Qual, "tenant_id") && strings.Contains(*p.WithCheck, "tenant_id") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s lacks a tenant_id policy with USING and WITH CHECK", tb.Name)
		}
	}

	// T2: every unique index on a tenant table includes tenant_id, except a
	// single-column primary key on a random id.
	var uniques []struct {
		Table string `bun:"tbl"`
		Index string `bun:"idx"`
		Def   string `bun:"def"`
		PK    bool   `bun:"indisprimary"`
	}
	err = owner.NewRaw(`SELECT t.relname AS tbl, i.relname AS idx, pg_get_indexdef(i.oid) AS def, x.indisprimary
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = 'public' AND x.indisunique`).Scan(ctx, &uniques)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uniques {
		if _, ok := platformTables[u.Table]; ok || u.PK {
			continue
		}
		if !strings.Contains(u.Def, "tenant_id") {
			t.Errorf("unique index %s on %s does not include tenant_id: %s", u.Index, u.Table, u.Def)
		}
	}

	// The app role: not superuser, no BYPASSRLS.
	var role struct {
		Super  bool `bun:"rolsuper"`
		Bypass bool `bun:"rolbypassrls"`
	}
	if err := owner.NewRaw(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ?`, app).Scan(ctx, &role); err != nil {
		t.Fatal(err)
	}
	if role.Super || role.Bypass {
		t.Errorf("app role %s: superuser=%v bypassrls=%v", app, role.Super, role.Bypass)
	}
}
