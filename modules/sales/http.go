package sales

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// dateLayout is how dates travel in JSON: calendar dates, no time zone.
const dateLayout = "2006-01-02"

// Handler serves the sales order routes under /api/v1.
type Handler struct{ svc *Service }

// NewHandler returns the sales HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the order routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	read, write := web.Perm("orders:read"), web.Perm("orders:write")
	// Portal customers read their own account's orders (http_customer.go);
	// every other order route refuses them.
	bound := web.CustomerPerm("orders:read")
	r.Get("/orders", bound, h.list)
	r.Post("/orders", write, h.create)
	r.Get("/orders.csv", read, h.exportCSV)
	r.Get("/orders/:id", bound, h.get)
	r.Patch("/orders/:id", write, h.update)
	r.Post("/orders/:id/confirm", web.Perm("orders:confirm"), h.confirm)
	r.Post("/orders/:id/cancel", web.Perm("orders:cancel"), h.noteAction(h.svc.Cancel))
	r.Post("/orders/:id/approve-credit", web.Perm("credit:approve"), h.noteAction(h.svc.ApproveCredit))
	r.Get("/orders/:id/history", bound, h.history)
}

type lineJSON struct {
	ID              uuid.UUID       `json:"id"`
	ProductID       uuid.UUID       `json:"product_id"`
	Description     string          `json:"description"`
	Quantity        int64           `json:"quantity"`
	UnitPriceMinor  int64           `json:"unit_price_minor"`
	DiscountBP      int             `json:"discount_bp"`
	TaxRateBP       int             `json:"tax_rate_bp"`
	NetMinor        int64           `json:"net_minor"`
	TaxMinor        int64           `json:"tax_minor"`
	TotalMinor      int64           `json:"total_minor"`
	ReservedQty     int64           `json:"reserved_qty"`
	ShortfallQty    int64           `json:"shortfall_qty"`
	ShortfallAction ShortfallAction `json:"shortfall_action"`
	PromisedDate    *string         `json:"promised_date"`
	ShippedQty      int64           `json:"shipped_qty"`
	InvoicedQty     int64           `json:"invoiced_qty"`
}

type orderJSON struct {
	ID            uuid.UUID  `json:"id"`
	Number        string     `json:"number"`
	AccountID     uuid.UUID  `json:"account_id"`
	Status        Status     `json:"status"`
	RequestedDate *string    `json:"requested_date"`
	PromisedDate  *string    `json:"promised_date"`
	Currency      string     `json:"currency"`
	PriceListID   *uuid.UUID `json:"price_list_id"`
	SubtotalMinor int64      `json:"subtotal_minor"`
	TaxMinor      int64      `json:"tax_minor"`
	TotalMinor    int64      `json:"total_minor"`
	Notes         string     `json:"notes"`
	QuoteID       *uuid.UUID `json:"quote_id"`
	OpportunityID *uuid.UUID `json:"opportunity_id"`
	CreatedBy     *uuid.UUID `json:"created_by"`
	ConfirmedAt   *time.Time `json:"confirmed_at"`
	CancelledAt   *time.Time `json:"cancelled_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	Lines         []lineJSON `json:"lines,omitempty"` // detail responses only
}

func fmtDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(dateLayout)
	return &s
}

func orderOut(o Order) orderJSON {
	out := orderJSON{ID: o.ID, Number: o.Number, AccountID: o.AccountID, Status: o.Status,
		RequestedDate: fmtDate(o.RequestedDate), PromisedDate: fmtDate(o.PromisedDate), Currency: o.Currency,
		PriceListID: o.PriceListID, SubtotalMinor: o.SubtotalMinor, TaxMinor: o.TaxMinor, TotalMinor: o.TotalMinor, Notes: o.Notes,
		QuoteID: o.QuoteID, OpportunityID: o.OpportunityID, CreatedBy: o.CreatedBy, ConfirmedAt: o.ConfirmedAt,
		CancelledAt: o.CancelledAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, lineJSON{ID: l.ID, ProductID: l.ProductID, Description: l.Description, Quantity: l.Quantity,
			UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor,
			TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor, ReservedQty: l.ReservedQty, ShortfallQty: l.ShortfallQty,
			ShortfallAction: l.ShortfallAction, PromisedDate: fmtDate(l.PromisedDate), ShippedQty: l.ShippedQty,
			InvoicedQty: l.InvoicedQty})
	}
	return out
}

// Ids are decoded as strings so a malformed one is refused by field name.
type lineIn struct {
	ProductID      string `json:"product_id"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor *int64 `json:"unit_price_minor"`
	DiscountBP     *int   `json:"discount_bp"`
}

