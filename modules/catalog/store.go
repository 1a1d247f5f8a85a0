package catalog

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

type productRow struct {
	bun.BaseModel `bun:"table:products,alias:p"`
	tenant.Scoped
	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	SKU            string     `bun:"sku"`
	Name           string     `bun:"name"`
	Description    string     `bun:"description"`
	Type           string     `bun:"type"`
	Unit           string     `bun:"unit"`
	ListPriceMinor int64      `bun:"list_price_minor"`
	Currency       string     `bun:"currency"`
	CostMinor      int64      `bun:"cost_minor"`
	TaxRateID      *uuid.UUID `bun:"tax_rate_id,type:uuid"`
	LotTracked     bool       `bun:"lot_tracked"`
	ReorderPoint   int64      `bun:"reorder_point"`
	LeadTimeDays   int        `bun:"lead_time_days"`
	DailyCapacity  int64      `bun:"daily_capacity"`
	Active         bool       `bun:"active"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
}

// productColumns are the columns an update writes (everything but the keys
// and created_at).
var productColumns = []string{"sku", "name", "description", "type", "unit", "list_price_minor", "currency",
	"cost_minor", "tax_rate_id", "lot_tracked", "reorder_point", "lead_time_days", "daily_capacity", "active", "updated_at"}

func (r *productRow) product() Product {
	return Product{ID: r.ID, SKU: r.SKU, Name: r.Name, Description: r.Description, Type: Type(r.Type), Unit: r.Unit,
		ListPriceMinor: r.ListPriceMinor, Currency: r.Currency, CostMinor: r.CostMinor, TaxRateID: r.TaxRateID,
		LotTracked: r.LotTracked, ReorderPoint: r.ReorderPoint, LeadTimeDays: r.LeadTimeDays,
		DailyCapacity: r.DailyCapacity, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func rowOf(p *Product) *productRow {
	return &productRow{ID: p.ID, SKU: p.SKU, Name: p.Name, Description: p.Description, Type: string(p.Type), Unit: p.Unit,
		ListPriceMinor: p.ListPriceMinor, Currency: p.Currency, CostMinor: p.CostMinor, TaxRateID: p.TaxRateID,
		LotTracked: p.LotTracked, ReorderPoint: p.ReorderPoint, LeadTimeDays: p.LeadTimeDays,
		DailyCapacity: p.DailyCapacity, Active: p.Active, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// taxRateRef is the part of tenant's tax_rates the catalog checks references
// against; the table belongs to tenant, which exposes no row type.
type taxRateRef struct {
	bun.BaseModel `bun:"table:tax_rates,alias:x"`
	tenant.Scoped
	ID uuid.UUID `bun:"id,pk,type:uuid"`
}

type bomRow struct {
	bun.BaseModel `bun:"table:boms,alias:b"`
	tenant.Scoped
	ProductID uuid.UUID `bun:"product_id,pk,type:uuid"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

type bomLineRow struct {
	bun.BaseModel `bun:"table:bom_lines,alias:l"`
	tenant.Scoped
	ProductID   uuid.UUID `bun:"product_id,pk,type:uuid"`
	ComponentID uuid.UUID `bun:"component_id,pk,type:uuid"`
	Quantity    int64     `bun:"quantity"`
	Position    int       `bun:"position"`
}

type priceListRow struct {
	bun.BaseModel `bun:"table:price_lists,alias:pl"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Name      string    `bun:"name"`
	Currency  string    `bun:"currency"`
	Active    bool      `bun:"active"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func (r *priceListRow) priceList() PriceList {
	return PriceList{ID: r.ID, Name: r.Name, Currency: r.Currency, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type priceItemRow struct {
	bun.BaseModel `bun:"table:price_list_items,alias:pi"`
	tenant.Scoped
	PriceListID uuid.UUID `bun:"price_list_id,pk,type:uuid"`
	ProductID   uuid.UUID `bun:"product_id,pk,type:uuid"`
	MinQuantity int64     `bun:"min_quantity,pk"`
	PriceMinor  int64     `bun:"price_minor"`
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// lockFor locks the selected rows until commit on PostgreSQL (mode "UPDATE"
// or "SHARE"); SQLite's single writer already serialises transactions.
func lockFor(mode string) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if q.Dialect().Name() == dialect.PG {
			return q.For(mode)
		}
		return q
	}
}

// getProduct reads one product of the bound tenant, optionally locked.
func getProduct(ctx context.Context, tx bun.IDB, id uuid.UUID, lock string) (*productRow, error) {
	var r productRow
	q := tx.NewSelect().Model(&r).Where("p.id = ?", id)
	if lock != "" {
		q = q.Apply(lockFor(lock))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "product")
	}
	return &r, nil
}

// notFound names what was not found; other errors pass through.
func notFound(err error, what string) error {
	if errs.Is(db.Translate(err), errs.NotFound) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return err
}

// existingIDs returns which of ids are products of the bound tenant.
func existingIDs(ctx context.Context, tx bun.IDB, ids []uuid.UUID) (map[uuid.UUID]productRow, error) {
	out := make(map[uuid.UUID]productRow, len(ids))
	for start := 0; start < len(ids); start += 500 {
		var rows []productRow
		chunk := ids[start:min(start+500, len(ids))]
		if err := tx.NewSelect().Model(&rows).Where("p.id IN (?)", bun.In(chunk)).Scan(ctx); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

// taxRateExists reports whether id is one of the bound tenant's tax rates.
func taxRateExists(ctx context.Context, tx bun.IDB, id uuid.UUID) (bool, error) {
	return tx.NewSelect().Model((*taxRateRef)(nil)).Apply(tenant.ScopeSelect(ctx)).Where("x.id = ?", id).Exists(ctx)
}

// likePattern turns a search text into a LIKE pattern matching it anywhere,
// with LIKE's wildcards escaped (used with ESCAPE '\').
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}
