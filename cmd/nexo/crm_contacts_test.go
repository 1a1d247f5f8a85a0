package main

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"nexo/tenant"
)

type crmActivity struct {
	ID         string  `json:"id"`
	Kind       string  `json:"kind"`
	Subject    string  `json:"subject"`
	AccountID  *string `json:"account_id"`
	ContactID  *string `json:"contact_id"`
	Done       bool    `json:"done"`
	DoneAt     *string `json:"done_at"`
	AssignedTo string  `json:"assigned_to"`
}

type crmList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// TestCRMContactsAndActivities is the C1/C5 journey through HTTP: a rep
// finds an account, adds its contacts, logs a call and a task, works "my
// tasks"; the record rule R3 keeps the rep to their own activities while a
// sales manager (activities:read:all) sees the team's.
func TestCRMContactsAndActivities(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("crm-journey")
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	uid := uuid.MustParse(me.User.ID)
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: uuid.MustParse(me.Tenant.ID),
		Kind: tenant.KindUser, ID: uid, Subject: tenant.UserSubject(uid), Name: "Owner"})
	users := map[string]*client{}
	ids := map[string]string{}
	for _, u := range []struct{ email, role string }{{"rep@crm.example.com", "sales"}, {"rep2@crm.example.com", "sales"},
		{"boss@crm.example.com", "sales_manager"}} {
		id, err := ta.identity.AddUser(octx, u.email, u.email, testPassword, []string{u.role})
		if err != nil {
			t.Fatal(err)
		}
		users[u.email], ids[u.email] = ta.sessionFrom(login(ta, u.email, testPassword, "crm-journey")), id.ID.String()
	}
	rep, rep2, boss := users["rep@crm.example.com"], users["rep2@crm.example.com"], users["boss@crm.example.com"]

	// Account create warns of a duplicate (409 with the candidates) until confirmed.
	acme := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Válvulas Acme, S.L.", "tax_id": "B-12345678"})
	r := ta.do(rep, "POST", "/api/v1/accounts", map[string]any{"name": "VALVULAS ACME SL"})
	var dup struct {
		Code       string `json:"code"`
		Candidates []struct {
			Account struct {
				ID string `json:"id"`
			} `json:"account"`
			Reasons []string `json:"reasons"`
		} `json:"candidates"`
	}
	r.json(t, &dup)
	if r.Status != 409 || dup.Code != "conflict" || len(dup.Candidates) != 1 || dup.Candidates[0].Account.ID != acme {
		t.Fatalf("duplicate: %d %s", r.Status, r.Body)
	}
	if r := ta.do(rep, "POST", "/api/v1/accounts", map[string]any{"name": "Other", "tax_id": "b12345678"}); r.Status != 409 {
		t.Errorf("same tax id: %d %s", r.Status, r.Body)
	}
	var accounts crmList[struct {
		ID string `json:"id"`
	}]
	// Search ignores accents and finds the tax id written another way.
	for _, q := range []string{"valvulas", "b%2012345678"} {
		ta.do(rep, "GET", "/api/v1/accounts?q="+q, nil).json(t, &accounts)
		if len(accounts.Items) != 1 || accounts.Items[0].ID != acme {
			t.Errorf("accounts?q=%s: %+v", q, accounts)
		}
	}
	other := ta.erpCreate(t, rep, "/api/v1/accounts", map[string]any{"name": "Valvulas Acme", "confirm_duplicate": true})

	// Contacts, one primary; bad input names the field and creates nothing.
	ana := ta.erpCreate(t, rep, "/api/v1/contacts", map[string]any{"account_id": acme, "first_name": "Ana", "last_name": "García",
		"email": "Ana@Acme.Example", "role": "buyer", "primary": true})
	luis := ta.erpCreate(t, rep, "/api/v1/contacts", map[string]any{"account_id": acme, "first_name": "Luis", "primary": true})
	var c struct {
		Email   string `json:"email"`
		Primary bool   `json:"primary"`
	}
	ta.do(rep, "GET", "/api/v1/contacts/"+ana, nil).json(t, &c)
	if c.Email != "ana@acme.example" || c.Primary {
		t.Errorf("ana after luis became primary: %+v", c)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"last_name": "X"}, "account_id"},
		{map[string]any{"account_id": "nope", "last_name": "X"}, "account_id"},
		{map[string]any{"account_id": uuid.NewString(), "last_name": "X"}, "account_id"},
		{map[string]any{"account_id": acme, "last_name": "X", "email": "x"}, "email"},
		{map[string]any{"account_id": acme, "last_name": "X", "role": "ceo"}, "role"},
		{map[string]any{"account_id": acme, "last_name": "X", "tenant_id": uuid.NewString()}, "tenant_id"},
		{map[string]any{"account_id": acme}, "last_name"},
	} {
		if r := ta.do(rep, "POST", "/api/v1/contacts", bad.body); r.Status != 400 || r.problemField(bad.field) == "" {
			t.Errorf("contact %v: %d %s", bad.body, r.Status, r.Body)
		}
	}
	var contacts crmList[struct {
		ID string `json:"id"`
	}]
	ta.do(rep, "GET", "/api/v1/contacts?account_id="+acme, nil).json(t, &contacts)
	if len(contacts.Items) != 2 {
		t.Errorf("contacts of acme: %d", len(contacts.Items))
	}
	ta.do(rep, "GET", "/api/v1/contacts?q=garc&limit=1", nil).json(t, &contacts)
	if len(contacts.Items) != 1 || contacts.Items[0].ID != ana {
		t.Errorf("contact search: %+v", contacts)
	}
	// The account is found by a contact's email.
	ta.do(rep, "GET", "/api/v1/accounts?q=ana@acme", nil).json(t, &accounts)
	if len(accounts.Items) != 1 || accounts.Items[0].ID != acme {
		t.Errorf("account by contact email: %+v", accounts)
	}

	// Activities: the rep logs a call and a task; rep2 a task; the boss sees all.
	var call, task, task2 crmActivity
	ta.do(rep, "POST", "/api/v1/activities", map[string]any{"kind": "call", "subject": "Intro call", "contact_id": ana}).json(t, &call)
	if call.AccountID == nil || *call.AccountID != acme || call.AssignedTo != ids["rep@crm.example.com"] {
		t.Fatalf("call: %+v", call)
	}
	ta.do(rep, "POST", "/api/v1/activities", map[string]any{"kind": "task", "subject": "Send quote", "account_id": acme,
		"due_at": "2030-03-01T10:00:00+01:00"}).json(t, &task)
	ta.do(rep2, "POST", "/api/v1/activities", map[string]any{"kind": "task", "subject": "Visit", "account_id": acme}).json(t, &task2)
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "fax", "subject": "x", "account_id": acme}, "kind"},
		{map[string]any{"kind": "note", "account_id": acme}, "subject"},
		{map[string]any{"kind": "note", "subject": "x"}, "account_id"},
		{map[string]any{"kind": "note", "subject": "x", "account_id": other, "contact_id": luis}, "contact_id"},
		{map[string]any{"kind": "task", "subject": "x", "account_id": acme, "due_at": "tomorrow"}, "due_at"},
		{map[string]any{"kind": "task", "subject": "x", "account_id": acme, "assigned_to": uuid.NewString()}, "assigned_to"},
		{map[string]any{"kind": "note", "subject": "x", "account_id": acme, "created_by": uuid.NewString()}, "created_by"},
	} {
		if r := ta.do(rep, "POST", "/api/v1/activities", bad.body); r.Status != 400 || r.problemField(bad.field) == "" {
			t.Errorf("activity %v: %d %s", bad.body, r.Status, r.Body)
		}
	}
	list := func(c *client, q string) []crmActivity {
		t.Helper()
		var l crmList[crmActivity]
		if r := ta.do(c, "GET", "/api/v1/activities"+q, nil); r.Status != 200 {
			t.Fatalf("list %s: %d %s", q, r.Status, r.Body)
		} else {
			r.json(t, &l)
		}
		return l.Items
	}
	if got := list(rep, "?account_id="+acme); len(got) != 2 {
		t.Errorf("rep sees %d activities on acme, want own 2", len(got))
	}
	if got := list(rep, "?assigned_to="+ids["rep2@crm.example.com"]); len(got) != 0 {
		t.Errorf("rep lists rep2's activities: %+v", got)
	}
	if got := list(boss, "?account_id="+acme); len(got) != 3 {
		t.Errorf("sales manager sees %d activities, want 3", len(got))
	}
	if r := ta.do(rep, "GET", "/api/v1/activities/"+task2.ID, nil); r.Status != 404 {
		t.Errorf("rep reads rep2's task: %d", r.Status)
	}
	if r := ta.do(rep, "PATCH", "/api/v1/activities/"+task2.ID, map[string]any{"done": true}); r.Status != 404 {
		t.Errorf("rep closes rep2's task: %d", r.Status)
	}
	if r := ta.do(boss, "GET", "/api/v1/activities/"+task2.ID, nil); r.Status != 200 {
		t.Errorf("manager reads rep2's task: %d", r.Status)
	}

	// My tasks: open, then done.
	if got := list(rep, "?assigned_to=me&open=true"); len(got) != 1 || got[0].ID != task.ID {
		t.Fatalf("rep's open tasks: %+v", got)
	}
	if got := list(rep, "?assigned_to=me&open=true&due_before=2030-03-01T08:00:00Z"); len(got) != 0 {
		t.Errorf("due_before is exclusive of later tasks: %+v", got)
	}
	var done crmActivity
	ta.do(rep, "PATCH", "/api/v1/activities/"+task.ID, map[string]any{"done": true}).json(t, &done)
	if !done.Done || done.DoneAt == nil {
		t.Errorf("done: %+v", done)
	}
	if got := list(rep, "?assigned_to=me&open=true"); len(got) != 0 {
		t.Errorf("open tasks after done: %+v", got)
	}
	if r := ta.do(rep, "GET", "/api/v1/activities?open=maybe", nil); r.Status != 400 || r.problemField("open") == "" {
		t.Errorf("open=maybe: %d %s", r.Status, r.Body)
	}

	// Deleting a contact keeps its call on the account.
	if r := ta.do(rep, "DELETE", "/api/v1/contacts/"+ana, nil); r.Status != 204 {
		t.Fatalf("delete contact: %d %s", r.Status, r.Body)
	}
	var after crmActivity
	ta.do(rep, "GET", "/api/v1/activities/"+call.ID, nil).json(t, &after)
	if after.ContactID != nil || after.AccountID == nil || *after.AccountID != acme {
		t.Errorf("call after its contact was deleted: %+v", after)
	}
	if r := ta.do(rep, "DELETE", "/api/v1/activities/"+call.ID, nil); r.Status != 204 {
		t.Errorf("delete own call: %d", r.Status)
	}
}