// orderIn is a create or PATCH body. Status, number, totals and tenant are
// not fields: the strict decoder refuses them by name (A4).
type orderIn struct {
	AccountID     *string         `json:"account_id"`
	Currency      *string         `json:"currency"`
	PriceListID   *string         `json:"price_list_id"`
	RequestedDate json.RawMessage `json:"requested_date"`
	Notes         *string         `json:"notes"`
	Lines         []lineIn        `json:"lines"`
}

// decodeNewOrder parses a create body; fuzz targets call it directly.
func decodeNewOrder(body []byte) (NewOrder, error) {
	var in orderIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return NewOrder{}, err
	}
	f := errs.Fields{}
	out := NewOrder{Lines: newLines(f, in.Lines)}
	if in.AccountID != nil {
		out.AccountID = parseID(f, "account_id", *in.AccountID)
	}
	if in.Currency != nil {
		out.Currency = *in.Currency
	}
	if in.PriceListID != nil {
		id := parseID(f, "price_list_id", *in.PriceListID)
		out.PriceListID = &id
	}
	if in.Notes != nil {
		out.Notes = *in.Notes
	}
	out.RequestedDate, _ = parseDate(f, in.RequestedDate)
	return out, f.Err()
}

// decodeUpdate parses a PATCH body; requested_date null clears the date.
func decodeUpdate(body []byte) (OrderUpdate, error) {
	var in orderIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return OrderUpdate{}, err
	}
	f := errs.Fields{}
	out := OrderUpdate{Currency: in.Currency, Notes: in.Notes}
	if in.PriceListID != nil {
		// The list priced the lines when the order was made; replacing lines
		// prices them from the same list.
		f.Add("price_list_id", "is chosen when the order is created")
	}
	if in.AccountID != nil {
		id := parseID(f, "account_id", *in.AccountID)
		out.AccountID = &id
	}
	if in.Lines != nil {
		out.Lines = newLines(f, in.Lines)
	}
	out.RequestedDate, out.ClearRequestedDate = parseDate(f, in.RequestedDate)
	return out, f.Err()
}

func newLines(f errs.Fields, in []lineIn) []NewLine {
	out := make([]NewLine, len(in))
	for i, l := range in {
		out[i] = NewLine{ProductID: parseID(f, fmt.Sprintf("lines[%d].product_id", i), l.ProductID),
			Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP}
	}
	return out
}

// parseID reads an id, naming field when it is malformed ("" is left to the
// "is required" checks).
func parseID(f errs.Fields, field, s string) uuid.UUID {
	if s == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		f.Add(field, "must be an id")
	}
	return id
}

// parseDate reads a "YYYY-MM-DD" string; null reports clear.
func parseDate(f errs.Fields, raw json.RawMessage) (d *time.Time, clear bool) {
	if len(raw) == 0 {
		return nil, false
	}
	if string(raw) == "null" {
		return nil, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if t, err := time.Parse(dateLayout, s); err == nil && t.Year() >= 2000 {
			return &t, false
		}
	}
	f.Add("requested_date", "must be a date such as 2026-03-31")
	return nil, false
}

func jsonBody(c *fiber.Ctx) ([]byte, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return nil, errs.Field("body", "content type must be application/json")
	}
	return c.Body(), nil
}

// pathID parses :id; a malformed id is answered like an unknown one.
func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "order not found")
	}
	return id, nil
}
