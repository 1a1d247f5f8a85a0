package shipping

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// fakeStock is the inventory seam in memory, transactional like the real
// one: a transaction works on its own copy of the state, which replaces the
// committed state only when it commits (tenant.AfterCommit), so a failed
// shipment leaves stock as it was. Tests are sequential per env, so the
// copy-on-begin never loses a concurrent writer's change.
type fakeStock struct {
	db     *tenant.DB
	mu     sync.Mutex
	state  stockState
	staged map[*sql.Tx]*stockState
}

type stockState struct {
	lots  []fakeLot                // FEFO order
	holds map[uuid.UUID][]fakeHold // order line → its reservations
	moves []fakeMove               // shipments out
}

type fakeLot struct {
	product, warehouse uuid.UUID
	lot                *uuid.UUID
	onHand, reserved   int64
}

type fakeHold struct {
	lot int // index into lots
	qty int64
}

type fakeMove struct {
	shipment, line, account uuid.UUID
	lot                     LotQty
}

func newFakeStock(d *tenant.DB) *fakeStock {
	return &fakeStock{db: d, state: stockState{holds: map[uuid.UUID][]fakeHold{}}, staged: map[*sql.Tx]*stockState{}}
}

func (s stockState) clone() *stockState {
	c := stockState{lots: slices.Clone(s.lots), holds: maps.Clone(s.holds), moves: slices.Clone(s.moves)}
	for k, v := range c.holds {
		c.holds[k] = slices.Clone(v)
	}
	return &c
}

// receive puts units on hand (setup, committed at once).
func (s *fakeStock) receive(product, warehouse uuid.UUID, lot *uuid.UUID, qty int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.lots = append(s.state.lots, fakeLot{product: product, warehouse: warehouse, lot: lot, onHand: qty})
}

// reserve reserves qty units of product for an order line, FEFO (setup).
func (s *fakeStock) reserve(line, product uuid.UUID, qty int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.state.lots {
		l := &s.state.lots[i]
		if n := min(qty, l.onHand-l.reserved); l.product == product && n > 0 {
			l.reserved += n
			qty -= n
			s.state.holds[line] = append(s.state.holds[line], fakeHold{lot: i, qty: n})
		}
	}
	if qty > 0 {
		panic("fakeStock: not enough stock for the fixture")
	}
}

// release drops an order line's reservations, as a quality hold or an order
// cancellation does.
func (s *fakeStock) release(line uuid.UUID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.state.holds[line] {
		s.state.lots[h.lot].reserved -= h.qty
	}
	delete(s.state.holds, line)
}

func (s *fakeStock) Reserved(ctx context.Context, line, product uuid.UUID) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(st *stockState) error {
		for _, h := range st.holds[line] {
			if st.lots[h.lot].product == product {
				n += h.qty
			}
		}
		return nil
	})
	return n, err
}

func (s *fakeStock) Ship(ctx context.Context, in ShipRequest) ([]LotQty, error) {
	var out []LotQty
	err := s.inTx(ctx, func(st *stockState) error {
		var open int64
		for _, h := range st.holds[in.OrderLineID] {
			open += h.qty
		}
		if in.Quantity > open {
			return &errs.Error{Code: errs.FailedPrecondition, Message: "cannot take more than is reserved",
				Fields: map[string]string{"quantity": "at most " + strconv.FormatInt(open, 10) + " reserved"}}
		}
		q, holds := in.Quantity, st.holds[in.OrderLineID]
		for i := range holds {
			n := min(q, holds[i].qty)
			if n == 0 {
				continue
			}
			l := &st.lots[holds[i].lot]
			l.onHand, l.reserved, holds[i].qty, q = l.onHand-n, l.reserved-n, holds[i].qty-n, q-n
			lq := LotQty{WarehouseID: l.warehouse, LotID: l.lot, Quantity: n}
			out = append(out, lq)
			st.moves = append(st.moves, fakeMove{shipment: in.ShipmentID, line: in.OrderLineID, account: in.AccountID, lot: lq})
		}
		return nil
	})
	return out, err
}

// inTx runs fn under the lock on the state of ctx's transaction.
func (s *fakeStock) inTx(ctx context.Context, fn func(st *stockState) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		key := tx.(bun.Tx).Tx
		s.mu.Lock()
		defer s.mu.Unlock()
		st, ok := s.staged[key]
		if !ok {
			st = s.state.clone()
			s.staged[key] = st
			tenant.AfterCommit(ctx, func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				s.state = *s.staged[key]
				delete(s.staged, key)
			})
		}
		return fn(st)
	})
}

// totals are the committed on-hand and reserved units of product.
func (s *fakeStock) totals(product uuid.UUID) (onHand, reserved int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.state.lots {
		if l.product == product {
			onHand += l.onHand
			reserved += l.reserved
		}
	}
	return onHand, reserved
}

// shipped lists the committed shipment moves.
func (s *fakeStock) shipped() []fakeMove {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.state.moves)
}
