package crm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// Stage is one step of a pipeline. Exactly one stage of a pipeline is the
// won stage and one the lost stage; opportunities reach them only by being
// won or lost.
type Stage struct {
	ID          uuid.UUID
	Name        string
	Position    int
	Probability int // percent, 0–100
	Won, Lost   bool
}

// Open reports whether opportunities may sit in the stage while open.
func (s Stage) Open() bool { return !s.Won && !s.Lost }

// Pipeline is a tenant's sales process: ordered stages (C3). One pipeline
// per tenant is the default, where new opportunities go unless told.
type Pipeline struct {
	ID        uuid.UUID
	Name      string
	Default   bool
	Stages    []Stage // by position
	CreatedAt time.Time
	UpdatedAt time.Time
}

// stage returns the pipeline's stage id, if it has it.
func (p *Pipeline) stage(id uuid.UUID) (Stage, bool) {
	i := slices.IndexFunc(p.Stages, func(s Stage) bool { return s.ID == id })
	if i < 0 {
		return Stage{}, false
	}
	return p.Stages[i], true
}

// closing returns the won (or lost) stage.
func (p *Pipeline) closing(won bool) Stage {
	for _, s := range p.Stages {
		if (won && s.Won) || (!won && s.Lost) {
			return s
		}
	}
	panic("crm: pipeline " + p.ID.String() + " has no won or lost stage") // the rules guarantee one
}

// firstOpen is where a new opportunity starts.
func (p *Pipeline) firstOpen() Stage {
	for _, s := range p.Stages {
		if s.Open() {
			return s
		}
	}
	panic("crm: pipeline " + p.ID.String() + " has no open stage")
}

// StageInput is one stage of a pipeline being written; ID names an
// existing stage of the pipeline (kept, with its opportunities), nil a new one.
type StageInput struct {
	ID          *uuid.UUID
	Name        string
	Probability int
	Won, Lost   bool
}

// PipelineInput creates a pipeline or, with nil fields left alone, changes
// one. Stages, when set, is the whole ordered list: stages left out are
// removed.
type PipelineInput struct {
	Name    *string
	Default *bool
	Stages  *[]StageInput
}

// Limits on pipelines.
const (
	MaxPipelines = 50
	MaxStages    = 20
)

// DefaultStages are the stages of the "Sales" pipeline every tenant starts
// with, and of a new pipeline created without stages.
func DefaultStages() []StageInput {
	return []StageInput{{Name: "Qualification", Probability: 10}, {Name: "Proposal", Probability: 40},
		{Name: "Negotiation", Probability: 70}, {Name: "Won", Probability: 100, Won: true},
		{Name: "Lost", Probability: 0, Lost: true}}
}

func (in *PipelineInput) check(creating bool) error {
	f := errs.Fields{}
	checkText(f, "name", in.Name, creating, 1, 100)
	if in.Stages != nil {
		checkStages(f, *in.Stages)
	}
	return f.Err()
}

// checkStages enforces the stage rules: 3 to 20 stages with distinct names,
// probabilities 0–100, exactly one won (at 100 %) and one lost (at 0 %) stage
// and at least one open stage.
func checkStages(f errs.Fields, stages []StageInput) {
	if len(stages) < 3 || len(stages) > MaxStages {
		f.Add("stages", fmt.Sprintf("must have from 3 to %d stages", MaxStages))
		return
	}
	names, ids := map[string]bool{}, map[uuid.UUID]bool{}
	won, lost := 0, 0
	for i := range stages {
		s := &stages[i]
		at := fmt.Sprintf("stages[%d]", i)
		checkText(f, at+".name", &s.Name, true, 1, 100)
		if k := strings.ToLower(s.Name); names[k] {
			f.Add(at+".name", "is used by another stage")
		} else {
			names[k] = true
		}
		if s.ID != nil {
			if ids[*s.ID] {
				f.Add(at+".id", "is listed twice")
			}
			ids[*s.ID] = true
		}
		switch {
		case s.Probability < 0 || s.Probability > 100:
			f.Add(at+".probability", "must be a percentage from 0 to 100")
		case s.Won && s.Lost:
			f.Add(at+".won", "a stage cannot be both won and lost")
		case s.Won && s.Probability != 100:
			f.Add(at+".probability", "the won stage's probability is 100")
		case s.Lost && s.Probability != 0:
			f.Add(at+".probability", "the lost stage's probability is 0")
		}
		if s.Won {
			won++
		}
		if s.Lost {
			lost++
		}
	}
	if won != 1 || lost != 1 {
		f.Add("stages", "must have exactly one won and one lost stage")
	} else if won+lost == len(stages) {
		f.Add("stages", "must have at least one open stage")
	}
}

