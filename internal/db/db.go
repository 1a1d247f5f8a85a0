// Package db opens Nexo's database (PostgreSQL in production, SQLite as the
// embedded default) through bun, and translates driver errors into errs codes
// once, so no driver text ever reaches a client.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"
)

// Dialect names the database engine behind a *bun.DB.
type Dialect string

// The two supported engines.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Options tunes Open. Zero values are sensible defaults.
type Options struct {
	// StatementTimeout bounds every PostgreSQL statement (A5).
	StatementTimeout time.Duration
	// MaxOpenConns caps the PostgreSQL pool.
	MaxOpenConns int
}

// Open connects to url: a postgres:// URL opens PostgreSQL; "" opens the
// embedded SQLite file nexo.db under dataDir; a "sqlite:" prefix opens that
// SQLite DSN as is (tests use in-memory databases this way).
func Open(ctx context.Context, url, dataDir string, opt Options) (*bun.DB, Dialect, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		db, err := openPostgres(ctx, url, opt)
		return db, Postgres, err
	case url == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, "", fmt.Errorf("create data dir: %w", err)
		}
		path := filepath.Join(dataDir, "nexo.db")
		db, err := openSQLite(ctx, "file:"+path)
		return db, SQLite, err
	case strings.HasPrefix(url, "sqlite:"):
		db, err := openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
		return db, SQLite, err
	default:
		return nil, "", fmt.Errorf("unsupported database URL scheme (want postgres:// or empty for embedded SQLite)")
	}
}

// DialectOf reports the engine behind db.
func DialectOf(db bun.IDB) Dialect {
	if _, ok := db.Dialect().(*pgdialect.Dialect); ok {
		return Postgres
	}
	return SQLite
}

func openPostgres(ctx context.Context, url string, opt Options) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	timeout := opt.StatementTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(timeout.Milliseconds())
	cfg.RuntimeParams["idle_in_transaction_session_timeout"] = "60000"
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	sqldb := stdlib.OpenDB(*cfg)
	maxConns := opt.MaxOpenConns
	if maxConns == 0 {
		maxConns = 20
	}
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := bun.NewDB(sqldb, pgdialect.New())
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// openSQLite opens one connection: SQLite has a single writer, and a single
// connection means transactions queue in Go instead of failing with
// SQLITE_BUSY when a reader upgrades to a writer.
func openSQLite(ctx context.Context, dsn string) (*bun.DB, error) {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	return db, nil
}
