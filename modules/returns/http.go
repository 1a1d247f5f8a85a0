package returns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// Handler serves the return routes under /api/v1.
type Handler struct{ svc *Service }

// NewHandler returns the returns HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// RequestPermission lets a caller ask for a return: portal customers (for
// their own account's delivered lines) and the staff who take a customer's
// call.
const RequestPermission = "returns:request"

// Routes mounts the routes on r. Reading, requesting and an order's
// returnable quantities are open to portal customers (P4), bound to their
// account and answered with the customer allow-list; approving, rejecting
// and receiving need returns:manage, and refunding issues a credit note,
// so it needs credit_notes:issue like any other credit note. Replacing
// creates and confirms a sales order (reserving stock), so it needs
// orders:confirm like confirming any order: orders:write alone would let a
// role that may only draft orders confirm one through this route.
func (h *Handler) Routes(r *web.Router) {
	read, manage := web.CustomerPerm("returns:read"), web.Perm("returns:manage")
	r.Get("/returns", read, h.list)
	r.Post("/returns", web.CustomerPerm(RequestPermission), h.create)
	r.Get("/returns/:id", read, h.byID(h.svc.Get))
	r.Post("/returns/:id/approve", manage, h.byID(h.svc.Approve))
	r.Post("/returns/:id/reject", manage, h.reject)
	r.Post("/returns/:id/receive", manage, h.receive)
	r.Post("/returns/:id/refund", web.Perm("credit_notes:issue"), h.byID(h.svc.Refund))
	r.Post("/returns/:id/replace", web.Perm("orders:confirm"), h.byID(h.svc.Replace))
	r.Get("/orders/:id/returnable", read, h.returnable)
	// Photos: added by whoever may request, while the return is requested;
	// read by whoever may read the return (the account binding included).
	r.Post("/returns/:id/photos", web.CustomerPerm(RequestPermission), h.addPhoto)
	r.Get("/return-photos/:id", read, h.photo)
}

type photoJSON struct {
	ID          uuid.UUID `json:"id"`
	ContentType string    `json:"content_type"`
	SizeBytes   int       `json:"size_bytes"`
	CreatedAt   time.Time `json:"created_at"`
	URL         string    `json:"url"`
}

func photoOut(p Photo) photoJSON {
	return photoJSON{ID: p.ID, ContentType: p.ContentType, SizeBytes: p.SizeBytes, CreatedAt: p.CreatedAt,
		URL: "/api/v1/return-photos/" + p.ID.String()}
}

func photosOut(ps []Photo) *[]photoJSON {
	out := make([]photoJSON, len(ps))
	for i, p := range ps {
		out[i] = photoOut(p)
	}
	return &out
}

func (h *Handler) addPhoto(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ct, _, _ := strings.Cut(c.Get(fiber.HeaderContentType), ";")
	// The body is copied: fasthttp reuses its buffer after the handler returns.
	p, err := h.svc.AddPhoto(c.UserContext(), id, strings.TrimSpace(strings.ToLower(ct)), append([]byte(nil), c.Body()...))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(photoOut(p))
}

func (h *Handler) photo(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errs.E(errs.NotFound, "photo not found")
	}
	p, err := h.svc.PhotoData(c.UserContext(), id)
	if err != nil {
		return err
	}
	// Private: a photo is the customer's and the tenant's, never a shared cache's.
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	c.Set(fiber.HeaderContentDisposition, "inline")
	c.Set(fiber.HeaderContentType, p.ContentType)
	return c.Send(p.Data)
}

type lineJSON struct {
	ID          uuid.UUID  `json:"id"`
	OrderLineID uuid.UUID  `json:"order_line_id"`
	ProductID   uuid.UUID  `json:"product_id"`
	Description string     `json:"description"`
	Quantity    int64      `json:"quantity"`
	Reason      Reason     `json:"reason"`
	Comment     string     `json:"comment"`
	Condition   *string    `json:"condition"`
	WarehouseID *uuid.UUID `json:"warehouse_id"`
	Received    *int64     `json:"received_quantity"`
}

