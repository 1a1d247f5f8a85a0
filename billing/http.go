package billing

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Handler serves the billing routes.
type Handler struct{ svc *Service }

// NewHandler returns the billing HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the billing routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	r.Get("/billing", web.Perm("billing:read"), h.status)
	r.Get("/billing/plans", web.Authenticated, h.plans)
	r.Post("/billing/checkout", web.Perm("billing:manage"), h.checkout)
	r.Post("/billing/portal", web.Perm("billing:manage"), h.portal)
	r.Post("/billing/seats", web.Perm("billing:manage"), h.seats)
}

type planJSON struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	PriceMinor       int64    `json:"price_minor"`
	Currency         string   `json:"currency"`
	Interval         string   `json:"interval"`
	Seats            int      `json:"seats"`
	PortalCustomers  int      `json:"portal_customers"`
	APIRatePerMinute int      `json:"api_rate_per_minute"`
	Modules          []string `json:"modules"`
	// Purchasable: the plan has a Stripe price, so checkout can sell it.
	Purchasable bool `json:"purchasable"`
}

func planOut(p Plan) planJSON {
	mods := p.Modules
	if mods == nil {
		mods = []string{}
	}
	return planJSON{ID: p.ID, Name: p.Name, PriceMinor: p.PriceMinor, Currency: p.Currency, Interval: p.Interval,
		Seats: p.Seats, PortalCustomers: p.PortalCustomers, APIRatePerMinute: p.APIRatePerMinute, Modules: mods,
		Purchasable: p.StripePriceID != ""}
}

func (h *Handler) plans(c *fiber.Ctx) error {
	out := web.List[planJSON]{Items: []planJSON{}}
	for _, p := range h.svc.Catalog().Plans {
		out.Items = append(out.Items, planOut(p))
	}
	return c.JSON(out)
}

type statusJSON struct {
	Plan              planJSON   `json:"plan"`
	State             string     `json:"state"`
	TrialEndsAt       time.Time  `json:"trial_ends_at"`
	TrialDaysLeft     int        `json:"trial_days_left"`
	Usage             usageJSON  `json:"usage"`
	Limits            limitsJSON `json:"limits"`
	Configured        bool       `json:"stripe_configured"`
	Subscribed        bool       `json:"subscribed"`
	SeatsBilled       int        `json:"seats_billed"`
	SeatsPurchased    int        `json:"seats_purchased"`
	PastDueSince      *time.Time `json:"past_due_since"`
	GraceEndsAt       *time.Time `json:"grace_ends_at"`
	ReadOnly          bool       `json:"read_only"`
	ReadOnlyReason    string     `json:"read_only_reason"`
	CancelAtPeriodEnd bool       `json:"cancel_at_period_end"`
	CurrentPeriodEnd  *time.Time `json:"current_period_end"`
}

type usageJSON struct {
	Seats int `json:"seats"`
}

type limitsJSON struct {
	Seats           int `json:"seats"`
	PortalCustomers int `json:"portal_customers"`
}

func statusOut(st Status) statusJSON {
	return statusJSON{Plan: planOut(st.Plan), State: st.State, TrialEndsAt: st.TrialEndsAt,
		TrialDaysLeft: st.TrialDaysLeft, Usage: usageJSON{Seats: st.SeatsUsed},
		Limits:     limitsJSON{Seats: st.Plan.Seats, PortalCustomers: st.Plan.PortalCustomers},
		Configured: st.Configured, Subscribed: st.Subscribed, SeatsBilled: st.SeatsBilled, SeatsPurchased: st.SeatsMin,
		PastDueSince: st.PastDueSince, GraceEndsAt: st.GraceEndsAt, ReadOnly: st.ReadOnly, ReadOnlyReason: st.ReadOnlyReason,
		CancelAtPeriodEnd: st.CancelAtPeriodEnd, CurrentPeriodEnd: st.CurrentPeriodEnd}
}

func (h *Handler) status(c *fiber.Ctx) error {
	st, err := h.svc.Status(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(statusOut(st))
}

type urlJSON struct {
	URL string `json:"url"`
}

func (h *Handler) checkout(c *fiber.Ctx) error {
	var in struct {
		Plan string `json:"plan"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if in.Plan == "" {
		return errs.Field("plan", "is required")
	}
	url, err := h.svc.Checkout(c.UserContext(), in.Plan)
	if err != nil {
		return err
	}
	return c.JSON(urlJSON{URL: url})
}

// portal takes no body: there is nothing to choose.
func (h *Handler) portal(c *fiber.Ctx) error {
	url, err := h.svc.Portal(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(urlJSON{URL: url})
}

func (h *Handler) seats(c *fiber.Ctx) error {
	var in struct {
		Seats *int `json:"seats"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if in.Seats == nil {
		return errs.Field("seats", "is required")
	}
	st, err := h.svc.SetSeats(c.UserContext(), *in.Seats)
	if err != nil {
		return err
	}
	return c.JSON(statusOut(st))
}
