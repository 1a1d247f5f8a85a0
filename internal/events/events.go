// Package events is Nexo's transactional outbox: a side effect that may fail
// and must be retried (an email, an outbound webhook, a Stripe call) is
// written as a row of outbox_events in the same transaction as the change
// that causes it, so the event exists if and only if the change committed.
// A Relay then dispatches committed events to their topic's Handler, under
// the event's tenant, with retries, exponential backoff and a dead state.
//
// Delivery is at least once. A relay that dies mid-handler leaves its claim
// (locked_until) in place; once that lock expires another relay, or the same
// one after a restart, delivers the event again. A slow handler that outlives
// its lock can likewise overlap with a second delivery. Handlers must
// therefore be idempotent: dedupe on Event.ID, or make the effect naturally
// repeatable (an upsert, an idempotency key sent to the remote service).
//
// Why not River or another job queue: the outbox table must live in Nexo's
// own hand-written migration history, which exists twice (PostgreSQL and the
// embedded SQLite) and is parity-tested; River's schema is PostgreSQL only and
// migrated by River. And every event carries its tenant and is dispatched
// under it (RelayOptions.Bind), which is our isolation rule rather than a
// queue feature. What the relay needs from a queue (claim with SKIP LOCKED,
// backoff, dead letters) is small enough to own.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Event is one committed outbox entry as a handler sees it.
type Event struct {
	ID uuid.UUID
	// TenantID is the tenant the event belongs to; uuid.Nil marks a platform
	// event, which is dispatched without a bound tenant.
	TenantID uuid.UUID
	Topic    string
	Payload  json.RawMessage
	// Attempts numbers this delivery: 1 on the first, 2 on the first retry...
	Attempts  int
	CreatedAt time.Time
}

// Handler consumes the events of one topic. A nil return marks the event
// done; an error (or a panic) schedules a retry, a Permanent error marks it
// dead. It must be idempotent.
type Handler func(ctx context.Context, e Event) error

// Permanent marks err as one a retry cannot fix (a malformed payload, a
// recipient the mail server rejects with 5xx): the relay marks the event dead
// at once instead of spending MaxAttempts on it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Event statuses, as stored in outbox_events.status.
const (
	statusPending = "pending"
	statusDone    = "done"
	statusDead    = "dead"
)

// outboxRow is the outbox_events row; tenant_id is NULL for platform events.
type outboxRow struct {
	bun.BaseModel `bun:"table:outbox_events,alias:o"`
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID      *uuid.UUID `bun:"tenant_id,type:uuid"`
	Topic         string     `bun:"topic"`
	Payload       string     `bun:"payload"`
	Status        string     `bun:"status"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LockedUntil   *time.Time `bun:"locked_until"`
	LastError     string     `bun:"last_error"`
	CreatedAt     time.Time  `bun:"created_at"`
	DoneAt        *time.Time `bun:"done_at"`
}

// Publish writes an event for topic, with payload marshalled by
// encoding/json, into tx. Pass the caller's transaction: the event is then
// committed or rolled back with the change it describes. tenantID is the
// tenant the consumer will run under (uuid.Nil for a platform event).
func Publish(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, topic string, payload any) error {
	if topic == "" {
		return errors.New("events: publish: empty topic")
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("events: publish %s: encode payload: %w", topic, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("events: publish %s: %w", topic, err)
	}
	t := time.Now().UTC().Truncate(time.Microsecond)
	row := &outboxRow{ID: id, Topic: topic, Payload: string(body), Status: statusPending,
		NextAttemptAt: t, CreatedAt: t}
	if tenantID != uuid.Nil {
		row.TenantID = &tenantID
	}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("events: publish %s: %w", topic, err)
	}
	return nil
}

// toEvent converts a claimed row into what handlers see.
func (r *outboxRow) toEvent() Event {
	e := Event{ID: r.ID, Topic: r.Topic, Payload: json.RawMessage(r.Payload),
		Attempts: r.Attempts, CreatedAt: r.CreatedAt.UTC()}
	if r.TenantID != nil {
		e.TenantID = *r.TenantID
	}
	return e
}
