package tenant

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// NumberSeries numbers one kind of document: prefix ({YYYY} becomes the
// year), zero-padded counter. Numbers are issued without gaps and never
// reused (E7), so next_number only goes up.
type NumberSeries struct {
	Code       string
	Prefix     string
	Padding    int
	NextNumber int64
}

// seriesDefaults are the series every tenant has until it changes one.
var seriesDefaults = []NumberSeries{
	{"quote", "Q{YYYY}-", 6, 1},
	{"order", "SO{YYYY}-", 6, 1},
	{"production_order", "MO{YYYY}-", 6, 1},
	{"shipment", "SH{YYYY}-", 6, 1},
	{"invoice", "F{YYYY}-", 6, 1},
	{"credit_note", "R{YYYY}-", 6, 1},
	{"return", "RMA{YYYY}-", 6, 1},
	{"ticket", "TK{YYYY}-", 6, 1},
}

// MaxSeriesNumber bounds next_number: twelve digits (the widest padding)
// are plenty, and the counter can never overflow.
const MaxSeriesNumber = 999_999_999_999

var prefixRE = regexp.MustCompile(`^(?:[A-Za-z0-9/_-]|\{YYYY\})*$`)

type seriesRow struct {
	bun.BaseModel `bun:"table:number_series,alias:n"`
	Scoped
	Code       string    `bun:"code,pk"`
	Prefix     string    `bun:"prefix"`
	Padding    int       `bun:"padding"`
	NextNumber int64     `bun:"next_number"`
	UpdatedAt  time.Time `bun:"updated_at"`
	// Timezone is the tenant's, returned by NextNumber's upsert.
	Timezone string `bun:"timezone,scanonly"`
}

func seriesDefault(code string) (NumberSeries, bool) {
	for _, d := range seriesDefaults {
		if d.Code == code {
			return d, true
		}
	}
	return NumberSeries{}, false
}

// Format renders number n of the series as issued at t.
func (ns NumberSeries) Format(n int64, t time.Time) string {
	return strings.ReplaceAll(ns.Prefix, "{YYYY}", fmt.Sprint(t.Year())) + fmt.Sprintf("%0*d", ns.Padding, n)
}

// ListNumberSeries returns every series of the bound tenant, stored or default.
func (s *Service) ListNumberSeries(ctx context.Context) ([]NumberSeries, error) {
	var rows []seriesRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&rows).Scan(ctx)
	})
	stored := map[string]seriesRow{}
	for _, r := range rows {
		stored[r.Code] = r
	}
	out := make([]NumberSeries, 0, len(seriesDefaults))
	for _, d := range seriesDefaults {
		if r, ok := stored[d.Code]; ok {
			d = NumberSeries{Code: r.Code, Prefix: r.Prefix, Padding: r.Padding, NextNumber: r.NextNumber}
		}
		out = append(out, d)
	}
	return out, err
}

// SeriesUpdate changes the fields that are set.
type SeriesUpdate struct {
	Prefix     *string
	Padding    *int
	NextNumber *int64
}

// UpdateNumberSeries changes a series; the next number may never go back.
func (s *Service) UpdateNumberSeries(ctx context.Context, code string, in SeriesUpdate) (NumberSeries, error) {
	if _, ok := seriesDefault(code); !ok {
		return NumberSeries{}, errs.E(errs.NotFound, "no such number series")
	}
	f := errs.Fields{}
	if in.Prefix != nil && (len(*in.Prefix) > 20 || !prefixRE.MatchString(*in.Prefix)) {
		f.Add("prefix", "must be up to 20 letters, digits, - / _ and {YYYY}")
	}
	if in.Padding != nil && (*in.Padding < 1 || *in.Padding > 12) {
		f.Add("padding", "must be between 1 and 12")
	}
	if in.NextNumber != nil && *in.NextNumber > MaxSeriesNumber {
		f.Add("next_number", fmt.Sprintf("must be at most %d", int64(MaxSeriesNumber)))
	}
	if err := f.Err(); err != nil {
		return NumberSeries{}, err
	}
	var after NumberSeries
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		before, err := s.lockSeries(ctx, tx, code)
		if err != nil {
			return err
		}
		after = before
		if in.Prefix != nil {
			after.Prefix = *in.Prefix
		}
		if in.Padding != nil {
			after.Padding = *in.Padding
		}
		if in.NextNumber != nil {
			if *in.NextNumber < before.NextNumber {
				return errs.Field("next_number", fmt.Sprintf("must be at least %d: issued numbers are never reused", before.NextNumber))
			}
			after.NextNumber = *in.NextNumber
		}
		row := &seriesRow{Code: code, Prefix: after.Prefix, Padding: after.Padding, NextNumber: after.NextNumber, UpdatedAt: now()}
		if _, err := tx.NewUpdate().Model(row).Column("prefix", "padding", "next_number", "updated_at").Where("n.code = ?", code).Exec(ctx); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "number_series.updated", Resource: "number_series", ResourceID: code, Before: before, After: after})
	})
	return after, err
}

