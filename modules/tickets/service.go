package tickets

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// Service owns the tickets' rules and transactions.
type Service struct {
	db      *tenant.DB
	links   Links
	numbers Numbers
	now     func() time.Time
}

// Options configures the service; Now is the clock (tests inject one).
type Options struct {
	Now func() time.Time
}

// NewService returns the ticket service over d.
func NewService(d *tenant.DB, links Links, numbers Numbers, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, links: links, numbers: numbers, now: opts.Now}
}

// Now is the service clock, which decides breaches.
func (s *Service) Now() time.Time { return s.now().UTC() }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// caller is who is writing: their kind, id and name for the thread.
func caller(ctx context.Context) (tenant.Principal, error) {
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return p, errs.E(errs.Forbidden, "no caller")
	}
	return p, nil
}

// Open opens a ticket with its first message.
func (s *Service) Open(ctx context.Context, in NewTicket) (Ticket, error) {
	p, err := caller(ctx)
	if err != nil {
		return Ticket{}, err
	}
	account, customer := tenant.BoundAccount(ctx)
	if customer && account == uuid.Nil {
		// SECURITY: a customer without an account binding opens nothing.
		return Ticket{}, errs.E(errs.Forbidden, "no customer account")
	}
	if err := checkNew(&in, customer); err != nil {
		return Ticket{}, err
	}
	if !customer {
		account = *in.AccountID
	}
	var t Ticket
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := s.checkLinks(ctx, account, in, customer); err != nil {
			return err
		}
		now := s.stamp()
		t = Ticket{ID: newID(), AccountID: account, ContactID: in.ContactID, OpenedByKind: string(p.Kind), OpenedByID: p.ID,
			Subject: in.Subject, Status: StatusOpen, Priority: in.Priority, SLADueAt: now.Add(SLATargets[in.Priority]),
			OrderID: in.OrderID, ProductID: in.ProductID, LotID: in.LotID, AssigneeID: in.AssigneeID, CreatedAt: now,
			UpdatedAt: now, LastMessageAt: now}
		num, err := s.numbers.NextNumber(ctx, tx, "ticket")
		if err != nil {
			return err
		}
		t.Number = num
		if _, err := tx.NewInsert().Model(rowOf(&t)).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		m := Message{ID: newID(), AuthorKind: string(p.Kind), AuthorID: p.ID, AuthorName: p.Name, Body: in.Message, CreatedAt: now}
		if err := insertMessage(ctx, tx, t.ID, m); err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "ticket.opened", Resource: "tickets", ResourceID: t.ID.String(),
			After: auditView(t)}); err != nil {
			return err
		}
		return publish(ctx, tx, TopicOpened, t)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, t.ID)
}

// checkLinks checks what a new ticket points at. For a customer, an order
// of another account is "no such order", exactly like a missing one.
func (s *Service) checkLinks(ctx context.Context, account uuid.UUID, in NewTicket, customer bool) error {
	f := errs.Fields{}
	notFound := func(field, what string, err error) error {
		if errs.Is(err, errs.NotFound) {
			f.Add(field, "no such "+what)
			return nil
		}
		return err
	}
	if !customer {
		if err := s.links.Account(ctx, account); err != nil {
			if e := notFound("account_id", "account", err); e != nil {
				return e
			}
			// Nothing else can be checked against a missing account.
			return f.Err()
		}
	}
	if in.ContactID != nil {
		acc, err := s.links.ContactAccount(ctx, *in.ContactID)
		switch {
		case err != nil:
			if e := notFound("contact_id", "contact", err); e != nil {
				return e
			}
		case acc != account:
			f.Add("contact_id", "is not a contact of the ticket's account")
		}
	}
	if in.OrderID != nil {
		acc, err := s.links.OrderAccount(ctx, *in.OrderID)
		switch {
		case err != nil:
			if e := notFound("order_id", "order", err); e != nil {
				return e
			}
		case acc != account && customer:
			// SECURITY: another account's order is unknown to a customer.
			f.Add("order_id", "no such order")
		case acc != account:
			f.Add("order_id", "is not an order of the ticket's account")
		}
	}
	if in.ProductID != nil {
		if err := notFound("product_id", "product", s.links.Product(ctx, *in.ProductID)); err != nil {
			return err
		}
	}
	if in.LotID != nil {
		if err := notFound("lot_id", "lot", s.links.Lot(ctx, *in.LotID)); err != nil {
			return err
		}
	}
	if in.AssigneeID != nil {
		if err := notFound("assignee_id", "active staff user who handles tickets", s.links.StaffUser(ctx, *in.AssigneeID)); err != nil {
			return err
		}
	}
	return f.Err()
}

