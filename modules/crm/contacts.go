package crm

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// ContactRoles is the fixed list of a contact's roles at the customer.
var ContactRoles = []string{"buyer", "accounts_payable", "decision_maker", "technical", "other"}

// Contact is a person at a customer account.
type Contact struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	FirstName string
	LastName  string
	Email     string // lowercased
	Phone     string
	JobTitle  string
	Role      string // one of ContactRoles
	Primary   bool   // at most one per account
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ContactInput creates a contact or, with nil fields left alone, changes one.
// The account of an existing contact cannot change.
type ContactInput struct {
	AccountID *uuid.UUID
	FirstName *string
	LastName  *string
	Email     *string
	Phone     *string
	JobTitle  *string
	Role      *string
	Primary   *bool
	Active    *bool
}

// ContactFilter narrows the contact list, newest first. Q matches first or
// last name (or both, "Ana García") and email.
type ContactFilter struct {
	AccountID *uuid.UUID
	Q         string
	After     *uuid.UUID
	Limit     int
}

func (in *ContactInput) check(creating bool) error {
	f := errs.Fields{}
	if creating && in.AccountID == nil {
		f.Add("account_id", "is required")
	}
	if !creating && in.AccountID != nil {
		f.Add("account_id", "cannot change; add the person to the other account instead")
	}
	checkText(f, "first_name", in.FirstName, false, 0, 100)
	checkText(f, "last_name", in.LastName, false, 0, 100)
	checkText(f, "email", in.Email, false, 0, 254)
	if in.Email != nil {
		*in.Email = strings.ToLower(*in.Email)
		if *in.Email != "" && !emailRE.MatchString(*in.Email) {
			f.Add("email", "must be an email address")
		}
	}
	checkText(f, "phone", in.Phone, false, 0, 50)
	checkText(f, "job_title", in.JobTitle, false, 0, 100)
	if in.Role != nil && !slices.Contains(ContactRoles, *in.Role) {
		f.Add("role", "must be one of "+strings.Join(ContactRoles, ", "))
	}
	return f.Err()
}

func (in *ContactInput) apply(c *Contact) {
	set(&c.FirstName, in.FirstName)
	set(&c.LastName, in.LastName)
	set(&c.Email, in.Email)
	set(&c.Phone, in.Phone)
	set(&c.JobTitle, in.JobTitle)
	set(&c.Role, in.Role)
	set(&c.Primary, in.Primary)
	set(&c.Active, in.Active)
}

// named checks the rule no single field carries: a contact has a name.
func (c *Contact) named() error {
	if c.FirstName == "" && c.LastName == "" {
		return errs.Field("last_name", "first_name or last_name is required")
	}
	return nil
}

// CreateContact adds a contact to an account of the bound tenant. Making it
// primary takes the flag from the account's previous primary contact.
func (s *Service) CreateContact(ctx context.Context, in ContactInput) (Contact, error) {
	if err := in.check(true); err != nil {
		return Contact{}, err
	}
	t := now()
	c := Contact{ID: newID(), AccountID: *in.AccountID, Role: "other", Active: true, CreatedAt: t, UpdatedAt: t}
	in.apply(&c)
	if err := c.named(); err != nil {
		return Contact{}, err
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := getAccount(ctx, tx, c.AccountID, false); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Field("account_id", "no such account")
			}
			return err
		}
		if c.Primary {
			if err := clearPrimary(ctx, tx, c.AccountID, c.ID); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(contactRowOf(&c)).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "contact.created", Resource: "contacts",
			ResourceID: c.ID.String(), After: c})
	})
	return c, err
}

// GetContact returns one contact of the bound tenant.
func (s *Service) GetContact(ctx context.Context, id uuid.UUID) (Contact, error) {
	var c Contact
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getContact(ctx, tx, id, false)
		if err == nil {
			c = r.contact()
		}
		return err
	})
	return c, err
}

