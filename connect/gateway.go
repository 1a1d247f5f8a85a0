package connect

import (
	"context"
	"strings"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"nexo/internal/errs"
	"nexo/internal/stripekit"
)

// Gateway is what connect needs from Stripe on behalf of tenants: their
// connected accounts, onboarding links, and Checkout Sessions on those
// accounts. Every method that creates something takes the idempotency key
// the caller saved before the call (S3).
type Gateway interface {
	// Configured reports whether the gateway can reach Stripe.
	Configured() bool
	CreateAccount(ctx context.Context, key, tenantID string) (Account, error)
	GetAccount(ctx context.Context, id string) (Account, error)
	// CreateAccountLink returns the URL of Stripe's hosted onboarding.
	CreateAccountLink(ctx context.Context, key, accountID, refreshURL, returnURL string) (string, error)
	// CreateCheckout opens a payment-mode Checkout Session on the
	// connected account p.AccountID.
	CreateCheckout(ctx context.Context, key string, p CheckoutParams) (Session, error)
	// CreateRefund returns money of a PaymentIntent on the connected
	// account p.AccountID to the card that paid it.
	CreateRefund(ctx context.Context, key string, p RefundParams) (RefundResult, error)
}

// RefundParams describes the refund of part of a card payment.
type RefundParams struct {
	AccountID     string // the tenant's connected account: the payment lives there
	TenantID      string
	RefundID      string // Nexo's refund, in the metadata so webhooks find it
	PaymentIntent string
	AmountMinor   int64
}

// RefundResult is a Stripe Refund: its id and status (succeeded, pending,
// requires_action, failed or canceled).
type RefundResult struct {
	ID     string
	Status string
}

// Account is a connected account reduced to what decides whether its
// tenant can take payments.
type Account struct {
	ID               string
	ChargesEnabled   bool
	DetailsSubmitted bool
	PayoutsEnabled   bool
}

// CheckoutParams describes the payment of one invoice's open balance.
type CheckoutParams struct {
	AccountID   string // the tenant's connected account: the session lives there
	TenantID    string
	InvoiceID   string
	AttemptID   string
	Description string // the line customers see ("Invoice F-0001")
	AmountMinor int64
	Currency    string
	SuccessURL  string
	CancelURL   string
}

// Session is a Checkout Session.
type Session struct {
	ID  string
	URL string
}

// errNotConfigured is what every Stripe call answers without Stripe keys:
// a 4xx the client can act on, never a 500.
var errNotConfigured = errs.E(errs.FailedPrecondition,
	"online payments are not available on this server (no Stripe keys): customers see the bank details instead")

// Unconfigured is the gateway of a server without Stripe keys (embedded
// mode): connecting is not available, bank details still are.
type Unconfigured struct{}

// Configured implements Gateway.
func (Unconfigured) Configured() bool { return false }

// CreateAccount implements Gateway.
func (Unconfigured) CreateAccount(context.Context, string, string) (Account, error) {
	return Account{}, errNotConfigured
}

// GetAccount implements Gateway.
func (Unconfigured) GetAccount(context.Context, string) (Account, error) {
	return Account{}, errNotConfigured
}

// CreateAccountLink implements Gateway.
func (Unconfigured) CreateAccountLink(context.Context, string, string, string, string) (string, error) {
	return "", errNotConfigured
}

// CreateCheckout implements Gateway.
func (Unconfigured) CreateCheckout(context.Context, string, CheckoutParams) (Session, error) {
	return Session{}, errNotConfigured
}

// CreateRefund implements Gateway.
func (Unconfigured) CreateRefund(context.Context, string, RefundParams) (RefundResult, error) {
	return RefundResult{}, errNotConfigured
}

// NewGateway returns the Stripe gateway, or Unconfigured without a secret
// key.
func NewGateway(cfg stripekit.Config) Gateway {
	if cfg.SecretKey == "" {
		return Unconfigured{}
	}
	return &Stripe{api: stripekit.NewAPI(cfg)}
}