// Get reads a ticket the caller may see, with its thread.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Ticket, error) {
	var t Ticket
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		t, err = load(ctx, tx, id, true, false)
		return err
	})
	return t, err
}

// Find lists the tickets the caller may see: staff by due time (the
// queue, soonest first), customers newest first.
func (s *Service) Find(ctx context.Context, f Filter) ([]Ticket, error) {
	_, customer := tenant.BoundAccount(ctx)
	var out []Ticket
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var rows []ticketRow
		q := tx.NewSelect().Model(&rows).Apply(scoped(ctx)).Limit(int64(f.Limit))
		if customer {
			q.OrderExpr("t.id DESC")
			if f.After != nil {
				q.Where("t.id < ?", f.After.ID)
			}
		} else {
			q.OrderExpr("t.sla_due_at, t.id")
			if f.After != nil {
				q.Where("(t.sla_due_at > ? OR (t.sla_due_at = ? AND t.id > ?))", f.After.DueAt, f.After.DueAt, f.After.ID)
			}
		}
		if len(f.Statuses) > 0 {
			q.Where("t.status IN (?)", bun.In(f.Statuses))
		}
		if f.Priority != "" {
			q.Where("t.priority = ?", f.Priority)
		}
		switch {
		case f.AssigneeID == nil:
		case *f.AssigneeID == uuid.Nil:
			q.Where("t.assignee_user_id IS NULL")
		default:
			q.Where("t.assignee_user_id = ?", *f.AssigneeID)
		}
		if f.AccountID != nil {
			q.Where("t.account_id = ?", *f.AccountID)
		}
		if f.OrderID != nil {
			q.Where("t.order_id = ?", *f.OrderID)
		}
		if f.Breached != nil {
			breached := "t.status IN (?) AND t.sla_due_at < ?"
			if !*f.Breached {
				breached = "NOT (" + breached + ")"
			}
			q.Where(breached, bun.In([]Status{StatusOpen, StatusPendingCustomer}), s.Now())
		}
		if f.Q != "" {
			like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
			q.Where("(lower(t.number) LIKE ? ESCAPE '\\' OR lower(t.subject) LIKE ? ESCAPE '\\')", like, like)
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		out = make([]Ticket, len(rows))
		for i := range rows {
			out[i] = rows[i].ticket()
		}
		return names(ctx, tx, out)
	})
	return out, err
}

// Reply adds a message to a ticket's thread and moves its status: a
// customer's reply puts the ball back with the team (reopening a resolved
// ticket), a public staff reply with the customer, and the first one is
// the ticket's first response. Internal notes change nothing but the
// thread, and only staff write them. A closed ticket takes no replies.
func (s *Service) Reply(ctx context.Context, id uuid.UUID, in Reply) (Ticket, error) {
	p, err := caller(ctx)
	if err != nil {
		return Ticket{}, err
	}
	_, customer := tenant.BoundAccount(ctx)
	in.Body = strings.TrimSpace(in.Body)
	f := errs.Fields{}
	if in.Body == "" {
		f.Add("body", "is required")
	}
	checkText(f, "body", in.Body, MaxBody)
	if customer && in.Internal {
		f.Add("internal", "internal notes are for staff only")
	}
	if err := f.Err(); err != nil {
		return Ticket{}, err
	}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		t, err := load(ctx, tx, id, false, true)
		if err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return errs.E(errs.Conflict, "the ticket is closed; open a new one")
		}
		n, err := tx.NewSelect().Model((*messageRow)(nil)).Where("m.ticket_id = ?", id).Count(ctx)
		if err != nil {
			return err
		}
		if n >= MaxMessages {
			return errs.E(errs.FailedPrecondition, "the ticket has %d messages, the most one ticket takes; open a new one", n)
		}
		now := s.stamp()
		m := Message{ID: newID(), AuthorKind: string(p.Kind), AuthorID: p.ID, AuthorName: p.Name, Body: in.Body,
			Internal: in.Internal, CreatedAt: now}
		if err := insertMessage(ctx, tx, id, m); err != nil {
			return err
		}
		t.UpdatedAt = now
		if !in.Internal {
			t.LastMessageAt = now
			if customer {
				t.Status, t.ResolvedAt = StatusOpen, nil
			} else {
				t.Status, t.ResolvedAt = StatusPendingCustomer, nil
				if t.FirstResponseAt == nil {
					t.FirstResponseAt = &now
				}
			}
		}
		if err := save(ctx, tx, &t); err != nil {
			return err
		}
		if customer || in.Internal {
			return nil
		}
		return publish(ctx, tx, TopicReplied, t)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, id)
}

