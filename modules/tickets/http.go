package tickets

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// Handler serves the ticket routes under /api/v1.
type Handler struct{ svc *Service }

// NewHandler returns the tickets HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the routes on r. Listing, reading, opening, replying and
// closing are open to portal customers (P6), bound to their account and
// answered with the customer allow-list; the summary and staff changes
// (status, priority, assignee) are staff only.
func (h *Handler) Routes(r *web.Router) {
	read, write := web.CustomerPerm("tickets:read"), web.CustomerPerm("tickets:write")
	r.Get("/tickets", read, h.list)
	r.Post("/tickets", write, h.open)
	r.Get("/tickets/summary", web.Perm("tickets:read"), h.summary)
	// The assignee picker: who PATCH accepts as assignee_id, for support
	// staff who cannot list users.
	r.Get("/tickets/assignees", web.Perm(HandlePermission), h.assignees)
	r.Get("/tickets/:id", read, h.get)
	r.Patch("/tickets/:id", web.Perm(HandlePermission), h.update)
	r.Post("/tickets/:id/messages", write, h.reply)
	r.Post("/tickets/:id/close", write, h.close)
}

type messageJSON struct {
	ID         uuid.UUID `json:"id"`
	AuthorKind string    `json:"author_kind"`
	AuthorID   uuid.UUID `json:"author_id"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	Internal   bool      `json:"internal"`
	CreatedAt  time.Time `json:"created_at"`
}

type ticketJSON struct {
	ID              uuid.UUID     `json:"id"`
	Number          string        `json:"number"`
	AccountID       uuid.UUID     `json:"account_id"`
	AccountName     string        `json:"account_name"`
	ContactID       *uuid.UUID    `json:"contact_id"`
	OpenedByKind    string        `json:"opened_by_kind"`
	OpenedByID      uuid.UUID     `json:"opened_by_id"`
	Subject         string        `json:"subject"`
	Status          Status        `json:"status"`
	Priority        Priority      `json:"priority"`
	SLADueAt        time.Time     `json:"sla_due_at"`
	Breached        bool          `json:"breached"`
	FirstResponseAt *time.Time    `json:"first_response_at"`
	ResolvedAt      *time.Time    `json:"resolved_at"`
	ClosedAt        *time.Time    `json:"closed_at"`
	OrderID         *uuid.UUID    `json:"order_id"`
	OrderNumber     string        `json:"order_number"`
	ProductID       *uuid.UUID    `json:"product_id"`
	ProductName     string        `json:"product_name"`
	LotID           *uuid.UUID    `json:"lot_id"`
	LotCode         string        `json:"lot_code"`
	AssigneeID      *uuid.UUID    `json:"assignee_id"`
	AssigneeName    string        `json:"assignee_name"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	LastMessageAt   time.Time     `json:"last_message_at"`
	Messages        []messageJSON `json:"messages,omitempty"`
}

// customerTicketJSON is what a portal customer sees of a ticket (A4): the
// subject, status, priority, its own order and product links and the
// public thread. Left out: the SLA due time and breach (the team's internal
// target), the assignee, the lot (traceability is staff work), who opened
// it by id, and internal notes, which load never reads for a customer.
type customerTicketJSON struct {
	ID            uuid.UUID             `json:"id"`
	Number        string                `json:"number"`
	Subject       string                `json:"subject"`
	Status        Status                `json:"status"`
	Priority      Priority              `json:"priority"`
	OrderID       *uuid.UUID            `json:"order_id"`
	OrderNumber   string                `json:"order_number"`
	ProductID     *uuid.UUID            `json:"product_id"`
	ProductName   string                `json:"product_name"`
	CreatedAt     time.Time             `json:"created_at"`
	LastMessageAt time.Time             `json:"last_message_at"`
	ResolvedAt    *time.Time            `json:"resolved_at"`
	ClosedAt      *time.Time            `json:"closed_at"`
	Messages      []customerMessageJSON `json:"messages,omitempty"`
}

