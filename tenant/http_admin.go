package tenant

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// parsePage reads ?limit and ?cursor (the last id of the previous page)
// and asks for one item more than the page, to know whether another follows.
func parsePage(c *fiber.Ctx) (Page, int, error) {
	p, err := web.ParsePage(c)
	if err != nil {
		return Page{}, 0, err
	}
	page := Page{Limit: p.Limit + 1}
	if p.Cursor != "" {
		id, err := uuid.Parse(p.Cursor)
		if err != nil {
			return Page{}, 0, errs.Field("cursor", "invalid cursor")
		}
		page.After = &id
	}
	return page, p.Limit, nil
}

// listOut trims the extra item and sets the next cursor.
func listOut[T any, D any](items []D, limit int, id func(D) uuid.UUID, conv func(D) T) web.List[T] {
	out := web.List[T]{Items: make([]T, 0, len(items))}
	if len(items) > limit {
		items = items[:limit]
		out.NextCursor = web.EncodeCursor(id(items[limit-1]).String())
	}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}

func (h *Handler) listUsers(c *fiber.Ctx) error {
	page, limit, err := parsePage(c)
	if err != nil {
		return err
	}
	users, err := h.svc.ListUsers(c.UserContext(), page)
	if err != nil {
		return err
	}
	return c.JSON(listOut(users, limit, func(u User) uuid.UUID { return u.ID }, userOut))
}

func (h *Handler) getUser(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.GetUser(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(userOut(u))
}

func (h *Handler) updateUser(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in struct {
		Name  *string   `json:"name"`
		Roles *[]string `json:"roles"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	u, err := h.svc.UpdateUser(c.UserContext(), id, UserUpdate{Name: in.Name, Roles: in.Roles})
	if err != nil {
		return err
	}
	return c.JSON(userOut(u))
}

func (h *Handler) setStatus(active bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		u, err := h.svc.SetUserStatus(c.UserContext(), id, active)
		if err != nil {
			return err
		}
		return c.JSON(userOut(u))
	}
}

type inviteJSON struct {
	ID        uuid.UUID `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []string  `json:"roles"`
	InvitedBy uuid.UUID `json:"invited_by"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

func inviteOut(i Invite) inviteJSON {
	return inviteJSON{ID: i.ID, Email: i.Email, Name: i.Name, Roles: nonNil(i.Roles), InvitedBy: i.InvitedBy,
		ExpiresAt: i.ExpiresAt, CreatedAt: i.CreatedAt}
}

func (h *Handler) listInvites(c *fiber.Ctx) error {
	page, limit, err := parsePage(c)
	if err != nil {
		return err
	}
	invs, err := h.svc.ListInvites(c.UserContext(), page)
	if err != nil {
		return err
	}
	return c.JSON(listOut(invs, limit, func(i Invite) uuid.UUID { return i.ID }, inviteOut))
}

func (h *Handler) invite(c *fiber.Ctx) error {
	var in struct {
		Email string   `json:"email"`
		Name  string   `json:"name"`
		Roles []string `json:"roles"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	inv, err := h.svc.InviteUser(c.UserContext(), NewInvite{Email: in.Email, Name: in.Name, Roles: in.Roles})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(inviteOut(inv))
}

func (h *Handler) revokeInvite(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.RevokeInvite(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type keyJSON struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix,omitempty"`
	Role       string     `json:"role,omitempty"`
	CreatedBy  *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Key        string     `json:"key,omitempty"` // only in the creation response
}

func keyOut(k APIKey) keyJSON {
	return keyJSON{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Role: k.Role, CreatedBy: &k.CreatedBy,
		CreatedAt: &k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

func (h *Handler) listKeys(c *fiber.Ctx) error {
	page, limit, err := parsePage(c)
	if err != nil {
		return err
	}
	keys, err := h.svc.ListAPIKeys(c.UserContext(), page)
	if err != nil {
		return err
	}
	return c.JSON(listOut(keys, limit, func(k APIKey) uuid.UUID { return k.ID }, keyOut))
}

func (h *Handler) createKey(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	k, raw, err := h.svc.CreateAPIKey(c.UserContext(), in.Name, in.Role)
	if err != nil {
		return err
	}
	out := keyOut(k)
	out.Key = raw
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handler) revokeKey(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.RevokeAPIKey(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handler) listAudit(c *fiber.Ctx) error {
	page, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := AuditFilter{Action: c.Query("action"), Resource: c.Query("resource"), ResourceID: c.Query("resource_id"),
		ActorID: c.Query("actor_id"), Limit: page.Limit + 1}
	for _, q := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(q.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return errs.Field(q.name, "must be an RFC 3339 time")
			}
			*q.dst = &t
		}
	}
	if page.Cursor != "" {
		id, err := uuid.Parse(page.Cursor)
		if err != nil {
			return errs.Field("cursor", "invalid cursor")
		}
		f.After = &id
	}
	evs, err := h.svc.db.FindAudit(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := web.List[AuditEvent]{Items: evs}
	if len(evs) > page.Limit {
		out.Items = evs[:page.Limit]
		out.NextCursor = web.EncodeCursor(evs[page.Limit-1].ID.String())
	}
	return c.JSON(out)
}

type settingsJSON struct {
	Name         string `json:"name"`
	BaseCurrency string `json:"base_currency"`
	Locale       string `json:"locale"`
	Timezone     string `json:"timezone"`
	RequireTOTP  bool   `json:"require_totp"`
	PortalName   string `json:"portal_display_name"`
	AccentColor  string `json:"accent_color"`
	HasLogo      bool   `json:"has_logo"`
}

func settingsOut(s Settings) settingsJSON {
	return settingsJSON{Name: s.Name, BaseCurrency: s.BaseCurrency, Locale: s.Locale, Timezone: s.Timezone, RequireTOTP: s.RequireTOTP,
		PortalName: s.PortalName, AccentColor: s.AccentColor, HasLogo: s.HasLogo}
}

func (h *Handler) getSettings(c *fiber.Ctx) error {
	s, err := h.svc.GetSettings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(settingsOut(s))
}

func (h *Handler) updateSettings(c *fiber.Ctx) error {
	var in struct {
		Name         *string `json:"name"`
		BaseCurrency *string `json:"base_currency"`
		Locale       *string `json:"locale"`
		Timezone     *string `json:"timezone"`
		RequireTOTP  *bool   `json:"require_totp"`
		PortalName   *string `json:"portal_display_name"`
		AccentColor  *string `json:"accent_color"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	s, err := h.svc.UpdateSettings(c.UserContext(), SettingsUpdate{Name: in.Name, BaseCurrency: in.BaseCurrency,
		Locale: in.Locale, Timezone: in.Timezone, RequireTOTP: in.RequireTOTP, PortalName: in.PortalName, AccentColor: in.AccentColor})
	if err != nil {
		return err
	}
	return c.JSON(settingsOut(s))
}
