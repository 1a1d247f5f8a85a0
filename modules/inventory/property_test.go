package inventory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/tenant/tenanttest"
)

// TestStockProperties is QUALITY M2: random receive / adjust / reserve /
// release / cancel / ship / return / hold / release-hold sequences, with
// fixed seeds, checked after every step against an in-memory model of every
// level (on hand, reserved, quarantined, held) and the ledger invariants.
func TestStockProperties(t *testing.T) {
	seeds, steps := []uint64{1, 2, 3, 4}, 150
	if tenanttest.Postgres() {
		seeds, steps = []uint64{1, 2, 3}, 120
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { runModel(t, seed, steps) })
	}
}

type mkey struct {
	p, w uuid.UUID
	lot  uuid.UUID // uuid.Nil: untracked
}

type mlevel struct{ onHand, reserved, quarantined int64 }

// model is what the stock must be, from the operations' documented rules.
type model struct {
	e        *env
	ctx      context.Context
	rnd      *rand.Rand
	products []uuid.UUID
	tracked  map[uuid.UUID]bool
	whs      []uuid.UUID
	lots     map[uuid.UUID][]uuid.UUID // product → lots
	expired  map[uuid.UUID]bool
	held     map[uuid.UUID]bool
	levels   map[mkey]*mlevel
	open     map[Ref]map[mkey]int64 // ref → level → open units
	refs     []Ref
}

func runModel(t *testing.T, seed uint64, steps int) {
	e := newEnv(t)
	ctx := e.newTenant(t)
	m := &model{e: e, ctx: ctx, rnd: rand.New(rand.NewPCG(seed, 42)), tracked: map[uuid.UUID]bool{},
		lots: map[uuid.UUID][]uuid.UUID{}, expired: map[uuid.UUID]bool{}, held: map[uuid.UUID]bool{},
		levels: map[mkey]*mlevel{}, open: map[Ref]map[mkey]int64{}}
	for i, tracked := range []bool{false, true} {
		p := e.product(t, ctx, "stocked", tracked)
		m.products, m.tracked[p] = append(m.products, p), tracked
		m.whs = append(m.whs, e.warehouse(t, ctx, fmt.Sprint("W", i)))
		if tracked {
			for j, exp := range []string{"2099-01-01", "2098-06-01", "2000-01-01"} {
				mv := e.receive(t, ctx, Receipt{ProductID: p, WarehouseID: m.whs[0], Quantity: 5, LotCode: fmt.Sprint("L", j), ExpiresOn: date(exp)})
				m.lots[p] = append(m.lots[p], *mv.LotID)
				m.expired[*mv.LotID] = exp < "2026"
				m.level(p, m.whs[0], *mv.LotID).onHand += 5
			}
		}
	}
	for range 6 {
		m.refs = append(m.refs, Ref{Type: "order_line", ID: uuid.New()})
	}
	ops := []func(t *testing.T) string{m.receive, m.adjust, m.reserve, m.reserve, m.release, m.ship, m.ret, m.hold}
	for step := range steps {
		what := ops[m.rnd.IntN(len(ops))](t)
		if t.Failed() {
			t.Fatalf("seed %d step %d: %s", seed, step, what)
		}
		m.compare(t, fmt.Sprintf("seed %d step %d (%s)", seed, step, what))
	}
}

func (m *model) level(p, w, lot uuid.UUID) *mlevel {
	k := mkey{p, w, lot}
	if m.levels[k] == nil {
		m.levels[k] = &mlevel{}
	}
	return m.levels[k]
}

// pick chooses a product, a warehouse and (for a tracked product) a lot.
func (m *model) pick() (p, w uuid.UUID, lot *uuid.UUID) {
	p, w = m.products[m.rnd.IntN(len(m.products))], m.whs[m.rnd.IntN(len(m.whs))]
	if m.tracked[p] {
		l := m.lots[p][m.rnd.IntN(len(m.lots[p]))]
		lot = &l
	}
	return p, w, lot
}