// UpdateContact changes the fields that are set.
func (s *Service) UpdateContact(ctx context.Context, id uuid.UUID, in ContactInput) (Contact, error) {
	if err := in.check(false); err != nil {
		return Contact{}, err
	}
	var c Contact
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getContact(ctx, tx, id, true)
		if err != nil {
			return err
		}
		before := r.contact()
		c = before
		in.apply(&c)
		if err := c.named(); err != nil {
			return err
		}
		c.UpdatedAt = now()
		if c.Primary && !before.Primary {
			if err := clearPrimary(ctx, tx, c.AccountID, c.ID); err != nil {
				return err
			}
		}
		if _, err := tx.NewUpdate().Model(contactRowOf(&c)).Column(contactColumns...).Where("ct.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "contact.updated", Resource: "contacts",
			ResourceID: id.String(), Before: before, After: c})
	})
	return c, err
}

// DeleteContact removes a contact. Activities about the person stay on the
// account, without the contact.
func (s *Service) DeleteContact(ctx context.Context, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getContact(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*activityRow)(nil)).Set("contact_id = NULL").
			Where("av.contact_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*contactRow)(nil)).Where("ct.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "contact.deleted", Resource: "contacts",
			ResourceID: id.String(), Before: r.contact()})
	})
}

// FindContacts lists contacts matching f, newest first, one page of f.Limit.
func (s *Service) FindContacts(ctx context.Context, f ContactFilter) ([]Contact, error) {
	if utf8.RuneCountInString(f.Q) > 100 {
		return nil, errs.Field("q", "is too long")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var rows []contactRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("ct.id DESC").Limit(int64(f.Limit))
		if f.AccountID != nil {
			q.Where("ct.account_id = ?", *f.AccountID)
		}
		if q0 := strings.TrimSpace(f.Q); q0 != "" {
			pat := likePattern(q0)
			q.Where(`(LOWER(ct.first_name) LIKE ? ESCAPE '\' OR LOWER(ct.last_name) LIKE ? ESCAPE '\'
				OR LOWER(ct.first_name || ' ' || ct.last_name) LIKE ? ESCAPE '\' OR ct.email LIKE ? ESCAPE '\')`,
				pat, pat, pat, pat)
		}
		if f.After != nil {
			q.Where("ct.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Contact, len(rows))
	for i := range rows {
		out[i] = rows[i].contact()
	}
	return out, err
}

type contactRow struct {
	bun.BaseModel `bun:"table:contacts,alias:ct"`
	tenant.Scoped
	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	AccountID uuid.UUID `bun:"account_id,type:uuid"`
	FirstName string    `bun:"first_name"`
	LastName  string    `bun:"last_name"`
	Email     string    `bun:"email"`
	Phone     string    `bun:"phone"`
	JobTitle  string    `bun:"job_title"`
	Role      string    `bun:"role"`
	Primary   bool      `bun:"is_primary"`
	Active    bool      `bun:"active"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

var contactColumns = []string{"first_name", "last_name", "email", "phone", "job_title", "role", "is_primary",
	"active", "updated_at"}

func (r *contactRow) contact() Contact {
	return Contact{ID: r.ID, AccountID: r.AccountID, FirstName: r.FirstName, LastName: r.LastName, Email: r.Email,
		Phone: r.Phone, JobTitle: r.JobTitle, Role: r.Role, Primary: r.Primary, Active: r.Active,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func contactRowOf(c *Contact) *contactRow {
	return &contactRow{ID: c.ID, AccountID: c.AccountID, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		Phone: c.Phone, JobTitle: c.JobTitle, Role: c.Role, Primary: c.Primary, Active: c.Active,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func getContact(ctx context.Context, tx bun.IDB, id uuid.UUID, lock bool) (*contactRow, error) {
	var r contactRow
	q := tx.NewSelect().Model(&r).Where("ct.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return nil, errs.E(errs.NotFound, "contact not found")
		}
		return nil, err
	}
	return &r, nil
}

// clearPrimary takes the primary flag from the account's other contacts, so
// the new primary fits the one-primary-per-account index.
func clearPrimary(ctx context.Context, tx bun.IDB, account, except uuid.UUID) error {
	_, err := tx.NewUpdate().Model((*contactRow)(nil)).Set("is_primary = ?", false).Set("updated_at = ?", now()).
		Where("ct.account_id = ? AND ct.is_primary AND ct.id <> ?", account, except).Exec(ctx)
	return err
}
