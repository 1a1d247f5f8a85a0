-- Quotes (C4): an offer to an account, priced line by line like an order,
-- sent, then accepted (becoming a sales order, F1) or declined. A revision
-- is a new row with the same number and the next revision; the row it
-- replaces becomes 'superseded' and points at it. Money is int64 minor
-- units; totals are the sums of the lines (M5).
CREATE TABLE quotes (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid PRIMARY KEY,
    number           text NOT NULL,
    revision         integer NOT NULL CHECK (revision >= 1),
    status           text NOT NULL CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'superseded')),
    account_id       uuid NOT NULL,
    contact_id       uuid,
    opportunity_id   uuid,
    owner_user_id    uuid NOT NULL,
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    price_list_id    uuid,
    valid_until      date NOT NULL,
    promised_date    date,
    notes            text NOT NULL DEFAULT '',
    subtotal_minor   bigint NOT NULL DEFAULT 0 CHECK (subtotal_minor >= 0),
    tax_minor        bigint NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    total_minor      bigint NOT NULL DEFAULT 0 CHECK (total_minor = subtotal_minor + tax_minor),
    sent_at          timestamptz,
    sent_to          text NOT NULL DEFAULT '',
    accepted_at      timestamptz,
    declined_at      timestamptz,
    decline_reason   text NOT NULL DEFAULT '',
    order_id         uuid,
    superseded_by    uuid,
    created_by       uuid,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number, revision),
    CHECK ((status = 'accepted') = (accepted_at IS NOT NULL)),
    CHECK ((status = 'accepted') = (order_id IS NOT NULL)),
    -- A declined quote keeps its answer when a revision supersedes it.
    CHECK (status <> 'declined' OR declined_at IS NOT NULL),
    CHECK ((status = 'superseded') = (superseded_by IS NOT NULL)),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, price_list_id) REFERENCES price_lists (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, superseded_by) REFERENCES quotes (tenant_id, id)
);
CREATE INDEX quotes_account ON quotes (tenant_id, account_id, created_at, id);
CREATE INDEX quotes_opportunity ON quotes (tenant_id, opportunity_id, id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX quotes_owner ON quotes (tenant_id, owner_user_id, id);
CREATE INDEX quotes_status ON quotes (tenant_id, status, id);

CREATE TABLE quote_lines (
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid PRIMARY KEY,
    quote_id          uuid NOT NULL,
    position          integer NOT NULL CHECK (position >= 0),
    product_id        uuid NOT NULL,
    description       text NOT NULL,
    quantity          bigint NOT NULL CHECK (quantity > 0),
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp       integer NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp       integer NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    net_minor         bigint NOT NULL CHECK (net_minor >= 0),
    tax_minor         bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor       bigint NOT NULL CHECK (total_minor = net_minor + tax_minor),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, quote_id) REFERENCES quotes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX quote_lines_quote ON quote_lines (tenant_id, quote_id, position);
CREATE INDEX quote_lines_product ON quote_lines (tenant_id, product_id);

-- Orders made from quotes point back at them (the column exists since 0008).
ALTER TABLE orders ADD CONSTRAINT orders_quote_fk FOREIGN KEY (tenant_id, quote_id) REFERENCES quotes (tenant_id, id);
CREATE INDEX orders_quote ON orders (tenant_id, quote_id) WHERE quote_id IS NOT NULL;
CREATE INDEX orders_opportunity ON orders (tenant_id, opportunity_id, id) WHERE opportunity_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['quotes', 'quote_lines'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
