package shipping

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/web"
	"nexo/tenant"
)

// shipmentsCSVHeader is shipments.csv's columns: one row per shipment with
// its timeline's timestamps.
var shipmentsCSVHeader = []string{"number", "status", "order_number", "account_name", "carrier", "tracking_number",
	"tracking_url", "packed_at", "shipped_at", "in_transit_at", "delivered_at", "cancelled_at", "created_at",
	"order_id", "account_id", "id"}

// exportRow is a shipment with the names an export shows beside its ids.
type exportRow struct {
	Shipment
	OrderNumber, AccountName string
}

// Export calls fn for every shipment matching f (ignoring its page), newest
// first, inside one transaction.
func (s *Service) Export(ctx context.Context, f Filter, fn func(exportRow) error) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		orders, accounts := map[uuid.UUID]string{}, map[uuid.UUID]string{}
		return web.EachPage(func(after *uuid.UUID, limit int) ([]Shipment, error) {
			f.After, f.Limit = after, limit
			page, err := s.Find(ctx, f)
			if err != nil {
				return nil, err
			}
			oids, aids := make([]uuid.UUID, len(page)), make([]uuid.UUID, len(page))
			for i, sh := range page {
				oids[i], aids[i] = sh.OrderID, sh.AccountID
			}
			if err := tenant.Names(ctx, tx, "orders", "number", oids, orders); err != nil {
				return nil, err
			}
			return page, tenant.Names(ctx, tx, "accounts", "name", aids, accounts)
		}, func(sh Shipment) uuid.UUID { return sh.ID }, func(sh Shipment) error {
			return fn(exportRow{sh, orders[sh.OrderID], accounts[sh.AccountID]})
		})
	})
}

// exportCSV answers shipments.csv: the list's filters, every page at once.
func (h *Handler) exportCSV(c *fiber.Ctx) error {
	f, _, err := parseFilter(c)
	if err != nil {
		return err
	}
	return web.SendCSV(c, "shipments.csv", shipmentsCSVHeader, func(emit func(...string) error) error {
		return h.svc.Export(c.UserContext(), f, func(r exportRow) error {
			return emit(r.Number, string(r.Status), r.OrderNumber, web.Defuse(r.AccountName), web.Defuse(r.Carrier),
				web.Defuse(r.TrackingNumber), web.Defuse(r.TrackingURL), web.Instant(r.PackedAt), web.Instant(r.ShippedAt),
				web.Instant(r.InTransitAt), web.Instant(r.DeliveredAt), web.Instant(r.CancelledAt), web.Instant(&r.CreatedAt),
				r.OrderID.String(), r.AccountID.String(), r.ID.String())
		})
	})
}
