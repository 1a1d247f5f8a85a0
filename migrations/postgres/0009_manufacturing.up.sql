-- Production orders (E5): make quantity units of a manufactured product in a
-- warehouse. planned → released (components reserved) → in_progress →
-- completed (components consumed, finished lot produced), or cancelled before
-- completion. Quantities are integers in the product's unit. Every reference
-- is composite (tenant_id, x_id), so nothing can point into another tenant.
CREATE TABLE production_orders (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid PRIMARY KEY,
    number         text NOT NULL,
    product_id     uuid NOT NULL,
    quantity       bigint NOT NULL CHECK (quantity > 0),
    warehouse_id   uuid NOT NULL,
    status         text NOT NULL CHECK (status IN ('planned', 'released', 'in_progress', 'completed', 'cancelled')),
    planned_start  date NOT NULL,
    due_date       date NOT NULL CHECK (due_date >= planned_start),
    lot_id         uuid,
    notes          text NOT NULL DEFAULT '',
    created_by     uuid,
    released_at    timestamptz,
    started_at     timestamptz,
    completed_at   timestamptz,
    cancelled_at   timestamptz,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
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
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    production_order_id  uuid NOT NULL,
    component_id         uuid NOT NULL,
    quantity_per_unit    bigint NOT NULL CHECK (quantity_per_unit > 0),
    required_qty         bigint NOT NULL CHECK (required_qty > 0),
    reserved_qty         bigint NOT NULL DEFAULT 0 CHECK (reserved_qty BETWEEN 0 AND required_qty),
    consumed_qty         bigint NOT NULL DEFAULT 0 CHECK (consumed_qty BETWEEN 0 AND required_qty),
    PRIMARY KEY (tenant_id, production_order_id, component_id),
    FOREIGN KEY (tenant_id, production_order_id) REFERENCES production_orders (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, component_id) REFERENCES products (tenant_id, id)
);

-- Which sales order lines wait for the order, and for how many units; an
-- order line's shortfall is covered while a planned, released or in-progress
-- order names it.
CREATE TABLE production_order_demands (
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    production_order_id  uuid NOT NULL,
    order_line_id        uuid NOT NULL,
    quantity             bigint NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (tenant_id, production_order_id, order_line_id),
    FOREIGN KEY (tenant_id, production_order_id) REFERENCES production_orders (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, order_line_id) REFERENCES order_lines (tenant_id, id)
);
CREATE INDEX production_order_demands_line ON production_order_demands (tenant_id, order_line_id);

-- Every status change, oldest first; from_status is NULL on creation.
CREATE TABLE production_order_history (
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                   uuid PRIMARY KEY,
    production_order_id  uuid NOT NULL,
    from_status          text,
    to_status            text NOT NULL,
    at                   timestamptz NOT NULL,
    changed_by           uuid,
    note                 text NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, production_order_id) REFERENCES production_orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX production_order_history_order ON production_order_history (tenant_id, production_order_id, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['production_orders', 'production_order_components', 'production_order_demands',
                             'production_order_history'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
