package sales

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// fixture is one tenant with an account and one product of each kind:
// 500 manufactured widgets in stock (lead 3 days, 100 a day), 10 purchased
// gears (lead 10 days), 50 stocked bolts, and a service.
type fixture struct {
	e                          *env
	account                    uuid.UUID
	widget, gear, bolt, repair Product
}

func newFixture(t *testing.T, e *env, ctx context.Context) fixture {
	t.Helper()
	return fixture{e: e, account: e.account(t, ctx, true),
		widget: e.product(t, ctx, Product{Type: ProductManufactured, Active: true, ListPriceMinor: 1000, TaxRateBP: 2100,
			LeadTimeDays: 3, DailyCapacity: 100}, 500),
		gear: e.product(t, ctx, Product{Type: ProductPurchased, Active: true, ListPriceMinor: 333, TaxRateBP: 2100,
			LeadTimeDays: 10}, 10),
		bolt:   e.product(t, ctx, Product{Type: ProductStocked, Active: true, ListPriceMinor: 5, TaxRateBP: 1000}, 50),
		repair: e.product(t, ctx, Product{Type: ProductService, Active: true, ListPriceMinor: 9000}, 0),
	}
}

// confirmedOrder creates the fixture's four-line order (1000 widgets, 3
// gears at -10 %, a bolt, a repair), checks its totals and confirms it.
func confirmedOrder(t *testing.T) (*env, context.Context, fixture, Order) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	o, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, RequestedDate: ptr(day(7)), Lines: []NewLine{
		lineOf(fx.widget, 1000), {ProductID: fx.gear.ID, Quantity: 3, DiscountBP: ptr(1000)}, lineOf(fx.bolt, 1),
		lineOf(fx.repair, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if !firstNumber(o.Number) || o.Status != StatusDraft || o.Currency != "EUR" || len(o.Lines) != 4 {
		t.Fatalf("created %+v", o)
	}
	// 1000 × 10.00 + 21 %; 3 × 3.33 - 10 % = 8.991 → 8.99 + 1.8879 → 1.89; 0.05 + 0.005 → 0.01; 90.00.
	if o.SubtotalMinor != 1_000_000+899+5+9000 || o.TaxMinor != 210_000+189+1 || o.TotalMinor != o.SubtotalMinor+o.TaxMinor {
		t.Fatalf("totals %d + %d = %d", o.SubtotalMinor, o.TaxMinor, o.TotalMinor)
	}
	if o, err = e.svc.Confirm(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	return e, ctx, fx, o
}

func TestConfirm(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	want := []struct {
		reserved, short int64
		action          ShortfallAction
		promised        int
	}{{500, 500, ShortfallProduction, 3 + 5}, {3, 0, ShortfallNone, 0}, {1, 0, ShortfallNone, 0}, {0, 0, ShortfallNone, 0}}
	for i, w := range want {
		l := o.Lines[i]
		if l.ReservedQty != w.reserved || l.ShortfallQty != w.short || l.ShortfallAction != w.action || !l.PromisedDate.Equal(day(w.promised)) {
			t.Errorf("line %d: %+v, want %+v", i, l, w)
		}
	}
	if o.Status != StatusInProduction || !o.PromisedDate.Equal(day(8)) || o.ConfirmedAt == nil {
		t.Fatalf("confirmed %s promised %v", o.Status, o.PromisedDate)
	}
	if got, _ := e.svc.Get(ctx, o.ID); got.Status != StatusInProduction || got.Lines[0].ReservedQty != 500 || !got.PromisedDate.Equal(day(8)) {
		t.Fatalf("stored %+v", got)
	}
	if e.stock.reservedOf(fx.widget.ID) != 500 || e.stock.reservedOf(fx.repair.ID) != 0 {
		t.Fatal("stock not reserved")
	}
	sf, err := e.svc.ListShortfalls(ctx, ShortfallFilter{Action: ShortfallProduction})
	if err != nil || len(sf) != 1 || sf[0].Quantity != 500 || sf[0].ProductID != fx.widget.ID || sf[0].OrderNumber != o.Number {
		t.Fatalf("shortfalls %+v %v", sf, err)
	}
	if _, err := e.svc.Confirm(ctx, o.ID); !errs.Is(err, errs.FailedPrecondition) {
		t.Fatalf("confirm twice: %v", err)
	}
	if sf, err := e.svc.ListShortfalls(e.newTenant(t), ShortfallFilter{}); err != nil || len(sf) != 0 {
		t.Fatalf("another tenant sees shortfalls: %+v %v", sf, err)
	}
	if e.outboxCount(t, ctx, TopicOrderConfirmed) != 1 {
		t.Error("no confirmed event")
	}
}

func TestCancelReleases(t *testing.T) {
	e, ctx, fx, o := confirmedOrder(t)
	o, err := e.svc.Cancel(ctx, o.ID, "customer changed their mind")
	if err != nil || o.Status != StatusCancelled || o.Lines[0].ReservedQty != 0 || o.Lines[0].ShortfallAction != ShortfallNone {
		t.Fatalf("cancel: %+v %v", o, err)
	}
	if e.stock.reservedOf(fx.widget.ID) != 0 || e.stock.reservedOf(fx.gear.ID) != 0 {
		t.Fatal("reservations not released")
	}
	if sf, _ := e.svc.ListShortfalls(ctx, ShortfallFilter{}); len(sf) != 0 {
		t.Fatalf("a cancelled order still short: %+v", sf)
	}
	wantErr(t, "confirm cancelled", second(e.svc.Confirm(ctx, o.ID)), errs.FailedPrecondition, "status")
	wantErr(t, "cancel cancelled", second(e.svc.Cancel(ctx, o.ID, "")), errs.FailedPrecondition, "status")

	hist, err := e.svc.History(ctx, o.ID)
	if err != nil || len(hist) != 4 || hist[0].From != "" || hist[0].To != StatusDraft || hist[1].To != StatusConfirmed ||
		hist[2].To != StatusInProduction || hist[3].From != StatusInProduction || hist[3].Note != "customer changed their mind" ||
		hist[3].By == nil {
		t.Fatalf("history %+v %v", hist, err)
	}
	if n := e.auditCount(t, ctx, o.ID); n != 3 {
		t.Errorf("audit rows %d, want created, confirmed, cancelled", n)
	}
	if e.outboxCount(t, ctx, TopicOrderCancelled) != 1 {
		t.Error("no cancelled event")
	}
}

// TestConfirmRollback: a Stock failing on the second line leaves the order in
// draft, nothing reserved, no history, audit or event beyond the creation.
func TestConfirmRollback(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	o, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.bolt, 10), lineOf(fx.widget, 5)}})
	if err != nil {
		t.Fatal(err)
	}
	e.stock.failOn = e.stock.calls + 2
	if _, err := e.svc.Confirm(ctx, o.ID); err == nil {
		t.Fatal("confirm succeeded with a failing stock")
	}
	got, _ := e.svc.Get(ctx, o.ID)
	if got.Status != StatusDraft || got.Lines[0].ReservedQty != 0 || got.PromisedDate != nil || got.ConfirmedAt != nil {
		t.Fatalf("half-applied confirm: %+v", got)
	}
	if e.stock.reservedOf(fx.bolt.ID) != 0 || e.stock.reservedOf(fx.widget.ID) != 0 {
		t.Fatal("a reservation survived the rollback")
	}
	if h, _ := e.svc.History(ctx, o.ID); len(h) != 1 || e.auditCount(t, ctx, o.ID) != 1 || e.outboxCount(t, ctx, TopicOrderConfirmed) != 0 {
		t.Fatalf("records of a rolled-back confirm: history %d", len(h))
	}
	// The same order confirms once stock works again.
	e.stock.failOn = 0
	if got, err = e.svc.Confirm(ctx, o.ID); err != nil || got.Status != StatusConfirmed || e.stock.reservedOf(fx.bolt.ID) != 10 {
		t.Fatalf("retry: %+v %v", got, err)
	}
}

func TestCreateBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	other := e.newTenant(t)
	foreignAccount := e.account(t, other, true)
	foreignProduct := e.product(t, other, Product{Type: ProductStocked, Active: true, ListPriceMinor: 1}, 5)
	inactive := e.product(t, ctx, Product{Type: ProductStocked, ListPriceMinor: 1}, 5)
	dollars := e.product(t, ctx, Product{Type: ProductStocked, Active: true, ListPriceMinor: 1, Currency: "USD"}, 5)
	closedAccount := e.account(t, ctx, false)
	ok := lineOf(fx.bolt, 1)
	for _, c := range []struct {
		name  string
		in    NewOrder
		field string
	}{
		{"no account", NewOrder{Lines: []NewLine{ok}}, "account_id"},
		{"unknown account", NewOrder{AccountID: uuid.Must(uuid.NewV7()), Lines: []NewLine{ok}}, "account_id"},
		{"foreign account", NewOrder{AccountID: foreignAccount, Lines: []NewLine{ok}}, "account_id"},
		{"inactive account", NewOrder{AccountID: closedAccount, Lines: []NewLine{ok}}, "account_id"},
		{"no lines", NewOrder{AccountID: fx.account}, "lines"},
		{"unknown product", NewOrder{AccountID: fx.account, Lines: []NewLine{ok, {ProductID: uuid.Must(uuid.NewV7()), Quantity: 1}}}, "lines[1].product_id"},
		{"foreign product", NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(foreignProduct, 1)}}, "lines[0].product_id"},
		{"inactive product", NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(inactive, 1)}}, "lines[0].product_id"},
		{"currency mismatch", NewOrder{AccountID: fx.account, Lines: []NewLine{ok, lineOf(dollars, 1)}}, "lines[1].product_id"},
		{"order currency", NewOrder{AccountID: fx.account, Currency: "USD", Lines: []NewLine{ok}}, "lines[0].product_id"},
		{"bad currency", NewOrder{AccountID: fx.account, Currency: "usd", Lines: []NewLine{ok}}, "currency"},
		{"zero quantity", NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.bolt, 0)}}, "lines[0].quantity"},
		{"negative quantity", NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.bolt, -3)}}, "lines[0].quantity"},
		{"negative discount", NewOrder{AccountID: fx.account, Lines: []NewLine{{ProductID: fx.bolt.ID, Quantity: 1, DiscountBP: ptr(-1)}}}, "lines[0].discount_bp"},
		{"discount over 100 %", NewOrder{AccountID: fx.account, Lines: []NewLine{{ProductID: fx.bolt.ID, Quantity: 1, DiscountBP: ptr(10001)}}}, "lines[0].discount_bp"},
		{"negative price", NewOrder{AccountID: fx.account, Lines: []NewLine{{ProductID: fx.bolt.ID, Quantity: 1, UnitPriceMinor: ptr[int64](-1)}}}, "lines[0].unit_price_minor"},
		{"amount overflow", NewOrder{AccountID: fx.account, Lines: []NewLine{{ProductID: fx.bolt.ID, Quantity: MaxQuantity, UnitPriceMinor: ptr[int64](MaxPriceMinor)}}}, "lines[0].quantity"},
	} {
		_, err := e.svc.Create(ctx, c.in)
		wantErr(t, c.name, err, errs.Invalid, c.field)
	}
	if list, _ := e.svc.Find(ctx, Filter{}); len(list) != 0 {
		t.Fatalf("bad input created %d orders", len(list))
	}
	// Refused creates used no number: the first order is still number 1.
	o, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, Lines: []NewLine{{ProductID: fx.bolt.ID, Quantity: 2, UnitPriceMinor: ptr[int64](7)}}})
	if err != nil || !firstNumber(o.Number) || o.Lines[0].UnitPriceMinor != 7 || o.SubtotalMinor != 14 {
		t.Fatalf("after refusals: %+v %v", o, err)
	}
}

