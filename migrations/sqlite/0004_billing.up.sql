-- Billing with Stripe (SQLite twin of postgres/0003_billing).
ALTER TABLE tenants ADD COLUMN stripe_customer_id TEXT;
ALTER TABLE tenants ADD COLUMN stripe_subscription_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN current_period_end TIMESTAMP;
ALTER TABLE tenants ADD COLUMN past_due_since TIMESTAMP;
ALTER TABLE tenants ADD COLUMN cancel_at_period_end BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE tenants ADD COLUMN seats_quantity INTEGER NOT NULL DEFAULT 0 CHECK (seats_quantity >= 0);
ALTER TABLE tenants ADD COLUMN seats_min INTEGER NOT NULL DEFAULT 0 CHECK (seats_min >= 0);
CREATE UNIQUE INDEX tenants_stripe_customer ON tenants (stripe_customer_id) WHERE stripe_customer_id IS NOT NULL;

CREATE TABLE stripe_events (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    tenant_id     TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    created_at    TIMESTAMP NOT NULL,
    processed_at  TIMESTAMP NOT NULL
);
CREATE INDEX stripe_events_tenant ON stripe_events (tenant_id);

CREATE TABLE stripe_requests (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT PRIMARY KEY,
    op               TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, op, fingerprint)
);
