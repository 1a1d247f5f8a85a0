package crm

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// CreateOpportunity opens an opportunity for an account of the tenant, in
// the given pipeline (the default one otherwise) at the given open stage
// (the first otherwise), owned by the caller unless told. Without Scope.All
// the caller can only make themselves the owner.
func (s *Service) CreateOpportunity(ctx context.Context, sc Scope, in OpportunityInput) (Opportunity, error) {
	if err := in.check(true); err != nil {
		return Opportunity{}, err
	}
	t := now()
	o := Opportunity{ID: newID(), Name: *in.Name, AccountID: *in.AccountID, Status: StatusOpen, CreatedAt: t, UpdatedAt: t}
	owner, err := ownerFor(ctx, sc, in.OwnerUserID)
	if err != nil {
		return Opportunity{}, err
	}
	o.OwnerUserID = owner
	err = s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		acc, err := getAccount(ctx, tx, o.AccountID, false)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Field("account_id", "no such account")
			}
			return err
		}
		o.Currency = acc.Currency
		set(&o.Currency, in.Currency)
		if err := s.place(ctx, tx, &o, in); err != nil {
			return err
		}
		if err := s.fill(ctx, tx, &o, in, true); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(opportunityRowOf(&o)).Exec(ctx); err != nil {
			return err
		}
		if err := insertLines(ctx, tx, &o); err != nil {
			return err
		}
		st, _ := pipelineStage(ctx, tx, o.PipelineID, o.StageID)
		if err := recordStage(ctx, tx, o.ID, nil, st); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "opportunity.created", Resource: "opportunities",
			ResourceID: o.ID.String(), After: o})
	})
	if err != nil {
		return Opportunity{}, err
	}
	return s.GetOpportunity(ctx, sc, o.ID)
}

// GetOpportunity returns one opportunity the caller may see, with its lines.
func (s *Service) GetOpportunity(ctx context.Context, sc Scope, id uuid.UUID) (Opportunity, error) {
	var o Opportunity
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getOpportunity(ctx, tx, sc, id, false)
		if err != nil {
			return err
		}
		list := []Opportunity{r.opportunity()}
		if err := decorate(ctx, tx, list); err != nil {
			return err
		}
		o = list[0]
		return nil
	})
	return o, err
}

// UpdateOpportunity changes an open opportunity's set fields. A stage
// change is recorded; won and lost stages are reached only by Win and Lose.
func (s *Service) UpdateOpportunity(ctx context.Context, sc Scope, id uuid.UUID, in OpportunityInput) (Opportunity, error) {
	if err := in.check(false); err != nil {
		return Opportunity{}, err
	}
	if in.OwnerUserID != nil {
		if _, err := ownerFor(ctx, sc, in.OwnerUserID); err != nil {
			return Opportunity{}, err
		}
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getOpportunity(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		before := r.opportunity()
		if err := before.closeCheck("change"); err != nil {
			return err
		}
		o := before
		set(&o.Name, in.Name)
		set(&o.OwnerUserID, in.OwnerUserID)
		set(&o.Currency, in.Currency)
		if in.PipelineID != nil || in.StageID != nil {
			if err := s.place(ctx, tx, &o, in); err != nil {
				return err
			}
		}
		if in.Lines == nil {
			if o.Lines, err = loadLines(ctx, tx, o.ID); err != nil {
				return err
			}
		}
		if err := s.fill(ctx, tx, &o, in, false); err != nil {
			return err
		}
		o.UpdatedAt = now()
		if _, err := tx.NewUpdate().Model(opportunityRowOf(&o)).Column(opportunityColumns...).Where("o.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if in.Lines != nil {
			if _, err := tx.NewDelete().Model((*lineRow)(nil)).Where("ol.opportunity_id = ?", id).Exec(ctx); err != nil {
				return err
			}
			if err := insertLines(ctx, tx, &o); err != nil {
				return err
			}
		}
		if o.StageID != before.StageID {
			if err := s.recordMove(ctx, tx, &before, &o); err != nil {
				return err
			}
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "opportunity.updated", Resource: "opportunities",
			ResourceID: id.String(), Before: before, After: o})
	})
	if err != nil {
		return Opportunity{}, err
	}
	return s.GetOpportunity(ctx, sc, id)
}

