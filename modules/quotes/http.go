package quotes

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// Accepted is what accepting a quote did (F1): the quote, the sales order
// it became and the production orders made for the order's shortfall.
type Accepted struct {
	Quote       Quote
	OrderID     uuid.UUID
	OrderNumber string
	OrderStatus string
	Production  []string // production order numbers
	// PlanNote says why no production order was made for a shortfall (the
	// order waits for credit approval, or the planner must choose a
	// warehouse), empty otherwise.
	PlanNote string
}

// Acceptor accepts a quote in one transaction with its sales order; the
// flows package implements it (a module never creates another's records).
type Acceptor interface {
	AcceptQuote(ctx context.Context, sc Scope, id uuid.UUID) (Accepted, error)
}

// Handler serves the quote routes under /api/v1.
type Handler struct {
	svc    *Service
	authz  web.Authorizer
	accept Acceptor
}

// NewHandler returns the quotes HTTP handler; authz is the router's
// authorizer (asked for the record rule), accept the F1 flow.
func NewHandler(svc *Service, authz web.Authorizer, accept Acceptor) *Handler {
	return &Handler{svc: svc, authz: authz, accept: accept}
}

// Routes mounts the routes on r. Reading, the PDF, accepting and declining
// are open to portal customers (P5), bound to their account and to quotes
// sent to them, answered with the customer allow-list; accepting runs the
// same flow as a rep's. Everything else is staff only.
func (h *Handler) Routes(r *web.Router) {
	read, write, send := web.CustomerPerm("quotes:read"), web.Perm("quotes:write"), web.Perm("quotes:send")
	answer := web.CustomerPerm("quotes:answer")
	r.Get("/quotes", read, h.list)
	r.Post("/quotes", write, h.create)
	r.Get("/quotes/:id", read, h.get)
	r.Patch("/quotes/:id", write, h.update)
	r.Get("/quotes/:id/pdf", read, h.pdf)
	r.Post("/quotes/:id/send", send, h.send)
	r.Post("/quotes/:id/accept", answer, h.acceptQuote)
	r.Post("/quotes/:id/decline", answer, h.decline)
	r.Post("/quotes/:id/revise", write, h.revise)
}

// Scope is the record rule for the calling request.
func (h *Handler) Scope(c *fiber.Ctx) Scope {
	return Scope{All: h.authz.Authorize(c.UserContext(), web.Perm(ReadAllPermission)) == nil}
}

type lineJSON struct {
	ID             uuid.UUID    `json:"id"`
	ProductID      uuid.UUID    `json:"product_id"`
	Description    string       `json:"description"`
	Quantity       int64        `json:"quantity"`
	UnitPriceMinor int64        `json:"unit_price_minor"`
	DiscountBP     int          `json:"discount_bp"`
	TaxRateBP      int          `json:"tax_rate_bp"`
	NetMinor       int64        `json:"net_minor"`
	TaxMinor       int64        `json:"tax_minor"`
	TotalMinor     int64        `json:"total_minor"`
	Availability   *promiseJSON `json:"availability"`
}

type promiseJSON struct {
	Now       int64   `json:"now"`
	Later     int64   `json:"later"`
	LaterDate *string `json:"later_date"`
	Date      string  `json:"date"`
}

type creditJSON struct {
	Limited        bool   `json:"limited"`
	Currency       string `json:"currency"`
	LimitMinor     int64  `json:"limit_minor"`
	InvoicesMinor  int64  `json:"open_invoices_minor"`
	OrdersMinor    int64  `json:"open_orders_minor"`
	AvailableMinor int64  `json:"available_minor"`
	QuoteMinor     int64  `json:"quote_minor"`
	ExceedsByMinor int64  `json:"exceeds_by_minor"`
}