func (m *model) receive(t *testing.T) string {
	p, w, lot := m.pick()
	q := int64(m.rnd.IntN(10) + 1)
	in := Receipt{ProductID: p, WarehouseID: w, Quantity: q}
	if lot != nil {
		in.LotCode = fmt.Sprint("L", indexOf(m.lots[p], *lot))
	}
	if _, err := m.e.svc.Receive(m.ctx, in); err != nil {
		t.Errorf("receive: %v", err)
	}
	m.level(p, w, deref(lot)).onHand += q
	return fmt.Sprintf("receive %d", q)
}

func (m *model) adjust(t *testing.T) string {
	p, w, lot := m.pick()
	q := int64(m.rnd.IntN(13) - 8)
	if q == 0 {
		q = 1
	}
	l := m.level(p, w, deref(lot))
	_, err := m.e.svc.Adjust(m.ctx, Adjustment{ProductID: p, WarehouseID: w, LotID: lot, Quantity: q, Reason: "count"})
	if q < 0 && -q > l.onHand-l.reserved-l.quarantined {
		wantErr(t, "adjust below free stock", err, errs.FailedPrecondition, "quantity")
		return fmt.Sprintf("adjust %d refused", q)
	}
	if err != nil {
		t.Errorf("adjust %d: %v", q, err)
	}
	l.onHand += q
	return fmt.Sprintf("adjust %d", q)
}

func (m *model) reserve(t *testing.T) string {
	p := m.products[m.rnd.IntN(len(m.products))]
	ref := m.refs[m.rnd.IntN(len(m.refs))]
	q := int64(m.rnd.IntN(12) + 1)
	var wh *uuid.UUID
	if m.rnd.IntN(2) == 0 {
		wh = &m.whs[m.rnd.IntN(len(m.whs))]
	}
	var avail int64
	for k, l := range m.levels {
		if k.p == p && (wh == nil || k.w == *wh) && !m.held[k.lot] && !m.expired[k.lot] {
			avail += l.onHand - l.reserved - l.quarantined
		}
	}
	got, err := m.e.svc.Reserve(m.ctx, ReserveRequest{Ref: ref, ProductID: p, WarehouseID: wh, Quantity: q})
	if err != nil || got.Quantity != min(q, avail) {
		t.Errorf("reserve %d of %d available: got %+v, %v", q, avail, got, err)
		return "reserve"
	}
	for _, a := range got.Allocations {
		k := mkey{p, a.WarehouseID, deref(a.LotID)}
		l := m.level(k.p, k.w, k.lot)
		if m.held[k.lot] || m.expired[k.lot] || a.Quantity > l.onHand-l.reserved-l.quarantined {
			t.Errorf("reserved from an ineligible level %+v", a)
		}
		l.reserved += a.Quantity
		if m.open[ref] == nil {
			m.open[ref] = map[mkey]int64{}
		}
		m.open[ref][k] += a.Quantity
	}
	return fmt.Sprintf("reserve %d got %d", q, got.Quantity)
}

// release gives back part of a ref, or all of it (an order cancelled).
func (m *model) release(t *testing.T) string {
	ref := m.refs[m.rnd.IntN(len(m.refs))]
	q := int64(m.rnd.IntN(8))
	var open int64
	for _, n := range m.open[ref] {
		open += n
	}
	got, err := m.e.svc.Release(m.ctx, ReleaseRequest{Ref: ref, Quantity: q})
	if want := min(q, open); err != nil || (q == 0 && got != open) || (q > 0 && got != want) {
		t.Errorf("release %d of %d open: %d, %v", q, open, got, err)
	}
	m.syncRef(t, ref)
	return fmt.Sprintf("release %d (cancel=%v)", got, q == 0)
}

