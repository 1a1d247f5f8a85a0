package portal

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

type userRow struct {
	bun.BaseModel `bun:"table:portal_users,alias:pu"`
	tenant.Scoped
	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	ContactID    uuid.UUID  `bun:"contact_id,type:uuid"`
	AccountID    uuid.UUID  `bun:"account_id,type:uuid"`
	Email        string     `bun:"email"`
	PasswordHash string     `bun:"password_hash"`
	Status       string     `bun:"status"`
	Locale       string     `bun:"locale"` // "" follows the tenant's language
	NotifyOrders bool       `bun:"notify_orders"`
	InvitedBy    *uuid.UUID `bun:"invited_by,type:uuid"`
	LastLoginAt  *time.Time `bun:"last_login_at"`
	CreatedAt    time.Time  `bun:"created_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
}

func (r *userRow) user() User {
	return User{ID: r.ID, ContactID: r.ContactID, AccountID: r.AccountID, Email: r.Email, Status: r.Status,
		Locale: r.Locale, NotifyOrders: r.NotifyOrders, LastLoginAt: r.LastLoginAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// Token purposes.
const (
	purposeInvite = "invite"
	purposeMagic  = "magic"
)

type tokenRow struct {
	bun.BaseModel `bun:"table:portal_tokens,alias:pt"`
	tenant.Scoped
	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	PortalUserID uuid.UUID  `bun:"portal_user_id,type:uuid"`
	Purpose      string     `bun:"purpose"`
	TokenHash    string     `bun:"token_hash"`
	ExpiresAt    time.Time  `bun:"expires_at"`
	UsedAt       *time.Time `bun:"used_at"`
	CreatedAt    time.Time  `bun:"created_at"`
}

// principalRow is what a request needs of its customer: the portal user,
// active, whose contact still belongs to the bound account, of an active
// tenant.
type principalRow struct {
	bun.BaseModel `bun:"table:portal_users,alias:pu"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Email     string    `bun:"email"`
	AccountID uuid.UUID `bun:"account_id,type:uuid"`
	ContactID uuid.UUID `bun:"contact_id,type:uuid"`
	FirstName string    `bun:"first_name,scanonly"`
	LastName  string    `bun:"last_name,scanonly"`
}

// forUpdate locks the selected row on PostgreSQL; SQLite's single writer
// needs no row lock.
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// noRows reports a select that found nothing, raw or already translated.
func noRows(err error) bool { return errs.Is(db.Translate(err), errs.NotFound) }
