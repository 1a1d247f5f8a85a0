package crm

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// exportAccounts returns accounts.csv of ctx's tenant.
func (e *env) exportAccounts(t *testing.T, ctx context.Context, f Filter) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(AccountColumns)
	err := e.svc.ExportAccounts(ctx, f, func(a Account, owner string) error { return w.Write(AccountRecord(a, owner)) })
	if err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return buf.String()
}

func (e *env) exportContacts(t *testing.T, ctx context.Context, f ContactFilter) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(ContactColumns)
	err := e.svc.ExportContacts(ctx, f, func(c Contact, a AccountRef) error { return w.Write(ContactRecord(c, a)) })
	if err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return buf.String()
}

// issueAt reports whether rep has an issue at row n, column field.
func issueAt(rep ImportReport, n int, field string) bool {
	for _, is := range rep.Issues {
		if is.Row == n && is.Field == field {
			return true
		}
	}
	return false
}

func TestMinorText(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		text  string
	}{{4_000_000, "EUR", "40000.00"}, {5, "EUR", "0.05"}, {0, "EUR", "0.00"}, {1500, "JPY", "1500"}, {1234, "KWD", "1.234"}} {
		if got := formatMinor(c.minor, c.cur); got != c.text {
			t.Errorf("formatMinor(%d %s) = %q, want %q", c.minor, c.cur, got, c.text)
		}
		if got, ok := parseMinor(c.text, c.cur); !ok || got != c.minor {
			t.Errorf("parseMinor(%q %s) = %d %v", c.text, c.cur, got, ok)
		}
	}
	for in, want := range map[string]int64{"40000": 4_000_000, "40000.5": 4_000_050, "007.10": 710} {
		if got, ok := parseMinor(in, "EUR"); !ok || got != want {
			t.Errorf("parseMinor(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "-1", "1,000.00", "1.234", "1.", ".5", "1e3", "0x10", "1 000", "9999999999999999", "١٢"} {
		if _, ok := parseMinor(bad, "EUR"); ok {
			t.Errorf("parseMinor(%q) accepted", bad)
		}
	}
	if _, ok := parseMinor("10.5", "JPY"); ok {
		t.Error("JPY with decimals accepted")
	}
}

// TestAccountsRoundTrip: an export imports back unchanged (every row an
// update, nothing changes), and an edited export changes just the edits.
func TestAccountsRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	rep := uuid.Must(uuid.NewV7())
	e.newUser(t, ctx, rep)
	acme, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("=Acme, \"the\" firm"), TaxID: ptr("B-1"), Email: ptr("info@acme.es"),
		Phone: ptr("+34 600 000 000"), Billing: &Address{Line1: "Gran Vía 1", City: "Madrid", PostalCode: "28013", Country: "ES"},
		Shipping: &Address{Line1: "Polígono 3", City: "Getafe", Country: "ES"}, OwnerUserID: &rep,
		CreditLimitMinor: ptr[int64](4_000_000), PaymentTermsDays: ptr(60)})
	if err != nil {
		t.Fatal(err)
	}
	yen, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("Tokyo KK"), Currency: ptr("JPY"), CreditLimitMinor: ptr[int64](1500),
		Active: ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	// Look-alikes confirmed before do not block the round trip.
	if _, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("=ACME the firm"), ConfirmDuplicate: true}); err != nil {
		t.Fatal(err)
	}
	file := e.exportAccounts(t, ctx, Filter{})
	for _, want := range []string{"'=Acme, \"\"the\"\" firm", "'+34 600 000 000", "40000.00,EUR", "1500,JPY,false", rep.String() + "@example.com," + rep.String()} {
		if !strings.Contains(file, want) {
			t.Errorf("export lacks %q:\n%s", want, file)
		}
	}
	got, err := e.svc.ImportAccounts(ctx, strings.NewReader(file), ImportOptions{})
	if err != nil || got.Rows != 3 || got.Updated != 3 || got.Created != 0 || !got.Applied || len(got.Issues) != 0 {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if again := e.exportAccounts(t, ctx, Filter{}); again != file {
		t.Errorf("the round trip changed accounts:\n%s\n%s", file, again)
	}
	after, _ := e.svc.GetAccount(ctx, acme.ID)
	if after.Name != acme.Name || after.Phone != acme.Phone || *after.OwnerUserID != rep || after.Billing != acme.Billing ||
		after.CreditLimitMinor != 4_000_000 {
		t.Errorf("round trip: %+v", after)
	}
	// Edits: a credit limit in decimals, a city; a new account by name.
	edited := "id,credit_limit,billing_city\n" + acme.ID.String() + ",41000.5,Alcalá\n" + yen.ID.String() + ",2000,\n"
	if got, err = e.svc.ImportAccounts(ctx, strings.NewReader(edited), ImportOptions{}); err != nil || got.Updated != 2 {
		t.Fatalf("edits: %+v %v", got, err)
	}
	after, _ = e.svc.GetAccount(ctx, acme.ID)
	y, _ := e.svc.GetAccount(ctx, yen.ID)
	if after.CreditLimitMinor != 4_100_050 || after.Billing.City != "Alcalá" || after.Billing.Line1 != "Gran Vía 1" ||
		after.Name != acme.Name || y.CreditLimitMinor != 2000 {
		t.Errorf("edited: %+v %+v", after, y)
	}
}

