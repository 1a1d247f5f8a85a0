package shipping

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// Service owns the shipment rules and transactions.
type Service struct {
	db      *tenant.DB
	orders  Orders
	stock   Stock
	numbers Numbers
	now     func() time.Time
}

// Options are the Service's optional dependencies.
type Options struct {
	// Now is the clock status timestamps come from (tests inject one); nil
	// means time.Now.
	Now func() time.Time
}

// NewService returns the shipping service over d and its neighbours.
func NewService(d *tenant.DB, orders Orders, stock Stock, numbers Numbers, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{db: d, orders: orders, stock: stock, numbers: numbers, now: opt.Now}
}

// orderShippable are the sales order statuses whose reserved goods may ship.
var orderShippable = []string{"confirmed", "in_production", "ready", "partially_shipped"}

// Create adds a draft shipment for an order, from its lines' reserved units
// that are neither shipped nor claimed by another pending shipment: the
// lines and quantities asked for, or all of them. Asking for more is a 422
// naming lines[i].quantity and creates nothing. The number comes from the
// tenant's "shipment" series in the same transaction.
func (s *Service) Create(ctx context.Context, in NewShipment) (Shipment, error) {
	if err := in.check(); err != nil {
		return Shipment{}, err
	}
	t := s.stamp()
	sh := Shipment{ID: newID(), OrderID: in.OrderID, Status: StatusDraft, Carrier: in.Carrier,
		TrackingNumber: in.TrackingNumber, TrackingURL: in.TrackingURL, CreatedAt: t, UpdatedAt: t}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		sh.CreatedBy = &p.ID
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		o, err := s.shippableOrder(ctx, in.OrderID)
		if err != nil {
			return err
		}
		sh.AccountID = o.AccountID
		if sh.Lines, err = s.pick(ctx, tx, o, in.Lines); err != nil {
			return err
		}
		if sh.Number, err = s.numbers.NextNumber(ctx, tx, "shipment"); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(rowOf(&sh)).Exec(ctx); err != nil {
			return err
		}
		if err := insertLines(ctx, tx, &sh); err != nil {
			return err
		}
		return s.record(ctx, tx, nil, &sh, "shipment.created", "")
	})
	return sh, err
}

// shippableOrder reads (and locks) the order a shipment is for; an unknown
// order is a 400 on order_id like any other bad reference in a body.
func (s *Service) shippableOrder(ctx context.Context, id uuid.UUID) (Order, error) {
	o, err := s.orders.Order(ctx, id)
	switch {
	case errs.Is(err, errs.NotFound):
		return Order{}, errs.Field("order_id", "no such order")
	case err != nil:
		return Order{}, err
	case !slices.Contains(orderShippable, o.Status):
		msg := "a " + o.Status + " order cannot ship"
		return Order{}, &errs.Error{Code: errs.FailedPrecondition, Message: msg, Fields: map[string]string{"order_id": msg}}
	}
	return o, nil
}

// pick turns the requested lines (none: every line with something to ship)
// into shipment lines, checked against what each order line can still ship.
func (s *Service) pick(ctx context.Context, tx bun.IDB, o Order, want []NewLine) ([]Line, error) {
	open, err := s.shippable(ctx, tx, o)
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]OrderLine, len(o.Lines))
	for _, l := range o.Lines {
		byID[l.ID] = l
	}
	if len(want) == 0 {
		for _, l := range o.Lines {
			if open[l.ID] > 0 {
				want = append(want, NewLine{OrderLineID: l.ID, Quantity: open[l.ID]})
			}
		}
		if len(want) == 0 {
			return nil, precondition("lines", "the order has nothing reserved left to ship")
		}
	}
	lines, bad, over := make([]Line, 0, len(want)), errs.Fields{}, errs.Fields{}
	for i, w := range want {
		ol, ok := byID[w.OrderLineID]
		switch {
		case !ok:
			bad.Add(fmt.Sprintf("lines[%d].order_line_id", i), "is not a line of this order")
		case w.Quantity > open[ol.ID]:
			over.Add(fmt.Sprintf("lines[%d].quantity", i), fmt.Sprintf("at most %d reserved units are left to ship", open[ol.ID]))
		default:
			lines = append(lines, Line{ID: newID(), OrderLineID: ol.ID, ProductID: ol.ProductID, Quantity: w.Quantity})
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	if len(over) > 0 {
		return nil, &errs.Error{Code: errs.FailedPrecondition, Message: "cannot ship more than is reserved", Fields: over}
	}
	return lines, nil
}

// shippable is, per order line, what a new shipment may still take: the
// units reserved in stock (the truth: a quality hold may have released
// some), at most what is left unshipped, less what pending shipments claim.
func (s *Service) shippable(ctx context.Context, tx bun.IDB, o Order) (map[uuid.UUID]int64, error) {
	pending, err := pendingByLine(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]int64, len(o.Lines))
	for _, l := range o.Lines {
		reserved, err := s.stock.Reserved(ctx, l.ID, l.ProductID)
		if err != nil {
			return nil, err
		}
		out[l.ID] = max(0, min(reserved, l.Quantity-l.ShippedQty)-pending[l.ID])
	}
	return out, nil
}

