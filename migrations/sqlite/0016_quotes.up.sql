-- Quotes (C4): an offer to an account, priced line by line like an order,
-- sent, then accepted (becoming a sales order, F1) or declined. A revision
-- is a new row with the same number and the next revision; the row it
-- replaces becomes 'superseded' and points at it. Money is int64 minor
-- units; totals are the sums of the lines (M5).
CREATE TABLE quotes (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL,
    revision         INTEGER NOT NULL CHECK (revision >= 1),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'superseded')),
    account_id       TEXT NOT NULL,
    contact_id       TEXT,
    opportunity_id   TEXT,
    owner_user_id    TEXT NOT NULL,
    currency         TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    price_list_id    TEXT,
    valid_until      DATE NOT NULL,
    promised_date    DATE,
    notes            TEXT NOT NULL DEFAULT '',
    subtotal_minor   INTEGER NOT NULL DEFAULT 0 CHECK (subtotal_minor >= 0),
    tax_minor        INTEGER NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    total_minor      INTEGER NOT NULL DEFAULT 0 CHECK (total_minor = subtotal_minor + tax_minor),
    sent_at          TIMESTAMP,
    sent_to          TEXT NOT NULL DEFAULT '',
    accepted_at      TIMESTAMP,
    declined_at      TIMESTAMP,
    decline_reason   TEXT NOT NULL DEFAULT '',
    order_id         TEXT,
    superseded_by    TEXT,
    created_by       TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number, revision),
    CHECK ((status = 'accepted') = (accepted_at IS NOT NULL)),
    CHECK ((status = 'accepted') = (order_id IS NOT NULL)),
    -- A declined quote keeps its answer when a revision supersedes it.
    CHECK (status <> 'declined' OR declined_at IS NOT NULL),
    CHECK ((status = 'superseded') = (superseded_by IS NOT NULL)),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, price_list_id) REFERENCES price_lists (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, superseded_by) REFERENCES quotes (tenant_id, id)
);
CREATE INDEX quotes_account ON quotes (tenant_id, account_id, created_at, id);
CREATE INDEX quotes_opportunity ON quotes (tenant_id, opportunity_id, id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX quotes_owner ON quotes (tenant_id, owner_user_id, id);
CREATE INDEX quotes_status ON quotes (tenant_id, status, id);

CREATE TABLE quote_lines (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT PRIMARY KEY,
    quote_id          TEXT NOT NULL,
    position          INTEGER NOT NULL CHECK (position >= 0),
    product_id        TEXT NOT NULL,
    description       TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor  INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp       INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp       INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    net_minor         INTEGER NOT NULL CHECK (net_minor >= 0),
    tax_minor         INTEGER NOT NULL CHECK (tax_minor >= 0),
    total_minor       INTEGER NOT NULL CHECK (total_minor = net_minor + tax_minor),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, quote_id) REFERENCES quotes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX quote_lines_quote ON quote_lines (tenant_id, quote_id, position);
CREATE INDEX quote_lines_product ON quote_lines (tenant_id, product_id);

-- Orders made from quotes point back at them (the column exists since 0008;
-- SQLite cannot add a foreign key to an existing table).
CREATE INDEX orders_quote ON orders (tenant_id, quote_id) WHERE quote_id IS NOT NULL;
CREATE INDEX orders_opportunity ON orders (tenant_id, opportunity_id, id) WHERE opportunity_id IS NOT NULL;
