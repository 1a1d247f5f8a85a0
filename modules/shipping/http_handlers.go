package shipping

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// parseFilter reads the list query: order_id, account_id, status and the
// page (limit, cursor = the last id of the previous page).
func parseFilter(c *fiber.Ctx) (Filter, int, error) {
	p, err := web.ParsePage(c)
	if err != nil {
		return Filter{}, 0, err
	}
	f := Filter{Status: Status(c.Query("status")), Limit: p.Limit + 1}
	fe := errs.Fields{}
	if p.Cursor != "" {
		f.After = queryID(fe, "cursor", p.Cursor)
	}
	if s := c.Query("order_id"); s != "" {
		f.OrderID = queryID(fe, "order_id", s)
	}
	if s := c.Query("account_id"); s != "" {
		f.AccountID = queryID(fe, "account_id", s)
	}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "must be one of draft, packed, shipped, in_transit, delivered, cancelled")
	}
	return f, p.Limit, fe.Err()
}

func queryID(f errs.Fields, field, s string) *uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		f.Add(field, "must be an id")
		return nil
	}
	return &id
}

func (h *Handler) list(c *fiber.Ctx) error {
	f, limit, err := parseFilter(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Find(c.UserContext(), f)
	if err != nil {
		return err
	}
	if bound(c.UserContext()) {
		l, err := h.svc.labels(c.UserContext(), list)
		if err != nil {
			return err
		}
		return c.JSON(web.Paged(list, limit, func(s Shipment) uuid.UUID { return s.ID },
			func(s Shipment) customerShipmentJSON { return customerShipmentOut(s, l) }))
	}
	return c.JSON(web.Paged(list, limit, func(s Shipment) uuid.UUID { return s.ID }, shipmentOut))
}

func (h *Handler) create(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	in, err := decodeNewShipment(body)
	if err != nil {
		return err
	}
	s, err := h.svc.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(shipmentOut(s))
}

func (h *Handler) get(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	s, err := h.svc.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	if bound(c.UserContext()) {
		l, err := h.svc.labels(c.UserContext(), []Shipment{s})
		if err != nil {
			return err
		}
		return c.JSON(customerShipmentOut(s, l))
	}
	return c.JSON(shipmentOut(s))
}

func (h *Handler) update(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	var in updateIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return err
	}
	s, err := h.svc.Update(c.UserContext(), id, Update(in))
	if err != nil {
		return err
	}
	return c.JSON(shipmentOut(s))
}

// action serves a status step; the optional body {"note": "..."} goes into
// the shipment's timeline.
func (h *Handler) action(do func(ctx context.Context, id uuid.UUID, note string) (Shipment, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var in struct {
			Note string `json:"note"`
		}
		if err := web.DecodeOptional(c, &in); err != nil {
			return err
		}
		s, err := do(c.UserContext(), id, in.Note)
		if err != nil {
			return err
		}
		return c.JSON(shipmentOut(s))
	}
}

func (h *Handler) events(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	evs, err := h.svc.Events(c.UserContext(), id)
	if err != nil {
		return err
	}
	if bound(c.UserContext()) {
		out := web.List[customerEventJSON]{Items: make([]customerEventJSON, 0, len(evs))}
		for _, e := range evs {
			out.Items = append(out.Items, customerEventJSON{Status: e.Status, At: e.At})
		}
		return c.JSON(out)
	}
	out := web.List[eventJSON]{Items: make([]eventJSON, 0, len(evs))}
	for _, e := range evs {
		out.Items = append(out.Items, eventJSON{ID: e.ID, Status: e.Status, At: e.At, By: e.By, Note: e.Note})
	}
	return c.JSON(out)
}
