package events

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant/tenanttest"
)

func TestMain(m *testing.M) { tenanttest.Main(m) }

// testDB returns a migrated database with an empty outbox. On PostgreSQL the
// package's tests share one database and run one at a time, so each starts
// from a clean table.
func testDB(t *testing.T) *bun.DB {
	t.Helper()
	d := tenanttest.DB(t)
	if _, err := d.NewDelete().Model((*outboxRow)(nil)).Where("1 = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// newTenant inserts a tenant row: outbox_events.tenant_id references tenants.
func newTenant(t *testing.T, d *bun.DB) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	_, err := d.ExecContext(context.Background(),
		"INSERT INTO tenants (id, slug, name, trial_ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		id.String(), "t-"+id.String(), "Tenant", now, now, now)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// clock is a settable time source for the relay, so backoff and lock expiry
// are tested without sleeping.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().UTC().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

func newTestRelay(d *bun.DB, opt RelayOptions) (*Relay, *clock) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler) // failures are asserted, not read
	}
	r := NewRelay(d, opt)
	c := &clock{}
	r.now = c.now
	return r, c
}

// publish commits one event in its own transaction.
func publish(t *testing.T, d *bun.DB, tenantID uuid.UUID, topic string, payload any) {
	t.Helper()
	err := d.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return Publish(ctx, tx, tenantID, topic, payload)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rowsOf(t *testing.T, d *bun.DB, topic string) []outboxRow {
	t.Helper()
	var rows []outboxRow
	if err := d.NewSelect().Model(&rows).Where("topic = ?", topic).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rows
}

func onlyRow(t *testing.T, d *bun.DB, topic string) outboxRow {
	t.Helper()
	rows := rowsOf(t, d, topic)
	if len(rows) != 1 {
		t.Fatalf("want 1 %s row, got %d", topic, len(rows))
	}
	return rows[0]
}

// recorder is a handler that remembers what it was given.
type recorder struct {
	mu     sync.Mutex
	events []Event
	err    error
}

func (r *recorder) handle(_ context.Context, e Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return r.err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func runOnce(t *testing.T, r *Relay) {
	t.Helper()
	if _, err := r.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCommittedEventDispatchedOnce(t *testing.T) {
	d := testDB(t)
	tid := newTenant(t, d)
	publish(t, d, tid, "order.placed", map[string]int{"n": 7})

	var rec recorder
	r, _ := newTestRelay(d, RelayOptions{})
	r.Handle("order.placed", rec.handle)
	runOnce(t, r)
	runOnce(t, r)

	if rec.count() != 1 {
		t.Fatalf("handled %d times, want 1", rec.count())
	}
	e := rec.events[0]
	if e.TenantID != tid || e.Topic != "order.placed" || e.Attempts != 1 || e.ID.Version() != 7 || e.CreatedAt.IsZero() {
		t.Fatalf("event = %+v", e)
	}
	var p map[string]int
	if err := json.Unmarshal(e.Payload, &p); err != nil || p["n"] != 7 {
		t.Fatalf("payload %s: %v", e.Payload, err)
	}
	row := onlyRow(t, d, "order.placed")
	if row.Status != statusDone || row.DoneAt == nil || row.LockedUntil != nil || row.Attempts != 1 {
		t.Fatalf("row = %+v", row)
	}
}

func TestRolledBackEventNeverDispatched(t *testing.T) {
	d := testDB(t)
	tid := newTenant(t, d)
	boom := errors.New("business rule failed")
	err := d.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		if err := Publish(ctx, tx, tid, "order.placed", "x"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var rec recorder
	r, _ := newTestRelay(d, RelayOptions{})
	r.Handle("order.placed", rec.handle)
	runOnce(t, r)
	if rec.count() != 0 || len(rowsOf(t, d, "order.placed")) != 0 {
		t.Fatalf("rolled-back event exists or was handled (%d)", rec.count())
	}
}

func TestPublishRejectsBadInput(t *testing.T) {
	d := testDB(t)
	ctx := context.Background()
	if err := Publish(ctx, d, uuid.Nil, "", nil); err == nil {
		t.Fatal("empty topic accepted")
	}
	if err := Publish(ctx, d, uuid.Nil, "x", func() {}); err == nil {
		t.Fatal("unencodable payload accepted")
	}
}

func TestPlatformEventAndBind(t *testing.T) {
	d := testDB(t)
	tid := newTenant(t, d)
	publish(t, d, tid, "tenant.event", 1)
	publish(t, d, uuid.Nil, "platform.event", 2)

	type key struct{}
	var bound []uuid.UUID
	r, _ := newTestRelay(d, RelayOptions{Bind: func(ctx context.Context, id uuid.UUID) context.Context {
		bound = append(bound, id)
		return context.WithValue(ctx, key{}, id)
	}})
	seen := map[string]any{}
	r.Handle("tenant.event", func(ctx context.Context, e Event) error { seen[e.Topic] = ctx.Value(key{}); return nil })
	r.Handle("platform.event", func(ctx context.Context, e Event) error { seen[e.Topic] = ctx.Value(key{}); return nil })
	runOnce(t, r)

	if len(bound) != 1 || bound[0] != tid {
		t.Fatalf("Bind got %v, want only %v", bound, tid)
	}
	if seen["tenant.event"] != tid {
		t.Fatalf("tenant handler ran under %v", seen["tenant.event"])
	}
	if v, ok := seen["platform.event"]; !ok || v != nil {
		t.Fatalf("platform handler ran under %v (ran: %v)", v, ok)
	}
	if row := onlyRow(t, d, "platform.event"); row.TenantID != nil {
		t.Fatalf("platform event stored tenant %v", row.TenantID)
	}
}

func TestTopicWithoutHandlerMarkedDone(t *testing.T) {
	d := testDB(t)
	publish(t, d, uuid.Nil, "nobody.listens", nil)
	r, _ := newTestRelay(d, RelayOptions{})
	runOnce(t, r)
	if row := onlyRow(t, d, "nobody.listens"); row.Status != statusDone {
		t.Fatalf("status %s", row.Status)
	}
}

func TestSecondHandlerForTopicPanics(t *testing.T) {
	r := NewRelay(testDB(t), RelayOptions{})
	r.Handle("a", func(context.Context, Event) error { return nil })
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	r.Handle("a", func(context.Context, Event) error { return nil })
}

func TestPurgeRemovesOldDoneOnly(t *testing.T) {
	d := testDB(t)
	publish(t, d, uuid.Nil, "ok", nil)
	publish(t, d, uuid.Nil, "bad", nil)
	publish(t, d, uuid.Nil, "later", nil)
	r, c := newTestRelay(d, RelayOptions{MaxAttempts: 1})
	r.Handle("ok", func(context.Context, Event) error { return nil })
	r.Handle("bad", func(context.Context, Event) error { return errors.New("no") })
	runOnce(t, r)
	// "later" was handled too (no handler → done); publish another, pending one.
	publish(t, d, uuid.Nil, "pending", nil)

	if n, err := r.Purge(context.Background(), time.Hour); err != nil || n != 0 {
		t.Fatalf("purged %d young events (%v)", n, err)
	}
	c.advance(2 * time.Hour)
	if n, err := r.Purge(context.Background(), time.Hour); err != nil || n != 2 {
		t.Fatalf("purged %d, want 2 (%v)", n, err)
	}
	if len(rowsOf(t, d, "bad")) != 1 || len(rowsOf(t, d, "pending")) != 1 {
		t.Fatal("purge removed a dead or pending event")
	}
}

func TestDefaultBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 13: time.Hour, 40: time.Hour} {
		for range 50 {
			if d := DefaultBackoff(attempt); d < want/2 || d > want {
				t.Fatalf("attempt %d: %v not in [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}
