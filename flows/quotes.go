package flows

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/modules/crm"
	"nexo/modules/manufacturing"
	"nexo/modules/quotes"
	"nexo/modules/sales"
	"nexo/tenant"
)

// QuoteFlow is F1/F5's first half: a customer's yes to a quote becomes a
// confirmed sales order in one transaction. Accepting a sent quote
//
//  1. creates the sales order from the quote's lines at the quoted prices,
//     linked to the quote and its opportunity;
//  2. confirms it: what is in stock is reserved, the rest becomes each
//     line's shortfall, and an order over the customer's available credit
//     waits in credit hold for finance instead (F4);
//  3. plans the production orders for that order's production shortfall
//     (not for other orders');
//  4. marks the quote accepted and wins its opportunity if still open.
//
// Any step refused rolls every step back: no order without an accepted
// quote, no accepted quote without its order.
type QuoteFlow struct {
	db         *tenant.DB
	quotes     *quotes.Service
	sales      *sales.Service
	production *manufacturing.Service
	crm        *crm.Service
}

// NewQuoteFlow wires the flow.
func NewQuoteFlow(d *tenant.DB, q *quotes.Service, s *sales.Service, p *manufacturing.Service, c *crm.Service) *QuoteFlow {
	return &QuoteFlow{db: d, quotes: q, sales: s, production: p, crm: c}
}

// AcceptQuote implements quotes.Acceptor.
func (f *QuoteFlow) AcceptQuote(ctx context.Context, sc quotes.Scope, id uuid.UUID) (quotes.Accepted, error) {
	var out quotes.Accepted
	err := f.db.Run(ctx, func(ctx context.Context, _ bun.IDB) error {
		out = quotes.Accepted{}
		q, err := f.quotes.Accept(ctx, sc, id, func(ctx context.Context, q quotes.Quote) (uuid.UUID, error) {
			return f.order(ctx, q, &out)
		})
		out.Quote = q
		return err
	})
	return out, err
}

// order runs steps 1–3 and the opportunity's win inside the acceptance.
func (f *QuoteFlow) order(ctx context.Context, q quotes.Quote, out *quotes.Accepted) (uuid.UUID, error) {
	var opp *crm.Opportunity
	if q.OpportunityID != nil {
		o, err := f.crm.GetOpportunity(ctx, crm.Scope{All: true}, *q.OpportunityID)
		if err != nil {
			return uuid.Nil, err
		}
		if o.Status == crm.StatusLost {
			return uuid.Nil, errs.E(errs.Conflict, "the quote's opportunity is lost; reopen the deal with a new opportunity")
		}
		opp = &o
	}
	lines := make([]sales.NewLine, len(q.Lines))
	for i, l := range q.Lines {
		price, disc := l.UnitPriceMinor, l.DiscountBP
		lines[i] = sales.NewLine{ProductID: l.ProductID, Quantity: l.Quantity, UnitPriceMinor: &price, DiscountBP: &disc}
	}
	o, err := f.sales.Create(ctx, sales.NewOrder{AccountID: q.AccountID, Currency: q.Currency, Lines: lines,
		Notes: fmt.Sprintf("From quote %s revision %d", q.Number, q.Revision), QuoteID: &q.ID, OpportunityID: q.OpportunityID})
	if err != nil {
		return uuid.Nil, quoteRefused(err)
	}
	if o, err = f.sales.Confirm(ctx, o.ID); err != nil {
		return uuid.Nil, quoteRefused(err)
	}
	out.OrderID, out.OrderNumber, out.OrderStatus = o.ID, o.Number, string(o.Status)
	if err := f.plan(ctx, o, out); err != nil {
		return uuid.Nil, err
	}
	if opp != nil && opp.Status == crm.StatusOpen {
		if _, err := f.crm.Win(ctx, crm.Scope{All: true}, opp.ID); err != nil {
			return uuid.Nil, err
		}
	}
	return o.ID, nil
}

// plan makes the production orders for o's production shortfall. An order
// held for credit is not planned yet (nothing is reserved either; the
// planner plans it once finance approves), nor is one whose tenant has
// several warehouses (the planner chooses where to make it).
func (f *QuoteFlow) plan(ctx context.Context, o sales.Order, out *quotes.Accepted) error {
	short := false
	for _, l := range o.Lines {
		short = short || (l.ShortfallAction == sales.ShortfallProduction && l.ShortfallQty > 0)
	}
	switch {
	case !short:
		return nil
	case o.Status == sales.StatusCreditHold:
		out.PlanNote = "the order waits for credit approval; production is planned once it is approved"
		return nil
	}
	p, err := f.production.PlanForOrder(ctx, o.ID, nil)
	var e *errs.Error
	if errs.Is(err, errs.Invalid) && errors.As(err, &e) && e.Fields["warehouse_id"] != "" {
		out.PlanNote = "several warehouses: the planner plans production for this order"
		return nil
	}
	if err != nil {
		return err
	}
	for _, c := range p.Created {
		out.Production = append(out.Production, c.Number)
	}
	for _, s := range p.Skipped {
		out.PlanNote = "production could not be planned: " + s.Reason
	}
	return nil
}

// quoteRefused turns the order's field errors (which name order fields)
// into a conflict on the quote: the caller sent no fields, so the quote as
// it stands cannot become an order (a product made inactive since it was
// sent, say) and must be revised.
func quoteRefused(err error) error {
	var e *errs.Error
	if errs.Is(err, errs.Invalid) && errors.As(err, &e) {
		return errs.E(errs.Conflict, "the quote cannot become an order as it stands (%s); revise it", e.Message)
	}
	return err
}
