-- Card payments to review (SQLite twin of postgres/0027_payment_review): a
-- paid Checkout Session that could not be recorded on its invoice (no
-- amount, another currency, the invoice no longer payable) left its
-- attempt in status review, money taken and no record of it. Finance now
-- sees these and closes each with a note of how it was handled (refunded
-- in Stripe, booked by hand): status resolved, with who and when.
--
-- received_currency is the currency Stripe collected in, which may differ
-- from the attempt's (the invoice's) currency; NULL for attempts paid
-- before it was kept.
--
-- SQLite cannot change a CHECK constraint, so the table is rebuilt: the
-- old one is renamed away first (nothing references payment_attempts),
-- the new one takes its name, the rows are copied and the indexes made
-- again.
ALTER TABLE payment_attempts RENAME TO payment_attempts_0021;
CREATE TABLE payment_attempts (
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                   TEXT PRIMARY KEY,
    invoice_id           TEXT NOT NULL,
    account_id           TEXT NOT NULL,
    amount_minor         INTEGER NOT NULL CHECK (amount_minor > 0),
    currency             TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    status               TEXT NOT NULL CHECK (status IN ('open', 'paid', 'overpaid', 'expired', 'failed', 'review', 'resolved')),
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
    received_currency    TEXT CHECK (received_currency IS NULL OR (length(received_currency) = 3 AND received_currency = upper(received_currency))),
    resolution_note      TEXT CHECK (resolution_note IS NULL OR length(resolution_note) BETWEEN 1 AND 500),
    resolved_by          TEXT,
    resolved_at          TIMESTAMP,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, checkout_session_id),
    CHECK ((status = 'resolved') = (resolution_note IS NOT NULL AND resolved_at IS NOT NULL)),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id)
);
INSERT INTO payment_attempts (tenant_id, id, invoice_id, account_id, amount_minor, currency, status, stripe_account_id,
    idempotency_key, checkout_session_id, checkout_url, payment_intent_id, payment_id, received_minor, unapplied_minor,
    created_at, updated_at)
SELECT tenant_id, id, invoice_id, account_id, amount_minor, currency, status, stripe_account_id,
    idempotency_key, checkout_session_id, checkout_url, payment_intent_id, payment_id, received_minor, unapplied_minor,
    created_at, updated_at
FROM payment_attempts_0021;
DROP TABLE payment_attempts_0021;
CREATE INDEX payment_attempts_invoice ON payment_attempts (tenant_id, invoice_id, id);
CREATE INDEX payment_attempts_status ON payment_attempts (tenant_id, status, id);
