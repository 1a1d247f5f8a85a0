package crm

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/tenant"
)

func TestNameAndTaxKeys(t *testing.T) {
	same := [][]string{
		{"Acme S.L.", "ACME", "acme, s.l.", "Acme SL", "Acme S. L."},
		{"Válvulas Núñez S.A.", "valvulas nunez", "VALVULAS NUÑEZ, SA", "Valvulas-Nunez S.A.U."},
		{"Müller GmbH", "Muller", "MÜLLER gmbh"},
		{"Smith & Sons Ltd.", "Smith Sons", "smith & sons limited"},
	}
	for _, group := range same {
		for _, n := range group[1:] {
			if nameKey(n) != nameKey(group[0]) {
				t.Errorf("nameKey(%q) = %q, want nameKey(%q) = %q", n, nameKey(n), group[0], nameKey(group[0]))
			}
		}
	}
	for _, pair := range [][2]string{{"Acme", "Acme Tools"}, {"Acme Iberia S.L.", "Acme S.L."}, {"Beta", "Betamax"}} {
		if nameKey(pair[0]) == nameKey(pair[1]) {
			t.Errorf("%q and %q have the same key %q", pair[0], pair[1], nameKey(pair[0]))
		}
	}
	if k := nameKey("S.L."); k == "" {
		t.Error("a name made only of a legal suffix has an empty key")
	}
	if taxKey("b-12.345 678") != "B12345678" || taxKey("") != "" {
		t.Errorf("taxKey: %q", taxKey("b-12.345 678"))
	}
}

func TestDuplicateWarning(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	acme, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("Acme Válvulas S.L."), TaxID: ptr("B-12345678"), Email: ptr("Info@acme.es")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in     AccountInput
		reason string
	}{
		{AccountInput{Name: ptr("ACME VALVULAS, SL")}, "name"},
		{AccountInput{Name: ptr("Other name"), TaxID: ptr("b12345678")}, "tax_id"},
		{AccountInput{Name: ptr("Third name"), Email: ptr("info@ACME.es")}, "email"},
	} {
		_, err := e.svc.CreateAccount(ctx, c.in)
		dup, ok := err.(*DuplicateError)
		if !ok || !errs.Is(err, errs.Conflict) || len(dup.Candidates) != 1 || dup.Candidates[0].Account.ID != acme.ID ||
			!strings.Contains(strings.Join(dup.Candidates[0].Reasons, ","), c.reason) {
			t.Errorf("%s: got %v %+v", *c.in.Name, err, dup)
		}
	}
	if list, _ := e.svc.FindAccounts(ctx, Filter{}); len(list) != 1 {
		t.Fatalf("a refused duplicate was created: %d accounts", len(list))
	}
	in := AccountInput{Name: ptr("Acme Valvulas"), ConfirmDuplicate: true}
	if _, err := e.svc.CreateAccount(ctx, in); err != nil {
		t.Fatalf("confirmed duplicate: %v", err)
	}
	if _, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("Acme Tools")}); err != nil {
		t.Errorf("a different name was refused: %v", err)
	}
	// Another tenant's accounts are never candidates.
	if _, err := e.svc.CreateAccount(e.newTenant(t), AccountInput{Name: ptr("Acme Valvulas SL"), TaxID: ptr("B12345678")}); err != nil {
		t.Errorf("another tenant's account counted as a duplicate: %v", err)
	}
	// Search: tax id written another way, and a contact's email.
	if _, err := e.svc.CreateContact(ctx, ContactInput{AccountID: &acme.ID, LastName: ptr("Ruiz"), Email: ptr("Buyer@Client.example")}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"b 1234-5678", "buyer@client", "válvulas"} {
		list, err := e.svc.FindAccounts(ctx, Filter{Q: q})
		if err != nil || len(list) == 0 || list[len(list)-1].ID != acme.ID {
			t.Errorf("q=%q: %v %d accounts", q, err, len(list))
		}
	}
}

