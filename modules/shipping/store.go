package shipping

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

type shipmentRow struct {
	bun.BaseModel `bun:"table:shipments,alias:s"`
	tenant.Scoped
	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	Number         string     `bun:"number"`
	OrderID        uuid.UUID  `bun:"order_id,type:uuid"`
	AccountID      uuid.UUID  `bun:"account_id,type:uuid"`
	Status         string     `bun:"status"`
	Carrier        string     `bun:"carrier"`
	TrackingNumber string     `bun:"tracking_number"`
	TrackingURL    string     `bun:"tracking_url"`
	CreatedBy      *uuid.UUID `bun:"created_by,type:uuid"`
	PackedAt       *time.Time `bun:"packed_at"`
	ShippedAt      *time.Time `bun:"shipped_at"`
	InTransitAt    *time.Time `bun:"in_transit_at"`
	DeliveredAt    *time.Time `bun:"delivered_at"`
	CancelledAt    *time.Time `bun:"cancelled_at"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
}

// shipmentColumns are what an update writes (never keys, number, order,
// account or provenance).
var shipmentColumns = []string{"status", "carrier", "tracking_number", "tracking_url", "packed_at", "shipped_at",
	"in_transit_at", "delivered_at", "cancelled_at", "updated_at"}

type lineRow struct {
	bun.BaseModel `bun:"table:shipment_lines,alias:l"`
	tenant.Scoped
	ID           uuid.UUID `bun:"id,pk,type:uuid"`
	ShipmentID   uuid.UUID `bun:"shipment_id,type:uuid"`
	Position     int       `bun:"position"`
	OrderLineID  uuid.UUID `bun:"order_line_id,type:uuid"`
	ProductID    uuid.UUID `bun:"product_id,type:uuid"`
	Quantity     int64     `bun:"quantity"`
	DeliveredQty int64     `bun:"delivered_qty"`
}

type lotRow struct {
	bun.BaseModel `bun:"table:shipment_line_lots,alias:sl"`
	tenant.Scoped
	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	ShipmentLineID uuid.UUID  `bun:"shipment_line_id,type:uuid"`
	WarehouseID    uuid.UUID  `bun:"warehouse_id,type:uuid"`
	LotID          *uuid.UUID `bun:"lot_id,type:uuid"`
	Quantity       int64      `bun:"quantity"`
}

type eventRow struct {
	bun.BaseModel `bun:"table:shipment_events,alias:e"`
	tenant.Scoped
	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	ShipmentID uuid.UUID  `bun:"shipment_id,type:uuid"`
	Status     string     `bun:"status"`
	At         time.Time  `bun:"at"`
	ChangedBy  *uuid.UUID `bun:"changed_by,type:uuid"`
	Note       string     `bun:"note"`
}

func (r *shipmentRow) shipment() Shipment {
	return Shipment{ID: r.ID, Number: r.Number, OrderID: r.OrderID, AccountID: r.AccountID, Status: Status(r.Status),
		Carrier: r.Carrier, TrackingNumber: r.TrackingNumber, TrackingURL: r.TrackingURL, CreatedBy: r.CreatedBy,
		PackedAt: utc(r.PackedAt), ShippedAt: utc(r.ShippedAt), InTransitAt: utc(r.InTransitAt),
		DeliveredAt: utc(r.DeliveredAt), CancelledAt: utc(r.CancelledAt), CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

func rowOf(s *Shipment) *shipmentRow {
	return &shipmentRow{ID: s.ID, Number: s.Number, OrderID: s.OrderID, AccountID: s.AccountID, Status: string(s.Status),
		Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, TrackingURL: s.TrackingURL, CreatedBy: s.CreatedBy,
		PackedAt: s.PackedAt, ShippedAt: s.ShippedAt, InTransitAt: s.InTransitAt, DeliveredAt: s.DeliveredAt,
		CancelledAt: s.CancelledAt, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// forUpdate locks the selected rows until commit on PostgreSQL; SQLite's
// single writer already serialises writing transactions.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// errNotFound is the one answer for an unknown id and another tenant's.
func errNotFound() error { return errs.E(errs.NotFound, "shipment not found") }

// loadShipment reads one shipment of the bound tenant with its lines and
// their lots, optionally locked. Another tenant's id is simply not found
// (Scoped hook and RLS).
func loadShipment(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (Shipment, error) {
	var r shipmentRow
	// SECURITY: a portal customer loads their own account's shipments only.
	q := tx.NewSelect().Model(&r).Apply(bindAccount(ctx)).Where("s.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return Shipment{}, errNotFound()
		}
		return Shipment{}, err
	}
	s := r.shipment()
	var lines []lineRow
	if err := tx.NewSelect().Model(&lines).Where("l.shipment_id = ?", id).Order("l.position").Scan(ctx); err != nil {
		return Shipment{}, err
	}
	s.Lines = make([]Line, len(lines))
	ids := make([]uuid.UUID, len(lines))
	for i, l := range lines {
		ids[i] = l.ID
		s.Lines[i] = Line{ID: l.ID, OrderLineID: l.OrderLineID, ProductID: l.ProductID, Quantity: l.Quantity,
			DeliveredQty: l.DeliveredQty}
	}
	if len(ids) == 0 || (s.Status != StatusShipped && s.Status != StatusInTransit && s.Status != StatusDelivered) {
		return s, nil // lots are recorded when the shipment ships
	}
	var lots []lotRow
	if err := tx.NewSelect().Model(&lots).Where("sl.shipment_line_id IN (?)", bun.In(ids)).Order("sl.id").Scan(ctx); err != nil {
		return Shipment{}, err
	}
	for i := range s.Lines {
		for _, lot := range lots {
			if lot.ShipmentLineID == s.Lines[i].ID {
				s.Lines[i].Lots = append(s.Lines[i].Lots, LotQty{WarehouseID: lot.WarehouseID, LotID: lot.LotID, Quantity: lot.Quantity})
			}
		}
	}
	return s, nil
}

// insertLines writes s's lines in order.
func insertLines(ctx context.Context, tx bun.IDB, s *Shipment) error {
	rows := make([]*lineRow, len(s.Lines))
	for i, l := range s.Lines {
		rows[i] = &lineRow{ID: l.ID, ShipmentID: s.ID, Position: i, OrderLineID: l.OrderLineID, ProductID: l.ProductID,
			Quantity: l.Quantity}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// insertLots records where line's units came from.
func insertLots(ctx context.Context, tx bun.IDB, line uuid.UUID, lots []LotQty) error {
	if len(lots) == 0 {
		return nil
	}
	rows := make([]*lotRow, len(lots))
	for i, l := range lots {
		rows[i] = &lotRow{ID: newID(), ShipmentLineID: line, WarehouseID: l.WarehouseID, LotID: l.LotID, Quantity: l.Quantity}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// pendingByLine sums, per order line, the units in the order's shipments
// that are created but not shipped: reserved units they already claim.
func pendingByLine(ctx context.Context, tx bun.IDB, orderID uuid.UUID) (map[uuid.UUID]int64, error) {
	var rows []struct {
		OrderLineID uuid.UUID `bun:"order_line_id"`
		Quantity    int64     `bun:"quantity"`
	}
	err := tx.NewSelect().Model((*lineRow)(nil)).Apply(tenant.ScopeSelect(ctx)).
		ColumnExpr("l.order_line_id, SUM(l.quantity) AS quantity").
		Join("JOIN shipments AS s ON s.tenant_id = l.tenant_id AND s.id = l.shipment_id").
		Where("s.order_id = ?", orderID).
		Where("s.status IN (?)", bun.In([]string{string(StatusDraft), string(StatusPacked)})).
		Group("l.order_line_id").Scan(ctx, &rows)
	out := make(map[uuid.UUID]int64, len(rows))
	for _, r := range rows {
		out[r.OrderLineID] = r.Quantity
	}
	return out, err
}
