package tenant

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// APIKey is an integration credential bound to one role. Its secret is shown
// once at creation and stored only as a hash (T4, U5).
type APIKey struct {
	ID         uuid.UUID
	Name       string
	Prefix     string
	Role       string
	CreatedBy  uuid.UUID
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func toKey(r *apiKeyRow) APIKey {
	return APIKey{ID: r.ID, Name: r.Name, Prefix: r.Prefix, Role: r.Role, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

// CreateAPIKey makes a key bound to role and returns it with its raw secret.
func (s *Service) CreateAPIKey(ctx context.Context, name, role string) (APIKey, string, error) {
	f := errs.Fields{}
	name = checkName(f, "name", name, 100)
	if err := f.Err(); err != nil {
		return APIKey{}, "", err
	}
	if err := s.checkGrant(ctx, "role", []string{role}); err != nil {
		return APIKey{}, "", err
	}
	p, _ := PrincipalFrom(ctx)
	raw, prefix, hash := NewAPIKey(p.TenantID)
	row := &apiKeyRow{ID: newID(), Name: name, Prefix: prefix, SecretHash: hash, Role: role, CreatedBy: p.ID, CreatedAt: now()}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if p.Kind != KindUser {
			return errs.E(errs.Forbidden, "only staff users create API keys")
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		if err := s.policy.SetRoles(ctx, tx, p.TenantID, KeySubject(row.ID), []string{role}); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "api_key.created", Resource: "api_keys", ResourceID: row.ID.String(),
			After: map[string]any{"name": name, "role": role, "prefix": prefix}})
	})
	if err != nil {
		return APIKey{}, "", err
	}
	return toKey(row), raw, nil
}

// ListAPIKeys returns a page of the tenant's keys (never secrets).
func (s *Service) ListAPIKeys(ctx context.Context, page Page) ([]APIKey, error) {
	var rows []apiKeyRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return page.apply(tx.NewSelect().Model(&rows), "k.id").Scan(ctx)
	})
	out := make([]APIKey, len(rows))
	for i := range rows {
		out[i] = toKey(&rows[i])
	}
	return out, err
}

// RevokeAPIKey stops a key at once.
func (s *Service) RevokeAPIKey(ctx context.Context, id uuid.UUID) error {
	p, _ := PrincipalFrom(ctx)
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewUpdate().Model((*apiKeyRow)(nil)).Set("revoked_at = ?", now()).
			Where("k.id = ?", id).Where("k.revoked_at IS NULL").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "API key not found")
		}
		if err := s.policy.RemoveSubject(ctx, tx, p.TenantID, KeySubject(id)); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "api_key.revoked", Resource: "api_keys", ResourceID: id.String()})
	})
}

// authenticateKey resolves a raw bearer key to its principal. The tenant is
// read from the key itself and the lookup runs inside that tenant only.
func (s *Service) authenticateKey(ctx context.Context, raw string) (Principal, error) {
	tid, hash, ok := ParseAPIKey(raw)
	if !ok {
		return Principal{}, errs.E(errs.Unauthenticated, "invalid API key")
	}
	var row apiKeyRow
	ctx = WithTenant(ctx, tid)
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("k.secret_hash = ?", hash).Scan(ctx); err != nil {
			return err
		}
		active, err := tx.NewSelect().Model((*tenantRow)(nil)).Where("t.id = ?", tid).Where("t.status = 'active'").Exists(ctx)
		if err != nil || !active {
			return errs.E(errs.Unauthenticated, "invalid API key")
		}
		if subtle.ConstantTimeCompare([]byte(row.SecretHash), []byte(hash)) != 1 || row.RevokedAt != nil {
			return errs.E(errs.Unauthenticated, "invalid API key")
		}
		// Record last use at most once a minute: not a write per request.
		if row.LastUsedAt == nil || time.Since(*row.LastUsedAt) > time.Minute {
			_, err := tx.NewUpdate().Model((*apiKeyRow)(nil)).Set("last_used_at = ?", now()).Where("k.id = ?", row.ID).Exec(ctx)
			return err
		}
		return nil
	})
	if err != nil {
		return Principal{}, errs.E(errs.Unauthenticated, "invalid API key")
	}
	return Principal{TenantID: tid, Kind: KindAPIKey, ID: row.ID, Subject: KeySubject(row.ID), Name: row.Name}, nil
}
