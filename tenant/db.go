package tenant

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
)

// ErrNoTenant is returned by every tenant query made without a bound tenant:
// isolation fails closed.
var ErrNoTenant = errs.E(errs.Internal, "no tenant bound to the request")

// DB is the tenant-bound database handle modules receive instead of *bun.DB.
type DB struct {
	bun      *bun.DB
	dialect  db.Dialect
	onCommit func()
}

// OnCommit registers f to run after every committed transaction; the wiring
// uses it to wake the outbox relay, so events written by a request are
// delivered at once instead of at the next poll. Call before serving.
func (d *DB) OnCommit(f func()) { d.onCommit = f }

// NewDB wraps an open database.
func NewDB(b *bun.DB) *DB { return &DB{bun: b, dialect: db.DialectOf(b)} }

// Dialect reports the engine.
func (d *DB) Dialect() db.Dialect { return d.dialect }

// Bun exposes the raw handle to platform code (migrations, health checks,
// the outbox relay). SECURITY: modules must not use it; the arch test bans it.
func (d *DB) Bun() *bun.DB { return d.bun }

type txState struct {
	tx          bun.Tx
	tenant      uuid.UUID // uuid.Nil for a platform transaction
	afterCommit []func()
	// audits are the audit rows written in tx and not yet inserted: they go
	// in as one multi-row INSERT before the tenant changes or the
	// transaction commits (see Audit), still inside the transaction.
	audits []*auditRow
}

// flushAudits inserts the pending audit rows, all of st.tenant, in tx.
func (st *txState) flushAudits(ctx context.Context) error {
	if len(st.audits) == 0 {
		return nil
	}
	rows := st.audits
	st.audits = nil
	_, err := st.tx.NewInsert().Model(&rows).Exec(WithTenant(ctx, st.tenant))
	return err
}

// Run runs fn in a transaction bound to ctx's tenant. A Run inside another
// Run joins the outer transaction, so flows compose module services into one
// atomic change. On PostgreSQL the tenant is set transaction-locally for RLS.
func (d *DB) Run(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error {
	tid, ok := FromContext(ctx)
	if !ok {
		return ErrNoTenant
	}
	if st, ok := ctx.Value(txKey).(*txState); ok {
		if st.tenant != tid {
			if err := st.flushAudits(ctx); err != nil {
				return db.Translate(err)
			}
			if err := d.bindTenant(ctx, st.tx, tid); err != nil {
				return err
			}
			st.tenant = tid
		}
		return fn(ctx, st.tx)
	}
	return d.begin(ctx, tid, fn)
}

// Platform runs fn in a transaction with no tenant bound: only platform
// tables (tenants, the outbox, idempotency keys) are visible on PostgreSQL.
// A tenant bound later in the same transaction (signup) is applied by Run.
func (d *DB) Platform(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error {
	if st, ok := ctx.Value(txKey).(*txState); ok {
		return fn(ctx, st.tx)
	}
	return d.begin(ctx, uuid.Nil, fn)
}

// InTx reports whether ctx carries an open transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey).(*txState)
	return ok
}

func (d *DB) begin(ctx context.Context, tid uuid.UUID, fn func(ctx context.Context, tx bun.IDB) error) error {
	tx, err := d.bun.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return db.Translate(err)
	}
	st := &txState{tx: tx, tenant: tid}
	if tid != uuid.Nil {
		if err := d.bindTenant(ctx, tx, tid); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	ctx = context.WithValue(ctx, txKey, st)
	err = fn(ctx, tx)
	if err == nil {
		err = st.flushAudits(ctx)
	}
	if err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, rbErr)
		}
		return db.Translate(err)
	}
	if err := tx.Commit(); err != nil {
		return db.Translate(err)
	}
	for _, f := range st.afterCommit {
		f()
	}
	if d.onCommit != nil {
		d.onCommit()
	}
	return nil
}

// AfterCommit registers f to run once the transaction in ctx commits (cache
// invalidation, policy reloads); it never runs after a rollback. Outside a
// transaction f runs at once.
func AfterCommit(ctx context.Context, f func()) {
	if st, ok := ctx.Value(txKey).(*txState); ok {
		st.afterCommit = append(st.afterCommit, f)
		return
	}
	f()
}

// bindTenant sets app.tenant_id for the rest of the transaction only, which is
// safe with pooled connections: it cannot leak into the next borrower.
func (d *DB) bindTenant(ctx context.Context, tx bun.Tx, tid uuid.UUID) error {
	if d.dialect != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', ?, true)", tid.String())
	return db.Translate(err)
}

// SetLocal sets a transaction-local PostgreSQL setting (e.g. app.login_email
// for the login lookup policy); a no-op on SQLite.
func SetLocal(ctx context.Context, tx bun.IDB, name, value string) error {
	if db.DialectOf(tx) != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT set_config(?, ?, true)", name, value)
	return db.Translate(err)
}
