package events

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"nexo/internal/db"
)

// RelayOptions tunes a Relay. Zero values take the documented defaults.
type RelayOptions struct {
	// Bind returns ctx bound to the event's tenant, so consumers run under
	// it (tenant-bound DB, RLS, cache keys). It is not called for platform
	// events (uuid.Nil). Without it handlers get no tenant at all.
	Bind func(ctx context.Context, tenantID uuid.UUID) context.Context
	// Logger receives failures and dead letters (default slog.Default()).
	Logger *slog.Logger
	// PollEvery is the idle wait between polls (default 500ms); Kick cuts it short.
	PollEvery time.Duration
	// Batch is how many events one claim takes (default 50).
	Batch int
	// MaxAttempts is how many deliveries an event gets before it is marked
	// dead (default 10).
	MaxAttempts int
	// Backoff is the delay after failed attempt n (1-based); default
	// exponential from 1s with jitter, capped at 1h.
	Backoff func(attempt int) time.Duration
	// LockFor is how long a claim lasts (default 1 min). A handler's context
	// expires before its claim does, so it cannot overlap a redelivery
	// unless it ignores its context. Locks are stamped with each instance's
	// clock: instances must agree on the time to well within LockFor.
	LockFor time.Duration
	// Metrics, when set, receives the nexo_outbox_*_total counters.
	Metrics prometheus.Registerer
}

// Relay claims committed events and dispatches them to handlers.
type Relay struct {
	bun      *bun.DB
	pg       bool
	opt      RelayOptions
	log      *slog.Logger
	metrics  *relayMetrics
	kick     chan struct{}
	now      func() time.Time // swapped by tests to expire locks without sleeping
	mu       sync.RWMutex
	handlers map[string]Handler
}

// NewRelay returns a relay over d; register handlers, then Run it.
func NewRelay(d *bun.DB, opt RelayOptions) *Relay {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.PollEvery <= 0 {
		opt.PollEvery = 500 * time.Millisecond
	}
	if opt.Batch <= 0 {
		opt.Batch = 50
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 10
	}
	if opt.Backoff == nil {
		opt.Backoff = DefaultBackoff
	}
	if opt.LockFor <= 0 {
		opt.LockFor = time.Minute
	}
	return &Relay{
		bun: d, pg: db.DialectOf(d) == db.Postgres, opt: opt, log: opt.Logger,
		metrics: newRelayMetrics(opt.Metrics), kick: make(chan struct{}, 1),
		now: func() time.Time { return time.Now().UTC() }, handlers: map[string]Handler{},
	}
}

// DefaultBackoff waits about 2^(attempt-1) seconds, capped at one hour, with
// jitter (between half and all of it) so that events failing together, say
// during an SMTP outage, do not all retry in the same instant.
func DefaultBackoff(attempt int) time.Duration {
	const limit = time.Hour
	d := limit
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 13 { // 2^12 s > 1h
		d = min(time.Second<<(attempt-1), limit)
	}
	return d/2 + rand.N(d/2+1)
}

// Handle registers h for topic. One handler per topic keeps retries simple:
// a failure retries exactly the consumer that failed. Registering a topic
// twice is a wiring bug and panics, as http.ServeMux does.
func (r *Relay) Handle(topic string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.handlers[topic]; dup {
		panic("events: second handler for topic " + topic)
	}
	r.handlers[topic] = h
}

// Kick wakes Run at once instead of at the next poll; call it after a commit
// that published events. It never blocks.
func (r *Relay) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run dispatches events until ctx is cancelled, then returns ctx.Err(). The
// event in hand when ctx ends is finished and recorded, the rest of its batch
// is released for the next relay, so a shutdown loses nothing (F3).
// Database errors are logged and retried at the poll interval: the relay
// outlives a database restart (F2).
func (r *Relay) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := r.RunOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			r.log.ErrorContext(ctx, "outbox: claim failed", "err", err)
		}
		if err == nil && n == r.opt.Batch {
			continue // more may be due; do not wait
		}
		timer.Reset(r.opt.PollEvery)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.kick:
		case <-timer.C:
		}
	}
}

// RunOnce claims one batch of due events and dispatches it, returning how
// many events it handled. Tests drive the relay with it.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	start := time.Now()
	rows, lock, err := r.claim(ctx)
	if err != nil {
		return 0, err
	}
	for i := range rows {
		// Stop starting events once the batch has used half its lock (later
		// ones would get too little time) or on shutdown; hand the rest back.
		if ctx.Err() != nil || time.Since(start) > r.opt.LockFor/2 {
			r.release(ctx, rows[i:], lock)
			return i, ctx.Err()
		}
		r.dispatch(ctx, &rows[i], lock, start)
	}
	return len(rows), nil
}

// Purge deletes done events finished more than olderThan ago and reports how
// many it removed. Dead events stay for inspection.
func (r *Relay) Purge(ctx context.Context, olderThan time.Duration) (int, error) {
	res, err := r.bun.NewDelete().Model((*outboxRow)(nil)).
		Where("status = ?", statusDone).Where("done_at < ?", r.now().Add(-olderThan)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("events: purge: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// dispatch runs one claimed event's handler and records the outcome.
func (r *Relay) dispatch(runCtx context.Context, row *outboxRow, lock, claimedAt time.Time) {
	e := row.toEvent()
	log := r.log.With("event_id", e.ID, "topic", e.Topic, "tenant_id", e.TenantID, "attempt", e.Attempts)
	// The handler and the bookkeeping after it must survive Run's ctx being
	// cancelled (graceful shutdown finishes the event in hand).
	base := context.WithoutCancel(runCtx)
	if e.Attempts > r.opt.MaxAttempts {
		// The last allowed attempt never reported back (relay killed, maybe
		// by this very event): do not run it again.
		r.metrics.dead(e.Topic)
		r.finish(base, log, row, lock, statusDead, "abandoned: the relay stopped during its last attempt")
		return
	}
	r.mu.RLock()
	h := r.handlers[e.Topic]
	r.mu.RUnlock()
	if h == nil {
		// Nobody consumes this topic in this binary; keeping it pending
		// forever would only grow the table.
		r.finish(base, log, row, lock, statusDone, "")
		return
	}
	err := r.call(base, h, e, claimedAt)
	switch {
	case err == nil:
		r.metrics.dispatched(e.Topic)
		r.finish(base, log, row, lock, statusDone, "")
	case e.Attempts >= r.opt.MaxAttempts || IsPermanent(err):
		log.WarnContext(base, "outbox: handler failed", "err", err)
		r.metrics.failed(e.Topic)
		r.metrics.dead(e.Topic)
		r.finish(base, log, row, lock, statusDead, err.Error())
	default:
		log.WarnContext(base, "outbox: handler failed, will retry", "err", err)
		r.metrics.failed(e.Topic)
		r.finish(base, log, row, lock, statusPending, err.Error())
	}
}

// call runs h under the event's tenant with a deadline that falls before the
// claim expires, so a handler that honours its context never overlaps a
// redelivery of the same event.
func (r *Relay) call(ctx context.Context, h Handler, e Event, claimedAt time.Time) error {
	ctx, cancel := context.WithDeadline(ctx, claimedAt.Add(r.opt.LockFor*9/10))
	defer cancel()
	if e.TenantID != uuid.Nil && r.opt.Bind != nil {
		ctx = r.opt.Bind(ctx, e.TenantID)
	}
	return safeCall(ctx, h, e)
}

// safeCall runs h, turning a panic into an error so one bad event cannot
// crash the worker; the stack goes into the error for last_error and logs.
func safeCall(ctx context.Context, h Handler, e Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, e)
}
