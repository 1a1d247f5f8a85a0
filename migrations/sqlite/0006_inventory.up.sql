-- Inventory (E2, E9): warehouses, lots with their component lots, stock
-- levels per product × warehouse × lot, an append-only move ledger and
-- reservations. Quantities are integers in the product's unit. Every tenant
-- table references the others through composite keys (tenant_id, x_id), so a
-- row can never point into another tenant.
CREATE TABLE warehouses (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, code)
);

-- A lot's dates never change once received: FEFO order relies on it.
CREATE TABLE lots (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT PRIMARY KEY,
    product_id       TEXT NOT NULL,
    code             TEXT NOT NULL,
    production_date  DATE,
    expires_on       DATE,
    on_hold          BOOLEAN NOT NULL DEFAULT false,
    hold_reason      TEXT NOT NULL DEFAULT '',
    held_at          TIMESTAMP,
    held_by          TEXT,
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, product_id, code),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX lots_product ON lots (tenant_id, product_id, id);

-- Traceability: lot_id was made from quantity units of component_lot_id.
CREATE TABLE lot_components (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lot_id            TEXT NOT NULL,
    component_lot_id  TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (tenant_id, lot_id, component_lot_id),
    CHECK (lot_id <> component_lot_id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id),
    FOREIGN KEY (tenant_id, component_lot_id) REFERENCES lots (tenant_id, id)
);
CREATE INDEX lot_components_component ON lot_components (tenant_id, component_lot_id);

-- One row per product × warehouse × lot (NULL lot: untracked stock). The
-- CHECKs are the last wall against overselling: whatever the code does, no
-- transaction can commit negative stock or more reserved than on hand.
-- on_hold mirrors the lot's hold on its levels (see the PostgreSQL file).
CREATE TABLE stock_levels (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            TEXT PRIMARY KEY,
    product_id    TEXT NOT NULL,
    warehouse_id  TEXT NOT NULL,
    lot_id        TEXT,
    on_hand       INTEGER NOT NULL DEFAULT 0,
    reserved      INTEGER NOT NULL DEFAULT 0,
    quarantined   INTEGER NOT NULL DEFAULT 0,
    on_hold       BOOLEAN NOT NULL DEFAULT false,
    updated_at    TIMESTAMP NOT NULL,
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
    (tenant_id, product_id, warehouse_id, COALESCE(lot_id, ''));
CREATE INDEX stock_levels_warehouse ON stock_levels (tenant_id, warehouse_id);
CREATE INDEX stock_levels_lot ON stock_levels (tenant_id, lot_id) WHERE lot_id IS NOT NULL;

-- The ledger: on_hand, reserved and quarantined of a level are the sums of
-- its moves' deltas. Rows are never updated or deleted (triggers below).
CREATE TABLE stock_moves (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('receipt', 'adjustment', 'reservation', 'release', 'shipment',
                           'production_consume', 'production_produce', 'return')),
    product_id         TEXT NOT NULL,
    warehouse_id       TEXT NOT NULL,
    lot_id             TEXT,
    on_hand_delta      INTEGER NOT NULL DEFAULT 0,
    reserved_delta     INTEGER NOT NULL DEFAULT 0,
    quarantined_delta  INTEGER NOT NULL DEFAULT 0,
    reason             TEXT NOT NULL DEFAULT '',
    ref_type           TEXT NOT NULL DEFAULT '',
    ref_id             TEXT,
    account_id         TEXT,
    user_id            TEXT,
    created_at         TIMESTAMP NOT NULL,
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
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            TEXT PRIMARY KEY,
    ref_type      TEXT NOT NULL,
    ref_id        TEXT NOT NULL,
    level_id      TEXT NOT NULL,
    product_id    TEXT NOT NULL,
    warehouse_id  TEXT NOT NULL,
    lot_id        TEXT,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    shipped       INTEGER NOT NULL DEFAULT 0 CHECK (shipped >= 0),
    released      INTEGER NOT NULL DEFAULT 0 CHECK (released >= 0),
    status        TEXT NOT NULL CHECK (status IN ('open', 'released', 'fulfilled')),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
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
CREATE TRIGGER stock_moves_no_update BEFORE UPDATE ON stock_moves
BEGIN
    SELECT RAISE(ABORT, 'stock moves are append-only');
END;
CREATE TRIGGER stock_moves_no_delete BEFORE DELETE ON stock_moves
WHEN EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'stock moves are append-only');
END;
