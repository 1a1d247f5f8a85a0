package tenant

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Handler serves identity routes: signup, login, me, users, invites, API
// keys, audit log.
type Handler struct {
	svc    *Service
	cookie CookieConfig
}

// NewHandler returns the identity HTTP handler.
func NewHandler(svc *Service, cookie CookieConfig) *Handler {
	return &Handler{svc: svc, cookie: cookie}
}

// Routes mounts the identity routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	r.Post("/signup", web.Public, h.signup)
	r.Post("/auth/login", web.Public, h.login)
	r.Post("/auth/logout", web.Public, h.logout)
	r.Post("/auth/password-reset", web.Public, h.requestReset)
	r.Post("/auth/password-reset/confirm", web.Public, h.confirmReset)
	r.Post("/auth/accept-invite", web.Public, h.acceptInvite)
	staff := web.Access{Authenticated: true, Kinds: []string{string(KindUser)}}
	r.Get("/me", web.Access{Authenticated: true, Customer: true}, h.me)
	r.Post("/me/totp", staff, h.startTOTP)
	r.Post("/me/totp/confirm", staff, h.confirmTOTP)
	r.Post("/me/totp/disable", staff, h.disableTOTP)
	r.Get("/users", web.Perm("users:read"), h.listUsers)
	r.Get("/users/:id", web.Perm("users:read"), h.getUser)
	r.Patch("/users/:id", web.Perm("users:manage"), h.updateUser)
	r.Post("/users/:id/deactivate", web.Perm("users:manage"), h.setStatus(false))
	r.Post("/users/:id/activate", web.Perm("users:manage"), h.setStatus(true))
	r.Get("/invites", web.Perm("users:read"), h.listInvites)
	r.Post("/invites", web.Perm("users:manage"), h.invite)
	r.Delete("/invites/:id", web.Perm("users:manage"), h.revokeInvite)
	r.Get("/api-keys", web.Perm("api_keys:manage"), h.listKeys)
	r.Post("/api-keys", web.Access{Perm: "api_keys:manage", Kinds: []string{string(KindUser)}}, h.createKey)
	r.Delete("/api-keys/:id", web.Perm("api_keys:manage"), h.revokeKey)
	r.Get("/audit-events", web.Perm("audit:read"), h.listAudit)
	r.Get("/settings", web.Perm("settings:read"), h.getSettings)
	r.Patch("/settings", web.Perm("settings:manage"), h.updateSettings)
	r.Put("/settings/logo", web.Perm("settings:manage"), h.putLogo)
	r.Get("/tax-rates", web.Perm("settings:read"), h.listTaxRates)
	r.Post("/tax-rates", web.Perm("settings:manage"), h.createTaxRate)
	r.Patch("/tax-rates/:id", web.Perm("settings:manage"), h.updateTaxRate)
	r.Delete("/tax-rates/:id", web.Perm("settings:manage"), h.deleteTaxRate)
	r.Get("/number-series", web.Perm("settings:read"), h.listNumberSeries)
	r.Patch("/number-series/:code", web.Perm("settings:manage"), h.updateNumberSeries)
	r.Delete("/settings/logo", web.Perm("settings:manage"), h.deleteLogo)
	r.Get("/portal/:slug", web.Public, h.portalBranding)
	r.Get("/portal/:slug/logo", web.Public, h.portalLogo)
}

type userJSON struct {
	ID          uuid.UUID  `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Status      string     `json:"status"`
	TOTPEnabled bool       `json:"totp_enabled"`
	Roles       []string   `json:"roles"`
	LastLoginAt *time.Time `json:"last_login_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

func userOut(u User) userJSON {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Status: u.Status, TOTPEnabled: u.TOTPEnabled,
		Roles: roles, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt}
}

type tenantJSON struct {
	ID           uuid.UUID `json:"id"`
	Slug         string    `json:"slug"`
	Name         string    `json:"name"`
	Plan         string    `json:"plan"`
	BillingState string    `json:"billing_state"`
	TrialEndsAt  time.Time `json:"trial_ends_at"`
	BaseCurrency string    `json:"base_currency"`
	Locale       string    `json:"locale"`
	Timezone     string    `json:"timezone"`
}

func tenantOut(t Tenant) tenantJSON {
	return tenantJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, Plan: t.Plan, BillingState: t.BillingState,
		TrialEndsAt: t.TrialEndsAt, BaseCurrency: t.BaseCurrency, Locale: t.Locale, Timezone: t.Timezone}
}

type meJSON struct {
	Kind        string     `json:"kind"`
	User        *userJSON  `json:"user,omitempty"`
	APIKey      *keyJSON   `json:"api_key,omitempty"`
	Tenant      tenantJSON `json:"tenant"`
	Roles       []string   `json:"roles"`
	Permissions []string   `json:"permissions"`
	CSRFToken   string     `json:"csrf_token,omitempty"`
}

