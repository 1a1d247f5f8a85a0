package manufacturing

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// place is a stock position: product × warehouse × lot (uuid.Nil: none).
type place struct{ product, warehouse, lot uuid.UUID }

type held struct {
	ref Ref
	at  place
}

type stockState struct {
	onHand   map[place]int64
	reserved map[held]int64
	produced []Output
}

func (s stockState) clone() stockState {
	return stockState{onHand: maps.Clone(s.onHand), reserved: maps.Clone(s.reserved), produced: slices.Clone(s.produced)}
}

// fakeStock is the inventory seam in memory, transactional like the real
// one: a transaction works on a copy of the state that replaces the
// committed state only when it commits (tenant.AfterCommit).
type fakeStock struct {
	db     *tenant.DB
	mu     sync.Mutex
	state  stockState
	staged map[*sql.Tx]*stockState
}

func newFakeStock(d *tenant.DB) *fakeStock {
	return &fakeStock{db: d, state: stockState{onHand: map[place]int64{}, reserved: map[held]int64{}},
		staged: map[*sql.Tx]*stockState{}}
}

// receive puts qty units of product into warehouse (and lot) at once.
func (s *fakeStock) receive(product, warehouse, lot uuid.UUID, qty int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.onHand[place{product, warehouse, lot}] += qty
}

func (s *fakeStock) inTx(ctx context.Context, fn func(st *stockState) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		key := tx.(bun.Tx).Tx
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.staged[key]; !ok {
			c := s.state.clone()
			s.staged[key] = &c
			tenant.AfterCommit(ctx, func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				s.state = *s.staged[key]
				delete(s.staged, key)
			})
		}
		return fn(s.staged[key])
	})
}

// places are product's positions (in warehouse unless uuid.Nil), by lot.
func (st *stockState) places(product, warehouse uuid.UUID) []place {
	var out []place
	for p := range st.onHand {
		if p.product == product && (warehouse == uuid.Nil || p.warehouse == warehouse) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b place) int { return compareID(a.lot, b.lot) })
	return out
}

func (st *stockState) available(p place) int64 {
	n := st.onHand[p]
	for h, q := range st.reserved {
		if h.at == p {
			n -= q
		}
	}
	return n
}

func (s *fakeStock) Reserve(ctx context.Context, ref Ref, product, warehouse uuid.UUID, qty int64) (int64, error) {
	var got int64
	err := s.inTx(ctx, func(st *stockState) error {
		for _, p := range st.places(product, warehouse) {
			n := min(st.available(p), qty-got)
			if n > 0 {
				st.reserved[held{ref, p}] += n
				got += n
			}
		}
		return nil
	})
	return got, err
}

func (s *fakeStock) Release(ctx context.Context, ref Ref) error {
	return s.inTx(ctx, func(st *stockState) error {
		for h := range st.reserved {
			if h.ref == ref {
				delete(st.reserved, h)
			}
		}
		return nil
	})
}

func (s *fakeStock) Consume(ctx context.Context, ref Ref, product uuid.UUID, qty int64) ([]Allocation, error) {
	var out []Allocation
	err := s.inTx(ctx, func(st *stockState) error {
		for _, p := range st.places(product, uuid.Nil) {
			n := min(st.reserved[held{ref, p}], qty)
			if n == 0 {
				continue
			}
			st.reserved[held{ref, p}] -= n
			st.onHand[p] -= n
			qty -= n
			a := Allocation{WarehouseID: p.warehouse, Quantity: n}
			if p.lot != uuid.Nil {
				a.LotID = &p.lot
			}
			out = append(out, a)
		}
		if qty > 0 {
			return errs.Field("quantity", "more than is reserved")
		}
		return nil
	})
	return out, err
}

func (s *fakeStock) Produce(ctx context.Context, o Output) (*uuid.UUID, error) {
	var lot *uuid.UUID
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		at := place{o.ProductID, o.WarehouseID, uuid.Nil}
		if o.LotCode != "" {
			id, err := lotRow(ctx, tx, o.ProductID, o.LotCode)
			if err != nil {
				return db.Translate(err)
			}
			at.lot, lot = id, &id
		}
		return s.inTx(ctx, func(st *stockState) error {
			st.onHand[at] += o.Quantity
			st.produced = append(st.produced, o)
			return nil
		})
	})
	return lot, err
}

// reservedFor is the committed quantity reserved for ref.
func (s *fakeStock) reservedFor(ref Ref) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for h, q := range s.state.reserved {
		if h.ref == ref {
			n += q
		}
	}
	return n
}

// onHandOf is the committed on-hand quantity of product.
func (s *fakeStock) onHandOf(product uuid.UUID) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for p, q := range s.state.onHand {
		if p.product == product {
			n += q
		}
	}
	return n
}

func (s *fakeStock) producedOutputs() []Output {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.state.produced)
}
