-- Customer accounts (C1 core): the companies orders, quotes and invoices are
-- for. Money is int64 minor units plus an ISO currency. Addresses are
-- structured (country ISO 3166-1 alpha-2, '' when unknown) so documents and
-- tax rules can read them without parsing free text.
CREATE TABLE accounts (
    tenant_id             TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL CHECK (name <> ''),
    tax_id                TEXT NOT NULL DEFAULT '',
    email                 TEXT NOT NULL DEFAULT '',
    phone                 TEXT NOT NULL DEFAULT '',
    billing_line1         TEXT NOT NULL DEFAULT '',
    billing_line2         TEXT NOT NULL DEFAULT '',
    billing_city          TEXT NOT NULL DEFAULT '',
    billing_postal_code   TEXT NOT NULL DEFAULT '',
    billing_region        TEXT NOT NULL DEFAULT '',
    billing_country       TEXT NOT NULL DEFAULT '' CHECK (billing_country = '' OR (length(billing_country) = 2 AND billing_country = upper(billing_country))),
    shipping_line1        TEXT NOT NULL DEFAULT '',
    shipping_line2        TEXT NOT NULL DEFAULT '',
    shipping_city         TEXT NOT NULL DEFAULT '',
    shipping_postal_code  TEXT NOT NULL DEFAULT '',
    shipping_region       TEXT NOT NULL DEFAULT '',
    shipping_country      TEXT NOT NULL DEFAULT '' CHECK (shipping_country = '' OR (length(shipping_country) = 2 AND shipping_country = upper(shipping_country))),
    owner_user_id         TEXT,
    payment_terms_days    INTEGER NOT NULL DEFAULT 30 CHECK (payment_terms_days >= 0),
    credit_limit_minor    INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    currency              TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    active                BOOLEAN NOT NULL DEFAULT true,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    -- The sales rep; a user with accounts is deactivated, never deleted.
    FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX accounts_name ON accounts (tenant_id, lower(name), id);
CREATE INDEX accounts_tax_id ON accounts (tenant_id, tax_id) WHERE tax_id <> '';
CREATE INDEX accounts_owner ON accounts (tenant_id, owner_user_id) WHERE owner_user_id IS NOT NULL;
