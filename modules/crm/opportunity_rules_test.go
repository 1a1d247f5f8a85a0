package crm

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// count counts the bound tenant's rows of table matching where.
func (e *env) count(t testing.TB, ctx context.Context, table, where string, args ...any) int {
	t.Helper()
	tid, _ := tenant.FromContext(ctx)
	var n int
	err := e.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw("SELECT COUNT(*) FROM "+table+" WHERE tenant_id = ? AND "+where, append([]any{tid}, args...)...).Scan(ctx, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWinLose(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	p := e.defaultPipeline(t, ctx)
	acc := e.mustAccount(t, ctx, "Acme")
	o := e.mustOpp(t, ctx, all, OpportunityInput{Name: ptr("Valves"), AccountID: &acc.ID, AmountMinor: ptr[int64](500_00)})

	// Won and lost stages are reached only by win and lose.
	_, err := e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{StageID: &p.Stages[3].ID})
	wantErr(t, "move to won", err, errs.Invalid, "stage_id")
	moved, err := e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{StageID: &p.Stages[2].ID})
	if err != nil || moved.Probability != 70 {
		t.Fatalf("move: %v %+v", err, moved)
	}
	won, err := e.svc.Win(ctx, all, o.ID)
	if err != nil || won.Status != StatusWon || won.WonAt == nil || won.StageID != p.Stages[3].ID || won.Probability != 100 {
		t.Fatalf("win: %v %+v", err, won)
	}
	if n := e.count(t, ctx, "outbox_events", "topic = ?", TopicOpportunityWon); n != 1 {
		t.Errorf("%d opportunity.won events", n)
	}
	// Win twice, lose a won one, change it: conflicts, nothing changed.
	_, err = e.svc.Win(ctx, all, o.ID)
	wantErr(t, "win twice", err, errs.Conflict, "")
	_, err = e.svc.Lose(ctx, all, o.ID, "too late")
	wantErr(t, "lose a won one", err, errs.Conflict, "")
	_, err = e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{Name: ptr("Changed")})
	wantErr(t, "change a won one", err, errs.Conflict, "")
	wantErr(t, "delete a won one", e.svc.DeleteOpportunity(ctx, all, o.ID), errs.Conflict, "")
	if again, _ := e.svc.GetOpportunity(ctx, all, o.ID); again.Status != StatusWon || !again.UpdatedAt.Equal(won.UpdatedAt) ||
		again.Name != "Valves" || again.LostReason != "" {
		t.Errorf("after refused changes: %+v", again)
	}
	if n := e.count(t, ctx, "outbox_events", "topic = ?", TopicOpportunityWon); n != 1 {
		t.Errorf("%d opportunity.won events after refused wins", n)
	}
	hist, err := e.svc.StageHistory(ctx, all, o.ID)
	if err != nil || len(hist) != 3 || hist[0].FromStageID != nil || hist[0].ToStageName != "Qualification" ||
		hist[1].ToStageName != "Negotiation" || hist[2].FromStageName != "Negotiation" || hist[2].ToStageName != "Won" {
		t.Errorf("stage history: %v %+v", err, hist)
	}

	// Lose needs a reason; then it is final.
	o2 := e.mustOpp(t, ctx, all, OpportunityInput{Name: ptr("Pumps"), AccountID: &acc.ID})
	_, err = e.svc.Lose(ctx, all, o2.ID, "  ")
	wantErr(t, "lose without reason", err, errs.Invalid, "lost_reason")
	lost, err := e.svc.Lose(ctx, all, o2.ID, " Price ")
	if err != nil || lost.Status != StatusLost || lost.LostReason != "Price" || lost.LostAt == nil || lost.StageID != p.Stages[4].ID {
		t.Fatalf("lose: %v %+v", err, lost)
	}
	_, err = e.svc.Win(ctx, all, o2.ID)
	wantErr(t, "win a lost one", err, errs.Conflict, "")
	if n := e.count(t, ctx, "outbox_events", "topic = ?", TopicOpportunityLost); n != 1 {
		t.Errorf("%d opportunity.lost events", n)
	}
	list, err := e.svc.FindOpportunities(ctx, all, OpportunityFilter{Status: StatusLost})
	if err != nil || len(list) != 1 || list[0].ID != o2.ID {
		t.Errorf("lost list: %v %+v", err, list)
	}
}