// Update is staff changing a ticket's status, priority or assignee. A new
// priority moves the due time to the opening plus its target; a closed
// ticket stays closed.
func (s *Service) Update(ctx context.Context, id uuid.UUID, in Update) (Ticket, error) {
	f := errs.Fields{}
	if in.Status != nil && !validStatus(*in.Status) {
		f.Add("status", "must be one of open, pending_customer, resolved, closed")
	}
	if in.Priority != nil && !validPriority(*in.Priority) {
		f.Add("priority", "must be one of low, normal, high, urgent")
	}
	if in.Status == nil && in.Priority == nil && in.AssigneeID == nil {
		f.Add("status", "nothing to change: set status, priority or assignee_id")
	}
	if err := f.Err(); err != nil {
		return Ticket{}, err
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		t, err := load(ctx, tx, id, false, true)
		if err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return errs.E(errs.Conflict, "the ticket is closed; open a new one")
		}
		before := auditView(t)
		now := s.stamp()
		if in.AssigneeID != nil {
			if *in.AssigneeID == uuid.Nil {
				t.AssigneeID = nil
			} else {
				if err := s.links.StaffUser(ctx, *in.AssigneeID); errs.Is(err, errs.NotFound) {
					return errs.Field("assignee_id", "no such active staff user who handles tickets")
				} else if err != nil {
					return err
				}
				t.AssigneeID = in.AssigneeID
			}
		}
		if in.Priority != nil {
			t.Priority, t.SLADueAt = *in.Priority, t.CreatedAt.Add(SLATargets[*in.Priority])
		}
		if in.Status != nil && *in.Status != t.Status {
			setStatus(&t, *in.Status, now)
		}
		t.UpdatedAt = now
		if err := save(ctx, tx, &t); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "ticket.updated", Resource: "tickets", ResourceID: id.String(),
			Before: before, After: auditView(t)})
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, id)
}

// Close closes a ticket: a customer their own, staff any.
func (s *Service) Close(ctx context.Context, id uuid.UUID) (Ticket, error) {
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		t, err := load(ctx, tx, id, false, true)
		if err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return errs.E(errs.Conflict, "the ticket is already closed")
		}
		before := auditView(t)
		now := s.stamp()
		setStatus(&t, StatusClosed, now)
		t.UpdatedAt = now
		if err := save(ctx, tx, &t); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "ticket.closed", Resource: "tickets", ResourceID: id.String(),
			Before: before, After: auditView(t)})
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, id)
}

// setStatus moves t to st at now, keeping the stamps in step: resolved_at
// is when it stopped counting against the SLA (closing a ticket that was
// never resolved settles it too), and reopening clears it.
func setStatus(t *Ticket, st Status, now time.Time) {
	t.Status = st
	switch st {
	case StatusOpen, StatusPendingCustomer:
		t.ResolvedAt = nil
	case StatusResolved:
		t.ResolvedAt = &now
	case StatusClosed:
		t.ClosedAt = &now
		if t.ResolvedAt == nil {
			t.ResolvedAt = &now
		}
	}
}

