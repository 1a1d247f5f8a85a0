package invoicing

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/web"
	"nexo/tenant"
)

// invoicesCSVHeader is invoices.csv's columns: one row per invoice, money
// in minor units as in the JSON API, the balance and overdue flag as of
// today.
var invoicesCSVHeader = []string{"number", "status", "overdue", "account_name", "issue_date", "due_date", "currency",
	"net_minor", "tax_minor", "total_minor", "paid_minor", "credited_minor", "refund_minor", "balance_minor", "account_id", "order_id", "id"}

// Export calls fn for every invoice matching f (ignoring its page), newest
// first, with the customer's name, inside one transaction.
func (s *Service) Export(ctx context.Context, f Filter, fn func(inv Invoice, account string) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		names := map[uuid.UUID]string{}
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Invoice, error) {
			f.After, f.Limit = after, limit
			page, err := s.Find(ctx, f)
			if err != nil {
				return nil, err
			}
			ids := make([]uuid.UUID, len(page))
			for i, inv := range page {
				ids[i] = inv.AccountID
			}
			return page, tenant.Names(ctx, tx, "accounts", "name", ids, names)
		}, func(inv Invoice) uuid.UUID { return inv.ID }, func(inv Invoice) error { return fn(inv, names[inv.AccountID]) })
	})
}

// exportCSV answers invoices.csv: the list's filters, every page at once.
func (h *Handler) exportCSV(c *fiber.Ctx) error {
	f, _, err := parseFilter(c)
	if err != nil {
		return err
	}
	today := h.svc.today()
	return web.SendCSV(c, "invoices.csv", invoicesCSVHeader, func(emit func(...string) error) error {
		return h.svc.Export(c.UserContext(), f, func(i Invoice, account string) error {
			return emit(i.Number, string(i.Status), strconv.FormatBool(i.Overdue(today)), web.Defuse(account),
				web.Date(&i.IssueDate), web.Date(&i.DueDate), i.Currency, web.Int(i.NetMinor), web.Int(i.TaxMinor),
				web.Int(i.TotalMinor), web.Int(i.PaidMinor), web.Int(i.CreditedMinor), web.Int(i.RefundMinor), web.Int(i.Balance()),
				i.AccountID.String(), i.OrderID.String(), i.ID.String())
		})
	})
}
