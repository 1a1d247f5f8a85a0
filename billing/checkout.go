package billing

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// Checkout starts a Stripe Checkout for planID and returns the page's URL.
// The tenant's Stripe customer is created once and stored; the quantity is
// the seats to bill (in use, or bought, at least one).
func (s *Service) Checkout(ctx context.Context, planID string) (string, error) {
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return "", errs.E(errs.Unauthenticated, "not logged in")
	}
	if !s.Configured() {
		return "", errNotConfigured
	}
	plan, ok := s.cat.Plan(planID)
	if !ok || planID == "trial" {
		return "", errs.Field("plan", "unknown plan")
	}
	if plan.StripePriceID == "" {
		return "", errs.Field("plan", "this plan cannot be bought online (no Stripe price configured)")
	}
	a, err := s.account(ctx, p.TenantID)
	if err != nil {
		return "", err
	}
	if a.StripeSubscriptionID != "" && a.BillingState != "canceled" {
		return "", errs.E(errs.Conflict, "the company already has a subscription: change plan, seats or payment method in the billing portal")
	}
	used, err := s.tenants.CountSeats(ctx)
	if err != nil {
		return "", err
	}
	customer, err := s.ensureCustomer(ctx, a)
	if err != nil {
		return "", err
	}
	qty := int64(max(used, a.SeatsMin, 1))
	in := CheckoutParams{TenantID: a.ID.String(), CustomerID: customer, PriceID: plan.StripePriceID, Quantity: qty,
		SuccessURL: s.pageURL("?checkout=success"), CancelURL: s.pageURL("?checkout=canceled")}
	var sess Session
	fp := fmt.Sprintf("%s|%s|%d", customer, plan.StripePriceID, qty)
	err = s.withKey(ctx, "checkout.create", fp, func(key string) error {
		var err error
		sess, err = s.gw.CreateCheckout(ctx, key, in)
		return err
	}, nil)
	return sess.URL, err
}

// Portal opens a Stripe billing portal session (card, invoices, plan
// changes, cancellation) and returns its URL.
func (s *Service) Portal(ctx context.Context) (string, error) {
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return "", errs.E(errs.Unauthenticated, "not logged in")
	}
	if !s.Configured() {
		return "", errNotConfigured
	}
	a, err := s.account(ctx, p.TenantID)
	if err != nil {
		return "", err
	}
	if a.StripeCustomerID == "" {
		return "", errs.E(errs.FailedPrecondition, "there is no billing account yet: subscribe to a plan first")
	}
	ret := s.pageURL("")
	var sess Session
	err = s.withKey(ctx, "portal.create", a.StripeCustomerID+"|"+ret, func(key string) error {
		var err error
		sess, err = s.gw.CreatePortal(ctx, key, a.StripeCustomerID, ret)
		return err
	}, nil)
	return sess.URL, err
}

// ensureCustomer returns the tenant's Stripe customer, creating it once.
// The fingerprint holds every parameter sent, so a retry after a crash
// sends the same request under the same key and Stripe answers with the
// customer it already made.
func (s *Service) ensureCustomer(ctx context.Context, a *accountRow) (string, error) {
	if a.StripeCustomerID != "" {
		return a.StripeCustomerID, nil
	}
	var id string
	err := s.withKey(ctx, "customer.create", a.Name, func(key string) error {
		var err error
		id, err = s.gw.CreateCustomer(ctx, key, Customer{TenantID: a.ID.String(), Name: a.Name})
		return err
	}, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*accountRow)(nil)).Set("stripe_customer_id = ?", id).Set("updated_at = ?", now()).
			Where("t.id = ? AND t.stripe_customer_id IS NULL", a.ID).Exec(ctx)
		return err
	})
	if err != nil {
		return "", err
	}
	// A concurrent checkout may have stored its customer first: use the stored one.
	b, err := s.account(ctx, a.ID)
	if err != nil {
		return "", err
	}
	return b.StripeCustomerID, nil
}

func (s *Service) pageURL(query string) string { return s.opt.BaseURL + s.opt.ReturnPath + query }
