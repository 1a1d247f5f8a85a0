package main

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestERPExports downloads every ERP CSV export of tenant A while tenant B
// has the same kinds of documents: each file has its header, A's rows and
// nothing of B's (T4); free text that a spreadsheet would run is defused;
// filters narrow the export as they narrow the list; a bad filter is a 400
// naming the field.
func TestERPExports(t *testing.T) {
	ta := newTestApp(t)
	a, b := ta.signup("exp-a"), ta.signup("exp-b")
	own, foreign := ta.tenantFixtures(t, a, "ea"), ta.tenantFixtures(t, b, "eb")
	mine, theirs := map[string]string{}, map[string]string{}
	for _, k := range []string{"order", "shipment", "invoice", "component"} {
		mine[k], theirs[k] = own[k](), foreign[k]()
	}
	// An account whose name is a formula, with an order of its own.
	evil := ta.erpCreate(t, a, "/api/v1/accounts", map[string]any{"name": "=HYPERLINK(\"http://x\")"})
	evilOrder := ta.erpCreate(t, a, "/api/v1/orders", orderBody(evil, mine["component"], 1))

	read := func(path string) [][]string {
		t.Helper()
		r := ta.do(a, "GET", path, nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s %s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if strings.Contains(string(r.Body), theirs["component"]) || strings.Contains(string(r.Body), theirs["order"]) ||
			strings.Contains(string(r.Body), theirs["invoice"]) || strings.Contains(string(r.Body), theirs["shipment"]) {
			t.Errorf("%s shows tenant B's rows:\n%s", path, r.Body)
		}
		recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return recs
	}
	has := func(recs [][]string, col, want string) bool {
		i := indexOf(recs[0], col)
		for _, rec := range recs[1:] {
			if rec[i] == want {
				return true
			}
		}
		return false
	}
	cases := []struct{ path, header, col, want string }{
		{"/api/v1/orders.csv", "number,status,account_id,account_name", "id", mine["order"]},
		{"/api/v1/shipments.csv", "number,status,order_number,account_name", "id", mine["shipment"]},
		{"/api/v1/invoices.csv", "number,status,overdue,account_name", "id", mine["invoice"]},
		{"/api/v1/stock.csv", "sku,product_name,warehouse_code,lot_code,on_hand", "product_id", mine["component"]},
		{"/api/v1/stock-moves.csv", "created_at,kind,sku,warehouse_code", "kind", "receipt"},
	}
	for _, c := range cases {
		recs := read(c.path)
		if got := strings.Join(recs[0], ","); !strings.HasPrefix(got, c.header) {
			t.Errorf("%s header: %s", c.path, got)
		}
		if !has(recs, c.col, c.want) {
			t.Errorf("%s lacks %s=%s: %v", c.path, c.col, c.want, recs)
		}
		for _, rec := range recs[1:] {
			if len(rec) != len(recs[0]) {
				t.Errorf("%s row of %d cells under %d columns: %v", c.path, len(rec), len(recs[0]), rec)
			}
		}
	}

	orders := read("/api/v1/orders.csv?account_id=" + evil)
	if len(orders) != 2 || orders[1][indexOf(orders[0], "id")] != evilOrder ||
		orders[1][indexOf(orders[0], "account_name")] != "'=HYPERLINK(\"http://x\")" {
		t.Errorf("filtered, defused orders.csv: %v", orders)
	}
	if recs := read("/api/v1/invoices.csv?status=paid"); len(recs) != 1 {
		t.Errorf("no invoice is paid, yet: %v", recs)
	}
	for path, field := range map[string]string{"/api/v1/orders.csv?account_id=x": "account_id",
		"/api/v1/invoices.csv?overdue=maybe": "overdue", "/api/v1/shipments.csv?status=lost": "status",
		"/api/v1/stock.csv?product_id=1": "product_id", "/api/v1/stock-moves.csv?kind=theft": "kind"} {
		if r := ta.do(a, "GET", path, nil); r.Status != 400 || r.problemField(field) == "" {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
}

func indexOf(cols []string, col string) int {
	for i, c := range cols {
		if c == col {
			return i
		}
	}
	panic("no column " + col)
}
