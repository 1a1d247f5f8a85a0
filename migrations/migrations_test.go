package migrations_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"nexo/internal/db"
	"nexo/migrations"
	"nexo/tenant/tenanttest"
)

// Both engines must have the same migration ids, and the same tables. A
// table a migration creates again after an earlier one created it is a
// rebuild (SQLite cannot alter a CHECK constraint): it adds no table, so it
// is left out of the comparison.
func TestParity(t *testing.T) {
	pg, err := migrations.List(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := migrations.List(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("postgres has %d migrations, sqlite %d", len(pg), len(lite))
	}
	tableRE := regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?(\w+)`)
	tables := func(sql string) []string {
		var out []string
		for _, m := range tableRE.FindAllStringSubmatch(sql, -1) {
			out = append(out, strings.ToLower(m[1]))
		}
		sort.Strings(out)
		return out
	}
	seen := map[string]bool{}
	fresh := func(names []string) []string {
		var out []string
		for _, n := range names {
			if !seen[n] {
				out = append(out, n)
			}
		}
		return out
	}
	for i := range pg {
		if pg[i].ID != lite[i].ID {
			t.Errorf("migration %d: postgres %s, sqlite %s", i, pg[i].ID, lite[i].ID)
			continue
		}
		a, b := fresh(tables(pg[i].Up)), fresh(tables(lite[i].Up))
		if strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("%s creates different tables: postgres %v, sqlite %v", pg[i].ID, a, b)
		}
		for _, n := range append(tables(pg[i].Up), tables(lite[i].Up)...) {
			seen[n] = true
		}
	}
}

// up → down (all) → up must work on the engine under test.
func TestUpDownUp(t *testing.T) {
	ctx := context.Background()
	var d = tenanttest.DB(t)
	if tenanttest.Postgres() {
		d, _ = tenanttest.FreshPostgres(t)
		if err := migrations.Up(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := migrations.List(db.DialectOf(d))
	if err := migrations.Down(ctx, d, len(all), nil); err != nil {
		t.Fatalf("down: %v", err)
	}
	pending, err := migrations.Pending(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != len(all) {
		t.Fatalf("after down, %d pending, want %d", len(pending), len(all))
	}
	if err := migrations.Up(ctx, d, nil); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if pending, _ := migrations.Pending(ctx, d); len(pending) != 0 {
		t.Fatalf("after up, pending %v", pending)
	}
}

func TestMain(m *testing.M) { tenanttest.Main(m) }
