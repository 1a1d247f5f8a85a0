package catalog

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// CostPerm is the permission that shows and sets cost (A4, R3).
const CostPerm = "costs:read"

// Handler serves the catalog routes under /api/v1.
type Handler struct {
	svc   *Service
	authz web.Authorizer // asked for CostPerm, beyond each route's own rule
}

// NewHandler returns the catalog HTTP handler; authz is the same authorizer
// the router uses, asked whether the caller may see cost.
func NewHandler(svc *Service, authz web.Authorizer) *Handler {
	return &Handler{svc: svc, authz: authz}
}

// Routes mounts the catalog routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	read, write := web.Perm("products:read"), web.Perm("products:write")
	r.Get("/products", read, h.listProducts)
	r.Post("/products", write, h.createProduct)
	r.Get("/products.csv", read, h.exportProducts)
	r.Get("/products/:id", read, h.getProduct)
	r.Patch("/products/:id", write, h.updateProduct)
	r.Delete("/products/:id", write, h.deleteProduct)
	r.Get("/boms", web.Perm("production:read"), h.listBOMs)
	r.Get("/boms/:id", web.Perm("production:read"), h.getBOM)
	r.Put("/boms/:id", web.Perm("production:write"), h.putBOM)
	r.Get("/price-lists", read, h.listPriceLists)
	r.Post("/price-lists", write, h.createPriceList)
	r.Get("/price-lists/:id", read, h.getPriceList)
	r.Patch("/price-lists/:id", write, h.updatePriceList)
	r.Delete("/price-lists/:id", write, h.deletePriceList)
	r.Put("/price-lists/:id/items", write, h.putPriceListItems)
	r.Post("/imports", web.Perm("imports:run"), h.runImport)
}

