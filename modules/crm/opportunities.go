package crm

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// Opportunity statuses: open while it moves through the open stages; won
// and lost are final and reached only through Win and Lose.
const (
	StatusOpen = "open"
	StatusWon  = "won"
	StatusLost = "lost"
)

// Outbox topics of closed opportunities. Winning creates no order yet: the
// flows that turn a won opportunity into an order subscribe to these.
const (
	TopicOpportunityWon  = "opportunity.won"
	TopicOpportunityLost = "opportunity.lost"
)

// ReadAllOpportunities lifts the record rule on opportunities (R3): without
// it a caller sees and changes only the opportunities they own.
const ReadAllOpportunities = "opportunities:read:all"

// Bounds on opportunities; amounts stay far inside int64 (M5).
const (
	MaxAmountMinor  = 999_999_999_999
	MaxLineQuantity = 1_000_000_000
	MaxLines        = 100
	MaxLostReason   = 500
)

// Opportunity is a possible sale to an account, moving through the stages
// of a pipeline (C3). AmountMinor is derived from the lines when it has
// lines; Probability is its stage's unless ProbabilityManual.
type Opportunity struct {
	ID                uuid.UUID
	Name              string
	AccountID         uuid.UUID
	AccountName       string
	ContactID         *uuid.UUID
	PipelineID        uuid.UUID
	StageID           uuid.UUID
	OwnerUserID       uuid.UUID
	OwnerName         string
	AmountMinor       int64
	Currency          string
	ExpectedClose     *time.Time // a date (UTC midnight)
	Probability       int
	ProbabilityManual bool
	Status            string
	LostReason        string
	WonAt, LostAt     *time.Time
	Lines             []OpportunityLine
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// OpportunityLine is a product the account may buy: quantity at a unit
// price less a discount in basis points. The product's SKU and name are
// kept as they were when the line was written.
type OpportunityLine struct {
	ID             uuid.UUID
	ProductID      uuid.UUID
	SKU            string
	ProductName    string
	Quantity       int64
	UnitPriceMinor int64
	DiscountBP     int
	AmountMinor    int64
}

// LineInput is a line being written; a nil UnitPriceMinor takes the
// product's list price.
type LineInput struct {
	ProductID      uuid.UUID
	Quantity       int64
	UnitPriceMinor *int64
	DiscountBP     int
}

// OpportunityInput creates an opportunity or, with nil fields left alone,
// changes one. ContactID at uuid.Nil detaches the contact;
// ClearExpectedClose clears the date; ClearProbability makes the
// probability follow the stage again. Lines, when set, replaces them all.
type OpportunityInput struct {
	Name               *string
	AccountID          *uuid.UUID
	ContactID          *uuid.UUID
	PipelineID         *uuid.UUID
	StageID            *uuid.UUID
	OwnerUserID        *uuid.UUID
	AmountMinor        *int64
	Currency           *string
	ExpectedClose      *time.Time
	ClearExpectedClose bool
	Probability        *int
	ClearProbability   bool
	Lines              *[]LineInput
}

// OpportunityFilter narrows the opportunity list, newest first. Q matches
// the name or the account's name.
type OpportunityFilter struct {
	PipelineID  *uuid.UUID
	StageID     *uuid.UUID
	AccountID   *uuid.UUID
	OwnerUserID *uuid.UUID
	Status      string
	Q           string
	After       *uuid.UUID
	Limit       int
}

// StageChange is one move of an opportunity between stages; From is empty
// for the stage it was created in.
type StageChange struct {
	FromStageID   *uuid.UUID
	FromStageName string
	ToStageID     uuid.UUID
	ToStageName   string
	ChangedBy     *uuid.UUID
	ChangedAt     time.Time
}

// Product is what an opportunity line needs of a catalog product.
type Product struct {
	ID             uuid.UUID
	SKU            string
	Name           string
	ListPriceMinor int64
	Currency       string
	Active         bool
}

// Products finds a product of the bound tenant (the catalog; cmd/nexo
// adapts it). A missing product is an errs.NotFound.
type Products interface {
	Product(ctx context.Context, id uuid.UUID) (Product, error)
}

func (in *OpportunityInput) check(creating bool) error {
	f := errs.Fields{}
	checkText(f, "name", in.Name, creating, 1, 200)
	if creating && in.AccountID == nil {
		f.Add("account_id", "is required")
	}
	if !creating && in.AccountID != nil {
		f.Add("account_id", "cannot change; create an opportunity for the other account")
	}
	if in.AmountMinor != nil && (*in.AmountMinor < 0 || *in.AmountMinor > MaxAmountMinor) {
		f.Add("amount_minor", "must be a whole number of minor units from 0 to 999999999999")
	}
	if in.Currency != nil && !currencyRE.MatchString(*in.Currency) {
		f.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	if in.ExpectedClose != nil && (in.ExpectedClose.Year() < 2000 || in.ExpectedClose.Year() > 2200) {
		f.Add("expected_close", "must be a date between 2000 and 2200")
	}
	if in.Probability != nil && (*in.Probability < 0 || *in.Probability > 100) {
		f.Add("probability", "must be a percentage from 0 to 100")
	}
	if in.Lines != nil {
		checkLines(f, *in.Lines)
		if len(*in.Lines) > 0 && in.AmountMinor != nil {
			f.Add("amount_minor", "is the sum of the lines when there are lines")
		}
	}
	return f.Err()
}

func checkLines(f errs.Fields, lines []LineInput) {
	if len(lines) > MaxLines {
		f.Add("lines", fmt.Sprintf("must have at most %d lines", MaxLines))
		return
	}
	for i, l := range lines {
		at := fmt.Sprintf("lines[%d]", i)
		if l.ProductID == uuid.Nil {
			f.Add(at+".product_id", "is required")
		}
		if l.Quantity < 1 || l.Quantity > MaxLineQuantity {
			f.Add(at+".quantity", "must be a whole number from 1 to 1000000000")
		}
		if l.UnitPriceMinor != nil && (*l.UnitPriceMinor < 0 || *l.UnitPriceMinor > MaxAmountMinor) {
			f.Add(at+".unit_price_minor", "must be a whole number of minor units from 0 to 999999999999")
		}
		if l.DiscountBP < 0 || l.DiscountBP > 10_000 {
			f.Add(at+".discount_bp", "must be basis points from 0 to 10000")
		}
	}
}

// LineAmount is quantity × unit price less the discount, rounded half up
// to the minor unit; ok is false past MaxAmountMinor.
func LineAmount(qty, unitPrice int64, discountBP int) (int64, bool) {
	if qty < 0 || unitPrice < 0 || discountBP < 0 || discountBP > 10_000 {
		return 0, false
	}
	if unitPrice != 0 && qty > MaxAmountMinor/unitPrice {
		return 0, false
	}
	gross := qty * unitPrice // ≤ 1e12: the product below stays under 1e16
	return (gross*int64(10_000-discountBP) + 5_000) / 10_000, true
}

// sumLines totals the lines; ok is false past MaxAmountMinor.
func sumLines(lines []OpportunityLine) (int64, bool) {
	var sum int64
	for _, l := range lines {
		sum += l.AmountMinor // each ≤ 1e12, at most 100 lines
	}
	return sum, sum <= MaxAmountMinor
}

// checkLostReason trims and requires the reason an opportunity was lost.
func checkLostReason(reason *string) error {
	f := errs.Fields{}
	checkText(f, "lost_reason", reason, true, 1, MaxLostReason)
	return f.Err()
}

// closeCheck refuses to change a won or lost opportunity.
func (o *Opportunity) closeCheck(action string) error {
	switch o.Status {
	case StatusWon:
		return errs.E(errs.Conflict, "the opportunity is already won; it cannot %s", action)
	case StatusLost:
		return errs.E(errs.Conflict, "the opportunity is already lost; it cannot %s", action)
	}
	return nil
}
