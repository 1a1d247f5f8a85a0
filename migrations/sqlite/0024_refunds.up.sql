-- Refunds of credit notes on paid invoices; see the PostgreSQL migration.
ALTER TABLE invoices ADD COLUMN refund_minor INTEGER NOT NULL DEFAULT 0 CHECK (refund_minor >= 0);

CREATE TABLE refunds (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT PRIMARY KEY,
    invoice_id       TEXT NOT NULL,
    account_id       TEXT NOT NULL,
    reason           TEXT NOT NULL CHECK (reason IN ('credit_note', 'overpayment')),
    credit_note_id   TEXT,
    payment_intent   TEXT CHECK (payment_intent IS NULL OR (payment_intent <> '' AND length(payment_intent) <= 255)),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    status           TEXT NOT NULL CHECK (status IN ('due', 'processing', 'refunded')),
    method           TEXT CHECK (method IS NULL OR method IN ('manual', 'card', 'transfer')),
    reference        TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    payment_id       TEXT,
    idempotency_key  TEXT NOT NULL DEFAULT '' CHECK (length(idempotency_key) <= 100),
    external_ref     TEXT CHECK (external_ref IS NULL OR (external_ref <> '' AND length(external_ref) <= 255)),
    refunded_on      DATE,
    refunded_by      TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, credit_note_id),
    CHECK ((status = 'refunded') = (refunded_on IS NOT NULL)),
    CHECK ((reason = 'credit_note') = (credit_note_id IS NOT NULL)),
    CHECK (reason = 'credit_note' OR payment_intent IS NOT NULL),
    CHECK (status = 'due' OR method IS NOT NULL),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, credit_note_id) REFERENCES credit_notes (tenant_id, id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id)
);
CREATE INDEX refunds_invoice ON refunds (tenant_id, invoice_id, id);
CREATE INDEX refunds_account_created ON refunds (tenant_id, account_id, created_at, id);
CREATE INDEX refunds_open ON refunds (tenant_id, id) WHERE status <> 'refunded';
CREATE UNIQUE INDEX refunds_overpayment ON refunds (tenant_id, payment_intent) WHERE reason = 'overpayment';
CREATE UNIQUE INDEX refunds_external_ref ON refunds (tenant_id, external_ref) WHERE external_ref IS NOT NULL;