func TestOpportunityLines(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	acc := e.mustAccount(t, ctx, "Acme") // EUR, the tenant's base currency
	valve := e.mustProduct(t, ctx, 12_50, acc.Currency, true)
	pump := e.mustProduct(t, ctx, 300_00, acc.Currency, true)
	old := e.mustProduct(t, ctx, 1_00, acc.Currency, false)
	usd := e.mustProduct(t, ctx, 1_00, "USD", true)

	o := e.mustOpp(t, ctx, all, OpportunityInput{Name: ptr("Plant"), AccountID: &acc.ID, Lines: &[]LineInput{
		{ProductID: valve, Quantity: 10}, // list price: 125.00
		{ProductID: pump, Quantity: 2, UnitPriceMinor: ptr[int64](280_00), DiscountBP: 1000}, // 560.00 − 10 % = 504.00
	}})
	if o.AmountMinor != 125_00+504_00 || len(o.Lines) != 2 || o.Lines[0].UnitPriceMinor != 12_50 || o.Lines[1].AmountMinor != 504_00 {
		t.Fatalf("amount from lines: %d %+v", o.AmountMinor, o.Lines)
	}
	// The amount follows the lines and is not set beside them.
	_, err := e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{AmountMinor: ptr[int64](1)})
	wantErr(t, "amount beside lines", err, errs.Invalid, "amount_minor")
	for _, c := range []struct {
		name  string
		lines []LineInput
		field string
	}{
		{"inactive product", []LineInput{{ProductID: old, Quantity: 1}}, "lines[0].product_id"},
		{"other currency", []LineInput{{ProductID: valve, Quantity: 1}, {ProductID: usd, Quantity: 1}}, "lines[1].product_id"},
		{"unknown product", []LineInput{{ProductID: uuid.New(), Quantity: 1}}, "lines[0].product_id"},
		{"zero quantity", []LineInput{{ProductID: valve, Quantity: 0}}, "lines[0].quantity"},
		{"negative discount", []LineInput{{ProductID: valve, Quantity: 1, DiscountBP: -1}}, "lines[0].discount_bp"},
		{"negative price", []LineInput{{ProductID: valve, Quantity: 1, UnitPriceMinor: ptr[int64](-1)}}, "lines[0].unit_price_minor"},
		{"too large", []LineInput{{ProductID: pump, Quantity: MaxLineQuantity, UnitPriceMinor: ptr[int64](MaxAmountMinor)}}, "lines[0].quantity"},
	} {
		_, err := e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{Lines: &c.lines})
		wantErr(t, c.name, err, errs.Invalid, c.field)
	}
	_, err = e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{Currency: ptr("USD")})
	wantErr(t, "currency the lines are not in", err, errs.Invalid, "currency")
	if got, _ := e.svc.GetOpportunity(ctx, all, o.ID); got.AmountMinor != 629_00 || len(got.Lines) != 2 || got.Currency != acc.Currency {
		t.Errorf("refused changes changed it: %+v", got)
	}
	// Replacing the lines replaces the amount; without lines it is set by hand.
	got, err := e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{Lines: &[]LineInput{{ProductID: pump, Quantity: 1}}})
	if err != nil || got.AmountMinor != 300_00 || len(got.Lines) != 1 {
		t.Fatalf("new lines: %v %+v", err, got)
	}
	got, err = e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{Lines: &[]LineInput{}, AmountMinor: ptr[int64](42)})
	if err != nil || got.AmountMinor != 42 || len(got.Lines) != 0 {
		t.Fatalf("lines removed: %v %+v", err, got)
	}
	if n := e.count(t, ctx, "opportunity_lines", "opportunity_id = ?", o.ID); n != 0 {
		t.Errorf("%d lines left", n)
	}
}

