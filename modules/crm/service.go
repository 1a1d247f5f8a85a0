package crm

import (
	"context"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// Settings gives the bound tenant's base currency, the default currency of a
// new account's credit limit. *tenant.Service implements it.
type Settings interface {
	GetSettings(ctx context.Context) (tenant.Settings, error)
}

// Service owns the CRM's rules and transactions.
type Service struct {
	db       *tenant.DB
	settings Settings
	products Products
}

// NewService returns the CRM service over d; products prices opportunity
// lines from the catalog.
func NewService(d *tenant.DB, settings Settings, products Products) *Service {
	return &Service{db: d, settings: settings, products: products}
}

// CreateAccount adds an account. Currency defaults to the tenant's base
// currency, payment terms to 30 days. An account that looks like existing
// ones (same tax id, name or email once normalized) is refused with a
// *DuplicateError listing them, unless in.ConfirmDuplicate is set.
func (s *Service) CreateAccount(ctx context.Context, in AccountInput) (Account, error) {
	if err := in.check(true); err != nil {
		return Account{}, err
	}
	t := now()
	a := Account{ID: newID(), PaymentTermsDays: DefaultPaymentTerms, Active: true, CreatedAt: t, UpdatedAt: t}
	in.apply(&a)
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if a.Currency == "" {
			st, err := s.settings.GetSettings(ctx)
			if err != nil {
				return err
			}
			a.Currency = st.BaseCurrency
		}
		if err := checkOwner(ctx, tx, a.OwnerUserID); err != nil {
			return err
		}
		if !in.ConfirmDuplicate {
			dups, err := findDuplicates(ctx, tx, &a)
			if err != nil {
				return err
			}
			if len(dups) > 0 {
				return &DuplicateError{Candidates: dups}
			}
		}
		if _, err := tx.NewInsert().Model(rowOf(&a)).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "account.created", Resource: "accounts",
			ResourceID: a.ID.String(), After: a})
	})
	return a, err
}

// GetAccount returns one account of the bound tenant.
func (s *Service) GetAccount(ctx context.Context, id uuid.UUID) (Account, error) {
	var a Account
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getAccount(ctx, tx, id, false)
		if err == nil {
			a = r.account()
		}
		return err
	})
	return a, err
}

// UpdateAccount changes the fields that are set. An edit of the name, tax
// id or email that makes the account look like another one is refused
// with a *DuplicateError, as on create, unless in.ConfirmDuplicate is set.
func (s *Service) UpdateAccount(ctx context.Context, id uuid.UUID, in AccountInput) (Account, error) {
	if err := in.check(false); err != nil {
		return Account{}, err
	}
	var a Account
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getAccount(ctx, tx, id, true)
		if err != nil {
			return err
		}
		before := r.account()
		a = before
		in.apply(&a)
		a.UpdatedAt = now()
		if in.OwnerUserID != nil {
			if err := checkOwner(ctx, tx, a.OwnerUserID); err != nil {
				return err
			}
		}
		if !in.ConfirmDuplicate {
			dups, err := findChangedDuplicates(ctx, tx, &before, &a)
			if err != nil {
				return err
			}
			if len(dups) > 0 {
				return &DuplicateError{Candidates: dups}
			}
		}
		if _, err := tx.NewUpdate().Model(rowOf(&a)).Column(accountColumns...).Where("a.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "account.updated", Resource: "accounts",
			ResourceID: id.String(), Before: before, After: a})
	})
	return a, err
}

// FindAccounts lists accounts matching f, newest first, one page of f.Limit.
func (s *Service) FindAccounts(ctx context.Context, f Filter) ([]Account, error) {
	if utf8.RuneCountInString(f.Q) > 100 {
		return nil, errs.Field("q", "is too long")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var rows []accountRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("a.id DESC").Limit(int64(f.Limit))
		if f.Q != "" {
			// The name also matches without accents or punctuation, the tax
			// id written another way ("B-123" finds "B123"), and an account
			// is found by its contacts' emails.
			pat, name, tax := likePattern(f.Q), nameKey(f.Q), taxKey(f.Q)
			q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				q.Where(`LOWER(a.name) LIKE ? ESCAPE '\'`, pat).
					WhereOr(`LOWER(a.tax_id) LIKE ? ESCAPE '\'`, pat).
					WhereOr(`LOWER(a.email) LIKE ? ESCAPE '\'`, pat).
					WhereOr(`EXISTS (SELECT 1 FROM contacts ct WHERE ct.tenant_id = a.tenant_id AND ct.account_id = a.id
						AND ct.email LIKE ? ESCAPE '\')`, pat)
				if name != "" {
					q.WhereOr(`a.name_key LIKE ? ESCAPE '\'`, "%"+escapeLike(name)+"%")
				}
				if tax != "" {
					q.WhereOr(`a.tax_key LIKE ? ESCAPE '\'`, "%"+escapeLike(tax)+"%")
				}
				return q
			})
		}
		if f.Active != nil {
			q.Where("a.active = ?", *f.Active)
		}
		if f.After != nil {
			q.Where("a.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Account, len(rows))
	for i := range rows {
		out[i] = rows[i].account()
	}
	return out, err
}

// checkOwner names the field when the sales rep is not a user of the bound
// tenant (the composite foreign key would refuse it too, without the name).
func checkOwner(ctx context.Context, tx bun.IDB, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	ok, err := userExists(ctx, tx, *id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Field("owner_user_id", "no such user")
	}
	return nil
}
