package tenant

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"nexo/internal/errs"
	"nexo/internal/mail"
)

// NewSignup is a company signing up with its owner.
type NewSignup struct {
	Company, Slug, Name, Email, Password string
}

// Signup creates the tenant, its owner user with the owner role and the
// trial state in one transaction; the caller then starts a session.
func (s *Service) Signup(ctx context.Context, in NewSignup) (Tenant, User, error) {
	f := errs.Fields{}
	company := checkName(f, "company", in.Company, 100)
	name := checkName(f, "name", in.Name, 100)
	slug := strings.TrimSpace(in.Slug)
	if msg := ValidateSlug(slug); msg != "" {
		f.Add("slug", msg)
	}
	email, ok := NormalizeEmail(in.Email)
	if !ok {
		f.Add("email", "must be a valid email address")
	}
	if err := ValidatePassword(in.Password); err != nil {
		f.Add("password", errs.FieldReason(err, "password"))
	}
	if err := f.Err(); err != nil {
		return Tenant{}, User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return Tenant{}, User{}, err
	}
	t := now()
	trow := &tenantRow{ID: newID(), Slug: slug, Name: company, AccentColor: DefaultAccent, Status: "active", Plan: "trial", BillingState: "trialing",
		TrialEndsAt: t.AddDate(0, 0, s.opt.TrialDays), BaseCurrency: "EUR", Locale: "en", Timezone: "UTC",
		CreatedAt: t, UpdatedAt: t}
	urow := &userRow{ID: newID(), Email: email, Name: name, PasswordHash: hash, Status: "active", CreatedAt: t, UpdatedAt: t}
	err = s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		exists, err := tx.NewSelect().Model((*tenantRow)(nil)).Where("t.slug = ?", slug).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return errs.Field("slug", "is already taken")
		}
		if _, err := tx.NewInsert().Model(trow).Exec(ctx); err != nil {
			if errs.Is(translate(err), errs.Conflict) {
				return errs.Field("slug", "is already taken")
			}
			return err
		}
		ctx = WithPrincipal(ctx, Principal{TenantID: trow.ID, Kind: KindUser, ID: urow.ID, Subject: UserSubject(urow.ID)})
		return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
			if _, err := tx.NewInsert().Model(urow).Exec(ctx); err != nil {
				return err
			}
			if err := s.policy.SetRoles(ctx, tx, trow.ID, UserSubject(urow.ID), []string{"owner"}); err != nil {
				return err
			}
			if err := Audit(ctx, tx, AuditEntry{Action: "tenant.created", Resource: "tenants", ResourceID: trow.ID.String(),
				After: map[string]any{"slug": slug, "name": company, "plan": trow.Plan, "trial_ends_at": trow.TrialEndsAt}}); err != nil {
				return err
			}
			return Audit(ctx, tx, AuditEntry{Action: "user.created", Resource: "users", ResourceID: urow.ID.String(),
				After: map[string]any{"email": email, "name": name, "roles": []string{"owner"}}})
		})
	})
	if err != nil {
		return Tenant{}, User{}, err
	}
	u := s.toUser(urow)
	u.Roles = []string{"owner"}
	return toTenant(trow), u, nil
}

// Credentials is a login attempt.
type Credentials struct {
	Email, Password, Tenant, TOTP string
	IP                            string
}

type candidate struct {
	TenantID     uuid.UUID `bun:"tenant_id"`
	ID           uuid.UUID `bun:"id"`
	PasswordHash string    `bun:"password_hash"`
	Slug         string    `bun:"slug"`
}

// lookupEmail finds the users with email across tenants (or in one tenant
// when slug is set). SECURITY: this is the one unscoped read of users; on
// PostgreSQL the login_lookup policy limits it to rows with exactly this email.
func (s *Service) lookupEmail(ctx context.Context, email, slug string) ([]candidate, error) {
	var out []candidate
	err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := SetLocal(ctx, tx, "app.login_email", email); err != nil {
			return err
		}
		q := tx.NewSelect().TableExpr("users AS u").Join("JOIN tenants AS t ON t.id = u.tenant_id").
			ColumnExpr("u.tenant_id, u.id, u.password_hash, t.slug").
			Where("u.email = ?", email).Where("u.status = 'active'").Where("t.status = 'active'").
			OrderExpr("t.slug").Limit(10)
		if slug != "" {
			q.Where("t.slug = ?", slug)
		}
		return q.Scan(ctx, &out)
	})
	return out, err
}

var errBadLogin = errs.E(errs.Unauthenticated, "email or password is incorrect")

