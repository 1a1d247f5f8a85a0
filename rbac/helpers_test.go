package rbac

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// quiet drops the warnings tests provoke on purpose.
var quiet = slog.New(slog.DiscardHandler)

// errRollback makes a test transaction roll back.
var errRollback = errors.New("rollback")

// newEnforcer returns an enforcer on d without periodic reload unless opts
// asks for one.
func newEnforcer(t *testing.T, d *bun.DB, opts Options) *Enforcer {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	if opts.ReloadEvery == 0 {
		opts.ReloadEvery = -1
	}
	e, err := New(context.Background(), d, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// run runs fn in a tenant.DB transaction bound to tid, as services do.
func run(d *bun.DB, tid uuid.UUID, fn func(ctx context.Context, tx bun.IDB) error) error {
	return tenant.NewDB(d).Run(tenant.WithTenant(context.Background(), tid), fn)
}

// mustRun is run that fails the test on error.
func mustRun(t *testing.T, d *bun.DB, tid uuid.UUID, fn func(ctx context.Context, tx bun.IDB) error) {
	t.Helper()
	if err := run(d, tid, fn); err != nil {
		t.Fatal(err)
	}
}

// setRoles assigns roles in its own committed transaction.
func setRoles(t *testing.T, e *Enforcer, d *bun.DB, tid uuid.UUID, subject string, roles ...string) {
	t.Helper()
	mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error {
		return e.SetRoles(ctx, tx, tid, subject, roles)
	})
}

// putRole creates or replaces a custom role in its own transaction.
func putRole(t *testing.T, e *Enforcer, d *bun.DB, tid uuid.UUID, role string, perms ...string) {
	t.Helper()
	mustRun(t, d, tid, func(ctx context.Context, tx bun.IDB) error {
		return e.PutCustomRole(ctx, tx, tid, role, perms)
	})
}

// eventually polls cond every 10ms until it holds or 5s pass (A3's bound).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func subject() string { return "u:" + uuid.NewString() }

func newTenant() uuid.UUID { return uuid.Must(uuid.NewV7()) }
