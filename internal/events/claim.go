package events

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// claimSQL takes up to n due events and stamps a lock on them in a single
// statement, i.e. one short transaction that is never held while a handler
// runs (SQLite has one connection). On PostgreSQL the %s becomes FOR UPDATE
// SKIP LOCKED: concurrent relays each take different rows instead of
// queueing behind each other, and a row that another relay claimed between
// our snapshot and our lock is rechecked and skipped. SQLite's single
// connection serialises claims on its own. attempts counts claims, not
// reported outcomes, so an event that kills its relay still runs out of
// attempts instead of crash-looping the workers forever.
const claimSQL = `WITH due AS (
	SELECT id FROM outbox_events
	WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
	ORDER BY next_attempt_at, id
	LIMIT ?%s
)
UPDATE outbox_events SET locked_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM due)
RETURNING id, tenant_id, topic, payload, status, attempts, next_attempt_at, locked_until, last_error, created_at, done_at`

// bookkeepingTimeout bounds the writes after a handler; they run on a
// context that outlives shutdown, so they need their own limit.
const bookkeepingTimeout = 10 * time.Second

// maxErrorLen caps last_error: a panic stack is useful, a megabyte is not.
const maxErrorLen = 4000

// claim locks a batch of due events and returns them oldest first with the
// lock value, which doubles as our claim token: every later write matches it,
// so a relay whose lock expired and was re-claimed cannot overwrite the
// newer claimant's outcome.
func (r *Relay) claim(ctx context.Context) ([]outboxRow, time.Time, error) {
	now := r.now().Truncate(time.Microsecond)
	lock := now.Add(r.opt.LockFor)
	skip := ""
	if r.pg {
		skip = "\n\tFOR UPDATE SKIP LOCKED"
	}
	var rows []outboxRow
	err := r.bun.NewRaw(fmt.Sprintf(claimSQL, skip), now, now, r.opt.Batch, lock).Scan(ctx, &rows)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("events: claim: %w", err)
	}
	// RETURNING has no order; dispatch in the order events became due.
	slices.SortFunc(rows, func(a, b outboxRow) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return slices.Compare(a.ID[:], b.ID[:])
	})
	return rows, lock, nil
}

// release hands claimed but unstarted events back (shutdown, batch out of
// time) so another relay can take them now rather than when the lock expires.
func (r *Relay) release(ctx context.Context, rows []outboxRow, lock time.Time) {
	if len(rows) == 0 {
		return
	}
	ids := make([]uuid.UUID, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	_, err := r.bun.NewUpdate().Model((*outboxRow)(nil)).
		Set("locked_until = NULL").Set("attempts = attempts - 1").
		Where("id IN (?)", bun.In(ids)).Where("locked_until = ?", lock).Exec(ctx)
	if err != nil {
		// Not lost: the lock expires and the events are claimed again.
		r.log.WarnContext(ctx, "outbox: release failed", "events", len(ids), "err", err)
	}
}

// finish records an attempt's outcome: done, pending (retry after backoff)
// or dead. ctx must not be cancelled by shutdown.
func (r *Relay) finish(ctx context.Context, log *slog.Logger, row *outboxRow, lock time.Time, status, errText string) {
	ctx, cancel := context.WithTimeout(ctx, bookkeepingTimeout)
	defer cancel()
	now := r.now().Truncate(time.Microsecond)
	q := r.bun.NewUpdate().Model((*outboxRow)(nil)).Set("locked_until = NULL").
		Where("id = ?", row.ID).Where("locked_until = ?", lock)
	switch status {
	case statusDone:
		q = q.Set("status = ?", statusDone).Set("done_at = ?", now)
	case statusPending:
		next := now.Add(r.opt.Backoff(row.Attempts)).Truncate(time.Microsecond)
		q = q.Set("next_attempt_at = ?", next).Set("last_error = ?", truncate(errText))
	case statusDead:
		q = q.Set("status = ?", statusDead).Set("last_error = ?", truncate(errText))
		log.ErrorContext(ctx, "outbox: event is dead, no more retries", "err", errText)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		// The lock expires and the event is delivered again: at least once.
		log.ErrorContext(ctx, "outbox: recording outcome failed", "status", status, "err", err)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		log.WarnContext(ctx, "outbox: claim lost before the outcome was recorded (lock expired); the event may be delivered twice",
			"status", status)
	}
}

// truncate cuts s to maxErrorLen bytes on a rune boundary, without NUL
// bytes, which PostgreSQL text cannot hold.
func truncate(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= maxErrorLen {
		return s
	}
	s = s[:maxErrorLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
