package crm

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// This file holds the contacts and activities routes.

type contactJSON struct {
	ID        uuid.UUID `json:"id"`
	AccountID uuid.UUID `json:"account_id"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	JobTitle  string    `json:"job_title"`
	Role      string    `json:"role"`
	Primary   bool      `json:"primary"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func contactOut(c Contact) contactJSON {
	return contactJSON{ID: c.ID, AccountID: c.AccountID, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		Phone: c.Phone, JobTitle: c.JobTitle, Role: c.Role, Primary: c.Primary, Active: c.Active,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

type contactIn struct {
	AccountID *string `json:"account_id"`
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
	Email     *string `json:"email"`
	Phone     *string `json:"phone"`
	JobTitle  *string `json:"job_title"`
	Role      *string `json:"role"`
	Primary   *bool   `json:"primary"`
	Active    *bool   `json:"active"`
}

// DecodeContact parses a contact body strictly (unknown fields refused by
// name, A4).
func DecodeContact(body []byte) (ContactInput, error) {
	var in contactIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return ContactInput{}, err
	}
	out := ContactInput{FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Phone: in.Phone,
		JobTitle: in.JobTitle, Role: in.Role, Primary: in.Primary, Active: in.Active}
	if in.AccountID != nil {
		id, err := web.ParseID("account_id", *in.AccountID)
		if err != nil {
			return ContactInput{}, err
		}
		out.AccountID = &id
	}
	return out, nil
}

// queryID reads an optional id from the query string.
func queryID(c *fiber.Ctx, name string) (*uuid.UUID, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	id, err := web.ParseID(name, s)
	return &id, err
}

func idParam(c *fiber.Ctx, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "%s not found", what)
	}
	return id, nil
}

func (h *Handler) listContacts(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := ContactFilter{Q: c.Query("q"), Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	if f.AccountID, err = queryID(c, "account_id"); err != nil {
		return err
	}
	list, err := h.svc.FindContacts(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, p.Limit, func(x Contact) uuid.UUID { return x.ID }, contactOut))
}