// meOf builds the /me answer for principal p.
func (h *Handler) meOf(c *fiber.Ctx, p Principal, csrf string) error {
	ctx := c.UserContext()
	if p.Kind == KindCustomer {
		// The portal answers for its customers with its own allow-list: no
		// plan, billing state, roles of staff or permissions list beyond theirs.
		if h.svc.customers == nil {
			return errs.E(errs.Unauthenticated, "not logged in")
		}
		body, err := h.svc.customers.CustomerMe(ctx, p, csrf)
		if err != nil {
			return err
		}
		return c.JSON(body)
	}
	tn, err := h.svc.TenantByID(ctx, p.TenantID)
	if err != nil {
		return err
	}
	out := meJSON{Kind: string(p.Kind), Tenant: tenantOut(tn), CSRFToken: csrf,
		Roles: nonNil(h.svc.policy.Roles(p.TenantID, p.Subject)), Permissions: nonNil(h.svc.policy.Permissions(p.TenantID, p.Subject))}
	switch p.Kind {
	case KindUser:
		u, err := h.svc.GetUser(ctx, p.ID)
		if err != nil {
			return err
		}
		uj := userOut(u)
		out.User = &uj
	case KindAPIKey:
		out.APIKey = &keyJSON{ID: p.ID, Name: p.Name}
	}
	return c.JSON(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (h *Handler) signup(c *fiber.Ctx) error {
	var in struct {
		Company  string `json:"company"`
		Slug     string `json:"slug"`
		Name     string `json:"name"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	tn, u, err := h.svc.Signup(c.UserContext(), NewSignup{Company: in.Company, Slug: in.Slug, Name: in.Name, Email: in.Email, Password: in.Password})
	if err != nil {
		return err
	}
	raw, sess, err := h.svc.sessions.Create(c.UserContext(), tn.ID, u.ID, KindUser)
	if err != nil {
		return err
	}
	h.cookie.SetSession(c, raw)
	uj := userOut(u)
	c.Status(fiber.StatusCreated)
	return c.JSON(meJSON{Kind: string(KindUser), User: &uj, Tenant: tenantOut(tn), Roles: u.Roles,
		Permissions: nonNil(h.svc.policy.Permissions(tn.ID, UserSubject(u.ID))), CSRFToken: sess.CSRF})
}

func (h *Handler) login(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Tenant   string `json:"tenant"`
		TOTP     string `json:"totp"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if old := c.Cookies(h.cookie.Name()); old != "" {
		_ = h.svc.sessions.Delete(c.UserContext(), old) // rotation: never reuse a pre-login id
	}
	raw, sess, err := h.svc.Login(c.UserContext(), Credentials{Email: in.Email, Password: in.Password, Tenant: in.Tenant, TOTP: in.TOTP, IP: c.IP()})
	if err != nil {
		return err
	}
	h.cookie.SetSession(c, raw)
	p := Principal{TenantID: sess.TenantID, Kind: KindUser, ID: sess.UserID, Subject: UserSubject(sess.UserID)}
	c.SetUserContext(WithPrincipal(c.UserContext(), p))
	return h.meOf(c, p, sess.CSRF)
}

func (h *Handler) logout(c *fiber.Ctx) error {
	if raw := c.Cookies(h.cookie.Name()); raw != "" {
		if err := h.svc.sessions.Delete(c.UserContext(), raw); err != nil {
			return err
		}
	}
	h.cookie.ClearSession(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handler) me(c *fiber.Ctx) error {
	p, _ := PrincipalFrom(c.UserContext())
	csrf := ""
	if p.Kind == KindUser || p.Kind == KindCustomer {
		if sess, ok := sessionFrom(c.UserContext()); ok {
			csrf = sess.CSRF
		}
	}
	return h.meOf(c, p, csrf)
}

func (h *Handler) requestReset(c *fiber.Ctx) error {
	var in struct {
		Email  string `json:"email"`
		Tenant string `json:"tenant"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if err := h.svc.RequestReset(c.UserContext(), in.Email, in.Tenant, c.IP()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "if the email has an account, a reset link is on its way"})
}

func (h *Handler) confirmReset(c *fiber.Ctx) error {
	var in struct {
		Tenant   string `json:"tenant"`
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if err := h.svc.ConfirmReset(c.UserContext(), in.Tenant, in.Token, in.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handler) acceptInvite(c *fiber.Ctx) error {
	var in struct {
		Tenant   string `json:"tenant"`
		Token    string `json:"token"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	raw, sess, err := h.svc.AcceptInvite(c.UserContext(), in.Tenant, in.Token, in.Name, in.Password)
	if err != nil {
		return err
	}
	h.cookie.SetSession(c, raw)
	p := Principal{TenantID: sess.TenantID, Kind: KindUser, ID: sess.UserID, Subject: UserSubject(sess.UserID)}
	c.SetUserContext(WithPrincipal(c.UserContext(), p))
	c.Status(fiber.StatusCreated)
	return h.meOf(c, p, sess.CSRF)
}

// pathID parses :id; a malformed id answers exactly like a missing one.
func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "not found")
	}
	return id, nil
}

func (h *Handler) startTOTP(c *fiber.Ctx) error {
	setup, err := h.svc.StartTOTP(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"secret": setup.Secret, "otpauth_url": setup.URL})
}

func (h *Handler) confirmTOTP(c *fiber.Ctx) error { return h.totpCode(c, h.svc.ConfirmTOTP) }

func (h *Handler) disableTOTP(c *fiber.Ctx) error { return h.totpCode(c, h.svc.DisableTOTP) }

func (h *Handler) totpCode(c *fiber.Ctx, f func(ctx context.Context, code string) error) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if err := f(c.UserContext(), in.Code); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
