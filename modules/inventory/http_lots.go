package inventory

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/web"
)

type traceLotJSON struct {
	Lot      lotJSON   `json:"lot"`
	Via      uuid.UUID `json:"via"`
	Quantity int64     `json:"quantity"`
	Depth    int       `json:"depth"`
}

type traceShipmentJSON struct {
	MoveID      uuid.UUID  `json:"move_id"`
	LotID       uuid.UUID  `json:"lot_id"`
	RefType     string     `json:"ref_type"`
	RefID       uuid.UUID  `json:"ref_id"`
	AccountID   *uuid.UUID `json:"account_id"`
	Quantity    int64      `json:"quantity"`
	At          time.Time  `json:"at"`
	Number      string     `json:"number"`
	AccountName string     `json:"account_name"`
}

type traceJSON struct {
	Lot        lotJSON             `json:"lot"`
	Components []traceLotJSON      `json:"components"`
	UsedIn     []traceLotJSON      `json:"used_in"`
	Shipments  []traceShipmentJSON `json:"shipments"`
	Customers  []uuid.UUID         `json:"customers"`
}

type releasedJSON struct {
	RefType  string    `json:"ref_type"`
	RefID    uuid.UUID `json:"ref_id"`
	Quantity int64     `json:"quantity"`
}

// holdJSON is the lot plus the reservations the hold released.
type holdJSON struct {
	lotJSON
	Released []releasedJSON `json:"released_reservations"`
}

func (h *Handler) getLot(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	l, err := h.svc.GetLot(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toLotJSON(l))
}

func (h *Handler) traceLot(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	tr, err := h.svc.TraceLot(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := traceJSON{Lot: toLotJSON(tr.Lot), Components: toTraceLots(tr.Components), UsedIn: toTraceLots(tr.UsedIn),
		Shipments: make([]traceShipmentJSON, len(tr.Shipments)), Customers: tr.Customers}
	if out.Customers == nil {
		out.Customers = []uuid.UUID{}
	}
	for i, s := range tr.Shipments {
		out.Shipments[i] = traceShipmentJSON{MoveID: s.MoveID, LotID: s.LotID, RefType: s.Ref.Type, RefID: s.Ref.ID,
			AccountID: s.AccountID, Quantity: s.Quantity, At: s.At, Number: s.Number, AccountName: s.AccountName}
	}
	return c.JSON(out)
}

func toTraceLots(tl []TraceLot) []traceLotJSON {
	out := make([]traceLotJSON, len(tl))
	for i, l := range tl {
		out[i] = traceLotJSON{Lot: toLotJSON(l.Lot), Via: l.Via, Quantity: l.Quantity, Depth: l.Depth}
	}
	return out
}

func (h *Handler) holdLot(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.Decode(c, &body); err != nil {
		return err
	}
	l, released, err := h.svc.Hold(c.UserContext(), id, body.Reason)
	if err != nil {
		return err
	}
	out := holdJSON{lotJSON: toLotJSON(l), Released: make([]releasedJSON, len(released))}
	for i, r := range released {
		out.Released[i] = releasedJSON{RefType: r.Ref.Type, RefID: r.Ref.ID, Quantity: r.Quantity}
	}
	return c.JSON(out)
}

func (h *Handler) releaseLot(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	l, err := h.svc.ReleaseHold(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toLotJSON(l))
}