func TestUpdateDraftOnly(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	o, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, RequestedDate: ptr(day(3)), Lines: []NewLine{lineOf(fx.bolt, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	o, err = e.svc.Update(ctx, o.ID, OrderUpdate{Notes: ptr(" rush "), ClearRequestedDate: true,
		Lines: []NewLine{lineOf(fx.gear, 2), lineOf(fx.widget, 1)}})
	if err != nil || len(o.Lines) != 2 || o.SubtotalMinor != 666+1000 || o.Notes != "rush" || o.RequestedDate != nil {
		t.Fatalf("update: %+v %v", o, err)
	}
	if got, _ := e.svc.Get(ctx, o.ID); len(got.Lines) != 2 || got.Lines[0].ProductID != fx.gear.ID || got.TotalMinor != o.TotalMinor {
		t.Fatalf("stored: %+v", got)
	}
	wantErr(t, "empty lines", second(e.svc.Update(ctx, o.ID, OrderUpdate{Lines: []NewLine{}})), errs.Invalid, "lines")
	if _, err := e.svc.Confirm(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "update confirmed", second(e.svc.Update(ctx, o.ID, OrderUpdate{Notes: ptr("x")})), errs.FailedPrecondition, "status")
	wantErr(t, "unknown order", second(e.svc.Update(ctx, uuid.Must(uuid.NewV7()), OrderUpdate{})), errs.NotFound, "")
}

func TestFindOrders(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	acct2 := e.account(t, ctx, true)
	var ids []uuid.UUID
	for i := range 5 {
		acct := fx.account
		if i%2 == 1 {
			acct = acct2
		}
		o, err := e.svc.Create(ctx, NewOrder{AccountID: acct, Lines: []NewLine{lineOf(fx.bolt, 1)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if _, err := e.svc.Confirm(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		f    Filter
		want int
	}{
		"all": {Filter{}, 5}, "confirmed": {Filter{Status: StatusConfirmed}, 1}, "draft": {Filter{Status: StatusDraft}, 4},
		"account": {Filter{AccountID: &acct2}, 2}, "number": {Filter{Q: "000003"}, 1}, "prefix": {Filter{Q: "so"}, 5},
		"after": {Filter{After: &ids[2]}, 2},
	} {
		if list, err := e.svc.Find(ctx, c.f); err != nil || len(list) != c.want {
			t.Errorf("%s: %d orders, want %d (%v)", name, len(list), c.want, err)
		}
	}
	wantErr(t, "bad status", second(e.svc.Find(ctx, Filter{Status: "lost"})), errs.Invalid, "status")
	if list, _ := e.svc.Find(ctx, Filter{Limit: 2}); len(list) != 2 || list[0].ID != ids[4] {
		t.Fatal("not newest first")
	}
}

func second[T any](_ T, err error) error { return err }

// firstNumber reports whether n is the first number of the default order
// series ("SO{YYYY}-000001"; the year is the tenant's, from the real clock).
func firstNumber(n string) bool {
	return strings.HasPrefix(n, "SO") && strings.HasSuffix(n, "-000001") && len(n) == 13
}

// TestAdvance walks a confirmed order to closed through the steps later
// modules drive, and refuses the steps the machine does not allow.
func TestAdvance(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	o, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.bolt, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "draft to ready", second(e.svc.Advance(ctx, o.ID, StatusReady, "")), errs.FailedPrecondition, "status")
	wantErr(t, "advance to cancelled", second(e.svc.Advance(ctx, o.ID, StatusCancelled, "")), errs.Invalid, "status")
	if _, err := e.svc.Confirm(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	for _, to := range []Status{StatusReady, StatusPartiallyShipped, StatusShipped, StatusInvoiced, StatusClosed} {
		if o, err = e.svc.Advance(ctx, o.ID, to, ""); err != nil || o.Status != to {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	wantErr(t, "cancel closed", second(e.svc.Cancel(ctx, o.ID, "")), errs.FailedPrecondition, "status")
	if h, _ := e.svc.History(ctx, o.ID); len(h) != 7 || e.auditCount(t, ctx, o.ID) != 7 {
		t.Fatalf("history %d rows", len(h))
	}
}

// TestConcurrentNumbers: concurrent creates get consecutive numbers with no
// gap or repeat (the series row is allocated in each order's transaction).
func TestConcurrentNumbers(t *testing.T) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	fx := newFixture(t, e, ctx)
	const n = 20
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Create(ctx, NewOrder{AccountID: fx.account, Lines: []NewLine{lineOf(fx.bolt, 1)}})
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := e.svc.Find(ctx, Filter{Limit: 100})
	if err != nil || len(list) != n {
		t.Fatalf("%d orders, %v", len(list), err)
	}
	seen := map[string]bool{}
	for _, o := range list {
		seen[o.Number[len(o.Number)-6:]] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[label("%06d", i)] {
			t.Errorf("number %d missing: %v", i, seen)
		}
	}
}
