package portal

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// Handler serves the portal's login routes and the staff routes that
// manage a contact's portal access.
type Handler struct {
	svc    *Service
	cookie tenant.CookieConfig
}

// NewHandler returns the portal HTTP handler.
func NewHandler(svc *Service, cookie tenant.CookieConfig) *Handler {
	return &Handler{svc: svc, cookie: cookie}
}

// Routes mounts the portal routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	r.Post("/portal/:slug/login", web.Public, h.login)
	r.Post("/portal/:slug/accept-invite", web.Public, h.acceptInvite)
	r.Post("/portal/:slug/magic-link", web.Public, h.requestMagicLink)
	r.Post("/portal/:slug/magic-link/confirm", web.Public, h.confirmMagicLink)
	r.Patch("/portal/me/preferences", customerOnly, h.setPreferences)
	// Staff manage a contact's access; a customer never holds contacts:write.
	r.Post("/contacts/:id/portal-invite", web.Perm("contacts:write"), h.invite)
	r.Post("/contacts/:id/portal-disable", web.Perm("contacts:write"), h.disable)
	r.Get("/portal-users", web.Perm("contacts:read"), h.list)
}

type userJSON struct {
	ID          uuid.UUID  `json:"id"`
	ContactID   uuid.UUID  `json:"contact_id"`
	AccountID   uuid.UUID  `json:"account_id"`
	Email       string     `json:"email"`
	Status      string     `json:"status"`
	LastLoginAt *time.Time `json:"last_login_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func userOut(u User) userJSON {
	return userJSON{ID: u.ID, ContactID: u.ContactID, AccountID: u.AccountID, Email: u.Email, Status: u.Status,
		LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// meJSON is a customer's /me: an allow-list (A4) with no plan, billing
// state or staff data of the tenant.
type meJSON struct {
	Kind        string       `json:"kind"`
	Customer    customerJSON `json:"customer"`
	Account     accountJSON  `json:"account"`
	Tenant      tenantJSON   `json:"tenant"`
	Roles       []string     `json:"roles"`
	Permissions []string     `json:"permissions"`
	CSRFToken   string       `json:"csrf_token,omitempty"`
}

type customerJSON struct {
	ID        uuid.UUID `json:"id"`
	ContactID uuid.UUID `json:"contact_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	// Locale is the language the customer chose ("" until they choose).
	Locale       string `json:"locale"`
	NotifyOrders bool   `json:"notify_orders"`
}

type accountJSON struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

type tenantJSON struct {
	ID           uuid.UUID `json:"id"`
	Slug         string    `json:"slug"`
	Name         string    `json:"name"`
	BaseCurrency string    `json:"base_currency"`
	Locale       string    `json:"locale"`
	Timezone     string    `json:"timezone"`
}

// CustomerMe implements tenant.Customers: GET /me for a customer.
func (s *Service) CustomerMe(ctx context.Context, p tenant.Principal, csrf string) (any, error) {
	if p.AccountID == nil {
		return nil, errs.E(errs.Unauthenticated, "not logged in")
	}
	tn, err := s.tenants.TenantByID(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	acc, err := s.contacts.GetAccount(ctx, *p.AccountID)
	if err != nil {
		return nil, err
	}
	u, err := s.get(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return meJSON{Kind: string(tenant.KindCustomer),
		Customer: customerJSON{ID: p.ID, ContactID: u.ContactID, Name: p.Name, Email: p.Email,
			Locale: u.Locale, NotifyOrders: u.NotifyOrders},
		Account:     accountJSON{ID: acc.ID, Name: acc.Name},
		Tenant:      tenantJSON{ID: tn.ID, Slug: tn.Slug, Name: tn.Name, BaseCurrency: tn.BaseCurrency, Locale: tn.Locale, Timezone: tn.Timezone},
		Roles:       nonNil(s.policy.Roles(p.TenantID, p.Subject)),
		Permissions: nonNil(s.policy.Permissions(p.TenantID, p.Subject)),
		CSRFToken:   csrf}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// startSession sets the cookie of a new customer session and answers with
// the customer's /me.
func (h *Handler) startSession(c *fiber.Ctx, status int, raw string, sess tenant.Session) error {
	h.cookie.SetSession(c, raw)
	p, err := h.svc.CustomerPrincipal(tenant.WithTenant(c.UserContext(), sess.TenantID), sess.TenantID, sess.UserID)
	if err != nil {
		return err
	}
	ctx := tenant.WithPrincipal(c.UserContext(), p)
	c.SetUserContext(ctx)
	body, err := h.svc.CustomerMe(ctx, p, sess.CSRF)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(body)
}

// dropOldSession ends the session the browser came with: a login never
// reuses a pre-login id (rotation, U3).
func (h *Handler) dropOldSession(c *fiber.Ctx) {
	if old := c.Cookies(h.cookie.Name()); old != "" {
		_ = h.svc.Sessions().Delete(c.UserContext(), old)
	}
}

func (h *Handler) login(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	h.dropOldSession(c)
	raw, sess, err := h.svc.Login(c.UserContext(), c.Params("slug"), in.Email, in.Password, c.IP())
	if err != nil {
		return err
	}
	return h.startSession(c, fiber.StatusOK, raw, sess)
}

func (h *Handler) acceptInvite(c *fiber.Ctx) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	raw, sess, err := h.svc.AcceptInvite(c.UserContext(), c.Params("slug"), in.Token, in.Password)
	if err != nil {
		return err
	}
	h.dropOldSession(c)
	return h.startSession(c, fiber.StatusCreated, raw, sess)
}

func (h *Handler) requestMagicLink(c *fiber.Ctx) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if err := h.svc.RequestMagicLink(c.UserContext(), c.Params("slug"), in.Email, c.IP()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "if the email has portal access, a login link is on its way"})
}

func (h *Handler) confirmMagicLink(c *fiber.Ctx) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	raw, sess, err := h.svc.ConfirmMagicLink(c.UserContext(), c.Params("slug"), in.Token)
	if err != nil {
		return err
	}
	h.dropOldSession(c)
	return h.startSession(c, fiber.StatusOK, raw, sess)
}

// pathID parses :id; a malformed id answers exactly like a missing one.
func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errNoAccess
	}
	return id, nil
}

func (h *Handler) invite(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, created, err := h.svc.Invite(c.UserContext(), id)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(userOut(u))
}

func (h *Handler) disable(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.Disable(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(userOut(u))
}

func (h *Handler) list(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := Filter{Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	for name, dst := range map[string]**uuid.UUID{"account_id": &f.AccountID, "contact_id": &f.ContactID} {
		if s := c.Query(name); s != "" {
			id, err := uuid.Parse(s)
			if err != nil {
				return errs.Field(name, "must be an id")
			}
			*dst = &id
		}
	}
	list, err := h.svc.Find(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, p.Limit, func(u User) uuid.UUID { return u.ID }, userOut))
}
