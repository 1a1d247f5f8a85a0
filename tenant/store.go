package tenant

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Row structs are unexported: bun tags stay here, domain types stay clean.

type tenantRow struct {
	bun.BaseModel `bun:"table:tenants,alias:t"`
	ID            uuid.UUID `bun:"id,pk,type:uuid"`
	Slug          string    `bun:"slug"`
	Name          string    `bun:"name"`
	Status        string    `bun:"status"`
	Plan          string    `bun:"plan"`
	BillingState  string    `bun:"billing_state"`
	TrialEndsAt   time.Time `bun:"trial_ends_at"`
	BaseCurrency  string    `bun:"base_currency"`
	Locale        string    `bun:"locale"`
	Timezone      string    `bun:"timezone"`
	RequireTOTP   bool      `bun:"require_totp"`
	PortalName    string    `bun:"portal_name"`
	AccentColor   string    `bun:"accent_color,nullzero,default:'#1c5fd4'"` // empty: the default colour
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

type userRow struct {
	bun.BaseModel `bun:"table:users,alias:u"`
	Scoped
	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	Email        string     `bun:"email"`
	Name         string     `bun:"name"`
	PasswordHash string     `bun:"password_hash"`
	Status       string     `bun:"status"`
	TOTPSecret   string     `bun:"totp_secret"`
	TOTPEnabled  bool       `bun:"totp_enabled"`
	TOTPLastStep int64      `bun:"totp_last_step"`
	LastLoginAt  *time.Time `bun:"last_login_at"`
	CreatedAt    time.Time  `bun:"created_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
}

type inviteRow struct {
	bun.BaseModel `bun:"table:invites,alias:i"`
	Scoped
	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	Email      string     `bun:"email"`
	Name       string     `bun:"name"`
	Roles      string     `bun:"roles"` // JSON array
	TokenHash  string     `bun:"token_hash"`
	InvitedBy  uuid.UUID  `bun:"invited_by,type:uuid"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	AcceptedAt *time.Time `bun:"accepted_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	CreatedAt  time.Time  `bun:"created_at"`
}

type resetRow struct {
	bun.BaseModel `bun:"table:password_resets,alias:pr"`
	Scoped
	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,type:uuid"`
	TokenHash string     `bun:"token_hash"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
	CreatedAt time.Time  `bun:"created_at"`
}

type apiKeyRow struct {
	bun.BaseModel `bun:"table:api_keys,alias:k"`
	Scoped
	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	Name       string     `bun:"name"`
	Prefix     string     `bun:"prefix"`
	SecretHash string     `bun:"secret_hash"`
	Role       string     `bun:"role"`
	CreatedBy  uuid.UUID  `bun:"created_by,type:uuid"`
	CreatedAt  time.Time  `bun:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}

type auditRow struct {
	bun.BaseModel `bun:"table:audit_events,alias:a"`
	Scoped
	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	At         time.Time `bun:"at"`
	ActorType  string    `bun:"actor_type"`
	ActorID    string    `bun:"actor_id"`
	Action     string    `bun:"action"`
	Resource   string    `bun:"resource"`
	ResourceID string    `bun:"resource_id"`
	Before     *string   `bun:"before"`
	After      *string   `bun:"after"`
	RequestID  string    `bun:"request_id"`
	IP         string    `bun:"ip"`
}

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`
	Scope         string    `bun:"scope,pk"`
	Key           string    `bun:"key,pk"`
	RequestHash   string    `bun:"request_hash"`
	Status        int       `bun:"status"`
	Body          []byte    `bun:"body"`
	ContentType   string    `bun:"content_type"`
	CreatedAt     time.Time `bun:"created_at"`
}

// newID returns a UUIDv7: time-ordered, so ids double as a stable sort key.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
