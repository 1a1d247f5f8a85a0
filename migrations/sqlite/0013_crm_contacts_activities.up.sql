-- Contacts (C1) and activities (C5), and the keys behind the duplicate
-- warning on account create.
--
-- name_key and tax_key are the account's name and tax id normalized by the
-- application (case, accents, punctuation and legal suffixes such as S.L. or
-- GmbH removed); '' means not computed yet: rows from before this migration
-- are filled by the application the first time the tenant creates an
-- account, since the normalization is Go code, not SQL.
ALTER TABLE accounts ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN tax_key TEXT NOT NULL DEFAULT '';
CREATE INDEX accounts_name_key ON accounts (tenant_id, name_key);
CREATE INDEX accounts_tax_key ON accounts (tenant_id, tax_key) WHERE tax_key <> '';
CREATE INDEX accounts_email_lower ON accounts (tenant_id, lower(email)) WHERE email <> '';

-- People at a customer account. Email is stored lowercased; at most one
-- primary contact per account (the partial unique index).
CREATE TABLE contacts (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    first_name  TEXT NOT NULL DEFAULT '' CHECK (length(first_name) <= 100),
    last_name   TEXT NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    email       TEXT NOT NULL DEFAULT '' CHECK (email = lower(email)),
    phone       TEXT NOT NULL DEFAULT '',
    job_title   TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT 'other'
                CHECK (role IN ('buyer', 'accounts_payable', 'decision_maker', 'technical', 'other')),
    is_primary  BOOLEAN NOT NULL DEFAULT false,
    active      BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
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
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'task', 'note')),
    subject         TEXT NOT NULL CHECK (subject <> '' AND length(subject) <= 200),
    body            TEXT NOT NULL DEFAULT '',
    account_id      TEXT,
    contact_id      TEXT,
    opportunity_id  TEXT,
    due_at          TIMESTAMP,
    done_at         TIMESTAMP,
    assigned_to     TEXT NOT NULL,
    created_by      TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
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