type returnJSON struct {
	ID                     uuid.UUID    `json:"id"`
	Number                 string       `json:"number"`
	Status                 Status       `json:"status"`
	AccountID              uuid.UUID    `json:"account_id"`
	AccountName            string       `json:"account_name"`
	OrderID                uuid.UUID    `json:"order_id"`
	OrderNumber            string       `json:"order_number"`
	Comment                string       `json:"comment"`
	RejectionReason        string       `json:"rejection_reason"`
	CreatedBy              *uuid.UUID   `json:"created_by"`
	PortalUserID           *uuid.UUID   `json:"portal_user_id"`
	ApprovedBy             *uuid.UUID   `json:"approved_by"`
	ReceivedBy             *uuid.UUID   `json:"received_by"`
	RefundedBy             *uuid.UUID   `json:"refunded_by"`
	CreditNoteID           *uuid.UUID   `json:"credit_note_id"`
	CreditNoteIDs          *[]uuid.UUID `json:"credit_note_ids,omitempty"` // detail only: one per invoice
	ReplacedBy             *uuid.UUID   `json:"replaced_by"`
	ReplacementOrderID     *uuid.UUID   `json:"replacement_order_id"`
	ReplacementOrderNumber string       `json:"replacement_order_number"`
	CreatedAt              time.Time    `json:"created_at"`
	ApprovedAt             *time.Time   `json:"approved_at"`
	RejectedAt             *time.Time   `json:"rejected_at"`
	ReceivedAt             *time.Time   `json:"received_at"`
	RefundedAt             *time.Time   `json:"refunded_at"`
	ReplacedAt             *time.Time   `json:"replaced_at"`
	UpdatedAt              time.Time    `json:"updated_at"`
	Lines                  *[]lineJSON  `json:"lines,omitempty"`  // detail only
	Photos                 *[]photoJSON `json:"photos,omitempty"` // detail only
}

// customerReturnJSON is what a portal customer sees of a return (A4): the
// request, its steps and the credit note, never who on the staff acted,
// the portal user id, where the goods went (warehouses) or whether they
// were restocked or quarantined (stock handling is the tenant's business).
type customerReturnJSON struct {
	ID              uuid.UUID  `json:"id"`
	Number          string     `json:"number"`
	Status          Status     `json:"status"`
	AccountID       uuid.UUID  `json:"account_id"`
	OrderID         uuid.UUID  `json:"order_id"`
	OrderNumber     string     `json:"order_number"`
	Comment         string     `json:"comment"`
	RejectionReason string     `json:"rejection_reason"`
	CreditNoteID    *uuid.UUID `json:"credit_note_id"`
	// CreditNoteIDs (detail only) are all of them, one per invoice.
	CreditNoteIDs *[]uuid.UUID `json:"credit_note_ids,omitempty"`
	// The replacement order, so the portal can link to it (the order is
	// the customer's own: same account).
	ReplacementOrderID     *uuid.UUID          `json:"replacement_order_id"`
	ReplacementOrderNumber string              `json:"replacement_order_number"`
	CreatedAt              time.Time           `json:"created_at"`
	ApprovedAt             *time.Time          `json:"approved_at"`
	RejectedAt             *time.Time          `json:"rejected_at"`
	ReceivedAt             *time.Time          `json:"received_at"`
	RefundedAt             *time.Time          `json:"refunded_at"`
	ReplacedAt             *time.Time          `json:"replaced_at"`
	Lines                  *[]customerLineJSON `json:"lines,omitempty"`  // detail only
	Photos                 *[]photoJSON        `json:"photos,omitempty"` // detail only
}

// customerLineJSON shows the requested and, once received, the received
// units (the customer should know what the refund or replacement counts),
// but not where they went or in what condition.
type customerLineJSON struct {
	ID          uuid.UUID `json:"id"`
	OrderLineID uuid.UUID `json:"order_line_id"`
	Description string    `json:"description"`
	Quantity    int64     `json:"quantity"`
	Received    *int64    `json:"received_quantity"`
	Reason      Reason    `json:"reason"`
	Comment     string    `json:"comment"`
}

