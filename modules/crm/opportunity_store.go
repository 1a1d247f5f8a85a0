package crm

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

type opportunityRow struct {
	bun.BaseModel `bun:"table:opportunities,alias:o"`
	tenant.Scoped
	ID                uuid.UUID  `bun:"id,pk,type:uuid"`
	Name              string     `bun:"name"`
	AccountID         uuid.UUID  `bun:"account_id,type:uuid"`
	ContactID         *uuid.UUID `bun:"contact_id,type:uuid"`
	PipelineID        uuid.UUID  `bun:"pipeline_id,type:uuid"`
	StageID           uuid.UUID  `bun:"stage_id,type:uuid"`
	OwnerUserID       uuid.UUID  `bun:"owner_user_id,type:uuid"`
	AmountMinor       int64      `bun:"amount_minor"`
	Currency          string     `bun:"currency"`
	ExpectedClose     *time.Time `bun:"expected_close"`
	Probability       int        `bun:"probability"`
	ProbabilityManual bool       `bun:"probability_manual"`
	Status            string     `bun:"status"`
	LostReason        string     `bun:"lost_reason"`
	WonAt             *time.Time `bun:"won_at"`
	LostAt            *time.Time `bun:"lost_at"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
}

// opportunityColumns are the columns an update writes.
var opportunityColumns = []string{"name", "contact_id", "pipeline_id", "stage_id", "owner_user_id", "amount_minor",
	"currency", "expected_close", "probability", "probability_manual", "status", "lost_reason", "won_at", "lost_at",
	"updated_at"}

func (r *opportunityRow) opportunity() Opportunity {
	return Opportunity{ID: r.ID, Name: r.Name, AccountID: r.AccountID, ContactID: r.ContactID, PipelineID: r.PipelineID,
		StageID: r.StageID, OwnerUserID: r.OwnerUserID, AmountMinor: r.AmountMinor, Currency: r.Currency,
		ExpectedClose: dateOf(r.ExpectedClose), Probability: r.Probability, ProbabilityManual: r.ProbabilityManual,
		Status: r.Status, LostReason: r.LostReason, WonAt: utc(r.WonAt), LostAt: utc(r.LostAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func opportunityRowOf(o *Opportunity) *opportunityRow {
	return &opportunityRow{ID: o.ID, Name: o.Name, AccountID: o.AccountID, ContactID: o.ContactID, PipelineID: o.PipelineID,
		StageID: o.StageID, OwnerUserID: o.OwnerUserID, AmountMinor: o.AmountMinor, Currency: o.Currency,
		ExpectedClose: o.ExpectedClose, Probability: o.Probability, ProbabilityManual: o.ProbabilityManual,
		Status: o.Status, LostReason: o.LostReason, WonAt: o.WonAt, LostAt: o.LostAt,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// dateOf reads a date column as UTC midnight of the same calendar day
// (drivers hand dates back in various zones).
func dateOf(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

type lineRow struct {
	bun.BaseModel `bun:"table:opportunity_lines,alias:ol"`
	tenant.Scoped
	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OpportunityID  uuid.UUID `bun:"opportunity_id,type:uuid"`
	Position       int       `bun:"position"`
	ProductID      uuid.UUID `bun:"product_id,type:uuid"`
	SKU            string    `bun:"sku"`
	ProductName    string    `bun:"product_name"`
	Quantity       int64     `bun:"quantity"`
	UnitPriceMinor int64     `bun:"unit_price_minor"`
	DiscountBP     int       `bun:"discount_bp"`
	AmountMinor    int64     `bun:"amount_minor"`
}

type historyRow struct {
	bun.BaseModel `bun:"table:opportunity_stage_history,alias:oh"`
	tenant.Scoped
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	OpportunityID uuid.UUID  `bun:"opportunity_id,type:uuid"`
	FromStageID   *uuid.UUID `bun:"from_stage_id,type:uuid"`
	FromStageName string     `bun:"from_stage_name"`
	ToStageID     uuid.UUID  `bun:"to_stage_id,type:uuid"`
	ToStageName   string     `bun:"to_stage_name"`
	ChangedBy     *uuid.UUID `bun:"changed_by,type:uuid"`
	ChangedAt     time.Time  `bun:"changed_at"`
}

// scopeOpportunities applies the record rule (R3): without sc.All, only
// the opportunities the calling principal owns.
func scopeOpportunities(ctx context.Context, sc Scope) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if sc.All {
			return q
		}
		p, ok := tenant.PrincipalFrom(ctx)
		if !ok {
			return q.Err(errs.E(errs.Forbidden, "no caller"))
		}
		return q.Where("o.owner_user_id = ?", p.ID)
	}
}

// getOpportunity reads one opportunity the caller may see: another
// owner's, without sc.All, is not found, like another tenant's.
func getOpportunity(ctx context.Context, tx bun.IDB, sc Scope, id uuid.UUID, lock bool) (*opportunityRow, error) {
	var r opportunityRow
	q := tx.NewSelect().Model(&r).Apply(scopeOpportunities(ctx, sc)).Where("o.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return nil, errs.E(errs.NotFound, "opportunity not found")
		}
		return nil, err
	}
	return &r, nil
}

func findOpportunities(ctx context.Context, tx bun.IDB, sc Scope, f OpportunityFilter, rows *[]opportunityRow) *bun.SelectQuery {
	q := tx.NewSelect().Model(rows).Apply(scopeOpportunities(ctx, sc)).
		OrderExpr("o.id DESC").Limit(int64(f.Limit))
	for _, w := range []struct {
		cond string
		v    *uuid.UUID
	}{{"o.pipeline_id = ?", f.PipelineID}, {"o.stage_id = ?", f.StageID}, {"o.account_id = ?", f.AccountID},
		{"o.owner_user_id = ?", f.OwnerUserID}, {"o.id < ?", f.After}} {
		if w.v != nil {
			q.Where(w.cond, *w.v)
		}
	}
	if f.Status != "" {
		q.Where("o.status = ?", f.Status)
	}
	if f.Q != "" {
		pat := likePattern(f.Q)
		q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`LOWER(o.name) LIKE ? ESCAPE '\'`, pat).
				WhereOr(`EXISTS (SELECT 1 FROM accounts a WHERE a.tenant_id = o.tenant_id AND a.id = o.account_id
					AND LOWER(a.name) LIKE ? ESCAPE '\')`, pat)
		})
	}
	return q
}