type quoteJSON struct {
	ID            uuid.UUID   `json:"id"`
	Number        string      `json:"number"`
	Revision      int         `json:"revision"`
	Status        Status      `json:"status"`
	AccountID     uuid.UUID   `json:"account_id"`
	AccountName   string      `json:"account_name"`
	ContactID     *uuid.UUID  `json:"contact_id"`
	OpportunityID *uuid.UUID  `json:"opportunity_id"`
	OwnerUserID   uuid.UUID   `json:"owner_user_id"`
	Currency      string      `json:"currency"`
	PriceListID   *uuid.UUID  `json:"price_list_id"`
	ValidUntil    string      `json:"valid_until"`
	PromisedDate  *string     `json:"promised_date"`
	Notes         string      `json:"notes"`
	SubtotalMinor int64       `json:"subtotal_minor"`
	TaxMinor      int64       `json:"tax_minor"`
	TotalMinor    int64       `json:"total_minor"`
	SentAt        *time.Time  `json:"sent_at"`
	SentTo        string      `json:"sent_to"`
	AcceptedAt    *time.Time  `json:"accepted_at"`
	DeclinedAt    *time.Time  `json:"declined_at"`
	DeclineReason string      `json:"decline_reason"`
	OrderID       *uuid.UUID  `json:"order_id"`
	SupersededBy  *uuid.UUID  `json:"superseded_by"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	Lines         []lineJSON  `json:"lines,omitempty"`
	Credit        *creditJSON `json:"credit,omitempty"`
}

// customerQuoteJSON is what a portal customer sees of a quote (A4): the
// offer as sent, never the rep, the opportunity, the price list, the live
// availability (stock levels) or the credit check.
type customerQuoteJSON struct {
	ID            uuid.UUID          `json:"id"`
	Number        string             `json:"number"`
	Revision      int                `json:"revision"`
	Status        Status             `json:"status"`
	AccountID     uuid.UUID          `json:"account_id"`
	AccountName   string             `json:"account_name"`
	Currency      string             `json:"currency"`
	ValidUntil    string             `json:"valid_until"`
	PromisedDate  *string            `json:"promised_date"`
	Notes         string             `json:"notes"`
	SubtotalMinor int64              `json:"subtotal_minor"`
	TaxMinor      int64              `json:"tax_minor"`
	TotalMinor    int64              `json:"total_minor"`
	SentAt        *time.Time         `json:"sent_at"`
	AcceptedAt    *time.Time         `json:"accepted_at"`
	DeclinedAt    *time.Time         `json:"declined_at"`
	DeclineReason string             `json:"decline_reason"`
	OrderID       *uuid.UUID         `json:"order_id"`
	SupersededBy  *uuid.UUID         `json:"superseded_by"`
	Lines         []customerLineJSON `json:"lines,omitempty"`
}

type customerLineJSON struct {
	Description    string `json:"description"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
	DiscountBP     int    `json:"discount_bp"`
	TaxRateBP      int    `json:"tax_rate_bp"`
	NetMinor       int64  `json:"net_minor"`
	TaxMinor       int64  `json:"tax_minor"`
	TotalMinor     int64  `json:"total_minor"`
}

