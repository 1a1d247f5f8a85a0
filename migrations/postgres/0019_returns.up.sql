-- Returns (E8, F6, P4): a customer (through the portal) or staff asks to
-- send back units of delivered order lines; staff approve or reject it,
-- receive the goods (each line restocked or quarantined, through the stock
-- ledger) and refund it with one credit note against the invoiced lines, or
-- replace it with a confirmed sales order at no charge.
--
--	requested → approved → received → refunded
--	          └→ rejected             └→ replaced
--
-- A rejected return changes no stock and no money. The number comes from
-- the tenant's gap-free "return" series in the creating transaction.
CREATE TABLE returns (
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid PRIMARY KEY,
    number            text NOT NULL,
    status            text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'received', 'refunded', 'replaced')),
    account_id        uuid NOT NULL,
    order_id          uuid NOT NULL,
    comment           text NOT NULL DEFAULT '',
    rejection_reason  text NOT NULL DEFAULT '',
    created_by        uuid,
    portal_user_id    uuid,
    approved_by       uuid,
    received_by       uuid,
    refunded_by       uuid,
    credit_note_id    uuid,
    replaced_by       uuid,
    replacement_order_id uuid,
    created_at        timestamptz NOT NULL,
    approved_at       timestamptz,
    rejected_at       timestamptz,
    received_at       timestamptz,
    refunded_at       timestamptz,
    replaced_at       timestamptz,
    updated_at        timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    -- One credit note credits one return, once (no double credit).
    UNIQUE (tenant_id, credit_note_id),
    -- One replacement order replaces one return, once.
    UNIQUE (tenant_id, replacement_order_id),
    CHECK ((status = 'rejected') = (rejected_at IS NOT NULL)),
    CHECK (status <> 'rejected' OR rejection_reason <> ''),
    -- A return ends refunded (with its credit note) or replaced (with its
    -- replacement order), never both.
    CHECK ((status = 'refunded') = (credit_note_id IS NOT NULL)),
    CHECK ((status = 'replaced') = (replacement_order_id IS NOT NULL)),
    CHECK ((status = 'replaced') = (replaced_at IS NOT NULL)),
    CHECK (status NOT IN ('received', 'refunded', 'replaced') OR received_at IS NOT NULL),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id),
    FOREIGN KEY (tenant_id, approved_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, received_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, refunded_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, replaced_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, replacement_order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, credit_note_id) REFERENCES credit_notes (tenant_id, id)
);
CREATE INDEX returns_account ON returns (tenant_id, account_id, id);
CREATE INDEX returns_order ON returns (tenant_id, order_id, id);
CREATE INDEX returns_status ON returns (tenant_id, status, id);

-- One order line's returned units. disposition and warehouse_id are set when
-- the goods are received.
CREATE TABLE return_lines (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid PRIMARY KEY,
    return_id       uuid NOT NULL,
    position        integer NOT NULL CHECK (position >= 0),
    order_line_id   uuid NOT NULL,
    product_id      uuid NOT NULL,
    description     text NOT NULL,
    quantity        bigint NOT NULL CHECK (quantity > 0),
    reason          text NOT NULL CHECK (reason IN ('damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', 'other')),
    comment         text NOT NULL DEFAULT '',
    disposition     text CHECK (disposition IN ('restock', 'quarantine')),
    warehouse_id    uuid,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, return_id, position),
    UNIQUE (tenant_id, return_id, order_line_id),
    CHECK ((disposition IS NULL) = (warehouse_id IS NULL)),
    FOREIGN KEY (tenant_id, return_id) REFERENCES returns (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, order_line_id) REFERENCES order_lines (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id)
);
CREATE INDEX return_lines_return ON return_lines (tenant_id, return_id, position);
CREATE INDEX return_lines_order_line ON return_lines (tenant_id, order_line_id);

-- Photos a customer (or staff) attach while the return is requested: small
-- PNG, JPEG or WebP images kept in the database (at most 5 per return,
-- 512 KiB each, checked by the service), served only to the return's
-- account and to staff.
CREATE TABLE return_photos (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid PRIMARY KEY,
    return_id       uuid NOT NULL,
    content_type    text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    data            bytea NOT NULL,
    size_bytes      integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 524288),
    created_by      uuid,
    portal_user_id  uuid,
    created_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, return_id) REFERENCES returns (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id)
);
CREATE INDEX return_photos_return ON return_photos (tenant_id, return_id, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['returns', 'return_lines', 'return_photos'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
