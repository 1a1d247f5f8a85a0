package shipping

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Handler serves the shipment routes under /api/v1.
type Handler struct{ svc *Service }

// NewHandler returns the shipping HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the shipment routes on r (at /api/v1). Reading shipments
// and their timelines is open to portal customers (P2 tracking), bound to
// their account and answered with the customer allow-list; the rest is
// staff only.
func (h *Handler) Routes(r *web.Router) {
	read, write, bound := web.Perm("shipments:read"), web.Perm("shipments:write"), web.CustomerPerm("shipments:read")
	r.Get("/shipments", bound, h.list)
	r.Post("/shipments", write, h.create)
	r.Get("/shipments.csv", read, h.exportCSV)
	r.Get("/shipments/:id", bound, h.get)
	r.Patch("/shipments/:id", write, h.update)
	r.Post("/shipments/:id/pack", write, h.action(h.svc.Pack))
	r.Post("/shipments/:id/ship", write, h.action(h.svc.Ship))
	r.Post("/shipments/:id/in-transit", write, h.action(h.svc.MarkInTransit))
	r.Post("/shipments/:id/deliver", write, h.action(h.svc.MarkDelivered))
	r.Post("/shipments/:id/cancel", write, h.action(h.svc.Cancel))
	r.Get("/shipments/:id/events", bound, h.events)
}

type lotJSON struct {
	WarehouseID uuid.UUID  `json:"warehouse_id"`
	LotID       *uuid.UUID `json:"lot_id"`
	Quantity    int64      `json:"quantity"`
}

type lineJSON struct {
	ID           uuid.UUID `json:"id"`
	OrderLineID  uuid.UUID `json:"order_line_id"`
	ProductID    uuid.UUID `json:"product_id"`
	Quantity     int64     `json:"quantity"`
	DeliveredQty int64     `json:"delivered_qty"`
	Lots         []lotJSON `json:"lots"`
}

type shipmentJSON struct {
	ID             uuid.UUID  `json:"id"`
	Number         string     `json:"number"`
	OrderID        uuid.UUID  `json:"order_id"`
	AccountID      uuid.UUID  `json:"account_id"`
	Status         Status     `json:"status"`
	Carrier        string     `json:"carrier"`
	TrackingNumber string     `json:"tracking_number"`
	TrackingURL    string     `json:"tracking_url"`
	CreatedBy      *uuid.UUID `json:"created_by"`
	PackedAt       *time.Time `json:"packed_at"`
	ShippedAt      *time.Time `json:"shipped_at"`
	InTransitAt    *time.Time `json:"in_transit_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	CancelledAt    *time.Time `json:"cancelled_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Lines          []lineJSON `json:"lines,omitempty"` // detail responses only
}

func shipmentOut(s Shipment) shipmentJSON {
	out := shipmentJSON{ID: s.ID, Number: s.Number, OrderID: s.OrderID, AccountID: s.AccountID, Status: s.Status,
		Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, TrackingURL: s.TrackingURL, CreatedBy: s.CreatedBy,
		PackedAt: s.PackedAt, ShippedAt: s.ShippedAt, InTransitAt: s.InTransitAt, DeliveredAt: s.DeliveredAt,
		CancelledAt: s.CancelledAt, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
	for _, l := range s.Lines {
		lj := lineJSON{ID: l.ID, OrderLineID: l.OrderLineID, ProductID: l.ProductID, Quantity: l.Quantity,
			DeliveredQty: l.DeliveredQty, Lots: make([]lotJSON, 0, len(l.Lots))}
		for _, lot := range l.Lots {
			lj.Lots = append(lj.Lots, lotJSON{WarehouseID: lot.WarehouseID, LotID: lot.LotID, Quantity: lot.Quantity})
		}
		out.Lines = append(out.Lines, lj)
	}
	return out
}

type eventJSON struct {
	ID     uuid.UUID  `json:"id"`
	Status Status     `json:"status"`
	At     time.Time  `json:"at"`
	By     *uuid.UUID `json:"by"`
	Note   string     `json:"note"`
}

// Ids are decoded as strings so a malformed one is refused by field name.
type lineIn struct {
	OrderLineID string `json:"order_line_id"`
	Quantity    int64  `json:"quantity"`
}

// shipmentIn is a create body. Status, number, account and tenant are not
// fields: the strict decoder refuses them by name (A4); the account is the
// order's.
type shipmentIn struct {
	OrderID        string   `json:"order_id"`
	Lines          []lineIn `json:"lines"`
	Carrier        string   `json:"carrier"`
	TrackingNumber string   `json:"tracking_number"`
	TrackingURL    string   `json:"tracking_url"`
}

// updateIn is a PATCH body: carrier and tracking only.
type updateIn struct {
	Carrier        *string `json:"carrier"`
	TrackingNumber *string `json:"tracking_number"`
	TrackingURL    *string `json:"tracking_url"`
}

// decodeNewShipment parses and checks a create body; fuzz targets call it
// directly. An explicit empty "lines" is refused: omit it to ship everything.
func decodeNewShipment(body []byte) (NewShipment, error) {
	var in shipmentIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return NewShipment{}, err
	}
	f := errs.Fields{}
	out := NewShipment{OrderID: parseID(f, "order_id", in.OrderID), Carrier: in.Carrier,
		TrackingNumber: in.TrackingNumber, TrackingURL: in.TrackingURL}
	if in.Lines != nil && len(in.Lines) == 0 {
		f.Add("lines", "omit lines to ship everything reserved, or name at least one")
	}
	for i, l := range in.Lines {
		id := parseID(f, fmt.Sprintf("lines[%d].order_line_id", i), l.OrderLineID)
		out.Lines = append(out.Lines, NewLine{OrderLineID: id, Quantity: l.Quantity})
	}
	if err := f.Err(); err != nil {
		return NewShipment{}, err
	}
	return out, out.check()
}

// parseID reads an id, naming field when it is malformed ("" is left to the
// "is required" checks).
func parseID(f errs.Fields, field, s string) uuid.UUID {
	if s == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		f.Add(field, "must be an id")
	}
	return id
}

func jsonBody(c *fiber.Ctx) ([]byte, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return nil, errs.Field("body", "content type must be application/json")
	}
	return c.Body(), nil
}

// pathID parses :id; a malformed id is answered like an unknown one.
func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errNotFound()
	}
	return id, nil
}
