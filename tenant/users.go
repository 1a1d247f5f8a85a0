package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/mail"
)

// Invite is a pending invitation of a staff user.
type Invite struct {
	ID        uuid.UUID
	Email     string
	Name      string
	Roles     []string
	InvitedBy uuid.UUID
	ExpiresAt time.Time
	CreatedAt time.Time
}

func toInvite(r *inviteRow) Invite {
	var roles []string
	_ = json.Unmarshal([]byte(r.Roles), &roles)
	return Invite{ID: r.ID, Email: r.Email, Name: r.Name, Roles: roles, InvitedBy: r.InvitedBy, ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt}
}

// checkGrant refuses to let the caller hand out a role carrying a permission
// the caller does not hold (no privilege escalation through invites, role
// changes or API keys).
func (s *Service) checkGrant(ctx context.Context, field string, roles []string) error {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return errs.E(errs.Unauthenticated, "not logged in")
	}
	if len(roles) == 0 {
		return errs.Field(field, "at least one role is required")
	}
	have := map[string]bool{}
	for _, perm := range s.policy.Permissions(p.TenantID, p.Subject) {
		have[perm] = true
	}
	for _, r := range roles {
		perms := s.policy.RolePermissions(p.TenantID, r)
		if len(perms) == 0 && r != "viewer" {
			return errs.Field(field, fmt.Sprintf("unknown role %q", r))
		}
		for _, perm := range perms {
			if !have[perm] {
				return errs.Field(field, fmt.Sprintf("role %q grants %s, which you do not have", r, perm))
			}
		}
	}
	return nil
}

// Page asks for up to Limit items after the id After (nil: from the start),
// in id order; ids are UUIDv7, so that is creation order.
type Page struct {
	After *uuid.UUID
	Limit int
}

func (p Page) apply(q *bun.SelectQuery, col string) *bun.SelectQuery {
	if p.After != nil {
		q.Where("? > ?", bun.Safe(col), *p.After)
	}
	limit := p.Limit
	if limit <= 0 || limit > 101 {
		limit = 101
	}
	return q.OrderExpr("? ASC", bun.Safe(col)).Limit(int64(limit))
}

// ListUsers returns a page of the tenant's staff users in creation order.
func (s *Service) ListUsers(ctx context.Context, page Page) ([]User, error) {
	var rows []userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return page.apply(tx.NewSelect().Model(&rows), "u.id").Scan(ctx)
	})
	out := make([]User, len(rows))
	for i := range rows {
		out[i] = s.toUser(&rows[i])
	}
	return out, err
}

// GetUser returns one user of the bound tenant.
func (s *Service) GetUser(ctx context.Context, id uuid.UUID) (User, error) {
	var row userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("u.id = ?", id).Scan(ctx)
	})
	if err != nil {
		return User{}, err
	}
	return s.toUser(&row), nil
}

// NewInvite asks someone to join the tenant with roles.
type NewInvite struct {
	Email, Name string
	Roles       []string
}

// InviteUser records an invitation and emails its single-use link.
func (s *Service) InviteUser(ctx context.Context, in NewInvite) (Invite, error) {
	f := errs.Fields{}
	email, ok := NormalizeEmail(in.Email)
	if !ok {
		f.Add("email", "must be a valid email address")
	}
	if strings.TrimSpace(in.Name) != "" {
		in.Name = checkName(f, "name", in.Name, 100)
	}
	if err := f.Err(); err != nil {
		return Invite{}, err
	}
	roles := dedupe(in.Roles)
	if err := s.checkGrant(ctx, "roles", roles); err != nil {
		return Invite{}, err
	}
	p, _ := PrincipalFrom(ctx)
	tn, err := s.TenantByID(ctx, p.TenantID)
	if err != nil {
		return Invite{}, err
	}
	raw, hash := NewToken()
	rolesJSON, _ := json.Marshal(roles)
	t := now()
	row := &inviteRow{ID: newID(), Email: email, Name: in.Name, Roles: string(rolesJSON), TokenHash: hash,
		InvitedBy: p.ID, ExpiresAt: t.Add(s.opt.InviteTTL), CreatedAt: t}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		exists, err := tx.NewSelect().Model((*userRow)(nil)).Apply(scopeSelect(ctx)).Where("u.email = ?", email).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return errs.Field("email", "already belongs to a user of this company")
		}
		if err := s.reserveSeat(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		if err := Audit(ctx, tx, AuditEntry{Action: "user.invited", Resource: "invites", ResourceID: row.ID.String(),
			After: map[string]any{"email": email, "roles": roles}}); err != nil {
			return err
		}
		link := fmt.Sprintf("%s/accept-invite?tenant=%s&token=%s", s.opt.BaseURL, url.QueryEscape(tn.Slug), url.QueryEscape(raw))
		return mail.Enqueue(ctx, tx, p.TenantID, mail.Message{To: email, Kind: "invite", TenantID: p.TenantID,
			Subject: p.Name + " invited you to " + tn.Name + " on Nexo",
			Text: p.Name + " invited you to join " + tn.Name + " on Nexo.\n\nAccept the invitation and choose a password here (valid for 7 days):\n" +
				link + "\n"})
	})
	if err != nil {
		return Invite{}, err
	}
	return toInvite(row), nil
}

