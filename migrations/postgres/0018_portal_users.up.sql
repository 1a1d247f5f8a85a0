-- Portal identity (P1): a portal user is one contact of a customer account
-- who may log in at the tenant's portal. Email is unique per tenant and
-- stored lowercased; at most one portal user per contact. account_id is the
-- binding every portal read filters by; the session check also requires the
-- contact to still belong to that account, so a binding never silently moves.
-- password_hash is '' until the invitation is accepted.
CREATE TABLE portal_users (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid PRIMARY KEY,
    contact_id     uuid NOT NULL,
    account_id     uuid NOT NULL,
    email          text NOT NULL CHECK (email <> '' AND email = lower(email)),
    password_hash  text NOT NULL DEFAULT '',
    status         text NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    invited_by     uuid,
    last_login_at  timestamptz,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, email),
    UNIQUE (tenant_id, contact_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, invited_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX portal_users_account ON portal_users (tenant_id, account_id, id);

-- Single-use invitation and magic-link tokens (U5): only the SHA-256 of the
-- 256-bit token is stored.
CREATE TABLE portal_tokens (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid PRIMARY KEY,
    portal_user_id  uuid NOT NULL,
    purpose         text NOT NULL CHECK (purpose IN ('invite', 'magic')),
    token_hash      text NOT NULL,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    created_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX portal_tokens_user ON portal_tokens (tenant_id, portal_user_id, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['portal_users', 'portal_tokens'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = nexo_current_tenant()) WITH CHECK (tenant_id = nexo_current_tenant())', t);
    END LOOP;
END $$;
