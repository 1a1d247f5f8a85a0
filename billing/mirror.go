package billing

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// facts is what billing takes from one event's object, stored as JSON with
// the event in stripe_events. The tenant's billing columns are a function
// of the set of its recorded facts (see fold), never of the order in which
// the events arrived, so a late or repeated delivery cannot regress them.
type facts struct {
	Subscription string `json:"subscription"`
	Customer     string `json:"customer"`
	// Snapshot is the subscription as the event carries it
	// (customer.subscription.*): Stripe's state at the event's time.
	Snapshot *Subscription `json:"snapshot,omitempty"`
	// Failed marks a failed charge of one of the subscription's invoices
	// (invoice.payment_failed, invoice.payment_action_required).
	Failed bool `json:"failed,omitempty"`
}

// recorded is one event of the tenant as fold reads it back.
type recorded struct {
	id  string
	at  time.Time // the event's created (Stripe's clock, whole seconds)
	fct facts
}

// before is the total order events are applied in: Stripe's created time
// first. It has one-second resolution and events of one change share it
// (invoice.payment_failed and the subscription's update to past_due), so
// ties are broken by where the snapshot is in a subscription's life
// (rank), then by its current period end (it only moves forward, at
// renewals), then by event id. The last two are arbitrary but fixed, so
// two contradictory changes within one second still end in the same state
// whatever the delivery order, and the next event corrects it.
func before(a, b recorded) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	if ra, rb := a.fct.rank(), b.fct.rank(); ra != rb {
		return ra < rb
	}
	if pa, pb := a.fct.periodEnd(), b.fct.periodEnd(); !pa.Equal(pb) {
		return pa.Before(pb)
	}
	return a.id < b.id
}

// rank orders one second's events along a subscription's life: unstarted,
// trialing, in trouble (past due, unpaid, paused, a failed charge), active,
// ended. Active ranks above past due: in a tie between a failure and a
// recovery the tenant keeps writing, rather than being locked out on a
// coin toss.
func (f facts) rank() int {
	if f.Snapshot == nil {
		return 2 // a failed charge sorts with the past_due update it causes
	}
	switch f.Snapshot.Status {
	case "incomplete":
		return 0
	case "trialing":
		return 1
	case "active":
		return 3
	case "canceled", "incomplete_expired":
		return 4
	}
	return 2
}

func (f facts) periodEnd() time.Time {
	if f.Snapshot == nil {
		return time.Time{}
	}
	return f.Snapshot.CurrentPeriodEnd
}

// fold recomputes the tenant's billing columns from its recorded events,
// inside the webhook's transaction and with the tenant row locked, so
// concurrent webhooks of one tenant take turns and each sees the events
// committed before it (on PostgreSQL every statement of a READ COMMITTED
// transaction reads the latest commits, and the lock is taken before the
// events are read).
//
//   - Each subscription is what its latest event (in before's order) says.
//   - The tenant mirrors one of them: a started one (trialing, active, past
//     due, canceled) chosen by prefer; none yet leaves the tenant as it is.
//   - Past due since: the first event of the chosen subscription's current
//     run of trouble (a failed charge or a past-due snapshot not followed
//     by a healthy one), so a webhook retried days later or a later retry
//     of the same invoice does not restart the grace period.
//
// Only events of the tenant's own Stripe customer count (SECURITY: another
// customer's subscription never lands on this tenant).
func (s *Service) fold(ctx context.Context, tx bun.IDB, tid uuid.UUID, customerID string) error {
	a, err := loadAccount(ctx, tx, tid, true)
	if err != nil {
		return err
	}
	if a.StripeCustomerID == "" {
		a.StripeCustomerID = customerID // found through our metadata
	}
	var rows []eventRow
	if err := tx.NewSelect().Model(&rows).Column("id", "created_at", "facts").
		Where("se.tenant_id = ?", tid).Where("se.facts IS NOT NULL").Scan(ctx); err != nil {
		return err
	}
	evs := make([]recorded, 0, len(rows))
	for _, r := range rows {
		var f facts
		if err := json.Unmarshal([]byte(*r.Facts), &f); err != nil {
			return err
		}
		if f.Customer == "" || f.Customer != a.StripeCustomerID {
			continue // SECURITY: not this tenant's customer
		}
		if f.Snapshot != nil && f.Snapshot.CustomerID != a.StripeCustomerID {
			continue
		}
		evs = append(evs, recorded{id: r.ID, at: r.CreatedAt, fct: f})
	}
	sort.Slice(evs, func(i, j int) bool { return before(evs[i], evs[j]) })

	latest := map[string]Subscription{}
	for _, e := range evs {
		if e.fct.Snapshot != nil {
			latest[e.fct.Subscription] = *e.fct.Snapshot
		}
	}
	var chosen *Subscription
	for _, sub := range latest {
		if _, ok := stateOf(sub.Status); ok {
			chosen = prefer(chosen, &sub)
		}
	}
	if chosen != nil {
		s.mirror(ctx, a, *chosen)
		a.PastDueSince = nil
		if a.BillingState == "past_due" {
			a.PastDueSince = troubleSince(evs, chosen.ID)
		}
	}
	a.UpdatedAt = now()
	_, err = tx.NewUpdate().Model(a).Column(mirrorColumns...).WherePK().Exec(ctx)
	return err
}

