-- Online payment of invoices through Stripe Connect (P3): each tenant may
-- connect its own Stripe account; its customers pay invoices with Stripe
-- Checkout on that account, and the account's webhooks record the payment.
--
-- The connected account id sits on the tenants row (a platform table) so
-- that a webhook, which names only the account, finds its tenant before
-- any tenant is bound; one account, one tenant.
ALTER TABLE tenants ADD COLUMN stripe_connect_account_id text;
CREATE UNIQUE INDEX tenants_stripe_connect_account ON tenants (stripe_connect_account_id)
    WHERE stripe_connect_account_id IS NOT NULL;

-- One row per tenant: the connected account's state as Stripe last told
-- us (synced_at is Stripe's time for it, so an older event never
-- overwrites a newer state), whether the tenant offers online payment,
-- the idempotency keys of the account and onboarding-link calls (saved
-- before the call, S3), and the bank details shown to customers when
-- online payment is not available and printed on invoices.
CREATE TABLE payment_settings (
    tenant_id            uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    online_enabled       boolean NOT NULL DEFAULT false,
    account_key          text NOT NULL DEFAULT '',
    link_key             text NOT NULL DEFAULT '',
    charges_enabled      boolean NOT NULL DEFAULT false,
    details_submitted    boolean NOT NULL DEFAULT false,
    payouts_enabled      boolean NOT NULL DEFAULT false,
    synced_at            timestamptz,
    bank_account_holder  text NOT NULL DEFAULT '' CHECK (length(bank_account_holder) <= 140),
    bank_iban            text NOT NULL DEFAULT '' CHECK (length(bank_iban) <= 34),
    bank_bic             text NOT NULL DEFAULT '' CHECK (length(bank_bic) <= 11),
    bank_name            text NOT NULL DEFAULT '' CHECK (length(bank_name) <= 140),
    bank_instructions    text NOT NULL DEFAULT '' CHECK (length(bank_instructions) <= 500),
    updated_at           timestamptz NOT NULL
);

-- A customer's attempt to pay an invoice online: one Checkout Session on
-- the connected account. The row (with its idempotency key) is committed
-- before Stripe is called. received_minor is what Stripe collected;
-- unapplied_minor the part of it the invoice could not take because it
-- was settled meanwhile by other means (status overpaid): finance refunds
-- or applies it by hand, it is never dropped silently.
CREATE TABLE payment_attempts (
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                   uuid PRIMARY KEY,
    invoice_id           uuid NOT NULL,
    account_id           uuid NOT NULL,
    amount_minor         bigint NOT NULL CHECK (amount_minor > 0),
    currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status               text NOT NULL CHECK (status IN ('open', 'paid', 'overpaid', 'expired', 'failed', 'review')),
    stripe_account_id    text NOT NULL,
    idempotency_key      text NOT NULL,
    checkout_session_id  text,
    checkout_url         text NOT NULL DEFAULT '',
    payment_intent_id    text,
    payment_id           uuid,
    received_minor       bigint NOT NULL DEFAULT 0 CHECK (received_minor >= 0),
    unapplied_minor      bigint NOT NULL DEFAULT 0 CHECK (unapplied_minor >= 0),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, checkout_session_id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id)
);
CREATE INDEX payment_attempts_invoice ON payment_attempts (tenant_id, invoice_id, id);

-- Connected-account webhook events, recorded by id in the transaction that
-- applies them, so a redelivery does nothing (S2).
CREATE TABLE stripe_connect_events (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            text NOT NULL,
    type          text NOT NULL,
    created_at    timestamptz NOT NULL,
    processed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- A payment collected by a provider names its provider-side object (the
-- PaymentIntent); one object is one payment per tenant, whatever the
-- number of webhook deliveries.
ALTER TABLE payments ADD COLUMN external_ref text
    CHECK (external_ref IS NULL OR (external_ref <> '' AND length(external_ref) <= 255));
CREATE UNIQUE INDEX payments_external_ref ON payments (tenant_id, external_ref) WHERE external_ref IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['payment_settings', 'payment_attempts', 'stripe_connect_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
