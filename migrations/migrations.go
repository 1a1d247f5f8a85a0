// Package migrations holds Nexo's hand-written SQL migrations, one folder per
// engine with identical ids, embedded in the binary, and the runner that
// applies them. PostgreSQL migrations run as the owner role; the app role
// only reads schema_migrations to check the schema is current.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"nexo/internal/db"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Migration is one step with its up and down SQL for one engine.
type Migration struct {
	ID   string // e.g. "0001_platform"
	Up   string
	Down string
}

// Status is a migration and whether it is applied.
type Status struct {
	ID        string
	AppliedAt *time.Time
}

// List returns the migrations of dialect in id order.
func List(dialect db.Dialect) ([]Migration, error) {
	dir := string(dialect)
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Migration{}
	for _, e := range entries {
		name := e.Name()
		var id, kind string
		switch {
		case strings.HasSuffix(name, ".up.sql"):
			id, kind = strings.TrimSuffix(name, ".up.sql"), "up"
		case strings.HasSuffix(name, ".down.sql"):
			id, kind = strings.TrimSuffix(name, ".down.sql"), "down"
		default:
			return nil, fmt.Errorf("migrations: unexpected file %s/%s", dir, name)
		}
		body, err := fs.ReadFile(files, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		m := byID[id]
		if m == nil {
			m = &Migration{ID: id}
			byID[id] = m
		}
		if kind == "up" {
			m.Up = string(body)
		} else {
			m.Down = string(body)
		}
	}
	out := make([]Migration, 0, len(byID))
	for _, m := range byID {
		if m.Up == "" || m.Down == "" {
			return nil, fmt.Errorf("migrations: %s/%s lacks its up or down file", dir, m.ID)
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`

// Up applies every pending migration, each in its own transaction, and
// reports each applied id through progress (may be nil).
func Up(ctx context.Context, d *bun.DB, progress func(id string)) error {
	all, err := List(db.DialectOf(d))
	if err != nil {
		return err
	}
	if _, err := d.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied, err := appliedIDs(ctx, d)
	if err != nil {
		return err
	}
	for _, m := range all {
		if _, ok := applied[m.ID]; ok {
			continue
		}
		err := d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, m.Up); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", m.ID, time.Now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s up: %w", m.ID, err)
		}
		if progress != nil {
			progress(m.ID)
		}
	}
	return nil
}

// Down reverts the last steps applied migrations (newest first).
func Down(ctx context.Context, d *bun.DB, steps int, progress func(id string)) error {
	all, err := List(db.DialectOf(d))
	if err != nil {
		return err
	}
	if _, err := d.ExecContext(ctx, createTable); err != nil {
		return err
	}
	applied, err := appliedIDs(ctx, d)
	if err != nil {
		return err
	}
	for i := len(all) - 1; i >= 0 && steps > 0; i-- {
		m := all[i]
		if _, ok := applied[m.ID]; !ok {
			continue
		}
		err := d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, m.Down); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "DELETE FROM schema_migrations WHERE id = ?", m.ID)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s down: %w", m.ID, err)
		}
		steps--
		if progress != nil {
			progress(m.ID)
		}
	}
	return nil
}

// StatusOf lists every migration with its applied time (nil when pending).
func StatusOf(ctx context.Context, d *bun.DB) ([]Status, error) {
	all, err := List(db.DialectOf(d))
	if err != nil {
		return nil, err
	}
	applied, err := appliedIDs(ctx, d)
	if err != nil {
		return nil, err
	}
	out := make([]Status, len(all))
	for i, m := range all {
		out[i].ID = m.ID
		if at, ok := applied[m.ID]; ok {
			at := at
			out[i].AppliedAt = &at
		}
	}
	return out, nil
}

// Pending returns the ids not yet applied; serve refuses to start on a
// PostgreSQL schema that is behind the binary.
func Pending(ctx context.Context, d *bun.DB) ([]string, error) {
	st, err := StatusOf(ctx, d)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range st {
		if s.AppliedAt == nil {
			out = append(out, s.ID)
		}
	}
	return out, nil
}

func appliedIDs(ctx context.Context, d *bun.DB) (map[string]time.Time, error) {
	var rows []struct {
		ID        string    `bun:"id"`
		AppliedAt time.Time `bun:"applied_at"`
	}
	err := d.NewSelect().TableExpr("schema_migrations").Column("id", "applied_at").Scan(ctx, &rows)
	if err != nil {
		if strings.Contains(err.Error(), "schema_migrations") {
			return map[string]time.Time{}, nil // not created yet: nothing applied
		}
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.ID] = r.AppliedAt
	}
	return out, nil
}

// GrantApp gives the non-owner app role the data privileges it needs on every
// table and sequence the owner created. The app role owns nothing, so RLS,
// which is FORCEd, applies to it; it can never alter the schema.
func GrantApp(ctx context.Context, d *bun.DB, role string) error {
	if db.DialectOf(d) != db.Postgres {
		return nil
	}
	stmts := []string{
		"GRANT USAGE ON SCHEMA public TO ?",
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ?",
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ?",
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ?",
		"REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ?",
	}
	for _, s := range stmts {
		if _, err := d.ExecContext(ctx, s, bun.Ident(role)); err != nil {
			return fmt.Errorf("grant to app role %q: %w", role, err)
		}
	}
	return nil
}