// FindPipelines lists the tenant's pipelines, the default first, creating
// the default "Sales" pipeline on the tenant's first use.
func (s *Service) FindPipelines(ctx context.Context) ([]Pipeline, error) {
	var out []Pipeline
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := ensureDefault(ctx, tx); err != nil {
			return err
		}
		var err error
		out, err = loadPipelines(ctx, tx, nil)
		return err
	})
	return out, err
}

// GetPipeline returns one pipeline with its stages.
func (s *Service) GetPipeline(ctx context.Context, id uuid.UUID) (Pipeline, error) {
	var p Pipeline
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		p, err = getPipeline(ctx, tx, id, false)
		return err
	})
	return p, err
}

// CreatePipeline adds a pipeline, with the default stages unless given.
// Default true makes it the tenant's default in place of the current one.
func (s *Service) CreatePipeline(ctx context.Context, in PipelineInput) (Pipeline, error) {
	if in.Stages == nil {
		st := DefaultStages()
		in.Stages = &st
	}
	for _, st := range *in.Stages {
		if st.ID != nil {
			return Pipeline{}, errs.Field("stages", "a new pipeline's stages have no ids")
		}
	}
	if err := in.check(true); err != nil {
		return Pipeline{}, err
	}
	var p Pipeline
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := ensureDefault(ctx, tx); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*pipelineRow)(nil)).Count(ctx)
		if err != nil {
			return err
		}
		if n >= MaxPipelines {
			return errs.E(errs.Conflict, "a tenant has %d pipelines at most", MaxPipelines)
		}
		t := now()
		r := pipelineRow{ID: newID(), Name: *in.Name, CreatedAt: t, UpdatedAt: t}
		if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
			return err
		}
		if err := insertStages(ctx, tx, r.ID, *in.Stages); err != nil {
			return err
		}
		if in.Default != nil && *in.Default {
			if err := makeDefault(ctx, tx, r.ID); err != nil {
				return err
			}
		}
		if p, err = getPipeline(ctx, tx, r.ID, false); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "pipeline.created", Resource: "pipelines",
			ResourceID: p.ID.String(), After: p})
	})
	return p, err
}

// UpdatePipeline renames the pipeline, makes it the default or rewrites
// its stages. Stages keep their ids; a stage holding opportunities cannot
// be removed nor turn into (or out of) a won or lost stage: a conflict
// naming the stage. Open opportunities whose probability follows their
// stage follow its new probability.
func (s *Service) UpdatePipeline(ctx context.Context, id uuid.UUID, in PipelineInput) (Pipeline, error) {
	if err := in.check(false); err != nil {
		return Pipeline{}, err
	}
	var p Pipeline
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		before, err := getPipeline(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if in.Default != nil && !*in.Default && before.Default {
			return errs.Field("default", "make another pipeline the default instead")
		}
		q := tx.NewUpdate().Model((*pipelineRow)(nil)).Set("updated_at = ?", now()).Where("p.id = ?", id)
		if in.Name != nil {
			q.Set("name = ?", *in.Name)
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		if in.Default != nil && *in.Default && !before.Default {
			if err := makeDefault(ctx, tx, id); err != nil {
				return err
			}
		}
		if in.Stages != nil {
			if err := rewriteStages(ctx, tx, &before, *in.Stages); err != nil {
				return err
			}
		}
		if p, err = getPipeline(ctx, tx, id, false); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "pipeline.updated", Resource: "pipelines",
			ResourceID: id.String(), Before: before, After: p})
	})
	return p, err
}

