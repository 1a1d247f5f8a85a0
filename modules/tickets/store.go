package tickets

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

type ticketRow struct {
	bun.BaseModel `bun:"table:tickets,alias:t"`
	tenant.Scoped
	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	Number          string     `bun:"number"`
	AccountID       uuid.UUID  `bun:"account_id,type:uuid"`
	ContactID       *uuid.UUID `bun:"contact_id,type:uuid"`
	OpenedByKind    string     `bun:"opened_by_kind"`
	OpenedByID      uuid.UUID  `bun:"opened_by_id,type:uuid"`
	Subject         string     `bun:"subject"`
	Status          string     `bun:"status"`
	Priority        string     `bun:"priority"`
	SLADueAt        time.Time  `bun:"sla_due_at"`
	FirstResponseAt *time.Time `bun:"first_response_at"`
	ResolvedAt      *time.Time `bun:"resolved_at"`
	ClosedAt        *time.Time `bun:"closed_at"`
	OrderID         *uuid.UUID `bun:"order_id,type:uuid"`
	ProductID       *uuid.UUID `bun:"product_id,type:uuid"`
	LotID           *uuid.UUID `bun:"lot_id,type:uuid"`
	AssigneeID      *uuid.UUID `bun:"assignee_user_id,type:uuid"`
	CreatedAt       time.Time  `bun:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at"`
	LastMessageAt   time.Time  `bun:"last_message_at"`
}

// ticketColumns are the columns a change writes (never the number, the
// account, the opener, the subject or the links, which are the ticket's
// identity).
var ticketColumns = []string{"status", "priority", "sla_due_at", "first_response_at", "resolved_at", "closed_at",
	"assignee_user_id", "updated_at", "last_message_at"}

type messageRow struct {
	bun.BaseModel `bun:"table:ticket_messages,alias:m"`
	tenant.Scoped
	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	TicketID   uuid.UUID `bun:"ticket_id,type:uuid"`
	AuthorKind string    `bun:"author_kind"`
	AuthorID   uuid.UUID `bun:"author_id,type:uuid"`
	AuthorName string    `bun:"author_name"`
	Body       string    `bun:"body"`
	Internal   bool      `bun:"internal"`
	CreatedAt  time.Time `bun:"created_at"`
}

func (r *ticketRow) ticket() Ticket {
	return Ticket{ID: r.ID, Number: r.Number, AccountID: r.AccountID, ContactID: r.ContactID, OpenedByKind: r.OpenedByKind,
		OpenedByID: r.OpenedByID, Subject: r.Subject, Status: Status(r.Status), Priority: Priority(r.Priority),
		SLADueAt: r.SLADueAt.UTC(), FirstResponseAt: utc(r.FirstResponseAt), ResolvedAt: utc(r.ResolvedAt),
		ClosedAt: utc(r.ClosedAt), OrderID: r.OrderID, ProductID: r.ProductID, LotID: r.LotID, AssigneeID: r.AssigneeID,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), LastMessageAt: r.LastMessageAt.UTC()}
}

func rowOf(t *Ticket) *ticketRow {
	return &ticketRow{ID: t.ID, Number: t.Number, AccountID: t.AccountID, ContactID: t.ContactID, OpenedByKind: t.OpenedByKind,
		OpenedByID: t.OpenedByID, Subject: t.Subject, Status: string(t.Status), Priority: string(t.Priority),
		SLADueAt: t.SLADueAt, FirstResponseAt: t.FirstResponseAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt,
		OrderID: t.OrderID, ProductID: t.ProductID, LotID: t.LotID, AssigneeID: t.AssigneeID, CreatedAt: t.CreatedAt,
		UpdatedAt: t.UpdatedAt, LastMessageAt: t.LastMessageAt}
}