// Win closes an open opportunity as won: its pipeline's won stage, won_at
// now, and an opportunity.won event. Winning a won or lost one is a
// conflict and changes nothing. (No order is created here yet.)
func (s *Service) Win(ctx context.Context, sc Scope, id uuid.UUID) (Opportunity, error) {
	return s.close(ctx, sc, id, true, "")
}

// Lose closes an open opportunity as lost, with the reason (required).
func (s *Service) Lose(ctx context.Context, sc Scope, id uuid.UUID, reason string) (Opportunity, error) {
	if err := checkLostReason(&reason); err != nil {
		return Opportunity{}, err
	}
	return s.close(ctx, sc, id, false, reason)
}

func (s *Service) close(ctx context.Context, sc Scope, id uuid.UUID, won bool, reason string) (Opportunity, error) {
	action, topic := "be lost", TopicOpportunityLost
	if won {
		action, topic = "be won", TopicOpportunityWon
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getOpportunity(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		before := r.opportunity()
		if err := before.closeCheck(action); err != nil {
			return err
		}
		p, err := getPipeline(ctx, tx, before.PipelineID, false)
		if err != nil {
			return err
		}
		st := p.closing(won)
		o, t := before, now()
		o.StageID, o.Probability, o.ProbabilityManual, o.UpdatedAt = st.ID, st.Probability, false, t
		if won {
			o.Status, o.WonAt = StatusWon, &t
		} else {
			o.Status, o.LostAt, o.LostReason = StatusLost, &t, reason
		}
		if _, err := tx.NewUpdate().Model(opportunityRowOf(&o)).Column(opportunityColumns...).Where("o.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if err := s.recordMove(ctx, tx, &before, &o); err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "opportunity." + o.Status, Resource: "opportunities",
			ResourceID: id.String(), Before: before, After: o}); err != nil {
			return err
		}
		tid, _ := tenant.FromContext(ctx)
		return events.Publish(ctx, tx, tid, topic, map[string]any{"opportunity_id": o.ID, "name": o.Name,
			"account_id": o.AccountID, "owner_user_id": o.OwnerUserID, "amount_minor": o.AmountMinor,
			"currency": o.Currency, "lost_reason": o.LostReason})
	})
	if err != nil {
		return Opportunity{}, err
	}
	return s.GetOpportunity(ctx, sc, id)
}

// DeleteOpportunity removes an opportunity the caller may see, unless it
// is won (a won deal is history the order flows will refer to). Its
// activities stay on the account, detached from it.
func (s *Service) DeleteOpportunity(ctx context.Context, sc Scope, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getOpportunity(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		if r.Status == StatusWon {
			return errs.E(errs.Conflict, "a won opportunity cannot be deleted")
		}
		if _, err := tx.NewUpdate().Model((*activityRow)(nil)).Set("opportunity_id = NULL").
			Where("av.opportunity_id = ?", id).Exec(ctx); err != nil {
			return err
		}
		for _, m := range []any{(*lineRow)(nil), (*historyRow)(nil)} {
			if _, err := tx.NewDelete().Model(m).Where("opportunity_id = ?", id).Exec(ctx); err != nil {
				return err
			}
		}
		if _, err := tx.NewDelete().Model((*opportunityRow)(nil)).Where("o.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "opportunity.deleted", Resource: "opportunities",
			ResourceID: id.String(), Before: r.opportunity()})
	})
}

