package inventory

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzStockMoveBody is QUALITY Q1 for POST /stock-moves: any body gets a
// 201 or a 4xx problem+json, never a 5xx or database text (the app's do
// checks that), and the ledger invariants hold after every accepted one. One tenant
// for the whole target, so runs share the PostgreSQL database.
func FuzzStockMoveBody(f *testing.F) {
	e := newEnv(f)
	a := e.newApp(f)
	me := caller{ctx: e.newTenant(f)}
	plain := e.product(f, me.ctx, "stocked", false)
	tracked := e.product(f, me.ctx, "stocked", true)
	wh := e.warehouse(f, me.ctx, "FZ")
	lot := e.receive(f, me.ctx, Receipt{ProductID: tracked, WarehouseID: wh, Quantity: 5, LotCode: "F1"}).LotID
	for _, s := range []string{
		fmt.Sprintf(`{"kind":"receipt","product_id":"%s","warehouse_id":"%s","quantity":3}`, plain, wh),
		fmt.Sprintf(`{"kind":"receipt","product_id":"%s","warehouse_id":"%s","quantity":3,"lot_code":"F2","expires_on":"2030-02-29"}`, tracked, wh),
		fmt.Sprintf(`{"kind":"adjustment","product_id":"%s","warehouse_id":"%s","lot_id":"%s","quantity":-9,"reason":"x"}`, tracked, wh, lot),
		fmt.Sprintf(`{"kind":"adjustment","product_id":"%s","warehouse_id":"%s","quantity":9223372036854775807,"reason":"x"}`, plain, wh),
		`{"kind":"receipt","quantity":1e3}`, `{"kind":null}`, `[]`, `{"kind":"receipt"}{}`, ``, `{"reason":"` + strings.Repeat("é", 600) + `"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		a.t = t
		r := a.do(me, "POST", "/api/v1/stock-moves", body)
		if r.status != 201 && (r.status/100 != 4 || !strings.HasPrefix(r.ctype, "application/problem+json")) {
			t.Fatalf("%q: %d %s", body, r.status, r.body)
		}
		if r.status == 201 {
			e.checkInvariants(t, me.ctx)
		}
	})
}