// Get returns one shipment with its lines and, once shipped, their lots.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Shipment, error) {
	var sh Shipment
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		sh, err = loadShipment(ctx, tx, id, false)
		return err
	})
	return sh, err
}

// Find lists shipments matching f, newest first, without their lines.
func (s *Service) Find(ctx context.Context, f Filter) ([]Shipment, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var rows []shipmentRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(bindAccount(ctx)).OrderExpr("s.id DESC").Limit(int64(f.Limit))
		if f.OrderID != nil {
			q.Where("s.order_id = ?", *f.OrderID)
		}
		if f.AccountID != nil {
			q.Where("s.account_id = ?", *f.AccountID)
		}
		if f.Status != "" {
			q.Where("s.status = ?", string(f.Status))
		}
		if f.After != nil {
			q.Where("s.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Shipment, len(rows))
	for i := range rows {
		out[i] = rows[i].shipment()
	}
	return out, err
}

// Update sets a shipment's carrier and tracking. A cancelled or delivered
// shipment is settled and refuses changes.
func (s *Service) Update(ctx context.Context, id uuid.UUID, in Update) (Shipment, error) {
	if err := in.check(); err != nil {
		return Shipment{}, err
	}
	var sh Shipment
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if sh, err = loadShipment(ctx, tx, id, true); err != nil {
			return err
		}
		if sh.Status == StatusCancelled || sh.Status == StatusDelivered {
			return precondition("status", "a "+string(sh.Status)+" shipment cannot be changed")
		}
		before := sh
		setIf(&sh.Carrier, in.Carrier)
		setIf(&sh.TrackingNumber, in.TrackingNumber)
		setIf(&sh.TrackingURL, in.TrackingURL)
		sh.UpdatedAt = s.stamp()
		return s.save(ctx, tx, &before, &sh, "shipment.updated")
	})
	return sh, err
}

// Events returns a shipment's status timeline, oldest first.
func (s *Service) Events(ctx context.Context, id uuid.UUID) ([]Event, error) {
	var out []Event
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		n, err := tx.NewSelect().Model((*shipmentRow)(nil)).Apply(tenant.ScopeSelect(ctx)).Apply(bindAccount(ctx)).Where("s.id = ?", id).Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errNotFound()
		}
		var rows []eventRow
		if err := tx.NewSelect().Model(&rows).Where("e.shipment_id = ?", id).OrderExpr("e.id").Scan(ctx); err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, Event{ID: r.ID, Status: Status(r.Status), At: r.At.UTC(), By: r.ChangedBy, Note: r.Note})
		}
		return nil
	})
	return out, err
}

// record writes a status change: the timeline event, the audit row and the
// outbox event, all in tx (M6: they exist exactly when the change does).
// before is nil on creation (the row is inserted, not updated).
func (s *Service) record(ctx context.Context, tx bun.IDB, before, sh *Shipment, action, note string) error {
	ev := &eventRow{ID: newID(), ShipmentID: sh.ID, Status: string(sh.Status), At: sh.UpdatedAt, Note: note}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		ev.ChangedBy = &p.ID
	}
	if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
		return err
	}
	if before != nil {
		if err := s.save(ctx, tx, before, sh, action); err != nil {
			return err
		}
	} else if err := audit(ctx, tx, action, nil, sh); err != nil {
		return err
	}
	tid, _ := tenant.FromContext(ctx)
	return events.Publish(ctx, tx, tid, TopicStatusChanged, map[string]any{"shipment_id": sh.ID, "number": sh.Number,
		"order_id": sh.OrderID, "account_id": sh.AccountID, "status": sh.Status})
}

// save writes sh's row and its audit row (before → after).
func (s *Service) save(ctx context.Context, tx bun.IDB, before, sh *Shipment, action string) error {
	if _, err := tx.NewUpdate().Model(rowOf(sh)).Column(shipmentColumns...).Where("s.id = ?", sh.ID).Exec(ctx); err != nil {
		return err
	}
	return audit(ctx, tx, action, before, sh)
}

func audit(ctx context.Context, tx bun.IDB, action string, before, after *Shipment) error {
	e := tenant.AuditEntry{Action: action, Resource: "shipments", ResourceID: after.ID.String(), After: after}
	if before != nil {
		e.Before = before
	}
	return tenant.Audit(ctx, tx, e)
}

// stamp is the current time as stored (UTC, microseconds).
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// precondition refuses a step the current state does not allow, naming the
// field that explains why (422).
func precondition(field, msg string) error {
	return &errs.Error{Code: errs.FailedPrecondition, Message: msg, Fields: map[string]string{field: msg}}
}
