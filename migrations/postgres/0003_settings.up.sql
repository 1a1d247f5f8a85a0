-- Tax rates offered on products, quotes and invoices, and the document
-- number series (T6). Rates are basis points (21 % = 2100): never a float.
CREATE TABLE tax_rates (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    rate_bp     integer NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    is_default  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name)
);
-- At most one default rate per tenant.
CREATE UNIQUE INDEX tax_rates_one_default ON tax_rates (tenant_id) WHERE is_default;

-- A row exists once a tenant changes a series or issues its first number;
-- until then the defaults in code apply.
CREATE TABLE number_series (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    code         text NOT NULL,
    prefix       text NOT NULL,
    padding      integer NOT NULL CHECK (padding BETWEEN 1 AND 12),
    next_number  bigint NOT NULL CHECK (next_number >= 1),
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tax_rates', 'number_series'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
