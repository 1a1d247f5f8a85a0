package manufacturing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// step is the work a status change does inside its transaction, on the
// locked order, before the new status is written.
type step func(ctx context.Context, tx bun.IDB, o *Order) error

// verbs name each change in audit actions.
var verbs = map[Status]string{StatusReleased: "released", StatusInProgress: "started",
	StatusCompleted: "completed", StatusCancelled: "cancelled"}

// Release reserves every component (required = per unit × quantity, from
// the product's current BOM) in the order's warehouse. All or nothing: when
// any component is short the release is refused with a 422 naming each short
// component (components[i].component_id, i as in the order's components)
// and nothing stays reserved.
func (s *Service) Release(ctx context.Context, id uuid.UUID) (Order, error) {
	return s.change(ctx, id, StatusReleased, "", s.reserve)
}

// Start marks a released order in progress and dates it from today: the due
// date becomes today plus the production days of its quantity.
func (s *Service) Start(ctx context.Context, id uuid.UUID) (Order, error) {
	return s.change(ctx, id, StatusInProgress, "", func(ctx context.Context, _ bun.IDB, o *Order) error {
		p, err := s.catalog.Product(ctx, o.ProductID)
		if err != nil {
			return err
		}
		o.PlannedStart = s.today()
		o.DueDate = dueDate(o.PlannedStart, p, o.Quantity)
		return nil
	})
}

// Complete consumes the reserved components, produces the finished goods
// (lot coded with the order number for a lot-tracked product, linked to the
// consumed component lots), asks sales to reserve them for the waiting order
// lines, and publishes TopicCompleted, all in one transaction.
func (s *Service) Complete(ctx context.Context, id uuid.UUID) (Order, error) {
	return s.change(ctx, id, StatusCompleted, "", s.produce)
}

// Cancel cancels an order that is not completed and releases its component
// reservations. Its demands stop covering their order lines, so the next
// plan covers them again.
func (s *Service) Cancel(ctx context.Context, id uuid.UUID, note string) (Order, error) {
	f := errs.Fields{}
	if checkNotes(f, "note", &note); len(f) > 0 {
		return Order{}, f.Err()
	}
	return s.change(ctx, id, StatusCancelled, note, func(ctx context.Context, tx bun.IDB, o *Order) error {
		if o.Status != StatusPlanned {
			if err := s.stock.Release(ctx, refOf(o)); err != nil {
				return err
			}
		}
		for i := range o.Components {
			o.Components[i].Reserved = 0
		}
		return saveComponents(ctx, tx, o)
	})
}

// change moves order id to status to in one transaction: lock, check the
// machine, run the step, then write the row, history and audit.
func (s *Service) change(ctx context.Context, id uuid.UUID, to Status, note string, fn step) (Order, error) {
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if o, err = loadOrder(ctx, tx, id, true); err != nil {
			return err
		}
		if !CanMove(o.Status, to) {
			return statusError(fmt.Sprintf("a %s production order cannot be %s", o.Status, verbs[to]))
		}
		before := snapshot(o)
		if err := fn(ctx, tx, &o); err != nil {
			return err
		}
		t := s.stamp()
		o.Status, o.UpdatedAt = to, t
		stampStatus(&o, t)
		if err := s.history(ctx, tx, o.ID, before.Status, to, note); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(orderRowOf(&o)).Column(orderColumns...).Where("po.id = ?", o.ID).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "production_order." + verbs[to],
			Resource: "production_orders", ResourceID: o.ID.String(), Before: before, After: o})
	})
	return o, err
}

