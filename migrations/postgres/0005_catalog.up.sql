-- The catalog (E1): products, bills of materials and price lists. Money is
-- int64 minor units plus an ISO currency; quantities are integers in the
-- product's unit. Tenant tables reference each other through composite keys
-- (tenant_id, x_id), so a row can never point into another tenant.
CREATE TABLE products (
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid PRIMARY KEY,
    sku               text NOT NULL,
    name              text NOT NULL,
    description       text NOT NULL DEFAULT '',
    type              text NOT NULL CHECK (type IN ('stocked', 'service', 'manufactured', 'purchased')),
    unit              text NOT NULL,
    list_price_minor  bigint NOT NULL CHECK (list_price_minor >= 0),
    currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    cost_minor        bigint NOT NULL DEFAULT 0 CHECK (cost_minor >= 0),
    tax_rate_id       uuid,
    lot_tracked       boolean NOT NULL DEFAULT false,
    reorder_point     bigint NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    lead_time_days    integer NOT NULL DEFAULT 0 CHECK (lead_time_days >= 0),
    daily_capacity    bigint NOT NULL DEFAULT 0 CHECK (daily_capacity >= 0),
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, sku),
    -- A tax rate in use cannot be deleted (NO ACTION): products keep a rate.
    FOREIGN KEY (tenant_id, tax_rate_id) REFERENCES tax_rates (tenant_id, id)
);
CREATE INDEX products_name ON products (tenant_id, name, id);
CREATE INDEX products_tax_rate ON products (tenant_id, tax_rate_id) WHERE tax_rate_id IS NOT NULL;

-- One bill of materials per manufactured product; its lines say how many
-- units of each component one unit of the product takes.
CREATE TABLE boms (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id  uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, product_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE bom_lines (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id    uuid NOT NULL,
    component_id  uuid NOT NULL,
    quantity      bigint NOT NULL CHECK (quantity > 0),
    position      integer NOT NULL CHECK (position >= 0),
    PRIMARY KEY (tenant_id, product_id, component_id),
    CHECK (component_id <> product_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES boms (tenant_id, product_id) ON DELETE CASCADE,
    -- A product used as a component cannot be deleted (deactivate it instead).
    FOREIGN KEY (tenant_id, component_id) REFERENCES products (tenant_id, id)
);
-- "Where used": the BOMs that take a component.
CREATE INDEX bom_lines_component ON bom_lines (tenant_id, component_id);

CREATE TABLE price_lists (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- A price applies from min_quantity units up (quantity breaks).
CREATE TABLE price_list_items (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    price_list_id  uuid NOT NULL,
    product_id     uuid NOT NULL,
    min_quantity   bigint NOT NULL CHECK (min_quantity >= 1),
    price_minor    bigint NOT NULL CHECK (price_minor >= 0),
    PRIMARY KEY (tenant_id, price_list_id, product_id, min_quantity),
    FOREIGN KEY (tenant_id, price_list_id) REFERENCES price_lists (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX price_list_items_product ON price_list_items (tenant_id, product_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['products', 'boms', 'bom_lines', 'price_lists', 'price_list_items'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