// TestAccountsImportRules: create and update by id or tax id, row errors
// naming row and column, all or nothing, dry runs change nothing.
func TestAccountsImportRules(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	acme, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("Acme"), TaxID: ptr("B-12345678")})
	if err != nil {
		t.Fatal(err)
	}
	good := "name,tax_id,credit_limit,currency,owner_email\nNew One,,100,,\nAcme Renamed,b12345678,,,\n"
	dry, err := e.svc.ImportAccounts(ctx, strings.NewReader(good), ImportOptions{DryRun: true})
	if err != nil || dry.Created != 1 || dry.Updated != 1 || dry.Applied || len(dry.Issues) != 0 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if list, _ := e.svc.FindAccounts(ctx, Filter{}); len(list) != 1 || list[0].Name != "Acme" {
		t.Fatalf("a dry run changed accounts: %+v", list)
	}
	cases := []struct {
		name, file string
		row        int
		field      string
	}{
		{"empty file", "", 1, "csv"},
		{"unknown column", "name,colour\nX,red\n", 1, "colour"},
		{"no key column", "phone\n123\n", 1, "name"},
		{"column twice", "name,Name\nX,Y\n", 1, "name"},
		{"broken quote", "name\n\"Acme\n", 2, "csv"},
		{"new without name", "tax_id,phone\nZ-9,1\n", 2, "name"},
		{"bad email", "name,email\nX,nope\n", 2, "email"},
		{"bad credit", "name,credit_limit\nX,1.234\n", 2, "credit_limit"},
		{"negative credit", "name,credit_limit\nX,-5\n", 2, "credit_limit"},
		{"huge credit", "name,credit_limit\nX,99999999999999\n", 2, "credit_limit"},
		{"bad currency", "name,currency\nX,euro\n", 2, "currency"},
		{"bad country", "name,billing_country\nX,Spain\n", 2, "billing_country"},
		{"bad terms", "name,payment_terms_days\nX,400\n", 2, "payment_terms_days"},
		{"bad active", "name,active\nX,maybe\n", 2, "active"},
		{"bad id", "id,name\nnope,X\n", 2, "id"},
		{"unknown id", "id,name\n" + uuid.Must(uuid.NewV7()).String() + ",X\n", 2, "id"},
		{"no such owner", "name,owner_user_id\nX," + uuid.Must(uuid.NewV7()).String() + "\n", 2, "owner_user_id"},
		{"no such owner email", "name,owner_email\nX,ghost@example.com\n", 2, "owner_email"},
		{"same account twice", "id,phone\n" + acme.ID.String() + ",1\n" + acme.ID.String() + ",2\n", 3, "id"},
		{"NUL byte", "name\nA\x00B\n", 2, "name"},
		{"not UTF-8", "name\nCaf\xe9\n", 2, "name"},
		{"too many values", "name\nA,B\n", 2, "csv"},
	}
	for _, c := range cases {
		// The good rows around the bad one are not applied either.
		file := c.file
		rep, err := e.svc.ImportAccounts(ctx, strings.NewReader(file), ImportOptions{})
		if !errs.Is(err, errs.Invalid) || rep.Applied || !issueAt(rep, c.row, c.field) {
			t.Errorf("%s: %+v %v", c.name, rep, err)
			continue
		}
		if !strings.Contains(err.Error(), "nothing was applied") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	mixed := good + "Bad,,x,,\n"
	if rep, err := e.svc.ImportAccounts(ctx, strings.NewReader(mixed), ImportOptions{}); err == nil || rep.Applied ||
		!issueAt(rep, 4, "credit_limit") || rep.Rows != 3 {
		t.Fatalf("mixed: %+v %v", rep, err)
	}
	if list, _ := e.svc.FindAccounts(ctx, Filter{}); len(list) != 1 || list[0].Name != "Acme" {
		t.Fatalf("a refused import changed accounts: %+v", list)
	}
	if rep, err := e.svc.ImportAccounts(ctx, strings.NewReader(good), ImportOptions{}); err != nil || !rep.Applied {
		t.Fatalf("good: %+v %v", rep, err)
	}
	if a, _ := e.svc.GetAccount(ctx, acme.ID); a.Name != "Acme Renamed" {
		t.Errorf("update by tax id: %+v", a)
	}
	// Too many rows is a 422, dry run or not.
	big := "name\n" + strings.Repeat("X\n", MaxImportRows+1)
	if _, err := e.svc.ImportAccounts(ctx, strings.NewReader(big), ImportOptions{DryRun: true}); !errs.Is(err, errs.FailedPrecondition) {
		t.Errorf("too many rows: %v", err)
	}
}

