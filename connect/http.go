package connect

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Handler serves the online payment routes.
type Handler struct{ svc *Service }

// NewHandler returns the connect HTTP handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes mounts the routes on r (at /api/v1). Connecting Stripe and the
// bank details are tenant settings. Paying is the portal customer's own
// action (portal:use, bound to their account): staff record payments they
// received with POST /payments instead, and a checkout opened by staff
// would return to a portal page they cannot see. How an invoice can be
// paid is read by its customer and by staff who read invoices. Returning a
// refund to the card is finance's (payments:record).
func (h *Handler) Routes(r *web.Router) {
	r.Get("/settings/stripe", web.Perm("settings:read"), h.state)
	r.Post("/settings/stripe/connect", web.Perm("settings:manage"), h.connect)
	r.Delete("/settings/stripe", web.Perm("settings:manage"), h.disconnect)
	r.Get("/settings/bank-details", web.Perm("settings:read"), h.bank)
	r.Put("/settings/bank-details", web.Perm("settings:manage"), h.setBank)
	r.Post("/invoices/:id/pay", web.CustomerPerm("portal:use"), h.pay)
	r.Get("/invoices/:id/payment-options", web.CustomerPerm("invoices:read"), h.options)
	r.Post("/refunds/:id/stripe", web.Perm("payments:record"), h.refund)
	r.Get("/payment-attempts", web.Perm("payments:read"), h.attempts)
	r.Post("/payment-attempts/:id/resolve", web.Perm("payments:record"), h.resolve)
}

type resolutionJSON struct {
	Note           string     `json:"note"`
	ResolvedBy     *uuid.UUID `json:"resolved_by"`
	ResolvedByName string     `json:"resolved_by_name"`
	ResolvedAt     time.Time  `json:"resolved_at"`
}

// attemptJSON is a payment attempt as staff see it. received_currency is
// null when not known (attempts paid before it was kept).
type attemptJSON struct {
	ID                uuid.UUID       `json:"id"`
	InvoiceID         uuid.UUID       `json:"invoice_id"`
	InvoiceNumber     string          `json:"invoice_number"`
	AccountID         uuid.UUID       `json:"account_id"`
	AccountName       string          `json:"account_name"`
	Status            string          `json:"status"`
	AmountMinor       int64           `json:"amount_minor"`
	Currency          string          `json:"currency"`
	ReceivedMinor     int64           `json:"received_minor"`
	ReceivedCurrency  *string         `json:"received_currency"`
	UnappliedMinor    int64           `json:"unapplied_minor"`
	PaymentIntentID   *string         `json:"payment_intent_id"`
	CheckoutSessionID *string         `json:"checkout_session_id"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
	Resolution        *resolutionJSON `json:"resolution"`
}

func orNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func attemptOut(a Attempt) attemptJSON {
	out := attemptJSON{ID: a.ID, InvoiceID: a.InvoiceID, InvoiceNumber: a.InvoiceNumber, AccountID: a.AccountID,
		AccountName: a.AccountName, Status: a.Status, AmountMinor: a.AmountMinor, Currency: a.Currency,
		ReceivedMinor: a.ReceivedMinor, ReceivedCurrency: orNil(a.ReceivedCurrency), UnappliedMinor: a.UnappliedMinor,
		PaymentIntentID: orNil(a.PaymentIntentID), CheckoutSessionID: orNil(a.CheckoutSessionID),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if r := a.Resolution; r != nil {
		out.Resolution = &resolutionJSON{Note: r.Note, ResolvedBy: r.ResolvedBy, ResolvedByName: r.ResolvedByName, ResolvedAt: r.ResolvedAt}
	}
	return out
}

// attempts lists payment attempts, newest first; ?status=review is
// finance's queue of card payments to look at.
func (h *Handler) attempts(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	after, err := p.AfterID()
	if err != nil {
		return err
	}
	list, err := h.svc.Attempts(c.UserContext(), AttemptFilter{Status: c.Query("status"), After: after, Limit: p.Limit + 1})
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, p.Limit, func(a Attempt) uuid.UUID { return a.ID }, attemptOut))
}

type resolveIn struct {
	Note string `json:"note"`
}

func (h *Handler) resolve(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errs.E(errs.NotFound, "payment attempt not found")
	}
	var in resolveIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	a, err := h.svc.Resolve(c.UserContext(), id, in.Note)
	if err != nil {
		return err
	}
	return c.JSON(attemptOut(a))
}

// refund takes no body: the amount is the refund's, the card the
// invoice's payment.
func (h *Handler) refund(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errs.E(errs.NotFound, "refund not found")
	}
	st, err := h.svc.Refund(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": st.ID, "status": st.Status, "amount_minor": st.AmountMinor, "currency": st.Currency,
		"stripe_refund_id": st.StripeID})
}

type stateJSON struct {
	Available        bool       `json:"available"`
	Status           string     `json:"status"`
	AccountID        *string    `json:"account_id"`
	ChargesEnabled   bool       `json:"charges_enabled"`
	DetailsSubmitted bool       `json:"details_submitted"`
	PayoutsEnabled   bool       `json:"payouts_enabled"`
	SyncedAt         *time.Time `json:"synced_at"`
}

func stateOut(st State) stateJSON {
	out := stateJSON{Available: st.Available, Status: st.Status, ChargesEnabled: st.ChargesEnabled,
		DetailsSubmitted: st.DetailsSubmitted, PayoutsEnabled: st.PayoutsEnabled, SyncedAt: st.SyncedAt}
	if st.AccountID != "" {
		out.AccountID = &st.AccountID
	}
	return out
}

func (h *Handler) state(c *fiber.Ctx) error {
	st, err := h.svc.State(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(stateOut(st))
}

// connect takes no body: there is nothing to choose.
func (h *Handler) connect(c *fiber.Ctx) error {
	st, url, err := h.svc.Connect(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(struct {
		stateJSON
		URL string `json:"url"`
	}{stateOut(st), url})
}

func (h *Handler) disconnect(c *fiber.Ctx) error {
	st, err := h.svc.Disconnect(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(stateOut(st))
}

func (h *Handler) bank(c *fiber.Ctx) error {
	b, err := h.svc.Bank(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (h *Handler) setBank(c *fiber.Ctx) error {
	var in BankDetails
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	b, err := h.svc.SetBank(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func invoiceID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "invoice not found")
	}
	return id, nil
}

// pay takes no body: the amount is the invoice's open balance.
func (h *Handler) pay(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	sess, err := h.svc.Pay(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": sess.URL, "session_id": sess.ID})
}

type optionsJSON struct {
	Online       bool         `json:"online"`
	Reference    string       `json:"reference"`
	BalanceMinor int64        `json:"balance_minor"`
	Currency     string       `json:"currency"`
	Bank         *BankDetails `json:"bank"`
	LastAttempt  *string      `json:"last_attempt"`
}

func (h *Handler) options(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	o, err := h.svc.PaymentOptions(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := optionsJSON{Online: o.Online, Reference: o.Reference, BalanceMinor: o.BalanceMinor, Currency: o.Currency, Bank: o.Bank}
	if o.LastAttempt != "" {
		out.LastAttempt = &o.LastAttempt
	}
	return c.JSON(out)
}
