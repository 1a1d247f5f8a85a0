package main

import (
	"strings"
	"testing"
)

// TestPortalDocuments is P2 tracking and the read half of P3: a customer
// sees their own account's invoices, credit notes and shipments (the
// customer allow-list: no staff ids, internal keys, lots or notes),
// downloads their invoices' PDFs, and meets another account's documents
// exactly like missing ones, in lists too.
func TestPortalDocuments(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.signup("portal-docs")
	a := ta.tenantFixtures(t, owner, "a")
	b := ta.tenantFixtures(t, owner, "b")
	invA, invB := a["invoice"](), b["invoice"]()
	creditA, creditB := a["credit_note"](), b["credit_note"]()
	shipA, shipB := a["shipment_shipped"](), b["shipment_shipped"]()
	if r := ta.do(owner, "PATCH", "/api/v1/shipments/"+shipA, map[string]any{"carrier": "Acme Freight",
		"tracking_number": "AF123", "tracking_url": "https://track.example.com/AF123"}); r.Status != 200 {
		t.Fatalf("tracking: %d %s", r.Status, r.Body)
	}
	cust := ta.portalCustomer(t, owner, "portal-docs", a["customer"](), "dora@a.example.com")

	// Lists: account A's documents only.
	for path, want := range map[string]string{"/api/v1/invoices": invA, "/api/v1/credit-notes": creditA, "/api/v1/shipments": shipA} {
		r := ta.do(cust, "GET", path, nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), want) {
			t.Errorf("GET %s: %d %s, want %s", path, r.Status, r.Body, want)
		}
		for _, foreign := range []string{invB, creditB, shipB, b["customer"]()} {
			if strings.Contains(string(r.Body), foreign) {
				t.Errorf("GET %s lists account B's %s", path, foreign)
			}
		}
		if r := ta.do(cust, "GET", path+"?account_id="+b["customer"](), nil); strings.Contains(string(r.Body), `"number"`) {
			t.Errorf("GET %s?account_id=B: %s", path, r.Body)
		}
	}

	// Details: the allow-list. An invoice's payments show their date,
	// amount and method only: not who recorded them, nor their references.
	internal := []string{"created_by", "order_line_id", "product_id", `"reference"`, "external_ref", "lot_id", "warehouse_id", `"by"`, `"note"`, "cost"}
	for _, path := range []string{"/api/v1/invoices/" + invA, "/api/v1/credit-notes/" + creditA, "/api/v1/shipments/" + shipA,
		"/api/v1/shipments/" + shipA + "/events"} {
		r := ta.do(cust, "GET", path, nil)
		if r.Status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		for _, f := range internal {
			if strings.Contains(string(r.Body), f) {
				t.Errorf("GET %s carries %s: %s", path, f, r.Body)
			}
		}
	}
	var inv struct {
		Number       string `json:"number"`
		BalanceMinor int64  `json:"balance_minor"`
		Lines        []struct {
			Description string `json:"description"`
			Quantity    int64  `json:"quantity"`
		} `json:"lines"`
	}
	ta.do(cust, "GET", "/api/v1/invoices/"+invA, nil).json(t, &inv)
	if inv.Number == "" || len(inv.Lines) != 1 || inv.Lines[0].Description == "" || inv.Lines[0].Quantity != 2 {
		t.Errorf("customer invoice: %+v", inv)
	}
	var sh struct {
		OrderNumber string `json:"order_number"`
		TrackingURL string `json:"tracking_url"`
		Carrier     string `json:"carrier"`
		Lines       []struct {
			Description string `json:"description"`
			Quantity    int64  `json:"quantity"`
		} `json:"lines"`
	}
	ta.do(cust, "GET", "/api/v1/shipments/"+shipA, nil).json(t, &sh)
	if sh.OrderNumber == "" || sh.TrackingURL != "https://track.example.com/AF123" || sh.Carrier != "Acme Freight" ||
		len(sh.Lines) != 1 || sh.Lines[0].Description == "" || sh.Lines[0].Quantity != 2 {
		t.Errorf("customer shipment: %+v", sh)
	}
	if r := ta.do(cust, "GET", "/api/v1/invoices/"+invA+"/pdf", nil); r.Status != 200 || !strings.HasPrefix(string(r.Body), "%PDF") {
		t.Errorf("own invoice PDF: %d", r.Status)
	}

	// Account B's documents answer exactly like missing ones.
	const missingID = "01900000-0000-7000-8000-000000000000"
	for _, c := range []struct{ path, foreign string }{{"/api/v1/invoices/", invB}, {"/api/v1/credit-notes/", creditB},
		{"/api/v1/shipments/", shipB}} {
		for _, suffix := range map[string][]string{"/api/v1/invoices/": {"", "/pdf"}, "/api/v1/credit-notes/": {""},
			"/api/v1/shipments/": {"", "/events"}}[c.path] {
			missing := ta.do(cust, "GET", c.path+missingID+suffix, nil)
			if got := ta.do(cust, "GET", c.path+c.foreign+suffix, nil); missing.Status != 404 || !sameProblem(got, missing) {
				t.Errorf("GET %s%s%s: %d %s; a missing one: %d %s", c.path, "B", suffix, got.Status, got.Body, missing.Status, missing.Body)
			}
		}
	}
	// Staff routes stay staff only.
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/invoices.csv"}, {"GET", "/api/v1/shipments.csv"},
		{"POST", "/api/v1/shipments/" + shipA + "/deliver"}, {"GET", "/api/v1/payments"}, {"GET", "/api/v1/ar-aging"}} {
		if r := ta.do(cust, c.method, c.path, nil); r.Status != 403 {
			t.Errorf("%s %s as a customer: %d", c.method, c.path, r.Status)
		}
	}
	// Staff still read the full documents.
	if r := ta.do(owner, "GET", "/api/v1/shipments/"+shipA, nil); !strings.Contains(string(r.Body), "lot_id") {
		t.Errorf("staff shipment view: %s", r.Body)
	}
}