func (m *model) ship(t *testing.T) string {
	ref := m.refs[m.rnd.IntN(len(m.refs))]
	p := m.products[m.rnd.IntN(len(m.products))]
	q := int64(m.rnd.IntN(8) + 1)
	var open int64
	for k, n := range m.open[ref] {
		if k.p == p {
			open += n
		}
	}
	got, err := m.e.svc.Ship(m.ctx, ShipRequest{Ref: ref, ProductID: p, Quantity: q})
	if q > open {
		wantErr(t, "ship more than reserved", err, errs.FailedPrecondition, "quantity")
		return fmt.Sprintf("ship %d of %d refused", q, open)
	}
	if err != nil {
		t.Errorf("ship: %v", err)
	}
	var sum int64
	for _, a := range got {
		k := mkey{p, a.WarehouseID, deref(a.LotID)}
		m.level(k.p, k.w, k.lot).onHand -= a.Quantity
		m.level(k.p, k.w, k.lot).reserved -= a.Quantity
		m.open[ref][k] -= a.Quantity
		sum += a.Quantity
	}
	if sum != q {
		t.Errorf("shipped %d, want %d", sum, q)
	}
	return fmt.Sprintf("ship %d", q)
}

func (m *model) ret(t *testing.T) string {
	p, w, lot := m.pick()
	q := int64(m.rnd.IntN(4) + 1)
	disp := []string{Restock, Quarantine}[m.rnd.IntN(2)]
	if _, err := m.e.svc.Return(m.ctx, Return{ProductID: p, WarehouseID: w, LotID: lot, Quantity: q, Disposition: disp}); err != nil {
		t.Errorf("return: %v", err)
	}
	l := m.level(p, w, deref(lot))
	l.onHand += q
	if disp == Quarantine {
		l.quarantined += q
	}
	return "return " + disp
}

// hold toggles a lot's hold; a hold releases the lot's open reservations.
func (m *model) hold(t *testing.T) string {
	p := m.products[1]
	lot := m.lots[p][m.rnd.IntN(len(m.lots[p]))]
	if m.held[lot] {
		if _, err := m.e.svc.ReleaseHold(m.ctx, lot); err != nil {
			t.Errorf("release hold: %v", err)
		}
		m.held[lot] = false
		return "release hold"
	}
	if _, _, err := m.e.svc.Hold(m.ctx, lot, "qa"); err != nil {
		t.Errorf("hold: %v", err)
	}
	m.held[lot] = true
	for _, levels := range m.open {
		for k, n := range levels {
			if k.lot == lot {
				m.levels[k].reserved -= n
				levels[k] = 0
			}
		}
	}
	return "hold"
}

// syncRef reads the ref's reservations back after a release, whose choice
// of levels (latest expiry first) the model does not replay, and moves the
// released units out of the model's reserved.
func (m *model) syncRef(t *testing.T, ref Ref) {
	rs, err := m.e.svc.Reservations(m.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	now := map[mkey]int64{}
	for _, r := range rs {
		now[mkey{r.ProductID, r.WarehouseID, deref(r.LotID)}] += r.Quantity - r.Shipped - r.Released
	}
	for k, n := range m.open[ref] {
		if now[k] > n {
			t.Errorf("release raised a reservation at %v: %d → %d", k, n, now[k])
		}
		m.levels[k].reserved -= n - now[k]
		m.open[ref][k] = now[k]
	}
}

// compare checks every level against the model, then the ledger invariants.
func (m *model) compare(t *testing.T, when string) {
	levels := m.e.checkInvariants(t, m.ctx)
	seen := 0
	for _, l := range levels {
		k := mkey{l.ProductID, l.WarehouseID, deref(l.LotID)}
		want := m.levels[k]
		if want == nil {
			want = &mlevel{}
		}
		if l.OnHand != want.onHand || l.Reserved != want.reserved || l.Quarantined != want.quarantined || l.OnHold != m.held[k.lot] {
			t.Fatalf("%s: level %v is %d/%d/%d held=%v, model %+v held=%v", when, k, l.OnHand, l.Reserved, l.Quarantined, l.OnHold, *want, m.held[k.lot])
		}
		if *want != (mlevel{}) {
			seen++
		}
	}
	for _, l := range m.levels {
		if *l != (mlevel{}) {
			seen--
		}
	}
	if seen != 0 {
		t.Fatalf("%s: the model has stock at levels the database lacks", when)
	}
}

func indexOf(ids []uuid.UUID, id uuid.UUID) int {
	for i, x := range ids {
		if x == id {
			return i
		}
	}
	return -1
}