// TestAccountsImportDuplicates: rows that look like other accounts or
// earlier rows are refused unless confirmed; an update is not its own
// duplicate.
func TestAccountsImportDuplicates(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	acme, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("Acme S.L."), Email: ptr("info@acme.es")})
	if err != nil {
		t.Fatal(err)
	}
	beta := e.mustAccount(t, ctx, "Beta")
	file := "name,email,id\n" +
		"ACME SL,,\n" + // 2: like Acme by name
		"Gamma,INFO@acme.es,\n" + // 3: like Acme by email
		"Delta,,\n" + // 4: fine
		"delta,,\n" + // 5: like row 4
		"Acme S.L.,info@acme.es," + acme.ID.String() + "\n" + // 6: Acme itself, unchanged
		"Acme,," + beta.ID.String() + "\n" // 7: Beta renamed like Acme
	rep, err := e.svc.ImportAccounts(ctx, strings.NewReader(file), ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		row   int
		field string
	}{{2, "name"}, {3, "email"}, {5, "name"}, {7, "name"}} {
		if !issueAt(rep, want.row, want.field) {
			t.Errorf("no duplicate issue at row %d %s: %+v", want.row, want.field, rep.Issues)
		}
	}
	for _, is := range rep.Issues {
		if !is.Duplicate || is.Row == 4 || is.Row == 6 {
			t.Errorf("unexpected issue %+v", is)
		}
	}
	rep, err = e.svc.ImportAccounts(ctx, strings.NewReader(file), ImportOptions{ConfirmDuplicates: true})
	if err != nil || rep.Created != 4 || rep.Updated != 2 {
		t.Fatalf("confirmed: %+v %v", rep, err)
	}
	if b, _ := e.svc.GetAccount(ctx, beta.ID); b.Name != "Acme" {
		t.Errorf("beta: %+v", b)
	}
}

