package manufacturing

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Permissions of the production order routes (rbac/permissions.go).
const (
	PermRead  = "production:read"
	PermWrite = "production:write"
)

// dateLayout is how dates travel in JSON: calendar dates, no time zone.
const dateLayout = "2006-01-02"

// Handler serves the production order routes under /api/v1; it holds no
// rules, every check is the service's.
type Handler struct{ svc *Service }

// NewHandler returns the manufacturing HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the production order routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	read, write := web.Perm(PermRead), web.Perm(PermWrite)
	r.Get("/production-orders", read, h.list)
	r.Post("/production-orders", write, h.create)
	r.Post("/production-orders/plan", write, h.plan)
	r.Get("/production-orders/:id", read, h.get)
	r.Post("/production-orders/:id/release", write, h.action(h.svc.Release))
	r.Post("/production-orders/:id/start", write, h.action(h.svc.Start))
	r.Post("/production-orders/:id/complete", write, h.action(h.svc.Complete))
	r.Post("/production-orders/:id/cancel", write, h.cancel)
	r.Get("/production-orders/:id/history", read, h.history)
}

type orderJSON struct {
	ID           uuid.UUID  `json:"id"`
	Number       string     `json:"number"`
	ProductID    uuid.UUID  `json:"product_id"`
	Quantity     int64      `json:"quantity"`
	WarehouseID  uuid.UUID  `json:"warehouse_id"`
	Status       Status     `json:"status"`
	PlannedStart string     `json:"planned_start"`
	DueDate      string     `json:"due_date"`
	LotID        *uuid.UUID `json:"lot_id"`
	Notes        string     `json:"notes"`
	CreatedBy    *uuid.UUID `json:"created_by"`
	ReleasedAt   *time.Time `json:"released_at"`
	StartedAt    *time.Time `json:"started_at"`
	CompletedAt  *time.Time `json:"completed_at"`
	CancelledAt  *time.Time `json:"cancelled_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

type componentJSON struct {
	ComponentID     uuid.UUID `json:"component_id"`
	QuantityPerUnit int64     `json:"quantity_per_unit"`
	Required        int64     `json:"required_qty"`
	Reserved        int64     `json:"reserved_qty"`
	Consumed        int64     `json:"consumed_qty"`
}

type demandJSON struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	Quantity    int64     `json:"quantity"`
}

// detailJSON is one order with its components and the order lines waiting
// for it (detail and action responses).
type detailJSON struct {
	orderJSON
	Components []componentJSON `json:"components"`
	Demands    []demandJSON    `json:"demands"`
}

func orderOut(o Order) orderJSON {
	return orderJSON{ID: o.ID, Number: o.Number, ProductID: o.ProductID, Quantity: o.Quantity, WarehouseID: o.WarehouseID,
		Status: o.Status, PlannedStart: o.PlannedStart.Format(dateLayout), DueDate: o.DueDate.Format(dateLayout),
		LotID: o.LotID, Notes: o.Notes, CreatedBy: o.CreatedBy, ReleasedAt: o.ReleasedAt, StartedAt: o.StartedAt,
		CompletedAt: o.CompletedAt, CancelledAt: o.CancelledAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

func detailOut(o Order) detailJSON {
	out := detailJSON{orderJSON: orderOut(o), Components: make([]componentJSON, len(o.Components)),
		Demands: make([]demandJSON, len(o.Demands))}
	for i, c := range o.Components {
		out.Components[i] = componentJSON{ComponentID: c.ComponentID, QuantityPerUnit: c.QuantityPerUnit,
			Required: c.Required, Reserved: c.Reserved, Consumed: c.Consumed}
	}
	for i, d := range o.Demands {
		out.Demands[i] = demandJSON{OrderLineID: d.OrderLineID, Quantity: d.Quantity}
	}
	return out
}

// orderIn is a create body. Ids and the date are strings so a malformed one
// is refused by field name; status, number and tenant are not fields, so
// the strict decoder refuses them (A4).
type orderIn struct {
	ProductID    string  `json:"product_id"`
	Quantity     int64   `json:"quantity"`
	WarehouseID  *string `json:"warehouse_id"`
	PlannedStart *string `json:"planned_start"`
	Notes        string  `json:"notes"`
}

// decodeNewOrder parses a create body; the fuzz target calls it directly.
func decodeNewOrder(body []byte) (NewOrder, error) {
	var in orderIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return NewOrder{}, err
	}
	f := errs.Fields{}
	out := NewOrder{Quantity: in.Quantity, Notes: in.Notes, ProductID: parseID(f, "product_id", in.ProductID)}
	if in.WarehouseID != nil {
		id := parseID(f, "warehouse_id", *in.WarehouseID)
		out.WarehouseID = &id
	}
	if in.PlannedStart != nil {
		t, err := time.Parse(dateLayout, *in.PlannedStart)
		if err != nil {
			f.Add("planned_start", "must be a date such as 2026-03-31")
		}
		out.PlannedStart = &t
	}
	if err := f.Err(); err != nil {
		return NewOrder{}, err
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

// jsonBody returns the request body, which must be JSON.
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
