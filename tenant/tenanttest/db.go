// Package tenanttest gives tests a migrated database: an in-memory SQLite one
// by default (no setup), or, when NEXO_TEST_DATABASE_URL names a PostgreSQL
// owner connection, a fresh database migrated as the owner and opened as the
// non-owner app role, so row-level security is exercised.
package tenanttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/migrations"
)

// AppRole is the PostgreSQL role tests connect as (NEXO_TEST_APP_ROLE).
func AppRole() string {
	if r := os.Getenv("NEXO_TEST_APP_ROLE"); r != "" {
		return r
	}
	return "nexo_app"
}

// Postgres reports whether tests run against PostgreSQL.
func Postgres() bool { return os.Getenv("NEXO_TEST_DATABASE_URL") != "" }

var (
	pgOnce   sync.Once
	pgErr    error
	pgOwner  *bun.DB
	pgApp    *bun.DB
	pgDBName string
)

// DB returns a migrated database for t as the app role. On SQLite each call
// gets its own in-memory database; on PostgreSQL the tests of one package
// share one database (tests isolate themselves by creating their own tenants,
// which is the property under test anyway).
func DB(t testing.TB) *bun.DB {
	t.Helper()
	if !Postgres() {
		return sqliteDB(t)
	}
	pgOnce.Do(func() { pgErr = setupPostgres() })
	if pgErr != nil {
		t.Fatalf("tenanttest: %v", pgErr)
	}
	return pgApp
}

// OwnerDB returns the owner connection of the shared PostgreSQL test
// database (catalog checks); it skips on SQLite.
func OwnerDB(t testing.TB) *bun.DB {
	t.Helper()
	if !Postgres() {
		t.Skip("PostgreSQL only (set NEXO_TEST_DATABASE_URL)")
	}
	DB(t)
	return pgOwner
}

// Main wraps a package's TestMain: it runs the tests and drops the PostgreSQL
// database they used.
func Main(m interface{ Run() int }) {
	code := m.Run()
	if pgOwner != nil {
		_ = pgApp.Close()
		_ = pgOwner.Close()
		if admin, err := openPG(os.Getenv("NEXO_TEST_DATABASE_URL"), "", ""); err == nil {
			_, _ = admin.Exec("DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(pgDBName))
			_ = admin.Close()
		}
	}
	os.Exit(code)
}

func sqliteDB(t testing.TB) *bun.DB {
	t.Helper()
	ctx := context.Background()
	dsn := "sqlite:file:" + randName("mem") + "?mode=memory&cache=shared"
	if os.Getenv("NEXO_TEST_SQLITE_FILE") != "" {
		// What embedded mode ships: a database file in WAL mode (the order
		// placement benchmark measures P4 on it).
		dsn = "sqlite:file:" + filepath.Join(t.TempDir(), "nexo.db")
	}
	d, _, err := db.Open(ctx, dsn, "", db.Options{})
	if err != nil {
		t.Fatalf("tenanttest: open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := migrations.Up(ctx, d, nil); err != nil {
		t.Fatalf("tenanttest: migrate sqlite: %v", err)
	}
	return d
}

// FreshPostgres creates an empty database owned by the test owner and
// returns owner and app connections to it (for migration tests); it is
// dropped when t ends.
func FreshPostgres(t testing.TB) (owner, app *bun.DB) {
	t.Helper()
	admin, err := openPG(os.Getenv("NEXO_TEST_DATABASE_URL"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	name := randName("nexo_test")
	if _, err := admin.Exec("CREATE DATABASE ?", bun.Ident(name)); err != nil {
		t.Fatal(err)
	}
	owner, err = openPG(os.Getenv("NEXO_TEST_DATABASE_URL"), name, "")
	if err != nil {
		t.Fatal(err)
	}
	app, err = openPG(os.Getenv("NEXO_TEST_DATABASE_URL"), name, AppRole())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = app.Close()
		_ = owner.Close()
		_, _ = admin.Exec("DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name))
		_ = admin.Close()
	})
	return owner, app
}

func setupPostgres() error {
	base := os.Getenv("NEXO_TEST_DATABASE_URL")
	admin, err := openPG(base, "", "")
	if err != nil {
		return err
	}
	defer admin.Close()
	pgDBName = randName("nexo_test")
	if _, err := admin.Exec("CREATE DATABASE ?", bun.Ident(pgDBName)); err != nil {
		return fmt.Errorf("create test database: %w", err)
	}
	if pgOwner, err = openPG(base, pgDBName, ""); err != nil {
		return err
	}
	ctx := context.Background()
	if err := migrations.Up(ctx, pgOwner, nil); err != nil {
		return err
	}
	if err := migrations.GrantApp(ctx, pgOwner, AppRole()); err != nil {
		return err
	}
	pgApp, err = openPG(base, pgDBName, AppRole())
	return err
}

// openPG opens base with its database and user optionally replaced.
func openPG(base, dbname, user string) (*bun.DB, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if dbname != "" {
		u.Path = "/" + dbname
	}
	if user != "" {
		u.User = url.User(user)
	}
	d, _, err := db.Open(context.Background(), u.String(), "", db.Options{MaxOpenConns: 40})
	return d, err
}

func randName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}