// Summary counts the tenant's unresolved tickets by priority, the breached
// ones and those nobody is assigned to (D4).
func (s *Service) Summary(ctx context.Context) (Summary, error) {
	out := Summary{Open: map[Priority]int{}}
	for _, p := range Priorities() {
		out.Open[p] = 0
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var rows []struct {
			Priority   string `bun:"priority"`
			N          int    `bun:"n"`
			Breached   int    `bun:"breached"`
			Unassigned int    `bun:"unassigned"`
		}
		err := tx.NewSelect().Model((*ticketRow)(nil)).Apply(scoped(ctx)).
			ColumnExpr("t.priority, count(*) AS n").
			ColumnExpr("sum(CASE WHEN t.sla_due_at < ? THEN 1 ELSE 0 END) AS breached", s.Now()).
			ColumnExpr("sum(CASE WHEN t.assignee_user_id IS NULL THEN 1 ELSE 0 END) AS unassigned").
			Where("t.status IN (?)", bun.In([]Status{StatusOpen, StatusPendingCustomer})).
			GroupExpr("t.priority").Scan(ctx, &rows)
		for _, r := range rows {
			out.Open[Priority(r.Priority)] = r.N
			out.Breached += r.Breached
			out.Unassigned += r.Unassigned
		}
		return err
	})
	return out, err
}

// FindByAccount lists an account's tickets newest first by opening time,
// id breaking ties; a non-zero before keeps those strictly older than
// (before, beforeID), for the account timeline's merge (tickets_account
// serves it).
func (s *Service) FindByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Ticket, error) {
	if limit <= 0 {
		limit = 50
	}
	var rows []ticketRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(scoped(ctx)).Where("t.account_id = ?", accountID).
			OrderExpr("t.created_at DESC, t.id DESC").Limit(int64(limit))
		if !before.IsZero() {
			q.Where("(t.created_at, t.id) < (?, ?)", before.UTC(), beforeID)
		}
		return q.Scan(ctx)
	})
	out := make([]Ticket, len(rows))
	for i := range rows {
		out[i] = rows[i].ticket()
	}
	return out, err
}

func publish(ctx context.Context, tx bun.IDB, topic string, t Ticket) error {
	tid, _ := tenant.FromContext(ctx)
	return events.Publish(ctx, tx, tid, topic, map[string]any{"ticket_id": t.ID, "number": t.Number,
		"account_id": t.AccountID, "status": t.Status})
}

// auditView is what the audit log keeps of a ticket: its state, not the
// thread (messages are their own rows).
func auditView(t Ticket) map[string]any {
	return map[string]any{"number": t.Number, "account_id": t.AccountID, "subject": t.Subject, "status": t.Status,
		"priority": t.Priority, "sla_due_at": t.SLADueAt, "assignee_id": t.AssigneeID, "order_id": t.OrderID,
		"product_id": t.ProductID, "lot_id": t.LotID}
}

// checkNew validates a new ticket's own fields; a customer may not set the
// account, contact, lot, priority or assignee (A4).
func checkNew(in *NewTicket, customer bool) error {
	f := errs.Fields{}
	in.Subject, in.Message = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Message)
	if in.Subject == "" {
		f.Add("subject", "is required")
	} else if strings.ContainsAny(in.Subject, "\r\n") {
		f.Add("subject", "must be one line")
	}
	checkText(f, "subject", in.Subject, MaxSubject)
	if in.Message == "" {
		f.Add("message", "is required")
	}
	checkText(f, "message", in.Message, MaxBody)
	if customer {
		for field, set := range map[string]bool{"account_id": in.AccountID != nil, "contact_id": in.ContactID != nil,
			"lot_id": in.LotID != nil, "priority": in.Priority != "", "assignee_id": in.AssigneeID != nil} {
			if set {
				f.Add(field, "is set by the support team")
			}
		}
	} else if in.AccountID == nil {
		f.Add("account_id", "is required")
	}
	if in.Priority == "" {
		in.Priority = PriorityNormal
	} else if !validPriority(in.Priority) {
		f.Add("priority", "must be one of low, normal, high, urgent")
	}
	return f.Err()
}

func validStatus(s Status) bool {
	for _, x := range Statuses() {
		if x == s {
			return true
		}
	}
	return false
}

func validPriority(p Priority) bool {
	_, ok := SLATargets[p]
	return ok
}

// checkText adds field's fault to f: invalid UTF-8, longer than max runes
// or control characters other than line breaks and tabs.
func checkText(f errs.Fields, field, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		f.Add(field, fmt.Sprintf("is too long (at most %d characters)", max))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.Add(field, "must not contain control characters")
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// Assignees lists who a ticket can be assigned to (Links.Assignees).
func (s *Service) Assignees(ctx context.Context) ([]Assignee, error) {
	return s.links.Assignees(ctx)
}
