package main

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"nexo/tenant"
)

type crmStage struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Probability int    `json:"probability"`
	Won         bool   `json:"won"`
	Lost        bool   `json:"lost"`
}

type crmPipeline struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Default bool       `json:"default"`
	Stages  []crmStage `json:"stages"`
}

type crmOpportunity struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	AccountName string  `json:"account_name"`
	StageID     string  `json:"stage_id"`
	OwnerUserID string  `json:"owner_user_id"`
	AmountMinor int64   `json:"amount_minor"`
	Probability int     `json:"probability"`
	Status      string  `json:"status"`
	LostReason  string  `json:"lost_reason"`
	WonAt       *string `json:"won_at"`
	Lines       []struct {
		UnitPriceMinor int64 `json:"unit_price_minor"`
		AmountMinor    int64 `json:"amount_minor"`
	} `json:"lines"`
	StageHistory []struct {
		ToStageName string `json:"to_stage_name"`
	} `json:"stage_history"`
}

// TestCRMOpportunities is the C3 journey through HTTP: the default
// pipeline appears on first read, a rep opens an opportunity with product
// lines, moves it along the board and wins it; winning twice, losing
// without a reason and another rep's or tenant's ids are refused; a sales
// manager sees the whole team's (R3).
func TestCRMOpportunities(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("crm-opps")
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	uid := uuid.MustParse(me.User.ID)
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: uuid.MustParse(me.Tenant.ID),
		Kind: tenant.KindUser, ID: uid, Subject: tenant.UserSubject(uid), Name: "Owner"})
	users, ids := map[string]*client{}, map[string]string{}
	for _, u := range []struct{ email, role string }{{"rep@opps.example.com", "sales"}, {"rep2@opps.example.com", "sales"},
		{"boss@opps.example.com", "sales_manager"}} {
		id, err := ta.identity.AddUser(octx, u.email, u.email, testPassword, []string{u.role})
		if err != nil {
			t.Fatal(err)
		}
		users[u.email], ids[u.email] = ta.sessionFrom(login(ta, u.email, testPassword, "crm-opps")), id.ID.String()
	}
	rep, rep2, boss := users["rep@opps.example.com"], users["rep2@opps.example.com"], users["boss@opps.example.com"]

	var pipes crmList[crmPipeline]
	ta.do(rep, "GET", "/api/v1/pipelines", nil).json(t, &pipes)
	if len(pipes.Items) != 1 || !pipes.Items[0].Default || len(pipes.Items[0].Stages) != 5 {
		t.Fatalf("default pipeline: %+v", pipes)
	}
	st := pipes.Items[0].Stages
	// Only pipelines:manage edits pipelines.
	if r := ta.do(rep, "PATCH", "/api/v1/pipelines/"+pipes.Items[0].ID, map[string]any{"name": "Mine"}); r.Status != 403 {
		t.Errorf("rep edits the pipeline: %d", r.Status)
	}

	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Acme Valves", "currency": "EUR"})
	product := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "V-1", "name": "Valve", "type": "stocked",
		"list_price_minor": 2500, "currency": "EUR"})
	var o crmOpportunity
	r := ta.do(rep, "POST", "/api/v1/opportunities", map[string]any{"name": "Plant valves", "account_id": acme,
		"expected_close": "2030-03-31", "lines": []map[string]any{{"product_id": product, "quantity": 4, "discount_bp": 500}}})
	r.json(t, &o)
	if r.Status != 201 || o.AmountMinor != 9500 || o.Lines[0].UnitPriceMinor != 2500 || o.StageID != st[0].ID ||
		o.Probability != 10 || o.OwnerUserID != ids["rep@opps.example.com"] || o.AccountName != "Acme Valves" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	// Bad input names the field and creates nothing.
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "X"}, "account_id"},
		{map[string]any{"name": "X", "account_id": acme, "stage_id": st[3].ID}, "stage_id"},
		{map[string]any{"name": "X", "account_id": acme, "amount_minor": 1.5}, "amount_minor"},
		{map[string]any{"name": "X", "account_id": acme, "status": "won"}, "status"},
		{map[string]any{"name": "X", "account_id": acme, "owner_user_id": ids["rep2@opps.example.com"]}, "owner_user_id"},
		{map[string]any{"name": "X", "account_id": acme, "lines": []map[string]any{{"product_id": product, "quantity": 1, "discount_bp": -5}}}, "lines[0].discount_bp"},
	} {
		if r := ta.do(rep, "POST", "/api/v1/opportunities", bad.body); r.Status != 400 || r.problemField(bad.field) == "" {
			t.Errorf("bad %v: %d %s", bad.body, r.Status, r.Body)
		}
	}
	var list crmList[crmOpportunity]
	ta.do(boss, "GET", "/api/v1/opportunities", nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("bad input created opportunities: %+v", list)
	}

	// Drag along the board, then win.
	if r := ta.do(rep, "PATCH", "/api/v1/opportunities/"+o.ID, map[string]any{"stage_id": st[2].ID}); r.Status != 200 {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	// R3: another rep gets a 404 on every route, like a foreign id; the manager sees it.
	for _, c := range []struct{ method, path string }{{"GET", ""}, {"PATCH", ""}, {"POST", "/win"}, {"DELETE", ""}} {
		if r := ta.do(rep2, c.method, "/api/v1/opportunities/"+o.ID+c.path, map[string]any{"name": "Stolen"}); r.Status != 404 {
			t.Errorf("%s as another rep: %d %s", c.method+c.path, r.Status, r.Body)
		}
	}
	ta.do(rep2, "GET", "/api/v1/opportunities", nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("another rep lists %d", len(list.Items))
	}
	ta.do(boss, "GET", "/api/v1/opportunities?owner="+ids["rep@opps.example.com"]+"&stage_id="+st[2].ID+"&q=acme", nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("manager's filtered list: %+v", list)
	}
	ta.do(rep, "POST", "/api/v1/opportunities/"+o.ID+"/win", nil).json(t, &o)
	if o.Status != "won" || o.StageID != st[3].ID || o.WonAt == nil || o.Probability != 100 {
		t.Fatalf("win: %+v", o)
	}
	if r := ta.do(rep, "POST", "/api/v1/opportunities/"+o.ID+"/win", nil); r.Status != 409 {
		t.Errorf("win twice: %d %s", r.Status, r.Body)
	}
	if r := ta.do(rep, "POST", "/api/v1/opportunities/"+o.ID+"/lose", map[string]any{"lost_reason": "Price"}); r.Status != 409 {
		t.Errorf("lose a won one: %d %s", r.Status, r.Body)
	}
	ta.do(rep, "GET", "/api/v1/opportunities/"+o.ID, nil).json(t, &o)
	if o.Status != "won" || o.LostReason != "" || len(o.StageHistory) != 3 || o.StageHistory[2].ToStageName != "Won" {
		t.Errorf("after refused changes: %+v", o)
	}

	// Lose needs a reason; a stage holding it cannot be removed.
	lost := ta.erpCreate(t, rep, "/api/v1/opportunities", map[string]any{"name": "Pumps", "account_id": acme, "amount_minor": 100})
	if r := ta.do(rep, "POST", "/api/v1/opportunities/"+lost+"/lose", map[string]any{}); r.Status != 400 || r.problemField("lost_reason") == "" {
		t.Errorf("lose without reason: %d %s", r.Status, r.Body)
	}
	stages := []map[string]any{}
	for _, s := range st[1:] {
		stages = append(stages, map[string]any{"id": s.ID, "name": s.Name, "probability": s.Probability, "won": s.Won, "lost": s.Lost})
	}
	if r := ta.do(boss, "PATCH", "/api/v1/pipelines/"+pipes.Items[0].ID, map[string]any{"stages": stages}); r.Status != 409 || r.problemCode() != "conflict" {
		t.Errorf("remove a held stage: %d %s", r.Status, r.Body)
	}
	if r := ta.do(rep, "POST", "/api/v1/opportunities/"+lost+"/lose", map[string]any{"lost_reason": "Went with a competitor"}); r.Status != 200 {
		t.Errorf("lose: %d %s", r.Status, r.Body)
	}

	// Activities take the opportunity; foreign tenants' ids are 404 or named.
	act := ta.erpCreate(t, rep, "/api/v1/activities", map[string]any{"kind": "call", "subject": "Kick-off", "opportunity_id": o.ID})
	var acts crmList[crmActivity]
	ta.do(rep, "GET", "/api/v1/activities?opportunity_id="+o.ID, nil).json(t, &acts)
	if len(acts.Items) != 1 || acts.Items[0].ID != act || acts.Items[0].AccountID == nil || *acts.Items[0].AccountID != acme {
		t.Errorf("activities of the opportunity: %+v", acts)
	}
	other := ta.signup("crm-opps-b")
	otherAcc := ta.erpCreate(t, other, "/api/v1/accounts", map[string]any{"name": "Other"})
	theirs := ta.erpCreate(t, other, "/api/v1/opportunities", map[string]any{"name": "Theirs", "account_id": otherAcc})
	var otherPipes crmList[crmPipeline]
	ta.do(other, "GET", "/api/v1/pipelines", nil).json(t, &otherPipes)
	missing := uuid.Must(uuid.NewV7()).String()
	for _, p := range []string{"/api/v1/opportunities/", "/api/v1/pipelines/"} {
		foreign := theirs
		if p == "/api/v1/pipelines/" {
			foreign = otherPipes.Items[0].ID
		}
		a, b := ta.do(boss, "GET", p+foreign, nil), ta.do(boss, "GET", p+missing, nil)
		if a.Status != 404 || b.Status != 404 || a.problemCode() != b.problemCode() {
			t.Errorf("foreign %s: %d, missing: %d", p, a.Status, b.Status)
		}
	}
	if r := ta.do(rep, "POST", "/api/v1/activities", map[string]any{"kind": "call", "subject": "X", "opportunity_id": theirs}); r.Status != 400 || r.problemField("opportunity_id") == "" {
		t.Errorf("activity on a foreign opportunity: %d %s", r.Status, r.Body)
	}
	if r := ta.do(rep, "POST", "/api/v1/opportunities", map[string]any{"name": "X", "account_id": otherAcc}); r.Status != 400 || r.problemField("account_id") == "" {
		t.Errorf("opportunity on a foreign account: %d %s", r.Status, r.Body)
	}
}
