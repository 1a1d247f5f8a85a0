// Package tickets is customer support (C6, P6): a ticket is an account's
// question or problem, opened by staff or by a portal customer, optionally
// about one of the account's orders, a product or (staff only) a lot, and
// followed as a thread of messages until it is resolved.
//
//	open ──staff public reply──→ pending_customer ──customer reply──→ open
//	open / pending_customer ──staff──→ resolved ──customer reply──→ open
//	any but closed ──staff, or the customer──→ closed (final)
//
// open means the ball is with the support team, pending_customer with the
// customer; resolved is the team's answer, which the customer can reopen by
// replying; closed ends the thread (a new question is a new ticket).
//
// SLA (D4): every ticket is due sla_due_at = opened + its priority's
// resolution target (SLATargets, calendar hours: a tenant setting is not
// needed yet). Changing the priority moves the due time from the opening.
// A ticket is breached while it is neither resolved nor closed past its due
// time, on the service clock; first_response_at records the first public
// staff reply, for response-time reporting.
//
// Internal notes (messages with Internal set) are staff-only: a customer
// never reads them, in the thread or anywhere else, and cannot write one.
//
// Record rule (R3): staff with tickets:read see every ticket of the
// tenant; a portal customer only their account's (tenant.BoundAccount),
// another account's answering exactly like a missing one.
//
// The module owns its ports (Links, Numbers); cmd/nexo wires crm, sales,
// catalog, inventory and tenant behind them.
package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where a ticket is in its life.
type Status string

// Statuses.
const (
	StatusOpen            Status = "open"
	StatusPendingCustomer Status = "pending_customer"
	StatusResolved        Status = "resolved"
	StatusClosed          Status = "closed"
)

// Statuses lists every status.
func Statuses() []Status {
	return []Status{StatusOpen, StatusPendingCustomer, StatusResolved, StatusClosed}
}

// Unresolved reports a status that still counts against the SLA.
func (s Status) Unresolved() bool { return s == StatusOpen || s == StatusPendingCustomer }

// Priority orders the queue and sets the SLA target.
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
func Priorities() []Priority {
	return []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}
}

// SLATargets is the time to resolve a ticket by priority, counted from its
// opening in calendar hours.
var SLATargets = map[Priority]time.Duration{
	PriorityUrgent: 4 * time.Hour,
	PriorityHigh:   8 * time.Hour,
	PriorityNormal: 24 * time.Hour,
	PriorityLow:    72 * time.Hour,
}

// Outbox topics. Payload: {"ticket_id", "number", "account_id", "status"}.
// Opened is published when a ticket is opened, Replied when staff answer
// publicly (internal notes and customer replies publish nothing).
const (
	TopicOpened  = "tickets.ticket.opened"
	TopicReplied = "tickets.ticket.replied"
)

// Bounds on input.
const (
	MaxSubject = 200
	MaxBody    = 10_000
	// MaxMessages bounds one ticket's thread: a runaway integration cannot
	// grow one ticket without limit.
	MaxMessages = 500
)

// Author kinds: the principal kind that wrote a message or opened a ticket.
const (
	AuthorUser     = "user"
	AuthorAPIKey   = "api_key"
	AuthorCustomer = "customer"
)

// Ticket is one support ticket; Messages is set when read singly.
type Ticket struct {
	ID              uuid.UUID
	Number          string
	AccountID       uuid.UUID
	AccountName     string
	ContactID       *uuid.UUID
	OpenedByKind    string
	OpenedByID      uuid.UUID
	Subject         string
	Status          Status
	Priority        Priority
	SLADueAt        time.Time
	FirstResponseAt *time.Time
	ResolvedAt      *time.Time
	ClosedAt        *time.Time
	OrderID         *uuid.UUID
	OrderNumber     string
	ProductID       *uuid.UUID
	ProductName     string
	LotID           *uuid.UUID
	LotCode         string
	AssigneeID      *uuid.UUID
	AssigneeName    string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	LastMessageAt   time.Time // the last public message (never an internal note's time)
	Messages        []Message
}