func returnOut(x Return, detail bool) returnJSON {
	out := returnJSON{ID: x.ID, Number: x.Number, Status: x.Status, AccountID: x.AccountID, AccountName: x.AccountName,
		OrderID: x.OrderID, OrderNumber: x.OrderNumber, Comment: x.Comment, RejectionReason: x.RejectionReason,
		CreatedBy: x.CreatedBy, PortalUserID: x.PortalUserID, ApprovedBy: x.ApprovedBy, ReceivedBy: x.ReceivedBy,
		RefundedBy: x.RefundedBy, CreditNoteID: x.CreditNoteID, CreatedAt: x.CreatedAt, ApprovedAt: x.ApprovedAt,
		RejectedAt: x.RejectedAt, ReceivedAt: x.ReceivedAt, RefundedAt: x.RefundedAt, UpdatedAt: x.UpdatedAt,
		ReplacedBy: x.ReplacedBy, ReplacementOrderID: x.ReplacementOrderID, ReplacementOrderNumber: x.ReplacementOrderNumber,
		ReplacedAt: x.ReplacedAt}
	if detail {
		lines := make([]lineJSON, len(x.Lines))
		for i, l := range x.Lines {
			lines[i] = lineJSON{ID: l.ID, OrderLineID: l.OrderLineID, ProductID: l.ProductID, Description: l.Description,
				Quantity: l.Quantity, Reason: l.Reason, Comment: l.Comment, WarehouseID: l.WarehouseID, Received: l.Received}
			if l.Condition != "" {
				c := l.Condition
				lines[i].Condition = &c
			}
		}
		out.Lines, out.Photos, out.CreditNoteIDs = &lines, photosOut(x.Photos), creditIDs(x)
	}
	return out
}

// creditIDs lists a return's credit notes for its detail (never null).
func creditIDs(x Return) *[]uuid.UUID {
	ids := append([]uuid.UUID{}, x.CreditNoteIDs...)
	return &ids
}

func customerOut(x Return, detail bool) customerReturnJSON {
	out := customerReturnJSON{ID: x.ID, Number: x.Number, Status: x.Status, AccountID: x.AccountID, OrderID: x.OrderID,
		OrderNumber: x.OrderNumber, Comment: x.Comment, RejectionReason: x.RejectionReason, CreditNoteID: x.CreditNoteID,
		CreatedAt: x.CreatedAt, ApprovedAt: x.ApprovedAt, RejectedAt: x.RejectedAt, ReceivedAt: x.ReceivedAt,
		RefundedAt: x.RefundedAt, ReplacementOrderID: x.ReplacementOrderID, ReplacementOrderNumber: x.ReplacementOrderNumber,
		ReplacedAt: x.ReplacedAt}
	if detail {
		lines := make([]customerLineJSON, len(x.Lines))
		for i, l := range x.Lines {
			lines[i] = customerLineJSON{ID: l.ID, OrderLineID: l.OrderLineID, Description: l.Description, Quantity: l.Quantity,
				Received: l.Received, Reason: l.Reason, Comment: l.Comment}
		}
		out.Lines, out.Photos, out.CreditNoteIDs = &lines, photosOut(x.Photos), creditIDs(x)
	}
	return out
}

// out answers with the detail view the caller may see.
func (h *Handler) out(c *fiber.Ctx, x Return) error {
	if _, bound := tenant.BoundAccount(c.UserContext()); bound {
		return c.JSON(customerOut(x, true))
	}
	return c.JSON(returnOut(x, true))
}

type lineIn struct {
	OrderLineID string `json:"order_line_id"`
	Quantity    int64  `json:"quantity"`
	Reason      Reason `json:"reason"`
	Comment     string `json:"comment"`
}

type returnIn struct {
	OrderID string   `json:"order_id"`
	Comment string   `json:"comment"`
	Lines   []lineIn `json:"lines"`
}

func (h *Handler) create(c *fiber.Ctx) error {
	var in returnIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	nr := NewReturn{Comment: in.Comment, Lines: make([]NewLine, len(in.Lines))}
	var err error
	if nr.OrderID, err = web.ParseID("order_id", in.OrderID); err != nil {
		return err
	}
	for i, l := range in.Lines {
		id, err := web.ParseID(fmt.Sprintf("lines[%d].order_line_id", i), l.OrderLineID)
		if err != nil {
			return err
		}
		nr.Lines[i] = NewLine{OrderLineID: id, Quantity: l.Quantity, Reason: l.Reason, Comment: l.Comment}
	}
	x, err := h.svc.Create(c.UserContext(), nr)
	if err != nil {
		return err
	}
	c.Status(fiber.StatusCreated)
	return h.out(c, x)
}