// Stripe is the Gateway over stripe-go, with the platform's secret key;
// calls on a tenant's account name it in the Stripe-Account header.
type Stripe struct{ api *client.API }

// Configured implements Gateway.
func (*Stripe) Configured() bool { return true }

// CreateAccount implements Gateway: a Standard account, which the tenant
// owns and manages in its own Stripe dashboard; the metadata names the
// tenant so a webhook can be cross-checked.
func (s *Stripe) CreateAccount(ctx context.Context, key, tenantID string) (Account, error) {
	p := &stripe.AccountParams{Params: stripekit.Params(ctx, key), Type: stripe.String(string(stripe.AccountTypeStandard))}
	p.AddMetadata("tenant_id", tenantID)
	a, err := s.api.Accounts.New(p)
	if err != nil {
		return Account{}, stripekit.Translate(err)
	}
	return accountOf(a), nil
}

// GetAccount implements Gateway.
func (s *Stripe) GetAccount(ctx context.Context, id string) (Account, error) {
	a, err := s.api.Accounts.GetByID(id, &stripe.AccountParams{Params: stripekit.Params(ctx, "")})
	if err != nil {
		return Account{}, stripekit.Translate(err)
	}
	return accountOf(a), nil
}

func accountOf(a *stripe.Account) Account {
	return Account{ID: a.ID, ChargesEnabled: a.ChargesEnabled, DetailsSubmitted: a.DetailsSubmitted, PayoutsEnabled: a.PayoutsEnabled}
}

// CreateAccountLink implements Gateway.
func (s *Stripe) CreateAccountLink(ctx context.Context, key, accountID, refreshURL, returnURL string) (string, error) {
	l, err := s.api.AccountLinks.New(&stripe.AccountLinkParams{Params: stripekit.Params(ctx, key),
		Account: stripe.String(accountID), Type: stripe.String(string(stripe.AccountLinkTypeAccountOnboarding)),
		RefreshURL: stripe.String(refreshURL), ReturnURL: stripe.String(returnURL)})
	if err != nil {
		return "", stripekit.Translate(err)
	}
	return l.URL, nil
}

// CreateCheckout implements Gateway. The metadata goes on the session and
// its PaymentIntent, so both name the tenant, invoice and attempt.
func (s *Stripe) CreateCheckout(ctx context.Context, key string, in CheckoutParams) (Session, error) {
	meta := map[string]string{"tenant_id": in.TenantID, "invoice_id": in.InvoiceID, "attempt_id": in.AttemptID}
	p := &stripe.CheckoutSessionParams{
		Params:            stripekit.Params(ctx, key),
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(in.AttemptID),
		SuccessURL:        stripe.String(in.SuccessURL),
		CancelURL:         stripe.String(in.CancelURL),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{Currency: stripe.String(strings.ToLower(in.Currency)),
				UnitAmount:  stripe.Int64(in.AmountMinor),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(in.Description)}}}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: meta},
	}
	p.Metadata = meta
	p.SetStripeAccount(in.AccountID)
	cs, err := s.api.CheckoutSessions.New(p)
	if err != nil {
		return Session{}, stripekit.Translate(err)
	}
	return Session{ID: cs.ID, URL: cs.URL}, nil
}

// CreateRefund implements Gateway. The metadata names the tenant and the
// refund, so the refund's webhooks can be cross-checked and found.
func (s *Stripe) CreateRefund(ctx context.Context, key string, in RefundParams) (RefundResult, error) {
	p := &stripe.RefundParams{Params: stripekit.Params(ctx, key), PaymentIntent: stripe.String(in.PaymentIntent),
		Amount: stripe.Int64(in.AmountMinor), Reason: stripe.String(string(stripe.RefundReasonRequestedByCustomer))}
	p.AddMetadata("tenant_id", in.TenantID)
	p.AddMetadata("refund_id", in.RefundID)
	p.SetStripeAccount(in.AccountID)
	r, err := s.api.Refunds.New(p)
	if err != nil {
		return RefundResult{}, stripekit.Translate(err)
	}
	return RefundResult{ID: r.ID, Status: string(r.Status)}, nil
}