// Breached reports a ticket past its due time at now and not yet resolved.
func (t Ticket) Breached(now time.Time) bool {
	return t.Status.Unresolved() && now.After(t.SLADueAt)
}

// Message is one entry of a ticket's thread.
type Message struct {
	ID         uuid.UUID
	AuthorKind string
	AuthorID   uuid.UUID
	AuthorName string
	Body       string
	Internal   bool
	CreatedAt  time.Time
}

// Staff reports a message written by the support team.
func (m Message) Staff() bool { return m.AuthorKind != AuthorCustomer }

// NewTicket opens a ticket. A customer's account is their own; the other
// staff-only fields (AccountID, ContactID, LotID, Priority, AssigneeID)
// are refused from a customer by name.
type NewTicket struct {
	AccountID  *uuid.UUID
	ContactID  *uuid.UUID
	Subject    string
	Message    string
	Priority   Priority // "" is normal
	OrderID    *uuid.UUID
	ProductID  *uuid.UUID
	LotID      *uuid.UUID
	AssigneeID *uuid.UUID
}

// Reply adds a message; Internal is a staff-only note.
type Reply struct {
	Body     string
	Internal bool
}

// Update is a staff change; nil fields are left alone. AssigneeID at
// uuid.Nil unassigns.
type Update struct {
	Status     *Status
	Priority   *Priority
	AssigneeID *uuid.UUID
}

// Filter narrows the list. Staff lists are ordered by due time (the queue),
// customers' newest first.
type Filter struct {
	Statuses   []Status
	Priority   Priority
	AssigneeID *uuid.UUID // uuid.Nil: unassigned
	AccountID  *uuid.UUID
	OrderID    *uuid.UUID
	Breached   *bool
	Q          string // matches the number or the subject
	After      *Cursor
	Limit      int
}

// Cursor is a list position: the last row of the previous page (its due
// time is ignored on a customer's newest-first list).
type Cursor struct {
	DueAt time.Time
	ID    uuid.UUID
}

// Summary is the support dashboard (D4): unresolved tickets by priority,
// how many of them are breached and how many nobody is assigned to.
type Summary struct {
	Open       map[Priority]int
	Breached   int
	Unassigned int
}

// Links checks what a ticket points at in the modules that own it. Each
// returns errs.NotFound when the record does not exist in the tenant.
type Links interface {
	// Account requires an active customer account.
	Account(ctx context.Context, id uuid.UUID) error
	// ContactAccount is the account a contact belongs to.
	ContactAccount(ctx context.Context, id uuid.UUID) (uuid.UUID, error)
	// OrderAccount is the account an order belongs to.
	OrderAccount(ctx context.Context, id uuid.UUID) (uuid.UUID, error)
	Product(ctx context.Context, id uuid.UUID) error
	Lot(ctx context.Context, id uuid.UUID) error
	// StaffUser requires an active staff user who can handle tickets (holds
	// HandlePermission); anyone else is errs.NotFound.
	StaffUser(ctx context.Context, id uuid.UUID) error
	// Assignees lists the tenant's active staff users who hold
	// HandlePermission, by name.
	Assignees(ctx context.Context) ([]Assignee, error)
}

// HandlePermission is what handling a ticket takes: answering it and
// changing its status, priority or assignee. A ticket is only assigned to
// a staff user who holds it, and it is what listing the assignees takes.
const HandlePermission = "tickets:write"

// Assignee is a staff user a ticket can be assigned to: only what the
// support queue's picker shows, so listing them reveals no roles or other
// user fields to staff without users:read.
type Assignee struct {
	ID    uuid.UUID
	Name  string
	Email string
}

// Numbers allocates document numbers in the caller's transaction.
type Numbers interface {
	NextNumber(ctx context.Context, tx bun.IDB, code string) (string, error)
}
