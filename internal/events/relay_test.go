package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/uptrace/bun"

	"nexo/tenant/tenanttest"
)

func TestFailingHandlerRetriedWithBackoffThenDead(t *testing.T) {
	d := testDB(t)
	publish(t, d, newTenant(t, d), "flaky", nil)
	var mu sync.Mutex
	var backoffs []int
	reg := prometheus.NewRegistry()
	r, c := newTestRelay(d, RelayOptions{MaxAttempts: 3, Metrics: reg, Backoff: func(n int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		backoffs = append(backoffs, n)
		return time.Duration(n) * time.Minute
	}})
	rec := &recorder{err: errors.New("smtp down")}
	r.Handle("flaky", rec.handle)

	runOnce(t, r)
	row := onlyRow(t, d, "flaky")
	if row.Status != statusPending || row.Attempts != 1 || row.LastError != "smtp down" || row.LockedUntil != nil {
		t.Fatalf("after 1st failure: %+v", row)
	}
	// Real time passes between the failure and this read (1 s was too
	// little to spare on a loaded machine); the next backoff is 2 min.
	if wait := row.NextAttemptAt.Sub(c.now()); wait < 50*time.Second || wait > time.Minute {
		t.Fatalf("next attempt in %v, want 1m", wait)
	}
	runOnce(t, r) // not due yet
	if rec.count() != 1 {
		t.Fatalf("retried before the backoff elapsed (%d calls)", rec.count())
	}
	for i := 2; i <= 3; i++ {
		c.advance(time.Duration(i-1)*time.Minute + time.Second)
		runOnce(t, r)
		if rec.count() != i || rec.events[i-1].Attempts != i {
			t.Fatalf("attempt %d: %d calls, events %+v", i, rec.count(), rec.events)
		}
	}
	row = onlyRow(t, d, "flaky")
	if row.Status != statusDead || row.Attempts != 3 || row.LastError != "smtp down" {
		t.Fatalf("after MaxAttempts: %+v", row)
	}
	c.advance(24 * time.Hour)
	runOnce(t, r)
	if rec.count() != 3 {
		t.Fatal("dead event was delivered again")
	}
	if fmt.Sprint(backoffs) != "[1 2]" {
		t.Fatalf("backoff asked for attempts %v", backoffs)
	}
	failed := value(r.metrics.fail.WithLabelValues("flaky"))
	dead := value(r.metrics.dl.WithLabelValues("flaky"))
	if failed != 3 || dead != 1 {
		t.Fatalf("metrics failed=%v dead=%v", failed, dead)
	}
}

func TestPermanentErrorGoesDeadAtOnce(t *testing.T) {
	d := testDB(t)
	publish(t, d, uuid.Nil, "malformed", nil)
	r, _ := newTestRelay(d, RelayOptions{})
	var calls int
	r.Handle("malformed", func(context.Context, Event) error {
		calls++
		return fmt.Errorf("decode: %w", Permanent(errors.New("bad payload")))
	})
	runOnce(t, r)
	row := onlyRow(t, d, "malformed")
	if calls != 1 || row.Status != statusDead || row.LastError != "decode: bad payload" {
		t.Fatalf("calls %d, row %+v", calls, row)
	}
	if Permanent(nil) != nil || IsPermanent(errors.New("x")) {
		t.Fatal("Permanent(nil) or IsPermanent of a plain error")
	}
}

func TestPanickingHandlerIsAFailure(t *testing.T) {
	d := testDB(t)
	publish(t, d, uuid.Nil, "explodes", nil)
	publish(t, d, uuid.Nil, "fine", nil)
	r, _ := newTestRelay(d, RelayOptions{})
	r.Handle("explodes", func(context.Context, Event) error { panic("boom") })
	var rec recorder
	r.Handle("fine", rec.handle)

	runOnce(t, r)
	row := onlyRow(t, d, "explodes")
	if row.Status != statusPending || !strings.HasPrefix(row.LastError, "panic: boom") {
		t.Fatalf("row after panic: %+v", row)
	}
	if rec.count() != 1 || onlyRow(t, d, "fine").Status != statusDone {
		t.Fatal("the event after the panicking one was not handled")
	}
}