// customerMessageJSON is a public message: who wrote it by side and name,
// never a staff id.
type customerMessageJSON struct {
	ID         uuid.UUID `json:"id"`
	FromStaff  bool      `json:"from_staff"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

func staffOut(t Ticket, now time.Time, messages bool) ticketJSON {
	out := ticketJSON{ID: t.ID, Number: t.Number, AccountID: t.AccountID, AccountName: t.AccountName, ContactID: t.ContactID,
		OpenedByKind: t.OpenedByKind, OpenedByID: t.OpenedByID, Subject: t.Subject, Status: t.Status, Priority: t.Priority,
		SLADueAt: t.SLADueAt, Breached: t.Breached(now), FirstResponseAt: t.FirstResponseAt, ResolvedAt: t.ResolvedAt,
		ClosedAt: t.ClosedAt, OrderID: t.OrderID, OrderNumber: t.OrderNumber, ProductID: t.ProductID, ProductName: t.ProductName,
		LotID: t.LotID, LotCode: t.LotCode, AssigneeID: t.AssigneeID, AssigneeName: t.AssigneeName, CreatedAt: t.CreatedAt,
		UpdatedAt: t.UpdatedAt, LastMessageAt: t.LastMessageAt}
	if messages {
		out.Messages = make([]messageJSON, len(t.Messages))
		for i, m := range t.Messages {
			out.Messages[i] = messageJSON(m)
		}
	}
	return out
}

func customerOut(t Ticket, messages bool) customerTicketJSON {
	out := customerTicketJSON{ID: t.ID, Number: t.Number, Subject: t.Subject, Status: t.Status, Priority: t.Priority,
		OrderID: t.OrderID, OrderNumber: t.OrderNumber, ProductID: t.ProductID, ProductName: t.ProductName,
		CreatedAt: t.CreatedAt, LastMessageAt: t.LastMessageAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt}
	if messages {
		out.Messages = make([]customerMessageJSON, 0, len(t.Messages))
		for _, m := range t.Messages {
			if m.Internal { // load already leaves them out; belt and braces
				continue
			}
			out.Messages = append(out.Messages, customerMessageJSON{ID: m.ID, FromStaff: m.Staff(), AuthorName: m.AuthorName,
				Body: m.Body, CreatedAt: m.CreatedAt})
		}
	}
	return out
}

// detail answers one ticket with its thread, as the caller may see it.
func (h *Handler) detail(c *fiber.Ctx, t Ticket) error {
	if _, bound := tenant.BoundAccount(c.UserContext()); bound {
		return c.JSON(customerOut(t, true))
	}
	return c.JSON(staffOut(t, h.svc.Now(), true))
}

type openIn struct {
	AccountID  *string `json:"account_id"`
	ContactID  *string `json:"contact_id"`
	Subject    string  `json:"subject"`
	Message    string  `json:"message"`
	Priority   string  `json:"priority"`
	OrderID    *string `json:"order_id"`
	ProductID  *string `json:"product_id"`
	LotID      *string `json:"lot_id"`
	AssigneeID *string `json:"assignee_id"`
}

func (h *Handler) open(c *fiber.Ctx) error {
	var in openIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	nt := NewTicket{Subject: in.Subject, Message: in.Message, Priority: Priority(in.Priority)}
	for _, x := range []struct {
		field string
		s     *string
		dst   **uuid.UUID
	}{{"account_id", in.AccountID, &nt.AccountID}, {"contact_id", in.ContactID, &nt.ContactID},
		{"order_id", in.OrderID, &nt.OrderID}, {"product_id", in.ProductID, &nt.ProductID}, {"lot_id", in.LotID, &nt.LotID},
		{"assignee_id", in.AssigneeID, &nt.AssigneeID}} {
		if x.s != nil {
			id, err := web.ParseID(x.field, *x.s)
			if err != nil {
				return err
			}
			*x.dst = &id
		}
	}
	t, err := h.svc.Open(c.UserContext(), nt)
	if err != nil {
		return err
	}
	c.Status(fiber.StatusCreated)
	return h.detail(c, t)
}

func (h *Handler) get(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	t, err := h.svc.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.detail(c, t)
}

func (h *Handler) reply(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var in struct {
		Body     string `json:"body"`
		Internal bool   `json:"internal"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	t, err := h.svc.Reply(c.UserContext(), id, Reply{Body: in.Body, Internal: in.Internal})
	if err != nil {
		return err
	}
	c.Status(fiber.StatusCreated)
	return h.detail(c, t)
}