// TestOpportunityRecordRule: a rep sees and changes only their own
// opportunities; another rep's are not found, as another tenant's (R3).
func TestOpportunityRecordRule(t *testing.T) {
	e := newEnv(t)
	manager := e.newTenant(t)
	rep, repID := e.asUser(t, manager)
	rep2, _ := e.asUser(t, manager)
	own := Scope{}
	acc := e.mustAccount(t, manager, "Acme")
	mine := e.mustOpp(t, rep, own, OpportunityInput{Name: ptr("Mine"), AccountID: &acc.ID})
	if mine.OwnerUserID != repID || mine.OwnerName == "" || mine.AccountName != "Acme" {
		t.Fatalf("owner defaults to the caller: %+v", mine)
	}
	_, err := e.svc.CreateOpportunity(rep, own, OpportunityInput{Name: ptr("Gift"), AccountID: &acc.ID, OwnerUserID: ptr(uuid.Must(uuid.NewV7()))})
	wantErr(t, "rep assigns to another", err, errs.Invalid, "owner_user_id")

	_, err = e.svc.GetOpportunity(rep2, own, mine.ID)
	wantErr(t, "other rep reads", err, errs.NotFound, "")
	_, err = e.svc.UpdateOpportunity(rep2, own, mine.ID, OpportunityInput{Name: ptr("Stolen")})
	wantErr(t, "other rep edits", err, errs.NotFound, "")
	_, err = e.svc.Win(rep2, own, mine.ID)
	wantErr(t, "other rep wins", err, errs.NotFound, "")
	wantErr(t, "other rep deletes", e.svc.DeleteOpportunity(rep2, own, mine.ID), errs.NotFound, "")
	if l, _ := e.svc.FindOpportunities(rep2, own, OpportunityFilter{}); len(l) != 0 {
		t.Errorf("other rep lists %d", len(l))
	}
	if l, _ := e.svc.FindOpportunities(rep, own, OpportunityFilter{}); len(l) != 1 {
		t.Errorf("rep lists %d", len(l))
	}
	// The manager sees everything and may hand a deal over.
	if l, _ := e.svc.FindOpportunities(manager, all, OpportunityFilter{Q: "acm"}); len(l) != 1 {
		t.Errorf("manager finds by account name: %d", len(l))
	}
	p, _ := tenant.PrincipalFrom(rep2)
	moved, err := e.svc.UpdateOpportunity(manager, all, mine.ID, OpportunityInput{OwnerUserID: &p.ID})
	if err != nil || moved.OwnerUserID != p.ID {
		t.Fatalf("manager reassigns: %v %+v", err, moved)
	}
	if _, err := e.svc.GetOpportunity(rep, own, mine.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("former owner still sees it: %v", err)
	}
}