func (r *messageRow) message() Message {
	return Message{ID: r.ID, AuthorKind: r.AuthorKind, AuthorID: r.AuthorID, AuthorName: r.AuthorName, Body: r.Body,
		Internal: r.Internal, CreatedAt: r.CreatedAt.UTC()}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

var errNotFound = errs.E(errs.NotFound, "ticket not found")

// scoped applies the record rule: a portal customer sees only their
// account's tickets; staff holding tickets:read see all.
func scoped(ctx context.Context) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		// SECURITY: the customer binding; uuid.Nil (a customer without an
		// account) matches nothing.
		if account, bound := tenant.BoundAccount(ctx); bound {
			return q.Where("t.account_id = ?", account)
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

// load reads a ticket the caller may see with its names; messages adds
// the thread (public messages only for a customer); lock takes the row for
// the rest of the transaction.
func load(ctx context.Context, tx bun.IDB, id uuid.UUID, messages, lock bool) (Ticket, error) {
	var r ticketRow
	sel := tx.NewSelect().Model(&r).Apply(scoped(ctx)).Where("t.id = ?", id)
	if lock {
		sel = sel.Apply(forUpdate)
	}
	if err := sel.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return Ticket{}, errNotFound
		}
		return Ticket{}, err
	}
	list := []Ticket{r.ticket()}
	if err := names(ctx, tx, list); err != nil {
		return Ticket{}, err
	}
	t := list[0]
	if !messages {
		return t, nil
	}
	var rows []messageRow
	q := tx.NewSelect().Model(&rows).Where("m.ticket_id = ?", id).OrderExpr("m.created_at, m.id")
	if _, bound := tenant.BoundAccount(ctx); bound {
		// SECURITY: internal notes never reach a customer.
		q.Where("m.internal = ?", false)
	}
	if err := q.Scan(ctx); err != nil {
		return Ticket{}, err
	}
	t.Messages = make([]Message, len(rows))
	for i := range rows {
		t.Messages[i] = rows[i].message()
	}
	return t, nil
}

// names fills in the display names of the records tickets point at.
func names(ctx context.Context, tx bun.IDB, list []Ticket) error {
	var accounts, orders, products, lots, users []uuid.UUID
	for _, t := range list {
		accounts = append(accounts, t.AccountID)
		for _, x := range []struct {
			id  *uuid.UUID
			dst *[]uuid.UUID
		}{{t.OrderID, &orders}, {t.ProductID, &products}, {t.LotID, &lots}, {t.AssigneeID, &users}} {
			if x.id != nil {
				*x.dst = append(*x.dst, *x.id)
			}
		}
	}
	m := map[string]map[uuid.UUID]string{}
	for _, x := range []struct {
		table, col string
		ids        []uuid.UUID
	}{{"accounts", "name", accounts}, {"orders", "number", orders}, {"products", "name", products},
		{"lots", "code", lots}, {"users", "name", users}} {
		m[x.table] = map[uuid.UUID]string{}
		if err := tenant.Names(ctx, tx, x.table, x.col, x.ids, m[x.table]); err != nil {
			return err
		}
	}
	name := func(table string, id *uuid.UUID) string {
		if id == nil {
			return ""
		}
		return m[table][*id]
	}
	for i := range list {
		t := &list[i]
		t.AccountName = m["accounts"][t.AccountID]
		t.OrderNumber, t.ProductName = name("orders", t.OrderID), name("products", t.ProductID)
		t.LotCode, t.AssigneeName = name("lots", t.LotID), name("users", t.AssigneeID)
	}
	return nil
}

func save(ctx context.Context, tx bun.IDB, t *Ticket) error {
	_, err := tx.NewUpdate().Model(rowOf(t)).Column(ticketColumns...).Where("t.id = ?", t.ID).Exec(ctx)
	return err
}

func insertMessage(ctx context.Context, tx bun.IDB, ticketID uuid.UUID, m Message) error {
	_, err := tx.NewInsert().Model(&messageRow{ID: m.ID, TicketID: ticketID, AuthorKind: m.AuthorKind, AuthorID: m.AuthorID,
		AuthorName: m.AuthorName, Body: m.Body, Internal: m.Internal, CreatedAt: m.CreatedAt}).Exec(ctx)
	return db.Translate(err)
}
