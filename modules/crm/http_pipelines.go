package crm

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// This file holds the pipelines and opportunities routes.

// ManagePipelines is the permission to create, change and delete pipelines.
const ManagePipelines = "pipelines:manage"

func (h *Handler) pipelineRoutes(r *web.Router) {
	read, write, manage := web.Perm("opportunities:read"), web.Perm("opportunities:write"), web.Perm(ManagePipelines)
	r.Get("/pipelines", read, h.listPipelines)
	r.Post("/pipelines", manage, h.createPipeline)
	r.Get("/pipelines/:id", read, h.getPipeline)
	r.Patch("/pipelines/:id", manage, h.updatePipeline)
	r.Delete("/pipelines/:id", manage, h.deletePipeline)

	r.Get("/opportunities", read, h.listOpportunities)
	r.Post("/opportunities", write, h.createOpportunity)
	r.Get("/opportunities/:id", read, h.getOpportunity)
	r.Patch("/opportunities/:id", write, h.updateOpportunity)
	r.Delete("/opportunities/:id", write, h.deleteOpportunity)
	r.Post("/opportunities/:id/win", write, h.winOpportunity)
	r.Post("/opportunities/:id/lose", write, h.loseOpportunity)
}

type stageJSON struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	Position    int       `json:"position"`
	Probability int       `json:"probability"`
	Won         bool      `json:"won"`
	Lost        bool      `json:"lost"`
}

type pipelineJSON struct {
	ID        uuid.UUID   `json:"id"`
	Name      string      `json:"name"`
	Default   bool        `json:"default"`
	Stages    []stageJSON `json:"stages"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

func pipelineOut(p Pipeline) pipelineJSON {
	out := pipelineJSON{ID: p.ID, Name: p.Name, Default: p.Default, Stages: make([]stageJSON, len(p.Stages)),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for i, s := range p.Stages {
		out.Stages[i] = stageJSON(s)
	}
	return out
}

type stageIn struct {
	ID          *string `json:"id"`
	Name        string  `json:"name"`
	Probability *int    `json:"probability"`
	Won         bool    `json:"won"`
	Lost        bool    `json:"lost"`
}

type pipelineIn struct {
	Name    *string    `json:"name"`
	Default *bool      `json:"default"`
	Stages  *[]stageIn `json:"stages"`
}

// DecodePipeline parses a pipeline body strictly (unknown fields refused by
// name, A4).
func DecodePipeline(body []byte) (PipelineInput, error) {
	var in pipelineIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return PipelineInput{}, err
	}
	out := PipelineInput{Name: in.Name, Default: in.Default}
	if in.Stages != nil {
		st := make([]StageInput, len(*in.Stages))
		for i, s := range *in.Stages {
			if s.Probability == nil {
				return PipelineInput{}, errs.Field(fmt.Sprintf("stages[%d].probability", i), "is required")
			}
			st[i] = StageInput{Name: s.Name, Probability: *s.Probability, Won: s.Won, Lost: s.Lost}
			if s.ID != nil {
				id, err := web.ParseID(fmt.Sprintf("stages[%d].id", i), *s.ID)
				if err != nil {
					return PipelineInput{}, err
				}
				st[i].ID = &id
			}
		}
		out.Stages = &st
	}
	return out, nil
}

func (h *Handler) listPipelines(c *fiber.Ctx) error {
	list, err := h.svc.FindPipelines(c.UserContext())
	if err != nil {
		return err
	}
	out := web.List[pipelineJSON]{Items: make([]pipelineJSON, len(list))}
	for i, p := range list {
		out.Items[i] = pipelineOut(p)
	}
	return c.JSON(out)
}

func (h *Handler) createPipeline(c *fiber.Ctx) error {
	in, err := decodeWith(c, DecodePipeline)
	if err != nil {
		return err
	}
	p, err := h.svc.CreatePipeline(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(pipelineOut(p))
}

func (h *Handler) getPipeline(c *fiber.Ctx) error {
	id, err := idParam(c, "pipeline")
	if err != nil {
		return err
	}
	p, err := h.svc.GetPipeline(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(pipelineOut(p))
}

func (h *Handler) updatePipeline(c *fiber.Ctx) error {
	id, err := idParam(c, "pipeline")
	if err != nil {
		return err
	}
	in, err := decodeWith(c, DecodePipeline)
	if err != nil {
		return err
	}
	p, err := h.svc.UpdatePipeline(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(pipelineOut(p))
}

func (h *Handler) deletePipeline(c *fiber.Ctx) error {
	id, err := idParam(c, "pipeline")
	if err != nil {
		return err
	}
	if err := h.svc.DeletePipeline(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type lineJSON struct {
	ID             uuid.UUID `json:"id"`
	ProductID      uuid.UUID `json:"product_id"`
	SKU            string    `json:"sku"`
	ProductName    string    `json:"product_name"`
	Quantity       int64     `json:"quantity"`
	UnitPriceMinor int64     `json:"unit_price_minor"`
	DiscountBP     int       `json:"discount_bp"`
	AmountMinor    int64     `json:"amount_minor"`
}

type stageChangeJSON struct {
	FromStageID   *uuid.UUID `json:"from_stage_id"`
	FromStageName string     `json:"from_stage_name"`
	ToStageID     uuid.UUID  `json:"to_stage_id"`
	ToStageName   string     `json:"to_stage_name"`
	ChangedBy     *uuid.UUID `json:"changed_by"`
	ChangedAt     time.Time  `json:"changed_at"`
}

type opportunityJSON struct {
	ID                uuid.UUID         `json:"id"`
	Name              string            `json:"name"`
	AccountID         uuid.UUID         `json:"account_id"`
	AccountName       string            `json:"account_name"`
	ContactID         *uuid.UUID        `json:"contact_id"`
	PipelineID        uuid.UUID         `json:"pipeline_id"`
	StageID           uuid.UUID         `json:"stage_id"`
	OwnerUserID       uuid.UUID         `json:"owner_user_id"`
	OwnerName         string            `json:"owner_name"`
	AmountMinor       int64             `json:"amount_minor"`
	Currency          string            `json:"currency"`
	ExpectedClose     *string           `json:"expected_close"`
	Probability       int               `json:"probability"`
	ProbabilityManual bool              `json:"probability_manual"`
	Status            string            `json:"status"`
	LostReason        string            `json:"lost_reason"`
	WonAt             *time.Time        `json:"won_at"`
	LostAt            *time.Time        `json:"lost_at"`
	Lines             []lineJSON        `json:"lines"`
	StageHistory      []stageChangeJSON `json:"stage_history,omitempty"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
}

