package main

import "testing"

// TestReturnSpanningInvoices: an order of 4 lamps shipped and invoiced in
// two deliveries of 2; the customer returns 3. No single invoice has 3
// open, so the refund issues one credit note per invoice, newest first:
// 2 lamps on the second invoice, 1 on the first, each at its invoice's
// prices; the return lists both and each invoice's balance drops by its
// share.
func TestReturnSpanningInvoices(t *testing.T) {
	w := newReturnWorld(t, "returns-span")
	ta := w.ta
	so := ta.erpCreate(t, w.owner, "/api/v1/orders", orderBody(w.account, w.product, 4))
	ta.erpOrderAction(t, w.owner, so, "confirm", nil)
	var order struct {
		Lines []struct {
			ID string `json:"id"`
		} `json:"lines"`
	}
	ta.do(w.owner, "GET", "/api/v1/orders/"+so, nil).json(t, &order)
	line := order.Lines[0].ID
	var invoices []string
	for range 2 {
		sh := ta.erpCreate(t, w.owner, "/api/v1/shipments", map[string]any{"order_id": so,
			"lines": []map[string]any{{"order_line_id": line, "quantity": 2}}})
		for _, step := range []string{"pack", "ship", "deliver"} {
			ta.erpShipmentStep(t, w.owner, sh, step)
		}
		invoices = append(invoices, ta.erpCreate(t, w.owner, "/api/v1/invoices", map[string]any{"order_id": so}))
	}
	before := []erpInvoice{ta.erpInvoice(t, w.owner, invoices[0]), ta.erpInvoice(t, w.owner, invoices[1])}

	x := w.created(w.request(w.customer, so, line, 3))
	w.step(w.owner, x.ID, "approve", nil, 200)
	w.step(w.owner, x.ID, "receive", receiveBody(x.Lines[0].ID, w.wh, 3), 200)
	w.step(w.owner, x.ID, "refund", nil, 200)

	var got struct {
		Status        string   `json:"status"`
		CreditNoteID  string   `json:"credit_note_id"`
		CreditNoteIDs []string `json:"credit_note_ids"`
	}
	for _, c := range []*client{w.owner, w.customer} {
		ta.do(c, "GET", "/api/v1/returns/"+x.ID, nil).json(t, &got)
		if got.Status != "refunded" || len(got.CreditNoteIDs) != 2 || got.CreditNoteID != got.CreditNoteIDs[0] {
			t.Fatalf("the refunded return: %+v", got)
		}
	}
	want := map[string]int64{invoices[1]: 2, invoices[0]: 1} // newest invoice first
	for i, id := range got.CreditNoteIDs {
		var cn struct {
			InvoiceID  string `json:"invoice_id"`
			TotalMinor int64  `json:"total_minor"`
			Lines      []struct {
				Quantity int64 `json:"quantity"`
			} `json:"lines"`
		}
		ta.do(w.owner, "GET", "/api/v1/credit-notes/"+id, nil).json(t, &cn)
		if len(cn.Lines) != 1 || cn.Lines[0].Quantity != want[cn.InvoiceID] || (i == 0) != (cn.InvoiceID == invoices[1]) {
			t.Errorf("credit note %d: %+v", i, cn)
		}
	}
	for i, id := range invoices {
		after := ta.erpInvoice(t, w.owner, id)
		if unit := before[i].TotalMinor / 2; after.BalanceMinor != before[i].BalanceMinor-unit*want[id] {
			t.Errorf("invoice %d balance %d, was %d, credited %d units of %d", i, after.BalanceMinor, before[i].BalanceMinor, want[id], unit)
		}
	}
	// A second refund is still refused.
	w.step(w.owner, x.ID, "refund", nil, 409)
}