// reserve is Release's step: refresh the components from the current BOM
// and reserve each, all or nothing.
func (s *Service) reserve(ctx context.Context, tx bun.IDB, o *Order) error {
	_, bom, err := s.producible(ctx, o.ProductID)
	if err != nil {
		return precondition(err)
	}
	comps, err := components(bom, o.Quantity)
	if err != nil {
		return precondition(err)
	}
	skus := map[uuid.UUID]string{}
	for _, l := range bom {
		skus[l.ComponentID] = l.SKU
	}
	short := errs.Fields{}
	for i := range comps {
		c := &comps[i]
		if c.Reserved, err = s.stock.Reserve(ctx, refOf(o), c.ComponentID, o.WarehouseID, c.Required); err != nil {
			return err
		}
		if c.Reserved < c.Required {
			short.Add(fmt.Sprintf("components[%d].component_id", i), fmt.Sprintf("%s: needs %d, only %d available in the warehouse",
				skus[c.ComponentID], c.Required, c.Reserved))
		}
	}
	if len(short) > 0 {
		// The error rolls this transaction back; releasing too keeps
		// "nothing reserved" true for a caller whose outer transaction
		// carries on after the refusal.
		if err := s.stock.Release(ctx, refOf(o)); err != nil {
			return err
		}
		return &errs.Error{Code: errs.FailedPrecondition, Message: "not enough components to release the order", Fields: map[string]string(short)}
	}
	o.Components = comps
	return saveComponents(ctx, tx, o)
}

// produce is Complete's step.
func (s *Service) produce(ctx context.Context, tx bun.IDB, o *Order) error {
	p, err := s.catalog.Product(ctx, o.ProductID)
	if err != nil {
		return err
	}
	var used []Allocation
	for i := range o.Components {
		c := &o.Components[i]
		got, err := s.stock.Consume(ctx, refOf(o), c.ComponentID, c.Required-c.Consumed)
		if err != nil {
			return consumeError(err, i)
		}
		used = append(used, got...)
		c.Consumed, c.Reserved = c.Required, 0
	}
	if err := saveComponents(ctx, tx, o); err != nil {
		return err
	}
	out := Output{Ref: refOf(o), ProductID: o.ProductID, WarehouseID: o.WarehouseID, Quantity: o.Quantity,
		ProductionDate: s.today(), Components: used}
	if p.LotTracked {
		out.LotCode = o.Number
	}
	if o.LotID, err = s.stock.Produce(ctx, out); err != nil {
		return err
	}
	if err := s.orders.Replenish(ctx, o.ProductID); err != nil {
		return err
	}
	tid, _ := tenant.FromContext(ctx)
	return events.Publish(ctx, tx, tid, TopicCompleted, map[string]any{"production_order_id": o.ID, "number": o.Number,
		"product_id": o.ProductID, "quantity": o.Quantity, "lot_id": o.LotID})
}

// consumeError explains a component that can no longer be consumed: its
// reservation shrank after release (a lot put on hold releases what was
// reserved on it).
func consumeError(err error, i int) error {
	if !errs.Is(err, errs.FailedPrecondition) && !errs.Is(err, errs.Invalid) {
		return err
	}
	return &errs.Error{Code: errs.FailedPrecondition, Message: "a component is no longer fully reserved",
		Fields: map[string]string{fmt.Sprintf("components[%d].component_id", i): "is no longer fully reserved (a lot on hold?); cancel and plan again"}}
}

// stampStatus records when the order reached its status.
func stampStatus(o *Order, t time.Time) {
	switch o.Status {
	case StatusReleased:
		o.ReleasedAt = &t
	case StatusInProgress:
		o.StartedAt = &t
	case StatusCompleted:
		o.CompletedAt = &t
	case StatusCancelled:
		o.CancelledAt = &t
	}
}

func refOf(o *Order) Ref { return Ref{Type: RefProductionOrder, ID: o.ID} }

// snapshot copies o for the audit's before image (slices change in place).
func snapshot(o Order) Order {
	o.Components = slices.Clone(o.Components)
	o.Demands = slices.Clone(o.Demands)
	return o
}

// precondition turns a bad-input error about the order's product (it lost
// its BOM or was deactivated since planning) into a 422: the request was
// fine, the order's state is not.
func precondition(err error) error {
	var e *errs.Error
	if errs.Is(err, errs.Invalid) && errors.As(err, &e) {
		return &errs.Error{Code: errs.FailedPrecondition, Message: e.Message, Fields: e.Fields}
	}
	return err
}

// statusError refuses a change the machine does not allow, naming status.
func statusError(msg string) error {
	return &errs.Error{Code: errs.FailedPrecondition, Message: msg, Fields: map[string]string{"status": msg}}
}
