package inventory

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

type levelJSON struct {
	ID          uuid.UUID  `json:"id"`
	ProductID   uuid.UUID  `json:"product_id"`
	WarehouseID uuid.UUID  `json:"warehouse_id"`
	LotID       *uuid.UUID `json:"lot_id"`
	OnHand      int64      `json:"on_hand"`
	Reserved    int64      `json:"reserved"`
	Quarantined int64      `json:"quarantined"`
	Available   int64      `json:"available"`
	OnHold      bool       `json:"on_hold"`
	Expired     bool       `json:"expired"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

type moveJSON struct {
	ID               uuid.UUID  `json:"id"`
	Kind             string     `json:"kind"`
	ProductID        uuid.UUID  `json:"product_id"`
	WarehouseID      uuid.UUID  `json:"warehouse_id"`
	LotID            *uuid.UUID `json:"lot_id"`
	OnHandDelta      int64      `json:"on_hand_delta"`
	ReservedDelta    int64      `json:"reserved_delta"`
	QuarantinedDelta int64      `json:"quarantined_delta"`
	Reason           string     `json:"reason"`
	RefType          string     `json:"ref_type,omitempty"`
	RefID            *uuid.UUID `json:"ref_id,omitempty"`
	AccountID        *uuid.UUID `json:"account_id,omitempty"`
	UserID           *uuid.UUID `json:"user_id,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
}

type lotJSON struct {
	ID             uuid.UUID  `json:"id"`
	ProductID      uuid.UUID  `json:"product_id"`
	Code           string     `json:"code"`
	ProductionDate *string    `json:"production_date"`
	ExpiresOn      *string    `json:"expires_on"`
	OnHold         bool       `json:"on_hold"`
	HoldReason     string     `json:"hold_reason,omitempty"`
	HeldAt         *time.Time `json:"held_at,omitempty"`
	HeldBy         *uuid.UUID `json:"held_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

func toMoveJSON(m Move) moveJSON {
	out := moveJSON{ID: m.ID, Kind: m.Kind, ProductID: m.ProductID, WarehouseID: m.WarehouseID, LotID: m.LotID,
		OnHandDelta: m.OnHandDelta, ReservedDelta: m.ReservedDelta, QuarantinedDelta: m.QuarantinedDelta, Reason: m.Reason,
		RefType: m.Ref.Type, AccountID: m.AccountID, UserID: m.UserID, CreatedAt: m.CreatedAt}
	if m.Ref.ID != uuid.Nil {
		out.RefID = &m.Ref.ID
	}
	return out
}

func toLotJSON(l Lot) lotJSON {
	return lotJSON{ID: l.ID, ProductID: l.ProductID, Code: l.Code, ProductionDate: dateString(l.ProductionDate),
		ExpiresOn: dateString(l.ExpiresOn), OnHold: l.OnHold, HoldReason: l.HoldReason, HeldAt: l.HeldAt, HeldBy: l.HeldBy, CreatedAt: l.CreatedAt}
}

func dateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// filters reads the product_id, warehouse_id and lot_id filters.
func filters(c *fiber.Ctx) (p, w, l *uuid.UUID, err error) {
	if p, err = queryID(c, "product_id"); err != nil {
		return
	}
	if w, err = queryID(c, "warehouse_id"); err != nil {
		return
	}
	l, err = queryID(c, "lot_id")
	return
}

// levelFilter reads the stock list's query: product_id, warehouse_id,
// lot_id and the page.
func levelFilter(c *fiber.Ctx) (LevelFilter, error) {
	page, err := web.ParsePage(c)
	if err != nil {
		return LevelFilter{}, err
	}
	f := LevelFilter{Limit: page.Limit}
	if f.ProductID, f.WarehouseID, f.LotID, err = filters(c); err != nil {
		return f, err
	}
	f.After, err = page.AfterID()
	return f, err
}

func (h *Handler) listStock(c *fiber.Ctx) error {
	f, err := levelFilter(c)
	if err != nil {
		return err
	}
	levels, err := h.svc.FindLevels(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := web.List[levelJSON]{Items: make([]levelJSON, len(levels))}
	for i, l := range levels {
		out.Items[i] = levelJSON{ID: l.ID, ProductID: l.ProductID, WarehouseID: l.WarehouseID, LotID: l.LotID, OnHand: l.OnHand,
			Reserved: l.Reserved, Quarantined: l.Quarantined, Available: l.Available(), OnHold: l.OnHold, Expired: l.Expired, UpdatedAt: l.UpdatedAt}
	}
	if len(levels) == f.Limit {
		out.NextCursor = web.EncodeCursor(levels[len(levels)-1].ID.String())
	}
	return c.JSON(out)
}

var moveKinds = map[string]bool{KindReceipt: true, KindAdjustment: true, KindReserve: true, KindRelease: true,
	KindShipment: true, KindConsume: true, KindProduce: true, KindReturn: true}

// moveFilter reads the ledger list's query: product_id, warehouse_id,
// lot_id, kind, ref_type, ref_id and the page.
func moveFilter(c *fiber.Ctx) (MoveFilter, error) {
	page, err := web.ParsePage(c)
	if err != nil {
		return MoveFilter{}, err
	}
	f := MoveFilter{Limit: page.Limit, Kind: c.Query("kind")}
	if f.ProductID, f.WarehouseID, f.LotID, err = filters(c); err != nil {
		return f, err
	}
	if f.Kind != "" && !moveKinds[f.Kind] {
		return f, errs.Field("kind", "unknown move kind")
	}
	if rt := c.Query("ref_type"); rt != "" {
		f.Ref = &Ref{Type: rt}
		if id, err := queryID(c, "ref_id"); err != nil {
			return f, err
		} else if id != nil {
			f.Ref.ID = *id
		}
	}
	f.After, err = page.AfterID()
	return f, err
}

func (h *Handler) listMoves(c *fiber.Ctx) error {
	f, err := moveFilter(c)
	if err != nil {
		return err
	}
	moves, err := h.svc.FindMoves(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := web.List[moveJSON]{Items: make([]moveJSON, len(moves))}
	for i, m := range moves {
		out.Items[i] = toMoveJSON(m)
	}
	if len(moves) == f.Limit {
		out.NextCursor = web.EncodeCursor(moves[len(moves)-1].ID.String())
	}
	return c.JSON(out)
}

func (h *Handler) listLots(c *fiber.Ctx) error {
	page, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := LotFilter{Limit: page.Limit, Code: c.Query("code")}
	if f.ProductID, err = queryID(c, "product_id"); err != nil {
		return err
	}
	if f.OnHold, err = queryBool(c, "on_hold"); err != nil {
		return err
	}
	if f.After, err = page.AfterID(); err != nil {
		return err
	}
	lots, err := h.svc.FindLots(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := web.List[lotJSON]{Items: make([]lotJSON, len(lots))}
	for i, l := range lots {
		out.Items[i] = toLotJSON(l)
	}
	if len(lots) == page.Limit {
		out.NextCursor = web.EncodeCursor(lots[len(lots)-1].ID.String())
	}
	return c.JSON(out)
}