// FindOpportunities lists the opportunities the caller may see matching f,
// newest first, with their lines.
func (s *Service) FindOpportunities(ctx context.Context, sc Scope, f OpportunityFilter) ([]Opportunity, error) {
	switch f.Status {
	case "", StatusOpen, StatusWon, StatusLost:
	default:
		return nil, errs.Field("status", "must be open, won or lost")
	}
	if utf8.RuneCountInString(f.Q) > 100 {
		return nil, errs.Field("q", "is too long")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var out []Opportunity
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var rows []opportunityRow
		if err := findOpportunities(ctx, tx, sc, f, &rows).Scan(ctx); err != nil {
			return err
		}
		out = make([]Opportunity, len(rows))
		for i := range rows {
			out[i] = rows[i].opportunity()
		}
		return decorate(ctx, tx, out)
	})
	return out, err
}

// StageHistory lists an opportunity's stage changes, oldest first.
func (s *Service) StageHistory(ctx context.Context, sc Scope, id uuid.UUID) ([]StageChange, error) {
	var out []StageChange
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := getOpportunity(ctx, tx, sc, id, false); err != nil {
			return err
		}
		var rows []historyRow
		if err := tx.NewSelect().Model(&rows).Where("oh.opportunity_id = ?", id).OrderExpr("oh.id").Scan(ctx); err != nil {
			return err
		}
		out = make([]StageChange, len(rows))
		for i, r := range rows {
			out[i] = StageChange{FromStageID: r.FromStageID, FromStageName: r.FromStageName, ToStageID: r.ToStageID,
				ToStageName: r.ToStageName, ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt.UTC()}
		}
		return nil
	})
	return out, err
}

// ownerFor is the owner a caller may give an opportunity: themselves by
// default; someone else only with Scope.All (a rep handing a deal away
// would lose sight of it). API keys must name the owner.
func ownerFor(ctx context.Context, sc Scope, want *uuid.UUID) (uuid.UUID, error) {
	p, _ := tenant.PrincipalFrom(ctx)
	if want == nil || *want == uuid.Nil {
		if p.Kind != tenant.KindUser {
			return uuid.Nil, errs.Field("owner_user_id", "is required when an API key creates an opportunity")
		}
		return p.ID, nil
	}
	if !sc.All && (p.Kind != tenant.KindUser || *want != p.ID) {
		return uuid.Nil, errs.Field("owner_user_id", "only a user who sees every opportunity can assign them to others")
	}
	return *want, nil
}

// place puts o in the pipeline and stage in names (or the defaults),
// refusing won and lost stages and following the stage's probability.
func (s *Service) place(ctx context.Context, tx bun.IDB, o *Opportunity, in OpportunityInput) error {
	pid := o.PipelineID
	switch {
	case in.PipelineID != nil:
		pid = *in.PipelineID
	case pid == uuid.Nil:
		var err error
		if pid, err = ensureDefault(ctx, tx); err != nil {
			return err
		}
	}
	p, err := getPipeline(ctx, tx, pid, false)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return errs.Field("pipeline_id", "no such pipeline")
		}
		return err
	}
	st := p.firstOpen()
	switch {
	case in.StageID != nil:
		var ok bool
		if st, ok = p.stage(*in.StageID); !ok {
			return errs.Field("stage_id", "is not a stage of the opportunity's pipeline")
		}
		if !st.Open() {
			return errs.Field("stage_id", "won and lost stages are reached by winning or losing the opportunity")
		}
	case pid == o.PipelineID:
		st, _ = p.stage(o.StageID)
	}
	o.PipelineID, o.StageID = p.ID, st.ID
	if !o.ProbabilityManual {
		o.Probability = st.Probability
	}
	return nil
}

