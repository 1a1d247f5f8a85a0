package shipping

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant"
)

// The customer binding (R3) for portal customers on the shipment routes
// that admit them (web.CustomerPerm): a shipment's account is its order's
// (copied on creation), and the service's reads apply bindAccount, so a
// customer's list holds their own account's shipments only and another
// account's id is answered exactly like a missing one; the handlers answer
// with an allow-list (A4).
//
// Field decisions for customers: number, order id and number, status,
// carrier, tracking number and URL, the step times and each line's
// description and quantities are the customer's own delivery. Left out:
// created_by and the events' by (staff identities), the events' notes
// (written by staff for staff), and the lines' lots and warehouses (stock
// keeping) and internal line and product keys.

// bindAccount limits a select over shipments (alias s) to the caller's
// account when the caller is a customer; one without an account sees
// nothing.
func bindAccount(ctx context.Context) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if acc, bound := tenant.BoundAccount(ctx); bound {
			// A draft is the warehouse's work in progress and a cancelled
			// one never left: the customer sees shipments from packing on.
			return q.Where("s.account_id = ? AND s.status NOT IN (?, ?)", acc, StatusDraft, StatusCancelled)
		}
		return q
	}
}

// bound reports whether the request is a portal customer's.
func bound(ctx context.Context) bool {
	_, ok := tenant.BoundAccount(ctx)
	return ok
}

type customerLineJSON struct {
	Description  string `json:"description"`
	Quantity     int64  `json:"quantity"`
	DeliveredQty int64  `json:"delivered_qty"`
}

type customerShipmentJSON struct {
	ID             uuid.UUID          `json:"id"`
	Number         string             `json:"number"`
	OrderID        uuid.UUID          `json:"order_id"`
	OrderNumber    string             `json:"order_number"`
	Status         Status             `json:"status"`
	Carrier        string             `json:"carrier"`
	TrackingNumber string             `json:"tracking_number"`
	TrackingURL    string             `json:"tracking_url"`
	ShippedAt      *time.Time         `json:"shipped_at"`
	InTransitAt    *time.Time         `json:"in_transit_at"`
	DeliveredAt    *time.Time         `json:"delivered_at"`
	CancelledAt    *time.Time         `json:"cancelled_at"`
	CreatedAt      time.Time          `json:"created_at"`
	Lines          []customerLineJSON `json:"lines,omitempty"` // detail responses only
}

type customerEventJSON struct {
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
}

// labels are the names a customer reads instead of ids: order numbers and
// line descriptions (the product's name when the order line has none).
type labels struct {
	orders, lines, products map[uuid.UUID]string
}

// labels reads the order numbers and line descriptions of list.
func (s *Service) labels(ctx context.Context, list []Shipment) (labels, error) {
	l := labels{orders: map[uuid.UUID]string{}, lines: map[uuid.UUID]string{}, products: map[uuid.UUID]string{}}
	var orders, lines, products []uuid.UUID
	for _, sh := range list {
		orders = append(orders, sh.OrderID)
		for _, ln := range sh.Lines {
			lines, products = append(lines, ln.OrderLineID), append(products, ln.ProductID)
		}
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tenant.Names(ctx, tx, "orders", "number", orders, l.orders); err != nil {
			return err
		}
		if err := tenant.Names(ctx, tx, "order_lines", "description", lines, l.lines); err != nil {
			return err
		}
		return tenant.Names(ctx, tx, "products", "name", products, l.products)
	})
	return l, err
}

func customerShipmentOut(s Shipment, l labels) customerShipmentJSON {
	out := customerShipmentJSON{ID: s.ID, Number: s.Number, OrderID: s.OrderID, OrderNumber: l.orders[s.OrderID],
		Status: s.Status, Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, TrackingURL: s.TrackingURL,
		ShippedAt: s.ShippedAt, InTransitAt: s.InTransitAt, DeliveredAt: s.DeliveredAt, CancelledAt: s.CancelledAt,
		CreatedAt: s.CreatedAt}
	for _, ln := range s.Lines {
		d := l.lines[ln.OrderLineID]
		if d == "" {
			d = l.products[ln.ProductID]
		}
		out.Lines = append(out.Lines, customerLineJSON{Description: d, Quantity: ln.Quantity, DeliveredQty: ln.DeliveredQty})
	}
	return out
}