// ListInvites returns a page of pending invitations.
func (s *Service) ListInvites(ctx context.Context, page Page) ([]Invite, error) {
	var rows []inviteRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Where("i.accepted_at IS NULL AND i.revoked_at IS NULL").Where("i.expires_at > ?", now())
		return page.apply(q, "i.id").Scan(ctx)
	})
	out := make([]Invite, len(rows))
	for i := range rows {
		out[i] = toInvite(&rows[i])
	}
	return out, err
}

// RevokeInvite cancels a pending invitation.
func (s *Service) RevokeInvite(ctx context.Context, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		t := now()
		res, err := tx.NewUpdate().Model((*inviteRow)(nil)).Set("revoked_at = ?", t).Where("i.id = ?", id).
			Where("i.accepted_at IS NULL AND i.revoked_at IS NULL").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "invite not found")
		}
		if err := s.releaseSeat(ctx, tx); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "invite.revoked", Resource: "invites", ResourceID: id.String()})
	})
}

// AcceptInvite turns a valid invitation into an active user with the
// invited roles and starts their session.
func (s *Service) AcceptInvite(ctx context.Context, slug, token, name, password string) (string, Session, error) {
	f := errs.Fields{}
	if err := ValidatePassword(password); err != nil {
		f.Add("password", errs.FieldReason(err, "password"))
	}
	if strings.TrimSpace(name) != "" {
		name = checkName(f, "name", name, 100)
	}
	if err := f.Err(); err != nil {
		return "", Session{}, err
	}
	tn, err := s.TenantBySlug(ctx, slug)
	if err != nil {
		return "", Session{}, errs.Field("token", "is invalid or expired")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", Session{}, err
	}
	t := now()
	u := &userRow{ID: newID(), PasswordHash: hash, Status: "active", CreatedAt: t, UpdatedAt: t}
	bctx := WithTenant(ctx, tn.ID)
	err = s.db.Run(bctx, func(ctx context.Context, tx bun.IDB) error {
		var inv inviteRow
		err := tx.NewSelect().Model(&inv).Where("i.token_hash = ?", HashToken(token)).Apply(forUpdate).Scan(ctx)
		if err != nil || inv.AcceptedAt != nil || inv.RevokedAt != nil || t.After(inv.ExpiresAt) {
			return errs.Field("token", "is invalid or expired")
		}
		inv.AcceptedAt = &t
		if _, err := tx.NewUpdate().Model(&inv).Column("accepted_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		u.Email, u.Name = inv.Email, name
		if u.Name == "" {
			u.Name = inv.Name
		}
		if u.Name == "" {
			u.Name = inv.Email[:strings.IndexByte(inv.Email, '@')]
		}
		if _, err := tx.NewInsert().Model(u).Exec(ctx); err != nil {
			if errs.Is(translate(err), errs.Conflict) {
				return errs.Field("token", "this email already has an account here; log in instead")
			}
			return err
		}
		roles := toInvite(&inv).Roles
		if err := s.policy.SetRoles(ctx, tx, tn.ID, UserSubject(u.ID), roles); err != nil {
			return err
		}
		ctx = WithPrincipal(ctx, Principal{TenantID: tn.ID, Kind: KindUser, ID: u.ID, Subject: UserSubject(u.ID)})
		return Audit(ctx, tx, AuditEntry{Action: "user.created", Resource: "users", ResourceID: u.ID.String(),
			After: map[string]any{"email": u.Email, "name": u.Name, "roles": roles, "invite_id": inv.ID}})
	})
	if err != nil {
		return "", Session{}, err
	}
	return s.sessions.Create(ctx, tn.ID, u.ID, KindUser)
}

// UserUpdate changes a user's name and/or roles (nil = unchanged).
type UserUpdate struct {
	Name  *string
	Roles *[]string
}

// UpdateUser applies a UserUpdate.
func (s *Service) UpdateUser(ctx context.Context, id uuid.UUID, in UserUpdate) (User, error) {
	p, _ := PrincipalFrom(ctx)
	var roles []string
	if in.Roles != nil {
		roles = dedupe(*in.Roles)
		if err := s.checkGrant(ctx, "roles", roles); err != nil {
			return User{}, err
		}
	}
	f := errs.Fields{}
	if in.Name != nil {
		*in.Name = checkName(f, "name", *in.Name, 100)
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	var row userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("u.id = ?", id).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		before := map[string]any{"name": row.Name, "roles": s.policy.Roles(p.TenantID, UserSubject(id))}
		after := map[string]any{}
		if in.Name != nil {
			row.Name, row.UpdatedAt = *in.Name, now()
			after["name"] = row.Name
			if _, err := tx.NewUpdate().Model(&row).Column("name", "updated_at").WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		if in.Roles != nil {
			if err := s.guardOwners(ctx, tx, id, roles); err != nil {
				return err
			}
			if err := s.checkGrant(ctx, "roles", s.policy.Roles(p.TenantID, UserSubject(id))); err != nil {
				return errs.E(errs.Forbidden, "you cannot change the roles of a user who has permissions you lack")
			}
			if err := s.policy.SetRoles(ctx, tx, p.TenantID, UserSubject(id), roles); err != nil {
				return err
			}
			after["roles"] = roles
		}
		return Audit(ctx, tx, AuditEntry{Action: "user.updated", Resource: "users", ResourceID: id.String(), Before: before, After: after})
	})
	if err != nil {
		return User{}, err
	}
	if in.Roles != nil {
		// SECURITY: a privilege change ends the user's sessions (U3): they log
		// in again, so no session id outlives the privileges it was made with.
		if err := s.sessions.DeleteUser(ctx, p.TenantID, id); err != nil {
			return User{}, err
		}
	}
	u := s.toUser(&row)
	if in.Roles != nil {
		u.Roles = roles
	}
	return u, nil
}

// guardOwners keeps at least one active owner: a tenant must never lock
// itself out.
func (s *Service) guardOwners(ctx context.Context, tx bun.IDB, id uuid.UUID, newRoles []string) error {
	p, _ := PrincipalFrom(ctx)
	if !contains(s.policy.Roles(p.TenantID, UserSubject(id)), "owner") || (newRoles != nil && contains(newRoles, "owner")) {
		return nil
	}
	var owners []userRow
	if err := tx.NewSelect().Model(&owners).Where("u.status = 'active'").Where("u.id != ?", id).Scan(ctx); err != nil {
		return err
	}
	for _, o := range owners {
		if contains(s.policy.Roles(p.TenantID, UserSubject(o.ID)), "owner") {
			return nil
		}
	}
	return errs.E(errs.FailedPrecondition, "the company needs at least one active owner")
}

// SetUserStatus deactivates (their sessions end at once) or reactivates a user.
func (s *Service) SetUserStatus(ctx context.Context, id uuid.UUID, active bool) (User, error) {
	p, _ := PrincipalFrom(ctx)
	if p.ID == id && !active {
		return User{}, errs.E(errs.FailedPrecondition, "you cannot deactivate yourself")
	}
	status := "disabled"
	if active {
		status = "active"
	}
	var row userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("u.id = ?", id).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		if err := s.checkGrant(ctx, "id", s.policy.Roles(p.TenantID, UserSubject(id))); err != nil {
			return errs.E(errs.Forbidden, "you cannot change a user who has permissions you lack")
		}
		if !active {
			if err := s.guardOwners(ctx, tx, id, nil); err != nil {
				return err
			}
			if err := s.releaseSeat(ctx, tx); err != nil {
				return err
			}
		} else if row.Status != "active" {
			if err := s.reserveSeat(ctx, tx); err != nil {
				return err
			}
		}
		before := row.Status
		row.Status, row.UpdatedAt = status, now()
		if _, err := tx.NewUpdate().Model(&row).Column("status", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "user." + map[bool]string{true: "activated", false: "deactivated"}[active],
			Resource: "users", ResourceID: id.String(), Before: map[string]string{"status": before}, After: map[string]string{"status": status}})
	})
	if err != nil {
		return User{}, err
	}
	if !active {
		if err := s.sessions.DeleteUser(ctx, p.TenantID, id); err != nil {
			return User{}, err
		}
	}
	return s.toUser(&row), nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// AddUser creates an active user with a password directly (the demo seed and
