-- The catalog (E1): products, bills of materials and price lists. Money is
-- int64 minor units plus an ISO currency; quantities are integers in the
-- product's unit. Tenant tables reference each other through composite keys
-- (tenant_id, x_id), so a row can never point into another tenant.
CREATE TABLE products (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT PRIMARY KEY,
    sku               TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    type              TEXT NOT NULL CHECK (type IN ('stocked', 'service', 'manufactured', 'purchased')),
    unit              TEXT NOT NULL,
    list_price_minor  INTEGER NOT NULL CHECK (list_price_minor >= 0),
    currency          TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    cost_minor        INTEGER NOT NULL DEFAULT 0 CHECK (cost_minor >= 0),
    tax_rate_id       TEXT,
    lot_tracked       BOOLEAN NOT NULL DEFAULT false,
    reorder_point     INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    lead_time_days    INTEGER NOT NULL DEFAULT 0 CHECK (lead_time_days >= 0),
    daily_capacity    INTEGER NOT NULL DEFAULT 0 CHECK (daily_capacity >= 0),
    active            BOOLEAN NOT NULL DEFAULT true,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
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
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, product_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE bom_lines (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id    TEXT NOT NULL,
    component_id  TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    position      INTEGER NOT NULL CHECK (position >= 0),
    PRIMARY KEY (tenant_id, product_id, component_id),
    CHECK (component_id <> product_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES boms (tenant_id, product_id) ON DELETE CASCADE,
    -- A product used as a component cannot be deleted (deactivate it instead).
    FOREIGN KEY (tenant_id, component_id) REFERENCES products (tenant_id, id)
);
-- "Where used": the BOMs that take a component.
CREATE INDEX bom_lines_component ON bom_lines (tenant_id, component_id);

CREATE TABLE price_lists (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    currency    TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    active      BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- A price applies from min_quantity units up (quantity breaks).
CREATE TABLE price_list_items (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    price_list_id  TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    min_quantity   INTEGER NOT NULL CHECK (min_quantity >= 1),
    price_minor    INTEGER NOT NULL CHECK (price_minor >= 0),
    PRIMARY KEY (tenant_id, price_list_id, product_id, min_quantity),
    FOREIGN KEY (tenant_id, price_list_id) REFERENCES price_lists (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX price_list_items_product ON price_list_items (tenant_id, product_id);