// decorate adds the account and owner names and the lines to list.
func decorate(ctx context.Context, tx bun.IDB, list []Opportunity) error {
	if len(list) == 0 {
		return nil
	}
	ids, accounts, owners := make([]uuid.UUID, len(list)), make([]uuid.UUID, len(list)), make([]uuid.UUID, len(list))
	for i, o := range list {
		ids[i], accounts[i], owners[i] = o.ID, o.AccountID, o.OwnerUserID
	}
	an, on := map[uuid.UUID]string{}, map[uuid.UUID]string{}
	if err := tenant.Names(ctx, tx, "accounts", "name", accounts, an); err != nil {
		return err
	}
	if err := tenant.Names(ctx, tx, "users", "name", owners, on); err != nil {
		return err
	}
	var lines []lineRow
	if err := tx.NewSelect().Model(&lines).Where("ol.opportunity_id IN (?)", bun.In(ids)).
		OrderExpr("ol.opportunity_id, ol.position").Scan(ctx); err != nil {
		return err
	}
	byOpp := map[uuid.UUID][]OpportunityLine{}
	for _, l := range lines {
		byOpp[l.OpportunityID] = append(byOpp[l.OpportunityID], l.line())
	}
	for i := range list {
		o := &list[i]
		o.AccountName, o.OwnerName = an[o.AccountID], on[o.OwnerUserID]
		o.Lines = byOpp[o.ID]
		if o.Lines == nil {
			o.Lines = []OpportunityLine{}
		}
	}
	return nil
}

func (l *lineRow) line() OpportunityLine {
	return OpportunityLine{ID: l.ID, ProductID: l.ProductID, SKU: l.SKU, ProductName: l.ProductName, Quantity: l.Quantity,
		UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, AmountMinor: l.AmountMinor}
}

func loadLines(ctx context.Context, tx bun.IDB, id uuid.UUID) ([]OpportunityLine, error) {
	var rows []lineRow
	err := tx.NewSelect().Model(&rows).Where("ol.opportunity_id = ?", id).OrderExpr("ol.position").Scan(ctx)
	out := make([]OpportunityLine, len(rows))
	for i := range rows {
		out[i] = rows[i].line()
	}
	return out, err
}

func insertLines(ctx context.Context, tx bun.IDB, o *Opportunity) error {
	if len(o.Lines) == 0 {
		return nil
	}
	rows := make([]lineRow, len(o.Lines))
	for i, l := range o.Lines {
		rows[i] = lineRow{ID: l.ID, OpportunityID: o.ID, Position: i, ProductID: l.ProductID, SKU: l.SKU,
			ProductName: l.ProductName, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP,
			AmountMinor: l.AmountMinor}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// pipelineStage reads one stage of a pipeline.
func pipelineStage(ctx context.Context, tx bun.IDB, pipelineID, stageID uuid.UUID) (Stage, error) {
	var r stageRow
	err := tx.NewSelect().Model(&r).Where("ps.pipeline_id = ?", pipelineID).Where("ps.id = ?", stageID).Scan(ctx)
	return Stage{ID: r.ID, Name: r.Name, Position: r.Position, Probability: r.Probability, Won: r.Won, Lost: r.Lost}, err
}

// recordStage writes a stage change made by the calling user (nil for API keys).
func recordStage(ctx context.Context, tx bun.IDB, oppID uuid.UUID, from *Stage, to Stage) error {
	h := historyRow{ID: newID(), OpportunityID: oppID, ToStageID: to.ID, ToStageName: to.Name, ChangedAt: now()}
	if from != nil {
		h.FromStageID, h.FromStageName = &from.ID, from.Name
	}
	if p, ok := tenant.PrincipalFrom(ctx); ok && p.Kind == tenant.KindUser {
		h.ChangedBy = &p.ID
	}
	_, err := tx.NewInsert().Model(&h).Exec(ctx)
	return err
}