// fill applies the remaining fields of in to o and checks its references:
// owner, contact, probability, expected close, lines and the amount.
func (s *Service) fill(ctx context.Context, tx bun.IDB, o *Opportunity, in OpportunityInput, creating bool) error {
	if in.OwnerUserID != nil || creating {
		ok, err := userExists(ctx, tx, o.OwnerUserID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Field("owner_user_id", "no such user")
		}
	}
	if in.ContactID != nil {
		o.ContactID = nil
		if *in.ContactID != uuid.Nil {
			c, err := getContact(ctx, tx, *in.ContactID, false)
			if errs.Is(err, errs.NotFound) || (err == nil && c.AccountID != o.AccountID) {
				return errs.Field("contact_id", "is not a contact of the opportunity's account")
			}
			if err != nil {
				return err
			}
			o.ContactID = in.ContactID
		}
	}
	switch {
	case in.Probability != nil:
		o.Probability, o.ProbabilityManual = *in.Probability, true
	case in.ClearProbability:
		st, err := pipelineStage(ctx, tx, o.PipelineID, o.StageID)
		if err != nil {
			return err
		}
		o.Probability, o.ProbabilityManual = st.Probability, false
	}
	if in.ExpectedClose != nil {
		d := in.ExpectedClose.UTC().Truncate(24 * 3600e9)
		o.ExpectedClose = &d
	} else if in.ClearExpectedClose {
		o.ExpectedClose = nil
	}
	if in.Lines != nil {
		lines, err := s.resolveLines(ctx, o.Currency, *in.Lines)
		if err != nil {
			return err
		}
		o.Lines = lines
	} else if in.Currency != nil && len(o.Lines) > 0 {
		if err := s.sameCurrency(ctx, o.Currency, o.Lines); err != nil {
			return err
		}
	}
	if len(o.Lines) > 0 {
		sum, ok := sumLines(o.Lines)
		if !ok {
			return errs.Field("lines", "the total is too large")
		}
		o.AmountMinor = sum
	} else if in.AmountMinor != nil {
		o.AmountMinor = *in.AmountMinor
	}
	if len(o.Lines) > 0 && in.AmountMinor != nil && *in.AmountMinor != o.AmountMinor {
		return errs.Field("amount_minor", "is the sum of the lines when there are lines")
	}
	return nil
}

// resolveLines prices the lines from the catalog: the product must be an
// active product of the tenant in the opportunity's currency.
func (s *Service) resolveLines(ctx context.Context, currency string, in []LineInput) ([]OpportunityLine, error) {
	out := make([]OpportunityLine, len(in))
	for i, l := range in {
		at := fmt.Sprintf("lines[%d]", i)
		p, err := s.products.Product(ctx, l.ProductID)
		switch {
		case errs.Is(err, errs.NotFound):
			return nil, errs.Field(at+".product_id", "no such product")
		case err != nil:
			return nil, err
		case !p.Active:
			return nil, errs.Field(at+".product_id", "the product is inactive")
		case p.Currency != currency:
			return nil, errs.Field(at+".product_id", "the product is priced in "+p.Currency+", the opportunity in "+currency)
		}
		price := p.ListPriceMinor
		set(&price, l.UnitPriceMinor)
		amount, ok := LineAmount(l.Quantity, price, l.DiscountBP)
		if !ok {
			return nil, errs.Field(at+".quantity", "the line's amount is too large")
		}
		out[i] = OpportunityLine{ID: newID(), ProductID: p.ID, SKU: p.SKU, ProductName: p.Name, Quantity: l.Quantity,
			UnitPriceMinor: price, DiscountBP: l.DiscountBP, AmountMinor: amount}
	}
	return out, nil
}

// sameCurrency refuses a currency change that the existing lines are not in.
func (s *Service) sameCurrency(ctx context.Context, currency string, lines []OpportunityLine) error {
	for _, l := range lines {
		p, err := s.products.Product(ctx, l.ProductID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if err != nil || p.Currency != currency {
			return errs.Field("currency", "the lines are priced in another currency; replace the lines too")
		}
	}
	return nil
}

// recordMove writes the stage change from before to after.
func (s *Service) recordMove(ctx context.Context, tx bun.IDB, before, after *Opportunity) error {
	from, err := pipelineStage(ctx, tx, before.PipelineID, before.StageID)
	if err != nil {
		return err
	}
	to, err := pipelineStage(ctx, tx, after.PipelineID, after.StageID)
	if err != nil {
		return err
	}
	return recordStage(ctx, tx, after.ID, &from, to)
}