// Login checks credentials (throttled per account and IP) and starts a
// session: a fresh id every time (rotation). It returns the raw session id.
func (s *Service) Login(ctx context.Context, in Credentials) (string, Session, error) {
	email, ok := NormalizeEmail(in.Email)
	if !ok {
		return "", Session{}, errs.Field("email", "must be a valid email address")
	}
	if in.Password == "" || len(in.Password) > 1024 {
		return "", Session{}, errs.Field("password", "is required")
	}
	slug := strings.TrimSpace(in.Tenant)
	if err := s.throttle.Allow(ctx, "login", email, in.IP); err != nil {
		return "", Session{}, err
	}
	cands, err := s.lookupEmail(ctx, email, slug)
	if err != nil {
		return "", Session{}, err
	}
	var match []candidate
	for _, c := range cands {
		if ok, _, _ := VerifyPassword(c.PasswordHash, in.Password); ok {
			match = append(match, c)
		}
	}
	if len(cands) == 0 {
		DummyVerify(in.Password) // same time for unknown emails
	}
	switch {
	case len(match) == 0:
		s.throttle.Fail(ctx, "login", email, in.IP)
		return "", Session{}, errBadLogin
	case len(match) > 1:
		slugs := make([]string, len(match))
		for i, m := range match {
			slugs[i] = m.Slug
		}
		return "", Session{}, errs.Field("tenant", "this email belongs to several companies; choose one of: "+strings.Join(slugs, ", "))
	}
	m := match[0]
	bctx := WithPrincipal(ctx, Principal{TenantID: m.TenantID, Kind: KindUser, ID: m.ID, Subject: UserSubject(m.ID)})
	err = s.db.Run(bctx, func(ctx context.Context, tx bun.IDB) error {
		var u userRow
		if err := tx.NewSelect().Model(&u).Where("u.id = ?", m.ID).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		if u.TOTPEnabled {
			if in.TOTP == "" {
				return &errs.Error{Code: errs.Unauthenticated, Message: "a TOTP code is required", Fields: map[string]string{"totp": "required"}}
			}
			step, ok := CheckTOTP(u.TOTPSecret, in.TOTP, u.TOTPLastStep, now())
			if !ok {
				return &errs.Error{Code: errs.Unauthenticated, Message: "the TOTP code is not valid", Fields: map[string]string{"totp": "invalid"}}
			}
			u.TOTPLastStep = step
		}
		t := now()
		u.LastLoginAt = &t
		_, err := tx.NewUpdate().Model(&u).Column("last_login_at", "totp_last_step").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		if errs.Is(err, errs.Unauthenticated) {
			s.throttle.Fail(ctx, "login", email, in.IP)
		}
		return "", Session{}, err
	}
	s.throttle.Reset(ctx, "login", email)
	return s.sessions.Create(ctx, m.TenantID, m.ID, KindUser)
}

// forUpdate locks the selected row on PostgreSQL; SQLite's single writer
// needs no row lock (and has no FOR UPDATE).
func forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// RequestReset sends a reset link to every active account with email (in
// the named tenant, or all). It answers the same for unknown emails (U5).
func (s *Service) RequestReset(ctx context.Context, rawEmail, slug, ip string) error {
	email, ok := NormalizeEmail(rawEmail)
	if !ok {
		return errs.Field("email", "must be a valid email address")
	}
	if err := s.throttle.Allow(ctx, "reset", email, ip); err != nil {
		return err
	}
	s.throttle.Fail(ctx, "reset", email, ip) // every request counts against the window
	cands, err := s.lookupEmail(ctx, email, strings.TrimSpace(slug))
	if err != nil {
		return err
	}
	for _, c := range cands {
		raw, hash := NewToken()
		c := c
		bctx := WithTenant(ctx, c.TenantID)
		err := s.db.Run(bctx, func(ctx context.Context, tx bun.IDB) error {
			t := now()
			r := &resetRow{ID: newID(), UserID: c.ID, TokenHash: hash, ExpiresAt: t.Add(s.opt.ResetTTL), CreatedAt: t}
			if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
				return err
			}
			link := fmt.Sprintf("%s/reset-password?tenant=%s&token=%s", s.opt.BaseURL, url.QueryEscape(c.Slug), url.QueryEscape(raw))
			return mail.Enqueue(ctx, tx, c.TenantID, mail.Message{To: email, Kind: "password_reset", TenantID: c.TenantID,
				Subject: "Reset your Nexo password",
				Text:    "Someone asked to reset your Nexo password for " + c.Slug + ".\n\nSet a new one here (valid for one hour):\n" + link + "\n\nIf it was not you, ignore this email."})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ConfirmReset sets a new password from a single-use reset token and ends
// every session of the user.
func (s *Service) ConfirmReset(ctx context.Context, slug, token, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	tn, err := s.TenantBySlug(ctx, slug)
	if err != nil {
		return errs.Field("token", "is invalid or expired")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	var userID uuid.UUID
	bctx := WithTenant(ctx, tn.ID)
	err = s.db.Run(bctx, func(ctx context.Context, tx bun.IDB) error {
		var r resetRow
		err := tx.NewSelect().Model(&r).Where("pr.token_hash = ?", HashToken(token)).Apply(forUpdate).Scan(ctx)
		if err != nil || r.UsedAt != nil || now().After(r.ExpiresAt) {
			return errs.Field("token", "is invalid or expired")
		}
		t := now()
		r.UsedAt = &t
		if _, err := tx.NewUpdate().Model(&r).Column("used_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		userID = r.UserID
		res, err := tx.NewUpdate().Model((*userRow)(nil)).Set("password_hash = ?", hash).Set("updated_at = ?", t).
			Where("u.id = ?", r.UserID).Where("u.status = 'active'").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Field("token", "is invalid or expired")
		}
		ctx = WithPrincipal(ctx, Principal{TenantID: tn.ID, Kind: KindUser, ID: r.UserID})
		return Audit(ctx, tx, AuditEntry{Action: "user.password_reset", Resource: "users", ResourceID: r.UserID.String()})
	})
	if err != nil {
		return err
	}
	return s.sessions.DeleteUser(ctx, tn.ID, userID)
}
