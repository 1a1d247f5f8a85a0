-- Pipelines with ordered stages, and opportunities moving through them (C3).
--
-- A tenant has exactly one default pipeline (the partial unique index; the
-- application creates a "Sales" pipeline on first use, idempotently, through
-- that index). Each pipeline has exactly one won and one lost stage; the
-- application checks that, the schema only that a stage is not both.
CREATE TABLE pipelines (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (name <> '' AND length(name) <= 100),
    is_default  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX pipelines_one_default ON pipelines (tenant_id) WHERE is_default;

CREATE TABLE pipeline_stages (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid PRIMARY KEY,
    pipeline_id  uuid NOT NULL,
    name         text NOT NULL CHECK (name <> '' AND length(name) <= 100),
    position     integer NOT NULL CHECK (position >= 0),
    probability  integer NOT NULL CHECK (probability BETWEEN 0 AND 100),
    is_won       boolean NOT NULL DEFAULT false,
    is_lost      boolean NOT NULL DEFAULT false,
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
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                  uuid PRIMARY KEY,
    name                text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    account_id          uuid NOT NULL,
    contact_id          uuid,
    pipeline_id         uuid NOT NULL,
    stage_id            uuid NOT NULL,
    owner_user_id       uuid NOT NULL,
    amount_minor        bigint NOT NULL DEFAULT 0 CHECK (amount_minor >= 0),
    currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    expected_close      date,
    probability         integer NOT NULL CHECK (probability BETWEEN 0 AND 100),
    probability_manual  boolean NOT NULL DEFAULT false,
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason         text NOT NULL DEFAULT '',
    won_at              timestamptz,
    lost_at             timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
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
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid PRIMARY KEY,
    opportunity_id    uuid NOT NULL,
    position          integer NOT NULL CHECK (position >= 0),
    product_id        uuid NOT NULL,
    sku               text NOT NULL,
    product_name      text NOT NULL,
    quantity          bigint NOT NULL CHECK (quantity > 0),
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor >= 0),
    discount_bp       integer NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    amount_minor      bigint NOT NULL CHECK (amount_minor >= 0),
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
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid PRIMARY KEY,
    opportunity_id   uuid NOT NULL,
    from_stage_id    uuid,
    from_stage_name  text NOT NULL DEFAULT '',
    to_stage_id      uuid NOT NULL,
    to_stage_name    text NOT NULL,
    changed_by       uuid,
    changed_at       timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, changed_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (tenant_id, opportunity_id, id);

-- The activities' opportunity reference gets its foreign key now that the
-- table exists (deleting an opportunity detaches its activities first).
ALTER TABLE activities ADD CONSTRAINT activities_opportunity_fk
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id);
CREATE INDEX activities_opportunity ON activities (tenant_id, opportunity_id, id) WHERE opportunity_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pipelines', 'pipeline_stages', 'opportunities', 'opportunity_lines', 'opportunity_stage_history'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
