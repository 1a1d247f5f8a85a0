-- Customer accounts (C1 core): the companies orders, quotes and invoices are
-- for. Money is int64 minor units plus an ISO currency. Addresses are
-- structured (country ISO 3166-1 alpha-2, '' when unknown) so documents and
-- tax rules can read them without parsing free text.
CREATE TABLE accounts (
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    uuid PRIMARY KEY,
    name                  text NOT NULL CHECK (name <> ''),
    tax_id                text NOT NULL DEFAULT '',
    email                 text NOT NULL DEFAULT '',
    phone                 text NOT NULL DEFAULT '',
    billing_line1         text NOT NULL DEFAULT '',
    billing_line2         text NOT NULL DEFAULT '',
    billing_city          text NOT NULL DEFAULT '',
    billing_postal_code   text NOT NULL DEFAULT '',
    billing_region        text NOT NULL DEFAULT '',
    billing_country       text NOT NULL DEFAULT '' CHECK (billing_country ~ '^([A-Z]{2})?$'),
    shipping_line1        text NOT NULL DEFAULT '',
    shipping_line2        text NOT NULL DEFAULT '',
    shipping_city         text NOT NULL DEFAULT '',
    shipping_postal_code  text NOT NULL DEFAULT '',
    shipping_region       text NOT NULL DEFAULT '',
    shipping_country      text NOT NULL DEFAULT '' CHECK (shipping_country ~ '^([A-Z]{2})?$'),
    owner_user_id         uuid,
    payment_terms_days    integer NOT NULL DEFAULT 30 CHECK (payment_terms_days >= 0),
    credit_limit_minor    bigint NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    currency              text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    active                boolean NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    -- The sales rep; a user with accounts is deactivated, never deleted.
    FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX accounts_name ON accounts (tenant_id, lower(name), id);
CREATE INDEX accounts_tax_id ON accounts (tenant_id, tax_id) WHERE tax_id <> '';
CREATE INDEX accounts_owner ON accounts (tenant_id, owner_user_id) WHERE owner_user_id IS NOT NULL;

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant());
