-- Sales orders (E3). Money is int64 minor units in the order's currency;
-- quantities are integers in the product's unit. Totals are stored as well as
-- computed (the service derives them from the lines, M5) so lists and credit
-- checks read one row. Tenant tables reference each other through composite
-- keys (tenant_id, x_id), so an order can never point into another tenant.
CREATE TABLE orders (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    -- credit_hold is reserved for the credit approval step (F4), so adding it
    -- to the state machine needs no table rebuild on SQLite.
    status          TEXT NOT NULL CHECK (status IN ('draft', 'credit_hold', 'confirmed', 'in_production', 'ready',
                        'partially_shipped', 'shipped', 'invoiced', 'closed', 'cancelled')),
    requested_date  DATE,
    promised_date   DATE,
    currency        TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    subtotal_minor  INTEGER NOT NULL DEFAULT 0 CHECK (subtotal_minor >= 0),
    tax_minor       INTEGER NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    total_minor     INTEGER NOT NULL DEFAULT 0 CHECK (total_minor = subtotal_minor + tax_minor),
    notes           TEXT NOT NULL DEFAULT '',
    -- Where the order came from (C4/F1); filled by later flows.
    quote_id        TEXT,
    opportunity_id  TEXT,
    created_by      TEXT,
    confirmed_at    TIMESTAMP,
    cancelled_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX orders_account ON orders (tenant_id, account_id, id);
CREATE INDEX orders_status ON orders (tenant_id, status, id);

-- One product line. reserved_qty + shortfall_qty is what confirmation
-- settled; shortfall_action says who covers the shortfall.
CREATE TABLE order_lines (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT PRIMARY KEY,
    order_id          TEXT NOT NULL,
    position          INTEGER NOT NULL CHECK (position >= 0),
    product_id        TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor  INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp       INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp       INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    net_minor         INTEGER NOT NULL CHECK (net_minor >= 0),
    tax_minor         INTEGER NOT NULL CHECK (tax_minor >= 0),
    total_minor       INTEGER NOT NULL CHECK (total_minor = net_minor + tax_minor),
    reserved_qty      INTEGER NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
    shortfall_qty     INTEGER NOT NULL DEFAULT 0 CHECK (shortfall_qty >= 0),
    shortfall_action  TEXT NOT NULL DEFAULT 'none' CHECK (shortfall_action IN ('none', 'production', 'purchase')),
    promised_date     DATE,
    shipped_qty       INTEGER NOT NULL DEFAULT 0 CHECK (shipped_qty BETWEEN 0 AND quantity),
    invoiced_qty      INTEGER NOT NULL DEFAULT 0 CHECK (invoiced_qty BETWEEN 0 AND quantity),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, order_id, position),
    CHECK (reserved_qty + shortfall_qty <= quantity),
    CHECK ((shortfall_qty = 0) = (shortfall_action = 'none')),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX order_lines_product ON order_lines (tenant_id, product_id);
CREATE INDEX order_lines_shortfall ON order_lines (tenant_id, shortfall_action, id) WHERE shortfall_qty > 0;

-- Every status change, oldest first; from_status is NULL on creation.
CREATE TABLE order_status_history (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    at           TIMESTAMP NOT NULL,
    changed_by   TEXT,
    note         TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_status_history_order ON order_status_history (tenant_id, order_id, id);
