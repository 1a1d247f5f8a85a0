// Package stripekit is what billing (the platform's own subscription) and
// connect (tenants' customers paying tenants' invoices) share about Stripe:
// one way to build the API client, one error translation, one webhook
// signature check. Each package keeps its own Gateway; only those two
// gateways import stripe-go's client.
package stripekit

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"

	"nexo/internal/errs"
)

// Config configures a Stripe API client.
type Config struct {
	SecretKey string
	// APIBase replaces https://api.stripe.com (stripe-mock in tests).
	APIBase string
	// Timeout bounds each HTTP attempt (default 10s): a webhook or request
	// must not hang on a slow provider.
	Timeout time.Duration
	// MaxRetries is how often stripe-go retries a failed network call
	// (default 2). Retries reuse the call's idempotency key.
	MaxRetries int64
}

// NewAPI builds the stripe-go client with explicit timeout and retries.
func NewAPI(cfg Config) *client.API {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 2
	}
	bc := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: cfg.Timeout},
		MaxNetworkRetries: stripe.Int64(cfg.MaxRetries),
		// stripe-go logs every error to stderr by default; our callers log.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(cfg.APIBase)
	}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
	return client.New(cfg.SecretKey, &stripe.Backends{API: backend, Connect: backend, Uploads: backend})
}

// Params are a call's common parameters: its context and, for a call that
// creates or changes something, the idempotency key saved before it (S3).
func Params(ctx context.Context, key string) stripe.Params {
	p := stripe.Params{Context: ctx}
	if key != "" {
		p.IdempotencyKey = stripe.String(key)
	}
	return p
}

// Translate turns a stripe-go error into our code set. A 4xx other than
// 409 (a concurrent request with the same key) and 429 is definite: Stripe
// refused and saved nothing worth replaying, so callers drop the key.
func Translate(err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return errs.Wrap(errs.Internal, err, "payment provider unavailable")
	}
	switch {
	case se.HTTPStatusCode == http.StatusNotFound:
		return errs.Wrap(errs.NotFound, err, "not found at the payment provider")
	case se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 &&
		se.HTTPStatusCode != http.StatusConflict && se.HTTPStatusCode != http.StatusTooManyRequests:
		return errs.Wrap(errs.FailedPrecondition, err, "the payment provider refused the request")
	}
	return errs.Wrap(errs.Internal, err, "payment provider unavailable")
}

// Definite reports whether a translated gateway error means the call
// certainly had no effect worth replaying, so its idempotency key may be
// dropped.
func Definite(err error) bool {
	return errs.Is(err, errs.FailedPrecondition) || errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid)
}

// Secrets splits a webhook secret setting: one signing secret, or two
// separated by a comma while Stripe rolls the secret.
func Secrets(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Verify checks a webhook's Stripe-Signature header against the raw body
// with each secret and stripe-go's default tolerance (five minutes): a bad
// signature, an altered body or a stale timestamp is an errs.Invalid (a
// 400), so the caller changes nothing (S1).
//
// The event's object is read by the callers for a few fields that are the
// same in the API versions around stripe-go's own, so an endpoint on
// another version is accepted rather than retried forever by Stripe.
func Verify(body []byte, header string, secrets []string) (stripe.Event, error) {
	opt := webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true}
	for _, secret := range secrets {
		ev, err := webhook.ConstructEventWithOptions(body, header, secret, opt)
		switch {
		case err == nil:
			return ev, nil
		case errors.Is(err, webhook.ErrTooOld):
			return ev, errs.E(errs.Invalid, "Stripe signature timestamp is too old")
		case errors.Is(err, webhook.ErrNoValidSignature):
			continue // maybe signed with the other secret
		default:
			return ev, errs.E(errs.Invalid, "invalid Stripe webhook: %s", "malformed signature header or body")
		}
	}
	return stripe.Event{}, errs.E(errs.Invalid, "invalid Stripe signature")
}
