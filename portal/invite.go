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

// errNoAccess answers for a contact without portal access; it reads like
// an unknown contact, so a foreign id learns nothing.
var errNoAccess = errs.E(errs.NotFound, "contact not found")

// Invite gives a contact portal access (or re-sends a pending invitation)
// and emails a single-use link to set a password. A contact with active
// access is a conflict; a disabled one is invited afresh, its old password
// forgotten. It reports whether the portal user was created.
func (s *Service) Invite(ctx context.Context, contactID uuid.UUID) (User, bool, error) {
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return User{}, false, errs.E(errs.Unauthenticated, "not logged in")
	}
	c, err := s.contacts.GetContact(ctx, contactID)
	if err != nil {
		return User{}, false, err
	}
	if c.Email == "" {
		return User{}, false, errs.E(errs.FailedPrecondition, "the contact has no email address; add one first")
	}
	if !c.Active {
		return User{}, false, errs.E(errs.FailedPrecondition, "the contact is inactive")
	}
	acc, err := s.contacts.GetAccount(ctx, c.AccountID)
	if err != nil {
		return User{}, false, err
	}
	tn, err := s.tenants.TenantByID(ctx, p.TenantID)
	if err != nil {
		return User{}, false, err
	}
	raw, hash := tenant.NewToken()
	var row userRow
	created := false
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		t := s.now()
		err := tx.NewSelect().Model(&row).Where("pu.contact_id = ?", contactID).Apply(forUpdate).Scan(ctx)
		switch {
		case noRows(err):
			created = true
			row = userRow{ID: newID(), ContactID: contactID, NotifyOrders: true, CreatedAt: t}
		case err != nil:
			return err
		case row.Status == StatusActive:
			return errs.E(errs.Conflict, "the contact already has portal access")
		}
		taken, err := tx.NewSelect().Model((*userRow)(nil)).Apply(tenant.ScopeSelect(ctx)).
			Where("pu.email = ?", c.Email).Where("pu.id <> ?", row.ID).Exists(ctx)
		if err != nil {
			return err
		}
		if taken {
			return errs.E(errs.Conflict, "another contact already has portal access with this email")
		}
		before := row.Status
		// A new or re-enabled user takes a place the plan counts; a
		// re-sent invitation already holds one.
		if before != StatusInvited {
			if err := s.reserveCustomer(ctx, tx); err != nil {
				return err
			}
		}
		row.AccountID, row.Email, row.Status, row.PasswordHash, row.UpdatedAt = c.AccountID, c.Email, StatusInvited, "", t
		row.InvitedBy = nil
		if p.Kind == tenant.KindUser {
			row.InvitedBy = &p.ID
		}
		if created {
			if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
				return err
			}
			if err := s.policy.SetRoles(ctx, tx, p.TenantID, tenant.CustomerSubject(row.ID), []string{"customer"}); err != nil {
				return err
			}
		} else {
			if _, err := tx.NewUpdate().Model(&row).Column("account_id", "email", "status", "password_hash", "invited_by", "updated_at").
				WherePK().Exec(ctx); err != nil {
				return err
			}
			// A re-sent invitation replaces the earlier links.
			if err := s.spendTokens(ctx, tx, row.ID, purposeInvite); err != nil {
				return err
			}
		}
		tok := &tokenRow{ID: newID(), PortalUserID: row.ID, Purpose: purposeInvite, TokenHash: hash,
			ExpiresAt: t.Add(s.opt.InviteTTL), CreatedAt: t}
		if _, err := tx.NewInsert().Model(tok).Exec(ctx); err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "portal_user.invited", Resource: "portal_users", ResourceID: row.ID.String(),
			Before: statusSnap(before), After: map[string]any{"contact_id": contactID, "account_id": c.AccountID, "email": c.Email, "status": row.Status}}); err != nil {
			return err
		}
		link := fmt.Sprintf("%s/portal/%s/accept-invite?token=%s", s.opt.BaseURL, url.PathEscape(tn.Slug), url.QueryEscape(raw))
		company := portalName(tn)
		return mail.Enqueue(ctx, tx, p.TenantID, mail.Message{To: c.Email, Kind: "portal_invite", TenantID: p.TenantID,
			Subject: company + " invited you to its customer portal",
			Text: fmt.Sprintf("%s invited you to follow the orders of %s in its customer portal.\n\n"+
				"Choose a password here (the link works once, for 7 days):\n%s\n", company, acc.Name, link)})
	})
	if err != nil {
		return User{}, false, err
	}
	return row.user(), created, nil
}

func statusSnap(status string) any {
	if status == "" {
		return nil
	}
	return map[string]string{"status": status}
}

func portalName(tn tenant.Tenant) string {
	return strings.TrimSpace(tn.Name)
}

// spendTokens marks a portal user's unused tokens of purpose as used.
func (s *Service) spendTokens(ctx context.Context, tx bun.IDB, userID uuid.UUID, purpose string) error {
	_, err := tx.NewUpdate().Model((*tokenRow)(nil)).Set("used_at = ?", s.now()).
		Where("pt.portal_user_id = ?", userID).Where("pt.purpose = ?", purpose).Where("pt.used_at IS NULL").Exec(ctx)
	return err
}

// Disable ends a contact's portal access and every session it holds, at
// once. Disabling twice is no error.
func (s *Service) Disable(ctx context.Context, contactID uuid.UUID) (User, error) {
	p, _ := tenant.PrincipalFrom(ctx)
	var row userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		err := tx.NewSelect().Model(&row).Where("pu.contact_id = ?", contactID).Apply(forUpdate).Scan(ctx)
		if noRows(err) {
			return errNoAccess
		}
		if err != nil {
			return err
		}
		before := row.Status
		row.Status, row.UpdatedAt = StatusDisabled, s.now()
		if _, err := tx.NewUpdate().Model(&row).Column("status", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := s.spendTokens(ctx, tx, row.ID, purposeInvite); err != nil {
			return err
		}
		if err := s.spendTokens(ctx, tx, row.ID, purposeMagic); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "portal_user.disabled", Resource: "portal_users", ResourceID: row.ID.String(),
			Before: statusSnap(before), After: statusSnap(row.Status)})
	})
	if err != nil {
		return User{}, err
	}
	// SECURITY: the session check also reads the status on every request;
	// deleting the sessions makes the end immediate on every instance.
	if err := s.sessions.DeleteUser(ctx, p.TenantID, row.ID); err != nil {
		return User{}, err
	}
	return row.user(), nil
}

// Filter selects portal users for the staff list.
type Filter struct {
	AccountID *uuid.UUID
	ContactID *uuid.UUID
	After     *uuid.UUID
	Limit     int
}

// Find lists portal users, newest first, one page of f.Limit.
func (s *Service) Find(ctx context.Context, f Filter) ([]User, error) {
	if f.Limit <= 0 || f.Limit > 101 {
		f.Limit = 101
	}
	var rows []userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("pu.id DESC").Limit(int64(f.Limit))
		if f.AccountID != nil {
			q.Where("pu.account_id = ?", *f.AccountID)
		}
		if f.ContactID != nil {
			q.Where("pu.contact_id = ?", *f.ContactID)
		}
		if f.After != nil {
			q.Where("pu.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]User, len(rows))
	for i := range rows {
		out[i] = rows[i].user()
	}
	return out, err
}

// get returns one portal user of the bound tenant.
func (s *Service) get(ctx context.Context, id uuid.UUID) (User, error) {
	var row userRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("pu.id = ?", id).Scan(ctx)
	})
	return row.user(), err
}
