package sales

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// Confirm confirms a draft order: every stocked, manufactured or purchased
// line reserves what it can through Stock (services reserve nothing); the
// rest is the line's shortfall, covered by production (manufactured) or
// purchase (otherwise); each line gets a promised date and the order the
// latest. An order with a production shortfall moves on to in_production.
// Reservations run inside this transaction, so any failure leaves the order
// in draft with nothing reserved. With a Credit check wired, an order over
// the customer's available credit goes to credit_hold instead and reserves
// nothing until ApproveCredit.
func (s *Service) Confirm(ctx context.Context, id uuid.UUID) (Order, error) {
	return s.confirm(ctx, id, "")
}

func (s *Service) confirm(ctx context.Context, id uuid.UUID, approval string) (Order, error) {
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if o, err = loadOrder(ctx, tx, id, true); err != nil {
			return err
		}
		if err := confirmable(o, approval != ""); err != nil {
			return err
		}
		before := snapshot(o)
		if approval == "" {
			if held, err := s.creditHold(ctx, tx, &o); held || err != nil {
				return err
			}
		}
		if err := s.reserve(ctx, &o); err != nil {
			return err
		}
		t := s.stamp()
		o.Status, o.ConfirmedAt, o.UpdatedAt = StatusConfirmed, &t, t
		hist := []*historyRow{s.historyRow(ctx, o.ID, before.Status, o.Status, approval)}
		if waitsForProduction(o) {
			o.Status = StatusInProduction
			hist = append(hist, s.historyRow(ctx, o.ID, StatusConfirmed, o.Status, "waiting for production"))
		}
		// History, lines and order in one round trip on PostgreSQL.
		if err := together(ctx, tx, tx.NewInsert().Model(&hist), linesUpdate(ctx, tx, &o), orderUpdate(ctx, tx, &o)); err != nil {
			return err
		}
		action := "order.confirmed"
		if approval != "" {
			action = "order.credit_approved"
		}
		return s.recordChange(ctx, tx, &before, &o, action, TopicOrderConfirmed)
	})
	return o, err
}

// reserve settles every line of o against stock, as of today's clock.
func (s *Service) reserve(ctx context.Context, o *Order) error {
	today := s.today()
	promised := today
	for i := range o.Lines {
		l := &o.Lines[i]
		p, err := s.products.Product(ctx, l.ProductID)
		if err != nil {
			return err
		}
		l.ReservedQty, l.ShortfallQty = 0, 0
		if p.Type != ProductService {
			got, err := s.stock.Reserve(ctx, Ref{Type: RefOrderLine, ID: l.ID}, l.ProductID, l.Quantity)
			if err != nil {
				return err
			}
			if got < 0 || got > l.Quantity {
				return errs.E(errs.Internal, "stock reserved %d of %d units", got, l.Quantity)
			}
			l.ReservedQty, l.ShortfallQty = got, l.Quantity-got
		}
		l.ShortfallAction = shortfallAction(p, l.ShortfallQty)
		d := linePromise(today, p, l.ShortfallQty, l.ShortfallAction)
		l.PromisedDate = &d
		if d.After(promised) {
			promised = d
		}
	}
	o.PromisedDate = &promised
	return nil
}

// Cancel cancels an order that has not shipped and releases every line's
// reservation through Stock, in one transaction.
func (s *Service) Cancel(ctx context.Context, id uuid.UUID, note string) (Order, error) {
	f := errs.Fields{}
	if checkNotes(f, "note", &note); len(f) > 0 {
		return Order{}, f.Err()
	}
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if o, err = loadOrder(ctx, tx, id, true); err != nil {
			return err
		}
		if !CanMove(o.Status, StatusCancelled) {
			return statusError("a " + string(o.Status) + " order cannot be cancelled")
		}
		before := snapshot(o)
		for i := range o.Lines {
			l := &o.Lines[i]
			if o.Status != StatusDraft && o.Status != StatusCreditHold { // nothing reserved yet
				if err := s.stock.Release(ctx, Ref{Type: RefOrderLine, ID: l.ID}); err != nil {
					return err
				}
			}
			l.ReservedQty, l.ShortfallQty, l.ShortfallAction = 0, 0, ShortfallNone
		}
		t := s.stamp()
		o.Status, o.CancelledAt, o.UpdatedAt = StatusCancelled, &t, t
		if err := s.history(ctx, tx, o.ID, before.Status, o.Status, note); err != nil {
			return err
		}
		if err := saveLines(ctx, tx, &o); err != nil {
			return err
		}
		return s.save(ctx, tx, &before, &o, "order.cancelled", TopicOrderCancelled)
	})
	return o, err
}

// Advance moves an order along the machine for the steps later modules
// drive (production done → ready, shipments, invoicing, closing). Confirm
// and Cancel have side effects and their own methods.
func (s *Service) Advance(ctx context.Context, id uuid.UUID, to Status, note string) (Order, error) {
	if to == StatusConfirmed || to == StatusCancelled || !to.Valid() {
		return Order{}, errs.Field("status", "use Confirm or Cancel, or name a later status")
	}
	var o Order
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if o, err = loadOrder(ctx, tx, id, true); err != nil {
			return err
		}
		if !CanMove(o.Status, to) {
			return statusError("a " + string(o.Status) + " order cannot become " + string(to))
		}
		before := snapshot(o)
		o.Status, o.UpdatedAt = to, s.stamp()
		if err := s.history(ctx, tx, o.ID, before.Status, to, note); err != nil {
			return err
		}
		return s.save(ctx, tx, &before, &o, "order."+string(to), "")
	})
	return o, err
}

