package invoicing

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// pathID parses :id; a malformed id is answered like an unknown one.
func pathID(c *fiber.Ctx, notFound error) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

func queryID(f errs.Fields, c *fiber.Ctx, field string) *uuid.UUID {
	s := c.Query(field)
	if s == "" {
		return nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		f.Add(field, "must be an id")
		return nil
	}
	return &id
}

// page reads limit and cursor (the last id of the previous page); the
// query asks for one more row than the page to know whether another follows.
func page(c *fiber.Ctx, f errs.Fields) (after *uuid.UUID, limit int, err error) {
	p, err := web.ParsePage(c)
	if err != nil {
		return nil, 0, err
	}
	if after, err = p.AfterID(); err != nil {
		f.Add("cursor", "invalid cursor")
	}
	return after, p.Limit, nil
}

// parseFilter reads the invoice list's query: account_id, order_id, status,
// overdue and the page.
func parseFilter(c *fiber.Ctx) (Filter, int, error) {
	fe := errs.Fields{}
	after, limit, err := page(c, fe)
	if err != nil {
		return Filter{}, 0, err
	}
	f := Filter{AccountID: queryID(fe, c, "account_id"), OrderID: queryID(fe, c, "order_id"),
		Status: Status(c.Query("status")), After: after, Limit: limit + 1}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "must be one of issued, partially_paid, paid, credited")
	}
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		fe.Add("overdue", "must be true or false")
	}
	return f, limit, fe.Err()
}

func (h *Handler) list(c *fiber.Ctx) error {
	f, limit, err := parseFilter(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Find(c.UserContext(), f)
	if err != nil {
		return err
	}
	today := h.svc.today()
	if bound(c.UserContext()) {
		return c.JSON(web.Paged(list, limit, func(i Invoice) uuid.UUID { return i.ID },
			func(i Invoice) customerInvoiceJSON { return customerInvoiceOut(i, today, false) }))
	}
	return c.JSON(web.Paged(list, limit, func(i Invoice) uuid.UUID { return i.ID },
		func(i Invoice) invoiceJSON { return invoiceOut(i, today, false) }))
}

func (h *Handler) issue(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	orderID, err := decodeIssue(body)
	if err != nil {
		return err
	}
	inv, err := h.svc.IssueForOrder(c.UserContext(), orderID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(invoiceOut(inv, h.svc.today(), true))
}

func (h *Handler) get(c *fiber.Ctx) error {
	id, err := pathID(c, errNotFound())
	if err != nil {
		return err
	}
	inv, err := h.svc.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	if bound(c.UserContext()) {
		return c.JSON(customerInvoiceOut(inv, h.svc.today(), true))
	}
	return c.JSON(invoiceOut(inv, h.svc.today(), true))
}

func (h *Handler) pdf(c *fiber.Ctx) error {
	id, err := pathID(c, errNotFound())
	if err != nil {
		return err
	}
	out, inv, err := h.svc.PDF(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+safeFilename(inv.Number)+`.pdf"`)
	return c.Send(out)
}

// safeFilename keeps a number's letters, digits, "-" and "_" (a series
// prefix is tenant-chosen text and must not break the header).
func safeFilename(s string) string {
	b := []byte(s)
	out := b[:0]
	for _, ch := range b {
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' {
			out = append(out, ch)
		}
	}
	if len(out) == 0 {
		return "invoice"
	}
	return string(out)
}

func (h *Handler) docFilter(c *fiber.Ctx) (DocFilter, int, error) {
	fe := errs.Fields{}
	after, limit, err := page(c, fe)
	if err != nil {
		return DocFilter{}, 0, err
	}
	f := DocFilter{InvoiceID: queryID(fe, c, "invoice_id"), AccountID: queryID(fe, c, "account_id"), After: after, Limit: limit + 1}
	return f, limit, fe.Err()
}

func (h *Handler) payments(c *fiber.Ctx) error {
	f, limit, err := h.docFilter(c)
	if err != nil {
		return err
	}
	list, err := h.svc.FindPayments(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, limit, func(p Payment) uuid.UUID { return p.ID }, paymentOut))
}

func (h *Handler) pay(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	in, err := decodePayment(body)
	if err != nil {
		return err
	}
	p, err := h.svc.RecordPayment(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(paymentOut(p))
}

func (h *Handler) creditNotes(c *fiber.Ctx) error {
	f, limit, err := h.docFilter(c)
	if err != nil {
		return err
	}
	list, err := h.svc.FindCreditNotes(c.UserContext(), f)
	if err != nil {
		return err
	}
	if bound(c.UserContext()) {
		return c.JSON(web.Paged(list, limit, func(n CreditNote) uuid.UUID { return n.ID }, customerCreditNoteOut))
	}
	return c.JSON(web.Paged(list, limit, func(n CreditNote) uuid.UUID { return n.ID },
		func(n CreditNote) creditNoteJSON { return creditNoteOut(n, false) }))
}

func (h *Handler) credit(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	in, err := decodeCreditNote(body)
	if err != nil {
		return err
	}
	n, err := h.svc.IssueCreditNote(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(creditNoteOut(n, true))
}

func (h *Handler) creditNote(c *fiber.Ctx) error {
	id, err := pathID(c, errs.E(errs.NotFound, "credit note not found"))
	if err != nil {
		return err
	}
	n, err := h.svc.GetCreditNote(c.UserContext(), id)
	if err != nil {
		return err
	}
	if bound(c.UserContext()) {
		return c.JSON(customerCreditNoteDetail(n))
	}
	return c.JSON(creditNoteOut(n, true))
}

func (h *Handler) balance(c *fiber.Ctx) error {
	id, err := pathID(c, errs.E(errs.NotFound, "account not found"))
	if err != nil {
		return err
	}
	bal, err := h.svc.AccountBalance(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := struct {
		AccountID uuid.UUID     `json:"account_id"`
		Balances  []amountsJSON `json:"balances"`
	}{AccountID: id, Balances: make([]amountsJSON, len(bal))}
	for i, b := range bal {
		out.Balances[i] = amountsJSON(b)
	}
	return c.JSON(out)
}

// aging pages by account: limit accounts (each with a row per currency it
// owes in), cursor = the last account id of the previous page.
func (h *Handler) aging(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	after, err := p.AfterID()
	if err != nil {
		return err
	}
	rows, more, err := h.svc.Aging(c.UserContext(), after, p.Limit)
	if err != nil {
		return err
	}
	out := web.List[agingJSON]{Items: make([]agingJSON, len(rows))}
	for i, r := range rows {
		out.Items[i] = agingJSON(r)
	}
	if more {
		out.NextCursor = web.EncodeCursor(rows[len(rows)-1].AccountID.String())
	}
	return c.JSON(out)
}
