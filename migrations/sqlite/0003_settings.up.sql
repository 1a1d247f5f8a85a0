-- Tax rates offered on products, quotes and invoices, and the document
-- number series (T6). Rates are basis points (21 % = 2100): never a float.
CREATE TABLE tax_rates (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    rate_bp     INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    is_default  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name)
);
CREATE UNIQUE INDEX tax_rates_one_default ON tax_rates (tenant_id) WHERE is_default;

CREATE TABLE number_series (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    padding      INTEGER NOT NULL CHECK (padding BETWEEN 1 AND 12),
    next_number  INTEGER NOT NULL CHECK (next_number >= 1),
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