func customerOut(q Quote, today time.Time, lines bool) customerQuoteJSON {
	out := customerQuoteJSON{ID: q.ID, Number: q.Number, Revision: q.Revision, Status: q.Current(today), AccountID: q.AccountID,
		AccountName: q.AccountName, Currency: q.Currency, ValidUntil: q.ValidUntil.Format(time.DateOnly),
		PromisedDate: date(q.PromisedDate), Notes: q.Notes, SubtotalMinor: q.SubtotalMinor, TaxMinor: q.TaxMinor,
		TotalMinor: q.TotalMinor, SentAt: q.SentAt, AcceptedAt: q.AcceptedAt, DeclinedAt: q.DeclinedAt,
		DeclineReason: q.DeclineReason, OrderID: q.OrderID, SupersededBy: q.SupersededBy}
	if lines {
		out.Lines = make([]customerLineJSON, len(q.Lines))
		for i, l := range q.Lines {
			out.Lines[i] = customerLineJSON{Description: l.Description, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor,
				DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
		}
	}
	return out
}

func date(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func quoteOut(q Quote, today time.Time) quoteJSON {
	return quoteJSON{ID: q.ID, Number: q.Number, Revision: q.Revision, Status: q.Current(today), AccountID: q.AccountID,
		AccountName: q.AccountName, ContactID: q.ContactID, OpportunityID: q.OpportunityID, OwnerUserID: q.OwnerUserID,
		Currency: q.Currency, PriceListID: q.PriceListID, ValidUntil: q.ValidUntil.Format(time.DateOnly),
		PromisedDate: date(q.PromisedDate), Notes: q.Notes, SubtotalMinor: q.SubtotalMinor, TaxMinor: q.TaxMinor,
		TotalMinor: q.TotalMinor, SentAt: q.SentAt, SentTo: q.SentTo, AcceptedAt: q.AcceptedAt, DeclinedAt: q.DeclinedAt,
		DeclineReason: q.DeclineReason, OrderID: q.OrderID, SupersededBy: q.SupersededBy, CreatedAt: q.CreatedAt,
		UpdatedAt: q.UpdatedAt}
}

// detail is a quote with its lines and, while it is open, each line's
// availability and the credit check.
func (h *Handler) detail(c *fiber.Ctx, q Quote) error {
	if _, bound := tenant.BoundAccount(c.UserContext()); bound {
		return c.JSON(customerOut(q, h.svc.Today(), true))
	}
	promises, credit, err := h.svc.Check(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := quoteOut(q, h.svc.Today())
	out.Lines = make([]lineJSON, len(q.Lines))
	for i, l := range q.Lines {
		out.Lines[i] = lineJSON{ID: l.ID, ProductID: l.ProductID, Description: l.Description, Quantity: l.Quantity,
			UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP, TaxRateBP: l.TaxRateBP, NetMinor: l.NetMinor,
			TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
		if promises != nil {
			p := promises[i]
			out.Lines[i].Availability = &promiseJSON{Now: p.Now, Later: p.Later, LaterDate: date(p.LaterDate),
				Date: p.Date.Format(time.DateOnly)}
		}
	}
	if credit != nil {
		cj := creditJSON(*credit)
		out.Credit = &cj
	}
	return c.JSON(out)
}

type lineIn struct {
	ProductID      string `json:"product_id"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor *int64 `json:"unit_price_minor"`
	DiscountBP     *int   `json:"discount_bp"`
}

type quoteIn struct {
	AccountID     *string         `json:"account_id"`
	OpportunityID *string         `json:"opportunity_id"`
	ContactID     json.RawMessage `json:"contact_id"`
	PriceListID   *string         `json:"price_list_id"`
	ValidUntil    *string         `json:"valid_until"`
	Notes         *string         `json:"notes"`
	Lines         *[]lineIn       `json:"lines"`
}

// decode reads a create or update body into its typed parts.
func decode(c *fiber.Ctx) (quoteIn, []LineInput, *time.Time, error) {
	var in quoteIn
	if err := web.Decode(c, &in); err != nil {
		return in, nil, nil, err
	}
	var lines []LineInput
	if in.Lines != nil {
		lines = make([]LineInput, len(*in.Lines))
		for i, l := range *in.Lines {
			id, err := web.ParseID(fmt.Sprintf("lines[%d].product_id", i), l.ProductID)
			if err != nil {
				return in, nil, nil, err
			}
			lines[i] = LineInput{ProductID: id, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP}
		}
	}
	var valid *time.Time
	if in.ValidUntil != nil {
		d, err := time.Parse(time.DateOnly, *in.ValidUntil)
		if err != nil {
			return in, nil, nil, errs.Field("valid_until", "must be a date (YYYY-MM-DD)")
		}
		valid = &d
	}
	return in, lines, valid, nil
}

func (h *Handler) create(c *fiber.Ctx) error {
	in, lines, valid, err := decode(c)
	if err != nil {
		return err
	}
	nq := NewQuote{ValidUntil: valid}
	if in.Notes != nil {
		nq.Notes = *in.Notes
	}
	if in.Lines != nil {
		nq.Lines = &lines
	}
	for _, x := range []struct {
		field string
		s     *string
		dst   **uuid.UUID
	}{{"account_id", in.AccountID, &nq.AccountID}, {"opportunity_id", in.OpportunityID, &nq.OpportunityID},
		{"price_list_id", in.PriceListID, &nq.PriceListID}} {
		if x.s != nil {
			id, err := web.ParseID(x.field, *x.s)
			if err != nil {
				return err
			}
			*x.dst = &id
		}
	}
	if nq.ContactID, err = web.NullableID("contact_id", in.ContactID); err != nil {
		return err
	}
	if nq.ContactID != nil && *nq.ContactID == uuid.Nil {
		nq.ContactID = nil
	}
	q, err := h.svc.Create(c.UserContext(), h.Scope(c), nq)
	if err != nil {
		return err
	}
	c.Status(fiber.StatusCreated)
	return h.detail(c, q)
}

func (h *Handler) update(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	in, lines, valid, err := decode(c)
	if err != nil {
		return err
	}
	for field, set := range map[string]bool{"account_id": in.AccountID != nil, "opportunity_id": in.OpportunityID != nil,
		"price_list_id": in.PriceListID != nil} {
		if set {
			return errs.Field(field, "is set when the quote is made; make a new quote instead")
		}
	}
	u := Update{ValidUntil: valid, Notes: in.Notes}
	if in.Lines != nil {
		u.Lines = &lines
	}
	if u.ContactID, err = web.NullableID("contact_id", in.ContactID); err != nil {
		return err
	}
	q, err := h.svc.Update(c.UserContext(), h.Scope(c), id, u)
	if err != nil {
		return err
	}
	return h.detail(c, q)
}

func (h *Handler) get(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Get(c.UserContext(), h.Scope(c), id)
	if err != nil {
		return err
	}
	return h.detail(c, q)
}

func (h *Handler) list(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := Filter{Q: c.Query("q"), Status: Status(c.Query("status")), Limit: p.Limit + 1}
	if f.Status != "" && !validStatus(f.Status) {
		return errs.Field("status", "must be one of draft, sent, accepted, declined, superseded, expired")
	}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	for name, dst := range map[string]**uuid.UUID{"account_id": &f.AccountID, "opportunity_id": &f.OpportunityID} {
		if s := c.Query(name); s != "" {
			id, err := web.ParseID(name, s)
			if err != nil {
				return err
			}
			*dst = &id
		}
	}
	list, err := h.svc.Find(c.UserContext(), h.Scope(c), f)
	if err != nil {
		return err
	}
	today := h.svc.Today()
	id := func(q Quote) uuid.UUID { return q.ID }
	if _, bound := tenant.BoundAccount(c.UserContext()); bound {
		return c.JSON(web.Paged(list, p.Limit, id, func(q Quote) customerQuoteJSON { return customerOut(q, today, false) }))
	}
	return c.JSON(web.Paged(list, p.Limit, id, func(q Quote) quoteJSON { return quoteOut(q, today) }))
}

func (h *Handler) send(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	var in struct {
		To      string `json:"to"`
		Message string `json:"message"`
	}
	if err := web.DecodeOptional(c, &in); err != nil {
		return err
	}
	q, err := h.svc.Send(c.UserContext(), h.Scope(c), id, SendInput{To: in.To, Message: in.Message})
	if err != nil {
		return err
	}
	return h.detail(c, q)
}

func (h *Handler) decline(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeOptional(c, &in); err != nil {
		return err
	}
	q, err := h.svc.Decline(c.UserContext(), h.Scope(c), id, in.Reason)
	if err != nil {
		return err
	}
	return h.detail(c, q)
}

func (h *Handler) revise(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	q, err := h.svc.Revise(c.UserContext(), h.Scope(c), id)
	if err != nil {
		return err
	}
	c.Status(fiber.StatusCreated)
	return h.detail(c, q)
}

type acceptedJSON struct {
	Quote      any      `json:"quote"` // quoteJSON, or customerQuoteJSON for a customer
	Order      orderRef `json:"order"`
	Production []string `json:"production_orders"`
	PlanNote   string   `json:"plan_note"`
}

type orderRef struct {
	ID     uuid.UUID `json:"id"`
	Number string    `json:"number"`
	Status string    `json:"status"`
}

func (h *Handler) acceptQuote(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	a, err := h.accept.AcceptQuote(c.UserContext(), h.Scope(c), id)
	if err != nil {
		return err
	}
	out := acceptedJSON{Quote: quoteOut(a.Quote, h.svc.Today()), Order: orderRef{ID: a.OrderID, Number: a.OrderNumber,
		Status: a.OrderStatus}, Production: a.Production, PlanNote: a.PlanNote}
	if _, bound := tenant.BoundAccount(c.UserContext()); bound {
		// The customer sees their order, not the plant's plans.
		out.Quote, out.Production, out.PlanNote = customerOut(a.Quote, h.svc.Today(), false), nil, ""
	}
	if out.Production == nil {
		out.Production = []string{}
	}
	return c.JSON(out)
}

func (h *Handler) pdf(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	out, q, err := h.svc.PDF(c.UserContext(), h.Scope(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s-r%d.pdf"`, safeFilename(q.Number), q.Revision))
	return c.Send(out)
}

func validStatus(s Status) bool {
	for _, x := range Statuses() {
		if x == s {
			return true
		}
	}
	return false
}

func quoteID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "quote not found")
	}
	return id, nil
}

// safeFilename keeps a number's letters, digits, "-" and "_".
func safeFilename(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' {
			out = append(out, ch)
		}
	}
	if len(out) == 0 {
		return "quote"
	}
	return string(out)
}
