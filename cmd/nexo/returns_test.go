package main

import (
	"strings"
	"sync"
	"testing"

	"nexo/modules/returns"
)

// Returns (E8, F6, P4) on the real modules through HTTP: a portal customer
// asks to return delivered units, staff approve, receive and refund; the
// rules (never beyond what was delivered, rejected changes nothing, one
// credit note per return, only invoiced units, a lock against concurrent
// requests) are checked on the stock ledger and the invoice's balance.

type retJSON struct {
	ID              string  `json:"id"`
	Number          string  `json:"number"`
	Status          string  `json:"status"`
	RejectionReason string  `json:"rejection_reason"`
	CreditNoteID    *string `json:"credit_note_id"`
	Lines           []struct {
		ID        string  `json:"id"`
		Condition *string `json:"condition"`
	} `json:"lines"`
}

// returnWorld is a tenant with a product in stock, a customer account with
// a portal user, and helpers to deliver and invoice orders.
type returnWorld struct {
	ta              *testApp
	t               *testing.T
	owner, customer *client
	product, wh     string
	account         string
}

func newReturnWorld(t *testing.T, slug string) *returnWorld {
	ta := newTestApp(t)
	w := &returnWorld{ta: ta, t: t, owner: ta.signup(slug)}
	w.wh = ta.erpCreate(t, w.owner, "/api/v1/warehouses", map[string]any{"code": "MAIN", "name": "Main"})
	vat := ta.erpCreate(t, w.owner, "/api/v1/tax-rates", map[string]any{"name": "VAT 21", "rate_bp": 2100})
	w.product = ta.erpCreate(t, w.owner, "/api/v1/products", map[string]any{"sku": "LAMP", "name": "Lamp", "list_price_minor": 1000,
		"currency": "EUR", "tax_rate_id": vat})
	ta.erpCreate(t, w.owner, "/api/v1/stock-moves", receiptBody(w.product, w.wh, 100, ""))
	w.account = ta.erpCreate(t, w.owner, "/api/v1/accounts", map[string]any{"name": "Lumen SL", "currency": "EUR"})
	w.customer = ta.portalCustomer(t, w.owner, slug, w.account, "buyer@"+slug+".example.com")
	return w
}

// order confirms an order of qty lamps, ships it (delivered unless
// deliver is false), invoices it unless invoice is false, and returns the
// order and its line.
func (w *returnWorld) order(qty int, deliver, invoice bool) (string, string) {
	so, lines := w.orderOf(orderBody(w.account, w.product, qty), deliver, invoice)
	return so, lines[0]
}

// orderOf is order for any order body; it returns the order and its lines.
func (w *returnWorld) orderOf(body map[string]any, deliver, invoice bool) (string, []string) {
	t, ta := w.t, w.ta
	t.Helper()
	so := ta.erpCreate(t, w.owner, "/api/v1/orders", body)
	ta.erpOrderAction(t, w.owner, so, "confirm", nil)
	var full struct {
		Lines []struct {
			ID string `json:"id"`
		} `json:"lines"`
	}
	ta.do(w.owner, "GET", "/api/v1/orders/"+so, nil).json(t, &full)
	sh := ta.erpCreate(t, w.owner, "/api/v1/shipments", map[string]any{"order_id": so})
	ta.erpShipmentStep(t, w.owner, sh, "pack")
	ta.erpShipmentStep(t, w.owner, sh, "ship")
	if deliver {
		ta.erpShipmentStep(t, w.owner, sh, "deliver")
	}
	if invoice {
		ta.erpCreate(t, w.owner, "/api/v1/invoices", map[string]any{"order_id": so})
	}
	lines := make([]string, len(full.Lines))
	for i, l := range full.Lines {
		lines[i] = l.ID
	}
	return so, lines
}

func (w *returnWorld) request(c *client, order, line string, qty int) result {
	w.t.Helper()
	return w.ta.do(c, "POST", "/api/v1/returns", returnBody(order, line, qty))
}

