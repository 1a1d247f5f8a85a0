package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/tenant"
)

// The invoicing end of the ERP journey on the real modules through HTTP:
// an order ships in two parts, each part is invoiced, the first invoice is
// paid in two payments, the second partly credited, and the order ends
// invoiced. Finance records payments; sales may only look.

type erpInvoice struct {
	ID            string `json:"id"`
	Number        string `json:"number"`
	Status        string `json:"status"`
	IssueDate     string `json:"issue_date"`
	DueDate       string `json:"due_date"`
	NetMinor      int64  `json:"net_minor"`
	TaxMinor      int64  `json:"tax_minor"`
	TotalMinor    int64  `json:"total_minor"`
	PaidMinor     int64  `json:"paid_minor"`
	CreditedMinor int64  `json:"credited_minor"`
	BalanceMinor  int64  `json:"balance_minor"`
	Lines         []struct {
		ID       string `json:"id"`
		Quantity int64  `json:"quantity"`
	} `json:"lines"`
	Payments []struct {
		AmountMinor int64 `json:"amount_minor"`
	} `json:"payments"`
	CreditNotes []struct {
		Number string `json:"number"`
	} `json:"credit_notes"`
}

func (ta *testApp) erpInvoice(t *testing.T, c *client, id string) erpInvoice {
	t.Helper()
	var inv erpInvoice
	r := ta.do(c, "GET", "/api/v1/invoices/"+id, nil)
	if r.Status != 200 {
		t.Fatalf("invoice: %d %s", r.Status, r.Body)
	}
	r.json(t, &inv)
	return inv
}

// erpShipAll ships an order's reserved units (lines: nil for everything).
func (ta *testApp) erpShipAll(t *testing.T, c *client, order string, lines any) {
	t.Helper()
	body := map[string]any{"order_id": order}
	if lines != nil {
		body["lines"] = lines
	}
	sh := ta.erpCreate(t, c, "/api/v1/shipments", body)
	ta.erpShipmentStep(t, c, sh, "pack")
	ta.erpShipmentStep(t, c, sh, "ship")
}

// erpStaff adds a staff user with one role and returns a session.
func (ta *testApp) erpStaff(t *testing.T, owner *client, slug, role string) *client {
	t.Helper()
	return ta.staffUser(t, owner, slug, role+"@"+slug+".example.com", role)
}

// staffUser adds a staff user with an email and one role and returns a
// session.
func (ta *testApp) staffUser(t *testing.T, owner *client, slug, email, role string) *client {
	t.Helper()
	var me meBody
	ta.do(owner, "GET", "/api/v1/me", nil).json(t, &me)
	uid := uuid.MustParse(me.User.ID)
	octx := tenant.WithPrincipal(context.Background(), tenant.Principal{TenantID: uuid.MustParse(me.Tenant.ID),
		Kind: tenant.KindUser, ID: uid, Subject: tenant.UserSubject(uid), Name: "Owner"})
	if _, err := ta.identity.AddUser(octx, email, role, testPassword, []string{role}); err != nil {
		t.Fatal(err)
	}
	return ta.sessionFrom(login(ta, email, testPassword, slug))
}

