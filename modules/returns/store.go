package returns

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

type returnRow struct {
	bun.BaseModel `bun:"table:returns,alias:r"`
	tenant.Scoped
	ID                 uuid.UUID  `bun:"id,pk,type:uuid"`
	Number             string     `bun:"number"`
	Status             string     `bun:"status"`
	AccountID          uuid.UUID  `bun:"account_id,type:uuid"`
	OrderID            uuid.UUID  `bun:"order_id,type:uuid"`
	Comment            string     `bun:"comment"`
	RejectionReason    string     `bun:"rejection_reason"`
	CreatedBy          *uuid.UUID `bun:"created_by,type:uuid"`
	PortalUserID       *uuid.UUID `bun:"portal_user_id,type:uuid"`
	ApprovedBy         *uuid.UUID `bun:"approved_by,type:uuid"`
	ReceivedBy         *uuid.UUID `bun:"received_by,type:uuid"`
	RefundedBy         *uuid.UUID `bun:"refunded_by,type:uuid"`
	CreditNoteID       *uuid.UUID `bun:"credit_note_id,type:uuid"`
	ReplacedBy         *uuid.UUID `bun:"replaced_by,type:uuid"`
	ReplacementOrderID *uuid.UUID `bun:"replacement_order_id,type:uuid"`
	CreatedAt          time.Time  `bun:"created_at"`
	ApprovedAt         *time.Time `bun:"approved_at"`
	RejectedAt         *time.Time `bun:"rejected_at"`
	ReceivedAt         *time.Time `bun:"received_at"`
	RefundedAt         *time.Time `bun:"refunded_at"`
	ReplacedAt         *time.Time `bun:"replaced_at"`
	UpdatedAt          time.Time  `bun:"updated_at"`
}

// returnColumns are what a status change writes (never the number, the
// account, the order or who asked).
var returnColumns = []string{"status", "rejection_reason", "approved_by", "received_by", "refunded_by", "credit_note_id",
	"replaced_by", "replacement_order_id", "approved_at", "rejected_at", "received_at", "refunded_at", "replaced_at", "updated_at"}

// creditRow is one of a refunded return's credit notes.
type creditRow struct {
	bun.BaseModel `bun:"table:return_credit_notes,alias:rc"`
	tenant.Scoped
	ReturnID     uuid.UUID `bun:"return_id,type:uuid"`
	CreditNoteID uuid.UUID `bun:"credit_note_id,pk,type:uuid"`
	Position     int       `bun:"position"`
}

type lineRow struct {
	bun.BaseModel `bun:"table:return_lines,alias:rl"`
	tenant.Scoped
	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	ReturnID    uuid.UUID  `bun:"return_id,type:uuid"`
	Position    int        `bun:"position"`
	OrderLineID uuid.UUID  `bun:"order_line_id,type:uuid"`
	ProductID   uuid.UUID  `bun:"product_id,type:uuid"`
	Description string     `bun:"description"`
	Quantity    int64      `bun:"quantity"`
	Reason      string     `bun:"reason"`
	Comment     string     `bun:"comment"`
	Disposition *string    `bun:"disposition"`
	WarehouseID *uuid.UUID `bun:"warehouse_id,type:uuid"`
	Received    *int64     `bun:"received_quantity"`
}

func (r *returnRow) ret() Return {
	return Return{ID: r.ID, Number: r.Number, Status: Status(r.Status), AccountID: r.AccountID, OrderID: r.OrderID,
		Comment: r.Comment, RejectionReason: r.RejectionReason, CreatedBy: r.CreatedBy, PortalUserID: r.PortalUserID,
		ApprovedBy: r.ApprovedBy, ReceivedBy: r.ReceivedBy, RefundedBy: r.RefundedBy, CreditNoteID: r.CreditNoteID,
		ReplacedBy: r.ReplacedBy, ReplacementOrderID: r.ReplacementOrderID,
		CreatedAt: r.CreatedAt.UTC(), ApprovedAt: utc(r.ApprovedAt), RejectedAt: utc(r.RejectedAt),
		ReceivedAt: utc(r.ReceivedAt), RefundedAt: utc(r.RefundedAt), ReplacedAt: utc(r.ReplacedAt), UpdatedAt: r.UpdatedAt.UTC()}
}

func rowOf(x *Return) *returnRow {
	return &returnRow{ID: x.ID, Number: x.Number, Status: string(x.Status), AccountID: x.AccountID, OrderID: x.OrderID,
		Comment: x.Comment, RejectionReason: x.RejectionReason, CreatedBy: x.CreatedBy, PortalUserID: x.PortalUserID,
		ApprovedBy: x.ApprovedBy, ReceivedBy: x.ReceivedBy, RefundedBy: x.RefundedBy, CreditNoteID: x.CreditNoteID,
		ReplacedBy: x.ReplacedBy, ReplacementOrderID: x.ReplacementOrderID,
		CreatedAt: x.CreatedAt, ApprovedAt: x.ApprovedAt, RejectedAt: x.RejectedAt, ReceivedAt: x.ReceivedAt,
		RefundedAt: x.RefundedAt, ReplacedAt: x.ReplacedAt, UpdatedAt: x.UpdatedAt}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// bindAccount limits a select over returns to the caller's account when
// the caller is a portal customer (one without an account sees nothing).
// SECURITY: every read of returns applies it, so another account's return
// is answered exactly like a missing one.
func bindAccount(ctx context.Context) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if acc, bound := tenant.BoundAccount(ctx); bound {
			return q.Where("r.account_id = ?", acc)
		}
		return q
	}
}

// forUpdate locks the selected rows on PostgreSQL; SQLite has one writer.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

func errNotFound() error { return errs.E(errs.NotFound, "return not found") }

