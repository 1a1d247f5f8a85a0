// Package billing is how Nexo charges its tenants: plans and their
// entitlements, the tenant's billing state, and (through Stripe) checkout,
// the billing portal and webhooks. Plans are configuration, not code: the
// embedded plans.json is the default and NEXO_BILLING_PLANS names a file
// that replaces it (with the Stripe price ids of the deployment).
package billing

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

//go:embed plans.json
var defaultPlans []byte

// Plan is one price point and what it entitles a tenant to.
type Plan struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	PriceMinor       int64    `json:"price_minor"` // per seat-less month, in minor units
	Currency         string   `json:"currency"`
	Interval         string   `json:"interval"`
	StripePriceID    string   `json:"stripe_price_id"`
	Seats            int      `json:"seats"`
	PortalCustomers  int      `json:"portal_customers"`
	APIRatePerMinute int      `json:"api_rate_per_minute"`
	Modules          []string `json:"modules"`
}

// HasModule reports whether the plan includes module m.
func (p Plan) HasModule(m string) bool {
	for _, x := range p.Modules {
		if x == m {
			return true
		}
	}
	return false
}

// Catalog is the configured set of plans.
type Catalog struct {
	TrialPlan string `json:"trial_plan"` // what a trialing tenant gets
	Plans     []Plan `json:"plans"`
}

var planIDRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,30}$`)

// LoadCatalog reads plans from path, or the embedded defaults when path is "".
func LoadCatalog(path string) (*Catalog, error) {
	raw := defaultPlans
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("NEXO_BILLING_PLANS: %w", err)
		}
		raw = b
	}
	var c Catalog
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	return &c, c.validate()
}

func (c *Catalog) validate() error {
	seen, prices := map[string]bool{}, map[string]bool{}
	for _, p := range c.Plans {
		switch {
		case !planIDRE.MatchString(p.ID) || p.ID == "trial":
			return fmt.Errorf("plans: bad plan id %q", p.ID)
		case seen[p.ID]:
			return fmt.Errorf("plans: plan %q twice", p.ID)
		case p.Seats < 1 || p.PriceMinor < 0 || len(p.Currency) != 3:
			return fmt.Errorf("plans: plan %q needs seats ≥ 1, a price ≥ 0 and an ISO currency", p.ID)
		}
		seen[p.ID] = true
		if p.StripePriceID != "" {
			if prices[p.StripePriceID] {
				return fmt.Errorf("plans: stripe_price_id %q on two plans", p.StripePriceID)
			}
			prices[p.StripePriceID] = true
		}
	}
	if !seen[c.TrialPlan] {
		return fmt.Errorf("plans: trial_plan %q is not a plan", c.TrialPlan)
	}
	return nil
}

// Plan returns the plan with id; "trial" resolves to the trial plan.
func (c *Catalog) Plan(id string) (Plan, bool) {
	if id == "trial" {
		id = c.TrialPlan
	}
	for _, p := range c.Plans {
		if p.ID == id {
			return p, true
		}
	}
	return Plan{}, false
}

// PlanByPrice maps a Stripe price id back to its plan (webhooks).
func (c *Catalog) PlanByPrice(priceID string) (Plan, bool) {
	for _, p := range c.Plans {
		if priceID != "" && p.StripePriceID == priceID {
			return p, true
		}
	}
	return Plan{}, false
}
