package sales

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// parseFilter reads the list query: status, account_id, q and the page
// (limit, cursor = the last id of the previous page).
func parseFilter(c *fiber.Ctx) (Filter, int, error) {
	p, err := web.ParsePage(c)
	if err != nil {
		return Filter{}, 0, err
	}
	f := Filter{Status: Status(c.Query("status")), Q: c.Query("q"), Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return Filter{}, 0, err
	}
	if s := c.Query("account_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return Filter{}, 0, errs.Field("account_id", "must be an account id")
		}
		f.AccountID = &id
	}
	if s := c.Query("opportunity_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return Filter{}, 0, errs.Field("opportunity_id", "must be an opportunity id")
		}
		f.OpportunityID = &id
	}
	return f, p.Limit, nil
}

func (h *Handler) list(c *fiber.Ctx) error {
	f, limit, err := parseFilter(c)
	if err != nil {
		return err
	}
	bound := bindFilter(c.UserContext(), &f)
	list, err := h.svc.Find(c.UserContext(), f)
	if err != nil {
		return err
	}
	if bound {
		return c.JSON(web.Paged(list, limit, func(o Order) uuid.UUID { return o.ID }, customerOrderOut))
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
	return c.Status(fiber.StatusCreated).JSON(orderOut(o))
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
	if bound, err := visible(c.UserContext(), o); err != nil {
		return err
	} else if bound {
		return c.JSON(customerOrderOut(o))
	}
	return c.JSON(orderOut(o))
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
	in, err := decodeUpdate(body)
	if err != nil {
		return err
	}
	o, err := h.svc.Update(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(orderOut(o))
}

func (h *Handler) confirm(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Confirm(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(orderOut(o))
}

// noteAction serves an order action with an optional body {"note": "..."}
// kept in the status history: cancel (the reason), approve-credit.
func (h *Handler) noteAction(act func(ctx context.Context, id uuid.UUID, note string) (Order, error)) fiber.Handler {
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
		o, err := act(c.UserContext(), id, in.Note)
		if err != nil {
			return err
		}
		return c.JSON(orderOut(o))
	}
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
	bound := false
	if _, ok := tenant.BoundAccount(c.UserContext()); ok {
		o, err := h.svc.Get(c.UserContext(), id)
		if err != nil {
			return err
		}
		if bound, err = visible(c.UserContext(), o); err != nil {
			return err
		}
	}
	hist, err := h.svc.History(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := web.List[historyJSON]{Items: make([]historyJSON, 0, len(hist))}
	for _, e := range hist {
		j := historyJSON{ID: e.ID, To: e.To, At: e.At, By: e.By, Note: e.Note}
		if bound { // staff identities and notes stay inside (A4)
			j.By, j.Note = nil, ""
		}
		if e.From != "" {
			from := e.From
			j.From = &from
		}
		out.Items = append(out.Items, j)
	}
	return c.JSON(out)
}