func TestContacts(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	acct := e.mustAccount(t, ctx, "Acme")
	ana, err := e.svc.CreateContact(ctx, ContactInput{AccountID: &acct.ID, FirstName: ptr(" Ana "), LastName: ptr("García"),
		Email: ptr("Ana.Garcia@Acme.example"), Role: ptr("buyer"), Primary: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if ana.Email != "ana.garcia@acme.example" || ana.FirstName != "Ana" || !ana.Primary || !ana.Active {
		t.Errorf("created %+v", ana)
	}
	// A second primary takes the flag: one primary per account.
	luis, err := e.svc.CreateContact(ctx, ContactInput{AccountID: &acct.ID, FirstName: ptr("Luis"), Primary: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.GetContact(ctx, ana.ID); got.Primary {
		t.Error("two primary contacts on one account")
	}
	if luis.Role != "other" {
		t.Errorf("default role %q", luis.Role)
	}
	if _, err := e.svc.UpdateContact(ctx, ana.ID, ContactInput{Primary: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.GetContact(ctx, luis.ID); got.Primary {
		t.Error("PATCH primary left the old primary")
	}
	for _, q := range []string{"ana garc", "ACME.example", "luis"} {
		if list, err := e.svc.FindContacts(ctx, ContactFilter{Q: q, AccountID: &acct.ID}); err != nil || len(list) != 1 {
			t.Errorf("q=%q: %v %d", q, err, len(list))
		}
	}
	missing := uuid.Must(uuid.NewV7())
	bad := []struct {
		what  string
		in    ContactInput
		field string
	}{
		{"no account", ContactInput{LastName: ptr("X")}, "account_id"},
		{"unknown account", ContactInput{AccountID: &missing, LastName: ptr("X")}, "account_id"},
		{"no name", ContactInput{AccountID: &acct.ID, FirstName: ptr(" ")}, "last_name"},
		{"bad email", ContactInput{AccountID: &acct.ID, LastName: ptr("X"), Email: ptr("no-at")}, "email"},
		{"bad role", ContactInput{AccountID: &acct.ID, LastName: ptr("X"), Role: ptr("boss")}, "role"},
	}
	for _, c := range bad {
		_, err := e.svc.CreateContact(ctx, c.in)
		wantErr(t, c.what, err, errs.Invalid, c.field)
	}
	wantErr(t, "move account", func() error {
		_, err := e.svc.UpdateContact(ctx, ana.ID, ContactInput{AccountID: &acct.ID})
		return err
	}(), errs.Invalid, "account_id")
	wantErr(t, "clear both names", func() error {
		_, err := e.svc.UpdateContact(ctx, luis.ID, ContactInput{FirstName: ptr("")})
		return err
	}(), errs.Invalid, "last_name")
	if list, _ := e.svc.FindContacts(ctx, ContactFilter{AccountID: &acct.ID}); len(list) != 2 {
		t.Errorf("bad input changed the contacts: %d", len(list))
	}
	if got, _ := e.svc.GetContact(ctx, luis.ID); got.FirstName != "Luis" {
		t.Errorf("a refused PATCH changed the contact: %+v", got)
	}
	// Deleting a contact keeps its activities on the account.
	act, err := e.svc.CreateActivity(ctx, ActivityInput{Kind: ptr("call"), Subject: ptr("Intro"), ContactID: &luis.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteContact(ctx, luis.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetActivity(ctx, Scope{All: true}, act.ID)
	if err != nil || got.ContactID != nil || got.AccountID == nil || *got.AccountID != acct.ID {
		t.Errorf("activity after its contact was deleted: %+v %v", got, err)
	}
	wantErr(t, "get deleted", func() error { _, err := e.svc.GetContact(ctx, luis.ID); return err }(), errs.NotFound, "")
}

func TestActivities(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	p, _ := tenant.PrincipalFrom(ctx)
	rep := uuid.Must(uuid.NewV7())
	e.newUser(t, ctx, rep)
	repCtx := tenant.WithPrincipal(ctx, tenant.Principal{TenantID: p.TenantID, Kind: tenant.KindUser, ID: rep, Subject: tenant.UserSubject(rep)})
	acme, other := e.mustAccount(t, ctx, "Acme"), e.mustAccount(t, ctx, "Other")
	ana, err := e.svc.CreateContact(ctx, ContactInput{AccountID: &acme.ID, LastName: ptr("Ana")})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	task, err := e.svc.CreateActivity(repCtx, ActivityInput{Kind: ptr("task"), Subject: ptr("Send samples"), ContactID: &ana.ID, DueAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	if task.AccountID == nil || *task.AccountID != acme.ID || task.AssignedTo != rep || task.CreatedBy == nil || *task.CreatedBy != rep {
		t.Errorf("task %+v", task)
	}
	note, err := e.svc.CreateActivity(ctx, ActivityInput{Kind: ptr("note"), Subject: ptr("Met at fair"), AccountID: &acme.ID})
	if err != nil {
		t.Fatal(err)
	}
	// R3: the rep sees only their own; the scope with All sees both.
	mine, _ := e.svc.FindActivities(repCtx, Scope{}, ActivityFilter{AccountID: &acme.ID})
	all, _ := e.svc.FindActivities(repCtx, Scope{All: true}, ActivityFilter{AccountID: &acme.ID})
	if len(mine) != 1 || mine[0].ID != task.ID || len(all) != 2 {
		t.Errorf("rep sees %d, all %d", len(mine), len(all))
	}
	wantErr(t, "rep reads another's", func() error { _, err := e.svc.GetActivity(repCtx, Scope{}, note.ID); return err }(), errs.NotFound, "")
	wantErr(t, "rep marks another's done", func() error {
		_, err := e.svc.UpdateActivity(repCtx, Scope{}, note.ID, ActivityInput{Done: ptr(true)})
		return err
	}(), errs.NotFound, "")
	wantErr(t, "rep deletes another's", e.svc.DeleteActivity(repCtx, Scope{}, note.ID), errs.NotFound, "")
	// My open tasks, then done.
	open, _ := e.svc.FindActivities(repCtx, Scope{}, ActivityFilter{AssignedTo: &rep, Open: true, DueBefore: ptr(due.Add(time.Hour))})
	if len(open) != 1 {
		t.Fatalf("open tasks: %d", len(open))
	}
	done, err := e.svc.UpdateActivity(repCtx, Scope{}, task.ID, ActivityInput{Done: ptr(true)})
	if err != nil || done.DoneAt == nil {
		t.Fatalf("done: %v %+v", err, done)
	}
	if open, _ = e.svc.FindActivities(repCtx, Scope{}, ActivityFilter{AssignedTo: &rep, Open: true}); len(open) != 0 {
		t.Errorf("a done task is still open")
	}
	reopened, _ := e.svc.UpdateActivity(repCtx, Scope{}, task.ID, ActivityInput{Done: ptr(false), ClearDue: true})
	if reopened.DoneAt != nil || reopened.DueAt != nil {
		t.Errorf("reopen: %+v", reopened)
	}
	missing := uuid.Must(uuid.NewV7())
	bad := []struct {
		what  string
		in    ActivityInput
		field string
	}{
		{"no kind", ActivityInput{Subject: ptr("x"), AccountID: &acme.ID}, "kind"},
		{"bad kind", ActivityInput{Kind: ptr("fax"), Subject: ptr("x"), AccountID: &acme.ID}, "kind"},
		{"no subject", ActivityInput{Kind: ptr("note"), AccountID: &acme.ID}, "subject"},
		{"about nothing", ActivityInput{Kind: ptr("note"), Subject: ptr("x")}, "account_id"},
		{"unknown account", ActivityInput{Kind: ptr("note"), Subject: ptr("x"), AccountID: &missing}, "account_id"},
		{"unknown contact", ActivityInput{Kind: ptr("note"), Subject: ptr("x"), ContactID: &missing}, "contact_id"},
		{"contact of another account", ActivityInput{Kind: ptr("note"), Subject: ptr("x"), AccountID: &other.ID, ContactID: &ana.ID}, "contact_id"},
		{"unknown assignee", ActivityInput{Kind: ptr("task"), Subject: ptr("x"), AccountID: &acme.ID, AssignedTo: &missing}, "assigned_to"},
		{"due far away", ActivityInput{Kind: ptr("task"), Subject: ptr("x"), AccountID: &acme.ID, DueAt: ptr(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))}, "due_at"},
		{"body too long", ActivityInput{Kind: ptr("note"), Subject: ptr("x"), AccountID: &acme.ID, Body: ptr(strings.Repeat("x", 10_001))}, "body"},
	}
	for _, c := range bad {
		_, err := e.svc.CreateActivity(ctx, c.in)
		wantErr(t, c.what, err, errs.Invalid, c.field)
	}
	wantErr(t, "patch to a foreign contact", func() error {
		other, _ := e.svc.CreateContact(ctx, ContactInput{AccountID: &other.ID, LastName: ptr("Bo")})
		_, err := e.svc.UpdateActivity(ctx, Scope{All: true}, note.ID, ActivityInput{ContactID: &other.ID, Subject: ptr("changed")})
		return err
	}(), errs.Invalid, "contact_id")
	if got, _ := e.svc.GetActivity(ctx, Scope{All: true}, note.ID); got.Subject != "Met at fair" || got.ContactID != nil {
		t.Errorf("a refused PATCH changed the activity: %+v", got)
	}
	if all, _ := e.svc.FindActivities(ctx, Scope{All: true}, ActivityFilter{}); len(all) != 2 {
		t.Errorf("bad input created activities: %d", len(all))
	}
	// An API key must name the assignee.
	keyCtx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: p.TenantID, Kind: tenant.KindAPIKey, ID: uuid.Must(uuid.NewV7())})
	_, err = e.svc.CreateActivity(keyCtx, ActivityInput{Kind: ptr("note"), Subject: ptr("x"), AccountID: &acme.ID})
	wantErr(t, "api key without assignee", err, errs.Invalid, "assigned_to")
	byKey, err := e.svc.CreateActivity(keyCtx, ActivityInput{Kind: ptr("email"), Subject: ptr("Sent"), AccountID: &acme.ID, AssignedTo: &rep})
	if err != nil || byKey.CreatedBy != nil || byKey.AssignedTo != rep {
		t.Errorf("api key activity: %v %+v", err, byKey)
	}
}