// load reads a return the caller may see with its lines and names; lock
// takes the row for the rest of the transaction.
func load(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (Return, error) {
	var r returnRow
	sel := tx.NewSelect().Model(&r).Apply(bindAccount(ctx)).Where("r.id = ?", id)
	if lock {
		sel = sel.Apply(forUpdate)
	}
	if err := sel.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return Return{}, errNotFound()
		}
		return Return{}, err
	}
	x := r.ret()
	var lines []lineRow
	var err error
	if err = tx.NewSelect().Model(&lines).Where("rl.return_id = ?", id).Order("rl.position").Scan(ctx); err != nil {
		return Return{}, err
	}
	x.Lines = make([]Line, len(lines))
	for i, l := range lines {
		x.Lines[i] = Line{ID: l.ID, OrderLineID: l.OrderLineID, ProductID: l.ProductID, Description: l.Description,
			Quantity: l.Quantity, Reason: Reason(l.Reason), Comment: l.Comment, WarehouseID: l.WarehouseID, Received: l.Received}
		if l.Disposition != nil {
			x.Lines[i].Condition = *l.Disposition
		}
	}
	if x.Photos, err = photos(ctx, tx, id); err != nil {
		return Return{}, err
	}
	var credits []creditRow
	if err = tx.NewSelect().Model(&credits).Where("rc.return_id = ?", id).Order("rc.position").Scan(ctx); err != nil {
		return Return{}, err
	}
	for _, c := range credits {
		x.CreditNoteIDs = append(x.CreditNoteIDs, c.CreditNoteID)
	}
	list := []Return{x}
	if err := names(ctx, tx, list); err != nil {
		return Return{}, err
	}
	return list[0], nil
}

// names fills the account names and order numbers (the returned order's
// and the replacement's) of list.
func names(ctx context.Context, tx bun.IDB, list []Return) error {
	accounts, orders := make([]uuid.UUID, len(list)), make([]uuid.UUID, 0, len(list))
	for i, x := range list {
		accounts[i] = x.AccountID
		orders = append(orders, x.OrderID)
		if x.ReplacementOrderID != nil {
			orders = append(orders, *x.ReplacementOrderID)
		}
	}
	an, on := map[uuid.UUID]string{}, map[uuid.UUID]string{}
	if err := tenant.Names(ctx, tx, "accounts", "name", accounts, an); err != nil {
		return err
	}
	if err := tenant.Names(ctx, tx, "orders", "number", orders, on); err != nil {
		return err
	}
	for i := range list {
		list[i].AccountName, list[i].OrderNumber = an[list[i].AccountID], on[list[i].OrderID]
		if id := list[i].ReplacementOrderID; id != nil {
			list[i].ReplacementOrderNumber = on[*id]
		}
	}
	return nil
}

func insert(ctx context.Context, tx bun.IDB, x *Return) error {
	if _, err := tx.NewInsert().Model(rowOf(x)).Exec(ctx); err != nil {
		return db.Translate(err)
	}
	rows := make([]lineRow, len(x.Lines))
	for i, l := range x.Lines {
		rows[i] = lineRow{ID: l.ID, ReturnID: x.ID, Position: i, OrderLineID: l.OrderLineID, ProductID: l.ProductID,
			Description: l.Description, Quantity: l.Quantity, Reason: string(l.Reason), Comment: l.Comment}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return db.Translate(err)
}

func save(ctx context.Context, tx bun.IDB, x *Return) error {
	_, err := tx.NewUpdate().Model(rowOf(x)).Column(returnColumns...).Where("r.id = ?", x.ID).Exec(ctx)
	return err
}

// saveReceipt records how each line was received: its units and, when
// any came back, their condition and warehouse.
func saveReceipt(ctx context.Context, tx bun.IDB, x *Return) error {
	for _, l := range x.Lines {
		row := &lineRow{ID: l.ID, WarehouseID: l.WarehouseID, Received: l.Received}
		if l.Condition != "" {
			cond := l.Condition
			row.Disposition = &cond
		}
		_, err := tx.NewUpdate().Model(row).
			Column("disposition", "warehouse_id", "received_quantity").Where("rl.id = ?", l.ID).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// returnedByLine sums, per line of the order, the units held by its
// returns that were not rejected: the requested units until a return is
// received, then the received ones (what did not come back is returnable
// again).
func returnedByLine(ctx context.Context, tx bun.IDB, orderID uuid.UUID) (map[uuid.UUID]int64, error) {
	var rows []struct {
		OrderLineID uuid.UUID `bun:"order_line_id"`
		Quantity    int64     `bun:"quantity"`
	}
	err := tx.NewSelect().Model((*lineRow)(nil)).Apply(tenant.ScopeSelect(ctx)).
		ColumnExpr("rl.order_line_id, SUM(COALESCE(rl.received_quantity, rl.quantity)) AS quantity").
		Join("JOIN returns AS r ON r.tenant_id = rl.tenant_id AND r.id = rl.return_id").
		Where("r.order_id = ?", orderID).
		Where("r.status <> ?", string(StatusRejected)).
		Group("rl.order_line_id").Scan(ctx, &rows)
	out := make(map[uuid.UUID]int64, len(rows))
	for _, r := range rows {
		out[r.OrderLineID] = r.Quantity
	}
	return out, err
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// saveCredits records x's credit notes, in order, in the refund's
// transaction.
func (s *Service) saveCredits(ctx context.Context, x *Return) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		rows := make([]creditRow, len(x.CreditNoteIDs))
		for i, id := range x.CreditNoteIDs {
			rows[i] = creditRow{ReturnID: x.ID, CreditNoteID: id, Position: i}
		}
		_, err := tx.NewInsert().Model(&rows).Exec(ctx)
		return err
	})
}