func (h *Handler) createContact(c *fiber.Ctx) error {
	in, err := decodeWith(c, DecodeContact)
	if err != nil {
		return err
	}
	ct, err := h.svc.CreateContact(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(contactOut(ct))
}

func (h *Handler) getContact(c *fiber.Ctx) error {
	id, err := idParam(c, "contact")
	if err != nil {
		return err
	}
	ct, err := h.svc.GetContact(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(contactOut(ct))
}

func (h *Handler) updateContact(c *fiber.Ctx) error {
	id, err := idParam(c, "contact")
	if err != nil {
		return err
	}
	in, err := decodeWith(c, DecodeContact)
	if err != nil {
		return err
	}
	ct, err := h.svc.UpdateContact(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(contactOut(ct))
}

func (h *Handler) deleteContact(c *fiber.Ctx) error {
	id, err := idParam(c, "contact")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteContact(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type activityJSON struct {
	ID            uuid.UUID  `json:"id"`
	Kind          string     `json:"kind"`
	Subject       string     `json:"subject"`
	Body          string     `json:"body"`
	AccountID     *uuid.UUID `json:"account_id"`
	ContactID     *uuid.UUID `json:"contact_id"`
	OpportunityID *uuid.UUID `json:"opportunity_id"`
	DueAt         *time.Time `json:"due_at"`
	DoneAt        *time.Time `json:"done_at"`
	Done          bool       `json:"done"`
	AssignedTo    uuid.UUID  `json:"assigned_to"`
	CreatedBy     *uuid.UUID `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func activityOut(a Activity) activityJSON {
	return activityJSON{ID: a.ID, Kind: a.Kind, Subject: a.Subject, Body: a.Body, AccountID: a.AccountID,
		ContactID: a.ContactID, OpportunityID: a.OpportunityID, DueAt: a.DueAt, DoneAt: a.DoneAt, Done: a.DoneAt != nil,
		AssignedTo: a.AssignedTo, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// activityIn is a create or PATCH body; contact_id and due_at null clear
// them, done true marks the activity done now.
type activityIn struct {
	Kind       *string         `json:"kind"`
	Subject    *string         `json:"subject"`
	Body       *string         `json:"body"`
	AccountID  *string         `json:"account_id"`
	ContactID  json.RawMessage `json:"contact_id"`
	DueAt      json.RawMessage `json:"due_at"`
	Done       *bool           `json:"done"`
	AssignedTo *string         `json:"assigned_to"`
	// OpportunityID null detaches the opportunity.
	OpportunityID json.RawMessage `json:"opportunity_id"`
}

// DecodeActivity parses an activity body strictly (unknown fields such as
// created_by or tenant_id are refused by name, A4).
func DecodeActivity(body []byte) (ActivityInput, error) {
	var in activityIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return ActivityInput{}, err
	}
	out := ActivityInput{Kind: in.Kind, Subject: in.Subject, Body: in.Body, Done: in.Done}
	var err error
	if in.AccountID != nil {
		id, err := web.ParseID("account_id", *in.AccountID)
		if err != nil {
			return ActivityInput{}, err
		}
		out.AccountID = &id
	}
	if in.AssignedTo != nil {
		id, err := web.ParseID("assigned_to", *in.AssignedTo)
		if err != nil {
			return ActivityInput{}, err
		}
		out.AssignedTo = &id
	}
	if out.ContactID, err = web.NullableID("contact_id", in.ContactID); err != nil {
		return ActivityInput{}, err
	}
	if out.OpportunityID, err = web.NullableID("opportunity_id", in.OpportunityID); err != nil {
		return ActivityInput{}, err
	}
	if len(in.DueAt) > 0 {
		if string(in.DueAt) == "null" {
			out.ClearDue = true
		} else {
			var s string
			if json.Unmarshal(in.DueAt, &s) != nil {
				return ActivityInput{}, errs.Field("due_at", "must be an RFC 3339 date-time or null")
			}
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return ActivityInput{}, errs.Field("due_at", "must be an RFC 3339 date-time or null")
			}
			out.DueAt = &t
		}
	}
	return out, nil
}

// scope is the caller's record rule on activities.
func (h *Handler) scope(c *fiber.Ctx) Scope {
	return Scope{All: h.authz.Authorize(c.UserContext(), web.Perm(ReadAllActivities)) == nil}
}

func (h *Handler) listActivities(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := ActivityFilter{Kind: c.Query("kind"), Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	if f.AccountID, err = queryID(c, "account_id"); err != nil {
		return err
	}
	if f.ContactID, err = queryID(c, "contact_id"); err != nil {
		return err
	}
	if f.OpportunityID, err = queryID(c, "opportunity_id"); err != nil {
		return err
	}
	switch s := c.Query("assigned_to"); s {
	case "":
	case "me":
		pr, ok := principal(c)
		if !ok {
			return errs.Field("assigned_to", "me needs a signed-in user")
		}
		f.AssignedTo = &pr
	default:
		id, err := web.ParseID("assigned_to", s)
		if err != nil {
			return errs.Field("assigned_to", "must be a user id or me")
		}
		f.AssignedTo = &id
	}
	switch c.Query("open") {
	case "", "false":
	case "true":
		f.Open = true
	default:
		return errs.Field("open", "must be true or false")
	}
	if s := c.Query("due_before"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return errs.Field("due_before", "must be an RFC 3339 date-time")
		}
		f.DueBefore = &t
	}
	list, err := h.svc.FindActivities(c.UserContext(), h.scope(c), f)
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, p.Limit, func(x Activity) uuid.UUID { return x.ID }, activityOut))
}

func (h *Handler) createActivity(c *fiber.Ctx) error {
	in, err := decodeWith(c, DecodeActivity)
	if err != nil {
		return err
	}
	a, err := h.svc.CreateActivity(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(activityOut(a))
}

func (h *Handler) getActivity(c *fiber.Ctx) error {
	id, err := idParam(c, "activity")
	if err != nil {
		return err
	}
	a, err := h.svc.GetActivity(c.UserContext(), h.scope(c), id)
	if err != nil {
		return err
	}
	return c.JSON(activityOut(a))
}

func (h *Handler) updateActivity(c *fiber.Ctx) error {
	id, err := idParam(c, "activity")
	if err != nil {
		return err
	}
	in, err := decodeWith(c, DecodeActivity)
	if err != nil {
		return err
	}
	a, err := h.svc.UpdateActivity(c.UserContext(), h.scope(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(activityOut(a))
}

func (h *Handler) deleteActivity(c *fiber.Ctx) error {
	id, err := idParam(c, "activity")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteActivity(c.UserContext(), h.scope(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// decodeWith checks the content type and decodes the body with dec.
func decodeWith[T any](c *fiber.Ctx, dec func([]byte) (T, error)) (T, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		var zero T
		return zero, errs.Field("body", "content type must be application/json")
	}
	return dec(c.Body())
}

// principal is the calling user's id; API keys have none.
func principal(c *fiber.Ctx) (uuid.UUID, bool) {
	p, ok := tenant.PrincipalFrom(c.UserContext())
	if !ok || p.Kind != tenant.KindUser {
		return uuid.Nil, false
	}
	return p.ID, true
}
