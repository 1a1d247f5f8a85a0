package tenant

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/web"
)

type taxRateJSON struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	RateBP    int       `json:"rate_bp"`
	IsDefault bool      `json:"is_default"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func taxRateOut(t TaxRate) taxRateJSON {
	return taxRateJSON{ID: t.ID, Name: t.Name, RateBP: t.RateBP, IsDefault: t.IsDefault, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

type taxRateIn struct {
	Name      *string `json:"name"`
	RateBP    *int    `json:"rate_bp"`
	IsDefault *bool   `json:"is_default"`
}

func (h *Handler) listTaxRates(c *fiber.Ctx) error {
	rates, err := h.svc.ListTaxRates(c.UserContext())
	if err != nil {
		return err
	}
	out := web.List[taxRateJSON]{Items: make([]taxRateJSON, len(rates))}
	for i, r := range rates {
		out.Items[i] = taxRateOut(r)
	}
	return c.JSON(out)
}

func (h *Handler) createTaxRate(c *fiber.Ctx) error {
	var in taxRateIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	r, err := h.svc.CreateTaxRate(c.UserContext(), TaxRateInput(in))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(taxRateOut(r))
}

func (h *Handler) updateTaxRate(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in taxRateIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	r, err := h.svc.UpdateTaxRate(c.UserContext(), id, TaxRateInput(in))
	if err != nil {
		return err
	}
	return c.JSON(taxRateOut(r))
}

func (h *Handler) deleteTaxRate(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTaxRate(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type seriesJSON struct {
	Code       string `json:"code"`
	Prefix     string `json:"prefix"`
	Padding    int    `json:"padding"`
	NextNumber int64  `json:"next_number"`
	Example    string `json:"example"`
}

func seriesOut(ns NumberSeries, t time.Time) seriesJSON {
	return seriesJSON{Code: ns.Code, Prefix: ns.Prefix, Padding: ns.Padding, NextNumber: ns.NextNumber, Example: ns.Format(ns.NextNumber, t)}
}

// tenantTime is now in the tenant's time zone, read once per request: the
// examples show {YYYY} as the tenant's year, as NextNumber will issue it.
func (h *Handler) tenantTime(c *fiber.Ctx) time.Time {
	t := time.Now()
	if st, err := h.svc.GetSettings(c.UserContext()); err == nil {
		if loc, err := time.LoadLocation(st.Timezone); err == nil {
			t = t.In(loc)
		}
	}
	return t
}

func (h *Handler) listNumberSeries(c *fiber.Ctx) error {
	list, err := h.svc.ListNumberSeries(c.UserContext())
	if err != nil {
		return err
	}
	t := h.tenantTime(c)
	out := web.List[seriesJSON]{Items: make([]seriesJSON, len(list))}
	for i, ns := range list {
		out.Items[i] = seriesOut(ns, t)
	}
	return c.JSON(out)
}

func (h *Handler) updateNumberSeries(c *fiber.Ctx) error {
	var in struct {
		Prefix     *string `json:"prefix"`
		Padding    *int    `json:"padding"`
		NextNumber *int64  `json:"next_number"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	ns, err := h.svc.UpdateNumberSeries(c.UserContext(), c.Params("code"), SeriesUpdate{Prefix: in.Prefix, Padding: in.Padding, NextNumber: in.NextNumber})
	if err != nil {
		return err
	}
	return c.JSON(seriesOut(ns, h.tenantTime(c)))
}
