-- Refunds (P4/F6): a credit note on an invoice that was already paid gives
-- money back. The invoice CHECK keeps paid + credited ≤ total, so the part
-- of the credit the open balance cannot absorb un-applies that much of the
-- invoice's payments (paid_minor goes down, refund_minor up by the same
-- amount) and becomes a refund owed to the customer: due until finance
-- pays it back by transfer or Stripe returns it to the card.
--
-- paid_minor is therefore "payments applied to this invoice"; the money
-- the customer sent is paid_minor + refund_minor.
ALTER TABLE invoices ADD COLUMN refund_minor bigint NOT NULL DEFAULT 0 CHECK (refund_minor >= 0);

-- A refund owes money back for one of two reasons: a credit note that
-- exceeded its invoice's balance (one per credit note), or an
-- overpayment: Stripe collected more than the invoice still owed (it was
-- settled meanwhile by other means), and the PaymentIntent that took the
-- excess is kept to return it to the card. status:
-- due (owed, nothing done yet), processing (a Stripe refund was asked for,
-- its outcome is not known yet), refunded (money returned on refunded_on).
-- A Stripe refund saves its idempotency key and the card payment it
-- returns money from before Stripe is called (S3); external_ref is the
-- Stripe Refund, unique per tenant, so its webhooks apply once.
CREATE TABLE refunds (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid PRIMARY KEY,
    invoice_id       uuid NOT NULL,
    account_id       uuid NOT NULL,
    reason           text NOT NULL CHECK (reason IN ('credit_note', 'overpayment')),
    credit_note_id   uuid,
    payment_intent   text CHECK (payment_intent IS NULL OR (payment_intent <> '' AND length(payment_intent) <= 255)),
    amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status           text NOT NULL CHECK (status IN ('due', 'processing', 'refunded')),
    method           text CHECK (method IS NULL OR method IN ('manual', 'card', 'transfer')),
    reference        text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    payment_id       uuid,
    idempotency_key  text NOT NULL DEFAULT '' CHECK (length(idempotency_key) <= 100),
    external_ref     text CHECK (external_ref IS NULL OR (external_ref <> '' AND length(external_ref) <= 255)),
    refunded_on      date,
    refunded_by      uuid,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
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

ALTER TABLE refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE refunds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refunds USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant());
