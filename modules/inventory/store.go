package inventory

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/tenant"
)

// Row structs are unexported: bun tags stay here, domain types stay clean.

type warehouseRow struct {
	bun.BaseModel `bun:"table:warehouses,alias:w"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Code      string    `bun:"code"`
	Name      string    `bun:"name"`
	Active    bool      `bun:"active"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func (r *warehouseRow) domain() Warehouse {
	return Warehouse{ID: r.ID, Code: r.Code, Name: r.Name, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type lotRow struct {
	bun.BaseModel `bun:"table:lots,alias:l"`
	tenant.Scoped
	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	ProductID      uuid.UUID  `bun:"product_id,type:uuid"`
	Code           string     `bun:"code"`
	ProductionDate *time.Time `bun:"production_date"`
	ExpiresOn      *time.Time `bun:"expires_on"`
	OnHold         bool       `bun:"on_hold"`
	HoldReason     string     `bun:"hold_reason"`
	HeldAt         *time.Time `bun:"held_at"`
	HeldBy         *uuid.UUID `bun:"held_by,type:uuid"`
	CreatedAt      time.Time  `bun:"created_at"`
}

func (r *lotRow) domain() Lot {
	return Lot{ID: r.ID, ProductID: r.ProductID, Code: r.Code, ProductionDate: utcDate(r.ProductionDate),
		ExpiresOn: utcDate(r.ExpiresOn), OnHold: r.OnHold, HoldReason: r.HoldReason, HeldAt: r.HeldAt,
		HeldBy: r.HeldBy, CreatedAt: r.CreatedAt}
}

type lotComponentRow struct {
	bun.BaseModel `bun:"table:lot_components,alias:lc"`
	tenant.Scoped
	LotID          uuid.UUID `bun:"lot_id,pk,type:uuid"`
	ComponentLotID uuid.UUID `bun:"component_lot_id,pk,type:uuid"`
	Quantity       int64     `bun:"quantity"`
}

type levelRow struct {
	bun.BaseModel `bun:"table:stock_levels,alias:sl"`
	tenant.Scoped
	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	ProductID   uuid.UUID  `bun:"product_id,type:uuid"`
	WarehouseID uuid.UUID  `bun:"warehouse_id,type:uuid"`
	LotID       *uuid.UUID `bun:"lot_id,type:uuid"`
	OnHand      int64      `bun:"on_hand"`
	Reserved    int64      `bun:"reserved"`
	Quarantined int64      `bun:"quarantined"`
	OnHold      bool       `bun:"on_hold"`
	UpdatedAt   time.Time  `bun:"updated_at"`
	// ExpiresOn is the lot's, read only by withExpiry selects.
	ExpiresOn *time.Time `bun:"expires_on,scanonly"`
}

func (r *levelRow) domain() Level {
	l := Level{ID: r.ID, ProductID: r.ProductID, WarehouseID: r.WarehouseID, LotID: r.LotID, OnHand: r.OnHand,
		Reserved: r.Reserved, Quarantined: r.Quarantined, OnHold: r.OnHold, UpdatedAt: r.UpdatedAt}
	if e := utcDate(r.ExpiresOn); e != nil && e.Before(today()) {
		l.Expired = true
	}
	return l
}

// withExpiry selects levels with their lot's expiry date.
func withExpiry(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("sl.*").ColumnExpr("l.expires_on AS expires_on").
		Join("LEFT JOIN lots AS l ON l.tenant_id = sl.tenant_id AND l.id = sl.lot_id")
}

type moveRow struct {
	bun.BaseModel `bun:"table:stock_moves,alias:m"`
	tenant.Scoped
	ID               uuid.UUID  `bun:"id,pk,type:uuid"`
	Kind             string     `bun:"kind"`
	ProductID        uuid.UUID  `bun:"product_id,type:uuid"`
	WarehouseID      uuid.UUID  `bun:"warehouse_id,type:uuid"`
	LotID            *uuid.UUID `bun:"lot_id,type:uuid"`
	OnHandDelta      int64      `bun:"on_hand_delta"`
	ReservedDelta    int64      `bun:"reserved_delta"`
	QuarantinedDelta int64      `bun:"quarantined_delta"`
	Reason           string     `bun:"reason"`
	RefType          string     `bun:"ref_type"`
	RefID            *uuid.UUID `bun:"ref_id,type:uuid"`
	AccountID        *uuid.UUID `bun:"account_id,type:uuid"`
	UserID           *uuid.UUID `bun:"user_id,type:uuid"`
	CreatedAt        time.Time  `bun:"created_at"`
}

func (r *moveRow) domain() Move {
	m := Move{ID: r.ID, Kind: r.Kind, ProductID: r.ProductID, WarehouseID: r.WarehouseID, LotID: r.LotID,
		OnHandDelta: r.OnHandDelta, ReservedDelta: r.ReservedDelta, QuarantinedDelta: r.QuarantinedDelta,
		Reason: r.Reason, Ref: Ref{Type: r.RefType}, AccountID: r.AccountID, UserID: r.UserID, CreatedAt: r.CreatedAt}
	if r.RefID != nil {
		m.Ref.ID = *r.RefID
	}
	return m
}

type reservationRow struct {
	bun.BaseModel `bun:"table:reservations,alias:r"`
	tenant.Scoped
	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	RefType     string     `bun:"ref_type"`
	RefID       uuid.UUID  `bun:"ref_id,type:uuid"`
	LevelID     uuid.UUID  `bun:"level_id,type:uuid"`
	ProductID   uuid.UUID  `bun:"product_id,type:uuid"`
	WarehouseID uuid.UUID  `bun:"warehouse_id,type:uuid"`
	LotID       *uuid.UUID `bun:"lot_id,type:uuid"`
	Quantity    int64      `bun:"quantity"`
	Shipped     int64      `bun:"shipped"`
	Released    int64      `bun:"released"`
	Status      string     `bun:"status"`
	CreatedAt   time.Time  `bun:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at"`
}

func (r *reservationRow) open() int64 { return r.Quantity - r.Shipped - r.Released }

// newID returns a UUIDv7: time-ordered, so ids double as a stable sort key.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// utcDate normalises a date read from either engine to midnight UTC.
func utcDate(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// forUpdate locks the selected rows until commit on PostgreSQL; SQLite's
// single writer already serialises writing transactions.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE OF sl")
	}
	return q
}

// fefo orders levels first-expiry-first-out: earliest expiry, then earliest
// production, then lot code, untracked stock (no lot) last, the level id as
// the tie-break. It is also the one lock order of stock_levels rows.
func fefo(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Join("LEFT JOIN lots AS l ON l.tenant_id = sl.tenant_id AND l.id = sl.lot_id").
		OrderExpr("CASE WHEN l.expires_on IS NULL THEN 1 ELSE 0 END, l.expires_on").
		OrderExpr("CASE WHEN l.production_date IS NULL THEN 1 ELSE 0 END, l.production_date").
		OrderExpr("CASE WHEN l.code IS NULL THEN 1 ELSE 0 END, l.code, sl.id")
}

// actorID is the principal recorded on moves and holds.
func actorID(p tenant.Principal, ok bool) *uuid.UUID {
	if !ok || p.ID == uuid.Nil {
		return nil
	}
	id := p.ID
	return &id
}

// today is the current UTC date: lots expiring before it are not reserved.
func today() time.Time {
	t := time.Now().UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func deref(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}
