-- Invoicing (E7): invoices of a sales order's shipped units, payments
-- against them and credit notes against their lines. Money is INTEGER minor
-- units in the invoice's currency; quantities are INTEGERs in the product's
-- unit. Every tenant table references the others through composite keys
-- (tenant_id, x_id), so no document can point into another tenant.
--
-- An invoice's balance is total − paid − credited; the CHECKs keep it
-- between zero and the total whatever the application does. Status is
-- issued → partially_paid → paid, or credited when credit notes (and no
-- payment) settle it; overdue is derived from due_date and the balance.
CREATE TABLE invoices (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('issued', 'partially_paid', 'paid', 'credited')),
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    issue_date      DATE NOT NULL,
    due_date        DATE NOT NULL,
    net_minor       INTEGER NOT NULL CHECK (net_minor >= 0),
    tax_minor       INTEGER NOT NULL CHECK (tax_minor >= 0),
    total_minor     INTEGER NOT NULL CHECK (total_minor >= 0),
    paid_minor      INTEGER NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    credited_minor  INTEGER NOT NULL DEFAULT 0 CHECK (credited_minor >= 0),
    created_by      TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
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
    tenant_id           TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                  TEXT PRIMARY KEY,
    invoice_id          TEXT NOT NULL,
    position            INTEGER NOT NULL CHECK (position >= 0),
    order_line_id       TEXT NOT NULL,
    product_id          TEXT NOT NULL,
    description         TEXT NOT NULL CHECK (length(description) <= 300),
    quantity            INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor    INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp         INTEGER NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp         INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    net_minor           INTEGER NOT NULL CHECK (net_minor >= 0),
    tax_minor           INTEGER NOT NULL CHECK (tax_minor >= 0),
    total_minor         INTEGER NOT NULL CHECK (total_minor >= 0),
    credited_qty        INTEGER NOT NULL DEFAULT 0 CHECK (credited_qty BETWEEN 0 AND quantity),
    credited_net_minor  INTEGER NOT NULL DEFAULT 0 CHECK (credited_net_minor BETWEEN 0 AND net_minor),
    credited_tax_minor  INTEGER NOT NULL DEFAULT 0 CHECK (credited_tax_minor BETWEEN 0 AND tax_minor),
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
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            TEXT PRIMARY KEY,
    invoice_id    TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    method        TEXT NOT NULL CHECK (method IN ('manual', 'card', 'transfer')),
    reference     TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    received_on   DATE NOT NULL,
    created_by    TEXT,
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX payments_invoice ON payments (tenant_id, invoice_id, id);
CREATE INDEX payments_account ON payments (tenant_id, account_id, id);

-- Credit notes against invoice lines, numbered from the credit_note series.
CREATE TABLE credit_notes (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    currency     TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    issue_date   DATE NOT NULL,
    net_minor    INTEGER NOT NULL CHECK (net_minor >= 0),
    tax_minor    INTEGER NOT NULL CHECK (tax_minor >= 0),
    total_minor  INTEGER NOT NULL CHECK (total_minor > 0),
    created_by   TEXT,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    CHECK (total_minor = net_minor + tax_minor),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX credit_notes_invoice ON credit_notes (tenant_id, invoice_id, id);
CREATE INDEX credit_notes_account ON credit_notes (tenant_id, account_id, id);

CREATE TABLE credit_note_lines (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT PRIMARY KEY,
    credit_note_id   TEXT NOT NULL,
    position         INTEGER NOT NULL CHECK (position >= 0),
    invoice_line_id  TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    net_minor        INTEGER NOT NULL CHECK (net_minor >= 0),
    tax_minor        INTEGER NOT NULL CHECK (tax_minor >= 0),
    total_minor      INTEGER NOT NULL CHECK (total_minor >= 0),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, credit_note_id, position),
    UNIQUE (tenant_id, credit_note_id, invoice_line_id),
    CHECK (total_minor = net_minor + tax_minor),
    FOREIGN KEY (tenant_id, credit_note_id) REFERENCES credit_notes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, invoice_line_id) REFERENCES invoice_lines (tenant_id, id)
);
CREATE INDEX credit_note_lines_invoice_line ON credit_note_lines (tenant_id, invoice_line_id);