func TestERPInvoicingJourney(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("erp-invoicing")
	finance := ta.erpStaff(t, owner, "erp-invoicing", "finance")
	rep := ta.erpStaff(t, owner, "erp-invoicing", "sales")
	wh := ta.erpCreate(t, owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main warehouse"})
	vat := ta.erpCreate(t, owner, "/api/v1/tax-rates", map[string]any{"name": "VAT 21", "rate_bp": 2100})
	stool := ta.erpCreate(t, owner, "/api/v1/products", map[string]any{"sku": "STOOL", "name": "Stool", "list_price_minor": 2500,
		"currency": "EUR", "tax_rate_id": vat})
	ta.erpCreate(t, owner, "/api/v1/stock-moves", receiptBody(stool, wh, 10, ""))
	acme := ta.erpCreate(t, owner, "/api/v1/accounts", map[string]any{"name": "Acme Furniture", "currency": "EUR", "payment_terms_days": 45})
	so := ta.erpCreate(t, owner, "/api/v1/orders", orderBody(acme, stool, 10))
	o := ta.erpOrderAction(t, owner, so, "confirm", nil)
	var lineID struct {
		Lines []struct {
			ID string `json:"id"`
		} `json:"lines"`
	}
	ta.do(owner, "GET", "/api/v1/orders/"+so, nil).json(t, &lineID)

	// Ship 4 of 10 and invoice them: 4 × 25.00 + 21 %, first number, due
	// after the account's 45 days.
	ta.erpShipAll(t, owner, so, []map[string]any{{"order_line_id": lineID.Lines[0].ID, "quantity": 4}})
	before := time.Now()
	first := ta.erpCreate(t, finance, "/api/v1/invoices", map[string]any{"order_id": so})
	after := time.Now()
	inv := ta.erpInvoice(t, owner, first)
	issued, _ := time.Parse("2006-01-02", inv.IssueDate)
	if !strings.HasPrefix(inv.Number, "F") || !strings.HasSuffix(inv.Number, "000001") || inv.Status != "issued" ||
		len(inv.Lines) != 1 || inv.Lines[0].Quantity != 4 || inv.NetMinor != 10000 || inv.TaxMinor != 2100 || inv.TotalMinor != 12100 {
		t.Fatalf("first invoice: %+v", inv)
	}
	if !promisedIn(&inv.IssueDate, before, after, 0) || inv.DueDate != issued.AddDate(0, 0, 45).Format("2006-01-02") {
		t.Errorf("dates: issued %s (today %s), due %s", inv.IssueDate, after.UTC().Format(time.DateOnly), inv.DueDate)
	}
	// Nothing new shipped: nothing to invoice, and no number used.
	if r := ta.do(finance, "POST", "/api/v1/invoices", map[string]any{"order_id": so}); r.Status != 422 || r.problemField("order_id") == "" {
		t.Errorf("invoicing with nothing new shipped: %d %s", r.Status, r.Body)
	}

	// Ship the other 6 and invoice them: number 2.
	ta.erpShipAll(t, owner, so, nil)
	second := ta.erpCreate(t, finance, "/api/v1/invoices", map[string]any{"order_id": so})
	inv2 := ta.erpInvoice(t, owner, second)
	if !strings.HasSuffix(inv2.Number, "000002") || inv2.Lines[0].Quantity != 6 || inv2.TotalMinor != 18150 {
		t.Fatalf("second invoice: %+v", inv2)
	}
	ta.do(owner, "GET", "/api/v1/orders/"+so, nil).json(t, &o)
	if o.Status != "invoiced" {
		t.Errorf("order after invoicing everything: %s", o.Status)
	}

	// Pay the first in two parts; the sales rep may not record payments.
	pay := func(c *client, invoice string, amount int64) result {
		return ta.do(c, "POST", "/api/v1/payments", map[string]any{"invoice_id": invoice, "amount_minor": amount, "method": "transfer", "reference": "SEPA"})
	}
	if r := pay(rep, first, 100); r.Status != 403 {
		t.Errorf("sales rep pays: %d %s", r.Status, r.Body)
	}
	if r := pay(finance, first, 5000); r.Status != 201 {
		t.Fatalf("first payment: %d %s", r.Status, r.Body)
	}
	if inv = ta.erpInvoice(t, owner, first); inv.Status != "partially_paid" || inv.BalanceMinor != 7100 {
		t.Errorf("after 50.00: %+v", inv)
	}
	if r := pay(finance, first, 7101); r.Status != 422 || r.problemField("amount_minor") == "" {
		t.Errorf("overpayment: %d %s", r.Status, r.Body)
	}
	if r := pay(finance, first, 7100); r.Status != 201 {
		t.Fatalf("second payment: %d %s", r.Status, r.Body)
	}
	if inv = ta.erpInvoice(t, owner, first); inv.Status != "paid" || inv.BalanceMinor != 0 || len(inv.Payments) != 2 {
		t.Errorf("paid: %+v", inv)
	}

	// Credit one stool of the second invoice: 25.00 + 5.25 off its balance.
	cn := ta.erpCreate(t, finance, "/api/v1/credit-notes", map[string]any{"invoice_id": second, "reason": "One stool scratched",
		"lines": []map[string]any{{"invoice_line_id": inv2.Lines[0].ID, "quantity": 1}}})
	if inv2 = ta.erpInvoice(t, owner, second); inv2.CreditedMinor != 3025 || inv2.BalanceMinor != 18150-3025 || len(inv2.CreditNotes) != 1 {
		t.Errorf("after the credit note %s: %+v", cn, inv2)
	}
	if r := ta.do(rep, "POST", "/api/v1/credit-notes", map[string]any{"invoice_id": second, "reason": "x",
		"lines": []map[string]any{{"invoice_line_id": inv2.Lines[0].ID, "quantity": 1}}}); r.Status != 403 {
		t.Errorf("sales rep credits: %d %s", r.Status, r.Body)
	}

	// The PDF, the customer's balance, AR aging and the lists.
	r := ta.do(rep, "GET", "/api/v1/invoices/"+first+"/pdf", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF")) {
		t.Errorf("pdf: %d %s %.20q", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var bal struct {
		Balances []struct {
			Currency     string `json:"currency"`
			BalanceMinor int64  `json:"balance_minor"`
			OverdueMinor int64  `json:"overdue_minor"`
		} `json:"balances"`
	}
	ta.do(finance, "GET", "/api/v1/accounts/"+acme+"/balance", nil).json(t, &bal)
	if len(bal.Balances) != 1 || bal.Balances[0].BalanceMinor != 15125 || bal.Balances[0].OverdueMinor != 0 {
		t.Errorf("balance: %+v", bal)
	}
	var aging struct {
		Items []struct {
			AccountID string `json:"account_id"`
			Current   int64  `json:"current_minor"`
			Total     int64  `json:"total_minor"`
		} `json:"items"`
	}
	ta.do(finance, "GET", "/api/v1/ar-aging", nil).json(t, &aging)
	if len(aging.Items) != 1 || aging.Items[0].AccountID != acme || aging.Items[0].Current != 15125 || aging.Items[0].Total != 15125 {
		t.Errorf("aging: %+v", aging)
	}
	for path, want := range map[string]int{"/api/v1/invoices?order_id=" + so: 2, "/api/v1/invoices?status=paid": 1,
		"/api/v1/invoices?overdue=true": 0, "/api/v1/payments?invoice_id=" + first: 2, "/api/v1/credit-notes?account_id=" + acme: 1} {
		if n := ta.erpCount(t, finance, path); n != want {
			t.Errorf("%s: %d, want %d", path, n, want)
		}
	}
	if r := ta.do(finance, "GET", "/api/v1/invoices?overdue=maybe", nil); r.Status != 400 || r.problemField("overdue") == "" {
		t.Errorf("bad filter: %d %s", r.Status, r.Body)
	}
}
