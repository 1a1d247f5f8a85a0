-- Back to 0021's payment_attempts: resolved attempts return to review and
-- the resolution columns go (a rebuild, as in the up migration).
ALTER TABLE payment_attempts RENAME TO payment_attempts_0027;
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
INSERT INTO payment_attempts (tenant_id, id, invoice_id, account_id, amount_minor, currency, status, stripe_account_id,
    idempotency_key, checkout_session_id, checkout_url, payment_intent_id, payment_id, received_minor, unapplied_minor,
    created_at, updated_at)
SELECT tenant_id, id, invoice_id, account_id, amount_minor, currency,
    CASE status WHEN 'resolved' THEN 'review' ELSE status END, stripe_account_id,
    idempotency_key, checkout_session_id, checkout_url, payment_intent_id, payment_id, received_minor, unapplied_minor,
    created_at, updated_at
FROM payment_attempts_0027;
DROP TABLE payment_attempts_0027;
CREATE INDEX payment_attempts_invoice ON payment_attempts (tenant_id, invoice_id, id);