// DeletePipeline removes a pipeline that is not the default and holds no
// opportunities.
func (s *Service) DeletePipeline(ctx context.Context, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		p, err := getPipeline(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if p.Default {
			return errs.E(errs.Conflict, "the default pipeline cannot be deleted; make another pipeline the default first")
		}
		n, err := tx.NewSelect().Model((*opportunityRow)(nil)).Where("o.pipeline_id = ?", id).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "pipeline %q holds %d opportunities; move or delete them first", p.Name, n)
		}
		if _, err := tx.NewDelete().Model((*stageRow)(nil)).Where("ps.pipeline_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*pipelineRow)(nil)).Where("p.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "pipeline.deleted", Resource: "pipelines",
			ResourceID: id.String(), Before: p})
	})
}

// ensureDefault returns the tenant's default pipeline, creating "Sales"
// with the default stages when the tenant has none. Concurrent first uses
// meet at the one-default unique index: the losers insert nothing and read
// the winner's pipeline.
func ensureDefault(ctx context.Context, tx bun.IDB) (uuid.UUID, error) {
	var r pipelineRow
	err := tx.NewSelect().Model(&r).Column("id").Where("p.is_default").Limit(1).Scan(ctx)
	if err == nil {
		return r.ID, nil
	}
	if !errs.Is(db.Translate(err), errs.NotFound) {
		return uuid.Nil, err
	}
	t := now()
	r = pipelineRow{ID: newID(), Name: "Sales", Default: true, CreatedAt: t, UpdatedAt: t}
	res, err := tx.NewInsert().Model(&r).On("CONFLICT (tenant_id) WHERE is_default DO NOTHING").Exec(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		err := tx.NewSelect().Model(&r).Column("id").Where("p.is_default").Limit(1).Scan(ctx)
		return r.ID, err
	}
	return r.ID, insertStages(ctx, tx, r.ID, DefaultStages())
}

// makeDefault moves the default flag to pipeline id (clearing the old one
// first: the unique index allows one at a time).
func makeDefault(ctx context.Context, tx bun.IDB, id uuid.UUID) error {
	if _, err := tx.NewUpdate().Model((*pipelineRow)(nil)).Set("is_default = ?", false).
		Where("p.is_default").Where("p.id <> ?", id).Exec(ctx); err != nil {
		return err
	}
	_, err := tx.NewUpdate().Model((*pipelineRow)(nil)).Set("is_default = ?", true).Where("p.id = ?", id).Exec(ctx)
	return err
}

