package crm

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// catalogProducts reads the products table as the catalog would: the
// opportunity lines' foreign key needs real product rows anyway.
type catalogProducts struct{ db *tenant.DB }

func (c catalogProducts) Product(ctx context.Context, id uuid.UUID) (Product, error) {
	tid, _ := tenant.FromContext(ctx)
	var p Product
	err := c.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT id, sku, name, list_price_minor, currency, active FROM products WHERE tenant_id = ? AND id = ?`,
			tid, id).Scan(ctx, &p.ID, &p.SKU, &p.Name, &p.ListPriceMinor, &p.Currency, &p.Active)
	})
	if err != nil {
		return Product{}, errs.E(errs.NotFound, "product not found")
	}
	return p, nil
}

func (e *env) mustProduct(t testing.TB, ctx context.Context, price int64, currency string, active bool) uuid.UUID {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	id := uuid.Must(uuid.NewV7())
	n := time.Now().UTC()
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewRaw(`INSERT INTO products (tenant_id, id, sku, name, type, unit, list_price_minor, currency, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'stocked', 'unit', ?, ?, ?, ?, ?)`, tid, id, "SKU-"+id.String()[24:], "Valve", price, currency, active, n, n).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// asUser is ctx's tenant as another staff user (created on the way).
func (e *env) asUser(t testing.TB, ctx context.Context) (context.Context, uuid.UUID) {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	uid := uuid.Must(uuid.NewV7())
	e.newUser(t, ctx, uid)
	return tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: tid, Kind: tenant.KindUser, ID: uid,
		Subject: tenant.UserSubject(uid), Name: "Rep"}), uid
}

var all = Scope{All: true}

func (e *env) mustOpp(t testing.TB, ctx context.Context, sc Scope, in OpportunityInput) Opportunity {
	t.Helper()
	o, err := e.svc.CreateOpportunity(ctx, sc, in)
	if err != nil {
		t.Fatalf("create opportunity: %v", err)
	}
	return o
}

func (e *env) defaultPipeline(t testing.TB, ctx context.Context) Pipeline {
	t.Helper()
	ps, err := e.svc.FindPipelines(ctx)
	if err != nil || len(ps) == 0 || !ps[0].Default {
		t.Fatalf("pipelines: %v %+v", err, ps)
	}
	return ps[0]
}

func TestLineAmount(t *testing.T) {
	for _, c := range []struct {
		qty, price int64
		bp         int
		want       int64
		ok         bool
	}{
		{3, 1000, 0, 3000, true},
		{3, 999, 1250, 2622, true}, // 2997 × 0.875 = 2622.375
		{1, 1, 5000, 1, true},      // 0.5 rounds half up
		{1, 3, 5000, 2, true},      // 1.5 → 2
		{7, 100, 10000, 0, true},
		{MaxLineQuantity, MaxAmountMinor, 0, 0, false},
		{2, MaxAmountMinor/2 + 1, 0, 0, false},
		{1, 1, 10001, 0, false},
	} {
		got, ok := LineAmount(c.qty, c.price, c.bp)
		if got != c.want || ok != c.ok {
			t.Errorf("LineAmount(%d, %d, %d) = %d, %v; want %d, %v", c.qty, c.price, c.bp, got, ok, c.want, c.ok)
		}
	}
}

func TestCheckStages(t *testing.T) {
	if f := (errs.Fields{}); checkStagesErr(f, DefaultStages()) != nil {
		t.Fatalf("default stages refused: %v", f)
	}
	mod := func(fn func(s []StageInput) []StageInput) []StageInput { return fn(DefaultStages()) }
	id := uuid.New()
	for _, c := range []struct {
		name   string
		stages []StageInput
		field  string
	}{
		{"too few", DefaultStages()[3:], "stages"},
		{"two won", mod(func(s []StageInput) []StageInput { s[2].Won, s[2].Probability = true, 100; return s }), "stages"},
		{"no lost", mod(func(s []StageInput) []StageInput { s[4].Lost = false; return s }), "stages"},
		{"no open", mod(func(s []StageInput) []StageInput {
			return append(s[3:], StageInput{Name: "Also lost", Lost: true})
		}), "stages"},
		{"both flags", mod(func(s []StageInput) []StageInput { s[0].Won, s[0].Lost = true, true; return s }), "stages[0].won"},
		{"probability", mod(func(s []StageInput) []StageInput { s[1].Probability = 101; return s }), "stages[1].probability"},
		{"won not 100", mod(func(s []StageInput) []StageInput { s[3].Probability = 90; return s }), "stages[3].probability"},
		{"same name", mod(func(s []StageInput) []StageInput { s[1].Name = " qualification "; return s }), "stages[1].name"},
		{"empty name", mod(func(s []StageInput) []StageInput { s[2].Name = " "; return s }), "stages[2].name"},
		{"same id", mod(func(s []StageInput) []StageInput { s[0].ID, s[1].ID = &id, &id; return s }), "stages[1].id"},
	} {
		f := errs.Fields{}
		err := checkStagesErr(f, c.stages)
		wantErr(t, c.name, err, errs.Invalid, c.field)
	}
}

func checkStagesErr(f errs.Fields, s []StageInput) error {
	checkStages(f, s)
	return f.Err()
}

// TestDefaultPipeline: the first reads create one "Sales" pipeline, even
// when they race.
func TestDefaultPipeline(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.FindPipelines(ctx)
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	ps, err := e.svc.FindPipelines(ctx)
	if err != nil || len(ps) != 1 {
		t.Fatalf("pipelines after concurrent first reads: %v %+v", err, ps)
	}
	p := ps[0]
	var got []string
	for _, s := range p.Stages {
		got = append(got, fmt.Sprintf("%s %d %v %v", s.Name, s.Probability, s.Won, s.Lost))
	}
	want := "[Qualification 10 false false Proposal 40 false false Negotiation 70 false false Won 100 true false Lost 0 false true]"
	if p.Name != "Sales" || !p.Default || fmt.Sprint(got) != want {
		t.Errorf("default pipeline: %s %v %v", p.Name, p.Default, got)
	}
	// Another tenant gets its own.
	other := e.newTenant(t)
	if q := e.defaultPipeline(t, other); q.ID == p.ID {
		t.Error("two tenants share a pipeline")
	}
	if _, err := e.svc.GetPipeline(other, p.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("another tenant's pipeline: %v", err)
	}
}

func stageInputs(p Pipeline) []StageInput {
	out := make([]StageInput, len(p.Stages))
	for i, s := range p.Stages {
		out[i] = StageInput{ID: &p.Stages[i].ID, Name: s.Name, Probability: s.Probability, Won: s.Won, Lost: s.Lost}
	}
	return out
}

func TestPipelineStages(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	p := e.defaultPipeline(t, ctx)
	acc := e.mustAccount(t, ctx, "Acme")
	o := e.mustOpp(t, ctx, all, OpportunityInput{Name: ptr("Valves"), AccountID: &acc.ID, StageID: &p.Stages[1].ID})
	if o.Probability != 40 || o.StageID != p.Stages[1].ID || o.Status != StatusOpen {
		t.Fatalf("created: %+v", o)
	}

	// Removing the stage that holds the opportunity: 409 naming it, nothing changed.
	in := stageInputs(p)
	in = append(in[:1], in[2:]...)
	_, err := e.svc.UpdatePipeline(ctx, p.ID, PipelineInput{Name: ptr("Renamed"), Stages: &in})
	wantErr(t, "remove a held stage", err, errs.Conflict, "stages")
	if err == nil || !strings.Contains(err.Error(), `"Proposal"`) {
		t.Errorf("the conflict does not name the stage: %v", err)
	}
	if q, _ := e.svc.GetPipeline(ctx, p.ID); q.Name != "Sales" || len(q.Stages) != 5 {
		t.Errorf("pipeline changed by a refused update: %+v", q)
	}
	// Nor can it become the lost stage.
	in = stageInputs(p)
	in[1].Lost, in[1].Probability, in[4].Lost = true, 0, false
	_, err = e.svc.UpdatePipeline(ctx, p.ID, PipelineInput{Stages: &in})
	wantErr(t, "flip a held stage to lost", err, errs.Conflict, "stages")

	// Reorder, rename, reprice, add and remove an empty stage: ids stay.
	in = stageInputs(p)
	in[1].Name, in[1].Probability = "Offer", 50
	in = []StageInput{in[1], in[0], {Name: "Demo", Probability: 30}, in[3], in[4]} // Negotiation removed
	q, err := e.svc.UpdatePipeline(ctx, p.ID, PipelineInput{Stages: &in})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Stages) != 5 || q.Stages[0].ID != p.Stages[1].ID || q.Stages[0].Name != "Offer" || q.Stages[0].Position != 0 ||
		q.Stages[1].ID != p.Stages[0].ID || q.Stages[2].Name != "Demo" {
		t.Errorf("rewritten stages: %+v", q.Stages)
	}
	// The opportunity follows its stage's new probability.
	if got, _ := e.svc.GetOpportunity(ctx, all, o.ID); got.Probability != 50 {
		t.Errorf("probability after the stage's change: %d", got.Probability)
	}
	// A stage id of another pipeline is refused by field.
	other, err := e.svc.CreatePipeline(ctx, PipelineInput{Name: ptr("Renewals")})
	if err != nil || other.Default || len(other.Stages) != 5 {
		t.Fatalf("second pipeline: %v %+v", err, other)
	}
	in = stageInputs(q)
	in[0].ID = &other.Stages[0].ID
	_, err = e.svc.UpdatePipeline(ctx, p.ID, PipelineInput{Stages: &in})
	wantErr(t, "foreign stage id", err, errs.Invalid, "stages[0].id")

	// One default: moving it clears the old one; the default cannot be
	// deleted, nor a pipeline holding opportunities.
	if _, err := e.svc.UpdatePipeline(ctx, other.ID, PipelineInput{Default: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	ps, _ := e.svc.FindPipelines(ctx)
	if len(ps) != 2 || ps[0].ID != other.ID || !ps[0].Default || ps[1].Default {
		t.Errorf("after moving the default: %+v", ps)
	}
	_, err = e.svc.UpdatePipeline(ctx, other.ID, PipelineInput{Default: ptr(false)})
	wantErr(t, "unset the default", err, errs.Invalid, "default")
	wantErr(t, "delete the default", e.svc.DeletePipeline(ctx, other.ID), errs.Conflict, "")
	wantErr(t, "delete a pipeline with opportunities", e.svc.DeletePipeline(ctx, p.ID), errs.Conflict, "")
	if err := e.svc.DeleteOpportunity(ctx, all, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeletePipeline(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetPipeline(ctx, p.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("deleted pipeline: %v", err)
	}
}
