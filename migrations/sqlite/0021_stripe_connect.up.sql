-- Online payment of invoices through Stripe Connect (P3; SQLite twin of
-- postgres/0021_stripe_connect): each tenant may
-- connect its own Stripe account; its customers pay invoices with Stripe
-- Checkout on that account, and the account's webhooks record the payment.
--
-- The connected account id sits on the tenants row (a platform table) so
-- that a webhook, which names only the account, finds its tenant before
-- any tenant is bound; one account, one tenant.
ALTER TABLE tenants ADD COLUMN stripe_connect_account_id TEXT;
CREATE UNIQUE INDEX tenants_stripe_connect_account ON tenants (stripe_connect_account_id)
    WHERE stripe_connect_account_id IS NOT NULL;

-- One row per tenant: the connected account's state as Stripe last told
-- us (synced_at is Stripe's time for it, so an older event never
-- overwrites a newer state), whether the tenant offers online payment,
-- the idempotency keys of the account and onboarding-link calls (saved
-- before the call, S3), and the bank details shown to customers when
-- online payment is not available and printed on invoices.
CREATE TABLE payment_settings (
    tenant_id            TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    online_enabled       BOOLEAN NOT NULL DEFAULT false,
    account_key          TEXT NOT NULL DEFAULT '',
    link_key             TEXT NOT NULL DEFAULT '',
    charges_enabled      BOOLEAN NOT NULL DEFAULT false,
    details_submitted    BOOLEAN NOT NULL DEFAULT false,
    payouts_enabled      BOOLEAN NOT NULL DEFAULT false,
    synced_at            TIMESTAMP,
    bank_account_holder  TEXT NOT NULL DEFAULT '' CHECK (length(bank_account_holder) <= 140),
    bank_iban            TEXT NOT NULL DEFAULT '' CHECK (length(bank_iban) <= 34),
    bank_bic             TEXT NOT NULL DEFAULT '' CHECK (length(bank_bic) <= 11),
    bank_name            TEXT NOT NULL DEFAULT '' CHECK (length(bank_name) <= 140),
    bank_instructions    TEXT NOT NULL DEFAULT '' CHECK (length(bank_instructions) <= 500),
    updated_at           TIMESTAMP NOT NULL
);

-- A customer's attempt to pay an invoice online: one Checkout Session on
-- the connected account. The row (with its idempotency key) is committed
-- before Stripe is called. received_minor is what Stripe collected;
-- unapplied_minor the part of it the invoice could not take because it
-- was settled meanwhile by other means (status overpaid): finance refunds
-- or applies it by hand, it is never dropped silently.
CREATE TABLE payment_attempts (
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                   TEXT PRIMARY KEY,
    invoice_id           TEXT NOT NULL,
    account_id           TEXT NOT NULL,
    amount_minor         INTEGER NOT NULL CHECK (amount_minor > 0),
    currency             TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    status               TEXT NOT NULL CHECK (status IN ('open', 'paid', 'overpaid', 'expired', 'failed', 'review')),
    stripe_account_id    TEXT NOT NULL,
    idempotency_key      TEXT NOT NULL,
    checkout_session_id  text,
    checkout_url         TEXT NOT NULL DEFAULT '',
    payment_intent_id    text,
    payment_id           TEXT,
    received_minor       INTEGER NOT NULL DEFAULT 0 CHECK (received_minor >= 0),
    unapplied_minor      INTEGER NOT NULL DEFAULT 0 CHECK (unapplied_minor >= 0),
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
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
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    type          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    processed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- A payment collected by a provider names its provider-side object (the
-- PaymentIntent); one object is one payment per tenant, whatever the
-- number of webhook deliveries.
ALTER TABLE payments ADD COLUMN external_ref TEXT
    CHECK (external_ref IS NULL OR (external_ref <> '' AND length(external_ref) <= 255));
CREATE UNIQUE INDEX payments_external_ref ON payments (tenant_id, external_ref) WHERE external_ref IS NOT NULL;