// administrative scripts; people normally arrive through invitations).
func (s *Service) AddUser(ctx context.Context, email, name, password string, roles []string) (User, error) {
	f := errs.Fields{}
	email, ok := NormalizeEmail(email)
	if !ok {
		f.Add("email", "must be a valid email address")
	}
	name = checkName(f, "name", name, 100)
	if err := ValidatePassword(password); err != nil {
		f.Add("password", errs.FieldReason(err, "password"))
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	roles = dedupe(roles)
	if err := s.checkGrant(ctx, "roles", roles); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	p, _ := PrincipalFrom(ctx)
	t := now()
	row := &userRow{ID: newID(), Email: email, Name: name, PasswordHash: hash, Status: "active", CreatedAt: t, UpdatedAt: t}
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := s.reserveSeat(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if errs.Is(translate(err), errs.Conflict) {
				return errs.Field("email", "already belongs to a user of this company")
			}
			return err
		}
		if err := s.policy.SetRoles(ctx, tx, p.TenantID, UserSubject(row.ID), roles); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "user.created", Resource: "users", ResourceID: row.ID.String(),
			After: map[string]any{"email": email, "name": name, "roles": roles}})
	})
	if err != nil {
		return User{}, err
	}
	u := s.toUser(row)
	u.Roles = roles
	return u, nil
}
