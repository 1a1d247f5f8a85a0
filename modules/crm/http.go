package crm

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Handler serves the CRM routes under /api/v1.
type Handler struct {
	svc   *Service
	authz web.Authorizer // asked for ReadAllActivities, beyond each route's own rule
}

// ReadAllActivities lifts the record rule on activities (R3): without it a
// caller sees only the activities assigned to them.
const ReadAllActivities = "activities:read:all"

// NewHandler returns the CRM HTTP handler; authz is the same authorizer the
// router uses.
func NewHandler(svc *Service, authz web.Authorizer) *Handler { return &Handler{svc: svc, authz: authz} }

// Routes mounts the CRM routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	read, write := web.Perm("accounts:read"), web.Perm("accounts:write")
	r.Get("/accounts", read, h.list)
	r.Post("/accounts", write, h.create)
	r.Get("/accounts/:id", read, h.get)
	r.Patch("/accounts/:id", write, h.update)

	cread, cwrite := web.Perm("contacts:read"), web.Perm("contacts:write")
	r.Get("/contacts", cread, h.listContacts)
	r.Post("/contacts", cwrite, h.createContact)
	r.Get("/contacts/:id", cread, h.getContact)
	r.Patch("/contacts/:id", cwrite, h.updateContact)
	r.Delete("/contacts/:id", cwrite, h.deleteContact)

	aread, awrite := web.Perm("activities:read"), web.Perm("activities:write")
	r.Get("/activities", aread, h.listActivities)
	r.Post("/activities", awrite, h.createActivity)
	r.Get("/activities/:id", aread, h.getActivity)
	r.Patch("/activities/:id", awrite, h.updateActivity)
	r.Delete("/activities/:id", awrite, h.deleteActivity)

	h.pipelineRoutes(r)
	h.csvRoutes(r)
}

type addressJSON struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Region     string `json:"region"`
	Country    string `json:"country"`
}

