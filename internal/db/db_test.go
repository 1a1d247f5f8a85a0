package db

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A file database gets the background checkpointer: writes keep working
// while it copies the WAL, it copies it, and closing the database stops it.
func TestSQLiteFileCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nexo.db")
	d, dialect, err := Open(ctx, "sqlite:file:"+path, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if dialect != SQLite {
		t.Fatalf("dialect %s", dialect)
	}
	if _, err := d.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO t (v) VALUES (?)", strings.Repeat("x", 1000)); err != nil {
			t.Fatalf("insert %d (read then write, beside the checkpointer): %v", i, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	// The writer's own checkpoint waits for 50,000 pages: only the
	// checkpointer copies these 200 KB into the database file.
	deadline := time.Now().Add(5 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 150_000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file has %d bytes: the WAL was not checkpointed", fi.Size())
		}
		time.Sleep(checkpointEvery)
	}
	done := make(chan error)
	go func() { done <- d.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs: the checkpointer did not stop")
	}
}
