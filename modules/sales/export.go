package sales

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/web"
	"nexo/tenant"
)

// ordersCSVHeader is orders.csv's columns: one row per order, money in
// minor units as in the JSON API.
var ordersCSVHeader = []string{"number", "status", "account_id", "account_name", "requested_date", "promised_date",
	"currency", "subtotal_minor", "tax_minor", "total_minor", "confirmed_at", "cancelled_at", "created_at", "id"}

// Export calls fn for every order matching f (ignoring its page), newest
// first, with the customer's name, inside one transaction.
func (s *Service) Export(ctx context.Context, f Filter, fn func(o Order, account string) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		names := map[uuid.UUID]string{}
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Order, error) {
			f.After, f.Limit = after, limit
			page, err := s.Find(ctx, f)
			if err != nil {
				return nil, err
			}
			ids := make([]uuid.UUID, len(page))
			for i, o := range page {
				ids[i] = o.AccountID
			}
			return page, tenant.Names(ctx, tx, "accounts", "name", ids, names)
		}, func(o Order) uuid.UUID { return o.ID }, func(o Order) error { return fn(o, names[o.AccountID]) })
	})
}

// exportCSV answers orders.csv: the list's filters, every page at once.
func (h *Handler) exportCSV(c *fiber.Ctx) error {
	f, _, err := parseFilter(c)
	if err != nil {
		return err
	}
	return web.SendCSV(c, "orders.csv", ordersCSVHeader, func(emit func(...string) error) error {
		return h.svc.Export(c.UserContext(), f, func(o Order, account string) error {
			return emit(o.Number, string(o.Status), o.AccountID.String(), web.Defuse(account),
				web.Date(o.RequestedDate), web.Date(o.PromisedDate), o.Currency,
				web.Int(o.SubtotalMinor), web.Int(o.TaxMinor), web.Int(o.TotalMinor),
				web.Instant(o.ConfirmedAt), web.Instant(o.CancelledAt), web.Instant(&o.CreatedAt), o.ID.String())
		})
	})
}