const dateLayout = "2006-01-02"

func opportunityOut(o Opportunity) opportunityJSON {
	out := opportunityJSON{ID: o.ID, Name: o.Name, AccountID: o.AccountID, AccountName: o.AccountName,
		ContactID: o.ContactID, PipelineID: o.PipelineID, StageID: o.StageID, OwnerUserID: o.OwnerUserID,
		OwnerName: o.OwnerName, AmountMinor: o.AmountMinor, Currency: o.Currency, Probability: o.Probability,
		ProbabilityManual: o.ProbabilityManual, Status: o.Status, LostReason: o.LostReason, WonAt: o.WonAt,
		LostAt: o.LostAt, Lines: make([]lineJSON, len(o.Lines)), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if o.ExpectedClose != nil {
		d := o.ExpectedClose.Format(dateLayout)
		out.ExpectedClose = &d
	}
	for i, l := range o.Lines {
		out.Lines[i] = lineJSON(l)
	}
	return out
}

type lineIn struct {
	ProductID      string `json:"product_id"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor *int64 `json:"unit_price_minor"`
	DiscountBP     int    `json:"discount_bp"`
}

// opportunityIn is a create or PATCH body. contact_id, expected_close and
// probability null clear them (probability then follows the stage).
type opportunityIn struct {
	Name          *string         `json:"name"`
	AccountID     *string         `json:"account_id"`
	ContactID     json.RawMessage `json:"contact_id"`
	PipelineID    *string         `json:"pipeline_id"`
	StageID       *string         `json:"stage_id"`
	OwnerUserID   *string         `json:"owner_user_id"`
	AmountMinor   *int64          `json:"amount_minor"`
	Currency      *string         `json:"currency"`
	ExpectedClose json.RawMessage `json:"expected_close"`
	Probability   json.RawMessage `json:"probability"`
	Lines         *[]lineIn       `json:"lines"`
}

// DecodeOpportunity parses an opportunity body strictly: unknown fields,
// and fields only win and lose set (status, won_at, lost_reason), are
// refused by name (A4).
func DecodeOpportunity(body []byte) (OpportunityInput, error) {
	var in opportunityIn
	if err := web.DecodeBytes(body, &in); err != nil {
		return OpportunityInput{}, err
	}
	out := OpportunityInput{Name: in.Name, AmountMinor: in.AmountMinor, Currency: in.Currency}
	for _, x := range []struct {
		field string
		s     *string
		dst   **uuid.UUID
	}{{"account_id", in.AccountID, &out.AccountID}, {"pipeline_id", in.PipelineID, &out.PipelineID},
		{"stage_id", in.StageID, &out.StageID}, {"owner_user_id", in.OwnerUserID, &out.OwnerUserID}} {
		if x.s == nil {
			continue
		}
		id, err := web.ParseID(x.field, *x.s)
		if err != nil {
			return OpportunityInput{}, err
		}
		*x.dst = &id
	}
	var err error
	if out.ContactID, err = web.NullableID("contact_id", in.ContactID); err != nil {
		return OpportunityInput{}, err
	}
	if len(in.ExpectedClose) > 0 {
		if string(in.ExpectedClose) == "null" {
			out.ClearExpectedClose = true
		} else {
			var s string
			d, perr := time.Time{}, json.Unmarshal(in.ExpectedClose, &s)
			if perr == nil {
				d, perr = time.Parse(dateLayout, s)
			}
			if perr != nil {
				return OpportunityInput{}, errs.Field("expected_close", "must be a date (YYYY-MM-DD) or null")
			}
			out.ExpectedClose = &d
		}
	}
	if len(in.Probability) > 0 {
		if string(in.Probability) == "null" {
			out.ClearProbability = true
		} else {
			var p int
			if json.Unmarshal(in.Probability, &p) != nil {
				return OpportunityInput{}, errs.Field("probability", "must be a percentage from 0 to 100 or null")
			}
			out.Probability = &p
		}
	}
	if in.Lines != nil {
		lines := make([]LineInput, len(*in.Lines))
		for i, l := range *in.Lines {
			id, err := web.ParseID(fmt.Sprintf("lines[%d].product_id", i), l.ProductID)
			if err != nil {
				return OpportunityInput{}, err
			}
			lines[i] = LineInput{ProductID: id, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, DiscountBP: l.DiscountBP}
		}
		out.Lines = &lines
	}
	return out, nil
}

type loseIn struct {
	LostReason *string `json:"lost_reason"`
}

// oppScope is the caller's record rule on opportunities.
func (h *Handler) oppScope(c *fiber.Ctx) Scope {
	return Scope{All: h.authz.Authorize(c.UserContext(), web.Perm(ReadAllOpportunities)) == nil}
}

func (h *Handler) listOpportunities(c *fiber.Ctx) error {
	p, err := web.ParsePage(c)
	if err != nil {
		return err
	}
	f := OpportunityFilter{Q: c.Query("q"), Status: c.Query("status"), Limit: p.Limit + 1}
	if f.After, err = p.AfterID(); err != nil {
		return err
	}
	for name, dst := range map[string]**uuid.UUID{"pipeline_id": &f.PipelineID, "stage_id": &f.StageID,
		"account_id": &f.AccountID} {
		if *dst, err = queryID(c, name); err != nil {
			return err
		}
	}
	switch s := c.Query("owner"); s {
	case "":
	case "me":
		me, ok := principal(c)
		if !ok {
			return errs.Field("owner", "me needs a signed-in user")
		}
		f.OwnerUserID = &me
	default:
		id, err := web.ParseID("owner", s)
		if err != nil {
			return errs.Field("owner", "must be a user id or me")
		}
		f.OwnerUserID = &id
	}
	list, err := h.svc.FindOpportunities(c.UserContext(), h.oppScope(c), f)
	if err != nil {
		return err
	}
	return c.JSON(web.Paged(list, p.Limit, func(x Opportunity) uuid.UUID { return x.ID }, opportunityOut))
}

func (h *Handler) createOpportunity(c *fiber.Ctx) error {
	in, err := decodeWith(c, DecodeOpportunity)
	if err != nil {
		return err
	}
	o, err := h.svc.CreateOpportunity(c.UserContext(), h.oppScope(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(opportunityOut(o))
}

func (h *Handler) getOpportunity(c *fiber.Ctx) error {
	id, err := idParam(c, "opportunity")
	if err != nil {
		return err
	}
	sc := h.oppScope(c)
	o, err := h.svc.GetOpportunity(c.UserContext(), sc, id)
	if err != nil {
		return err
	}
	hist, err := h.svc.StageHistory(c.UserContext(), sc, id)
	if err != nil {
		return err
	}
	out := opportunityOut(o)
	out.StageHistory = make([]stageChangeJSON, len(hist))
	for i, x := range hist {
		out.StageHistory[i] = stageChangeJSON(x)
	}
	return c.JSON(out)
}

func (h *Handler) updateOpportunity(c *fiber.Ctx) error {
	id, err := idParam(c, "opportunity")
	if err != nil {
		return err
	}
	in, err := decodeWith(c, DecodeOpportunity)
	if err != nil {
		return err
	}
	o, err := h.svc.UpdateOpportunity(c.UserContext(), h.oppScope(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(opportunityOut(o))
}

func (h *Handler) deleteOpportunity(c *fiber.Ctx) error {
	id, err := idParam(c, "opportunity")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteOpportunity(c.UserContext(), h.oppScope(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Handler) winOpportunity(c *fiber.Ctx) error {
	id, err := idParam(c, "opportunity")
	if err != nil {
		return err
	}
	o, err := h.svc.Win(c.UserContext(), h.oppScope(c), id)
	if err != nil {
		return err
	}
	return c.JSON(opportunityOut(o))
}

func (h *Handler) loseOpportunity(c *fiber.Ctx) error {
	id, err := idParam(c, "opportunity")
	if err != nil {
		return err
	}
	in, err := decodeWith(c, func(b []byte) (loseIn, error) {
		var in loseIn
		return in, web.DecodeBytes(b, &in)
	})
	if err != nil {
		return err
	}
	reason := ""
	if in.LostReason != nil {
		reason = *in.LostReason
	}
	o, err := h.svc.Lose(c.UserContext(), h.oppScope(c), id, reason)
	if err != nil {
		return err
	}
	return c.JSON(opportunityOut(o))
}