// ListShortfalls returns confirmed lines still waiting for production or
// purchase (of orders confirmed or in production), oldest line first; the
// production and purchasing steps pick them up from here.
func (s *Service) ListShortfalls(ctx context.Context, f ShortfallFilter) ([]Shortfall, error) {
	if f.Action != "" && f.Action != ShortfallProduction && f.Action != ShortfallPurchase {
		return nil, errs.Field("action", "must be production or purchase")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	var rows []struct {
		OrderID      uuid.UUID  `bun:"order_id"`
		Number       string     `bun:"number"`
		LineID       uuid.UUID  `bun:"id"`
		ProductID    uuid.UUID  `bun:"product_id"`
		Qty          int64      `bun:"shortfall_qty"`
		Action       string     `bun:"shortfall_action"`
		PromisedDate *time.Time `bun:"promised_date"`
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model((*lineRow)(nil)).Apply(tenant.ScopeSelect(ctx)).
			Column("l.order_id", "l.id", "l.product_id", "l.shortfall_qty", "l.shortfall_action", "l.promised_date").
			ColumnExpr("o.number").
			Join("JOIN orders AS o ON o.tenant_id = l.tenant_id AND o.id = l.order_id").
			Where("l.shortfall_qty > 0").
			Where("o.status IN (?)", bun.In([]string{string(StatusConfirmed), string(StatusInProduction)})).
			OrderExpr("l.id").Limit(int64(f.Limit))
		if f.Action != "" {
			q.Where("l.shortfall_action = ?", string(f.Action))
		}
		if f.After != nil {
			q.Where("l.id > ?", *f.After)
		}
		return q.Scan(ctx, &rows)
	})
	out := make([]Shortfall, len(rows))
	for i, r := range rows {
		out[i] = Shortfall{OrderID: r.OrderID, OrderNumber: r.Number, LineID: r.LineID, ProductID: r.ProductID,
			Quantity: r.Qty, Action: ShortfallAction(r.Action), PromisedDate: utcDate(r.PromisedDate)}
	}
	return out, err
}

// save writes o's row, its audit row (before → after) and, when topic is
// set, its outbox event, all in tx (M6: the records exist exactly when the
// change does).
func (s *Service) save(ctx context.Context, tx bun.IDB, before, o *Order, action, topic string) error {
	if _, err := orderUpdate(ctx, tx, o).Exec(ctx); err != nil {
		return err
	}
	return s.recordChange(ctx, tx, before, o, action, topic)
}

// orderUpdate is the UPDATE of o's row; it names the tenant itself so that
// it can run inside a WITH (together).
func orderUpdate(ctx context.Context, tx bun.IDB, o *Order) *bun.UpdateQuery {
	tid, _ := tenant.FromContext(ctx)
	return tx.NewUpdate().Model(orderRowOf(o)).Column(orderColumns...).Where("o.tenant_id = ?", tid).Where("o.id = ?", o.ID)
}

// recordChange writes the audit row of a change to o (before is nil for a
// new order) and its outbox event: topic, or TopicOrderChanged when empty.
func (s *Service) recordChange(ctx context.Context, tx bun.IDB, before, o *Order, action, topic string) error {
	e := tenant.AuditEntry{Action: action, Resource: "orders", ResourceID: o.ID.String(), After: o}
	if before != nil {
		e.Before = before
	}
	if err := tenant.Audit(ctx, tx, e); err != nil {
		return err
	}
	if topic == "" {
		topic = TopicOrderChanged
	}
	tid, _ := tenant.FromContext(ctx)
	return events.Publish(ctx, tx, tid, topic, map[string]any{"order_id": o.ID, "number": o.Number,
		"account_id": o.AccountID, "status": o.Status, "total_minor": o.TotalMinor, "currency": o.Currency})
}

// history records one status change by the calling principal.
func (s *Service) history(ctx context.Context, tx bun.IDB, orderID uuid.UUID, from, to Status, note string) error {
	_, err := tx.NewInsert().Model(s.historyRow(ctx, orderID, from, to, note)).Exec(ctx)
	return err
}

// historyRow is one status change by the calling principal, stamped with the
// bound tenant.
func (s *Service) historyRow(ctx context.Context, orderID uuid.UUID, from, to Status, note string) *historyRow {
	r := &historyRow{ID: newID(), OrderID: orderID, To: string(to), At: s.stamp(), Note: note}
	r.TenantID, _ = tenant.FromContext(ctx)
	if from != "" {
		f := string(from)
		r.From = &f
	}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		r.ChangedBy = &p.ID
	}
	return r
}

// record writes a new order: its row, lines and first history row (one
// round trip on PostgreSQL), and its audit row.
func (s *Service) record(ctx context.Context, tx bun.IDB, o *Order) error {
	row := orderRowOf(o)
	row.TenantID, _ = tenant.FromContext(ctx)
	h := s.historyRow(ctx, o.ID, "", o.Status, "")
	if err := together(ctx, tx, tx.NewInsert().Model(h), tx.NewInsert().Model(row), linesInsert(ctx, tx, o)); err != nil {
		return err
	}
	return s.recordChange(ctx, tx, nil, o, "order.created", TopicOrderChanged)
}

func waitsForProduction(o Order) bool {
	return slices.ContainsFunc(o.Lines, func(l Line) bool { return l.ShortfallAction == ShortfallProduction })
}

// snapshot copies o for the audit's before image (lines are changed in place).
func snapshot(o Order) Order {
	o.Lines = slices.Clone(o.Lines)
	return o
}

// statusError refuses a change the status machine does not allow; it names
// the status field so clients can show why.
func statusError(msg string) error {
	return &errs.Error{Code: errs.FailedPrecondition, Message: msg, Fields: map[string]string{"status": msg}}
}