// TestGracefulShutdownFinishesEventInHand cancels Run while a handler runs:
// the handler keeps a live context and finishes, its outcome is recorded, the
// rest of the batch is handed back untouched, and Run returns.
func TestGracefulShutdownFinishesEventInHand(t *testing.T) {
	d := testDB(t)
	publish(t, d, uuid.Nil, "slow", 1)
	publish(t, d, uuid.Nil, "slow", 2)
	r, _ := newTestRelay(d, RelayOptions{PollEvery: time.Hour})
	started, release := make(chan struct{}), make(chan struct{})
	var handlerErr error
	var calls int
	r.Handle("slow", func(ctx context.Context, e Event) error {
		calls++
		close(started)
		<-release
		handlerErr = ctx.Err()
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) with a handler in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	if handlerErr != nil || calls != 1 {
		t.Fatalf("handler ctx err %v, calls %d", handlerErr, calls)
	}
	rows := rowsOf(t, d, "slow")
	if rows[0].Status != statusDone {
		t.Fatalf("in-flight event not recorded: %+v", rows[0])
	}
	if rows[1].Status != statusPending || rows[1].LockedUntil != nil || rows[1].Attempts != 0 {
		t.Fatalf("unstarted event not released: %+v", rows[1])
	}
}

// TestKilledRelayEventDeliveredAgain: relay A claims an event and hangs in
// its handler (as a killed process would never report back). Relay B leaves
// the event alone while A's lock holds and delivers it once the lock has
// expired; A's late outcome then cannot overwrite B's.
func TestKilledRelayEventDeliveredAgain(t *testing.T) {
	d := testDB(t)
	publish(t, d, newTenant(t, d), "mail", nil)
	a, _ := newTestRelay(d, RelayOptions{})
	started, release := make(chan struct{}), make(chan struct{})
	a.Handle("mail", func(context.Context, Event) error {
		close(started)
		<-release
		return errors.New("late failure from the dead relay")
	})
	aDone := make(chan struct{})
	go func() { defer close(aDone); _, _ = a.RunOnce(context.Background()) }()
	<-started

	b, bClock := newTestRelay(d, RelayOptions{})
	var rec recorder
	b.Handle("mail", rec.handle)
	runOnce(t, b)
	if rec.count() != 0 {
		t.Fatal("B took an event A still holds")
	}
	bClock.advance(2 * time.Minute)
	runOnce(t, b)
	if rec.count() != 1 || rec.events[0].Attempts != 2 {
		t.Fatalf("B: %d deliveries, events %+v", rec.count(), rec.events)
	}
	close(release)
	<-aDone
	if row := onlyRow(t, d, "mail"); row.Status != statusDone || row.LastError != "" {
		t.Fatalf("A's stale outcome overwrote B's: %+v", row)
	}
}

// TestAbandonedLastAttemptGoesDead: an event whose last allowed attempt
// never reported back (it may be what kills the relay) is not run again.
func TestAbandonedLastAttemptGoesDead(t *testing.T) {
	d := testDB(t)
	publish(t, d, uuid.Nil, "poison", nil)
	r, c := newTestRelay(d, RelayOptions{MaxAttempts: 1})
	var rec recorder
	r.Handle("poison", rec.handle)
	if _, _, err := r.claim(context.Background()); err != nil { // claim, then "crash"
		t.Fatal(err)
	}
	c.advance(2 * time.Minute)
	runOnce(t, r)
	row := onlyRow(t, d, "poison")
	if rec.count() != 0 || row.Status != statusDead || !strings.Contains(row.LastError, "abandoned") {
		t.Fatalf("calls %d, row %+v", rec.count(), row)
	}
}

// TestConcurrentRelaysHandleEachEventOnce runs several relays (instances) at
// once; on PostgreSQL they claim with SKIP LOCKED over a connection pool.
func TestConcurrentRelaysHandleEachEventOnce(t *testing.T) {
	d := testDB(t)
	const events, relays = 300, 4
	err := d.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range events {
			if err := Publish(ctx, tx, uuid.Nil, "count", i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	all := make(chan struct{})
	handler := func(_ context.Context, e Event) error {
		time.Sleep(time.Millisecond) // widen the window for overlapping claims
		mu.Lock()
		defer mu.Unlock()
		seen[e.ID]++
		if len(seen) == events {
			close(all)
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range relays {
		r, _ := newTestRelay(d, RelayOptions{Batch: 7, PollEvery: 5 * time.Millisecond})
		r.Handle("count", handler)
		wg.Go(func() { _ = r.Run(ctx) })
	}
	select {
	case <-all:
	case <-time.After(30 * time.Second):
		t.Error("timed out before every event was handled")
	}
	cancel()
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %v handled %d times", id, n)
		}
	}
	if tenanttest.Postgres() {
		t.Logf("PostgreSQL: %d events over %d relays", len(seen), relays)
	}
}

func value(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