func insertStages(ctx context.Context, tx bun.IDB, pipelineID uuid.UUID, in []StageInput) error {
	rows := make([]stageRow, len(in))
	for i, s := range in {
		rows[i] = stageRow{ID: newID(), PipelineID: pipelineID, Name: s.Name, Position: i, Probability: s.Probability,
			Won: s.Won, Lost: s.Lost}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// rewriteStages replaces p's stages with in (checked by checkStages).
func rewriteStages(ctx context.Context, tx bun.IDB, p *Pipeline, in []StageInput) error {
	held, err := stageCounts(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	kept := map[uuid.UUID]bool{}
	for i, s := range in {
		if s.ID == nil {
			continue
		}
		old, ok := p.stage(*s.ID)
		if !ok {
			return errs.Field(fmt.Sprintf("stages[%d].id", i), "is not a stage of this pipeline")
		}
		if held[old.ID] > 0 && (old.Won != s.Won || old.Lost != s.Lost) {
			return stageConflict(old.Name, held[old.ID], "cannot change between open, won and lost")
		}
		kept[old.ID] = true
	}
	var gone []uuid.UUID
	for _, old := range p.Stages {
		if kept[old.ID] {
			continue
		}
		if held[old.ID] > 0 {
			return stageConflict(old.Name, held[old.ID], "cannot be removed")
		}
		gone = append(gone, old.ID)
	}
	if len(gone) > 0 {
		if _, err := tx.NewDelete().Model((*stageRow)(nil)).Where("ps.id IN (?)", bun.In(gone)).Exec(ctx); err != nil {
			return err
		}
	}
	for i, s := range in {
		r := stageRow{PipelineID: p.ID, Name: s.Name, Position: i, Probability: s.Probability, Won: s.Won, Lost: s.Lost}
		if s.ID == nil {
			r.ID = newID()
			if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
				return err
			}
			continue
		}
		r.ID = *s.ID
		if _, err := tx.NewUpdate().Model(&r).Column("name", "position", "probability", "is_won", "is_lost").
			Where("ps.id = ?", r.ID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*opportunityRow)(nil)).Set("probability = ?", s.Probability).
			Where("o.stage_id = ?", r.ID).Where("o.status = 'open'").Where("NOT o.probability_manual").
			Where("o.probability <> ?", s.Probability).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func stageConflict(name string, n int, what string) error {
	return &errs.Error{Code: errs.Conflict,
		Message: fmt.Sprintf("stage %q holds %d opportunities and %s; move them first", name, n, what),
		Fields:  map[string]string{"stages": fmt.Sprintf("stage %q holds opportunities", name)}}
}

// stageCounts counts the opportunities (any status) in each stage of a pipeline.
func stageCounts(ctx context.Context, tx bun.IDB, pipelineID uuid.UUID) (map[uuid.UUID]int, error) {
	var rows []struct {
		StageID uuid.UUID `bun:"stage_id"`
		N       int       `bun:"n"`
	}
	err := tx.NewSelect().Model((*opportunityRow)(nil)).ColumnExpr("o.stage_id, COUNT(*) AS n").
		Where("o.pipeline_id = ?", pipelineID).GroupExpr("o.stage_id").Scan(ctx, &rows)
	out := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		out[r.StageID] = r.N
	}
	return out, err
}

type pipelineRow struct {
	bun.BaseModel `bun:"table:pipelines,alias:p"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Name      string    `bun:"name"`
	Default   bool      `bun:"is_default"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

type stageRow struct {
	bun.BaseModel `bun:"table:pipeline_stages,alias:ps"`
	tenant.Scoped
	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	PipelineID  uuid.UUID `bun:"pipeline_id,type:uuid"`
	Name        string    `bun:"name"`
	Position    int       `bun:"position"`
	Probability int       `bun:"probability"`
	Won         bool      `bun:"is_won"`
	Lost        bool      `bun:"is_lost"`
}

// loadPipelines reads the pipelines (all, or those in ids) with their
// stages, the default first, then by name.
func loadPipelines(ctx context.Context, tx bun.IDB, ids []uuid.UUID) ([]Pipeline, error) {
	var rows []pipelineRow
	q := tx.NewSelect().Model(&rows).OrderExpr("p.is_default DESC, p.name, p.id")
	if ids != nil {
		q.Where("p.id IN (?)", bun.In(ids))
	}
	if err := q.Scan(ctx); err != nil || len(rows) == 0 {
		return nil, err
	}
	pids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		pids[i] = r.ID
	}
	var stages []stageRow
	if err := tx.NewSelect().Model(&stages).Where("ps.pipeline_id IN (?)", bun.In(pids)).
		OrderExpr("ps.position, ps.id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]Pipeline, len(rows))
	at := map[uuid.UUID]int{}
	for i, r := range rows {
		out[i] = Pipeline{ID: r.ID, Name: r.Name, Default: r.Default, Stages: []Stage{},
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		at[r.ID] = i
	}
	for _, s := range stages {
		p := &out[at[s.PipelineID]]
		p.Stages = append(p.Stages, Stage{ID: s.ID, Name: s.Name, Position: s.Position, Probability: s.Probability,
			Won: s.Won, Lost: s.Lost})
	}
	return out, nil
}

// getPipeline reads one pipeline; lock takes its row lock on PostgreSQL
// (stage rewrites and opportunity moves into it serialise on it).
func getPipeline(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (Pipeline, error) {
	if lock {
		var r pipelineRow
		if err := tx.NewSelect().Model(&r).Column("id").Where("p.id = ?", id).Apply(forUpdate).Scan(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.NotFound) {
				return Pipeline{}, errs.E(errs.NotFound, "pipeline not found")
			}
			return Pipeline{}, err
		}
	}
	ps, err := loadPipelines(ctx, tx, []uuid.UUID{id})
	if err != nil {
		return Pipeline{}, err
	}
	if len(ps) == 0 {
		return Pipeline{}, errs.E(errs.NotFound, "pipeline not found")
	}
	return ps[0], nil
}