func (h *Handler) update(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var in struct {
		Status     *Status         `json:"status"`
		Priority   *Priority       `json:"priority"`
		AssigneeID json.RawMessage `json:"assignee_id"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	u := Update{Status: in.Status, Priority: in.Priority}
	if u.AssigneeID, err = web.NullableID("assignee_id", in.AssigneeID); err != nil {
		return err
	}
	t, err := h.svc.Update(c.UserContext(), id, u)
	if err != nil {
		return err
	}
	return h.detail(c, t)
}

func (h *Handler) close(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	t, err := h.svc.Close(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.detail(c, t)
}

type summaryJSON struct {
	Open       map[Priority]int `json:"open_by_priority"`
	OpenTotal  int              `json:"open"`
	Breached   int              `json:"breached"`
	Unassigned int              `json:"unassigned"`
}

func (h *Handler) summary(c *fiber.Ctx) error {
	s, err := h.svc.Summary(c.UserContext())
	if err != nil {
		return err
	}
	out := summaryJSON{Open: s.Open, Breached: s.Breached, Unassigned: s.Unassigned}
	for _, n := range s.Open {
		out.OpenTotal += n
	}
	return c.JSON(out)
}

type assigneeJSON struct {
	ID    uuid.UUID `json:"id"`
	Name  string    `json:"name"`
	Email string    `json:"email"`
}

func (h *Handler) assignees(c *fiber.Ctx) error {
	list, err := h.svc.Assignees(c.UserContext())
	if err != nil {
		return err
	}
	out := web.List[assigneeJSON]{Items: make([]assigneeJSON, 0, len(list))}
	for _, a := range list {
		out.Items = append(out.Items, assigneeJSON{ID: a.ID, Name: a.Name, Email: a.Email})
	}
	return c.JSON(out)
}

func (h *Handler) list(c *fiber.Ctx) error {
	ctx := c.UserContext()
	_, customer := tenant.BoundAccount(ctx)
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f, err := parseFilter(c, customer)
	if err != nil {
		return err
	}
	f.Limit = p.Limit + 1
	if f.After, err = parseCursor(p.Cursor, customer); err != nil {
		return err
	}
	list, err := h.svc.Find(ctx, f)
	if err != nil {
		return err
	}
	if customer {
		return c.JSON(web.Paged(list, p.Limit, func(t Ticket) uuid.UUID { return t.ID },
			func(t Ticket) customerTicketJSON { return customerOut(t, false) }))
	}
	// The queue's cursor is the last row's (due time, id).
	out := web.List[ticketJSON]{Items: make([]ticketJSON, 0, min(len(list), p.Limit))}
	if len(list) > p.Limit {
		list = list[:p.Limit]
		last := list[len(list)-1]
		out.NextCursor = web.EncodeCursor(last.SLADueAt.Format(time.RFC3339Nano) + "|" + last.ID.String())
	}
	now := h.svc.Now()
	for _, t := range list {
		out.Items = append(out.Items, staffOut(t, now, false))
	}
	return c.JSON(out)
}

// parseFilter reads the list's query. Customers filter by status, order
// and text only: the queue's filters (priority, assignee, account, breach)
// are staff's and refused by name.
func parseFilter(c *fiber.Ctx, customer bool) (Filter, error) {
	f := Filter{Q: strings.TrimSpace(c.Query("q"))}
	fields := errs.Fields{}
	if len([]rune(f.Q)) > 100 {
		fields.Add("q", "is too long (at most 100 characters)")
	}
	if s := c.Query("status"); s != "" {
		for _, st := range strings.Split(s, ",") {
			if !validStatus(Status(st)) {
				fields.Add("status", "must be open, pending_customer, resolved or closed, or several of them separated by commas")
				break
			}
			f.Statuses = append(f.Statuses, Status(st))
		}
	}
	if s := c.Query("order_id"); s != "" {
		if id, err := web.ParseID("order_id", s); err != nil {
			fields.Add("order_id", "must be an id")
		} else {
			f.OrderID = &id
		}
	}
	if customer {
		for _, name := range []string{"priority", "assignee_id", "account_id", "breached"} {
			if c.Query(name) != "" {
				fields.Add(name, "is a staff filter")
			}
		}
		return f, fields.Err()
	}
	if s := c.Query("priority"); s != "" {
		if !validPriority(Priority(s)) {
			fields.Add("priority", "must be one of low, normal, high, urgent")
		}
		f.Priority = Priority(s)
	}
	switch s := c.Query("assignee_id"); s {
	case "":
	case "none":
		none := uuid.Nil
		f.AssigneeID = &none
	case "me":
		p, _ := tenant.PrincipalFrom(c.UserContext())
		id := p.ID
		f.AssigneeID = &id
	default:
		if id, err := web.ParseID("assignee_id", s); err != nil {
			fields.Add("assignee_id", "must be an id, me or none")
		} else {
			f.AssigneeID = &id
		}
	}
	if s := c.Query("account_id"); s != "" {
		if id, err := web.ParseID("account_id", s); err != nil {
			fields.Add("account_id", "must be an id")
		} else {
			f.AccountID = &id
		}
	}
	switch s := c.Query("breached"); s {
	case "":
	case "true", "false":
		b := s == "true"
		f.Breached = &b
	default:
		fields.Add("breached", "must be true or false")
	}
	return f, fields.Err()
}

// parseCursor reads a list cursor: the last id for a customer's
// newest-first list, "due time|id" for the staff queue.
func parseCursor(raw string, customer bool) (*Cursor, error) {
	if raw == "" {
		return nil, nil
	}
	bad := errs.Field("cursor", "invalid cursor")
	if customer {
		id, err := uuid.Parse(raw)
		if err != nil {
			return nil, bad
		}
		return &Cursor{ID: id}, nil
	}
	at, rest, ok := strings.Cut(raw, "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil {
		return nil, bad
	}
	id, err := uuid.Parse(rest)
	if err != nil {
		return nil, bad
	}
	return &Cursor{DueAt: t.UTC(), ID: id}, nil
}

func ticketID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}