// TestImportTenantIsolation: ids of another tenant's accounts and contacts
// are "no such" row errors, and tax ids or names only match the caller's
// own accounts (T4).
func TestImportTenantIsolation(t *testing.T) {
	e := newEnv(t)
	ctxA, ctxB := e.newTenant(t), e.newTenant(t)
	theirs, err := e.svc.CreateAccount(ctxB, AccountInput{Name: ptr("Secret"), TaxID: ptr("B-999")})
	if err != nil {
		t.Fatal(err)
	}
	contact, err := e.svc.CreateContact(ctxB, ContactInput{AccountID: &theirs.ID, LastName: ptr("Spy"), Email: ptr("spy@b.example")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.ImportAccounts(ctxA, strings.NewReader("id,name\n"+theirs.ID.String()+",Hijacked\n"), ImportOptions{})
	if err == nil || !issueAt(rep, 2, "id") || rep.Issues[0].Message != "no such account" {
		t.Errorf("foreign account id: %+v %v", rep, err)
	}
	rep, err = e.svc.ImportContacts(ctxA, strings.NewReader("id,account_id,last_name\n"+contact.ID.String()+","+theirs.ID.String()+",X\n"), ImportOptions{})
	if err == nil || !issueAt(rep, 2, "id") || !issueAt(rep, 2, "account_id") {
		t.Errorf("foreign contact: %+v %v", rep, err)
	}
	rep, err = e.svc.ImportContacts(ctxA, strings.NewReader("account_tax_id,last_name\nB999,X\n"), ImportOptions{})
	if err == nil || !issueAt(rep, 2, "account_tax_id") {
		t.Errorf("foreign tax id: %+v %v", rep, err)
	}
	// The same tax id in A is a new account of A, not B's.
	rep, err = e.svc.ImportAccounts(ctxA, strings.NewReader("name,tax_id\nSecret,B-999\n"), ImportOptions{})
	if err != nil || rep.Created != 1 {
		t.Errorf("A's own account: %+v %v", rep, err)
	}
	if a, _ := e.svc.GetAccount(ctxB, theirs.ID); a.Name != "Secret" {
		t.Errorf("B's account changed: %+v", a)
	}
	if c, _ := e.svc.GetContact(ctxB, contact.ID); c.LastName != "Spy" {
		t.Errorf("B's contact changed: %+v", c)
	}
}

func TestContactsImport(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	acme, err := e.svc.CreateAccount(ctx, AccountInput{Name: ptr("Acme S.L."), TaxID: ptr("B-1")})
	if err != nil {
		t.Fatal(err)
	}
	beta := e.mustAccount(t, ctx, "Beta")
	ana, err := e.svc.CreateContact(ctx, ContactInput{AccountID: &acme.ID, FirstName: ptr("Ana"), Email: ptr("ana@acme.es"),
		Primary: ptr(true), Role: ptr("buyer")})
	if err != nil {
		t.Fatal(err)
	}
	luis, err := e.svc.CreateContact(ctx, ContactInput{AccountID: &acme.ID, FirstName: ptr("Luis"), LastName: ptr("=1+1")})
	if err != nil {
		t.Fatal(err)
	}
	file := e.exportContacts(t, ctx, ContactFilter{})
	if !strings.Contains(file, "'=1+1") || !strings.Contains(file, "Acme S.L.,B-1,"+acme.ID.String()) {
		t.Errorf("export:\n%s", file)
	}
	rep, err := e.svc.ImportContacts(ctx, strings.NewReader(file), ImportOptions{})
	if err != nil || rep.Updated != 2 || rep.Created != 0 {
		t.Fatalf("round trip: %+v %v", rep, err)
	}
	if again := e.exportContacts(t, ctx, ContactFilter{}); again != file {
		t.Errorf("round trip changed contacts:\n%s\n%s", file, again)
	}
	// By account name (normalized) and email: update Ana; make Luis
	// primary, which takes the flag from Ana; create Eva at Beta by tax-less name.
	edit := "account_name,email,first_name,last_name,primary,role\n" +
		"ACME SL,ANA@acme.es,Ana María,,,\n" +
		"acme,,Luis,Ruiz,true,technical\n" +
		"Beta,eva@beta.example,Eva,,,decision_maker\n"
	rep, err = e.svc.ImportContacts(ctx, strings.NewReader(edit), ImportOptions{})
	if err != nil || rep.Updated != 1 || rep.Created != 2 {
		t.Fatalf("edit: %+v %v", rep, err)
	}
	a, _ := e.svc.GetContact(ctx, ana.ID)
	if a.FirstName != "Ana María" || a.Primary || a.Role != "buyer" {
		t.Errorf("ana: %+v", a)
	}
	if l, _ := e.svc.FindContacts(ctx, ContactFilter{AccountID: &acme.ID, Q: "ruiz"}); len(l) != 1 || !l[0].Primary || l[0].ID == luis.ID {
		t.Errorf("new Luis Ruiz: %+v", l)
	}
	if l, _ := e.svc.FindContacts(ctx, ContactFilter{AccountID: &beta.ID}); len(l) != 1 || l[0].Role != "decision_maker" {
		t.Errorf("eva: %+v", l)
	}
	for _, c := range []struct {
		name, file string
		row        int
		field      string
	}{
		{"no account column", "first_name\nX\n", 1, "account_id"},
		{"no account", "account_name,first_name\n,X\n", 2, "account_id"},
		{"unknown account", "account_name,first_name\nNobody,X\n", 2, "account_name"},
		{"no name", "account_id,email\n" + acme.ID.String() + ",x@y.es\n", 2, "last_name"},
		{"bad role", "account_id,first_name,role\n" + acme.ID.String() + ",X,boss\n", 2, "role"},
		{"moves", "id,account_id\n" + ana.ID.String() + "," + beta.ID.String() + "\n", 2, "account_id"},
		{"two primaries", "account_id,first_name,primary\n" + acme.ID.String() + ",X,true\n" + acme.ID.String() + ",Y,true\n", 3, "primary"},
		{"formula is fine but bad email", "account_id,first_name,email\n" + acme.ID.String() + ",=cmd,@x\n", 2, "email"},
	} {
		rep, err := e.svc.ImportContacts(ctx, strings.NewReader(c.file), ImportOptions{DryRun: true})
		if err != nil || rep.Applied || !issueAt(rep, c.row, c.field) {
			t.Errorf("%s: %+v %v", c.name, rep, err)
		}
	}
	// A formula-like name is data: stored as typed, defused on export.
	if rep, err = e.svc.ImportContacts(ctx, strings.NewReader(fmt.Sprintf("account_id,first_name\n%s,\"=HYPERLINK(\"\"x\"\")\"\n", beta.ID)), ImportOptions{}); err != nil {
		t.Fatal(err, rep.Issues)
	}
	if out := e.exportContacts(t, ctx, ContactFilter{AccountID: &beta.ID}); !strings.Contains(out, `'=HYPERLINK(""x"")`) {
		t.Errorf("formula not defused:\n%s", out)
	}
}

// TestHTTPImportSizeCap: past the HTTP body limit's default, the handler's
// own cap refuses a file larger than MaxImportBytes with a 413.
func TestHTTPImportSizeCap(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	app := web.New(web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: 4 << 20})
	app.Use(func(c *fiber.Ctx) error {
		c.SetUserContext(context.WithValue(ctx, permsKey{}, []string{"accounts:write"}))
		return c.Next()
	})
	NewHandler(e.svc, testAuthz{}).Routes(web.NewRouter(app.Group("/api/v1"), "/api/v1", testAuthz{}, web.NewRegistry()))
	req := httptest.NewRequest("POST", "/api/v1/accounts/import", strings.NewReader("name\n"+strings.Repeat("x", MaxImportBytes)))
	req.Header.Set("Content-Type", "text/csv")
	res, err := app.Test(req, -1)
	if err != nil || res.StatusCode != 413 {
		t.Fatalf("oversized import: %v %v", res.StatusCode, err)
	}
}