// TestOpportunityBadInput: bad references name their field and write nothing.
func TestOpportunityBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	other := e.newTenant(t)
	acc := e.mustAccount(t, ctx, "Acme")
	acc2 := e.mustAccount(t, ctx, "Beta")
	foreignAcc := e.mustAccount(t, other, "Foreign")
	contact, err := e.svc.CreateContact(ctx, ContactInput{AccountID: &acc2.ID, LastName: ptr("Ruiz")})
	if err != nil {
		t.Fatal(err)
	}
	p := e.defaultPipeline(t, ctx)
	second, err := e.svc.CreatePipeline(ctx, PipelineInput{Name: ptr("Renewals")})
	if err != nil {
		t.Fatal(err)
	}
	foreignPipe := e.defaultPipeline(t, other)
	base := func(mod func(*OpportunityInput)) OpportunityInput {
		in := OpportunityInput{Name: ptr("Deal"), AccountID: &acc.ID}
		mod(&in)
		return in
	}
	for _, c := range []struct {
		name  string
		in    OpportunityInput
		field string
	}{
		{"no name", base(func(in *OpportunityInput) { in.Name = nil }), "name"},
		{"no account", base(func(in *OpportunityInput) { in.AccountID = nil }), "account_id"},
		{"foreign account", base(func(in *OpportunityInput) { in.AccountID = &foreignAcc.ID }), "account_id"},
		{"contact of another account", base(func(in *OpportunityInput) { in.ContactID = &contact.ID }), "contact_id"},
		{"foreign pipeline", base(func(in *OpportunityInput) { in.PipelineID = &foreignPipe.ID }), "pipeline_id"},
		{"stage of another pipeline", base(func(in *OpportunityInput) { in.StageID = &second.Stages[0].ID }), "stage_id"},
		{"lost stage", base(func(in *OpportunityInput) { in.StageID = &p.Stages[4].ID }), "stage_id"},
		{"negative amount", base(func(in *OpportunityInput) { in.AmountMinor = ptr[int64](-1) }), "amount_minor"},
		{"probability", base(func(in *OpportunityInput) { in.Probability = ptr(101) }), "probability"},
		{"currency", base(func(in *OpportunityInput) { in.Currency = ptr("euro") }), "currency"},
	} {
		_, err := e.svc.CreateOpportunity(ctx, all, c.in)
		wantErr(t, c.name, err, errs.Invalid, c.field)
	}
	if n := e.count(t, ctx, "opportunities", "1 = 1"); n != 0 {
		t.Errorf("%d opportunities written by refused creates", n)
	}
	// A manual probability sticks across moves until cleared.
	o := e.mustOpp(t, ctx, all, OpportunityInput{Name: ptr("Deal"), AccountID: &acc.ID, Probability: ptr(25),
		PipelineID: &second.ID})
	if o.Probability != 25 || !o.ProbabilityManual || o.StageID != second.Stages[0].ID {
		t.Fatalf("manual probability: %+v", o)
	}
	o, _ = e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{StageID: &second.Stages[1].ID})
	if o.Probability != 25 {
		t.Errorf("manual probability lost on a move: %d", o.Probability)
	}
	o, _ = e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{ClearProbability: true})
	if o.Probability != 40 || o.ProbabilityManual {
		t.Errorf("cleared probability: %+v", o)
	}
	// Moving to another pipeline starts at its first open stage.
	o, err = e.svc.UpdateOpportunity(ctx, all, o.ID, OpportunityInput{PipelineID: &p.ID})
	if err != nil || o.PipelineID != p.ID || o.StageID != p.Stages[0].ID || o.Probability != 10 {
		t.Errorf("pipeline move: %v %+v", err, o)
	}
}

// TestActivityOpportunity: activities accept an opportunity of the tenant,
// on the opportunity's account.
func TestActivityOpportunity(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	other := e.newTenant(t)
	acc := e.mustAccount(t, ctx, "Acme")
	acc2 := e.mustAccount(t, ctx, "Beta")
	o := e.mustOpp(t, ctx, all, OpportunityInput{Name: ptr("Deal"), AccountID: &acc.ID})
	foreign := e.mustOpp(t, other, all, OpportunityInput{Name: ptr("Theirs"), AccountID: ptr(e.mustAccount(t, other, "X").ID)})

	a, err := e.svc.CreateActivity(ctx, ActivityInput{Kind: ptr("call"), Subject: ptr("Intro"), OpportunityID: &o.ID})
	if err != nil || a.AccountID == nil || *a.AccountID != acc.ID || a.OpportunityID == nil || *a.OpportunityID != o.ID {
		t.Fatalf("activity on an opportunity: %v %+v", err, a)
	}
	_, err = e.svc.CreateActivity(ctx, ActivityInput{Kind: ptr("call"), Subject: ptr("X"), OpportunityID: &foreign.ID})
	wantErr(t, "foreign opportunity", err, errs.Invalid, "opportunity_id")
	_, err = e.svc.CreateActivity(ctx, ActivityInput{Kind: ptr("call"), Subject: ptr("X"), AccountID: &acc2.ID, OpportunityID: &o.ID})
	wantErr(t, "opportunity of another account", err, errs.Invalid, "opportunity_id")
	list, err := e.svc.FindActivities(ctx, all, ActivityFilter{OpportunityID: &o.ID})
	if err != nil || len(list) != 1 {
		t.Errorf("activities of the opportunity: %v %d", err, len(list))
	}
	// Deleting the opportunity keeps the activity on the account.
	if err := e.svc.DeleteOpportunity(ctx, all, o.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetActivity(ctx, all, a.ID)
	if err != nil || got.OpportunityID != nil || got.AccountID == nil || *got.AccountID != acc.ID {
		t.Errorf("activity after the opportunity's deletion: %v %+v", err, got)
	}
}
