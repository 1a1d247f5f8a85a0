// Package db opens Nexo's database (PostgreSQL in production, SQLite as the
// embedded default) through bun, and translates driver errors into errs codes
// once, so no driver text ever reaches a client.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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
	// bun renders every argument into the SQL text itself, so no query
	// carries parameters and nearly every text is unique. pgx's default
	// (cache a prepared statement per text) would then cost each query an
	// extra Parse/Describe round trip, fill the per-connection statement
	// cache and DEALLOCATE from it; the simple protocol sends the text once.
	// It is what pgx already uses for any Exec without arguments. Should a
	// query ever pass arguments, pgx quotes them client-side (this needs
	// standard_conforming_strings, on by default since PostgreSQL 9.1).
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
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
//
// A database file (WAL mode) also gets a checkpointer: SQLite's automatic
// checkpoint runs inside the COMMIT that crosses the threshold, on the one
// connection, and fsyncs the database file, so every writer queued behind
// it waits (in the order placement benchmark it cost 60% of the
// throughput). Instead a connection of its own copies the WAL into the
// database in the background. It only ever runs PASSIVE checkpoints, which
// take no writer lock: a blocking one (FULL, RESTART, TRUNCATE) would make
// the writer's read-to-write upgrade fail at once with SQLITE_BUSY. The
// writer restarts the WAL from its start by itself once everything in it
// has been copied, and keeps an automatic checkpoint at a high threshold as
// a backstop; journal_size_limit caps the WAL file kept after a restart.
func openSQLite(ctx context.Context, dsn string) (*bun.DB, error) {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	file := !strings.Contains(dsn, "mode=memory") && !strings.Contains(dsn, ":memory:")
	var ckpt *checkpointer
	if file {
		ckpt = &checkpointer{dsn: dsn, stop: make(chan struct{}), done: make(chan struct{})}
		dsn += "&_pragma=wal_autocheckpoint(" + fmt.Sprint(walBackstopPages) + ")&_pragma=journal_size_limit(67108864)"
	}
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	drv := probe.Driver()
	_ = probe.Close()
	sqldb := sql.OpenDB(&sqliteConnector{dsn: dsn, drv: drv, ckpt: ckpt})
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	if ckpt != nil {
		ckpt.started.Store(true)
		go ckpt.run(drv)
	}
	return db, nil
}

// The writer's own automatic checkpoint runs only past walBackstopPages of
// WAL (4 KiB pages); the checkpointer runs every checkpointEvery.
const (
	walBackstopPages = 50_000
	checkpointEvery  = 200 * time.Millisecond
)

// sqliteConnector opens the writer connection; closing the *sql.DB stops
// the checkpointer (database/sql closes a connector that is an io.Closer).
type sqliteConnector struct {
	dsn  string
	drv  driver.Driver
	ckpt *checkpointer
}

func (c *sqliteConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c *sqliteConnector) Driver() driver.Driver                        { return c.drv }

func (c *sqliteConnector) Close() error {
	if c.ckpt != nil {
		c.ckpt.close()
	}
	return nil
}

// checkpointer copies a WAL database's log into the database file off the
// writer's path.
type checkpointer struct {
	dsn        string
	stop, done chan struct{}
	once       sync.Once
	started    atomic.Bool
}

func (c *checkpointer) run(drv driver.Driver) {
	defer close(c.done)
	conn := sql.OpenDB(&sqliteConnector{dsn: c.dsn, drv: drv})
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// Errors are left to the next tick; the writer's backstop remains.
		_, _ = conn.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		if c.started.Load() {
			<-c.done
		}
	})
}
