package tenant

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
)

// TaxRate is a rate a tenant offers on lines. RateBP is in basis points
// (21 % = 2100) so that tax arithmetic stays in integers.
type TaxRate struct {
	ID        uuid.UUID
	Name      string
	RateBP    int
	IsDefault bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

type taxRateRow struct {
	bun.BaseModel `bun:"table:tax_rates,alias:x"`
	Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Name      string    `bun:"name"`
	RateBP    int       `bun:"rate_bp"`
	IsDefault bool      `bun:"is_default"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func toTaxRate(r *taxRateRow) TaxRate {
	return TaxRate{ID: r.ID, Name: r.Name, RateBP: r.RateBP, IsDefault: r.IsDefault, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// TaxRateInput creates a rate or, with nil fields left alone, changes one.
type TaxRateInput struct {
	Name      *string
	RateBP    *int
	IsDefault *bool
}

func (in *TaxRateInput) check(creating bool) error {
	f := errs.Fields{}
	if in.Name != nil || creating {
		n := ""
		if in.Name != nil {
			n = *in.Name
		}
		n = checkName(f, "name", n, 60)
		in.Name = &n
	}
	if in.RateBP != nil && (*in.RateBP < 0 || *in.RateBP > 10000) {
		f.Add("rate_bp", "must be between 0 and 10000 basis points (0 % to 100 %)")
	} else if in.RateBP == nil && creating {
		f.Add("rate_bp", "is required")
	}
	return f.Err()
}

// ListTaxRates returns the bound tenant's rates by name.
func (s *Service) ListTaxRates(ctx context.Context) ([]TaxRate, error) {
	var rows []taxRateRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&rows).Order("x.name").Limit(500).Scan(ctx)
	})
	out := make([]TaxRate, len(rows))
	for i := range rows {
		out[i] = toTaxRate(&rows[i])
	}
	return out, err
}

// TaxRate reads one rate; another tenant's or a deleted one is
// errs.NotFound. Pricing a line reads its product's rate by key instead of
// listing them all.
func (s *Service) TaxRate(ctx context.Context, id uuid.UUID) (TaxRate, error) {
	var row taxRateRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("x.id = ?", id).Scan(ctx)
	})
	if err != nil {
		return TaxRate{}, db.Translate(err)
	}
	return toTaxRate(&row), nil
}

// CreateTaxRate adds a rate; making it the default unsets the previous one
// in the same transaction.
func (s *Service) CreateTaxRate(ctx context.Context, in TaxRateInput) (TaxRate, error) {
	if err := in.check(true); err != nil {
		return TaxRate{}, err
	}
	t := now()
	row := &taxRateRow{ID: newID(), Name: *in.Name, RateBP: *in.RateBP, IsDefault: in.IsDefault != nil && *in.IsDefault, CreatedAt: t, UpdatedAt: t}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if row.IsDefault {
			if err := clearDefaultTax(ctx, tx); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return taxNameTaken(err)
		}
		return Audit(ctx, tx, AuditEntry{Action: "tax_rate.created", Resource: "tax_rates", ResourceID: row.ID.String(), After: toTaxRate(row)})
	})
	return toTaxRate(row), err
}

// UpdateTaxRate changes the fields that are set.
func (s *Service) UpdateTaxRate(ctx context.Context, id uuid.UUID, in TaxRateInput) (TaxRate, error) {
	if err := in.check(false); err != nil {
		return TaxRate{}, err
	}
	var row taxRateRow
	var before TaxRate
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("x.id = ?", id).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		before = toTaxRate(&row)
		if in.Name != nil {
			row.Name = *in.Name
		}
		if in.RateBP != nil {
			row.RateBP = *in.RateBP
		}
		if in.IsDefault != nil {
			if *in.IsDefault && !row.IsDefault {
				if err := clearDefaultTax(ctx, tx); err != nil {
					return err
				}
			}
			row.IsDefault = *in.IsDefault
		}
		row.UpdatedAt = now()
		if _, err := tx.NewUpdate().Model(&row).Column("name", "rate_bp", "is_default", "updated_at").Where("x.id = ?", id).Exec(ctx); err != nil {
			return taxNameTaken(err)
		}
		return Audit(ctx, tx, AuditEntry{Action: "tax_rate.updated", Resource: "tax_rates", ResourceID: id.String(), Before: before, After: toTaxRate(&row)})
	})
	return toTaxRate(&row), err
}

// DeleteTaxRate removes a rate.
func (s *Service) DeleteTaxRate(ctx context.Context, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var row taxRateRow
		if err := tx.NewSelect().Model(&row).Where("x.id = ?", id).Scan(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*taxRateRow)(nil)).Where("x.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "tax_rate.deleted", Resource: "tax_rates", ResourceID: id.String(), Before: toTaxRate(&row)})
	})
}

func clearDefaultTax(ctx context.Context, tx bun.IDB) error {
	_, err := tx.NewUpdate().Model((*taxRateRow)(nil)).Set("is_default = ?", false).Set("updated_at = ?", now()).Where("x.is_default").Exec(ctx)
	return err
}

// taxNameTaken names the field when a unique index refuses the row. The
// one-default index can only refuse it when another request set a default
// at the same moment (PostgreSQL; SQLite's single writer serialises them).
func taxNameTaken(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "tax_rates_one_default" {
		return &errs.Error{Code: errs.Conflict, Message: "another default tax rate was set at the same time; retry", Fields: map[string]string{"is_default": "changed concurrently"}}
	}
	if errs.Is(db.Translate(err), errs.Conflict) {
		return &errs.Error{Code: errs.Conflict, Message: "a tax rate with this name already exists", Fields: map[string]string{"name": "already exists"}}
	}
	return err
}
