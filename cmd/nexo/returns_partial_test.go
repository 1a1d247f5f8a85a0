package main

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Partial receipt of returns: the warehouse counts what came back of each
// line (0 up to the requested units); only those units move stock, are
// credited at the invoiced prices or are sent again, and the units that
// never came back are returnable again. Bad receipts name the field and
// change nothing, even when a later line fails after an earlier one moved.

// partialLine is a return line as staff and customers read it.
type partialLine struct {
	ID        string  `json:"id"`
	Quantity  int64   `json:"quantity"`
	Received  *int64  `json:"received_quantity"`
	Condition *string `json:"condition"`
	Warehouse *string `json:"warehouse_id"`
}

type partialReturn struct {
	ID                 string        `json:"id"`
	Number             string        `json:"number"`
	Status             string        `json:"status"`
	CreditNoteID       *string       `json:"credit_note_id"`
	ReplacementOrderID *string       `json:"replacement_order_id"`
	Lines              []partialLine `json:"lines"`
}

func (w *returnWorld) partial(c *client, id string) partialReturn {
	w.t.Helper()
	var x partialReturn
	r := w.ta.do(c, "GET", "/api/v1/returns/"+id, nil)
	if r.Status != 200 {
		w.t.Fatalf("read return: %d %s", r.Status, r.Body)
	}
	r.json(w.t, &x)
	return x
}

// receipt is one line of a receive body.
func receipt(line string, qty int, condition, warehouse string) map[string]any {
	m := map[string]any{"line_id": line, "received_quantity": qty}
	if condition != "" {
		m["condition"] = condition
	}
	if warehouse != "" {
		m["warehouse_id"] = warehouse
	}
	return m
}

func receiveLines(lines ...map[string]any) map[string]any { return map[string]any{"lines": lines} }