func (w *returnWorld) step(c *client, id, action string, body any, want int) retJSON {
	w.t.Helper()
	r := w.ta.do(c, "POST", "/api/v1/returns/"+id+"/"+action, body)
	if r.Status != want {
		w.t.Fatalf("%s return: %d %s", action, r.Status, r.Body)
	}
	var x retJSON
	if want == 200 {
		r.json(w.t, &x)
	}
	return x
}

func (w *returnWorld) created(r result) retJSON {
	w.t.Helper()
	if r.Status != 201 {
		w.t.Fatalf("request return: %d %s", r.Status, r.Body)
	}
	var x retJSON
	r.json(w.t, &x)
	return x
}

func (w *returnWorld) invoiceOf(order string) erpInvoice {
	w.t.Helper()
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.ta.do(w.owner, "GET", "/api/v1/invoices?order_id="+order, nil).json(w.t, &list)
	if len(list.Items) != 1 {
		w.t.Fatalf("invoices of %s: %+v", order, list)
	}
	return w.ta.erpInvoice(w.t, w.owner, list.Items[0].ID)
}

func (w *returnWorld) returnMoves(id string) []map[string]any {
	w.t.Helper()
	var list struct {
		Items []map[string]any `json:"items"`
	}
	w.ta.do(w.owner, "GET", "/api/v1/stock-moves?ref_type=return&ref_id="+id, nil).json(w.t, &list)
	return list.Items
}

