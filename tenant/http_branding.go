package tenant

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (h *Handler) putLogo(c *fiber.Ctx) error {
	ct, _, _ := strings.Cut(c.Get(fiber.HeaderContentType), ";")
	// The body is copied: fasthttp reuses its buffer after the handler returns.
	if err := h.svc.SetLogo(c.UserContext(), strings.TrimSpace(strings.ToLower(ct)), append([]byte(nil), c.Body()...)); err != nil {
		return err
	}
	s, err := h.svc.GetSettings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(settingsOut(s))
}

func (h *Handler) deleteLogo(c *fiber.Ctx) error {
	if err := h.svc.DeleteLogo(c.UserContext()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type brandingJSON struct {
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	DisplayName string  `json:"display_name"`
	AccentColor string  `json:"accent_color"`
	Locale      string  `json:"locale"`
	LogoURL     *string `json:"logo_url"`
}

// portalBranding is public: the portal's login page shows it before anyone
// signs in. It carries nothing a customer would not see on that page.
func (h *Handler) portalBranding(c *fiber.Ctx) error {
	b, err := h.svc.PortalBranding(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	out := brandingJSON{Slug: b.Slug, Name: b.Name, DisplayName: b.DisplayName, AccentColor: b.AccentColor, Locale: b.Locale}
	if b.LogoETag != "" {
		// The version in the URL lets browsers cache the logo until it changes.
		u := "/api/v1/portal/" + url.PathEscape(b.Slug) + "/logo?v=" + b.LogoETag
		out.LogoURL = &u
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(out)
}

func (h *Handler) portalLogo(c *fiber.Ctx) error {
	l, err := h.svc.PortalLogo(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	etag := `"` + l.ETag + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, l.ContentType)
	return c.Send(l.Data)
}