func TestReturnsPartialReceipt(t *testing.T) {
	const slug = "returns-partial"
	w := newReturnWorld(t, slug)
	ta := w.ta
	warehouse := ta.erpStaff(t, w.owner, slug, "warehouse")
	finance := ta.erpStaff(t, w.owner, slug, "finance")
	seller := ta.erpStaff(t, w.owner, slug, "sales")
	shade := ta.erpCreate(t, w.owner, "/api/v1/products", map[string]any{"sku": "SHADE", "name": "Shade", "list_price_minor": 500,
		"currency": "EUR"})
	ta.erpCreate(t, w.owner, "/api/v1/stock-moves", receiptBody(shade, w.wh, 50, ""))
	so, ol := w.orderOf(map[string]any{"account_id": w.account, "lines": []map[string]any{
		{"product_id": w.product, "quantity": 4}, {"product_id": shade, "quantity": 2}}}, true, true)
	inv := w.invoiceOf(so)

	// The customer asks to return 3 lamps and both shades.
	x := w.created(ta.do(w.customer, "POST", "/api/v1/returns", map[string]any{"order_id": so, "lines": []map[string]any{
		{"order_line_id": ol[0], "quantity": 3, "reason": "damaged"}, {"order_line_id": ol[1], "quantity": 2, "reason": "wrong_item"}}}))
	w.step(warehouse, x.ID, "approve", nil, 200)
	l0, l1 := x.Lines[0].ID, x.Lines[1].ID
	lamps, shades := ta.erpStock(t, w.owner, w.product), ta.erpStock(t, w.owner, shade)

	// Bad receipts name the field, and none changes anything: not even the
	// last one, whose first line is fine and moves stock before the second
	// (an unknown warehouse) is refused by the stock ledger.
	for _, c := range []struct {
		body  map[string]any
		code  int
		field string
	}{
		{receiveLines(map[string]any{"line_id": l0, "condition": "restock", "warehouse_id": w.wh}, receipt(l1, 0, "", "")), 400, "lines[0].received_quantity"},
		{receiveLines(receipt(l0, 4, "restock", w.wh), receipt(l1, 0, "", "")), 400, "lines[0].received_quantity"},
		{receiveLines(receipt(l0, -1, "restock", w.wh), receipt(l1, 0, "", "")), 400, "lines[0].received_quantity"},
		{receiveLines(receipt(l0, 2, "", ""), receipt(l1, 0, "", "")), 400, "lines[0].condition"},
		{receiveLines(receipt(l0, 2, "restock", ""), receipt(l1, 0, "", "")), 400, "lines[0].warehouse_id"},
		{receiveLines(receipt(l0, 2, "restock", w.wh), receipt(l1, 1, "restock", "nope")), 400, "lines[1].warehouse_id"},
		{receiveLines(receipt(l0, 2, "restock", w.wh)), 400, "lines"},
		{receiveLines(receipt(l0, 2, "restock", w.wh), receipt(l1, 1, "restock", uuid.NewString())), 0, "lines[1].warehouse_id"},
	} {
		r := ta.do(warehouse, "POST", "/api/v1/returns/"+x.ID+"/receive", c.body)
		if (c.code != 0 && r.Status != c.code) || r.Status < 400 || r.Status >= 500 || r.problemField(c.field) == "" {
			t.Errorf("receive %v: %d %s (want %s named)", c.body, r.Status, r.Body, c.field)
		}
	}
	if n := len(w.returnMoves(x.ID)); n != 0 {
		t.Errorf("refused receipts left %d stock moves", n)
	}
	if got := w.partial(warehouse, x.ID); got.Status != "approved" || got.Lines[0].Received != nil || got.Lines[1].Received != nil {
		t.Errorf("after refused receipts: %+v", got)
	}
	if a, b := ta.erpStock(t, w.owner, w.product), ta.erpStock(t, w.owner, shade); a != lamps || b != shades {
		t.Errorf("stock after refused receipts: %+v %+v, before %+v %+v", a, b, lamps, shades)
	}

	// Two of three lamps came back, no shade: one move of 2 lamps only. A
	// condition sent for the empty line is kept nowhere.
	got := w.partial(warehouse, x.ID)
	if r := ta.do(warehouse, "POST", "/api/v1/returns/"+x.ID+"/receive",
		receiveLines(receipt(l0, 2, "restock", w.wh), receipt(l1, 0, "quarantine", ""))); r.Status != 200 {
		t.Fatalf("partial receipt: %d %s", r.Status, r.Body)
	}
	got = w.partial(warehouse, x.ID)
	if got.Status != "received" || *got.Lines[0].Received != 2 || got.Lines[0].Quantity != 3 || *got.Lines[0].Condition != "restock" ||
		*got.Lines[1].Received != 0 || got.Lines[1].Condition != nil || got.Lines[1].Warehouse != nil {
		t.Errorf("received: %+v", got)
	}
	moves := w.returnMoves(x.ID)
	if len(moves) != 1 || moves[0]["product_id"] != w.product || moves[0]["on_hand_delta"] != float64(2) {
		t.Errorf("moves of a partial receipt: %+v", moves)
	}
	if a, b := ta.erpStock(t, w.owner, w.product), ta.erpStock(t, w.owner, shade); a.OnHand != lamps.OnHand+2 || a.Available != lamps.Available+2 || b != shades {
		t.Errorf("stock after the partial receipt: %+v %+v, before %+v %+v", a, b, lamps, shades)
	}

	// The customer sees requested against received, and the units that did
	// not come back are returnable again (1 lamp, 2 shades).
	var cx partialReturn
	ta.do(w.customer, "GET", "/api/v1/returns/"+x.ID, nil).json(t, &cx)
	if cx.Lines[0].Quantity != 3 || cx.Lines[0].Received == nil || *cx.Lines[0].Received != 2 || *cx.Lines[1].Received != 0 {
		t.Errorf("customer's lines: %+v", cx.Lines)
	}
	var ret struct {
		Items []struct {
			Returned   int64 `json:"returned_qty"`
			Returnable int64 `json:"returnable_qty"`
		} `json:"items"`
	}
	ta.do(w.customer, "GET", "/api/v1/orders/"+so+"/returnable", nil).json(t, &ret)
	if len(ret.Items) != 2 || ret.Items[0].Returned != 2 || ret.Items[0].Returnable != 2 || ret.Items[1].Returned != 0 || ret.Items[1].Returnable != 2 {
		t.Errorf("returnable after the partial receipt: %+v", ret.Items)
	}

	// The refund credits the 2 received lamps, not 3, and no shade:
	// 2 × 10.00 + 21 % = 24.20.
	done := w.step(finance, x.ID, "refund", nil, 200)
	var cn struct {
		TotalMinor int64 `json:"total_minor"`
		Lines      []struct {
			Quantity int64 `json:"quantity"`
		} `json:"lines"`
	}
	ta.do(w.owner, "GET", "/api/v1/credit-notes/"+*done.CreditNoteID, nil).json(t, &cn)
	if cn.TotalMinor != 2420 || len(cn.Lines) != 1 || cn.Lines[0].Quantity != 2 {
		t.Errorf("credit note of a partial receipt: %+v", cn)
	}
	if after := w.invoiceOf(so); after.BalanceMinor != inv.BalanceMinor-2420 {
		t.Errorf("invoice balance %d, was %d", after.BalanceMinor, inv.BalanceMinor)
	}

	// A replacement sends the received units only: 1 of 2 shades.
	y := w.created(ta.do(w.customer, "POST", "/api/v1/returns", returnBody(so, ol[1], 2)))
	w.step(warehouse, y.ID, "approve", nil, 200)
	w.step(warehouse, y.ID, "receive", receiveLines(receipt(y.Lines[0].ID, 1, "quarantine", w.wh)), 200)
	rep := w.partial(seller, w.step(seller, y.ID, "replace", nil, 200).ID)
	var o struct {
		Lines []struct {
			ProductID string `json:"product_id"`
			Quantity  int64  `json:"quantity"`
		} `json:"lines"`
	}
	ta.do(w.owner, "GET", "/api/v1/orders/"+*rep.ReplacementOrderID, nil).json(t, &o)
	if len(o.Lines) != 1 || o.Lines[0].ProductID != shade || o.Lines[0].Quantity != 1 {
		t.Errorf("replacement of 1 received shade: %+v", o)
	}

	// Nothing came back at all: the return is received with no move, and
	// neither a refund nor a replacement has anything to give (422, and
	// the return stays received with no credit note or order).
	z := w.created(ta.do(w.customer, "POST", "/api/v1/returns", returnBody(so, ol[0], 1)))
	w.step(warehouse, z.ID, "approve", nil, 200)
	w.step(warehouse, z.ID, "receive", receiveLines(receipt(z.Lines[0].ID, 0, "", "")), 200)
	if n := len(w.returnMoves(z.ID)); n != 0 {
		t.Errorf("an empty receipt moved stock: %d moves", n)
	}
	for c, action := range map[*client]string{finance: "refund", seller: "replace"} {
		r := ta.do(c, "POST", "/api/v1/returns/"+z.ID+"/"+action, nil)
		if r.Status != 422 || !strings.Contains(string(r.Body), "nothing was received") || r.problemField("lines") == "" {
			t.Errorf("%s of an empty receipt: %d %s", action, r.Status, r.Body)
		}
	}
	if zz := w.partial(w.owner, z.ID); zz.Status != "received" || zz.CreditNoteID != nil || zz.ReplacementOrderID != nil {
		t.Errorf("after refusing to refund nothing: %+v", zz)
	}
	if after := w.invoiceOf(so); len(after.CreditNotes) != 1 {
		t.Errorf("credit notes after an empty receipt: %d", len(after.CreditNotes))
	}
}
