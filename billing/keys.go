package billing

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// withKey makes one Stripe call that creates or changes something (S3).
// The idempotency key for (op, fingerprint) is saved and committed before
// the call; a row already there was left by a call whose outcome is unknown
// (a crash, a timeout), so its key is reused and Stripe replays that call
// instead of acting twice. After a success (with save, in one transaction)
// or a definite refusal the row goes, so the next call is a new one.
func (s *Service) withKey(ctx context.Context, op, fingerprint string, call func(key string) error,
	save func(ctx context.Context, tx bun.IDB) error) error {
	kctx := s.ownTx(ctx)
	key, err := s.reserveKey(kctx, op, fingerprint)
	if err != nil {
		return err
	}
	callErr := call(key)
	if callErr != nil && !definite(callErr) {
		return callErr // outcome unknown: keep the key for the retry
	}
	err = s.db.Run(kctx, func(ctx context.Context, tx bun.IDB) error {
		if callErr == nil && save != nil {
			if err := save(ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.NewDelete().Model((*requestRow)(nil)).
			Where("sr.op = ? AND sr.fingerprint = ?", op, fingerprint).Exec(ctx)
		return err
	})
	if callErr != nil {
		return callErr
	}
	return err
}

func (s *Service) reserveKey(ctx context.Context, op, fingerprint string) (string, error) {
	var key string
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		row := &requestRow{ID: newID(), Op: op, Fingerprint: fingerprint,
			IdempotencyKey: "nexo-" + uuid.NewString(), CreatedAt: now()}
		if _, err := tx.NewInsert().Model(row).On("CONFLICT (tenant_id, op, fingerprint) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model((*requestRow)(nil)).Column("idempotency_key").
			Where("sr.op = ? AND sr.fingerprint = ?", op, fingerprint).Scan(ctx, &key)
	})
	return key, err
}

// ownTx returns a context whose transactions commit on their own, so a
// key is durable before the call (see tenant.DB.OwnTx).
func (s *Service) ownTx(ctx context.Context) context.Context { return s.db.OwnTx(ctx) }
