-- Pipelines with ordered stages, and opportunities moving through them (C3).
--
-- A tenant has exactly one default pipeline (the partial unique index; the
-- application creates a "Sales" pipeline on first use, idempotently, through
-- that index). Each pipeline has exactly one won and one lost stage; the
-- application checks that, the schema only that a stage is not both.
CREATE TABLE pipelines (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> '' AND length(name) <= 100),
    is_default  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX pipelines_one_default ON pipelines (tenant_id) WHERE is_default;

CREATE TABLE pipeline_stages (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT PRIMARY KEY,
    pipeline_id  TEXT NOT NULL,
    name         TEXT NOT NULL CHECK (name <> '' AND length(name) <= 100),
    position     INTEGER NOT NULL CHECK (position >= 0),
    probability  INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    is_won       BOOLEAN NOT NULL DEFAULT false,
    is_lost      BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (tenant_id, id),
    -- Opportunities point at (pipeline, stage) together: a stage of another
    -- pipeline cannot be stored.
    UNIQUE (tenant_id, pipeline_id, id),
    CHECK (NOT (is_won AND is_lost)),
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX pipeline_stages_pipeline ON pipeline_stages (tenant_id, pipeline_id, position);

-- probability is the stage's unless probability_manual says the user set it.
-- Status, won_at/lost_at and lost_reason agree (the CHECKs).
CREATE TABLE opportunities (
    tenant_id           TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL CHECK (name <> '' AND length(name) <= 200),
    account_id          TEXT NOT NULL,
    contact_id          TEXT,
    pipeline_id         TEXT NOT NULL,
    stage_id            TEXT NOT NULL,
    owner_user_id       TEXT NOT NULL,
    amount_minor        INTEGER NOT NULL DEFAULT 0 CHECK (amount_minor >= 0),
    currency            TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    expected_close      DATE,
    probability         INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    probability_manual  BOOLEAN NOT NULL DEFAULT false,
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason         TEXT NOT NULL DEFAULT '',
    won_at              TIMESTAMP,
    lost_at             TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK ((status = 'won') = (won_at IS NOT NULL)),
    CHECK ((status = 'lost') = (lost_at IS NOT NULL)),
    CHECK ((status = 'lost') = (lost_reason <> '')),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id),
    FOREIGN KEY (tenant_id, pipeline_id, stage_id) REFERENCES pipeline_stages (tenant_id, pipeline_id, id),
    FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX opportunities_stage ON opportunities (tenant_id, pipeline_id, stage_id, id);
CREATE INDEX opportunities_stage_only ON opportunities (tenant_id, stage_id);
CREATE INDEX opportunities_account ON opportunities (tenant_id, account_id, id);
CREATE INDEX opportunities_owner ON opportunities (tenant_id, owner_user_id, id);
CREATE INDEX opportunities_status ON opportunities (tenant_id, status, id);

-- Product lines; amount_minor is the line's total after the discount
-- (basis points), computed by the application.
CREATE TABLE opportunity_lines (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                TEXT PRIMARY KEY,
    opportunity_id    TEXT NOT NULL,
    position          INTEGER NOT NULL CHECK (position >= 0),
    product_id        TEXT NOT NULL,
    sku               TEXT NOT NULL,
    product_name      TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor  INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp       INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor >= 0),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX opportunity_lines_opportunity ON opportunity_lines (tenant_id, opportunity_id, position);
CREATE INDEX opportunity_lines_product ON opportunity_lines (tenant_id, product_id);

-- Every stage change of an opportunity (create, move, win, lose). The
-- stage ids carry no foreign key so that a removed stage keeps its history;
-- the names are kept as they were.
CREATE TABLE opportunity_stage_history (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT PRIMARY KEY,
    opportunity_id   TEXT NOT NULL,
    from_stage_id    TEXT,
    from_stage_name  TEXT NOT NULL DEFAULT '',
    to_stage_id      TEXT NOT NULL,
    to_stage_name    TEXT NOT NULL,
    changed_by       TEXT,
    changed_at       TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, changed_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (tenant_id, opportunity_id, id);

-- SQLite cannot add a foreign key to an existing table: the application
-- checks the activities' opportunity_id (PostgreSQL also has the key).
CREATE INDEX activities_opportunity ON activities (tenant_id, opportunity_id, id) WHERE opportunity_id IS NOT NULL;