func (h *Handler) list(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := Filter{Status: Status(c.Query("status")), Limit: p.Limit + 1}
	if f.Status != "" && !f.Status.Valid() {
		return errs.Field("status", "must be one of "+statusList)
	}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	for name, dst := range map[string]**uuid.UUID{"account_id": &f.AccountID, "order_id": &f.OrderID} {
		if s := c.Query(name); s != "" {
			id, err := web.ParseID(name, s)
			if err != nil {
				return err
			}
			*dst = &id
		}
	}
	list, err := h.svc.Find(c.UserContext(), f)
	if err != nil {
		return err
	}
	id := func(x Return) uuid.UUID { return x.ID }
	if _, bound := tenant.BoundAccount(c.UserContext()); bound {
		return c.JSON(web.Paged(list, p.Limit, id, func(x Return) customerReturnJSON { return customerOut(x, false) }))
	}
	return c.JSON(web.Paged(list, p.Limit, id, func(x Return) returnJSON { return returnOut(x, false) }))
}

func (h *Handler) reject(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeOptional(c, &in); err != nil {
		return err
	}
	x, err := h.svc.Reject(c.UserContext(), id, in.Reason)
	if err != nil {
		return err
	}
	return h.out(c, x)
}

type receiptIn struct {
	LineID string `json:"line_id"`
	// Received is required (no default to the requested units): the
	// warehouse counts what came back.
	Received    *int64  `json:"received_quantity"`
	Condition   string  `json:"condition"`
	WarehouseID string  `json:"warehouse_id"` // may be empty for a line received with 0 units
	LotID       *string `json:"lot_id"`
}

func (h *Handler) receive(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in struct {
		Lines []receiptIn `json:"lines"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	rs := make([]Receipt, len(in.Lines))
	f := errs.Fields{}
	// parse adds a bad id's fault to f by the field's name.
	parse := func(field, s string) uuid.UUID {
		v, err := web.ParseID(field, s)
		var e *errs.Error
		if errors.As(err, &e) {
			for k, why := range e.Fields {
				f.Add(k, why)
			}
		}
		return v
	}
	for i, l := range in.Lines {
		at := fmt.Sprintf("lines[%d].", i)
		r := Receipt{Condition: l.Condition, LineID: parse(at+"line_id", l.LineID)}
		if l.Received == nil {
			f.Add(at+"received_quantity", "is required (0 when nothing of the line came back)")
		} else {
			r.Received = *l.Received
		}
		if l.WarehouseID != "" { // a missing one is the service's "is required" when units came back
			r.WarehouseID = parse(at+"warehouse_id", l.WarehouseID)
		}
		if l.LotID != nil {
			lot := parse(at+"lot_id", *l.LotID)
			r.LotID = &lot
		}
		rs[i] = r
	}
	if err := f.Err(); err != nil {
		return err
	}
	x, err := h.svc.Receive(c.UserContext(), id, rs)
	if err != nil {
		return err
	}
	return h.out(c, x)
}

type returnableJSON struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	ProductID   uuid.UUID `json:"product_id"`
	Description string    `json:"description"`
	Ordered     int64     `json:"ordered_qty"`
	Shipped     int64     `json:"shipped_qty"`
	Delivered   int64     `json:"delivered_qty"`
	Returned    int64     `json:"returned_qty"`
	Returnable  int64     `json:"returnable_qty"`
}

func (h *Handler) returnable(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errs.E(errs.NotFound, "order not found")
	}
	list, err := h.svc.Returnable(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]returnableJSON, len(list))
	for i, r := range list {
		out[i] = returnableJSON(r)
	}
	return c.JSON(fiber.Map{"items": out})
}

// byID is a route that runs fn on the return its path names and answers
// with the return (read, approve, refund, replace).
func (h *Handler) byID(fn func(context.Context, uuid.UUID) (Return, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		x, err := fn(c.UserContext(), id)
		if err != nil {
			return err
		}
		return h.out(c, x)
	}
}

func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errNotFound()
	}
	return id, nil
}
