-- Contacts (C1) and activities (C5), and the keys behind the duplicate
-- warning on account create.
--
-- name_key and tax_key are the account's name and tax id normalized by the
-- application (case, accents, punctuation and legal suffixes such as S.L. or
-- GmbH removed); '' means not computed yet: rows from before this migration
-- are filled by the application the first time the tenant creates an
-- account, since the normalization is Go code, not SQL.
ALTER TABLE accounts ADD COLUMN name_key text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN tax_key text NOT NULL DEFAULT '';
CREATE INDEX accounts_name_key ON accounts (tenant_id, name_key);
CREATE INDEX accounts_tax_key ON accounts (tenant_id, tax_key) WHERE tax_key <> '';
CREATE INDEX accounts_email_lower ON accounts (tenant_id, lower(email)) WHERE email <> '';

-- People at a customer account. Email is stored lowercased; at most one
-- primary contact per account (the partial unique index).
CREATE TABLE contacts (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid PRIMARY KEY,
    account_id  uuid NOT NULL,
    first_name  text NOT NULL DEFAULT '' CHECK (length(first_name) <= 100),
    last_name   text NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    email       text NOT NULL DEFAULT '' CHECK (email = lower(email)),
    phone       text NOT NULL DEFAULT '',
    job_title   text NOT NULL DEFAULT '',
    role        text NOT NULL DEFAULT 'other'
                CHECK (role IN ('buyer', 'accounts_payable', 'decision_maker', 'technical', 'other')),
    is_primary  boolean NOT NULL DEFAULT false,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK (first_name <> '' OR last_name <> ''),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX contacts_account ON contacts (tenant_id, account_id, id);
CREATE INDEX contacts_email ON contacts (tenant_id, email) WHERE email <> '';
CREATE UNIQUE INDEX contacts_one_primary ON contacts (tenant_id, account_id) WHERE is_primary;

-- Calls, emails, meetings, tasks and notes about an account (and maybe one
-- of its contacts). opportunity_id is for the opportunities to come; until
-- that table exists it has no foreign key and the API does not set it.
-- done_at marks a task or meeting done; open tasks are done_at IS NULL.
CREATE TABLE activities (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'task', 'note')),
    subject         text NOT NULL CHECK (subject <> '' AND length(subject) <= 200),
    body            text NOT NULL DEFAULT '',
    account_id      uuid,
    contact_id      uuid,
    opportunity_id  uuid,
    due_at          timestamptz,
    done_at         timestamptz,
    assigned_to     uuid NOT NULL,
    created_by      uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK (account_id IS NOT NULL OR opportunity_id IS NOT NULL),
    CHECK (contact_id IS NULL OR account_id IS NOT NULL),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, assigned_to) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX activities_account ON activities (tenant_id, account_id, id);
CREATE INDEX activities_contact ON activities (tenant_id, contact_id, id) WHERE contact_id IS NOT NULL;
CREATE INDEX activities_assigned ON activities (tenant_id, assigned_to, id);
CREATE INDEX activities_open ON activities (tenant_id, assigned_to, due_at) WHERE done_at IS NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contacts', 'activities'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
