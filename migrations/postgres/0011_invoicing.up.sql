-- Invoicing (E7): invoices of a sales order's shipped units, payments
-- against them and credit notes against their lines. Money is bigint minor
-- units in the invoice's currency; quantities are integers in the product's
-- unit. Every tenant table references the others through composite keys
-- (tenant_id, x_id), so no document can point into another tenant.
--
-- An invoice's balance is total − paid − credited; the CHECKs keep it
-- between zero and the total whatever the application does. Status is
-- issued → partially_paid → paid, or credited when credit notes (and no
-- payment) settle it; overdue is derived from due_date and the balance.
CREATE TABLE invoices (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid PRIMARY KEY,
    number          text NOT NULL,
    order_id        uuid NOT NULL,
    account_id      uuid NOT NULL,
    status          text NOT NULL CHECK (status IN ('issued', 'partially_paid', 'paid', 'credited')),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    issue_date      date NOT NULL,
    due_date        date NOT NULL,
    net_minor       bigint NOT NULL CHECK (net_minor >= 0),
    tax_minor       bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor     bigint NOT NULL CHECK (total_minor >= 0),
    paid_minor      bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    credited_minor  bigint NOT NULL DEFAULT 0 CHECK (credited_minor >= 0),
    created_by      uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    CHECK (total_minor = net_minor + tax_minor),
    CHECK (paid_minor + credited_minor <= total_minor),
    CHECK (due_date >= issue_date),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX invoices_order ON invoices (tenant_id, order_id, id);
CREATE INDEX invoices_account ON invoices (tenant_id, account_id, id);
CREATE INDEX invoices_status ON invoices (tenant_id, status, id);
CREATE INDEX invoices_due ON invoices (tenant_id, due_date) WHERE status IN ('issued', 'partially_paid');

-- One line per order line invoiced, with the order line's price and rates
-- copied (later changes to the order never change an issued invoice).
CREATE TABLE invoice_lines (
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                  uuid PRIMARY KEY,
    invoice_id          uuid NOT NULL,
    position            integer NOT NULL CHECK (position >= 0),
    order_line_id       uuid NOT NULL,
    product_id          uuid NOT NULL,
    description         text NOT NULL CHECK (length(description) <= 300),
    quantity            bigint NOT NULL CHECK (quantity > 0),
    unit_price_minor    bigint NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp         integer NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp         integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    net_minor           bigint NOT NULL CHECK (net_minor >= 0),
    tax_minor           bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor         bigint NOT NULL CHECK (total_minor >= 0),
    credited_qty        bigint NOT NULL DEFAULT 0 CHECK (credited_qty BETWEEN 0 AND quantity),
    credited_net_minor  bigint NOT NULL DEFAULT 0 CHECK (credited_net_minor BETWEEN 0 AND net_minor),
    credited_tax_minor  bigint NOT NULL DEFAULT 0 CHECK (credited_tax_minor BETWEEN 0 AND tax_minor),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, invoice_id, position),
    CHECK (total_minor = net_minor + tax_minor),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, order_line_id) REFERENCES order_lines (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX invoice_lines_order_line ON invoice_lines (tenant_id, order_line_id);

-- Money received against an invoice (manual entry, card or transfer).
CREATE TABLE payments (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid PRIMARY KEY,
    invoice_id    uuid NOT NULL,
    account_id    uuid NOT NULL,
    amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    method        text NOT NULL CHECK (method IN ('manual', 'card', 'transfer')),
    reference     text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    received_on   date NOT NULL,
    created_by    uuid,
    created_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX payments_invoice ON payments (tenant_id, invoice_id, id);
CREATE INDEX payments_account ON payments (tenant_id, account_id, id);

-- Credit notes against invoice lines, numbered from the credit_note series.
CREATE TABLE credit_notes (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid PRIMARY KEY,
    number       text NOT NULL,
    invoice_id   uuid NOT NULL,
    account_id   uuid NOT NULL,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    issue_date   date NOT NULL,
    net_minor    bigint NOT NULL CHECK (net_minor >= 0),
    tax_minor    bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor  bigint NOT NULL CHECK (total_minor > 0),
    created_by   uuid,
    created_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    CHECK (total_minor = net_minor + tax_minor),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX credit_notes_invoice ON credit_notes (tenant_id, invoice_id, id);
CREATE INDEX credit_notes_account ON credit_notes (tenant_id, account_id, id);

CREATE TABLE credit_note_lines (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid PRIMARY KEY,
    credit_note_id   uuid NOT NULL,
    position         integer NOT NULL CHECK (position >= 0),
    invoice_line_id  uuid NOT NULL,
    quantity         bigint NOT NULL CHECK (quantity > 0),
    net_minor        bigint NOT NULL CHECK (net_minor >= 0),
    tax_minor        bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor      bigint NOT NULL CHECK (total_minor >= 0),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, credit_note_id, position),
    UNIQUE (tenant_id, credit_note_id, invoice_line_id),
    CHECK (total_minor = net_minor + tax_minor),
    FOREIGN KEY (tenant_id, credit_note_id) REFERENCES credit_notes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, invoice_line_id) REFERENCES invoice_lines (tenant_id, id)
);
CREATE INDEX credit_note_lines_invoice_line ON credit_note_lines (tenant_id, invoice_line_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['invoices', 'invoice_lines', 'payments', 'credit_notes', 'credit_note_lines'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
