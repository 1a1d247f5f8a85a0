package portal

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/mail"
	"nexo/tenant"
)

// errBadLogin is the one answer for an unknown tenant, an unknown email, a
// wrong password and a portal user who is not active.
var errBadLogin = errs.E(errs.Unauthenticated, "email or password is incorrect")

// errBadToken is the one answer for any token that does not open a session.
var errBadToken = errs.Field("token", "is invalid or expired")

// throttleKey keeps a portal's counters apart from staff logins and from
// the same email at another tenant's portal.
func throttleKey(slug, email string) string { return slug + "\x00" + email }

// Login checks a portal user's password (throttled per account and IP, U2)
// and starts a customer session; it returns the raw session id.
func (s *Service) Login(ctx context.Context, slug, rawEmail, password, ip string) (string, tenant.Session, error) {
	email, ok := tenant.NormalizeEmail(rawEmail)
	if !ok {
		return "", tenant.Session{}, errs.Field("email", "must be a valid email address")
	}
	if password == "" || len(password) > 1024 {
		return "", tenant.Session{}, errs.Field("password", "is required")
	}
	key := throttleKey(slug, email)
	if err := s.throttle.Allow(ctx, "portal-login", key, ip); err != nil {
		return "", tenant.Session{}, err
	}
	fail := func() (string, tenant.Session, error) {
		s.throttle.Fail(ctx, "portal-login", key, ip)
		return "", tenant.Session{}, errBadLogin
	}
	tn, err := s.tenants.TenantBySlug(ctx, slug)
	if err != nil {
		if !errs.Is(err, errs.NotFound) {
			return "", tenant.Session{}, err
		}
		tenant.DummyVerify(password) // same time as a known tenant
		return fail()
	}
	var row userRow
	err = s.db.Run(tenant.WithTenant(ctx, tn.ID), func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("pu.email = ?", email).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		if row.Status != StatusActive || row.PasswordHash == "" {
			tenant.DummyVerify(password)
			return errBadLogin
		}
		if ok, _, _ := tenant.VerifyPassword(row.PasswordHash, password); !ok {
			return errBadLogin
		}
		t := s.now()
		row.LastLoginAt = &t
		_, err := tx.NewUpdate().Model(&row).Column("last_login_at").WherePK().Exec(ctx)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		tenant.DummyVerify(password)
		return fail()
	}
	if errs.Is(err, errs.Unauthenticated) {
		return fail()
	}
	if err != nil {
		return "", tenant.Session{}, err
	}
	s.throttle.Reset(ctx, "portal-login", key)
	return s.sessions.Create(ctx, tn.ID, row.ID, tenant.KindCustomer)
}

// AcceptInvite sets the password of an invited portal user from a
// single-use invitation token and starts their session.
func (s *Service) AcceptInvite(ctx context.Context, slug, token, password string) (string, tenant.Session, error) {
	if err := tenant.ValidatePassword(password); err != nil {
		return "", tenant.Session{}, errs.Field("password", errs.FieldReason(err, "password"))
	}
	hash, err := tenant.HashPassword(password)
	if err != nil {
		return "", tenant.Session{}, err
	}
	return s.redeem(ctx, slug, token, purposeInvite, func(row *userRow) ([]string, error) {
		if row.Status != StatusInvited {
			return nil, errBadToken
		}
		row.PasswordHash, row.Status = hash, StatusActive
		return []string{"password_hash", "status"}, nil
	})
}

// RequestMagicLink emails a one-time login link to an active portal user.
// It answers the same whatever the email (U5) and counts every request
// against the throttle.
func (s *Service) RequestMagicLink(ctx context.Context, slug, rawEmail, ip string) error {
	email, ok := tenant.NormalizeEmail(rawEmail)
	if !ok {
		return errs.Field("email", "must be a valid email address")
	}
	key := throttleKey(slug, email)
	if err := s.throttle.Allow(ctx, "portal-magic", key, ip); err != nil {
		return err
	}
	s.throttle.Fail(ctx, "portal-magic", key, ip)
	tn, err := s.tenants.TenantBySlug(ctx, slug)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	raw, hash := tenant.NewToken()
	return s.db.Run(tenant.WithTenant(ctx, tn.ID), func(ctx context.Context, tx bun.IDB) error {
		var row userRow
		err := tx.NewSelect().Model(&row).Where("pu.email = ?", email).Where("pu.status = ?", StatusActive).Scan(ctx)
		if noRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		t := s.now()
		tok := &tokenRow{ID: newID(), PortalUserID: row.ID, Purpose: purposeMagic, TokenHash: hash,
			ExpiresAt: t.Add(s.opt.MagicTTL), CreatedAt: t}
		if _, err := tx.NewInsert().Model(tok).Exec(ctx); err != nil {
			return err
		}
		link := fmt.Sprintf("%s/portal/%s/magic-link?token=%s", s.opt.BaseURL, url.PathEscape(tn.Slug), url.QueryEscape(raw))
		return mail.Enqueue(ctx, tx, tn.ID, mail.Message{To: email, Kind: "portal_magic_link", TenantID: tn.ID,
			Subject: "Your login link for " + portalName(tn),
			Text: "Log in to the customer portal of " + portalName(tn) + " with this link (it works once, for " +
				fmt.Sprint(int(s.opt.MagicTTL.Minutes())) + " minutes):\n" + link + "\n\nIf it was not you, ignore this email.\n"})
	})
}

