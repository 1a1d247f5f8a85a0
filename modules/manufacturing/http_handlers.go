package manufacturing

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// parseFilter reads the list query: status, product_id and the page (limit,
// cursor = the last id of the previous page).
func parseFilter(c *fiber.Ctx) (Filter, int, error) {
	p, err := web.ParsePage(c)
	if err != nil {
		return Filter{}, 0, err
	}
	f := Filter{Status: Status(c.Query("status")), Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return Filter{}, 0, err
	}
	if s := c.Query("product_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return Filter{}, 0, errs.Field("product_id", "must be a product id")
		}
		f.ProductID = &id
	}
	return f, p.Limit, nil
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
	return c.JSON(web.Paged(list, limit, func(o Order) uuid.UUID { return o.ID }, orderOut))
}

func (h *Handler) create(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	in, err := decodeNewOrder(body)
	if err != nil {
		return err
	}
	o, err := h.svc.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(detailOut(o))
}

func (h *Handler) get(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(detailOut(o))
}

// action serves a body-less status change.
func (h *Handler) action(fn func(context.Context, uuid.UUID) (Order, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		o, err := fn(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.JSON(detailOut(o))
	}
}

// cancel takes an optional body {"note": "..."}, kept in the history.
func (h *Handler) cancel(c *fiber.Ctx) error {
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
	o, err := h.svc.Cancel(c.UserContext(), id, in.Note)
	if err != nil {
		return err
	}
	return c.JSON(detailOut(o))
}

type skippedJSON struct {
	ProductID uuid.UUID `json:"product_id"`
	Quantity  int64     `json:"quantity"`
	Reason    string    `json:"reason"`
}

// plan takes an optional body {"warehouse_id": "..."}.
func (h *Handler) plan(c *fiber.Ctx) error {
	var in struct {
		WarehouseID *string `json:"warehouse_id"`
	}
	if err := web.DecodeOptional(c, &in); err != nil {
		return err
	}
	var wh *uuid.UUID
	if in.WarehouseID != nil {
		f := errs.Fields{}
		id := parseID(f, "warehouse_id", *in.WarehouseID)
		if err := f.Err(); err != nil {
			return err
		}
		wh = &id
	}
	p, err := h.svc.PlanFromShortfalls(c.UserContext(), wh)
	if err != nil {
		return err
	}
	out := struct {
		Created []detailJSON  `json:"created"`
		Skipped []skippedJSON `json:"skipped"`
	}{Created: make([]detailJSON, len(p.Created)), Skipped: make([]skippedJSON, len(p.Skipped))}
	for i, o := range p.Created {
		out.Created[i] = detailOut(o)
	}
	for i, s := range p.Skipped {
		out.Skipped[i] = skippedJSON{ProductID: s.ProductID, Quantity: s.Quantity, Reason: s.Reason}
	}
	return c.JSON(out)
}

type historyJSON struct {
	ID   uuid.UUID  `json:"id"`
	From *Status    `json:"from"`
	To   Status     `json:"to"`
	At   time.Time  `json:"at"`
	By   *uuid.UUID `json:"by"`
	Note string     `json:"note"`
}

func (h *Handler) history(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	hist, err := h.svc.History(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := web.List[historyJSON]{Items: make([]historyJSON, 0, len(hist))}
	for _, e := range hist {
		j := historyJSON{ID: e.ID, To: e.To, At: e.At, By: e.By, Note: e.Note}
		if e.From != "" {
			from := e.From
			j.From = &from
		}
		out.Items = append(out.Items, j)
	}
	return c.JSON(out)
}
