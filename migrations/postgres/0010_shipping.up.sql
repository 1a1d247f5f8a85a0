-- Shipments (E4): what leaves for a customer against a sales order, picked
-- from the order lines' reservations. Quantities are integers in the
-- product's unit. Every tenant table references the others through composite
-- keys (tenant_id, x_id), so a shipment can never point into another tenant.
--
-- Status: draft → packed → shipped → in_transit → delivered (shipped may go
-- straight to delivered), or cancelled before it ships. Each status has its
-- timestamp; the CHECKs keep a row from claiming a status without it.
CREATE TABLE shipments (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid PRIMARY KEY,
    number           text NOT NULL,
    order_id         uuid NOT NULL,
    account_id       uuid NOT NULL,
    status           text NOT NULL CHECK (status IN ('draft', 'packed', 'shipped', 'in_transit', 'delivered', 'cancelled')),
    carrier          text NOT NULL DEFAULT '' CHECK (length(carrier) <= 100),
    tracking_number  text NOT NULL DEFAULT '' CHECK (length(tracking_number) <= 100),
    -- Shown to customers as a link: https only, so no javascript: or plain
    -- http URL reaches the portal (the service validates it fully).
    tracking_url     text NOT NULL DEFAULT '' CHECK (tracking_url = '' OR (tracking_url LIKE 'https://%' AND length(tracking_url) <= 2000)),
    created_by       uuid,
    packed_at        timestamptz,
    shipped_at       timestamptz,
    in_transit_at    timestamptz,
    delivered_at     timestamptz,
    cancelled_at     timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    CHECK (status IN ('draft', 'cancelled') OR packed_at IS NOT NULL),
    CHECK (status NOT IN ('shipped', 'in_transit', 'delivered') OR shipped_at IS NOT NULL),
    CHECK (status <> 'in_transit' OR in_transit_at IS NOT NULL),
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (status <> 'cancelled' OR shipped_at IS NULL),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX shipments_order ON shipments (tenant_id, order_id, id);
CREATE INDEX shipments_account ON shipments (tenant_id, account_id, id);
CREATE INDEX shipments_status ON shipments (tenant_id, status, id);

-- One line per order line shipped; delivered_qty is set on delivery.
CREATE TABLE shipment_lines (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid PRIMARY KEY,
    shipment_id    uuid NOT NULL,
    position       integer NOT NULL CHECK (position >= 0),
    order_line_id  uuid NOT NULL,
    product_id     uuid NOT NULL,
    quantity       bigint NOT NULL CHECK (quantity > 0),
    delivered_qty  bigint NOT NULL DEFAULT 0 CHECK (delivered_qty BETWEEN 0 AND quantity),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, shipment_id, order_line_id),
    UNIQUE (tenant_id, shipment_id, position),
    FOREIGN KEY (tenant_id, shipment_id) REFERENCES shipments (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, order_line_id) REFERENCES order_lines (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX shipment_lines_order_line ON shipment_lines (tenant_id, order_line_id);

-- Traceability: which warehouse and lot each shipped unit came from (NULL
-- lot: an untracked product). Written when the shipment ships.
CREATE TABLE shipment_line_lots (
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid PRIMARY KEY,
    shipment_line_id  uuid NOT NULL,
    warehouse_id      uuid NOT NULL,
    lot_id            uuid,
    quantity          bigint NOT NULL CHECK (quantity > 0),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, shipment_line_id) REFERENCES shipment_lines (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id)
);
CREATE INDEX shipment_line_lots_line ON shipment_line_lots (tenant_id, shipment_line_id);
CREATE INDEX shipment_line_lots_lot ON shipment_line_lots (tenant_id, lot_id) WHERE lot_id IS NOT NULL;

-- The status timeline, oldest first (the customer's tracking view).
CREATE TABLE shipment_events (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid PRIMARY KEY,
    shipment_id  uuid NOT NULL,
    status       text NOT NULL CHECK (status IN ('draft', 'packed', 'shipped', 'in_transit', 'delivered', 'cancelled')),
    at           timestamptz NOT NULL,
    changed_by   uuid,
    note         text NOT NULL DEFAULT '',
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, shipment_id) REFERENCES shipments (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX shipment_events_shipment ON shipment_events (tenant_id, shipment_id, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['shipments', 'shipment_lines', 'shipment_line_lots', 'shipment_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