type productJSON struct {
	ID             uuid.UUID  `json:"id"`
	SKU            string     `json:"sku"`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	Type           Type       `json:"type"`
	Unit           string     `json:"unit"`
	ListPriceMinor int64      `json:"list_price_minor"`
	Currency       string     `json:"currency"`
	CostMinor      *int64     `json:"cost_minor,omitempty"`
	TaxRateID      *uuid.UUID `json:"tax_rate_id"`
	LotTracked     bool       `json:"lot_tracked"`
	ReorderPoint   int64      `json:"reorder_point"`
	LeadTimeDays   int        `json:"lead_time_days"`
	DailyCapacity  int64      `json:"daily_capacity"`
	Active         bool       `json:"active"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func productOut(p Product, withCost bool) productJSON {
	out := productJSON{ID: p.ID, SKU: p.SKU, Name: p.Name, Description: p.Description, Type: p.Type, Unit: p.Unit,
		ListPriceMinor: p.ListPriceMinor, Currency: p.Currency, TaxRateID: p.TaxRateID, LotTracked: p.LotTracked,
		ReorderPoint: p.ReorderPoint, LeadTimeDays: p.LeadTimeDays, DailyCapacity: p.DailyCapacity, Active: p.Active,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if withCost {
		out.CostMinor = &p.CostMinor
	}
	return out
}

// productIn is a create or PATCH body. tax_rate_id: null clears the rate.
type productIn struct {
	SKU            *string         `json:"sku"`
	Name           *string         `json:"name"`
	Description    *string         `json:"description"`
	Type           *Type           `json:"type"`
	Unit           *string         `json:"unit"`
	ListPriceMinor *int64          `json:"list_price_minor"`
	Currency       *string         `json:"currency"`
	CostMinor      *int64          `json:"cost_minor"`
	TaxRateID      json.RawMessage `json:"tax_rate_id"`
	LotTracked     *bool           `json:"lot_tracked"`
	ReorderPoint   *int64          `json:"reorder_point"`
	LeadTimeDays   *int            `json:"lead_time_days"`
	DailyCapacity  *int64          `json:"daily_capacity"`
	Active         *bool           `json:"active"`
}

// decodeProduct parses a product body; cost is refused from callers who may
// not see it (A4: they would be setting a value blind).
func decodeProduct(body []byte, withCost bool) (ProductInput, error) {
	var in productIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return ProductInput{}, err
	}
	out := ProductInput{SKU: in.SKU, Name: in.Name, Description: in.Description, Type: in.Type, Unit: in.Unit,
		ListPriceMinor: in.ListPriceMinor, Currency: in.Currency, CostMinor: in.CostMinor, LotTracked: in.LotTracked,
		ReorderPoint: in.ReorderPoint, LeadTimeDays: in.LeadTimeDays, DailyCapacity: in.DailyCapacity, Active: in.Active}
	if in.CostMinor != nil && !withCost {
		return ProductInput{}, &errs.Error{Code: errs.Forbidden, Message: "setting cost needs the " + CostPerm + " permission",
			Fields: map[string]string{"cost_minor": "needs the " + CostPerm + " permission"}}
	}
	if len(in.TaxRateID) > 0 {
		id := uuid.Nil // null clears
		if string(in.TaxRateID) != "null" {
			var s string
			err := json.Unmarshal(in.TaxRateID, &s)
			if id, _ = uuid.Parse(s); err != nil || id == uuid.Nil {
				return ProductInput{}, errs.Field("tax_rate_id", "must be a tax rate id or null")
			}
		}
		out.TaxRateID = &id
	}
	return out, nil
}

func (h *Handler) withCost(c *fiber.Ctx) bool {
	return h.authz.Authorize(c.UserContext(), web.Perm(CostPerm)) == nil
}

func jsonBody(c *fiber.Ctx) ([]byte, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		return nil, errs.Field("body", "content type must be application/json")
	}
	return c.Body(), nil
}

func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "not found")
	}
	return id, nil
}

// parseFilter reads the product list's query: q, type, active, sort and
// the page (limit, cursor = the last id of the previous page).
func parseFilter(c *fiber.Ctx) (Filter, int, error) {
	p, err := web.ParsePage(c)
	if err != nil {
		return Filter{}, 0, err
	}
	f := Filter{Q: c.Query("q"), Type: Type(c.Query("type")), Sort: c.Query("sort"), Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return Filter{}, 0, err
	}
	if f.Active, err = queryBool(c, "active"); err != nil {
		return Filter{}, 0, err
	}
	return f, p.Limit, nil
}

func queryBool(c *fiber.Ctx, name string) (*bool, error) {
	switch c.Query(name) {
	case "":
		return nil, nil
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	return nil, errs.Field(name, "must be true or false")
}

func (h *Handler) listProducts(c *fiber.Ctx) error {
	f, limit, err := parseFilter(c)
	if err != nil {
		return err
	}
	list, err := h.svc.FindProducts(c.UserContext(), f)
	if err != nil {
		return err
	}
	cost := h.withCost(c)
	return c.JSON(web.Paged(list, limit, func(p Product) uuid.UUID { return p.ID }, func(p Product) productJSON { return productOut(p, cost) }))
}

func (h *Handler) createProduct(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	cost := h.withCost(c)
	in, err := decodeProduct(body, cost)
	if err != nil {
		return err
	}
	p, err := h.svc.CreateProduct(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(productOut(p, cost))
}

func (h *Handler) getProduct(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.GetProduct(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(productOut(p, h.withCost(c)))
}

func (h *Handler) updateProduct(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	cost := h.withCost(c)
	in, err := decodeProduct(body, cost)
	if err != nil {
		return err
	}
	p, err := h.svc.UpdateProduct(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(productOut(p, cost))
}

func (h *Handler) deleteProduct(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteProduct(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// exportProducts answers the list's filters as CSV, every page at once.
func (h *Handler) exportProducts(c *fiber.Ctx) error {
	f, _, err := parseFilter(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ctx := c.UserContext()
	err = WriteProductsCSV(&buf, h.withCost(c), func(fn func(Product) error) error { return h.svc.EachProduct(ctx, f, fn) })
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="products.csv"`)
	return c.Send(buf.Bytes())
}