type accountJSON struct {
	ID               uuid.UUID   `json:"id"`
	Name             string      `json:"name"`
	TaxID            string      `json:"tax_id"`
	Email            string      `json:"email"`
	Phone            string      `json:"phone"`
	BillingAddress   addressJSON `json:"billing_address"`
	ShippingAddress  addressJSON `json:"shipping_address"`
	OwnerUserID      *uuid.UUID  `json:"owner_user_id"`
	PaymentTermsDays int         `json:"payment_terms_days"`
	CreditLimitMinor int64       `json:"credit_limit_minor"`
	Currency         string      `json:"currency"`
	Active           bool        `json:"active"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
}

func accountOut(a Account) accountJSON {
	return accountJSON{ID: a.ID, Name: a.Name, TaxID: a.TaxID, Email: a.Email, Phone: a.Phone,
		BillingAddress: addressJSON(a.Billing), ShippingAddress: addressJSON(a.Shipping), OwnerUserID: a.OwnerUserID,
		PaymentTermsDays: a.PaymentTermsDays, CreditLimitMinor: a.CreditLimitMinor, Currency: a.Currency,
		Active: a.Active, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// accountIn is a create or PATCH body. owner_user_id: null clears the owner;
// an address replaces the whole address (omitted parts become empty).
type accountIn struct {
	Name             *string         `json:"name"`
	TaxID            *string         `json:"tax_id"`
	Email            *string         `json:"email"`
	Phone            *string         `json:"phone"`
	BillingAddress   *addressJSON    `json:"billing_address"`
	ShippingAddress  *addressJSON    `json:"shipping_address"`
	OwnerUserID      json.RawMessage `json:"owner_user_id"`
	PaymentTermsDays *int            `json:"payment_terms_days"`
	CreditLimitMinor *int64          `json:"credit_limit_minor"`
	Currency         *string         `json:"currency"`
	Active           *bool           `json:"active"`
	ConfirmDuplicate bool            `json:"confirm_duplicate"`
}

// DecodeAccount parses an account body strictly (unknown fields such as
// tenant_id are refused by name, A4); fuzz targets call it directly.
func DecodeAccount(body []byte) (AccountInput, error) {
	var in accountIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return AccountInput{}, err
	}
	out := AccountInput{Name: in.Name, TaxID: in.TaxID, Email: in.Email, Phone: in.Phone,
		PaymentTermsDays: in.PaymentTermsDays, CreditLimitMinor: in.CreditLimitMinor, Currency: in.Currency, Active: in.Active,
		ConfirmDuplicate: in.ConfirmDuplicate}
	if in.BillingAddress != nil {
		a := Address(*in.BillingAddress)
		out.Billing = &a
	}
	if in.ShippingAddress != nil {
		a := Address(*in.ShippingAddress)
		out.Shipping = &a
	}
	if len(in.OwnerUserID) > 0 {
		id := uuid.Nil // null clears
		if string(in.OwnerUserID) != "null" {
			var s string
			err := json.Unmarshal(in.OwnerUserID, &s)
			if id, _ = uuid.Parse(s); err != nil || id == uuid.Nil {
				return AccountInput{}, errs.Field("owner_user_id", "must be a user id or null")
			}
		}
		out.OwnerUserID = &id
	}
	return out, nil
}

func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "account not found")
	}
	return id, nil
}

func (h *Handler) list(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := Filter{Q: c.Query("q"), Limit: p.Limit + 1}
	if p.Cursor != "" {
		id, err := uuid.Parse(p.Cursor)
		if err != nil {
			return errs.Field("cursor", "invalid cursor")
		}
		f.After = &id
	}
	switch c.Query("active") {
	case "":
	case "true", "false":
		b := c.Query("active") == "true"
		f.Active = &b
	default:
		return errs.Field("active", "must be true or false")
	}
	list, err := h.svc.FindAccounts(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := web.List[accountJSON]{Items: make([]accountJSON, 0, len(list))}
	if len(list) > p.Limit {
		list = list[:p.Limit]
		out.NextCursor = web.EncodeCursor(list[p.Limit-1].ID.String())
	}
	for _, a := range list {
		out.Items = append(out.Items, accountOut(a))
	}
	return c.JSON(out)
}

func (h *Handler) create(c *fiber.Ctx) error {
	var in AccountInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	a, err := h.svc.CreateAccount(c.UserContext(), in)
	var dup *DuplicateError
	if errors.As(err, &dup) {
		return writeDuplicates(c, dup)
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(accountOut(a))
}

func (h *Handler) get(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.svc.GetAccount(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(accountOut(a))
}

func (h *Handler) update(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in AccountInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	a, err := h.svc.UpdateAccount(c.UserContext(), id, in)
	var dup *DuplicateError
	if errors.As(err, &dup) {
		return writeDuplicates(c, dup)
	}
	if err != nil {
		return err
	}
	return c.JSON(accountOut(a))
}

// decodeBody checks the content type and decodes an account body into in.
func decodeBody(c *fiber.Ctx, in *AccountInput) error {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return errs.Field("body", "content type must be application/json")
	}
	var err error
	*in, err = DecodeAccount(c.Body())
	return err
}

// duplicateProblem is the 409 of an account create or edit that looks like
// existing accounts: the problem details plus the candidates and why each matched.
type duplicateProblem struct {
	web.Problem
	Candidates []duplicateJSON `json:"candidates"`
}

type duplicateJSON struct {
	Account accountJSON `json:"account"`
	Reasons []string    `json:"reasons"`
}

func writeDuplicates(c *fiber.Ctx, e *DuplicateError) error {
	p := duplicateProblem{Problem: web.Problem{Type: web.ProblemType + string(errs.Conflict), Title: "Conflict",
		Status: fiber.StatusConflict, Detail: e.Unwrap().Error(), Code: errs.Conflict, RequestID: web.RequestID(c)}}
	var coded *errs.Error
	if errors.As(e, &coded) {
		p.Detail = coded.Message
	}
	for _, d := range e.Candidates {
		p.Candidates = append(p.Candidates, duplicateJSON{Account: accountOut(d.Account), Reasons: d.Reasons})
	}
	c.Status(fiber.StatusConflict)
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}
