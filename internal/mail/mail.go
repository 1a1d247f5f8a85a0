// Package mail sends Nexo's emails (invites, password resets, notices).
// Callers never send directly: Enqueue writes the message to the outbox in
// the caller's transaction, so a mail goes out if and only if the change that
// caused it committed, and Handler delivers it from the relay with retries.
// Two Senders exist: SMTP for production and Mailbox, a dev sender that keeps
// messages in memory for the embedded mode's /dev/mailbox page.
package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/events"
)

// EventTopic is the outbox topic of outgoing mail.
const EventTopic = "mail.send"

// Message is one email; it is also the JSON payload of a mail.send event.
type Message struct {
	// ID identifies the message. Handler sets it to the outbox event id, so
	// a redelivered event keeps its Message-ID and the Mailbox stores it once.
	ID       uuid.UUID `json:"-"`
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Text     string    `json:"text"`
	HTML     string    `json:"html,omitempty"`
	TenantID uuid.UUID `json:"tenant_id"`
	// Kind names the template ("invite", "password_reset"), for logs and tests.
	Kind string `json:"kind,omitempty"`
}

// Sender delivers a message. Implementations must tolerate the same message
// (same ID) being sent twice: the outbox delivers at least once.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalid marks a message that can never be sent as it stands.
var ErrInvalid = errors.New("invalid message")

// Enqueue validates m and publishes it to the outbox in tx under tenantID
// (uuid.Nil for platform mail). Validating here makes a bad address fail the
// caller's request instead of dying quietly in the relay.
func Enqueue(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	m.TenantID = tenantID
	return events.Publish(ctx, tx, tenantID, EventTopic, m)
}

// Handler returns the relay handler for EventTopic: it decodes the message
// and sends it with s. Undecodable or invalid messages and permanent SMTP
// rejections are events.Permanent (dead at once); anything else is retried.
func Handler(s Sender) events.Handler {
	return func(ctx context.Context, e events.Event) error {
		var m Message
		if err := json.Unmarshal(e.Payload, &m); err != nil {
			return events.Permanent(fmt.Errorf("mail: decode event %s: %w", e.ID, err))
		}
		if err := m.validate(); err != nil {
			return events.Permanent(err)
		}
		m.ID = e.ID
		// SECURITY: the event's tenant, not the payload, says whose mail
		// this is (the dev mailbox files it under that tenant).
		m.TenantID = e.TenantID
		if s == nil {
			return errors.New("mail: no sender configured (set NEXO_SMTP_URL or NEXO_DEV_MAILBOX)")
		}
		return s.Send(ctx, m)
	}
}

// validate checks what every sender needs. SECURITY: CR or LF in a header
// value would let a caller inject headers (Bcc) into the SMTP message.
func (m Message) validate() error {
	if strings.TrimSpace(m.To) == "" {
		return fmt.Errorf("mail: %w: no recipient", ErrInvalid)
	}
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("mail: %w: line break in a header", ErrInvalid)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("mail: %w: recipient %q: %v", ErrInvalid, m.To, err)
	}
	if m.Text == "" && m.HTML == "" {
		return fmt.Errorf("mail: %w: empty body", ErrInvalid)
	}
	return nil
}
