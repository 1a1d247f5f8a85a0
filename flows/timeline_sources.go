package flows

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"nexo/modules/crm"
	"nexo/modules/invoicing"
	"nexo/modules/manufacturing"
	"nexo/modules/quotes"
	"nexo/modules/sales"
	"nexo/modules/shipping"
	"nexo/modules/tickets"
)

// TimelineSources are the timeline's sources over the modules that exist
// today, each behind the permission its own list route requires (credit
// notes are read with invoices:read, as GET /credit-notes is). A new kind
// of record joins by appending a Source to this list in the wiring.
func TimelineSources(c *crm.Service, so *sales.Service, mo *manufacturing.Service, sh *shipping.Service, inv *invoicing.Service) []Source {
	return []Source{
		{Kind: KindActivity, Perm: "activities:read", Fetch: activitySource(c)},
		{Kind: KindOrder, Perm: "orders:read", Fetch: orderSource(so)},
		{Kind: KindProduction, Perm: "production:read", Fetch: productionSource(mo)},
		{Kind: KindShipment, Perm: "shipments:read", Fetch: shipmentSource(sh)},
		{Kind: KindInvoice, Perm: "invoices:read", Fetch: invoiceSource(inv)},
		{Kind: KindPayment, Perm: "payments:read", Fetch: paymentSource(inv)},
		{Kind: KindCreditNote, Perm: "invoices:read", Fetch: creditNoteSource(inv)},
		{Kind: KindRefund, Perm: "payments:read", Fetch: refundSource(inv)},
	}
}

// QuoteSource is the quotes' timeline source, under the quotes' record
// rule (R3): without opportunities:read:all, only the caller's own. Each
// revision is its own entry; the status is as the user sees it today.
func QuoteSource(qs *quotes.Service) Source {
	return Source{Kind: KindQuote, Perm: "quotes:read", Fetch: func(ctx context.Context, q Query) ([]Item, error) {
		list, err := qs.FindByAccount(ctx, quotes.Scope{All: q.Can(quotes.ReadAllPermission)}, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		today := qs.Today()
		return convert(list, func(x quotes.Quote) Item {
			return Item{Kind: KindQuote, At: x.CreatedAt, ID: x.ID, Title: fmt.Sprintf("%s rev. %d", x.Number, x.Revision),
				Status: string(x.Current(today)), AmountMinor: ptr(x.TotalMinor), Currency: x.Currency, OrderID: x.OrderID,
				Summary: firstLine(x.Notes)}
		}), err
	}}
}

// TicketSource is the support tickets' timeline source (C6): every ticket
// of the account for staff holding tickets:read, placed at its opening,
// its subject as the summary and its current status.
func TicketSource(ts *tickets.Service) Source {
	return Source{Kind: KindTicket, Perm: "tickets:read", Fetch: func(ctx context.Context, q Query) ([]Item, error) {
		list, err := ts.FindByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(t tickets.Ticket) Item {
			return Item{Kind: KindTicket, At: t.CreatedAt, ID: t.ID, Title: t.Number, Status: string(t.Status),
				Subtype: string(t.Priority), OrderID: t.OrderID, Summary: firstLine(t.Subject)}
		}), err
	}}
}

// activitySource reads the account's activities under the caller's record
// rule (R3), as GET /activities does: without activities:read:all, only
// those assigned to the caller.
func activitySource(c *crm.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := c.ActivitiesByAccount(ctx, crm.Scope{All: q.Can(crm.ReadAllActivities)}, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(a crm.Activity) Item {
			it := Item{Kind: KindActivity, At: a.CreatedAt, ID: a.ID, Title: a.Subject, Subtype: a.Kind, Summary: firstLine(a.Body)}
			switch {
			case a.DoneAt != nil:
				it.Status = "done"
			case a.Kind == "task" || a.DueAt != nil:
				it.Status = "open"
			}
			return it
		}), err
	}
}

func orderSource(so *sales.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := so.FindByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(o sales.Order) Item {
			return Item{Kind: KindOrder, At: o.CreatedAt, ID: o.ID, Title: o.Number, Status: string(o.Status),
				AmountMinor: ptr(o.TotalMinor), Currency: o.Currency, OrderID: ptr(o.ID), Summary: firstLine(o.Notes)}
		}), err
	}
}

func productionSource(mo *manufacturing.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := mo.FindByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(o manufacturing.Order) Item {
			return Item{Kind: KindProduction, At: o.CreatedAt, ID: o.ID, Title: o.Number, Status: string(o.Status),
				Summary: firstLine(o.Notes)}
		}), err
	}
}

func shipmentSource(sh *shipping.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := sh.FindByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(s shipping.Shipment) Item {
			return Item{Kind: KindShipment, At: s.CreatedAt, ID: s.ID, Title: s.Number, Status: string(s.Status),
				OrderID: ptr(s.OrderID), Summary: strings.TrimSpace(s.Carrier + " " + s.TrackingNumber)}
		}), err
	}
}

func invoiceSource(inv *invoicing.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := inv.InvoicesByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(i invoicing.Invoice) Item {
			return Item{Kind: KindInvoice, At: i.CreatedAt, ID: i.ID, Title: i.Number, Status: string(i.Status),
				AmountMinor: ptr(i.TotalMinor), Currency: i.Currency, OrderID: ptr(i.OrderID), InvoiceID: ptr(i.ID)}
		}), err
	}
}

func paymentSource(inv *invoicing.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := inv.PaymentsByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(p invoicing.Payment) Item {
			return Item{Kind: KindPayment, At: p.CreatedAt, ID: p.ID, Title: p.Reference, Subtype: string(p.Method),
				AmountMinor: ptr(p.AmountMinor), Currency: p.Currency, InvoiceID: ptr(p.InvoiceID)}
		}), err
	}
}

func creditNoteSource(inv *invoicing.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := inv.CreditNotesByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(c invoicing.CreditNote) Item {
			return Item{Kind: KindCreditNote, At: c.CreatedAt, ID: c.ID, Title: c.Number, AmountMinor: ptr(c.TotalMinor),
				Currency: c.Currency, InvoiceID: ptr(c.InvoiceID), Summary: firstLine(c.Reason)}
		}), err
	}
}

// refundSource places a refund at when it became due; its status says
// whether it was paid back and its subtype how.
func refundSource(inv *invoicing.Service) SourceFunc {
	return func(ctx context.Context, q Query) ([]Item, error) {
		list, err := inv.RefundsByAccount(ctx, q.AccountID, q.Before.At, q.Before.ID, q.Limit)
		return convert(list, func(r invoicing.Refund) Item {
			return Item{Kind: KindRefund, At: r.CreatedAt, ID: r.ID, Status: string(r.Status), Subtype: string(r.Method),
				AmountMinor: ptr(r.AmountMinor), Currency: r.Currency, InvoiceID: ptr(r.InvoiceID)}
		}), err
	}
}

func convert[T any](list []T, f func(T) Item) []Item {
	out := make([]Item, len(list))
	for i, v := range list {
		out[i] = f(v)
	}
	return out
}

func ptr[T int64 | uuid.UUID](v T) *T { return &v }

// maxSummary bounds an item's summary: a timeline row shows one line, and
// an activity body may hold 10,000 characters.
const maxSummary = 200

// firstLine is the first non-blank line of text, cut at maxSummary runes.
func firstLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if r := []rune(l); len(r) > maxSummary {
				return string(r[:maxSummary-1]) + "…"
			}
			return l
		}
	}
	return ""
}
