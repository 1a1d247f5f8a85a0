package mail

import (
	"context"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Stored is a message kept by the Mailbox.
type Stored struct {
	ID uuid.UUID `json:"id"`
	At time.Time `json:"at"`
	Message
}

// Mailbox is the development Sender: it logs each message and keeps the last
// few in memory, so embedded mode works (invites, resets) without SMTP.
type Mailbox struct {
	log  *slog.Logger
	max  int
	mu   sync.Mutex
	msgs []Stored // oldest first
}

// NewMailbox returns a mailbox keeping the newest max messages (default 200).
func NewMailbox(log *slog.Logger, max int) *Mailbox {
	if log == nil {
		log = slog.Default()
	}
	if max <= 0 {
		max = 200
	}
	return &Mailbox{log: log, max: max}
}

// Send stores m. A message whose ID is already stored is not stored again:
// the outbox may deliver an event twice.
func (b *Mailbox) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if m.ID != uuid.Nil {
		for i := range b.msgs {
			if b.msgs[i].ID == m.ID {
				return nil
			}
		}
	} else {
		m.ID = uuid.Must(uuid.NewV7())
	}
	b.msgs = append(b.msgs, Stored{ID: m.ID, At: time.Now().UTC(), Message: m})
	if over := len(b.msgs) - b.max; over > 0 {
		// Copy down rather than reslice, so the backing array stays bounded.
		b.msgs = append(b.msgs[:0], b.msgs[over:]...)
	}
	// SECURITY: never the body; it holds reset and invite tokens.
	b.log.InfoContext(ctx, "mail kept in the dev mailbox", "to", m.To, "subject", m.Subject,
		"kind", m.Kind, "tenant_id", m.TenantID, "mail_id", m.ID)
	return nil
}

// List returns stored messages newest first, only those to the address to
// when it is not empty (compared case-insensitively, display names ignored).
func (b *Mailbox) List(to string) []Stored {
	want := address(to)
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Stored, 0, len(b.msgs))
	for i := len(b.msgs) - 1; i >= 0; i-- {
		if want == "" || address(b.msgs[i].To) == want {
			out = append(out, b.msgs[i])
		}
	}
	return out
}

// address reduces "Ann <Ann@Example.com>" to "ann@example.com".
func address(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	return strings.ToLower(strings.TrimSpace(s))
}
