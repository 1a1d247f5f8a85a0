package main

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"strings"
	"testing"
)

type crmImportReport struct {
	Resource   string `json:"resource"`
	DryRun     bool   `json:"dry_run"`
	Valid      bool   `json:"valid"`
	Applied    bool   `json:"applied"`
	Rows       int    `json:"rows"`
	Created    int    `json:"created"`
	Updated    int    `json:"updated"`
	Duplicates int    `json:"duplicates"`
	Errors     []struct {
		Row       int    `json:"row"`
		Field     string `json:"field"`
		Message   string `json:"message"`
		Duplicate bool   `json:"duplicate"`
	} `json:"errors"`
}

// TestCRMCSV is the C1 import/export journey through HTTP: tenant A
// exports its accounts and contacts (nothing of tenant B's), edits the
// file and imports it back as text/csv, JSON or a multipart upload; dry
// runs change nothing, bad rows are a 400 naming row and column, look-alike
// accounts need confirm_duplicates, B's ids are "no such account", and
// too many rows are a 422.
func TestCRMCSV(t *testing.T) {
	ta := newTestApp(t)
	a, b := ta.signup("crm-csv-a"), ta.signup("crm-csv-b")
	acme := ta.erpCreate(t, a, "/api/v1/accounts", map[string]any{"name": "=Acme S.L.", "tax_id": "B-100", "credit_limit_minor": 4_000_000,
		"billing_address": map[string]any{"line1": "Gran Vía 1", "city": "Madrid", "country": "ES"}})
	ta.erpCreate(t, a, "/api/v1/contacts", map[string]any{"account_id": acme, "first_name": "Ana", "email": "ana@acme.example", "primary": true})
	theirs := ta.erpCreate(t, b, "/api/v1/accounts", map[string]any{"name": "Secret B", "tax_id": "Z-1"})
	ta.erpCreate(t, b, "/api/v1/contacts", map[string]any{"account_id": theirs, "last_name": "Spy"})

	read := func(c *client, path string) (string, [][]string) {
		t.Helper()
		r := ta.do(c, "GET", path, nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return string(r.Body), recs
	}
	accounts, recs := read(a, "/api/v1/accounts.csv")
	if len(recs) != 2 || recs[0][0] != "name" || recs[0][len(recs[0])-1] != "id" || recs[1][0] != "'=Acme S.L." ||
		recs[1][indexOf(recs[0], "credit_limit")] != "40000.00" || strings.Contains(accounts, "Secret") {
		t.Fatalf("accounts.csv: %v", recs)
	}
	if _, recs := read(a, "/api/v1/accounts.csv?active=false"); len(recs) != 1 {
		t.Errorf("active=false: %v", recs)
	}
	contacts, crecs := read(a, "/api/v1/contacts.csv?account_id="+acme)
	if len(crecs) != 2 || crecs[1][indexOf(crecs[0], "account_id")] != acme || strings.Contains(contacts, "Spy") {
		t.Fatalf("contacts.csv: %v", crecs)
	}
	for _, path := range []string{"/api/v1/accounts.csv?active=maybe", "/api/v1/contacts.csv?account_id=x"} {
		if r := ta.do(a, "GET", path, nil); r.Status != 400 {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}

	imp := func(c *client, path, ctype string, body any, query string) (result, crmImportReport) {
		t.Helper()
		r := ta.do(c, "POST", path+query, body, "Content-Type", ctype)
		var rep crmImportReport
		if r.Status == 200 {
			r.json(t, &rep)
		}
		return r, rep
	}
	// The export imports back unchanged; without dry_run=false nothing is applied.
	r, rep := imp(a, "/api/v1/accounts/import", "text/csv", accounts, "")
	if r.Status != 200 || !rep.DryRun || rep.Applied || rep.Updated != 1 || !rep.Valid {
		t.Fatalf("dry run by default: %d %s", r.Status, r.Body)
	}
	edited := strings.Replace(accounts, "40000.00", "45000.5", 1) + "Nueva S.A.,,,,,,,,,,,,,,,,,,,,,,\n"
	if r, rep = imp(a, "/api/v1/accounts/import", "text/csv", edited, "?dry_run=false"); r.Status != 200 || !rep.Applied ||
		rep.Created != 1 || rep.Updated != 1 {
		t.Fatalf("apply: %d %s", r.Status, r.Body)
	}
	var acct struct {
		CreditLimitMinor int64 `json:"credit_limit_minor"`
	}
	ta.do(a, "GET", "/api/v1/accounts/"+acme, nil).json(t, &acct)
	if acct.CreditLimitMinor != 4_500_050 {
		t.Errorf("credit limit after import: %d", acct.CreditLimitMinor)
	}

	// A look-alike: reported as a duplicate, then confirmed (JSON body).
	r, rep = imp(a, "/api/v1/accounts/import", "application/json", map[string]any{"csv": "name\nACME SL\n"}, "")
	if r.Status != 200 || rep.Valid || rep.Duplicates != 1 || !rep.Errors[0].Duplicate || rep.Errors[0].Row != 2 {
		t.Fatalf("duplicate dry run: %d %s", r.Status, r.Body)
	}
	r, rep = imp(a, "/api/v1/accounts/import", "application/json", map[string]any{"csv": "name\nACME SL\n", "dry_run": false,
		"confirm_duplicates": true}, "")
	if r.Status != 200 || rep.Created != 1 {
		t.Fatalf("confirmed duplicate: %d %s", r.Status, r.Body)
	}

	// Bad files: a 400 naming row and column when applied, a report in a dry run; never a 500.
	for _, c := range []struct{ name, file, field string }{
		{"empty", "", "rows[1].csv"},
		{"wrong header", "nombre,cif\nX,Y\n", "rows[1].nombre"},
		{"not UTF-8", "name\n\xff\xfe\n", "rows[2].name"},
		{"B's id", "id,name\n" + theirs + ",Hijacked\n", "rows[2].id"},
		{"bad credit", "name,credit_limit\nX,1.000,00\n", "rows[2].csv"},
	} {
		r, _ := imp(a, "/api/v1/accounts/import", "text/csv", c.file, "?dry_run=false")
		var p struct {
			Errors map[string]string `json:"errors"`
		}
		r.json(t, &p)
		if r.Status != 400 || p.Errors[c.field] == "" {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if r, rep := imp(a, "/api/v1/accounts/import", "text/csv", "id,name\n"+theirs+",Hijacked\n", ""); r.Status != 200 ||
		rep.Errors[0].Message != "no such account" {
		t.Errorf("B's id, dry run: %d %s", r.Status, r.Body)
	}
	if r, _ := imp(a, "/api/v1/accounts/import", "text/plain", "name\nX\n", ""); r.Status != 400 {
		t.Errorf("text/plain: %d %s", r.Status, r.Body)
	}
	if r, _ := imp(a, "/api/v1/accounts/import", "text/csv", "name\n"+strings.Repeat("X\n", 10_001), ""); r.Status != 422 {
		t.Errorf("too many rows: %d %s", r.Status, r.Body)
	}
	// (More than 1 MiB is refused by the body limit before the handler:
	// 413, see TestBinaryEndToEnd; the handler's own cap is tested in modules/crm.)

	// Contacts, as a multipart upload: a new contact at Acme by its tax id.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "contacts.csv")
	_, _ = fw.Write([]byte("account_tax_id,first_name,last_name,email\nB100,Luis,\"=1+2\",luis@acme.example\nZ-1,Not,Mine,\n"))
	_ = mw.WriteField("dry_run", "false")
	_ = mw.Close()
	r, _ = imp(a, "/api/v1/contacts/import", mw.FormDataContentType(), body.Bytes(), "")
	if r.Status != 400 || !strings.Contains(string(r.Body), "rows[3].account_tax_id") {
		t.Fatalf("contact of B's tax id: %d %s", r.Status, r.Body)
	}
	body.Reset()
	mw = multipart.NewWriter(&body)
	fw, _ = mw.CreateFormFile("file", "contacts.csv")
	_, _ = fw.Write([]byte("account_tax_id,first_name,last_name,email\nB100,Luis,\"=1+2\",luis@acme.example\n"))
	_ = mw.WriteField("dry_run", "false")
	_ = mw.Close()
	if r, rep = imp(a, "/api/v1/contacts/import", mw.FormDataContentType(), body.Bytes(), ""); r.Status != 200 || rep.Created != 1 {
		t.Fatalf("contact upload: %d %s", r.Status, r.Body)
	}
	if contacts, _ = read(a, "/api/v1/contacts.csv?q=luis"); !strings.Contains(contacts, "'=1+2") {
		t.Errorf("formula not defused: %s", contacts)
	}
	if _, recs := read(b, "/api/v1/contacts.csv"); len(recs) != 2 {
		t.Errorf("tenant B's contacts changed: %v", recs)
	}
	if r := ta.do(a, "POST", "/api/v1/contacts/import", nil, "Content-Type", "multipart/form-data; boundary=x"); r.Status != 400 {
		t.Errorf("multipart without a file: %d %s", r.Status, r.Body)
	}

	// An edit that makes an account look like another: 409, then confirmed.
	other := ta.erpCreate(t, a, "/api/v1/accounts", map[string]any{"name": "Other"})
	if r := ta.do(a, "PATCH", "/api/v1/accounts/"+other, map[string]any{"tax_id": "b100"}); r.Status != 409 ||
		!strings.Contains(string(r.Body), acme) {
		t.Errorf("edit into a duplicate: %d %s", r.Status, r.Body)
	}
	if r := ta.do(a, "PATCH", "/api/v1/accounts/"+other, map[string]any{"tax_id": "b100", "confirm_duplicate": true}); r.Status != 200 {
		t.Errorf("confirmed edit: %d %s", r.Status, r.Body)
	}
}
