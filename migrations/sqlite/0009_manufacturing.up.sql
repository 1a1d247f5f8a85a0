-- Production orders (E5): make quantity units of a manufactured product in a
-- warehouse. planned → released (components reserved) → in_progress →
-- completed (components consumed, finished lot produced), or cancelled before
-- completion. Quantities are integers in the product's unit. Every reference
-- is composite (tenant_id, x_id), so nothing can point into another tenant.
CREATE TABLE production_orders (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    warehouse_id   TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('planned', 'released', 'in_progress', 'completed', 'cancelled')),
    planned_start  DATE NOT NULL,
    due_date       DATE NOT NULL CHECK (due_date >= planned_start),
    lot_id         TEXT,
    notes          TEXT NOT NULL DEFAULT '',
    created_by     TEXT,
    released_at    TIMESTAMP,
    started_at     TIMESTAMP,
    completed_at   TIMESTAMP,
    cancelled_at   TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    -- Only a completed order has produced anything.
    CHECK (status = 'completed' OR lot_id IS NULL),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id)
);
CREATE INDEX production_orders_status ON production_orders (tenant_id, status, id);
CREATE INDEX production_orders_product ON production_orders (tenant_id, product_id, id);

-- The bill of materials as it stood when the order was planned or released:
-- what release reserves and completion consumes, even if the catalog's BOM
-- changes in between.
CREATE TABLE production_order_components (
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    production_order_id  TEXT NOT NULL,
    component_id         TEXT NOT NULL,
    quantity_per_unit    INTEGER NOT NULL CHECK (quantity_per_unit > 0),
    required_qty         INTEGER NOT NULL CHECK (required_qty > 0),
    reserved_qty         INTEGER NOT NULL DEFAULT 0 CHECK (reserved_qty BETWEEN 0 AND required_qty),
    consumed_qty         INTEGER NOT NULL DEFAULT 0 CHECK (consumed_qty BETWEEN 0 AND required_qty),
    PRIMARY KEY (tenant_id, production_order_id, component_id),
    FOREIGN KEY (tenant_id, production_order_id) REFERENCES production_orders (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, component_id) REFERENCES products (tenant_id, id)
);

-- Which sales order lines wait for the order, and for how many units; an
-- order line's shortfall is covered while a planned, released or in-progress
-- order names it.
CREATE TABLE production_order_demands (
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    production_order_id  TEXT NOT NULL,
    order_line_id        TEXT NOT NULL,
    quantity             INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (tenant_id, production_order_id, order_line_id),
    FOREIGN KEY (tenant_id, production_order_id) REFERENCES production_orders (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, order_line_id) REFERENCES order_lines (tenant_id, id)
);
CREATE INDEX production_order_demands_line ON production_order_demands (tenant_id, order_line_id);

-- Every status change, oldest first; from_status is NULL on creation.
CREATE TABLE production_order_history (
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                   TEXT PRIMARY KEY,
    production_order_id  TEXT NOT NULL,
    from_status          TEXT,
    to_status            TEXT NOT NULL,
    at                   TIMESTAMP NOT NULL,
    changed_by           TEXT,
    note                 TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, production_order_id) REFERENCES production_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX production_order_history_order ON production_order_history (tenant_id, production_order_id, id);

