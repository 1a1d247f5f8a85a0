package catalog

import (
	"bytes"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

type bomLineJSON struct {
	ComponentID uuid.UUID `json:"component_id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Unit        string    `json:"unit"`
	Quantity    int64     `json:"quantity"`
}

type bomJSON struct {
	ProductID uuid.UUID     `json:"product_id"`
	Lines     []bomLineJSON `json:"lines"`
	UpdatedAt *time.Time    `json:"updated_at"`
}

func bomOut(b BOM) bomJSON {
	out := bomJSON{ProductID: b.ProductID, Lines: make([]bomLineJSON, len(b.Lines)), UpdatedAt: b.UpdatedAt}
	for i, l := range b.Lines {
		out.Lines[i] = bomLineJSON{ComponentID: l.ComponentID, SKU: l.SKU, Name: l.Name, Unit: l.Unit, Quantity: l.Quantity}
	}
	return out
}

// bomIn is PUT /boms/{product id}: the whole list of lines (empty removes
// the bill of materials).
type bomIn struct {
	Lines []struct {
		ComponentID uuid.UUID `json:"component_id"`
		Quantity    int64     `json:"quantity"`
	} `json:"lines"`
}

func (h *Handler) listBOMs(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := BOMFilter{Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	if s := c.Query("component_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return errs.Field("component_id", "must be a product id")
		}
		f.ComponentID = &id
	}
	list, err := h.svc.FindBOMs(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, p.Limit, func(b BOM) uuid.UUID { return b.ProductID }, bomOut))
}

func (h *Handler) getBOM(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := h.svc.GetBOM(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(bomOut(b))
}

func (h *Handler) putBOM(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in bomIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	lines := make([]BOMLineInput, len(in.Lines))
	for i, l := range in.Lines {
		lines[i] = BOMLineInput{ComponentID: l.ComponentID, Quantity: l.Quantity}
	}
	b, err := h.svc.SetBOM(c.UserContext(), id, lines)
	if err != nil {
		return err
	}
	return c.JSON(bomOut(b))
}

type priceItemJSON struct {
	ProductID   uuid.UUID `json:"product_id"`
	MinQuantity int64     `json:"min_quantity"`
	PriceMinor  int64     `json:"price_minor"`
}

type priceListJSON struct {
	ID        uuid.UUID        `json:"id"`
	Name      string           `json:"name"`
	Currency  string           `json:"currency"`
	Active    bool             `json:"active"`
	Items     *[]priceItemJSON `json:"items,omitempty"` // detail responses only
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

func priceListOut(pl PriceList, withItems bool) priceListJSON {
	out := priceListJSON{ID: pl.ID, Name: pl.Name, Currency: pl.Currency, Active: pl.Active, CreatedAt: pl.CreatedAt, UpdatedAt: pl.UpdatedAt}
	if withItems {
		items := make([]priceItemJSON, len(pl.Items))
		for i, it := range pl.Items {
			items[i] = priceItemJSON(it)
		}
		out.Items = &items
	}
	return out
}

type priceListIn struct {
	Name     *string `json:"name"`
	Currency *string `json:"currency"`
	Active   *bool   `json:"active"`
}

func (h *Handler) listPriceLists(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := PriceListFilter{Q: c.Query("q"), Currency: c.Query("currency"), Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	if f.Active, err = queryBool(c, "active"); err != nil {
		return err
	}
	list, err := h.svc.FindPriceLists(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, p.Limit, func(pl PriceList) uuid.UUID { return pl.ID },
		func(pl PriceList) priceListJSON { return priceListOut(pl, false) }))
}

func (h *Handler) createPriceList(c *fiber.Ctx) error {
	var in priceListIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	pl, err := h.svc.CreatePriceList(c.UserContext(), PriceListInput(in))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(priceListOut(pl, true))
}

func (h *Handler) getPriceList(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pl, err := h.svc.GetPriceList(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(priceListOut(pl, true))
}

func (h *Handler) updatePriceList(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in priceListIn
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	pl, err := h.svc.UpdatePriceList(c.UserContext(), id, PriceListInput(in))
	if err != nil {
		return err
	}
	return c.JSON(priceListOut(pl, true))
}

func (h *Handler) deletePriceList(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePriceList(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handler) putPriceListItems(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in struct {
		Items []priceItemJSON `json:"items"`
	}
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	items := make([]PriceListItem, len(in.Items))
	for i, it := range in.Items {
		items[i] = PriceListItem(it)
	}
	pl, err := h.svc.SetPriceListItems(c.UserContext(), id, items)
	if err != nil {
		return err
	}
	return c.JSON(priceListOut(pl, true))
}

type importIssueJSON struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type importJSON struct {
	Resource string            `json:"resource"`
	DryRun   bool              `json:"dry_run"`
	Valid    bool              `json:"valid"`
	Applied  bool              `json:"applied"`
	Rows     int               `json:"rows"`
	Created  int               `json:"created"`
	Updated  int               `json:"updated"`
	Errors   []importIssueJSON `json:"errors"`
}

// runImport takes the CSV either as a text/csv body with ?resource= and
// ?dry_run= (curl --data-binary @file.csv), or as JSON {"resource",
// "dry_run", "csv"}. dry_run defaults to true, so a forgotten flag changes
// nothing. Importing products also needs products:write.
func (h *Handler) runImport(c *fiber.Ctx) error {
	var in struct {
		Resource string `json:"resource"`
		DryRun   *bool  `json:"dry_run"`
		CSV      string `json:"csv"`
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		in.Resource, in.CSV = c.Query("resource"), string(c.Body())
		dry, err := queryBool(c, "dry_run")
		if err != nil {
			return err
		}
		in.DryRun = dry
	case strings.HasPrefix(ct, fiber.MIMEApplicationJSON):
		if err := web.DecodeBytes(c.Body(), &in); err != nil {
			return err
		}
	default:
		return errs.Field("body", "content type must be text/csv or application/json")
	}
	if in.Resource != "products" {
		return errs.Field("resource", "must be products")
	}
	if err := h.authz.Authorize(c.UserContext(), web.Perm("products:write")); err != nil {
		return err
	}
	dry := in.DryRun == nil || *in.DryRun
	rep, err := h.svc.ImportProducts(c.UserContext(), bytes.NewReader([]byte(in.CSV)), ImportOptions{DryRun: dry, AllowCost: h.withCost(c)})
	if err != nil {
		return err
	}
	out := importJSON{Resource: in.Resource, DryRun: dry, Valid: len(rep.Issues) == 0, Applied: rep.Applied,
		Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Errors: make([]importIssueJSON, len(rep.Issues))}
	for i, is := range rep.Issues {
		out.Errors[i] = importIssueJSON(is)
	}
	return c.JSON(out)
}