func TestReturnsJourney(t *testing.T) {
	w := newReturnWorld(t, "returns-journey")
	ta := w.ta
	warehouse := ta.erpStaff(t, w.owner, "returns-journey", "warehouse")
	finance := ta.erpStaff(t, w.owner, "returns-journey", "finance")
	so, line := w.order(3, true, true)
	before := ta.erpStock(t, w.owner, w.product)
	inv := w.invoiceOf(so)

	// Never more than was delivered.
	if r := w.request(w.customer, so, line, 4); r.Status != 422 || r.problemField("lines[0].quantity") == "" {
		t.Fatalf("returning 4 of 3 delivered: %d %s", r.Status, r.Body)
	}
	first := w.created(w.request(w.customer, so, line, 2))
	if first.Status != "requested" || !strings.HasPrefix(first.Number, "RMA") {
		t.Fatalf("requested: %+v", first)
	}
	// The customer's view is the allow-list: no staff ids, no stock handling.
	r := ta.do(w.customer, "GET", "/api/v1/returns/"+first.ID, nil)
	for _, leak := range []string{"created_by", "approved_by", "portal_user_id", "warehouse_id", "condition", "product_id"} {
		if strings.Contains(string(r.Body), `"`+leak+`"`) {
			t.Errorf("customer return shows %s: %s", leak, r.Body)
		}
	}
	// Already returned counts: only one unit is left.
	if r := w.request(w.customer, so, line, 2); r.Status != 422 || !strings.Contains(r.problemField("lines[0].quantity"), "at most 1") {
		t.Fatalf("returning 2 more: %d %s", r.Status, r.Body)
	}

	// A rejection needs a reason, changes no stock and no money, and frees
	// the units.
	if r := ta.do(warehouse, "POST", "/api/v1/returns/"+first.ID+"/reject", map[string]any{"reason": " "}); r.Status != 400 || r.problemField("reason") == "" {
		t.Fatalf("reject without reason: %d %s", r.Status, r.Body)
	}
	rej := w.step(warehouse, first.ID, "reject", map[string]any{"reason": "Photos show normal wear"}, 200)
	if rej.Status != "rejected" || rej.RejectionReason != "Photos show normal wear" {
		t.Fatalf("rejected: %+v", rej)
	}
	w.step(warehouse, first.ID, "approve", nil, 409)
	if after := ta.erpStock(t, w.owner, w.product); after != before {
		t.Errorf("stock after a rejection: %+v, before %+v", after, before)
	}
	if got := w.invoiceOf(so); got.BalanceMinor != inv.BalanceMinor || len(got.CreditNotes) != 0 {
		t.Errorf("invoice after a rejection: %+v", got)
	}
	if n := len(w.returnMoves(first.ID)); n != 0 {
		t.Errorf("a rejected return has %d stock moves", n)
	}
	var ret struct {
		Items []struct {
			Returnable int64 `json:"returnable_qty"`
			Delivered  int64 `json:"delivered_qty"`
		} `json:"items"`
	}
	ta.do(w.customer, "GET", "/api/v1/orders/"+so+"/returnable", nil).json(t, &ret)
	if len(ret.Items) != 1 || ret.Items[0].Returnable != 3 || ret.Items[0].Delivered != 3 {
		t.Errorf("returnable after the rejection: %+v", ret)
	}

	// Approve, receive into stock (restock), refund once.
	second := w.created(w.request(w.customer, so, line, 2))
	w.step(warehouse, second.ID, "approve", nil, 200)
	w.step(finance, second.ID, "refund", nil, 409) // not received yet
	if r := ta.do(warehouse, "POST", "/api/v1/returns/"+second.ID+"/receive", receiveBody(second.Lines[0].ID, w.wh, 2)); r.Status != 200 {
		t.Fatalf("receive: %d %s", r.Status, r.Body)
	}
	moves := w.returnMoves(second.ID)
	if len(moves) != 1 || moves[0]["kind"] != "return" || moves[0]["on_hand_delta"] != float64(2) || moves[0]["quarantined_delta"] != float64(0) {
		t.Errorf("restock moves: %+v", moves)
	}
	if after := ta.erpStock(t, w.owner, w.product); after.OnHand != before.OnHand+2 || after.Available != before.Available+2 {
		t.Errorf("stock after restocking 2: %+v, before %+v", after, before)
	}
	if r := ta.do(warehouse, "POST", "/api/v1/returns/"+second.ID+"/refund", nil); r.Status != 403 {
		t.Errorf("warehouse refunds: %d %s", r.Status, r.Body)
	}
	done := w.step(finance, second.ID, "refund", nil, 200)
	if done.Status != "refunded" || done.CreditNoteID == nil {
		t.Fatalf("refunded: %+v", done)
	}
	// 2 × 10.00 + 21 % off the balance, and never a second credit note.
	if got := w.invoiceOf(so); got.BalanceMinor != inv.BalanceMinor-2420 || len(got.CreditNotes) != 1 {
		t.Errorf("invoice after the refund: balance %d (was %d), %d credit notes", got.BalanceMinor, inv.BalanceMinor, len(got.CreditNotes))
	}
	if r := ta.do(finance, "POST", "/api/v1/returns/"+second.ID+"/refund", nil); r.Status != 409 {
		t.Errorf("second refund: %d %s", r.Status, r.Body)
	}
	if got := w.invoiceOf(so); len(got.CreditNotes) != 1 {
		t.Errorf("credit notes after a second refund: %d", len(got.CreditNotes))
	}

	// The customer sees the refund and the credit note with its lines.
	var cx retJSON
	ta.do(w.customer, "GET", "/api/v1/returns/"+second.ID, nil).json(t, &cx)
	if cx.Status != "refunded" || cx.CreditNoteID == nil || *cx.CreditNoteID != *done.CreditNoteID {
		t.Errorf("customer's return: %+v", cx)
	}
	var cn struct {
		InvoiceNumber string `json:"invoice_number"`
		TotalMinor    int64  `json:"total_minor"`
		Lines         []struct {
			Description string `json:"description"`
			Quantity    int64  `json:"quantity"`
			TotalMinor  int64  `json:"total_minor"`
		} `json:"lines"`
	}
	ta.do(w.customer, "GET", "/api/v1/credit-notes/"+*cx.CreditNoteID, nil).json(t, &cn)
	if cn.InvoiceNumber != inv.Number || cn.TotalMinor != 2420 || len(cn.Lines) != 1 || cn.Lines[0].Quantity != 2 ||
		!strings.Contains(cn.Lines[0].Description, "LAMP") {
		t.Errorf("customer's credit note: %+v", cn)
	}

	// The last unit comes back to quarantine: on hand, not available.
	third := w.created(w.request(w.customer, so, line, 1))
	w.step(warehouse, third.ID, "approve", nil, 200)
	mid := ta.erpStock(t, w.owner, w.product)
	body := map[string]any{"lines": []map[string]any{{"line_id": third.Lines[0].ID, "received_quantity": 1, "condition": "quarantine", "warehouse_id": w.wh}}}
	if got := w.step(warehouse, third.ID, "receive", body, 200); got.Lines[0].Condition == nil || *got.Lines[0].Condition != "quarantine" {
		t.Errorf("received line: %+v", got.Lines)
	}
	if after := ta.erpStock(t, w.owner, w.product); after.OnHand != mid.OnHand+1 || after.Available != mid.Available {
		t.Errorf("stock after quarantining 1: %+v, before %+v", after, mid)
	}
	if m := w.returnMoves(third.ID); len(m) != 1 || m[0]["quarantined_delta"] != float64(1) {
		t.Errorf("quarantine moves: %+v", m)
	}
	if r := w.request(w.customer, so, line, 1); r.Status != 422 {
		t.Errorf("returning a fourth unit of three: %d %s", r.Status, r.Body)
	}

	// Lists and filters.
	for path, want := range map[string]int{"/api/v1/returns": 3, "/api/v1/returns?status=refunded": 1,
		"/api/v1/returns?order_id=" + so: 3, "/api/v1/returns?status=rejected&account_id=" + w.account: 1} {
		if n := ta.erpCount(t, w.owner, path); n != want {
			t.Errorf("%s: %d returns, want %d", path, n, want)
		}
	}
	if n := ta.erpCount(t, w.customer, "/api/v1/returns"); n != 3 {
		t.Errorf("customer's list: %d", n)
	}
	if r := ta.do(w.owner, "GET", "/api/v1/returns?status=lost", nil); r.Status != 400 || r.problemField("status") == "" {
		t.Errorf("bad status filter: %d %s", r.Status, r.Body)
	}
}

