package inventory

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Permissions of the inventory routes (rbac/permissions.go).
const (
	PermRead       = "stock:read"
	PermAdjust     = "stock:adjust"
	PermWarehouses = "warehouses:manage"
)

// Handler serves inventory under /api/v1. It holds no rules: every check is
// the service's.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the inventory routes.
func (h *Handler) Routes(r *web.Router) {
	r.Get("/warehouses", web.Perm(PermRead), h.listWarehouses)
	r.Post("/warehouses", web.Perm(PermWarehouses), h.createWarehouse)
	r.Get("/warehouses/:id", web.Perm(PermRead), h.getWarehouse)
	r.Patch("/warehouses/:id", web.Perm(PermWarehouses), h.updateWarehouse)
	r.Get("/stock", web.Perm(PermRead), h.listStock)
	r.Get("/stock-moves", web.Perm(PermRead), h.listMoves)
	r.Get("/stock.csv", web.Perm(PermRead), h.exportStock)
	r.Get("/stock-moves.csv", web.Perm(PermRead), h.exportMoves)
	r.Post("/stock-moves", web.Perm(PermAdjust), h.createMove)
	r.Get("/lots", web.Perm(PermRead), h.listLots)
	r.Get("/lots/:id", web.Perm(PermRead), h.getLot)
	r.Get("/lots/:id/trace", web.Perm(PermRead), h.traceLot)
	r.Post("/lots/:id/hold", web.Perm(PermAdjust), h.holdLot)
	r.Post("/lots/:id/release", web.Perm(PermAdjust), h.releaseLot)
}

type warehouseJSON struct {
	ID        uuid.UUID `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toWarehouseJSON(w Warehouse) warehouseJSON {
	return warehouseJSON{ID: w.ID, Code: w.Code, Name: w.Name, Active: w.Active, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

func (h *Handler) listWarehouses(c *fiber.Ctx) error {
	page, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := WarehouseFilter{Limit: page.Limit, After: page.Cursor}
	if f.Active, err = queryBool(c, "active"); err != nil {
		return err
	}
	ws, err := h.svc.FindWarehouses(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := web.List[warehouseJSON]{Items: make([]warehouseJSON, len(ws))}
	for i, w := range ws {
		out.Items[i] = toWarehouseJSON(w)
	}
	if len(ws) == page.Limit {
		out.NextCursor = web.EncodeCursor(ws[len(ws)-1].Code)
	}
	return c.JSON(out)
}

func (h *Handler) createWarehouse(c *fiber.Ctx) error {
	var body struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := web.Decode(c, &body); err != nil {
		return err
	}
	w, err := h.svc.CreateWarehouse(c.UserContext(), NewWarehouse{Code: body.Code, Name: body.Name})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toWarehouseJSON(w))
}

func (h *Handler) getWarehouse(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	w, err := h.svc.GetWarehouse(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toWarehouseJSON(w))
}

func (h *Handler) updateWarehouse(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body struct {
		Name   *string `json:"name"`
		Active *bool   `json:"active"`
	}
	if err := web.Decode(c, &body); err != nil {
		return err
	}
	w, err := h.svc.UpdateWarehouse(c.UserContext(), id, WarehouseUpdate{Name: body.Name, Active: body.Active})
	if err != nil {
		return err
	}
	return c.JSON(toWarehouseJSON(w))
}

type moveBody struct {
	Kind           string  `json:"kind"`
	ProductID      string  `json:"product_id"` // ids as strings: a bad one is named, not "malformed JSON"
	WarehouseID    string  `json:"warehouse_id"`
	Quantity       int64   `json:"quantity"`
	LotCode        string  `json:"lot_code"`
	LotID          *string `json:"lot_id"`
	ProductionDate string  `json:"production_date"`
	ExpiresOn      string  `json:"expires_on"`
	Reason         string  `json:"reason"`
}

// createMove records a manual receipt or adjustment; reservations,
// shipments and production moves come only from their documents.
func (h *Handler) createMove(c *fiber.Ctx) error {
	var body moveBody
	if err := web.Decode(c, &body); err != nil {
		return err
	}
	mv, err := h.manualMove(c, body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toMoveJSON(mv))
}

func (h *Handler) manualMove(c *fiber.Ctx, b moveBody) (Move, error) {
	f := errs.Fields{}
	product, warehouse := bodyID(f, "product_id", &b.ProductID), bodyID(f, "warehouse_id", &b.WarehouseID)
	lot := bodyID(f, "lot_id", b.LotID)
	switch b.Kind {
	case KindReceipt:
		if b.LotID != nil {
			f.Add("lot_id", "a receipt names its lot by lot_code")
		}
		made, expires := parseDate(f, "production_date", b.ProductionDate), parseDate(f, "expires_on", b.ExpiresOn)
		if err := f.Err(); err != nil {
			return Move{}, err
		}
		return h.svc.Receive(c.UserContext(), Receipt{ProductID: deref(product), WarehouseID: deref(warehouse), Quantity: b.Quantity,
			LotCode: b.LotCode, ProductionDate: made, ExpiresOn: expires, Reason: b.Reason})
	case KindAdjustment:
		if b.LotCode != "" || b.ProductionDate != "" || b.ExpiresOn != "" {
			f.Add("lot_code", "an adjustment names an existing lot by lot_id")
		}
		if err := f.Err(); err != nil {
			return Move{}, err
		}
		return h.svc.Adjust(c.UserContext(), Adjustment{ProductID: deref(product), WarehouseID: deref(warehouse), LotID: lot,
			Quantity: b.Quantity, Reason: b.Reason})
	}
	return Move{}, errs.Field("kind", "must be receipt or adjustment")
}

// bodyID parses an optional id from a body (nil or "" → nil).
func bodyID(f errs.Fields, field string, s *string) *uuid.UUID {
	if s == nil || *s == "" {
		return nil
	}
	id, err := uuid.Parse(*s)
	if err != nil {
		f.Add(field, "must be a UUID")
		return nil
	}
	return &id
}

// pathID parses :id. A malformed id answers exactly like an unknown one.
func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "not found")
	}
	return id, nil
}

// queryID parses an optional uuid filter.
func queryID(c *fiber.Ctx, name string) (*uuid.UUID, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return nil, errs.Field(name, "must be a UUID")
	}
	return &id, nil
}

func queryBool(c *fiber.Ctx, name string) (*bool, error) {
	switch c.Query(name) {
	case "":
		return nil, nil
	case "true":
		v := true
		return &v, nil
	case "false":
		v := false
		return &v, nil
	}
	return nil, errs.Field(name, "must be true or false")
}

// parseDate reads an optional YYYY-MM-DD date.
func parseDate(f errs.Fields, field, s string) *time.Time {
	if s == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 1900 || d.Year() > 9999 {
		f.Add(field, "must be a date YYYY-MM-DD")
		return nil
	}
	return &d
}
