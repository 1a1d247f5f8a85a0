package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"nexo/internal/errs"
)

// Translate maps a driver error to a coded error: no rows → not_found, unique
// violation → conflict, foreign key / check / bad value → invalid. The driver
// text is kept as the (logged, never shown) cause. Coded errors and nil pass
// through unchanged.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var coded *errs.Error
	if errors.As(err, &coded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Wrap(errs.NotFound, err, "not found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errs.Wrap(errs.Internal, err, "request cancelled or timed out")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return errs.Wrap(errs.Conflict, err, "already exists")
		case pgErr.Code == "23503", pgErr.Code == "23514", pgErr.Code == "23502", strings.HasPrefix(pgErr.Code, "22"):
			return errs.Wrap(errs.Invalid, err, "invalid reference or value")
		case pgErr.Code == "42501":
			// Insufficient privilege, including an RLS WITH CHECK failure: a
			// row for another tenant. Answer as if the target did not exist.
			return errs.Wrap(errs.NotFound, err, "not found")
		case pgErr.Code == "40001", pgErr.Code == "40P01":
			return errs.Wrap(errs.Conflict, err, "concurrent update, retry")
		}
		return errs.Wrap(errs.Internal, err, "database error")
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return errs.Wrap(errs.Conflict, err, "already exists")
		case 787, 275, 1299: // FOREIGNKEY, CHECK, NOTNULL
			return errs.Wrap(errs.Invalid, err, "invalid reference or value")
		case 5, 6, 517: // BUSY, LOCKED, BUSY_SNAPSHOT
			return errs.Wrap(errs.Conflict, err, "database busy, retry")
		}
	}
	return errs.Wrap(errs.Internal, err, "database error")
}
