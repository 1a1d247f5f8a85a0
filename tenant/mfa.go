package tenant

import (
	"context"

	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// TOTPSetup is what a user needs to add Nexo to an authenticator app.
type TOTPSetup struct {
	Secret string
	URL    string // otpauth:// URL, rendered as a QR code by the app
}

// StartTOTP creates a new (not yet enabled) secret for the calling user.
func (s *Service) StartTOTP(ctx context.Context) (TOTPSetup, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok || p.Kind != KindUser {
		return TOTPSetup{}, errs.E(errs.Forbidden, "only staff users have TOTP")
	}
	tn, err := s.TenantByID(ctx, p.TenantID)
	if err != nil {
		return TOTPSetup{}, err
	}
	var setup TOTPSetup
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var u userRow
		if err := tx.NewSelect().Model(&u).Where("u.id = ?", p.ID).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		if u.TOTPEnabled {
			return errs.E(errs.FailedPrecondition, "TOTP is already enabled; disable it first")
		}
		secret, url, err := NewTOTPSecret("Nexo ("+tn.Name+")", u.Email)
		if err != nil {
			return err
		}
		setup = TOTPSetup{Secret: secret, URL: url}
		u.TOTPSecret, u.UpdatedAt = secret, now()
		_, err = tx.NewUpdate().Model(&u).Column("totp_secret", "updated_at").WherePK().Exec(ctx)
		return err
	})
	return setup, err
}

// ConfirmTOTP enables TOTP once the user proves their app produces codes.
func (s *Service) ConfirmTOTP(ctx context.Context, code string) error {
	return s.setTOTP(ctx, code, true)
}

// DisableTOTP turns TOTP off; it needs a current code.
func (s *Service) DisableTOTP(ctx context.Context, code string) error {
	return s.setTOTP(ctx, code, false)
}

func (s *Service) setTOTP(ctx context.Context, code string, enable bool) error {
	p, ok := PrincipalFrom(ctx)
	if !ok || p.Kind != KindUser {
		return errs.E(errs.Forbidden, "only staff users have TOTP")
	}
	// Whether the user is held to TOTP setup is part of the loaded principal.
	defer s.sessions.forgetUser(p.TenantID, p.ID)
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var u userRow
		if err := tx.NewSelect().Model(&u).Where("u.id = ?", p.ID).Apply(forUpdate).Scan(ctx); err != nil {
			return err
		}
		if u.TOTPSecret == "" || u.TOTPEnabled == enable {
			return errs.E(errs.FailedPrecondition, "%s", map[bool]string{true: "start TOTP setup first", false: "TOTP is not enabled"}[enable])
		}
		step, ok := CheckTOTP(u.TOTPSecret, code, u.TOTPLastStep, now())
		if !ok {
			return errs.Field("code", "is not valid")
		}
		u.TOTPEnabled, u.TOTPLastStep, u.UpdatedAt = enable, step, now()
		if !enable {
			u.TOTPSecret = ""
		}
		if _, err := tx.NewUpdate().Model(&u).Column("totp_enabled", "totp_last_step", "totp_secret", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: map[bool]string{true: "user.totp_enabled", false: "user.totp_disabled"}[enable],
			Resource: "users", ResourceID: p.ID.String()})
	})
}
