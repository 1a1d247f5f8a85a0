package main

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/modules/catalog"
	"nexo/modules/crm"
	"nexo/modules/inventory"
	"nexo/modules/sales"
	"nexo/modules/tickets"
	"nexo/rbac"
	"nexo/tenant"
)

// ticketLinks gives tickets what its links point at: the account and
// contact (crm), the order (sales), the product (catalog), the lot
// (inventory) and the assignee (identity). Each missing record is
// errs.NotFound, whatever the owning module's wording.
type ticketLinks struct {
	crm      *crm.Service
	sales    *sales.Service
	catalog  *catalog.Service
	stock    *inventory.Service
	identity *tenant.Service
	policy   *rbac.Enforcer
}

func notFound(err error, what string) error {
	if err != nil && errs.Is(db.Translate(err), errs.NotFound) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return err
}

func (a ticketLinks) Account(ctx context.Context, id uuid.UUID) error {
	acc, err := a.crm.GetAccount(ctx, id)
	if err == nil && !acc.Active {
		// An inactive account takes no new tickets, as it takes no orders.
		return errs.E(errs.NotFound, "account not found")
	}
	return notFound(err, "account")
}

func (a ticketLinks) ContactAccount(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	c, err := a.crm.GetContact(ctx, id)
	return c.AccountID, notFound(err, "contact")
}

func (a ticketLinks) OrderAccount(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	o, err := a.sales.Get(ctx, id)
	return o.AccountID, notFound(err, "order")
}

func (a ticketLinks) Product(ctx context.Context, id uuid.UUID) error {
	_, err := a.catalog.GetProduct(ctx, id)
	return notFound(err, "product")
}

func (a ticketLinks) Lot(ctx context.Context, id uuid.UUID) error {
	_, err := a.stock.GetLot(ctx, id)
	return notFound(err, "lot")
}

// StaffUser admits an active staff user who holds the permission handling
// a ticket takes; anyone else (a viewer, a salesperson) is not a possible
// assignee.
func (a ticketLinks) StaffUser(ctx context.Context, id uuid.UUID) error {
	u, err := a.identity.GetUser(ctx, id)
	if err == nil && !a.handles(u) {
		return errs.E(errs.NotFound, "user not found")
	}
	return notFound(err, "user")
}

func (a ticketLinks) handles(u tenant.User) bool {
	return u.Status == "active" && a.policy.Enforce(u.TenantID, tenant.UserSubject(u.ID), tickets.HandlePermission)
}

// Assignees walks the tenant's users page by page (a tenant's staff is
// seats, not a big table) and keeps those StaffUser admits.
func (a ticketLinks) Assignees(ctx context.Context) ([]tickets.Assignee, error) {
	var out []tickets.Assignee
	page := tenant.Page{Limit: 100}
	for {
		users, err := a.identity.ListUsers(ctx, page)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if a.handles(u) {
				out = append(out, tickets.Assignee{ID: u.ID, Name: u.Name, Email: u.Email})
			}
		}
		if len(users) < page.Limit {
			break
		}
		page.After = &users[len(users)-1].ID
	}
	slices.SortFunc(out, func(x, y tickets.Assignee) int {
		return cmp.Or(strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)), strings.Compare(x.Email, y.Email))
	})
	return out, nil
}
