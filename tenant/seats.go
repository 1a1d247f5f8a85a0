package tenant

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SeatLimiter decides whether a tenant may have seats staff seats (active
// users plus pending invitations). Implemented by billing, which knows the
// plan; declared here so identity does not import billing.
type SeatLimiter interface {
	CheckSeats(ctx context.Context, tenantID uuid.UUID, seats int) error
	// SeatsChanged is called inside tx after seats may have changed
	// (invitation, revocation, new, deactivated or reactivated user), so the
	// subscription's quantity follows once tx commits (B4).
	SeatsChanged(ctx context.Context, tx bun.IDB) error
}

// UseSeatLimiter installs the plan's seat check (wired once at start-up,
// before serving: billing needs this service to read tenants, so it cannot
// be a constructor argument).
func (s *Service) UseSeatLimiter(l SeatLimiter) { s.seats = l }

// CountSeats returns the seats in use: active users and pending invites.
func (s *Service) CountSeats(ctx context.Context) (int, error) {
	var n int
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		n, err = countSeats(ctx, tx)
		return err
	})
	return n, err
}

func countSeats(ctx context.Context, tx bun.IDB) (int, error) {
	users, err := tx.NewSelect().Model((*userRow)(nil)).Apply(scopeSelect(ctx)).Where("u.status = 'active'").Count(ctx)
	if err != nil {
		return 0, err
	}
	invites, err := tx.NewSelect().Model((*inviteRow)(nil)).Apply(scopeSelect(ctx)).Where("i.accepted_at IS NULL AND i.revoked_at IS NULL").
		Where("i.expires_at > ?", now()).Count(ctx)
	return int(users + invites), err
}

// reserveSeat checks, inside tx, that one more seat fits the plan. On
// PostgreSQL it first locks the tenant row so two concurrent invitations
// cannot both take the last seat.
func (s *Service) reserveSeat(ctx context.Context, tx bun.IDB) error {
	if s.seats == nil {
		return nil
	}
	tid, _ := FromContext(ctx)
	if err := LockTenant(ctx, tx); err != nil {
		return err
	}
	n, err := countSeats(ctx, tx)
	if err != nil {
		return err
	}
	if err := s.seats.CheckSeats(ctx, tid, n+1); err != nil {
		return err
	}
	return s.seats.SeatsChanged(ctx, tx)
}

// releaseSeat tells billing, inside tx, that a seat was freed.
func (s *Service) releaseSeat(ctx context.Context, tx bun.IDB) error {
	if s.seats == nil {
		return nil
	}
	return s.seats.SeatsChanged(ctx, tx)
}

// LockTenant takes the bound tenant's row lock inside tx (PostgreSQL;
// SQLite's single writer serializes anyway). A plan limit is checked by
// counting and then inserting; under this lock two concurrent requests
// cannot both take the last unit.
func LockTenant(ctx context.Context, tx bun.IDB) error {
	tid, ok := FromContext(ctx)
	if !ok {
		return ErrNoTenant
	}
	var id uuid.UUID
	return tx.NewSelect().Model((*tenantRow)(nil)).Column("id").Where("t.id = ?", tid).Apply(forUpdate).Scan(ctx, &id)
}
