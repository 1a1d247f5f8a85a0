-- Inventory (E2, E9): warehouses, lots with their component lots, stock
-- levels per product × warehouse × lot, an append-only move ledger and
-- reservations. Quantities are integers in the product's unit. Every tenant
-- table references the others through composite keys (tenant_id, x_id), so a
-- row can never point into another tenant.
CREATE TABLE warehouses (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid PRIMARY KEY,
    code        text NOT NULL,
    name        text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, code)
);

-- A lot's dates never change once received: FEFO order relies on it.
CREATE TABLE lots (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid PRIMARY KEY,
    product_id       uuid NOT NULL,
    code             text NOT NULL,
    production_date  date,
    expires_on       date,
    on_hold          boolean NOT NULL DEFAULT false,
    hold_reason      text NOT NULL DEFAULT '',
    held_at          timestamptz,
    held_by          uuid,
    created_at       timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, product_id, code),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX lots_product ON lots (tenant_id, product_id, id);

-- Traceability: lot_id was made from quantity units of component_lot_id.
CREATE TABLE lot_components (
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lot_id            uuid NOT NULL,
    component_lot_id  uuid NOT NULL,
    quantity          bigint NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (tenant_id, lot_id, component_lot_id),
    CHECK (lot_id <> component_lot_id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id),
    FOREIGN KEY (tenant_id, component_lot_id) REFERENCES lots (tenant_id, id)
);
CREATE INDEX lot_components_component ON lot_components (tenant_id, component_lot_id);

-- One row per product × warehouse × lot (NULL lot: untracked stock). The
-- CHECKs are the last wall against overselling: whatever the code does, no
-- transaction can commit negative stock or more reserved than on hand.
-- on_hold mirrors the lot's hold on its levels so that a reservation waiting
-- on a level's row lock re-reads it (PostgreSQL re-checks a locked row).
CREATE TABLE stock_levels (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid PRIMARY KEY,
    product_id    uuid NOT NULL,
    warehouse_id  uuid NOT NULL,
    lot_id        uuid,
    on_hand       bigint NOT NULL DEFAULT 0,
    reserved      bigint NOT NULL DEFAULT 0,
    quarantined   bigint NOT NULL DEFAULT 0,
    on_hold       boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK (on_hand >= 0),
    CHECK (reserved >= 0),
    CHECK (quarantined >= 0),
    CHECK (reserved + quarantined <= on_hand),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id)
);
-- NULL lots are distinct in a plain unique index; the sentinel makes "no
-- lot" one key.
CREATE UNIQUE INDEX stock_levels_key ON stock_levels
    (tenant_id, product_id, warehouse_id, COALESCE(lot_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX stock_levels_warehouse ON stock_levels (tenant_id, warehouse_id);
CREATE INDEX stock_levels_lot ON stock_levels (tenant_id, lot_id) WHERE lot_id IS NOT NULL;

-- The ledger: on_hand, reserved and quarantined of a level are the sums of
-- its moves' deltas. Rows are never updated or deleted (triggers below).
CREATE TABLE stock_moves (
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 uuid PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('receipt', 'adjustment', 'reservation', 'release', 'shipment',
                           'production_consume', 'production_produce', 'return')),
    product_id         uuid NOT NULL,
    warehouse_id       uuid NOT NULL,
    lot_id             uuid,
    on_hand_delta      bigint NOT NULL DEFAULT 0,
    reserved_delta     bigint NOT NULL DEFAULT 0,
    quarantined_delta  bigint NOT NULL DEFAULT 0,
    reason             text NOT NULL DEFAULT '',
    ref_type           text NOT NULL DEFAULT '',
    ref_id             uuid,
    account_id         uuid,
    user_id            uuid,
    created_at         timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK (on_hand_delta <> 0 OR reserved_delta <> 0 OR quarantined_delta <> 0),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id)
);
CREATE INDEX stock_moves_product ON stock_moves (tenant_id, product_id, id);
CREATE INDEX stock_moves_lot ON stock_moves (tenant_id, lot_id, kind) WHERE lot_id IS NOT NULL;
CREATE INDEX stock_moves_ref ON stock_moves (tenant_id, ref_type, ref_id);

-- A reservation holds quantity units of one level for a document line (ref);
-- open = quantity - shipped - released.
CREATE TABLE reservations (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid PRIMARY KEY,
    ref_type      text NOT NULL,
    ref_id        uuid NOT NULL,
    level_id      uuid NOT NULL,
    product_id    uuid NOT NULL,
    warehouse_id  uuid NOT NULL,
    lot_id        uuid,
    quantity      bigint NOT NULL CHECK (quantity > 0),
    shipped       bigint NOT NULL DEFAULT 0 CHECK (shipped >= 0),
    released      bigint NOT NULL DEFAULT 0 CHECK (released >= 0),
    status        text NOT NULL CHECK (status IN ('open', 'released', 'fulfilled')),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK (shipped + released <= quantity),
    CHECK ((status = 'open') = (shipped + released < quantity)),
    FOREIGN KEY (tenant_id, level_id) REFERENCES stock_levels (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id)
);
CREATE INDEX reservations_ref ON reservations (tenant_id, ref_type, ref_id, product_id);
CREATE INDEX reservations_level ON reservations (tenant_id, level_id) WHERE status = 'open';

-- Append-only ledger. Deleting a tenant (its row is gone by the time the
-- cascade reaches the moves) is the one way moves leave.
CREATE FUNCTION stock_moves_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'stock moves are append-only';
END $$;
CREATE TRIGGER stock_moves_append_only BEFORE UPDATE OR DELETE ON stock_moves
    FOR EACH ROW EXECUTE FUNCTION stock_moves_append_only();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['warehouses', 'lots', 'lot_components', 'stock_levels', 'stock_moves', 'reservations'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
