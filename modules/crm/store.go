package crm

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

type accountRow struct {
	bun.BaseModel `bun:"table:accounts,alias:a"`
	tenant.Scoped
	ID                 uuid.UUID  `bun:"id,pk,type:uuid"`
	Name               string     `bun:"name"`
	TaxID              string     `bun:"tax_id"`
	Email              string     `bun:"email"`
	Phone              string     `bun:"phone"`
	BillingLine1       string     `bun:"billing_line1"`
	BillingLine2       string     `bun:"billing_line2"`
	BillingCity        string     `bun:"billing_city"`
	BillingPostalCode  string     `bun:"billing_postal_code"`
	BillingRegion      string     `bun:"billing_region"`
	BillingCountry     string     `bun:"billing_country"`
	ShippingLine1      string     `bun:"shipping_line1"`
	ShippingLine2      string     `bun:"shipping_line2"`
	ShippingCity       string     `bun:"shipping_city"`
	ShippingPostalCode string     `bun:"shipping_postal_code"`
	ShippingRegion     string     `bun:"shipping_region"`
	ShippingCountry    string     `bun:"shipping_country"`
	OwnerUserID        *uuid.UUID `bun:"owner_user_id,type:uuid"`
	PaymentTermsDays   int        `bun:"payment_terms_days"`
	CreditLimitMinor   int64      `bun:"credit_limit_minor"`
	Currency           string     `bun:"currency"`
	Active             bool       `bun:"active"`
	NameKey            string     `bun:"name_key"` // see nameKey; '' for rows not keyed yet
	TaxKey             string     `bun:"tax_key"`
	CreatedAt          time.Time  `bun:"created_at"`
	UpdatedAt          time.Time  `bun:"updated_at"`
}

// accountColumns are the columns an update writes (everything but the keys
// and created_at).
var accountColumns = []string{"name", "tax_id", "email", "phone",
	"billing_line1", "billing_line2", "billing_city", "billing_postal_code", "billing_region", "billing_country",
	"shipping_line1", "shipping_line2", "shipping_city", "shipping_postal_code", "shipping_region", "shipping_country",
	"owner_user_id", "payment_terms_days", "credit_limit_minor", "currency", "active", "name_key", "tax_key", "updated_at"}

func (r *accountRow) account() Account {
	return Account{ID: r.ID, Name: r.Name, TaxID: r.TaxID, Email: r.Email, Phone: r.Phone,
		Billing: Address{r.BillingLine1, r.BillingLine2, r.BillingCity, r.BillingPostalCode, r.BillingRegion, r.BillingCountry},
		Shipping: Address{r.ShippingLine1, r.ShippingLine2, r.ShippingCity, r.ShippingPostalCode, r.ShippingRegion,
			r.ShippingCountry},
		OwnerUserID: r.OwnerUserID, PaymentTermsDays: r.PaymentTermsDays, CreditLimitMinor: r.CreditLimitMinor,
		Currency: r.Currency, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func rowOf(a *Account) *accountRow {
	b, s := a.Billing, a.Shipping
	return &accountRow{ID: a.ID, Name: a.Name, TaxID: a.TaxID, Email: a.Email, Phone: a.Phone,
		BillingLine1: b.Line1, BillingLine2: b.Line2, BillingCity: b.City, BillingPostalCode: b.PostalCode,
		BillingRegion: b.Region, BillingCountry: b.Country,
		ShippingLine1: s.Line1, ShippingLine2: s.Line2, ShippingCity: s.City, ShippingPostalCode: s.PostalCode,
		ShippingRegion: s.Region, ShippingCountry: s.Country,
		OwnerUserID: a.OwnerUserID, PaymentTermsDays: a.PaymentTermsDays, CreditLimitMinor: a.CreditLimitMinor,
		Currency: a.Currency, Active: a.Active, NameKey: nameKey(a.Name), TaxKey: taxKey(a.TaxID),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// userRef is the part of tenant's users table an owner reference is checked
// against; tenant exposes no row type for it.
type userRef struct {
	bun.BaseModel `bun:"table:users,alias:u"`
	tenant.Scoped
	ID uuid.UUID `bun:"id,pk,type:uuid"`
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// forUpdate locks the selected row until commit on PostgreSQL; SQLite's
// single writer already serialises writing transactions.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// getAccount reads one account of the bound tenant; another tenant's id is
// simply not found (the Scoped hook and RLS both keep it out).
func getAccount(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (*accountRow, error) {
	var r accountRow
	q := tx.NewSelect().Model(&r).Where("a.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return nil, errs.E(errs.NotFound, "account not found")
		}
		return nil, err
	}
	return &r, nil
}

// userExists reports whether id is a user of the bound tenant.
func userExists(ctx context.Context, tx bun.IDB, id uuid.UUID) (bool, error) {
	return tx.NewSelect().Model((*userRef)(nil)).Apply(tenant.ScopeSelect(ctx)).Where("u.id = ?", id).Exists(ctx)
}

// likePattern turns a search text into a LIKE pattern matching it anywhere,
// with LIKE's wildcards escaped (used with ESCAPE '\').
func likePattern(q string) string {
	return "%" + escapeLike(strings.ToLower(q)) + "%"
}

// escapeLike escapes LIKE's wildcards (used with ESCAPE '\').
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