// NextNumber allocates the next number of a series inside the caller's
// transaction with one upsert: the first allocation stores the default with
// its first number taken, later ones bump the stored counter. The row lock
// the upsert takes (PostgreSQL) or the single writer (SQLite) lasts until the
// caller commits, so concurrent documents queue, numbers are consecutive and
// a rolled-back document gives its number back (no gaps, E7).
func (s *Service) NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error) {
	d, ok := seriesDefault(code)
	if !ok {
		return "", errs.E(errs.NotFound, "no such number series")
	}
	tid, _ := FromContext(ctx)
	row := &seriesRow{Code: code, Prefix: d.Prefix, Padding: d.Padding, NextNumber: d.NextNumber + 1, UpdatedAt: now()}
	_, err := tx.NewInsert().Model(row).
		On("CONFLICT (tenant_id, code) DO UPDATE").
		Set("next_number = n.next_number + 1").
		Set("updated_at = EXCLUDED.updated_at").
		// The tenant's time zone ({YYYY} is the tenant's year) comes back
		// with the number: one statement instead of two.
		Returning("prefix, padding, next_number, (SELECT t.timezone FROM tenants AS t WHERE t.id = ?) AS timezone", tid).
		Exec(ctx)
	if err != nil {
		return "", err
	}
	ns := NumberSeries{Code: code, Prefix: row.Prefix, Padding: row.Padding}
	return ns.Format(row.NextNumber-1, inZone(time.Now(), row.Timezone)), nil
}

// lockSeries makes sure the series has a row (inserting its default) and
// returns it locked for the rest of the transaction.
func (s *Service) lockSeries(ctx context.Context, tx bun.IDB, code string) (NumberSeries, error) {
	d, ok := seriesDefault(code)
	if !ok {
		return NumberSeries{}, errs.E(errs.NotFound, "no such number series")
	}
	ins := &seriesRow{Code: code, Prefix: d.Prefix, Padding: d.Padding, NextNumber: d.NextNumber, UpdatedAt: now()}
	if _, err := tx.NewInsert().Model(ins).On("CONFLICT (tenant_id, code) DO NOTHING").Exec(ctx); err != nil {
		return NumberSeries{}, err
	}
	var r seriesRow
	if err := tx.NewSelect().Model(&r).Where("n.code = ?", code).Apply(forUpdate).Scan(ctx); err != nil {
		return NumberSeries{}, err
	}
	return NumberSeries{Code: r.Code, Prefix: r.Prefix, Padding: r.Padding, NextNumber: r.NextNumber}, nil
}

// inZone is t in the tenant's zone tz ("" is UTC), or t unchanged when tz
// is unknown.
func inZone(t time.Time, tz string) time.Time {
	if loc, ok := zones.Load(tz); ok {
		return t.In(loc.(*time.Location))
	}
	loc, err := time.LoadLocation(tz) // reads the zone database each call
	if err != nil {
		return t
	}
	zones.Store(tz, loc)
	return t.In(loc)
}

// zones caches loaded time zones by name (a handful in practice).
var zones sync.Map
