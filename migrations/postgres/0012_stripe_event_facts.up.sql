-- Billing state from the events themselves (issue 7). Each recorded Stripe
-- event keeps what billing took from its object (the subscription snapshot,
-- or which invoice failed) as JSON, and the tenant's billing columns are
-- recomputed from the set of its recorded events, ordered by the event's
-- created time and a fixed tie-break: a redelivered or late event changes
-- nothing a re-read would not have. NULL for events recorded before this
-- migration and for events billing does not use.
ALTER TABLE stripe_events ADD COLUMN facts text;
