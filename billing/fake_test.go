package billing

import (
	"context"
	"maps"
	"sync"

	"nexo/internal/errs"
)

// fakeStripe is Stripe's subscription state held as billing's own domain
// type (no wire format): the webhook tests move it step by step and the
// handlers re-read it through the Gateway interface, as they would Stripe.
type fakeStripe struct {
	Unconfigured
	mu    sync.Mutex
	subs  map[string]Subscription
	reads int
}

func newFakeStripe() *fakeStripe { return &fakeStripe{subs: map[string]Subscription{}} }

func (f *fakeStripe) Configured() bool { return true }

// set replaces Stripe's state with a snapshot.
func (f *fakeStripe) set(subs map[string]Subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = maps.Clone(subs)
}

func (f *fakeStripe) Subscription(_ context.Context, id string) (Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	s, ok := f.subs[id]
	if !ok {
		return Subscription{}, errs.E(errs.NotFound, "no such subscription")
	}
	return s, nil
}
