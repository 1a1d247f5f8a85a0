-- Billing with Stripe (issue 7). The tenant row mirrors its Stripe
-- subscription, so the read-only check is one primary-key read.
ALTER TABLE tenants ADD COLUMN stripe_customer_id text;
ALTER TABLE tenants ADD COLUMN stripe_subscription_id text NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN current_period_end timestamptz;
ALTER TABLE tenants ADD COLUMN past_due_since timestamptz;
ALTER TABLE tenants ADD COLUMN cancel_at_period_end boolean NOT NULL DEFAULT false;
ALTER TABLE tenants ADD COLUMN seats_quantity integer NOT NULL DEFAULT 0 CHECK (seats_quantity >= 0);
ALTER TABLE tenants ADD COLUMN seats_min integer NOT NULL DEFAULT 0 CHECK (seats_min >= 0);
-- Webhooks find their tenant by Stripe customer; one customer, one tenant.
CREATE UNIQUE INDEX tenants_stripe_customer ON tenants (stripe_customer_id) WHERE stripe_customer_id IS NOT NULL;

-- Platform table (no RLS, listed in the catalog test): every Stripe event
-- is recorded by its id in the transaction that applies it, before its
-- tenant is known, so a redelivery does nothing.
CREATE TABLE stripe_events (
    id            text PRIMARY KEY,
    type          text NOT NULL,
    tenant_id     uuid REFERENCES tenants (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    processed_at  timestamptz NOT NULL
);
CREATE INDEX stripe_events_tenant ON stripe_events (tenant_id);

-- Idempotency keys of outgoing Stripe calls, saved before the call (S3):
-- a row left behind by a crash is reused by the retry.
CREATE TABLE stripe_requests (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid PRIMARY KEY,
    op               text NOT NULL,
    fingerprint      text NOT NULL,
    idempotency_key  text NOT NULL,
    created_at       timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, op, fingerprint)
);

ALTER TABLE stripe_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stripe_requests
    USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant());