// ConfirmMagicLink starts a session from a single-use magic-link token.
func (s *Service) ConfirmMagicLink(ctx context.Context, slug, token string) (string, tenant.Session, error) {
	return s.redeem(ctx, slug, token, purposeMagic, func(row *userRow) ([]string, error) {
		if row.Status != StatusActive {
			return nil, errBadToken
		}
		return nil, nil
	})
}

// redeem spends a token of purpose in the tenant of slug, lets apply change
// its portal user (returning the changed columns), records the login and
// starts a customer session. Every failure is the same errBadToken.
func (s *Service) redeem(ctx context.Context, slug, token, purpose string, apply func(*userRow) ([]string, error)) (string, tenant.Session, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 128 {
		return "", tenant.Session{}, errBadToken
	}
	tn, err := s.tenants.TenantBySlug(ctx, slug)
	if err != nil {
		return "", tenant.Session{}, errBadToken
	}
	var row userRow
	err = s.db.Run(tenant.WithTenant(ctx, tn.ID), func(ctx context.Context, tx bun.IDB) error {
		var tok tokenRow
		err := tx.NewSelect().Model(&tok).Where("pt.token_hash = ?", tenant.HashToken(token)).
			Where("pt.purpose = ?", purpose).Apply(forUpdate).Scan(ctx)
		t := s.now()
		if err != nil || tok.UsedAt != nil || t.After(tok.ExpiresAt) {
			return errBadToken
		}
		tok.UsedAt = &t
		if _, err := tx.NewUpdate().Model(&tok).Column("used_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&row).Where("pu.id = ?", tok.PortalUserID).Apply(forUpdate).Scan(ctx); err != nil {
			return errBadToken
		}
		cols, err := apply(&row)
		if err != nil {
			return err
		}
		row.LastLoginAt, row.UpdatedAt = &t, t
		if _, err := tx.NewUpdate().Model(&row).Column(append(cols, "last_login_at", "updated_at")...).WherePK().Exec(ctx); err != nil {
			return err
		}
		if purpose != purposeInvite {
			return nil
		}
		acc := row.AccountID
		ctx = tenant.WithPrincipal(ctx, tenant.Principal{TenantID: tn.ID, Kind: tenant.KindCustomer, ID: row.ID,
			Subject: tenant.CustomerSubject(row.ID), AccountID: &acc})
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "portal_user.activated", Resource: "portal_users", ResourceID: row.ID.String(),
			Before: statusSnap(StatusInvited), After: statusSnap(StatusActive)})
	})
	if err != nil {
		return "", tenant.Session{}, err
	}
	return s.sessions.Create(ctx, tn.ID, row.ID, tenant.KindCustomer)
}

// CustomerPrincipal implements tenant.Customers: the active portal user id
// of tenantID, whose contact is still of the bound account, in an active
// tenant. Anything else is NotFound and ends the session.
func (s *Service) CustomerPrincipal(ctx context.Context, tenantID, id uuid.UUID) (tenant.Principal, error) {
	var r principalRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&r).Column("pu.id", "pu.email", "pu.account_id", "pu.contact_id").
			ColumnExpr("c.first_name, c.last_name").
			Join("JOIN contacts AS c ON c.tenant_id = pu.tenant_id AND c.id = pu.contact_id AND c.account_id = pu.account_id").
			Join("JOIN tenants AS t ON t.id = pu.tenant_id").
			Where("pu.id = ?", id).Where("pu.status = ?", StatusActive).Where("c.active").
			Where("t.id = ?", tenantID).Where("t.status = 'active'").Scan(ctx)
	})
	if err != nil {
		return tenant.Principal{}, err
	}
	acc := r.AccountID
	return tenant.Principal{TenantID: tenantID, Kind: tenant.KindCustomer, ID: r.ID, Subject: tenant.CustomerSubject(r.ID),
		Name: strings.TrimSpace(r.FirstName + " " + r.LastName), Email: r.Email, AccountID: &acc}, nil
}