// troubleSince is when the subscription's current run of trouble began:
// walking its events in order, a failed charge or a past-due snapshot
// starts a run, any other snapshot ends it (a paid invoice does not: one
// of several open invoices may be paid while others still fail).
func troubleSince(evs []recorded, subID string) *time.Time {
	var since *time.Time
	for _, e := range evs {
		if e.fct.Subscription != subID {
			continue
		}
		trouble := e.fct.Failed
		if e.fct.Snapshot != nil {
			state, ok := stateOf(e.fct.Snapshot.Status)
			trouble = ok && state == "past_due"
		} else if !trouble {
			continue // a paid invoice: the subscription's update says whether it is healthy again
		}
		switch {
		case !trouble:
			since = nil
		case since == nil:
			since = timePtr(e.at)
		}
	}
	return since
}

// prefer picks the subscription a tenant with two of them mirrors: a live
// one over an unstarted one over an ended one, then the newer, then by id.
// It is a total order on subscription snapshots, so the choice does not
// depend on which event came first.
func prefer(a, b *Subscription) *Subscription {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case liveness(a.Status) != liveness(b.Status):
		if liveness(a.Status) > liveness(b.Status) {
			return a
		}
		return b
	case !a.Created.Equal(b.Created):
		if a.Created.After(b.Created) {
			return a
		}
		return b
	case a.ID > b.ID:
		return a
	}
	return b
}

func liveness(status string) int {
	switch status {
	case "canceled", "incomplete_expired":
		return 0
	case "incomplete":
		return 1
	}
	return 2
}

// stateOf maps Stripe's subscription status to the tenant's billing state;
// false for a subscription that never started (its first payment pending
// or abandoned), which the tenant does not mirror.
func stateOf(status string) (string, bool) {
	switch status {
	case "trialing", "active", "canceled":
		return status, true
	case "past_due", "unpaid", "paused":
		// unpaid: Stripe gave up retrying; paused: a trial ended without a
		// card. Both keep the invoice open: grace, then read-only.
		return "past_due", true
	}
	return "", false
}

// mirror copies a subscription snapshot onto the tenant row (all but
// past_due_since, which fold derives from the run of events).
func (s *Service) mirror(ctx context.Context, a *accountRow, sub Subscription) {
	state, ok := stateOf(sub.Status)
	if !ok {
		return
	}
	a.StripeSubscriptionID = sub.ID
	a.BillingState = state
	if p, ok := s.cat.PlanByPrice(sub.PriceID); ok {
		a.Plan = p.ID
	} else if sub.PriceID != "" {
		s.log.WarnContext(ctx, "stripe price is not in the plan catalog; plan unchanged",
			"tenant_id", a.ID, "price", sub.PriceID)
	}
	a.CurrentPeriodEnd = timePtr(sub.CurrentPeriodEnd)
	a.CancelAtPeriodEnd = sub.CancelAtPeriodEnd
	a.SeatsQuantity = int(sub.Quantity)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
