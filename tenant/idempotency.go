package tenant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// errRolledBack aborts the request's transaction after a 5xx response.
var errRolledBack = errors.New("idempotency: handler failed, rolled back")

// Idempotency makes creating POSTs safe to retry (I4, M3). With an
// Idempotency-Key header the whole request runs in one transaction that also
// records the key; the handler's services join it. The same key and body
// replay the stored response; a different body is refused (422); a
// concurrent duplicate waits on the key's row and then replays, so there is
// one effect. Errors roll everything back, so a retry runs afresh.
func (s *Service) Idempotency() fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get("Idempotency-Key")
		if key == "" || c.Method() != fiber.MethodPost {
			return c.Next()
		}
		if len(key) > 255 {
			return errs.Field("Idempotency-Key", "must be at most 255 characters")
		}
		ctx := c.UserContext()
		scope := "anon"
		if p, ok := PrincipalFrom(ctx); ok {
			scope = "t:" + p.TenantID.String() + ":" + p.Subject
		}
		// The query is part of the request (POST /imports?dry_run=false is
		// not the dry run of the same file), so it is part of the hash.
		sum := sha256.Sum256(append([]byte(c.Method()+" "+c.OriginalURL()+"\n"), c.Body()...))
		hash := hex.EncodeToString(sum[:])
		if done, err := s.replay(c, scope, key, hash); done || err != nil {
			return err
		}
		run := s.db.Platform
		if _, ok := FromContext(ctx); ok {
			run = s.db.Run
		}
		var handlerErr error
		err := run(ctx, func(ctx context.Context, tx bun.IDB) error {
			row := &idempotencyRow{Scope: scope, Key: key, RequestHash: hash, Body: []byte{}, CreatedAt: now()}
			if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
				return err
			}
			c.SetUserContext(ctx)
			if handlerErr = c.Next(); handlerErr != nil {
				return handlerErr
			}
			if c.Response().StatusCode() >= 500 {
				return errRolledBack
			}
			row.Status = c.Response().StatusCode()
			row.Body = append([]byte(nil), c.Response().Body()...)
			row.ContentType = string(c.Response().Header.ContentType())
			_, err := tx.NewUpdate().Model(row).Column("status", "body", "content_type").WherePK().Exec(ctx)
			return err
		})
		c.SetUserContext(ctx) // drop the finished transaction from the request
		switch {
		case handlerErr != nil:
			return handlerErr
		case errs.Is(err, errs.Conflict):
			// A concurrent request with the same key committed first.
			if done, rerr := s.replay(c, scope, key, hash); done || rerr != nil {
				return rerr
			}
			return errs.E(errs.Conflict, "a request with this Idempotency-Key is in progress")
		case errors.Is(err, errRolledBack):
			return nil // the handler's 5xx response stands; nothing was stored
		}
		return err
	}
}

// replay answers from a stored record; done reports whether it did.
func (s *Service) replay(c *fiber.Ctx, scope, key, hash string) (bool, error) {
	var row idempotencyRow
	err := s.db.Platform(c.UserContext(), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("scope = ? AND key = ?", scope, key).Scan(ctx)
	})
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if row.RequestHash != hash {
		return true, errs.E(errs.FailedPrecondition, "this Idempotency-Key was used with a different request")
	}
	c.Status(row.Status)
	c.Set("Idempotent-Replayed", "true")
	if row.ContentType != "" {
		c.Set(fiber.HeaderContentType, row.ContentType)
	}
	return true, c.Send(row.Body)
}
