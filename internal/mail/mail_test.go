package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/events"
	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

var quiet = slog.New(slog.DiscardHandler)

func TestMailbox(t *testing.T) {
	b := NewMailbox(quiet, 3)
	ctx := context.Background()
	for i := range 5 {
		to := fmt.Sprintf("user%d@example.com", i%2)
		if err := b.Send(ctx, Message{To: to, Subject: fmt.Sprint(i), Text: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	all := b.List("")
	if len(all) != 3 || all[0].Subject != "4" || all[2].Subject != "2" {
		t.Fatalf("List() = %+v, want the newest 3, newest first", all)
	}
	if all[0].ID == uuid.Nil || all[0].At.IsZero() {
		t.Fatalf("stored without id or time: %+v", all[0])
	}
	mine := b.List("User0 <USER0@example.com>")
	if len(mine) != 2 || mine[0].Subject != "4" || mine[1].Subject != "2" {
		t.Fatalf("List(user0) = %+v", mine)
	}
	if len(b.List("nobody@example.com")) != 0 {
		t.Fatal("filter matched a stranger")
	}

	id := uuid.Must(uuid.NewV7())
	for range 2 { // a redelivered event is stored once
		if err := b.Send(ctx, Message{ID: id, To: "dup@example.com", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.List("dup@example.com"); len(got) != 1 || got[0].ID != id {
		t.Fatalf("redelivery stored %d times", len(got))
	}
	if err := b.Send(ctx, Message{To: "bad", Text: "t"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid message: %v", err)
	}
	if NewMailbox(nil, 0).max != 200 {
		t.Fatal("default size")
	}
}

func TestValidate(t *testing.T) {
	for name, m := range map[string]Message{
		"no recipient":         {Text: "t"},
		"bad recipient":        {To: "not-an-address", Text: "t"},
		"header injection to":  {To: "a@example.com\r\nBcc: x@evil.test", Text: "t"},
		"header injection sub": {To: "a@example.com", Subject: "hi\nBcc: x@evil.test", Text: "t"},
		"empty body":           {To: "a@example.com", Subject: "s"},
	} {
		if err := m.validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (Message{To: "Ann <a@example.com>", HTML: "<p>x</p>"}).validate(); err != nil {
		t.Fatal(err)
	}
}

// senderFunc adapts a function to Sender.
type senderFunc func(context.Context, Message) error

func (f senderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

func TestHandler(t *testing.T) {
	tid, other := uuid.New(), uuid.New()
	ev := func(payload string) events.Event {
		return events.Event{ID: uuid.Must(uuid.NewV7()), TenantID: tid, Topic: EventTopic, Payload: json.RawMessage(payload), Attempts: 1}
	}
	var got []Message
	ok := Handler(senderFunc(func(_ context.Context, m Message) error { got = append(got, m); return nil }))

	for name, payload := range map[string]string{
		"not json":      `{"to":`,
		"wrong type":    `{"to": 42}`,
		"invalid":       `{"to": "a@example.com"}`,
		"no recipient":  `{"subject": "s", "text": "t"}`,
		"json null obj": `null`,
	} {
		if err := ok(context.Background(), ev(payload)); !events.IsPermanent(err) {
			t.Errorf("%s: err = %v, want permanent", name, err)
		}
	}
	if len(got) != 0 {
		t.Fatalf("sent %d undecodable messages", len(got))
	}

	e := ev(fmt.Sprintf(`{"to":"a@example.com","subject":"s","text":"t","kind":"invite","tenant_id":%q}`, other))
	if err := ok(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != e.ID || got[0].TenantID != tid || got[0].Kind != "invite" || got[0].To != "a@example.com" {
		t.Fatalf("sent %+v", got)
	}

	down := errors.New("connection refused")
	failing := Handler(senderFunc(func(context.Context, Message) error { return down }))
	if err := failing(context.Background(), e); !errors.Is(err, down) || events.IsPermanent(err) {
		t.Fatalf("sender error: %v", err)
	}
	if err := Handler(nil)(context.Background(), e); err == nil || events.IsPermanent(err) {
		t.Fatalf("nil sender: %v", err)
	}
}

// TestEnqueueThroughRelay: Enqueue in a committed transaction reaches the
// mailbox through the outbox; an invalid message fails the transaction.
func TestEnqueueThroughRelay(t *testing.T) {
	d := tenanttest.DB(t)
	ctx := context.Background()
	tid := uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	if _, err := d.ExecContext(ctx, "INSERT INTO tenants (id, slug, name, trial_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		tid.String(), "mail-"+tid.String(), "Mail Co", now, now, now); err != nil {
		t.Fatal(err)
	}
	to := "invitee-" + tid.String() + "@example.com"
	err := d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return Enqueue(ctx, tx, tid, Message{To: to, Subject: "Join", Text: "link", Kind: "invite"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return Enqueue(ctx, tx, tid, Message{To: "broken", Text: "x"})
	})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid enqueue: %v", err)
	}

	box := NewMailbox(quiet, 10)
	r := events.NewRelay(d, events.RelayOptions{Logger: quiet})
	r.Handle(EventTopic, Handler(box))
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := box.List(to)
	if len(got) != 1 || got[0].TenantID != tid || got[0].Kind != "invite" || got[0].Subject != "Join" {
		t.Fatalf("mailbox = %+v", got)
	}
	if len(box.List("")) != 1 {
		t.Fatalf("the invalid message was published: %+v", box.List(""))
	}
}
