package web

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
)

// MaxExportRows bounds one `<resource>.csv` export; a bigger one asks the
// caller to narrow the filter instead of holding the database for minutes.
const MaxExportRows = 100_000

// exportPage is how many rows an export reads per query.
const exportPage = 500

// EachPage walks a keyset-paged list from the start: page(after, limit)
// returns up to limit rows after the row with id after (nil: the first
// page), in the list's order. fn sees every row; more than MaxExportRows is
// a 422. Callers run it inside one transaction so the export is one
// snapshot.
func EachPage[T any](page func(after *uuid.UUID, limit int) ([]T, error), id func(T) uuid.UUID, fn func(T) error) error {
	var after *uuid.UUID
	for n := 0; ; {
		rows, err := page(after, exportPage)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if n++; n > MaxExportRows {
				return errs.E(errs.FailedPrecondition, "more than %d rows match; narrow the filter", MaxExportRows)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < exportPage {
			return nil
		}
		last := id(rows[len(rows)-1])
		after = &last
	}
}

// SendCSV answers a CSV download named filename: the header row, then what
// rows writes. The body is built before anything is sent, so an error half
// way is still a problem+json answer, not a truncated file with status 200.
func SendCSV(c *fiber.Ctx, filename string, header []string, rows func(emit func(rec ...string) error) error) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return err
	}
	if err := rows(func(rec ...string) error { return w.Write(rec) }); err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.Send(buf.Bytes())
}

// Defuse makes free text safe to open in a spreadsheet: a cell that starts
// like a formula is prefixed with ' (OWASP CSV injection).
func Defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSV cell formats shared by the exports: integers as digits, dates as
// YYYY-MM-DD, instants as RFC 3339 UTC, absent values as empty cells.

// Int formats an integer cell.
func Int(v int64) string { return strconv.FormatInt(v, 10) }

// Date formats a date cell.
func Date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// Instant formats a timestamp cell.
func Instant(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ID formats an optional id cell.
func ID(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}