func TestReturnsRules(t *testing.T) {
	w := newReturnWorld(t, "returns-rules")
	ta := w.ta

	// Shipped but not delivered: staff may take it back (a refused
	// delivery), the customer may not yet.
	so, line := w.order(2, false, false)
	if r := w.request(w.customer, so, line, 1); r.Status != 422 || !strings.Contains(r.problemField("lines[0].quantity"), "nothing") {
		t.Errorf("customer returns an undelivered line: %d %s", r.Status, r.Body)
	}
	x := w.created(w.request(w.owner, so, line, 2))

	// Never invoiced: a clear 422 and the return stays received.
	w.step(w.owner, x.ID, "approve", nil, 200)
	w.step(w.owner, x.ID, "receive", receiveBody(x.Lines[0].ID, w.wh, 2), 200)
	r := ta.do(w.owner, "POST", "/api/v1/returns/"+x.ID+"/refund", nil)
	if r.Status != 422 || !strings.Contains(r.problemField("lines[0]"), "never invoiced") {
		t.Errorf("refunding uninvoiced lines: %d %s", r.Status, r.Body)
	}
	var got retJSON
	ta.do(w.owner, "GET", "/api/v1/returns/"+x.ID, nil).json(t, &got)
	if got.Status != "received" || got.CreditNoteID != nil {
		t.Errorf("after a refused refund: %+v", got)
	}

	// Bad input names the field and stores nothing.
	so2, line2 := w.order(1, true, true)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"order_id": so2, "lines": []map[string]any{}}, "lines"},
		{map[string]any{"order_id": so2, "lines": []map[string]any{{"order_line_id": line2, "quantity": 1, "reason": "bored"}}}, "lines[0].reason"},
		{map[string]any{"order_id": so2, "lines": []map[string]any{{"order_line_id": line2, "quantity": 0, "reason": "other"}}}, "lines[0].quantity"},
		{map[string]any{"order_id": so2, "lines": []map[string]any{{"order_line_id": line, "quantity": 1, "reason": "other"}}}, "lines[0].order_line_id"},
		{map[string]any{"order_id": "nope", "lines": []map[string]any{{"order_line_id": line2, "quantity": 1, "reason": "other"}}}, "order_id"},
	} {
		if r := ta.do(w.owner, "POST", "/api/v1/returns", c.body); r.Status != 400 || r.problemField(c.field) == "" {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
	y := w.created(w.request(w.owner, so2, line2, 1))
	w.step(w.owner, y.ID, "approve", nil, 200)
	for _, body := range []map[string]any{
		{"lines": []map[string]any{{"line_id": y.Lines[0].ID, "received_quantity": 1, "condition": "binned", "warehouse_id": w.wh}}},
		{"lines": []map[string]any{{"line_id": x.Lines[0].ID, "received_quantity": 1, "condition": "restock", "warehouse_id": w.wh}}},
	} {
		if r := ta.do(w.owner, "POST", "/api/v1/returns/"+y.ID+"/receive", body); r.Status != 400 {
			t.Errorf("receive %v: %d %s", body, r.Status, r.Body)
		}
	}
	if n := len(w.returnMoves(y.ID)); n != 0 {
		t.Errorf("refused receipts left %d moves", n)
	}

	// Another account's customer sees none of it.
	other := ta.erpCreate(t, w.owner, "/api/v1/accounts", map[string]any{"name": "Other SL"})
	oc := ta.portalCustomer(t, w.owner, "returns-rules", other, "other@returns-rules.example.com")
	if r := ta.do(oc, "GET", "/api/v1/returns/"+y.ID, nil); r.Status != 404 {
		t.Errorf("other account reads a return: %d", r.Status)
	}
	if r := w.request(oc, so2, line2, 1); r.Status != 400 || r.problemField("order_id") == "" {
		t.Errorf("other account returns an order not theirs: %d %s", r.Status, r.Body)
	}
	if r := ta.do(oc, "GET", "/api/v1/orders/"+so2+"/returnable", nil); r.Status != 404 {
		t.Errorf("other account reads returnable: %d", r.Status)
	}
	if n := ta.erpCount(t, oc, "/api/v1/returns"); n != 0 {
		t.Errorf("other account lists %d returns", n)
	}
}

// TestReturnsConcurrent sends many one-unit requests for a line with three
// delivered units at once: the order lock lets exactly three through.
func TestReturnsConcurrent(t *testing.T) {
	w := newReturnWorld(t, "returns-race")
	so, line := w.order(3, true, true)
	const n = 8
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := w.customer
			if i%2 == 1 {
				c = w.owner
			}
			codes[i] = w.ta.do(c, "POST", "/api/v1/returns", returnBody(so, line, 1)).Status
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case 201:
			ok++
		case 422, 409: // over the limit, or a retryable lock conflict
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	var ret struct {
		Items []struct {
			Returned int64 `json:"returned_qty"`
		} `json:"items"`
	}
	w.ta.do(w.owner, "GET", "/api/v1/orders/"+so+"/returnable", nil).json(t, &ret)
	if ok > 3 || ret.Items[0].Returned != int64(ok) || ret.Items[0].Returned > 3 {
		t.Errorf("%d of %d concurrent requests went through, %d units returned (at most 3 delivered): %v", ok, n, ret.Items[0].Returned, codes)
	}
	if ok == 0 {
		t.Errorf("no request went through: %v", codes)
	}
}

// TestReturnPhotos: small images on a requested return, for its account
// and staff only, checked by content, at most five.
func TestReturnPhotos(t *testing.T) {
	w := newReturnWorld(t, "returns-photos")
	ta := w.ta
	so, line := w.order(2, true, true)
	x := w.created(w.request(w.customer, so, line, 1))
	up := func(c *client, id string, body []byte, ct string) result {
		return ta.do(c, "POST", "/api/v1/returns/"+id+"/photos", body, "Content-Type", ct)
	}
	r := up(w.customer, x.ID, tinyPNG, "image/png")
	if r.Status != 201 {
		t.Fatalf("customer adds a photo: %d %s", r.Status, r.Body)
	}
	var p struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	r.json(t, &p)
	for _, c := range []struct {
		body []byte
		ct   string
	}{{[]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml"},
		{[]byte("not a png at all"), "image/png"}, {nil, "image/png"}} {
		if r := up(w.customer, x.ID, c.body, c.ct); r.Status != 400 || r.problemField("photo") == "" {
			t.Errorf("photo %q as %s: %d %s", c.body, c.ct, r.Status, r.Body)
		}
	}
	var detail struct {
		Photos []struct {
			ID string `json:"id"`
		} `json:"photos"`
	}
	ta.do(w.customer, "GET", "/api/v1/returns/"+x.ID, nil).json(t, &detail)
	if len(detail.Photos) != 1 || detail.Photos[0].ID != p.ID {
		t.Errorf("photos on the return: %+v", detail.Photos)
	}
	for _, c := range []*client{w.customer, w.owner} {
		r := ta.do(c, "GET", p.URL, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" || string(r.Body) != string(tinyPNG) {
			t.Errorf("reading the photo: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
	}
	other := ta.erpCreate(t, w.owner, "/api/v1/accounts", map[string]any{"name": "Other SL"})
	oc := ta.portalCustomer(t, w.owner, "returns-photos", other, "other@returns-photos.example.com")
	if r := ta.do(oc, "GET", p.URL, nil); r.Status != 404 {
		t.Errorf("another account reads the photo: %d", r.Status)
	}
	if r := up(oc, x.ID, tinyPNG, "image/png"); r.Status != 404 {
		t.Errorf("another account adds a photo: %d %s", r.Status, r.Body)
	}
	for range returns.MaxPhotos - 1 {
		if r := up(w.owner, x.ID, tinyPNG, "image/png"); r.Status != 201 {
			t.Fatalf("staff add a photo: %d %s", r.Status, r.Body)
		}
	}
	if r := up(w.customer, x.ID, tinyPNG, "image/png"); r.Status != 422 {
		t.Errorf("a sixth photo: %d %s", r.Status, r.Body)
	}
	y := w.created(w.request(w.customer, so, line, 1))
	w.step(w.owner, y.ID, "approve", nil, 200)
	if r := up(w.customer, y.ID, tinyPNG, "image/png"); r.Status != 409 {
		t.Errorf("a photo after approval: %d %s", r.Status, r.Body)
	}
}

// TestReturnsReplace: a received return is replaced by a confirmed sales
// order at no charge for the same account, products and units (stock
// reserved like any order's), exactly once, and a return ends refunded or
// replaced, never both.
func TestReturnsReplace(t *testing.T) {
	const slug = "returns-replace"
	w := newReturnWorld(t, slug)
	ta := w.ta
	warehouse := ta.erpStaff(t, w.owner, slug, "warehouse")
	finance := ta.erpStaff(t, w.owner, slug, "finance")
	seller := ta.erpStaff(t, w.owner, slug, "sales")
	so, line := w.order(3, true, true)
	inv := w.invoiceOf(so)
	received := func(qty int) retJSON {
		t.Helper()
		x := w.created(w.request(w.customer, so, line, qty))
		w.step(warehouse, x.ID, "approve", nil, 200)
		return w.step(warehouse, x.ID, "receive", receiveBody(x.Lines[0].ID, w.wh, qty), 200)
	}
	x := received(2)
	before := ta.erpStock(t, w.owner, w.product)
	orders := ta.erpCount(t, w.owner, "/api/v1/orders?account_id="+w.account)

	// Who may not: the warehouse (no orders:confirm), the customer, another
	// tenant's owner and another account's customer (as if it did not exist).
	other := ta.signup("returns-replace-b")
	otherAcc := ta.erpCreate(t, w.owner, "/api/v1/accounts", map[string]any{"name": "Other SL", "currency": "EUR"})
	otherCustomer := ta.portalCustomer(t, w.owner, slug, otherAcc, "other@"+slug+".example.com")
	for name, c := range map[string]*client{"warehouse": warehouse, "customer": w.customer, "other account's customer": otherCustomer} {
		if r := ta.do(c, "POST", "/api/v1/returns/"+x.ID+"/replace", nil); r.Status != 403 {
			t.Errorf("%s replaces: %d %s", name, r.Status, r.Body)
		}
	}
	if r := ta.do(other, "POST", "/api/v1/returns/"+x.ID+"/replace", nil); r.Status != 404 {
		t.Errorf("another tenant replaces: %d %s", r.Status, r.Body)
	}
	if r := ta.do(otherCustomer, "GET", "/api/v1/returns/"+x.ID, nil); r.Status != 404 {
		t.Errorf("another account's customer reads the return: %d %s", r.Status, r.Body)
	}

	var got struct {
		retJSON
		ReplacementOrderID     *string `json:"replacement_order_id"`
		ReplacementOrderNumber string  `json:"replacement_order_number"`
		ReplacedAt             *string `json:"replaced_at"`
	}
	r := ta.do(seller, "POST", "/api/v1/returns/"+x.ID+"/replace", nil)
	if r.Status != 200 {
		t.Fatalf("replace: %d %s", r.Status, r.Body)
	}
	r.json(t, &got)
	if got.Status != "replaced" || got.ReplacementOrderID == nil || got.ReplacementOrderNumber == "" || got.ReplacedAt == nil ||
		got.CreditNoteID != nil {
		t.Fatalf("replaced: %s", r.Body)
	}
	var o struct {
		AccountID  string `json:"account_id"`
		Status     string `json:"status"`
		Number     string `json:"number"`
		Currency   string `json:"currency"`
		TotalMinor int64  `json:"total_minor"`
		Notes      string `json:"notes"`
		Lines      []struct {
			ProductID      string `json:"product_id"`
			Quantity       int64  `json:"quantity"`
			UnitPriceMinor int64  `json:"unit_price_minor"`
			TotalMinor     int64  `json:"total_minor"`
			ReservedQty    int64  `json:"reserved_qty"`
		} `json:"lines"`
	}
	ta.do(w.owner, "GET", "/api/v1/orders/"+*got.ReplacementOrderID, nil).json(t, &o)
	if o.AccountID != w.account || o.Status != "confirmed" || o.Number != got.ReplacementOrderNumber || o.Currency != "EUR" ||
		o.TotalMinor != 0 || !strings.Contains(o.Notes, "Replacement for return "+x.Number) || len(o.Lines) != 1 ||
		o.Lines[0].ProductID != w.product || o.Lines[0].Quantity != 2 || o.Lines[0].UnitPriceMinor != 0 ||
		o.Lines[0].TotalMinor != 0 || o.Lines[0].ReservedQty != 2 {
		t.Errorf("replacement order: %+v", o)
	}
	if after := ta.erpStock(t, w.owner, w.product); after.Reserved != before.Reserved+2 || after.OnHand != before.OnHand {
		t.Errorf("stock after the replacement: %+v, before %+v", after, before)
	}

	// Exactly once, and never refunded as well: nothing changes.
	w.step(seller, x.ID, "replace", nil, 409)
	w.step(finance, x.ID, "refund", nil, 409)
	if n := ta.erpCount(t, w.owner, "/api/v1/orders?account_id="+w.account); n != orders+1 {
		t.Errorf("orders of the account: %d, want %d", n, orders+1)
	}
	if got := w.invoiceOf(so); len(got.CreditNotes) != 0 || got.BalanceMinor != inv.BalanceMinor {
		t.Errorf("invoice after a refund of a replaced return: %+v", got)
	}

	// The customer sees it replaced, with the order to follow.
	var cx map[string]any
	ta.do(w.customer, "GET", "/api/v1/returns/"+x.ID, nil).json(t, &cx)
	if cx["status"] != "replaced" || cx["replacement_order_id"] != *got.ReplacementOrderID || cx["replacement_order_number"] != o.Number {
		t.Errorf("customer's return: %+v", cx)
	}
	if _, leak := cx["replaced_by"]; leak {
		t.Errorf("customer's return shows replaced_by: %+v", cx)
	}
	if r := ta.do(w.customer, "GET", "/api/v1/orders/"+*got.ReplacementOrderID, nil); r.Status != 200 {
		t.Errorf("customer reads the replacement order: %d %s", r.Status, r.Body)
	}
	if n := ta.erpCount(t, w.owner, "/api/v1/returns?status=replaced"); n != 1 {
		t.Errorf("replaced returns: %d", n)
	}

	// A refunded return is not replaced afterwards.
	y := received(1)
	w.step(finance, y.ID, "refund", nil, 200)
	w.step(seller, y.ID, "replace", nil, 409)
	if n := ta.erpCount(t, w.owner, "/api/v1/orders?account_id="+w.account); n != orders+1 {
		t.Errorf("orders after replacing a refunded return: %d, want %d", n, orders+1)
	}
}
