package flows

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// Handler serves the flows' routes under /api/v1.
type Handler struct{ credit *CreditService }

// NewHandler returns the flows HTTP handler.
func NewHandler(credit *CreditService) *Handler { return &Handler{credit: credit} }

// Routes mounts the routes. The credit position is for whoever may read the
// account: the rep sees it before quoting (F4), finance before approving.
func (h *Handler) Routes(r *web.Router) {
	r.Get("/accounts/:id/credit", web.Perm("accounts:read"), h.getCredit)
}

type creditJSON struct {
	AccountID      uuid.UUID `json:"account_id"`
	Currency       string    `json:"currency"`
	Limited        bool      `json:"limited"`
	LimitMinor     int64     `json:"limit_minor"`
	InvoicesMinor  int64     `json:"open_invoices_minor"`
	OverdueMinor   int64     `json:"overdue_minor"`
	OrdersMinor    int64     `json:"open_orders_minor"`
	AvailableMinor int64     `json:"available_minor"`
}

func (h *Handler) getCredit(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return errs.E(errs.NotFound, "account not found")
	}
	cr, err := h.credit.Position(c.UserContext(), id, uuid.Nil)
	if err != nil {
		return err
	}
	return c.JSON(creditJSON(cr))
}
