-- Sales orders (E3). Money is int64 minor units in the order's currency;
-- quantities are integers in the product's unit. Totals are stored as well as
-- computed (the service derives them from the lines, M5) so lists and credit
-- checks read one row. Tenant tables reference each other through composite
-- keys (tenant_id, x_id), so an order can never point into another tenant.
CREATE TABLE orders (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid PRIMARY KEY,
    number          text NOT NULL,
    account_id      uuid NOT NULL,
    -- credit_hold is reserved for the credit approval step (F4), so adding it
    -- to the state machine needs no table rebuild on SQLite.
    status          text NOT NULL CHECK (status IN ('draft', 'credit_hold', 'confirmed', 'in_production', 'ready',
                        'partially_shipped', 'shipped', 'invoiced', 'closed', 'cancelled')),
    requested_date  date,
    promised_date   date,
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    subtotal_minor  bigint NOT NULL DEFAULT 0 CHECK (subtotal_minor >= 0),
    tax_minor       bigint NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    total_minor     bigint NOT NULL DEFAULT 0 CHECK (total_minor = subtotal_minor + tax_minor),
    notes           text NOT NULL DEFAULT '',
    -- Where the order came from (C4/F1); filled by later flows.
    quote_id        uuid,
    opportunity_id  uuid,
    created_by      uuid,
    confirmed_at    timestamptz,
    cancelled_at    timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX orders_account ON orders (tenant_id, account_id, id);
CREATE INDEX orders_status ON orders (tenant_id, status, id);

-- One product line. reserved_qty + shortfall_qty is what confirmation
-- settled; shortfall_action says who covers the shortfall.
CREATE TABLE order_lines (
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid PRIMARY KEY,
    order_id          uuid NOT NULL,
    position          integer NOT NULL CHECK (position >= 0),
    product_id        uuid NOT NULL,
    quantity          bigint NOT NULL CHECK (quantity > 0),
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp       integer NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp       integer NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    net_minor         bigint NOT NULL CHECK (net_minor >= 0),
    tax_minor         bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor       bigint NOT NULL CHECK (total_minor = net_minor + tax_minor),
    reserved_qty      bigint NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
    shortfall_qty     bigint NOT NULL DEFAULT 0 CHECK (shortfall_qty >= 0),
    shortfall_action  text NOT NULL DEFAULT 'none' CHECK (shortfall_action IN ('none', 'production', 'purchase')),
    promised_date     date,
    shipped_qty       bigint NOT NULL DEFAULT 0 CHECK (shipped_qty BETWEEN 0 AND quantity),
    invoiced_qty      bigint NOT NULL DEFAULT 0 CHECK (invoiced_qty BETWEEN 0 AND quantity),
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
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid PRIMARY KEY,
    order_id     uuid NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    at           timestamptz NOT NULL,
    changed_by   uuid,
    note         text NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_status_history_order ON order_status_history (tenant_id, order_id, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_lines', 'order_status_history'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
